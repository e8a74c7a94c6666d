// Shared pieces of the benchmark: the clock, the address plan, message types.
// Every timestamp in the bench (load generator, ipvsadm wrapper, harness) is wall-clock
// milliseconds with sub-millisecond resolution, so events from different processes compare.

export const now = (): number => performance.timeOrigin + performance.now();

export type Mode = 'ok' | 'refuse' | 'hang';

export interface ServerSpec {
  id: number;
  addr: string;
  port: number;
  mode: Mode;
}

/**
 * Real server `i` (0-based): 250 hosts per /24 under 127.20.0.0/14, ports 8080..8083.
 * Loopback only (Linux answers for all of 127.0.0.0/8 without configuration).
 * $BENCH_ADDR_BASE moves the range (127.B.0.0) so a soak can run beside a bench.
 */
export function realAddr(i: number): { addr: string; port: number } {
  const block = Math.floor(i / 250);
  const host = (i % 250) + 1;
  const b = Number(process.env['BENCH_ADDR_BASE'] || 20) + Math.floor(block / 256);
  if (b > 254) throw new Error(`too many real servers: ${i}`);
  return { addr: `127.${b}.${block % 256}.${host}`, port: 8080 + (i % 4) };
}

/** Virtual service `v` (0-based): 127.255.v.1:80 — only ever written into the stand-in's table. */
export function virtualAddr(v: number): string {
  return `127.255.${Math.floor(v / 250)}.${(v % 250) + 1}:80`;
}

// ---- load generator protocol (parent <-> worker over the fork() IPC channel)
export type ToWorker =
  | { op: 'init'; servers: ServerSpec[] }
  | { op: 'set'; ids: number[]; mode: Mode; seq: number }
  | { op: 'drain'; seq: number }
  | { op: 'stop' };

export type FromWorker =
  | { op: 'ready'; listening: number; failed: string[] }
  | { op: 'ack'; seq: number; t: number }
  /** flat arrays: ids[i] got a complete request at reqT[i]; hang connections closed by the client at closeT */
  | { op: 'events'; seq: number; reqId: number[]; reqT: number[]; closeId: number[]; closeT: number[]; connT: number[]; connId: number[] };

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
