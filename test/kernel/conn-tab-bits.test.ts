// Kernel tier (c): a director whose connection table was enlarged (ip_vs conn_tab_bits=20,
// as busy directors load it) prints "IP Virtual Server version 1.2.1 (size=1048576)". The
// real backend must read and write that table. The module is reloaded with the parameter in
// the VM, and reloaded with its defaults afterwards (the fidelity tier compares the stand-in's
// size=4096 title with the kernel's).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { join } from 'node:path';
import { ROOT } from '../ipvs/support.js';
import { ipvsadmBackend } from '../../src/ipvs/backend.js';
import type { IpvsOp, ServiceId } from '../../src/ipvs/types.js';

const VM = join(ROOT, 'scripts', 'kernel', 'kvm', 'vm.sh');
const FORWARDER = join(ROOT, 'scripts', 'kernel', 'kvm', 'ipvsadm-in-vm');

/** Empty the table, unload ip_vs and every ip_vs_* module (schedulers, pe), load ip_vs with `params`. */
function reloadScript(params: string): string {
  return `set -e
ipvsadm -C
for pass in 1 2 3; do
  for m in $(awk '$1 ~ /^ip_vs_/ { print $1 }' /proc/modules); do rmmod "$m" 2>/dev/null || true; done
done
rmmod ip_vs
modprobe ip_vs ${params}
cat /sys/module/ip_vs/parameters/conn_tab_bits
`;
}

async function inVm(script: string): Promise<string> {
  const r = await execa(VM, ['exec', '--stdin', '--timeout', '300', '--', 'bash', '-s'], { input: script, reject: false });
  if (r.exitCode !== 0) throw new Error(`VM command failed (${r.exitCode}): ${r.stderr}`);
  return String(r.stdout);
}

describe('ipvsadm backend on a kernel with conn_tab_bits=20 (VM)', () => {
  beforeAll(async () => {
    expect((await inVm(reloadScript('conn_tab_bits=20'))).trim()).toBe('20');
  }, 600_000);

  afterAll(async () => {
    await inVm(reloadScript(''));
  }, 600_000);

  test('the kernel prints the other size, and the backend reads and writes the table', async () => {
    const title = await execa(FORWARDER, ['-L', '-n'], { stdin: 'ignore' });
    expect(String(title.stdout).split('\n')[0]).toBe('IP Virtual Server version 1.2.1 (size=1048576)');

    const backend = ipvsadmBackend({ ipvsadm: FORWARDER, timeoutMs: 60_000 });
    const before = await backend.list();
    expect(before).toMatchObject({ ok: true, table: { services: [] } });

    const id: ServiceId = { kind: 'addr', protocol: 'tcp', address: '10.60.0.1', port: 80 };
    const ops: IpvsOp[] = [
      { kind: 'addService', service: { id, scheduler: 'wlc' } },
      { kind: 'addReal', service: id, real: { address: '10.60.0.2', port: 80, forwarding: 'Masq', weight: 3, upperThreshold: 10 } },
      { kind: 'addReal', service: id, real: { address: '10.60.0.3', port: 8080, forwarding: 'Masq', weight: 0 } },
    ];
    const res = await backend.apply(ops);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([[true, null], [true, null], [true, null]]);
    // verified from the write's own listing: one process
    expect(res.execs).toBe(1);

    const after = await backend.list();
    expect(after.ok).toBe(true);
    if (!after.ok) return;
    expect(after.table.services).toHaveLength(1);
    expect(after.table.services[0]!.reals.map((r) => [r.address, r.port, r.weight, r.upperThreshold])).toEqual([
      ['10.60.0.2', 80, 3, 10],
      ['10.60.0.3', 8080, 0, 0],
    ]);

    const del = await backend.apply([{ kind: 'deleteService', id }]);
    expect(del.results.map((r) => r.ok)).toEqual([true]);
  });
});
