// Exec budget and failure handling of the ipvsadm backend, measured on the stand-in through
// its exec log (one JSON line per ipvsadm process).

import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipvsadmBackend } from '../../src/ipvs/backend.js';
import type { IpvsOp, ServiceId } from '../../src/ipvs/types.js';
import { STANDIN, standinEnv, standinRun } from './support.js';

const s = standinEnv();
const log = join(s.dir, 'execs.jsonl');
s.env['TSLVS_IPVS_EXEC_LOG'] = log;
afterAll(() => s.cleanup());

interface ExecEntry {
  args: string[];
  stdin: string | null;
  code: number;
}
const execs = (): ExecEntry[] => {
  try {
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ExecEntry);
  } catch {
    return [];
  }
};
const MUTATING = /^\s*(ipvsadm\s+)?-[AEDaedCZ]\b/;
const isWrite = (e: ExecEntry): boolean => (e.stdin ?? '').split('\n').some((l) => MUTATING.test(l)) || e.args.some((a) => MUTATING.test(a));

describe('ipvsadm backend exec budget (stand-in)', () => {
  beforeEach(async () => {
    await standinRun(s.env, ['-C']);
    rmSync(log, { force: true });
  });

  test('a round of 1,000 changes costs one read exec and one write exec', async () => {
    const backend = ipvsadmBackend({ ipvsadm: STANDIN, env: s.env });
    const ops: IpvsOp[] = [];
    for (let v = 0; v < 40; v++) {
      const id: ServiceId = { kind: 'addr', protocol: 'tcp', address: `10.20.${v}.1`, port: 80 };
      ops.push({ kind: 'addService', service: { id, scheduler: 'wrr' } });
      for (let r = 0; r < 24; r++) {
        ops.push({ kind: 'addReal', service: id, real: { address: `10.21.${v}.${r + 1}`, port: 8080, forwarding: 'Masq', weight: r % 3, upperThreshold: 50, lowerThreshold: 10 } });
      }
    }
    ops.length = 1000;
    // a round: observe, then apply everything at once
    const before = await backend.list();
    expect(before.ok).toBe(true);
    const res = await backend.apply(ops);
    expect(res.error).toBeUndefined();
    expect(res.results).toHaveLength(1000);
    expect(res.results.every((r) => r.ok)).toBe(true);
    expect(res.table!.services.reduce((n, x) => n + 1 + x.reals.length, 0)).toBe(1000);

    const e = execs();
    expect(e).toHaveLength(2);
    expect(e.filter(isWrite)).toHaveLength(1);
    expect(e.filter((x) => !isWrite(x))).toHaveLength(1);
    // the write carries all 1,000 ops in one -R, plus its own verification listing
    expect(e[1]!.args).toEqual(['-R']);
    expect(e[1]!.stdin!.trim().split('\n')).toHaveLength(1002);
    expect(res.execs).toBe(1);
    expect(before.execs).toBe(1);
  }, 60_000);

  test('a batch cut short by a syntax error is re-listed once and reported op by op', async () => {
    // ipvsadm -R stops at a line it cannot parse (exit 2), so later lines, including the
    // verification listing, never run. Simulate such a line in the middle of the batch with a
    // wrapper that splices one into the stand-in's stdin after the second op.
    const wrapper = join(s.dir, 'splice-ipvsadm');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = -R ] && [ -z "$NO_SPLICE" ]; then awk 'NR==3{print "-a -t 10.30.0.1:80 -r 10.30.0.9:80 -m -w -7"}{print}' | "${STANDIN}" "$@"; else exec "${STANDIN}" "$@"; fi\n`,
    );
    chmodSync(wrapper, 0o755);
    const backend = ipvsadmBackend({ ipvsadm: wrapper, env: s.env });
    const id: ServiceId = { kind: 'addr', protocol: 'tcp', address: '10.30.0.1', port: 80 };
    const ops: IpvsOp[] = [
      { kind: 'addService', service: { id, scheduler: 'rr' } },
      { kind: 'addReal', service: id, real: { address: '10.30.0.2', port: 80, forwarding: 'Masq', weight: 1 } },
      { kind: 'addReal', service: id, real: { address: '10.30.0.3', port: 80, forwarding: 'Masq', weight: 1 } },
      { kind: 'addService', service: { id: { ...id, port: 81 }, scheduler: 'wlc' } },
    ];
    const res = await backend.apply(ops);
    expect(res.execs).toBe(2);
    expect(res.ok).toBe(false);
    expect(res.stderr).toEqual(['illegal weight specified']);
    expect(res.warnings[0]).toMatch(/stopped early \(exit 2\)/);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([
      [true, null],
      [true, null],
      [false, 'ipvsadm -R stopped early (exit status 2): illegal weight specified; real server not in the table'],
      [false, 'ipvsadm -R stopped early (exit status 2): illegal weight specified; service not in the table'],
    ]);
    const e = execs();
    expect(e.map((x) => x.code)).toEqual([2, 0]);
  });

  test('a hung ipvsadm is an error result after the timeout, not a crash', async () => {
    const hang = join(s.dir, 'hang-ipvsadm');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hang, 0o755);
    const backend = ipvsadmBackend({ ipvsadm: hang, timeoutMs: 300 });
    const t0 = Date.now();
    const l = await backend.list();
    expect(l.ok).toBe(false);
    if (!l.ok) expect(l.error).toMatch(/timed out after 0.3 s$/);
    const a = await backend.apply([{ kind: 'deleteService', id: { kind: 'fwmark', fwmark: 1, family: 'inet' } }]);
    expect(a.ok).toBe(false);
    expect(a.error).toMatch(/timed out/);
    expect(a.results[0]).toMatchObject({ ok: false });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a missing or failing ipvsadm is an error result', async () => {
    const missing = ipvsadmBackend({ ipvsadm: join(s.dir, 'no-such-ipvsadm') });
    const l = await missing.list();
    expect(l.ok).toBe(false);
    if (!l.ok) expect(l.error).toMatch(/could not run/);
    // no IPVS in the kernel: the stand-in without a state file says what ipvsadm says there
    const env = { ...s.env };
    delete env['TSLVS_IPVS_STATE'];
    const noIpvs = ipvsadmBackend({ ipvsadm: STANDIN, env });
    const l2 = await noIpvs.list();
    expect(l2.ok).toBe(false);
    if (!l2.ok) expect(l2.error).toBe("ipvsadm listing unreadable: Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?");
  });

  test('concurrent stand-in calls serialise on the lock file: no update is lost', async () => {
    await standinRun(s.env, ['-A', '-t', '10.40.0.1:80', '-s', 'rr']);
    const n = 16;
    const rs = await Promise.all(
      Array.from({ length: n }, (_, i) => standinRun(s.env, ['-a', '-t', '10.40.0.1:80', '-r', `10.40.1.${i + 1}:80`, '-m', '-w', String(i)])),
    );
    expect(rs.map((r) => r.code)).toEqual(new Array(n).fill(0));
    const l = await standinRun(s.env, ['-S', '-n']);
    expect(l.stdout.trim().split('\n')).toHaveLength(n + 1);
  }, 60_000);
});
