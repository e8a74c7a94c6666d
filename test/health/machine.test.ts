// The health state machine against ldirectord's service_set() / _service_up() / _service_down()
// and _check_real()'s counters. Message texts are the ld_log() strings of those subs.
import { describe, expect, test } from '@jest/globals';
import type { Config } from '../../src/config/model.js';
import { EMPTY_HEALTH, FORCE_NEGOTIATE } from '../../src/health/types.js';
import { probeChoice, probeTasks, recordOutcome } from '../../src/health/machine.js';
import type { HealthState, Outcome } from '../../src/health/types.js';
import { cfg } from '../reconcile/support.js';

const UP: Outcome = { kind: 'up', message: 'ok' };
const DOWN: Outcome = { kind: 'down', message: 'refused' };
const MAINT: Outcome = { kind: 'maintenance' };

/** Feed outcomes one by one; return every step's messages and the final state. */
function run(config: Config, key: string, outcomes: Outcome[], start: HealthState = EMPTY_HEALTH) {
  let health = start;
  const steps: Array<{ messages: string[]; up: Record<string, boolean> }> = [];
  for (const o of outcomes) {
    const r = recordOutcome(health, config, key, o);
    health = r.health;
    steps.push({ messages: r.events.map((e) => e.message), up: Object.fromEntries(r.verdicts.map((v) => [v.virtualId, v.up])) });
  }
  return { health, steps };
}

const keyOf = (c: Config, v = 0, r = 0) => c.virtuals[v]!.reals[r]!.checkKey;

describe('single virtual', () => {
  test('a real that was never up stays down on failures and logs nothing', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    failurecount=3`);
    const { health, steps } = run(c, keyOf(c), [DOWN, DOWN]);
    expect(steps.map((s) => s.messages)).toEqual([[], []]);
    expect(health.reals[keyOf(c)]).toMatchObject({ failcount: 0, upIn: { 'tcp:10.0.0.1:80': false } });
  });

  test('failurecount=3: two soft failures, the third takes it down, recovery resets (_service_down/_service_up)', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    failurecount=3`);
    const { health, steps } = run(c, keyOf(c), [UP, DOWN, DOWN, DOWN, DOWN, UP]);
    expect(steps.map((s) => s.messages)).toEqual([
      [],
      ['Soft failure real server: 10.0.0.2:80 (tcp:10.0.0.1:80) failure 1/3'],
      ['Soft failure real server: 10.0.0.2:80 (tcp:10.0.0.1:80) failure 2/3'],
      [],
      [], // already down: _service_down returns before counting
      ['Resetting soft failure count: 10.0.0.2:80 (tcp:10.0.0.1:80)'],
    ]);
    expect(steps.map((s) => s.up['tcp:10.0.0.1:80'])).toEqual([true, true, true, false, false, true]);
    expect(health.reals[keyOf(c)]!.failcount).toBe(0);
  });

  test('a pass between soft failures resets the count and the real stays up', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    failurecount=2`);
    const { steps } = run(c, keyOf(c), [UP, DOWN, UP, DOWN, UP]);
    expect(steps.map((s) => s.messages)).toEqual([
      [],
      ['Soft failure real server: 10.0.0.2:80 (tcp:10.0.0.1:80) failure 1/2'],
      ['Resetting soft failure count: 10.0.0.2:80 (tcp:10.0.0.1:80)'],
      ['Soft failure real server: 10.0.0.2:80 (tcp:10.0.0.1:80) failure 1/2'],
      ['Resetting soft failure count: 10.0.0.2:80 (tcp:10.0.0.1:80)'],
    ]);
    expect(steps.every((s) => s.up['tcp:10.0.0.1:80'])).toBe(true);
  });

  test('failurecount=1 (default): down at once, and the recovery still logs a reset (failcount is 1)', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate`);
    const { steps } = run(c, keyOf(c), [UP, DOWN, UP]);
    expect(steps.map((s) => s.messages)).toEqual([[], [], ['Resetting soft failure count: 10.0.0.2:80 (tcp:10.0.0.1:80)']]);
    expect(steps.map((s) => s.up['tcp:10.0.0.1:80'])).toEqual([true, false, true]);
  });

  test('maintenance forces the real down without soft failures, counting every round', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    failurecount=5`);
    const { health, steps } = run(c, keyOf(c), [UP, MAINT, MAINT]);
    expect(steps.map((s) => s.messages)).toEqual([[], [], []]);
    expect(steps.map((s) => s.up['tcp:10.0.0.1:80'])).toEqual([true, false, false]);
    expect(health.reals[keyOf(c)]).toMatchObject({ failcount: 2, last: { kind: 'maintenance', message: 'Server in maintenance' } });
    const back = recordOutcome(health, c, keyOf(c), UP);
    expect(back.events.map((e) => e.message)).toEqual(['Resetting soft failure count: 10.0.0.2:80 (tcp:10.0.0.1:80)']);
    expect(back.verdicts).toEqual([{ virtualId: 'tcp:10.0.0.1:80', up: true, changed: true }]);
  });

  test('IPv6 and fwmark virtuals print [v6]:PORT and the fwm id', async () => {
    const c = await cfg(`
|virtual6=[2001:db8::1]:80
    real6=[2001:db8::2]:80 gate
    failurecount=2
|virtual=7
    real=10.0.0.9:0 gate
    failurecount=2
`);
    const v6 = run(c, keyOf(c, 0), [UP, DOWN]);
    expect(v6.steps[1]!.messages).toEqual(['Soft failure real server: [2001:db8::2]:80 (tcp:[2001:db8::1]:80) failure 1/2']);
    const fw = run(c, keyOf(c, 1), [UP, DOWN, UP]);
    expect(fw.steps.map((s) => s.messages)).toEqual([[], ['Soft failure real server: 10.0.0.9:0 (fwm:7) failure 1/2'],
      ['Resetting soft failure count: 10.0.0.9:0 (fwm:7)']]);
  });

  test('an outcome for a check identity the config no longer has changes nothing', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate`);
    const r = recordOutcome(EMPTY_HEALTH, c, 'gone', UP);
    expect(r).toEqual({ health: EMPTY_HEALTH, events: [], verdicts: [] });
  });
});

describe('a real shared by two virtuals (one probe, one counter, lines per virtual)', () => {
  const text = (f1: number, f2: number) => `
|virtual=10.0.0.1:80
    real=10.0.0.5:80 gate
    failurecount=${f1}
|virtual=10.0.0.9:80
    real=10.0.0.5:80 gate
    failurecount=${f2}
`;

  test('both virtuals change on one result', async () => {
    const c = await cfg(text(1, 1));
    expect(keyOf(c, 0)).toBe(keyOf(c, 1));
    const { steps } = run(c, keyOf(c), [UP, DOWN]);
    expect(steps[0]!.up).toEqual({ 'tcp:10.0.0.1:80': true, 'tcp:10.0.0.9:80': true });
    expect(steps[1]!.up).toEqual({ 'tcp:10.0.0.1:80': false, 'tcp:10.0.0.9:80': false });
  });

  test('service_set bumps the one counter once per virtual: 1/3 then 2/3, then both go down', async () => {
    const c = await cfg(text(3, 3));
    const { steps, health } = run(c, keyOf(c), [UP, DOWN, DOWN, UP]);
    expect(steps.map((s) => s.messages)).toEqual([
      [],
      ['Soft failure real server: 10.0.0.5:80 (tcp:10.0.0.1:80) failure 1/3',
        'Soft failure real server: 10.0.0.5:80 (tcp:10.0.0.9:80) failure 2/3'],
      [],
      // _service_up zeroes the shared counter for the first virtual, so only it logs.
      ['Resetting soft failure count: 10.0.0.5:80 (tcp:10.0.0.1:80)'],
    ]);
    expect(steps[2]!.up).toEqual({ 'tcp:10.0.0.1:80': false, 'tcp:10.0.0.9:80': false });
    expect(health.reals[keyOf(c)]!.failcount).toBe(0);
  });

  test('each virtual compares against its own failurecount', async () => {
    const c = await cfg(text(1, 3));
    const { steps } = run(c, keyOf(c), [UP, DOWN]);
    expect(steps[1]!.messages).toEqual(['Soft failure real server: 10.0.0.5:80 (tcp:10.0.0.9:80) failure 2/3']);
    expect(steps[1]!.up).toEqual({ 'tcp:10.0.0.1:80': false, 'tcp:10.0.0.9:80': true });
  });
});

describe('combined checktype=N (_check_real num_connects)', () => {
  test('negotiate first, then N connects, then negotiate; a failed connect forces negotiate', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    checktype=2\n    failurecount=9`);
    const v = c.virtuals[0]!;
    const key = keyOf(c);
    let health = EMPTY_HEALTH;
    const seen: string[] = [];
    const script: Array<'up' | 'down'> = ['up', 'up', 'up', 'down', 'up', 'down', 'up', 'up'];
    for (const result of script) {
      const choice = probeChoice(v, health.reals[key]);
      if (choice.kind !== 'probe') throw new Error('expected a probe');
      seen.push(`${choice.checktype}:${result}`);
      health = recordOutcome(health, c, key, { kind: result, message: '', probe: choice.checktype === 'connect' ? 'connect' : 'negotiate' }).health;
    }
    expect(seen).toEqual([
      'negotiate:up', 'connect:up', 'connect:up', 'negotiate:down', 'negotiate:up', 'connect:down', 'negotiate:up', 'connect:up',
    ]);
    expect(health.reals[key]!.numConnects).toBe(1);
  });

  test('without an explicit probe the step is taken from the state; maintenance keeps the counter', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    checktype=1`);
    const key = keyOf(c);
    let h = recordOutcome(EMPTY_HEALTH, c, key, UP).health; // negotiate passes
    expect(h.reals[key]!.numConnects).toBe(0);
    h = recordOutcome(h, c, key, MAINT).health;
    expect(h.reals[key]!.numConnects).toBe(0);
    h = recordOutcome(h, c, key, DOWN).health; // connect fails
    expect(h.reals[key]!.numConnects).toBe(FORCE_NEGOTIATE);
  });

  test('other checktypes keep -1', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    checktype=connect`);
    expect(recordOutcome(EMPTY_HEALTH, c, keyOf(c), UP).health.reals[keyOf(c)]!.numConnects).toBe(-1);
  });
});

describe('probe planning', () => {
  test('one task per check identity, probed with the first virtual that has it; on/off need no probe', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.5:80 gate
    real=10.0.0.6:80 gate
|virtual=10.0.0.9:80
    real=10.0.0.5:80 gate
    real=10.0.0.7:80 gate
|virtual=10.0.0.10:80
    real=10.0.0.5:80 gate
    checktype=on
|virtual=10.0.0.11:80
    real=10.0.0.5:80 gate
    checktype=off
|virtual=10.0.0.12:80
    real=10.0.0.5:80 gate
    checktype=ping
`);
    const tasks = probeTasks(c, EMPTY_HEALTH);
    expect(tasks.map((t) => [t.virtual.id, `${t.real.address}:${t.real.port}`, JSON.stringify(t.choice)])).toEqual([
      ['tcp:10.0.0.1:80', '10.0.0.5:80', '{"kind":"probe","checktype":"negotiate"}'],
      ['tcp:10.0.0.1:80', '10.0.0.6:80', '{"kind":"probe","checktype":"negotiate"}'],
      ['tcp:10.0.0.9:80', '10.0.0.7:80', '{"kind":"probe","checktype":"negotiate"}'],
      ['tcp:10.0.0.10:80', '10.0.0.5:80', '{"kind":"assumeUp"}'],
      ['tcp:10.0.0.11:80', '10.0.0.5:80', '{"kind":"skip"}'],
      ['tcp:10.0.0.12:80', '10.0.0.5:80', '{"kind":"probe","checktype":"ping"}'],
    ]);
  });
});
