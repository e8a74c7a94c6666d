// The daemon's clock end to end: each probe starts every checkinterval (start to start), and with
// fork=yes a virtual's reals keep its own checkinterval, as ldirectord's per-virtual children do.
import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/log/logger.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { simBackend } from '../../src/ipvs/sim/backend.js';
import { parseConfig, tempDir } from '../support/director-kit.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

let fast: RealServerStub;
let slow: RealServerStub;
beforeAll(async () => { fast = await startRealServer(); slow = await startRealServer(); });
afterAll(async () => { await Promise.all([fast.close(), slow.close()]); });

async function runFor(text: string, ms: number): Promise<string[]> {
  const dir = tempDir('tslvs-sched-');
  const file = path.join(dir, 'x.cf');
  fs.writeFileSync(file, text);
  const config = { ...(await parseConfig(text, file)), path: file };
  const lines: string[] = [];
  const logger = createLogger({ logfile: '/dev/null', supervised: true, debug: false, cfgname: 'x.cf', stdout: (t) => lines.push(t.replace(/^\[[^\]]*\] /, '').trimEnd()) });
  const daemon = new Daemon({ config, logger, backend: simBackend(), signals: false });
  const done = daemon.run();
  await new Promise((r) => setTimeout(r, ms));
  daemon.requestStop('TERM');
  expect(await done).toBe(0);
  fs.rmSync(dir, { recursive: true });
  return lines;
}

test('fork=yes: each virtual on its own checkinterval', async () => {
  const f0 = fast.hits;
  const s0 = slow.hits;
  const lines = await runFor([
    'fork=yes', 'checkinterval=1', 'checktimeout=1', '',
    'virtual=127.0.0.200:80', `\treal=127.0.0.1:${fast.port} masq`, '\tservice=http', '',
    'virtual=127.0.0.201:80', `\treal=127.0.0.1:${slow.port} masq`, '\tservice=http', '\tcheckinterval=3', '',
  ].join('\n'), 4500);
  const f = fast.hits - f0;
  const s = slow.hits - s0;
  // Checks at 0, 1, 2, 3, 4 s (plus a fixed spread under 250 ms) for the first; 0 and 3 s for the second.
  expect(f).toBeGreaterThanOrEqual(4);
  expect(f).toBeLessThanOrEqual(6);
  expect(s).toBe(2);
  expect(lines.at(-1)).toBe('Linux Director Daemon terminated on signal: TERM');
}, 20_000);

test('fork=no: one global checkinterval, measured start to start', async () => {
  const f0 = fast.hits;
  await runFor(['checkinterval=2', 'checktimeout=1', '', 'virtual=127.0.0.200:80', `\treal=127.0.0.1:${fast.port} masq`, '\tservice=http', ''].join('\n'), 4500);
  // 0, 2, 4 s.
  expect(fast.hits - f0).toBe(3);
}, 20_000);
