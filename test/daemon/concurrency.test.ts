// A hung real server costs its own timeout, not the round: 1,000 reals of which 100 accept and
// never answer finish in about one checktimeout. (The benchmark in bench/ measures this
// properly; this test only guards the shape: well under two timeouts, far from 100.)
import { makeKit } from '../support/director-kit.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const servers: RealServerStub[] = [];

afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

test('1,000 reals, 100 hanging: one round takes about one timeout', async () => {
  for (let i = 0; i < 1000; i++) servers.push(await startRealServer('127.0.0.1', 0, i % 10 === 0 ? 'hang' : 'up'));
  const reals = servers.map((s) => `\treal=127.0.0.1:${s.port} masq`);
  const text = ['checktimeout=2', '', 'virtual=127.0.0.200:80', ...reals, '\tservice=http', '\treceive="OK"', ''].join('\n');
  const k = await makeKit(text);
  await k.director.start();
  const stats = await k.director.round();
  expect(stats.probes).toBe(1000);
  const added = k.take().filter((l) => l.startsWith('Added real server'));
  expect(added).toHaveLength(900);
  // Sequentially the hung servers alone would take 100 × 2 s.
  expect(stats.probeMs).toBeGreaterThanOrEqual(1900);
  expect(stats.probeMs).toBeLessThan(4000);
  expect(stats.execs).toBe(2);
  process.stdout.write(`1,000 reals / 100 hanging, checktimeout=2: checks ${Math.round(stats.probeMs)} ms, round ${Math.round(stats.durationMs)} ms, ${stats.execs} table execs\n`);
}, 60_000);
