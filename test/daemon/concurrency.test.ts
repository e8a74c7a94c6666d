// A hung real server costs its own timeout and nothing else: 1,000 reals of which 100 accept
// and never answer; every answering one is in the table before the first hung check times out,
// in a few coalesced writes. (The benchmark in bench/ measures this properly; this test guards
// the shape.)
import type { WriteStats } from '../../src/daemon/director.js';
import { makeKit } from '../support/director-kit.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const servers: RealServerStub[] = [];

afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

test('1,000 reals, 100 hanging: the 900 answering ones join before the hung checks time out', async () => {
  for (let i = 0; i < 1000; i++) servers.push(await startRealServer('127.0.0.1', 0, i % 10 === 0 ? 'hang' : 'up'));
  const reals = servers.map((s) => `\treal=127.0.0.1:${s.port} masq`);
  const text = ['checkinterval=10', 'checktimeout=8', '', 'virtual=127.0.0.200:80', ...reals, '\tservice=http', '\treceive="OK"', ''].join('\n');
  const writes: WriteStats[] = [];
  const k = await makeKit(text, { onWrite: (w) => writes.push(w) });
  await k.director.start();
  k.take();
  const t0 = performance.now();
  k.director.startClock();
  try {
  const hung = new Set(servers.filter((_, i) => i % 10 === 0).map((s) => `:${s.port}:`));
  const hungRuns = () => k.director.probeStatus().filter((s) => [...hung].some((h) => s.key.includes(h))).reduce((n, s) => n + s.runs, 0);
  let joinedMs = Infinity;
  let hungDoneThen = -1;
  for (const end = t0 + 20_000; performance.now() < end;) {
    if (k.lines.filter((l) => l.startsWith('Added real server')).length >= 900) {
      joinedMs = performance.now() - t0;
      hungDoneThen = hungRuns();
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  process.stdout.write(`joined ${Math.round(joinedMs)} ms, hung runs then ${hungDoneThen}\n`);
  expect(joinedMs).toBeLessThan(20_000);
  // No hung check had ended (8 s) when the last answering real joined.
  expect(hungDoneThen).toBe(0);
  await k.director.firstResults();
  const added = k.take().filter((l) => l.startsWith('Added real server'));
  expect(added).toHaveLength(900);
  const w = writes.filter((x) => x.kind === 'write' && x.ops > 0);
  // Coalesced: far fewer writes than reals, one exec each.
  expect(w.length).toBeLessThan(100);
  expect(w.every((x) => x.execs === 1)).toBe(true);
  process.stdout.write(`1,000 reals / 100 hanging, checktimeout=8: 900 joined after ${Math.round(joinedMs)} ms in ${w.length} writes (${Math.round(w.reduce((n, x) => n + x.durationMs, 0))} ms writing)\n`);
  } finally {
    k.director.abortProbes();
    await k.director.stop();
  }
}, 60_000);
