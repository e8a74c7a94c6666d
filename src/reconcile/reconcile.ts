// diff(desired, observed) → the minimal IpvsOps and the lines ldirectord logs for them. The
// lines are derived from the diff, so the log cannot claim a change the ops do not make.
// Only managed services (the config's, plus `retired` ones) are touched; any other service in
// the table is left alone, as ldirectord leaves it.
import type { DesiredReal, DesiredVirtual, KnownReal } from '../desired/build.js';
import { hostPort, realKey, serviceKey } from '../ipvs/keys.js';
import type { IpvsOp, Real, Service } from '../ipvs/types.js';
import { realDifferences, realMatches, serviceDifferences, serviceMatches } from './compare.js';
import * as msg from './messages.js';
import type {
  FallbackCommandRun, FallbackCommandStatus, ReconcileInput, ReconcileResult, TransitionEvent,
} from './types.js';

type Pending = { op: IpvsOp; events: Array<Omit<TransitionEvent, 'op'>> };

class OpList {
  readonly ops: IpvsOp[] = [];
  readonly events: TransitionEvent[] = [];
  push(p: Pending): void {
    const index = this.ops.push(p.op) - 1;
    for (const e of p.events) this.events.push({ ...e, op: index });
  }
}

function byRealKey(service: Service | undefined): Map<string, Real> {
  return new Map((service?.reals ?? []).map((r) => [realKey(r.address, r.port), r]));
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const out = new OpList();
  const observed = new Map(input.observed.services.map((s) => [serviceKey(s.id), s]));
  const lastSeen = input.lastSeen ? new Map(input.lastSeen.services.map((s) => [serviceKey(s.id), s])) : undefined;
  const untrackedTag = input.phase === 'round' ? 'repair' : 'start';

  for (const dv of input.desired.virtuals) {
    reconcileVirtual(out, dv, observed.get(dv.key), lastSeen, untrackedTag);
  }

  // ld_start(): services of the old config that the new one dropped.
  const managed = new Set(input.desired.virtuals.map((dv) => dv.key));
  for (const r of input.retired ?? []) {
    const key = serviceKey(r.id);
    if (managed.has(key) || !observed.has(key)) continue;
    managed.add(key);
    out.push({ op: { kind: 'deleteService', id: r.id },
      events: [{ kind: 'purgedVirtual', virtualId: r.virtualId, message: msg.purgedVirtual('start', r.name) }] });
  }

  const { commands, status } = fallbackCommands(input);
  return { ops: out.ops, events: out.events, commands, fallbackCommandStatus: status };
}

function reconcileVirtual(out: OpList, dv: DesiredVirtual, obs: Service | undefined,
  lastSeen: Map<string, Service> | undefined, untrackedTag: string): void {
  const last = lastSeen?.get(dv.key);
  const V = dv.name;
  const base = { virtualId: dv.virtualId };

  if (!obs) {
    const repaired = last !== undefined && serviceMatches(dv.service, last);
    out.push({ op: { kind: 'addService', service: dv.service },
      events: [{ ...base, kind: repaired ? 'repairedVirtual' : 'addedVirtual',
        message: repaired ? msg.repairedVirtual(V, 'missing') : msg.addedVirtual(V) }] });
  } else if (!serviceMatches(dv.service, obs)) {
    const repaired = last !== undefined && !serviceMatches(last, obs) && serviceMatches(dv.service, last);
    out.push({ op: { kind: 'editService', service: dv.service },
      events: [{ ...base, kind: repaired ? 'repairedVirtual' : 'changedVirtual',
        message: repaired ? msg.repairedVirtual(V, serviceDifferences(dv.service, obs)) : msg.changedVirtual(V) }] });
  }

  const obsReals = byRealKey(obs);
  // A write reconciles against the table the last write left, which is `last` itself.
  const lastReals = last === obs ? obsReals : byRealKey(last);
  // Serving entries first, then weight-0 ones, then deletions: a service whose last real goes
  // down gets its fallback before the real leaves, and never passes through "no destination".
  const serving: Pending[] = [];
  const quiescing: Pending[] = [];
  const removing: Pending[] = [];

  for (const dr of dv.reals) {
    const o = obsReals.get(dr.key);
    const l = lastReals.get(dr.key);
    const bucket = dr.state === 'quiescent' ? quiescing : serving;
    if (!o) {
      bucket.push({ op: { kind: 'addReal', service: dv.service.id, real: dr.spec }, events: [addedEvent(dv, dr, l)] });
    } else if (!realMatches(dr.spec, o)) {
      bucket.push({ op: { kind: 'editReal', service: dv.service.id, real: dr.spec }, events: [editedEvent(dv, dr, o, l)] });
    }
  }

  const wanted = new Set(dv.reals.map((dr) => dr.key));
  // Deletions in config order (ldirectord's check order), then untracked reals in table order.
  // The index of known reals only when something is deleted (most writes delete nothing).
  let knownAt: Map<string, { k: KnownReal; at: number }> | undefined;
  const deletions: Array<{ at: number; p: Pending }> = [];
  for (const [key, o] of obsReals) {
    if (wanted.has(key)) continue;
    if (!knownAt) {
      const index = new Map<string, { k: KnownReal; at: number }>();
      dv.known.forEach((k, at) => { if (!index.has(k.key)) index.set(k.key, { k, at }); });
      knownAt = index;
    }
    const known = knownAt.get(key);
    deletions.push({ at: known?.at ?? Infinity, p: { op: { kind: 'deleteReal', service: dv.service.id, address: o.address, port: o.port },
      events: [known ? deletedEvent(dv, known.k) : purgedEvent(dv, hostPort(o.address, o.port), untrackedTag)] } });
  }
  deletions.sort((x, y) => (x.at === y.at ? 0 : x.at < y.at ? -1 : 1));
  for (const d of deletions) removing.push(d.p);

  for (const p of [...serving, ...quiescing, ...removing]) out.push(p);
}

type EventBody = Omit<TransitionEvent, 'op'>;

function addedEvent(dv: DesiredVirtual, dr: DesiredReal, last: Real | undefined): EventBody {
  const base = { virtualId: dv.virtualId, role: dr.role };
  const w = dr.spec.weight;
  if (last !== undefined && realMatches(dr.spec, last)) {
    const message = msg.repairedReal(dr.role, dr.name, dv.name, w, 'missing');
    return { ...base, kind: 'repaired', message, alert: { subject: message, server: dr.name, inaccessible: false } };
  }
  if (dr.joining) {
    // ld_start's forced up and down leaves it at weight 0 with this line (tslvs skips the up).
    const message = msg.quiescentReal(dr.storedName, dr.name, dv.name);
    return { ...base, kind: 'quiescent', message, alert: { subject: message, server: dr.storedName, inaccessible: true } };
  }
  if (dr.state === 'quiescent') {
    return { ...base, kind: 'readdQuiescent', message: msg.readdQuiescentReal(dr.name, dv.name),
      alert: { subject: msg.readdQuiescentAlert(dr.name, dv.name), server: dr.name, inaccessible: true } };
  }
  const message = msg.addedReal(dr.role, dr.name, dv.name, w);
  return { ...base, kind: 'added', message, alert: { subject: message, server: dr.name, inaccessible: false } };
}

function editedEvent(dv: DesiredVirtual, dr: DesiredReal, obs: Real, last: Real | undefined): EventBody {
  const base = { virtualId: dv.virtualId, role: dr.role };
  const w = dr.spec.weight;
  if (last !== undefined && !realMatches(last, obs) && realMatches(dr.spec, last)) {
    const message = msg.repairedReal(dr.role, dr.name, dv.name, w, realDifferences(dr.spec, obs));
    return { ...base, kind: 'repaired', message, alert: { subject: message, server: dr.name, inaccessible: false } };
  }
  if (dr.state === 'quiescent') {
    const message = msg.quiescentReal(dr.storedName, dr.name, dv.name);
    return { ...base, kind: 'quiescent', message, alert: { subject: message, server: dr.storedName, inaccessible: true } };
  }
  const message = msg.restoredReal(dr.role, dr.name, dv.name, w);
  return { ...base, kind: 'restored', message, alert: { subject: message, server: dr.name, inaccessible: false } };
}

function deletedEvent(dv: DesiredVirtual, k: KnownReal): EventBody {
  const message = msg.deletedReal(k.role, k.storedName, k.name, dv.name);
  // _remove_service() starts the resend timer for reals, not for the fallback.
  return { virtualId: dv.virtualId, role: k.role, kind: 'deleted', message,
    alert: { subject: message, server: k.storedName, inaccessible: k.role === 'real' } };
}

function purgedEvent(dv: DesiredVirtual, r: string, tag: string): EventBody {
  const message = msg.purgedReal(tag, r, dv.name);
  return { virtualId: dv.virtualId, kind: 'purged', message, alert: { subject: message, server: r, inaccessible: false } };
}

/**
 * do_fallback_command(): "start" when no real of the virtual is up, "stop" when one is, run
 * once per change (the status is remembered even when no command is configured, as
 * ldirectord does); nothing while the virtual's fallback is undecided (start-up, reload).
 * Statuses of virtuals that left the config are forgotten.
 */
function fallbackCommands(input: ReconcileInput): { commands: FallbackCommandRun[]; status: Record<string, FallbackCommandStatus> } {
  const previous = input.fallbackCommandStatus ?? {};
  const status: Record<string, FallbackCommandStatus> = {};
  const commands: FallbackCommandRun[] = [];
  for (const dv of input.desired.virtuals) {
    if (dv.fallbackUndecided) {
      if (previous[dv.virtualId] !== undefined) status[dv.virtualId] = previous[dv.virtualId]!;
      continue;
    }
    const wanted: FallbackCommandStatus = dv.anyRealUp ? 'stop' : 'start';
    status[dv.virtualId] = wanted;
    if (previous[dv.virtualId] === wanted || !dv.fallbackCommand) continue;
    const { command, target, protocol } = dv.fallbackCommand;
    commands.push({ virtualId: dv.virtualId, status: wanted, command, args: [wanted, target, protocol],
      line: `${command} ${wanted} ${target} ${protocol}` });
  }
  return { commands, status };
}

/**
 * ld_stop() with cleanstop: for every virtual whose cleanstop is yes (its own, else the global),
 * "Purged real server (stop): R (V)" for each real that is up and in the table, then
 * "Purged virtual server (stop): V". One deleteService op does both (it takes the
 * destinations with it). Virtuals with cleanstop=no stay as they are.
 */
export function reconcileStop(input: Pick<ReconcileInput, 'desired' | 'observed' | 'fallbackCommandStatus'>): ReconcileResult {
  const out = new OpList();
  const observed = new Map(input.observed.services.map((s) => [serviceKey(s.id), s]));
  for (const dv of input.desired.virtuals) {
    const obs = observed.get(dv.key);
    if (!dv.cleanstop || !obs) continue;
    const present = byRealKey(obs);
    const events: EventBody[] = [];
    const logged = new Set<string>();
    for (const k of dv.known) {
      if (k.role !== 'real' || !k.up || !present.has(k.key) || logged.has(k.key)) continue;
      logged.add(k.key);
      const message = msg.purgedReal('stop', k.name, dv.name);
      events.push({ virtualId: dv.virtualId, role: 'real', kind: 'purged', message,
        alert: { subject: message, server: k.name, inaccessible: false } });
    }
    events.push({ virtualId: dv.virtualId, kind: 'purgedVirtual', message: msg.purgedVirtual('stop', dv.name) });
    out.push({ op: { kind: 'deleteService', id: dv.service.id }, events });
  }
  return { ops: out.ops, events: out.events, commands: [], fallbackCommandStatus: { ...(input.fallbackCommandStatus ?? {}) } };
}
