// Start-up adoption (ld_start) and carrying health over a reload (tslvs keeps what
// reread_config() forgets).
import { describe, expect, test } from '@jest/globals';
import { EMPTY_HEALTH } from '../../src/health/types.js';
import { initHealth } from '../../src/health/init.js';
import { recordOutcome } from '../../src/health/machine.js';
import { cfg, real, svc, table, tcp } from '../reconcile/support.js';

describe('start-up adoption', () => {
  test('a real already in its virtual at weight > 0 counts as up; weight 0 or missing counts as down', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    real=10.0.0.3:80 gate
    real=10.0.0.4:80 gate
    real=10.0.0.5:8080 gate
    real=10.0.0.6:8080 masq
`);
    const observed = table(svc(tcp('10.0.0.1', 80), [
      real('10.0.0.2', 80, 5), real('10.0.0.3', 80, 0),
      // gate reals are stored at the virtual's port; masq keeps its own
      real('10.0.0.5', 80, 1), real('10.0.0.6', 8080, 1, 'Masq'),
    ]));
    const h = initHealth(c, observed);
    const ups = c.virtuals[0]!.reals.map((r) => h.reals[r.checkKey]!.upIn['tcp:10.0.0.1:80']);
    expect(ups).toEqual([true, false, false, true, true]);
    for (const r of c.virtuals[0]!.reals) expect(h.reals[r.checkKey]).toMatchObject({ failcount: 0, numConnects: -1 });
  });

  test('a real live in another virtual only is not adopted into this one', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.5:80 gate
|virtual=10.0.0.9:80
    real=10.0.0.5:80 gate
`);
    const h = initHealth(c, table(svc(tcp('10.0.0.1', 80), [real('10.0.0.5', 80)])));
    expect(h.reals[c.virtuals[0]!.reals[0]!.checkKey]!.upIn).toEqual({ 'tcp:10.0.0.1:80': true, 'tcp:10.0.0.9:80': false });
  });

  test('checktype=on is up without a check; combined starts with a negotiate check', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    checktype=on
|virtual=10.0.0.1:81
    real=10.0.0.2:81 gate
    checktype=3
`);
    const h = initHealth(c, table());
    expect(h.reals[c.virtuals[0]!.reals[0]!.checkKey]!.upIn).toEqual({ 'tcp:10.0.0.1:80': true });
    expect(h.reals[c.virtuals[1]!.reals[0]!.checkKey]).toMatchObject({ numConnects: 999999, upIn: { 'tcp:10.0.0.1:81': false } });
  });

  test('without a table nothing is adopted', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate`);
    expect(initHealth(c).reals[c.virtuals[0]!.reals[0]!.checkKey]!.upIn).toEqual({ 'tcp:10.0.0.1:80': false });
  });
});

describe('reload keeps health by check identity', () => {
  const before = `
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    real=10.0.0.3:80 gate
    real=10.0.0.4:80 gate 2
    failurecount=3
`;

  test('counters and verdicts of unchanged reals survive; dropped ones go; changed ones are adopted anew', async () => {
    const c1 = await cfg(before);
    const [r2, r3, r4] = c1.virtuals[0]!.reals.map((r) => r.checkKey) as [string, string, string];
    let h = initHealth(c1, table());
    for (const k of [r2, r3, r4]) h = recordOutcome(h, c1, k, { kind: 'up', message: '' }).health;
    h = recordOutcome(h, c1, r2, { kind: 'down', message: '' }).health; // soft failure 1/3

    const c2 = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    real=10.0.0.4:80 gate 7
    failurecount=3
|virtual=10.0.0.9:80
    real=10.0.0.2:80 gate
    failurecount=3
`);
    // weight is part of ldirectord's real id: 10.0.0.4 is a new identity, adopted from the table.
    const observed = table(svc(tcp('10.0.0.1', 80), [real('10.0.0.2', 80), real('10.0.0.4', 80, 2)]));
    const next = initHealth(c2, observed, h);
    expect(Object.keys(next.reals).sort()).toEqual([r2, c2.virtuals[0]!.reals[1]!.checkKey].sort());
    expect(next.reals[r2]).toMatchObject({ failcount: 1, upIn: { 'tcp:10.0.0.1:80': true, 'tcp:10.0.0.9:80': true } });
    expect(next.reals[c2.virtuals[0]!.reals[1]!.checkKey]).toMatchObject({ failcount: 0, upIn: { 'tcp:10.0.0.1:80': true } });

    // The kept soft failure counts on: the next failure is 2/3 and 3/3 is down, not 1/3 again.
    const r = recordOutcome(next, c2, r2, { kind: 'down', message: '' });
    expect(r.events.map((e) => e.message)).toEqual(['Soft failure real server: 10.0.0.2:80 (tcp:10.0.0.1:80) failure 2/3']);
    expect(r.verdicts).toEqual([
      { virtualId: 'tcp:10.0.0.1:80', up: true, changed: false },
      { virtualId: 'tcp:10.0.0.9:80', up: false, changed: true },
    ]);
  });

  test('a down real stays down across a reload even if someone put it in the table', async () => {
    const c = await cfg(before);
    const k = c.virtuals[0]!.reals[0]!.checkKey;
    const h = recordOutcome(EMPTY_HEALTH, c, k, { kind: 'down', message: '' }).health;
    const next = initHealth(c, table(svc(tcp('10.0.0.1', 80), [real('10.0.0.2', 80, 1)])), h);
    expect(next.reals[k]!.upIn).toEqual({ 'tcp:10.0.0.1:80': false });
  });
});
