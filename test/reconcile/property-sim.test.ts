// The property of property.test.ts against the IPVS simulator instead of the tiny applier:
// the table is seeded through ipvsadm's own rules (what the kernel refuses is simply absent),
// listed back through -S/-L, reconciled, applied, and listed again.
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { desiredState, desiredTable } from '../../src/desired/build.js';
import { simBackend } from '../../src/ipvs/sim/backend.js';
import type { IpvsBackend, IpvsOp, Table } from '../../src/ipvs/types.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import type { Phase } from '../../src/reconcile/types.js';
import { buildObserved, configArb, flagBits, healthFrom, observedService, render } from './arbitraries.js';
import { cfg, tableText } from './support.js';

// sh-port is a scheduler flag ipvsadm accepts only with sh: such a config can never converge.
const kernelValidConfig = configArb.map((c) => ({
  ...c,
  virtuals: c.virtuals.map((v) => (v.schedflags === 'sh-port' && v.scheduler !== 'sh' ? { ...v, schedflags: undefined } : v)),
}));

async function list(b: IpvsBackend): Promise<Table> {
  const r = await b.list();
  if (!r.ok) throw new Error(r.error);
  return r.table;
}

test('with the simulator: the ops apply, the listed table is the desired one, nothing is left to do', async () => {
  await fc.assert(fc.asyncProperty(
    kernelValidConfig, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), fc.array(observedService, { maxLength: 6 }),
    fc.constantFrom<Phase>('start', 'round'),
    async (spec, bits, obsSpecs, phase) => {
      const c = await cfg(render(spec));
      const health = healthFrom(c, bits);
      const backend = simBackend();
      const seed: IpvsOp[] = buildObserved(c, obsSpecs).services.flatMap((s): IpvsOp[] => [
        { kind: 'addService', service: { id: s.id, scheduler: s.scheduler, schedFlags: s.schedFlags, persistent: s.persistent, netmask: s.netmask, pe: s.pe, ops: s.ops } },
        ...s.reals.map((r): IpvsOp => ({ kind: 'addReal', service: s.id, real: { address: r.address, port: r.port, forwarding: r.forwarding === 'Local' ? 'Route' : r.forwarding, weight: r.weight, upperThreshold: r.upperThreshold, lowerThreshold: r.lowerThreshold } })),
      ]);
      await backend.apply(seed);
      const observed = await list(backend);

      const desired = desiredState(c, health, observed);
      const r = reconcile({ desired, observed, phase });
      const applied = await backend.apply(r.ops);
      expect(applied.results.filter((x) => !x.ok)).toEqual([]);

      const now = await list(backend);
      const managed = new Set(desired.virtuals.map((v) => JSON.stringify(v.service.id)));
      const mine = { services: now.services.filter((s) => managed.has(JSON.stringify(s.id))) };
      expect(tableText(flagBits(mine))).toEqual(tableText(flagBits(desiredTable(desired))));
      const again = reconcile({ desired: desiredState(c, health, now), observed: now, phase: 'round', lastSeen: now });
      expect(again.ops).toEqual([]);
    },
  ), { numRuns: Number(process.env.TSLVS_PROPERTY_RUNS ?? 100) });
});
