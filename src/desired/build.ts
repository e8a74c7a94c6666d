// Config × health × observed table → the IPVS table tslvs wants, annotated with what each
// entry is (a real that is up, a quiescent real, the fallback) and how ldirectord names it, so
// that reconcile/ can word its log lines. Pure.
import type { Config, Fallback, GlobalConfig, VirtualService } from '../config/model.js';
import { virtualName } from '../config/ids.js';
import type { RealSpec, Service, ServiceId, ServiceSpec, Table } from '../ipvs/types.js';
import { isUpIn } from '../health/machine.js';
import type { HealthState } from '../health/types.js';
import {
  bracketed, canonicalIp, findReal, findService, forwardingOf, hostPort, normalNetmask, realKey, serviceIdOf, serviceKey, storedPort,
} from '../ipvs/keys.js';

export type DesiredRole = 'real' | 'fallback';

export interface DesiredReal {
  /** realKey() of the entry as IPVS stores it. */
  readonly key: string;
  readonly spec: RealSpec;
  readonly role: DesiredRole;
  /** up: a real whose check passed (or checktype=on); quiescent: a real that is down, kept at weight 0. */
  readonly state: 'up' | 'quiescent' | 'fallback';
  /** A quiescent real put in at weight 0 after its first failed check at start or reload (ld_start's table). */
  readonly joining?: boolean;
  /** "RIP:PORT" with the configured port, as ldirectord logs additions. */
  readonly name: string;
  /** "RIP:PORT" with the port IPVS stores (differs for gate/ipip reals on another port). */
  readonly storedName: string;
}

/** Every server the config names for a virtual, whether it is in the table or not. */
export interface KnownReal {
  readonly key: string;
  readonly role: DesiredRole;
  readonly name: string;
  readonly storedName: string;
  /** The real counts as up (ldirectord's virtual_status); false for the fallback. */
  readonly up: boolean;
}

export interface FallbackCommand {
  /** The configured command (the virtual's, else the global one). */
  readonly command: string;
  /** "VIP:VPORT" as ldirectord passes it (`$v->{server}:$v->{port}`; ":0" for fwmark virtuals). */
  readonly target: string;
  /** "tcp", "udp" or "fwm". */
  readonly protocol: string;
}

export interface DesiredVirtual {
  /** get_virtual_id_str(): "tcp:10.0.0.1:80", "fwm:5". */
  readonly virtualId: string;
  /** get_virtual(): "10.0.0.1:80", "[2001:db8::1]:80" or the mark; what log lines show. */
  readonly name: string;
  /** serviceKey() of the service. */
  readonly key: string;
  /** Every field of the service as ld_setup() builds ipvsadm's -A/-E flags. */
  readonly service: ServiceSpec;
  readonly reals: readonly DesiredReal[];
  readonly known: readonly KnownReal[];
  /** Some real is up (ldirectord's `$v->{real_status}` is defined): fallbackcommand "stop". */
  readonly anyRealUp: boolean;
  /**
   * No real is up yet and some still await their first check result (start-up, reload): the
   * fallback and fallbackcommand are not decided yet; the fallback stays as the table has it.
   */
  readonly fallbackUndecided?: boolean;
  readonly fallbackCommand?: FallbackCommand;
  readonly cleanstop: boolean;
}

export interface DesiredState {
  readonly virtuals: readonly DesiredVirtual[];
}

/** joinKey(): a real of a virtual, as `StartJoins` holds it. */
export type JoinKey = string;

export const joinKey = (virtualId: string, checkKey: string): JoinKey => `${virtualId}\u0000${checkKey}`;

/**
 * The reals that were not in the table when the daemon started or reloaded (joinKey()s):
 * until their first check result, they hold back their virtual's fallback decision; with
 * quiescent=yes, one whose first check fails is put in at weight 0, as ld_start leaves it.
 */
export type StartJoins = ReadonlySet<JoinKey>;

/**
 * fallback_find(): the virtual's own fallback, else the global one of its family and protocol;
 * a global fallback without a port takes the virtual's port (the "anonymous" fallback).
 * Firewall-mark virtuals get no global fallback: ldirectord looks up `$FALLBACK->{fwm}`, which
 * does not exist, and then tries to add a server with no address.
 */
export function fallbackFor(v: VirtualService, global: GlobalConfig): Fallback | undefined {
  if (v.fallback) return v.fallback;
  if (v.protocol === 'fwm') return undefined;
  const pair = v.family === 6 ? global.fallback6 : global.fallback;
  if (!pair) return undefined;
  const fb = pair[v.protocol];
  return fb.port !== 0 ? fb : { ...fb, port: v.port };
}

/** ld_setup()'s `-A`/`-E` flags as a ServiceSpec: -s, -p, -M (only with -p), -b, -o (udp only). */
export function serviceSpecOf(v: VirtualService): ServiceSpec {
  return {
    id: serviceIdOf(v),
    scheduler: v.scheduler,
    schedFlags: v.schedflags ? v.schedflags.split(',').filter((f) => f !== '') : [],
    persistent: v.persistent,
    netmask: v.persistent !== undefined ? normalNetmask(v.netmask) : undefined,
    pe: undefined,
    ops: v.protocol === 'udp' && v.ops,
  };
}

/**
 * The desired state of every configured virtual.
 * - A real is in the table at its weight (thresholds, forwarding) when it is up; tslvs adds it
 *   only once its check passed (or checktype=on) — ldirectord adds unchecked reals at start.
 * - A real that is down is left out, except with quiescent=yes: then it stays at weight 0 if
 *   the table has it, and is put back at weight 0 only with readdquiescent=yes (_remove_service).
 * - checktype=off: no real is ever up; the fallback stays.
 * - The fallback is in at weight 1 exactly when no real of the virtual is up - once decided:
 *   while no real is up and some real in `joins` awaits its first check result, the fallback
 *   stays as the table has it (ldirectord adds it at start and deletes it again a moment later).
 * - With quiescent=yes a real in `joins` whose first check failed is put in at weight 0: ld_start
 *   puts every configured real in and quiesces it, so a later recovery is "Restored".
 */
export function desiredState(config: Config, health: HealthState, observed: Table, joins?: StartJoins): DesiredState {
  return { virtuals: config.virtuals.map((v) => desiredVirtual(v, config.global, health, observed, joins)) };
}

/** The start joins of `config` against the table as listed at start or reload (checktype=off reals never check). */
export function startJoins(config: Config, health: HealthState, observed: Table | undefined): Set<JoinKey> {
  const out = new Set<JoinKey>();
  for (const v of config.virtuals) {
    if (v.checktype === 'off') continue;
    const service = observed ? findService(observed, serviceIdOf(v)) : undefined;
    for (const r of v.reals) {
      if (isUpIn(health, v, r.checkKey)) continue;
      const port = storedPort(serviceIdOf(v), forwardingOf(r.forward), r.port);
      if (findReal(service, r.address, port) === undefined) out.add(joinKey(v.id, r.checkKey));
    }
  }
  return out;
}

/**
 * The joins still open after `table` (the table as applied): a real leaves once it has a
 * result and is up, or is in the table, or its virtual is not quiescent.
 */
export function openJoins(config: Config, health: HealthState, table: Table, joins: StartJoins): Set<JoinKey> {
  const out = new Set<JoinKey>();
  if (joins.size === 0) return out;
  for (const v of config.virtuals) {
    const service = findService(table, serviceIdOf(v));
    for (const r of v.reals) {
      const key = joinKey(v.id, r.checkKey);
      if (!joins.has(key)) continue;
      const settled = health.reals[r.checkKey]?.last !== undefined
        && (!v.quiescent || isUpIn(health, v, r.checkKey)
          || findReal(service, r.address, storedPort(serviceIdOf(v), forwardingOf(r.forward), r.port)) !== undefined);
      if (!settled) out.add(key);
    }
  }
  return out;
}

/** What a configured real contributes to the desired state that only the config decides. */
interface RealStatic {
  readonly port: number;
  readonly key: string;
  readonly knownUp: KnownReal;
  readonly knownDown: KnownReal;
  readonly up: DesiredReal;
  readonly quiescent: DesiredReal;
  readonly joining: DesiredReal;
}

/**
 * Built once per virtual of a config, not per write: a daemon builds the desired state for
 * every write and audit, and at 10,000 reals the keys, names and specs of every real were most
 * of that work (docs/PERFORMANCE.md). Config objects are never changed once built.
 */
const staticOf = new WeakMap<VirtualService, { service: ServiceSpec; reals: RealStatic[] }>();

function virtualStatic(v: VirtualService): { service: ServiceSpec; reals: RealStatic[] } {
  let s = staticOf.get(v);
  if (s) return s;
  const service = serviceSpecOf(v);
  const reals = v.reals.map((r): RealStatic => {
    const port = storedPort(service.id, forwardingOf(r.forward), r.port);
    const key = realKey(r.address, port);
    const names = { name: hostPort(r.address, r.port), storedName: hostPort(r.address, port) };
    const spec = (weight: number): RealSpec => ({
      address: canonicalIp(r.address), port, forwarding: forwardingOf(r.forward), weight,
      upperThreshold: r.upperThreshold, lowerThreshold: r.lowerThreshold,
    });
    const down = spec(0);
    return {
      port, key,
      knownUp: { key, role: 'real', up: true, ...names },
      knownDown: { key, role: 'real', up: false, ...names },
      up: { key, spec: spec(r.weight), role: 'real', state: 'up', ...names },
      quiescent: { key, spec: down, role: 'real', state: 'quiescent', ...names },
      joining: { key, spec: down, role: 'real', state: 'quiescent', joining: true, ...names },
    };
  });
  staticOf.set(v, s = { service, reals });
  return s;
}

function desiredVirtual(v: VirtualService, global: GlobalConfig, health: HealthState, observed: Table, joins?: StartJoins): DesiredVirtual {
  const { service, reals: statics } = virtualStatic(v);
  const inTable = findService(observed, service.id);
  const entries = new Map<string, DesiredReal>();
  const known: KnownReal[] = [];
  let anyRealUp = false;
  let awaiting = false;

  v.reals.forEach((r, i) => {
    const st = statics[i]!;
    const key = st.key;
    const up = isUpIn(health, v, r.checkKey);
    known.push(up ? st.knownUp : st.knownDown);
    // Two configured reals can land on one IPVS entry (gate reals that differ only in port):
    // the first that is up wins, a quiescent one only fills a free slot. Re-inserting moves
    // the entry to the winner's place, so the order never depends on what the table held.
    if (up) {
      anyRealUp = true;
      if (entries.get(key)?.state !== 'up') {
        entries.delete(key);
        entries.set(key, st.up);
      }
    } else {
      const join = joins !== undefined && joins.size > 0 && joins.has(joinKey(v.id, r.checkKey));
      const checked = health.reals[r.checkKey]?.last !== undefined;
      if (join && !checked) awaiting = true;
      if (v.quiescent && !entries.has(key)) {
        if (findReal(inTable, r.address, st.port) !== undefined || global.readdquiescent) {
          entries.set(key, st.quiescent);
        } else if (join && checked) {
          entries.set(key, st.joining);
        }
      }
    }
  });
  const fallbackUndecided = !anyRealUp && awaiting;

  const fb = fallbackFor(v, global);
  if (fb) {
    const port = storedPort(service.id, forwardingOf(fb.forward), fb.port);
    const key = realKey(fb.address, port);
    const names = { name: hostPort(fb.address, fb.port), storedName: hostPort(fb.address, port) };
    known.push({ key, role: 'fallback', up: false, ...names });
    const keep = fallbackUndecided && findReal(inTable, fb.address, port) !== undefined;
    if (!anyRealUp && (!fallbackUndecided || keep)) {
      const spec: RealSpec = {
        address: canonicalIp(fb.address), port, forwarding: forwardingOf(fb.forward), weight: 1,
        upperThreshold: 0, lowerThreshold: 0,
      };
      entries.delete(key);
      entries.set(key, { key, spec, role: 'fallback', state: 'fallback', ...names });
    }
  }

  const command = v.fallbackcommand ?? global.fallbackcommand;
  return {
    virtualId: v.id,
    name: virtualName(v),
    key: serviceKey(service.id),
    service,
    reals: [...entries.values()],
    known,
    anyRealUp,
    ...(fallbackUndecided ? { fallbackUndecided } : {}),
    ...(command !== undefined ? {
      fallbackCommand: {
        command,
        target: `${v.address !== undefined ? bracketed(v.address) : ''}:${v.port}`,
        protocol: v.protocol,
      },
    } : {}),
    cleanstop: v.cleanstop,
  };
}

/** The desired state as a plain IPVS table (what `ipvsadm -L -n` should show for these virtuals). */
export function desiredTable(desired: DesiredState): Table {
  return {
    services: desired.virtuals.map((dv): Service => ({
      id: dv.service.id,
      scheduler: dv.service.scheduler,
      schedFlags: [...(dv.service.schedFlags ?? [])],
      persistent: dv.service.persistent,
      netmask: dv.service.netmask,
      pe: dv.service.pe,
      ops: dv.service.ops ?? false,
      reals: dv.reals.map((r) => ({
        address: r.spec.address, port: r.spec.port, forwarding: r.spec.forwarding, weight: r.spec.weight,
        upperThreshold: r.spec.upperThreshold ?? 0, lowerThreshold: r.spec.lowerThreshold ?? 0,
        ...(r.spec.tunnel ? { tunnel: r.spec.tunnel } : {}),
        activeConns: 0, inactiveConns: 0,
      })),
    })),
  };
}

export interface RetiredService {
  readonly id: ServiceId;
  /** get_virtual() of the old virtual, for "Purged virtual server (start): V". */
  readonly name: string;
  readonly virtualId: string;
}

/** Virtual services of the previous config that the new one no longer has (reread_config + ld_start). */
export function retiredServices(previous: Config, next: Config): RetiredService[] {
  const keep = new Set(next.virtuals.map((v) => serviceKey(serviceIdOf(v))));
  return previous.virtuals
    .filter((v) => !keep.has(serviceKey(serviceIdOf(v))))
    .map((v) => ({ id: serviceIdOf(v), name: virtualName(v), virtualId: v.id }));
}
