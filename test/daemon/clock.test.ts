// Every probe on its own clock (src/daemon/probe-clock.ts, director.ts): a hung real never
// delays another real's detection, a burst of changes in one settle window is one write, a
// probe never runs twice, a reload keeps each probe's phase. Real loopback servers, the
// simulated table; bounded waits on conditions.
import net from 'node:net';
import { ProbeClock, spreadFraction } from '../../src/daemon/probe-clock.js';
import type { WriteStats } from '../../src/daemon/director.js';
import { makeKit, parseConfig } from '../support/director-kit.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const V = '127.0.0.200:80';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
const cfg = (global: string[], reals: string[]) =>
  [...global, '', `virtual=${V}`, ...reals.map((r) => `\treal=${r} masq`), '\tservice=http', '\treceive="OK"', ''].join('\n');

describe('ProbeClock', () => {
  it('starts each probe one interval after its last start, never while it runs, spread by its key', async () => {
    const starts: Array<{ key: string; t: number }> = [];
    let running = 0;
    let peak = 0;
    const t0 = performance.now();
    // "slow" takes 250 ms, longer than its 100 ms interval: due while running, it waits.
    const clock = new ProbeClock(async (key) => {
      starts.push({ key, t: performance.now() - t0 });
      running++;
      peak = Math.max(peak, running);
      await sleep(key === 'slow' ? 250 : 1);
      running--;
      return { up: true, message: key };
    }, 50);
    clock.set('slow', 100);
    clock.set('quick', 100);
    await sleep(620);
    await clock.stop();
    const slow = starts.filter((s) => s.key === 'slow').map((s) => s.t);
    const quick = starts.filter((s) => s.key === 'quick').map((s) => s.t);
    // First starts spread by the key (deterministic), within the spread.
    expect(slow[0]).toBeGreaterThanOrEqual(spreadFraction('slow') * 50 - 5);
    expect(quick[0]).toBeLessThan(50 + 30);
    // slow: back to back (each start after the previous run ended), never overlapping itself.
    for (let i = 1; i < slow.length; i++) expect(slow[i]! - slow[i - 1]!).toBeGreaterThanOrEqual(245);
    expect(slow.length).toBeLessThanOrEqual(3);
    // quick: start to start every 100 ms.
    // (timers fire on whole milliseconds, up to 1 ms before performance.now() says)
    for (let i = 1; i < quick.length; i++) expect(quick[i]! - quick[i - 1]!).toBeGreaterThanOrEqual(98);
    expect(quick.length).toBeGreaterThanOrEqual(4);
    expect(peak).toBeLessThanOrEqual(2);
    const status = clock.status().find((s) => s.key === 'quick')!;
    expect(status).toMatchObject({ key: 'quick', intervalMs: 100, running: false, lastResult: { up: true, message: 'quick' } });
    expect(status.runs).toBe(quick.length);
  });

  it('keeps a probe\'s phase when its interval changes (reload)', async () => {
    const starts: number[] = [];
    const t0 = performance.now();
    const clock = new ProbeClock(async () => { starts.push(performance.now() - t0); return undefined; }, 0);
    clock.set('a', 300);
    await until(() => starts.length === 1, 1000, 'the first start');
    clock.set('a', 150);
    await until(() => starts.length === 2, 1000, 'the second start');
    await clock.stop();
    // next = last start + the new interval, not a fresh start.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(145);
    expect(starts[1]! - starts[0]!).toBeLessThan(290);
  });
});

describe('the director on the clock', () => {
  const servers: RealServerStub[] = [];
  afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });
  const server = async (mode: Parameters<typeof startRealServer>[2] = 'up') => {
    const s = await startRealServer('127.0.0.1', 0, mode);
    servers.push(s);
    return s;
  };

  test('a hung real never delays another real\'s detection', async () => {
    const hung = await server('hang');
    const a = await server('up');
    const lines: Array<{ t: number; m: string }> = [];
    // The hung real's check runs 5 s; the other is checked every second.
    const k = await makeKit(cfg(['checkinterval=1', 'checktimeout=5', 'negotiatetimeout=5'], [`127.0.0.1:${hung.port}`, `127.0.0.1:${a.port}`]),
      { log: (m) => lines.push({ t: performance.now(), m }), spreadMs: 0 });
    await k.director.start();
    k.director.startClock();
    const A = `127.0.0.1:${a.port}`;
    await until(() => lines.some((l) => l.m === `Added real server: ${A} (${V}) (Weight set to 1)`), 5000, 'A added');
    // A joined while the hung real's first check still ran.
    const hungStatus = () => k.director.probeStatus().find((s) => s.key.includes(`:${hung.port}:`));
    expect(hungStatus()).toMatchObject({ running: true, runs: 0 });
    await sleep(300);
    await a.set('fail');
    const failedAt = performance.now();
    await until(() => lines.some((l) => l.m === `Deleted real server: ${A} (${V})`), 5000, 'A deleted');
    const seen = lines.find((l) => l.m === `Deleted real server: ${A} (${V})`)!.t - failedAt;
    // Within one checkinterval (+ 0.3 s), while the hung probe still runs.
    expect(seen).toBeLessThanOrEqual(1300);
    expect(hungStatus()).toMatchObject({ running: true, runs: 0 });
    k.director.abortProbes();
    await k.director.stop();
    expect(lines.map((l) => l.m)).toEqual([
      `Added virtual server: ${V}`,
      `Added real server: ${A} (${V}) (Weight set to 1)`,
      `Deleted real server: ${A} (${V})`,
      `Purged virtual server (stop): ${V}`,
    ]);
    process.stdout.write(`hung real beside: detection after ${Math.round(seen)} ms\n`);
  }, 20_000);

  test('a burst of changes in one settle window is one write', async () => {
    const reals = await Promise.all(Array.from({ length: 20 }, () => server('up')));
    const writes: WriteStats[] = [];
    const k = await makeKit(cfg(['checkinterval=5', 'checktimeout=2'], reals.map((r) => `127.0.0.1:${r.port}`)),
      { settleMs: 400, spreadMs: 0, onWrite: (w) => writes.push(w) });
    await k.director.start();
    k.take();
    k.director.startClock();
    await k.director.firstResults();
    await until(() => writes.some((w) => w.kind === 'write'), 3000, 'the write');
    await sleep(450);
    const done = writes.filter((w) => w.kind === 'write');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ ops: 20, failedOps: 0, execs: 1 });
    expect(k.take()).toEqual(reals.map((r) => `Added real server: 127.0.0.1:${r.port} (${V}) (Weight set to 1)`));
    await k.director.stop();
  }, 20_000);

  test('a probe never runs twice: a check slower than its interval is not started again while it runs', async () => {
    let open = 0;
    let peak = 0;
    let accepted = 0;
    const slow = net.createServer((s) => {
      accepted++;
      open++;
      peak = Math.max(peak, open);
      s.on('close', () => { open--; });
      s.on('error', () => {});
      s.resume(); // read, so the client's close is seen
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const port = (slow.address() as net.AddressInfo).port;
    const k = await makeKit(cfg(['checkinterval=1', 'checktimeout=2'], [`127.0.0.1:${port}`]), { spreadMs: 0 });
    await k.director.start();
    k.director.startClock();
    await sleep(4500);
    await k.director.stop();
    slow.close();
    // Each run holds its connection for its 2 s timeout; due every 1 s, it runs back to back.
    expect(peak).toBe(1);
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(accepted).toBeLessThanOrEqual(3);
  }, 20_000);

  test('reload keeps health and phase; nothing is written after stop', async () => {
    const a = await server('up');
    const b = await server('up');
    const writes: WriteStats[] = [];
    const k = await makeKit(cfg(['checkinterval=1', 'checktimeout=1', 'failurecount=3'], [`127.0.0.1:${a.port}`]), { onWrite: (w) => writes.push(w) });
    await k.director.start();
    k.director.startClock();
    await k.director.firstResults();
    await until(() => k.lines.includes(`Added real server: 127.0.0.1:${a.port} (${V}) (Weight set to 1)`), 3000, 'a added');
    await a.set('fail');
    await until(() => k.lines.some((l) => l.startsWith('Soft failure')), 3000, 'a soft failure');
    const before = k.director.probeStatus().find((s) => s.key.includes(String(a.port)))!;
    await k.director.reload(await parseConfig(cfg(['checkinterval=1', 'checktimeout=1', 'failurecount=3'], [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`])));
    const after = k.director.probeStatus().find((s) => s.key.includes(String(a.port)))!;
    expect(after.lastStart).toBe(before.lastStart);
    await until(() => k.lines.some((l) => l.includes('failure 2/3')), 3000, 'the second soft failure');
    await until(() => k.lines.includes(`Added real server: 127.0.0.1:${b.port} (${V}) (Weight set to 1)`), 3000, 'b added');
    await k.director.stop();
    const n = writes.length;
    const stopped = k.lines.length;
    await sleep(1200);
    expect(writes.length).toBe(n);
    expect(k.lines.length).toBe(stopped);
    expect(k.lines.filter((l) => l.startsWith('Soft failure'))).toEqual([
      `Soft failure real server: 127.0.0.1:${a.port} (tcp:${V}) failure 1/3`,
      `Soft failure real server: 127.0.0.1:${a.port} (tcp:${V}) failure 2/3`,
    ]);
  }, 20_000);
});
