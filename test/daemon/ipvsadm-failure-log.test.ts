// What the director logs when ipvsadm itself fails: the "Failed to apply" line carries the
// cause the backend found (ipvsadm's error line and exit status, or the timeout), not only
// what the table shows. ipvsadm is a small script wrapping the stand-in.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipvsadmBackend } from '../../src/ipvs/backend.js';
import { makeKit } from '../support/director-kit.js';
import { STANDIN, standinEnv, standinRun } from '../ipvs/support.js';

const s = standinEnv();
afterAll(() => s.cleanup());
beforeEach(async () => { await standinRun(s.env, ['-C']); });

/** A script that runs `onWrite` when its stdin changes the table, else the stand-in. */
function ipvsadm(name: string, onWrite: string): string {
  const path = join(s.dir, name);
  writeFileSync(path, `#!/bin/sh
input=$(cat)
if printf '%s\\n' "$input" | grep -qE '^-[AaDdEe] '; then
${onWrite}
fi
printf '%s\\n' "$input" | exec '${STANDIN}' "$@"
`);
  chmodSync(path, 0o755);
  return path;
}

const V = '127.0.0.200:80';
const R = '127.0.0.1:8081';
const config = [`virtual=${V}`, `\treal=${R} masq 1`, '\tchecktype=on', ''].join('\n');

test('ipvsadm failing with an error line: the line and the exit status are in the log', async () => {
  const path = ipvsadm('fails', "echo 'Memory allocation problem' >&2; exit 1");
  const k = await makeKit(config, { backend: ipvsadmBackend({ ipvsadm: path, env: s.env }) });
  await k.director.start();
  expect(k.take()).toEqual([
    `Failed to apply "ipvsadm -A -t ${V} -s wrr": ipvsadm -R stopped early (exit status 1): Memory allocation problem; `
      + `service not in the table (not done: Added virtual server: ${V}; will retry)`,
    `Failed to apply "ipvsadm -a -t ${V} -r ${R} -m -w 1 -x 0 -y 0": ipvsadm -R stopped early (exit status 1): Memory allocation problem; `
      + `service not in the table (not done: Added real server: ${R} (${V}) (Weight set to 1); will retry)`,
  ]);
});

test('a hung ipvsadm: killed after the timeout, and the log says it timed out', async () => {
  const path = ipvsadm('hangs', 'sleep 60 & wait');
  const k = await makeKit(config, { backend: ipvsadmBackend({ ipvsadm: path, env: s.env, timeoutMs: 4000 }) });
  const t0 = Date.now();
  await k.director.start();
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(k.take()).toEqual([
    `Failed to apply "ipvsadm -A -t ${V} -s wrr": ${path} timed out after 4 s; service not in the table `
      + `(not done: Added virtual server: ${V}; will retry)`,
    `Failed to apply "ipvsadm -a -t ${V} -r ${R} -m -w 1 -x 0 -y 0": ${path} timed out after 4 s; service not in the table `
      + `(not done: Added real server: ${R} (${V}) (Weight set to 1); will retry)`,
  ]);
}, 30_000);
