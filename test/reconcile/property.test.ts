// Property: for any config, health and observed table, applying reconcile's ops to the
// observed table yields the desired table for the managed services (others untouched,
// retired ones gone), the desired state is stable under its own result, and a second
// reconcile has nothing left to do.
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { desiredState, desiredTable } from '../../src/desired/build.js';
import type { RetiredService } from '../../src/desired/build.js';
import type { ServiceId, Table } from '../../src/ipvs/types.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import type { Phase } from '../../src/reconcile/types.js';
import { FOREIGN, buildObserved, configArb, flagBits, healthFrom, observedService, render } from './arbitraries.js';
import { applyOps, cfg, tableText } from './support.js';

const keyOf = (id: ServiceId) => JSON.stringify(id);

test('applying reconcile\'s ops yields the desired table; a second reconcile has nothing to do', async () => {
  await fc.assert(fc.asyncProperty(
    configArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }), fc.array(observedService, { maxLength: 8 }),
    fc.constantFrom<Phase>('start', 'reload', 'round'), fc.constantFrom('none', 'observed', 'empty'), fc.boolean(),
    async (spec, bits, obsSpecs, phase, lastSeenKind, retireForeign) => {
      const c = await cfg(render(spec));
      const health = healthFrom(c, bits);
      const observed = buildObserved(c, obsSpecs);
      const desired = desiredState(c, health, observed);
      const retired: RetiredService[] = retireForeign ? [{ id: FOREIGN[0]!, name: '192.168.1.1:80', virtualId: 'tcp:192.168.1.1:80' }] : [];
      const lastSeen = lastSeenKind === 'observed' ? observed : lastSeenKind === 'empty' ? { services: [] } : undefined;

      const r = reconcile({ desired, observed, phase, lastSeen, retired });
      const after = applyOps(observed, r.ops);

      // every op is explained by at least one line, every line points at an op
      expect(r.events.every((e) => e.op >= 0 && e.op < r.ops.length)).toBe(true);
      expect(new Set(r.events.map((e) => e.op)).size).toBe(r.ops.length);

      const managed = new Set(desired.virtuals.map((v) => keyOf(v.service.id)));
      const retiredKeys = new Set(retired.map((x) => keyOf(x.id)));
      const pick = (t: Table, f: (k: string) => boolean): Table => ({ services: t.services.filter((s) => f(keyOf(s.id))) });
      expect(tableText(flagBits(pick(after, (k) => managed.has(k))))).toEqual(tableText(flagBits(desiredTable(desired))));
      expect(tableText(pick(after, (k) => !managed.has(k)))).toEqual(tableText(pick(observed, (k) => !managed.has(k) && !retiredKeys.has(k))));

      const again = desiredState(c, health, after);
      expect(again).toEqual(desired);
      const second = reconcile({ desired: again, observed: after, phase: 'round', lastSeen: after, fallbackCommandStatus: r.fallbackCommandStatus });
      expect(second.ops).toEqual([]);
      expect(second.events).toEqual([]);
      expect(second.commands).toEqual([]);
    },
  ), { numRuns: Number(process.env.TSLVS_PROPERTY_RUNS ?? 300) });
});
