// The per-check-identity state machine: ldirectord's service_set() → _service_up() /
// _service_down() and the counters _check_real() keeps, without the IPVS side effects (those
// are derived later from the desired table). Pure: the same inputs give the same outputs.
import type { Config, RealServer, VirtualService } from '../config/model.js';
import { hostPort } from '../ipvs/keys.js';
import type { CheckType } from '../checks/types.js';
import { FORCE_NEGOTIATE } from './types.js';
import type { HealthEvent, HealthState, Outcome, RealHealth, Verdict } from './types.js';

/** The virtuals that share a check identity, in config order, each with its real (the @REAL entry). */
export function sharingVirtuals(config: Config, checkKey: string): Array<{ virtual: VirtualService; real: RealServer }> {
  const out: Array<{ virtual: VirtualService; real: RealServer }> = [];
  for (const virtual of config.virtuals) {
    const real = virtual.reals.find((r) => r.checkKey === checkKey);
    if (real) out.push({ virtual, real });
  }
  return out;
}

/** "RIP:PORT" as ldirectord logs `$r->{server}:$r->{port}`. */
export function realName(r: Pick<RealServer, 'address' | 'port'>): string {
  return hostPort(r.address, r.port);
}

/** Initial counters for a real of this virtual (ld_setup: 999999 for combined, else -1). */
export function freshHealth(checkKey: string, v: Pick<VirtualService, 'checktype'>): RealHealth {
  return { checkKey, failcount: 0, numConnects: v.checktype === 'combined' ? FORCE_NEGOTIATE : -1, upIn: {} };
}

export type ProbeChoice =
  /** Run the check of this type (combined resolved to its connect or negotiate step). */
  | { kind: 'probe'; checktype: Exclude<CheckType, 'on' | 'off' | 'combined'> }
  /** checktype=on: no probe; record an 'up' outcome every round (ldirectord calls service_set up). */
  | { kind: 'assumeUp' }
  /** checktype=off: nothing is checked and nothing recorded. */
  | { kind: 'skip' };

/** _check_real(): which probe a check identity needs, given the virtual that probes it. */
export function probeChoice(v: Pick<VirtualService, 'checktype' | 'combinedConnects'>, state: RealHealth | undefined): ProbeChoice {
  switch (v.checktype) {
    case 'on': return { kind: 'assumeUp' };
    case 'off': return { kind: 'skip' };
    case 'combined': {
      const numConnects = state?.numConnects ?? FORCE_NEGOTIATE;
      return { kind: 'probe', checktype: numConnects >= (v.combinedConnects ?? 0) ? 'negotiate' : 'connect' };
    }
    default: return { kind: 'probe', checktype: v.checktype };
  }
}

export interface ProbeTask {
  readonly checkKey: string;
  /** The first virtual (config order) with this real: ldirectord probes with its settings. */
  readonly virtual: VirtualService;
  readonly real: RealServer;
  readonly choice: ProbeChoice;
}

/**
 * One task per check identity (_ld_main_check_all's "Already checked" rule). The caller tests
 * maintenancedir first (it wins over every checktype, as in _check_real) and records
 * { kind: 'maintenance' } instead of probing.
 */
export function probeTasks(config: Config, health: HealthState): ProbeTask[] {
  const seen = new Set<string>();
  const tasks: ProbeTask[] = [];
  for (const virtual of config.virtuals) {
    for (const real of virtual.reals) {
      if (seen.has(real.checkKey)) continue;
      seen.add(real.checkKey);
      tasks.push({ checkKey: real.checkKey, virtual, real, choice: probeChoice(virtual, health.reals[real.checkKey]) });
    }
  }
  return tasks;
}

export interface RecordResult {
  readonly health: HealthState;
  readonly events: HealthEvent[];
  readonly verdicts: Verdict[];
}

/**
 * Apply one outcome to a check identity, for every virtual that shares it (service_set's loop
 * over @VIRTUAL). Faithful to ldirectord:
 * - up (_service_up): "Resetting soft failure count" when the shared counter is above 0 — so
 *   only the first virtual logs it, because it zeroes the counter for the others;
 * - down (_service_down): virtuals that do not have the real up are skipped; for the others
 *   the shared counter goes up by one each, and a virtual whose failurecount is not yet
 *   reached logs "Soft failure … failure n/m" and keeps the real up;
 * - maintenance (service_set down with force): every sharing virtual bumps the counter and
 *   marks the real down, without soft-failure lines.
 */
export function recordOutcome(health: HealthState, config: Config, checkKey: string, outcome: Outcome): RecordResult {
  const step = applyOutcome(health.reals[checkKey], sharingVirtuals(config, checkKey), checkKey, outcome);
  if (!step) return { health, events: [], verdicts: [] };
  return { health: { reals: { ...health.reals, [checkKey]: step.next } }, events: step.events, verdicts: step.verdicts };
}

/** Each check identity's sharing virtuals, built once per config (sharingVirtuals for all keys). */
export function sharingIndex(config: Config): Map<string, Array<{ virtual: VirtualService; real: RealServer }>> {
  const index = new Map<string, Array<{ virtual: VirtualService; real: RealServer }>>();
  for (const virtual of config.virtuals) {
    const seen = new Set<string>();
    for (const real of virtual.reals) {
      // sharingVirtuals takes a virtual's first real with the key.
      if (seen.has(real.checkKey)) continue;
      seen.add(real.checkKey);
      let list = index.get(real.checkKey);
      if (!list) index.set(real.checkKey, list = []);
      list.push({ virtual, real });
    }
  }
  return index;
}

/**
 * recordOutcome for a whole round, in the order given: the same events and verdicts as calling
 * it once per outcome, without copying the state per outcome (a round can have 10,000).
 */
export function recordOutcomes(
  health: HealthState, index: ReadonlyMap<string, ReadonlyArray<{ virtual: VirtualService; real: RealServer }>>,
  outcomes: ReadonlyArray<{ checkKey: string; outcome: Outcome }>,
): { health: HealthState; results: Array<Omit<RecordResult, 'health'>> } {
  const reals: Record<string, RealHealth> = { ...health.reals };
  const results = outcomes.map(({ checkKey, outcome }) => {
    const step = applyOutcome(reals[checkKey], index.get(checkKey) ?? [], checkKey, outcome);
    if (!step) return { events: [], verdicts: [] };
    reals[checkKey] = step.next;
    return { events: step.events, verdicts: step.verdicts };
  });
  return { health: { reals }, results };
}

/**
 * One outcome written into `reals`, which the caller owns (a daemon records outcomes one by one
 * as probes finish: copying 10,000 records per outcome would make each interval quadratic).
 * The same events and verdicts as recordOutcome.
 */
export function recordInto(
  reals: Record<string, RealHealth>, index: ReadonlyMap<string, ReadonlyArray<{ virtual: VirtualService; real: RealServer }>>,
  checkKey: string, outcome: Outcome,
): Omit<RecordResult, 'health'> {
  const step = applyOutcome(reals[checkKey], index.get(checkKey) ?? [], checkKey, outcome);
  if (!step) return { events: [], verdicts: [] };
  reals[checkKey] = step.next;
  return { events: step.events, verdicts: step.verdicts };
}

function applyOutcome(
  previous: RealHealth | undefined, sharing: ReadonlyArray<{ virtual: VirtualService; real: RealServer }>,
  checkKey: string, outcome: Outcome,
): { next: RealHealth; events: HealthEvent[]; verdicts: Verdict[] } | undefined {
  if (sharing.length === 0) return undefined;
  const first = sharing[0]!;
  const prev = previous ?? freshHealth(checkKey, first.virtual);
  const name = realName(first.real);
  const upIn: Record<string, boolean> = { ...prev.upIn };
  const events: HealthEvent[] = [];
  let failcount = prev.failcount;

  for (const { virtual } of sharing) {
    const up = upIn[virtual.id] ?? false;
    if (outcome.kind === 'maintenance') {
      failcount++;
      upIn[virtual.id] = false;
    } else if (outcome.kind === 'up') {
      if (failcount > 0) {
        events.push({ kind: 'resetSoftFailure', virtualId: virtual.id, checkKey, real: name,
          message: `Resetting soft failure count: ${name} (${virtual.id})` });
      }
      failcount = 0;
      upIn[virtual.id] = true;
    } else {
      if (!up) {
        upIn[virtual.id] = false;
        continue;
      }
      failcount++;
      if (failcount < virtual.failurecount) {
        events.push({ kind: 'softFailure', virtualId: virtual.id, checkKey, real: name,
          message: `Soft failure real server: ${name} (${virtual.id}) failure ${failcount}/${virtual.failurecount}` });
        continue;
      }
      upIn[virtual.id] = false;
    }
  }

  const numConnects = nextNumConnects(first.virtual, prev, outcome);
  const last = { kind: outcome.kind, message: outcome.message ?? 'Server in maintenance' };
  const next: RealHealth = { checkKey, failcount, numConnects, upIn, last };
  const verdicts = sharing.map(({ virtual }) => ({
    virtualId: virtual.id,
    up: upIn[virtual.id] ?? false,
    changed: (upIn[virtual.id] ?? false) !== (prev.upIn[virtual.id] ?? false),
  }));
  return { next, events, verdicts };
}

/** _check_real()'s counter for checktype=N; other checktypes keep -1. */
function nextNumConnects(v: VirtualService, prev: RealHealth, outcome: Outcome): number {
  if (v.checktype !== 'combined' || outcome.kind === 'maintenance') return prev.numConnects;
  const choice = probeChoice(v, prev);
  const probe = outcome.probe ?? (choice.kind === 'probe' && choice.checktype === 'connect' ? 'connect' : 'negotiate');
  if (probe === 'negotiate') return outcome.kind === 'up' ? 0 : prev.numConnects;
  return outcome.kind === 'up' ? prev.numConnects + 1 : FORCE_NEGOTIATE;
}

/** Is the real of this check identity up in this virtual? (checktype=on counts as up until told otherwise.) */
export function isUpIn(health: HealthState, v: Pick<VirtualService, 'id' | 'checktype'>, checkKey: string): boolean {
  if (v.checktype === 'off') return false;
  return health.reals[checkKey]?.upIn[v.id] ?? v.checktype === 'on';
}
