// Every check ends through here so results carry their duration and a uniform shape.
import type { CheckResult } from '../types.js';

export function startTimer(): () => number {
  const t0 = performance.now();
  return () => Math.round((performance.now() - t0) * 10) / 10;
}

export function result(elapsed: () => number, up: boolean, message: string): CheckResult {
  return { up, message, durationMs: elapsed() };
}

/** Describe a failure: a timeout when the deadline fired, else the error's own words. */
export function describeError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timed out';
  // Duck-typed, not `instanceof Error`: errors from another realm (jest's vm sandbox, worker
  // threads) fail instanceof and would be printed as "Error: connect ECONNREFUSED ...".
  if (typeof err === 'object' && err !== null && ('message' in err || 'code' in err)) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ECONNRESET') return 'connection reset';
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
    return e.message || code || e.name;
  }
  return String(err);
}

/** "127.0.0.1:80" or "[::1]:80". */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
