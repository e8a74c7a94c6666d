// Kernel tier (a): the backend contract against the real ipvsadm on a real IPVS kernel,
// through scripts/kernel/kvm/ipvsadm-in-vm (a forwarder into the long-lived VM).
import { execa } from 'execa';
import { join } from 'node:path';
import { backendContract } from '../ipvs/contract.js';
import { ROOT } from '../ipvs/support.js';
import { ipvsadmBackend } from '../../src/ipvs/backend.js';

const FORWARDER = join(ROOT, 'scripts', 'kernel', 'kvm', 'ipvsadm-in-vm');

backendContract('ipvsadm backend -> real ipvsadm 1.31 / Linux 6.1 (VM)', () => ({
  backend: ipvsadmBackend({ ipvsadm: FORWARDER, timeoutMs: 60_000 }),
  reset: async () => {
    await execa(FORWARDER, ['-C']);
  },
  raw: async (args) => {
    const r = await execa(FORWARDER, args, { reject: false, stdin: 'ignore' });
    return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  },
}));
