// Start joins (desired/build.ts): reals not in the table at start or reload hold back their
// virtual's fallback until their first result; with quiescent=yes one whose first check fails
// is put in at weight 0 (ld_start's table).
import { describe, expect, test } from '@jest/globals';
import { desiredState, desiredTable, openJoins, startJoins } from '../../src/desired/build.js';
import { initHealth } from '../../src/health/init.js';
import { recordOutcome } from '../../src/health/machine.js';
import { reconcile } from '../../src/reconcile/reconcile.js';
import { cfg, table, tableText } from '../reconcile/support.js';

const text = (global: string) => `${global}
|virtual=10.0.0.1:80
    real=10.0.0.2:80 masq 2
    real=10.0.0.3:80 masq 3
    fallback=10.0.0.9:80 masq
    fallbackcommand=/bin/fb
`;

describe('start joins', () => {
  test('no fallback and no fallbackcommand before the first results; decided after them', async () => {
    const c = await cfg(text(''));
    const observed = table();
    let h = initHealth(c, observed);
    const joins = startJoins(c, h, observed);
    expect(joins.size).toBe(2);
    const before = desiredState(c, h, observed, joins);
    expect(before.virtuals[0]!.fallbackUndecided).toBe(true);
    expect(tableText(desiredTable(before))).toEqual(['tcp 10.0.0.1:80 wrr []']);
    const r0 = reconcile({ desired: before, observed, phase: 'start' });
    expect(r0.commands).toEqual([]);
    // One result (down) is not enough while the other real still awaits its first.
    h = recordOutcome(h, c, c.virtuals[0]!.reals[0]!.checkKey, { kind: 'down', message: 'refused' }).health;
    expect(desiredState(c, h, observed, joins).virtuals[0]!.fallbackUndecided).toBe(true);
    h = recordOutcome(h, c, c.virtuals[0]!.reals[1]!.checkKey, { kind: 'down', message: 'refused' }).health;
    const after = desiredState(c, h, observed, joins);
    expect(after.virtuals[0]!.fallbackUndecided).toBeUndefined();
    expect(tableText(desiredTable(after))).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.9:80 Masq w1 u0 l0']);
    expect(reconcile({ desired: after, observed, phase: 'round' }).commands.map((x) => x.line)).toEqual(['/bin/fb start 10.0.0.1:80 tcp']);
  });

  test('quiescent=yes: a real whose first check fails joins at weight 0 with the Quiescent line; then the join is closed', async () => {
    const c = await cfg(text('quiescent=yes'));
    const observed = table();
    let h = initHealth(c, observed);
    const joins = startJoins(c, h, observed);
    h = recordOutcome(h, c, c.virtuals[0]!.reals[0]!.checkKey, { kind: 'up', message: '' }).health;
    h = recordOutcome(h, c, c.virtuals[0]!.reals[1]!.checkKey, { kind: 'down', message: 'refused' }).health;
    const d = desiredState(c, h, observed, joins);
    expect(tableText(desiredTable(d))).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Masq w2 u0 l0\n  10.0.0.3:80 Masq w0 u0 l0']);
    const r = reconcile({ desired: d, observed, phase: 'start' });
    expect(r.events.map((e) => e.message)).toEqual([
      'Added virtual server: 10.0.0.1:80',
      'Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 2)',
      'Quiescent real server: 10.0.0.3:80 (10.0.0.1:80) (Weight set to 0)',
    ]);
    // Once in the table, both joins are settled.
    expect(openJoins(c, h, desiredTable(d), joins).size).toBe(0);
    // Without the joins (readdquiescent=no, a real the table lost later) nothing is re-added.
    expect(tableText(desiredTable(desiredState(c, h, observed)))).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Masq w2 u0 l0']);
  });
});
