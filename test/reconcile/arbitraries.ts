// Random configs, health and observed tables for the property tests. The pools are small on
// purpose so that reals are shared, gate ports collide and tables overlap the config.
import fc from 'fast-check';
import type { Config } from '../../src/config/model.js';
import { desiredState } from '../../src/desired/build.js';
import type { HealthState, RealHealth } from '../../src/health/types.js';
import type { Real, Service, ServiceId, Table } from '../../src/ipvs/types.js';
import { fwm, real, svc, tcp, udp } from './support.js';

export type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;
type VKind = { kind: 'v4'; vip: string; port: number; proto: 'tcp' | 'udp' } | { kind: 'fwm'; mark: number } | { kind: 'v6'; port: number };

const REAL4 = ['10.1.0.1', '10.1.0.2', '10.1.0.3'];
const REAL6 = ['2001:db8::a', '2001:db8::b'];
const PORTS = [80, 8080];

const virtualKind: fc.Arbitrary<VKind> = fc.oneof(
  fc.record({ kind: fc.constant('v4' as const), vip: fc.constantFrom('10.0.0.1', '10.0.0.2'), port: fc.constantFrom(...PORTS), proto: fc.constantFrom('tcp' as const, 'udp' as const) }),
  fc.record({ kind: fc.constant('fwm' as const), mark: fc.constantFrom(5, 6) }),
  fc.record({ kind: fc.constant('v6' as const), port: fc.constantFrom(...PORTS) }),
);

const realLine = fc.record({ a: fc.nat(2), port: fc.constantFrom(...PORTS), forward: fc.constantFrom('gate', 'masq', 'ipip'), weight: fc.nat(3), thresholds: fc.boolean() });

const virtualArb = fc.record({
  kind: virtualKind,
  reals: fc.uniqueArray(realLine, { maxLength: 4, selector: (r) => `${r.a}:${r.port}` }),
  checktype: fc.constantFrom('negotiate', 'on', 'off', 'connect', '2'),
  quiescent: fc.constantFrom(undefined, 'yes', 'no'),
  fallback: fc.option(fc.record({ a: fc.constantFrom('127.0.0.1', '10.1.0.1'), port: fc.constantFrom('', ':80', ':81'), forward: fc.constantFrom('gate', 'masq') }), { nil: undefined }),
  scheduler: fc.constantFrom('wrr', 'rr', 'sh'),
  schedflags: fc.constantFrom(undefined, 'flag-1', 'sh-port'),
  persistent: fc.option(fc.constantFrom(30, 300), { nil: undefined }),
  netmask: fc.constantFrom(undefined, '255.255.255.0', '255.255.255.255'),
  ops: fc.boolean(),
});

const idOf = (k: VKind): string => (k.kind === 'v4' ? `${k.proto}:${k.vip}:${k.port}` : k.kind === 'fwm' ? `fwm:${k.mark}` : `v6:${k.port}`);

export const configArb = fc.record({
  readdquiescent: fc.boolean(),
  quiescent: fc.boolean(),
  globalFallback: fc.boolean(),
  virtuals: fc.uniqueArray(virtualArb, { minLength: 1, maxLength: 4, selector: (v) => idOf(v.kind) }),
});

export function render(c: Of<typeof configArb>): string {
  const out = [`readdquiescent=${c.readdquiescent ? 'yes' : 'no'}`, `quiescent=${c.quiescent ? 'yes' : 'no'}`];
  if (c.globalFallback) out.push('fallback=127.0.0.2 gate');
  for (const v of c.virtuals) {
    const v6 = v.kind.kind === 'v6';
    out.push(v.kind.kind === 'v4' ? `virtual=${v.kind.vip}:${v.kind.port}` : v.kind.kind === 'fwm' ? `virtual=${v.kind.mark}` : `virtual6=[2001:db8::1]:${v.kind.port}`);
    for (const r of v.reals) {
      const addr = v6 ? `[${REAL6[r.a % 2]}]` : REAL4[r.a];
      out.push(`    real${v6 ? '6' : ''}=${addr}:${r.port} ${r.forward} ${r.weight}${r.thresholds ? ' l:2 u:9' : ''}`);
    }
    if (v.kind.kind === 'v4' && v.kind.proto === 'udp') out.push('    protocol=udp');
    out.push(`    checktype=${v.checktype}`, `    scheduler=${v.scheduler}`);
    if (v.quiescent) out.push(`    quiescent=${v.quiescent}`);
    if (v.fallback && !v6) out.push(`    fallback=${v.fallback.a}${v.fallback.port} ${v.fallback.forward}`);
    if (v.schedflags) out.push(`    schedflags=${v.schedflags}`);
    if (v.persistent !== undefined) out.push(`    persistent=${v.persistent}`);
    if (v.netmask && !v6) out.push(`    netmask=${v.netmask}`);
    if (v.ops) out.push('    ops=yes');
  }
  return out.join('\n') + '\n';
}

/** Health from a list of booleans, one per (virtual, real) in config order. */
export function healthFrom(c: Config, bits: boolean[]): HealthState {
  const reals: Record<string, RealHealth> = {};
  let i = 0;
  for (const v of c.virtuals) {
    for (const r of v.reals) {
      const prev = reals[r.checkKey] ?? { checkKey: r.checkKey, failcount: 0, numConnects: -1, upIn: {} };
      reals[r.checkKey] = { ...prev, upIn: { ...prev.upIn, [v.id]: bits[i++ % bits.length] ?? false } };
    }
  }
  return { reals };
}

const observedReal = fc.record({
  address: fc.constantFrom(...REAL4, ...REAL6, '127.0.0.1', '10.9.9.9'),
  port: fc.constantFrom(0, 80, 81, 8080),
  forwarding: fc.constantFrom('Route' as const, 'Masq' as const, 'Tunnel' as const),
  weight: fc.nat(3),
  upper: fc.constantFrom(0, 9),
});

export const observedService = fc.record({
  pick: fc.nat(10),
  present: fc.boolean(),
  scheduler: fc.constantFrom('wrr', 'rr', 'sh', 'wlc'),
  schedFlags: fc.constantFrom([] as string[], ['flag-1'], ['flag-2'], ['sh-port']),
  persistent: fc.option(fc.constantFrom(30, 300), { nil: undefined }),
  netmask: fc.constantFrom(undefined, '255.255.255.0'),
  pe: fc.constantFrom(undefined, 'sip'),
  ops: fc.boolean(),
  reals: fc.uniqueArray(observedReal, { maxLength: 4, selector: (r) => `${r.address}|${r.port}` }),
});

export const FOREIGN: ServiceId[] = [tcp('192.168.1.1', 80), fwm(99), udp('10.0.0.1', 9999)];

export function buildObserved(c: Config, specs: Array<Of<typeof observedService>>): Table {
  const candidates: ServiceId[] = [...desiredState(c, { reals: {} }, { services: [] }).virtuals.map((v) => v.service.id), ...FOREIGN];
  const services = new Map<string, Service>();
  for (const s of specs) {
    if (!s.present) continue;
    const id = candidates[s.pick % candidates.length]!;
    const key = JSON.stringify(id);
    if (services.has(key)) continue;
    const reals: Real[] = s.reals.map((r) => real(r.address, r.port, r.weight, r.forwarding, { upperThreshold: r.upper }));
    services.set(key, svc(id, reals, { scheduler: s.scheduler, schedFlags: s.schedFlags, persistent: s.persistent,
      netmask: s.persistent !== undefined ? s.netmask : undefined, pe: s.pe, ops: s.ops }));
  }
  return { services: [...services.values()] };
}

/** Scheduler flags by bit, so that alias names compare equal (what the kernel keeps). */
export function flagBits(t: Table): Table {
  const bit: Record<string, string> = { 'flag-1': 'b1', 'sh-fallback': 'b1', 'flag-2': 'b2', 'sh-port': 'b2', 'flag-3': 'b3' };
  return { services: t.services.map((s) => ({ ...s, schedFlags: s.schedFlags.map((f) => bit[f] ?? f),
    netmask: s.netmask === '255.255.255.255' ? undefined : s.netmask })) };
}

