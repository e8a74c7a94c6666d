// --dry-run: the daemon runs on the simulated table, seeded once from the real one. The real
// table is read with the ipvsadm backend and never written; every later list and apply goes to
// the simulation, so the log shows what the daemon would do to this machine's table.
import { ipvsadmBackend } from '../ipvs/backend.js';
import { simBackend } from '../ipvs/sim/backend.js';
import type { SimBackend } from '../ipvs/sim/backend.js';
import type { IpvsBackend, IpvsOp, Table } from '../ipvs/types.js';

/** The ops that rebuild `table` on an empty one (what `ipvsadm -S` | `ipvsadm -R` would do). */
export function opsToRebuild(table: Table): IpvsOp[] {
  const ops: IpvsOp[] = [];
  for (const s of table.services) {
    const { id, reals, ...settings } = s;
    ops.push({ kind: 'addService', service: { id, ...settings } });
    for (const r of reals) {
      ops.push({
        kind: 'addReal', service: id,
        real: {
          address: r.address, port: r.port, weight: r.weight,
          // The kernel reports "Local" for a real on this host; it was asked as Route or Masq.
          forwarding: r.forwarding === 'Local' ? 'Route' : r.forwarding,
          upperThreshold: r.upperThreshold, lowerThreshold: r.lowerThreshold,
          ...(r.tunnel ? { tunnel: r.tunnel } : {}),
        },
      });
    }
  }
  return ops;
}

/** Reads the real table once; throws with the reason when it cannot be read or copied. */
export async function seededSimBackend(real: IpvsBackend = ipvsadmBackend()): Promise<SimBackend> {
  const listed = await real.list();
  if (!listed.ok) throw new Error(`--dry-run: can not read the IPVS table: ${listed.error}`);
  const sim = simBackend();
  const ops = opsToRebuild(listed.table);
  if (ops.length === 0) return sim;
  const applied = await sim.apply(ops);
  const failed = applied.results.find((r) => !r.ok);
  if (failed) throw new Error(`--dry-run: can not copy the IPVS table: ${failed.reason ?? applied.error ?? 'unknown'}`);
  return sim;
}
