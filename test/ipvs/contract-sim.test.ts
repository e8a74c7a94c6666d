import { backendContract } from './contract.js';
import { runIpvsadm } from '../../src/ipvs/sim/ipvsadm.js';
import { simBackend } from '../../src/ipvs/sim/backend.js';

// The in-process sim: same emulation, no processes.
backendContract('sim backend', () => {
  const backend = simBackend();
  const table = backend.runner.table;
  return {
    backend,
    reset: async () => {
      table.flush();
    },
    raw: async (args) => runIpvsadm(table, args),
  };
});
