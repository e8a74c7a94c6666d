// The one vocabulary for table identity: how a service and a real are keyed, which port IPVS
// stores a destination under, netmasks and scheduler flags as the kernel keeps them, and how
// an address is written next to a port. desired/, reconcile/, health/ and the backends all
// name table entries through this file, so two parts of tslvs cannot disagree on whether two
// entries are the same one. Pure; imports nothing above src/ipvs/.
import { canonicalAddress, inetAton, ntop4 } from './addr.js';
import type { Forwarding, Protocol, Real, Service, ServiceId, Table } from './types.js';

// ---------------------------------------------------------------------------------------
// Addresses

/** inet_ntop form of a numeric address; text that is no address is kept (lower-cased). */
export function canonicalIp(address: string): string {
  return canonicalAddress(address)?.addr ?? address.toLowerCase();
}

/** "10.0.0.1" or "[2001:db8::1]": an address as ipvsadm and ldirectord write it before ":port". */
export function bracketed(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** "10.0.0.1:80" or "[2001:db8::1]:80" (the port may be a service name). */
export function hostPort(address: string, port: number | string): string {
  return `${bracketed(address)}:${port}`;
}

// ---------------------------------------------------------------------------------------
// Keys

/** "tcp 10.1.1.1:80", "udp [2001:db8::1]:53", "fwm 5", "fwm6 5": equal exactly when IPVS holds one service. */
export function serviceKey(id: ServiceId): string {
  if (id.kind === 'fwmark') return `${id.family === 'inet6' ? 'fwm6' : 'fwm'} ${id.fwmark >>> 0}`;
  return `${id.protocol} ${hostPort(canonicalIp(id.address), id.port)}`;
}

/** A destination's identity inside one service: "10.1.1.2:80", "[2001:db8::2]:80". */
export function realKey(address: string, port: number): string {
  return hostPort(canonicalIp(address), port);
}

/** A destination's identity in the whole table: "<serviceKey> -> <realKey>". */
export function serviceRealKey(service: ServiceId, address: string, port: number): string {
  return `${serviceKey(service)} -> ${realKey(address, port)}`;
}

/**
 * The port IPVS stores a destination under: ipvsadm forces gate (-g) and ipip (-i)
 * destinations of an address:port service to the service's port; masq keeps its own.
 */
export function storedPort(service: ServiceId, forwarding: Forwarding, port: number): number {
  return service.kind === 'addr' && forwarding !== 'Masq' ? service.port : port;
}

// ---------------------------------------------------------------------------------------
// Configured entries (structural types: config/model's VirtualService and Forward fit them)

export interface VirtualIdentity {
  protocol: Protocol | 'fwm';
  family: 4 | 6;
  address?: string;
  port: number;
  fwmark?: number;
}

/** The table identity of a configured virtual service. */
export function serviceIdOf(v: VirtualIdentity): ServiceId {
  if (v.protocol === 'fwm') return { kind: 'fwmark', fwmark: v.fwmark ?? 0, family: v.family === 6 ? 'inet6' : 'inet' };
  return { kind: 'addr', protocol: v.protocol, address: canonicalIp(v.address ?? ''), port: v.port };
}

const FORWARDING = { gate: 'Route', masq: 'Masq', ipip: 'Tunnel' } as const;

/** ldirectord's forwarding word (gate, masq, ipip) as IPVS names it. */
export function forwardingOf(forward: keyof typeof FORWARDING): (typeof FORWARDING)[keyof typeof FORWARDING] {
  return FORWARDING[forward];
}

// ---------------------------------------------------------------------------------------
// Lookups. They go through maps built once per listed table: a linear scan per real made
// start-up and reload quadratic in the reals of a virtual (profiled at 10,000 reals).

const servicesOf = new WeakMap<Table, Map<string, Service>>();
const realsOf = new WeakMap<Service, Map<string, Real>>();

export function findService(table: Table, id: ServiceId): Service | undefined {
  let index = servicesOf.get(table);
  if (!index) {
    index = new Map();
    for (const s of table.services) {
      const k = serviceKey(s.id);
      if (!index.has(k)) index.set(k, s);
    }
    servicesOf.set(table, index);
  }
  return index.get(serviceKey(id));
}

export function findReal(service: Service | undefined, address: string, port: number): Real | undefined {
  if (!service) return undefined;
  let index = realsOf.get(service);
  if (!index) {
    index = new Map();
    for (const r of service.reals) {
      const k = realKey(r.address, r.port);
      if (!index.has(k)) index.set(k, r);
    }
    realsOf.set(service, index);
  }
  return index.get(realKey(address, port));
}

// ---------------------------------------------------------------------------------------
// Service settings as the kernel keeps them

/** `-M` as the kernel keeps it: dotted for IPv4, prefix for IPv6; undefined = /32 or /128. */
export function normalNetmask(mask: string | undefined): string | undefined {
  if (mask === undefined || mask === '') return undefined;
  if (/^\d+$/.test(mask)) return Number(mask) === 128 ? undefined : String(Number(mask));
  const n = inetAton(mask);
  if (n === null) return mask;
  return n === 0xffffffff ? undefined : ntop4(n);
}

/**
 * The bit a scheduler-flag name sets (IP_VS_SVC_F_SCHED1/2/3 = 1, 2, 4) and, for the sh/mh
 * aliases, the one scheduler that accepts it (ipvsadm 1.31 parse_sched_flags).
 */
export function schedFlagBit(name: string): { bit: number; scheduler?: 'sh' | 'mh' } | undefined {
  switch (name) {
    case 'flag-1': return { bit: 1 };
    case 'flag-2': return { bit: 2 };
    case 'flag-3': return { bit: 4 };
    case 'sh-fallback': return { bit: 1, scheduler: 'sh' };
    case 'sh-port': return { bit: 2, scheduler: 'sh' };
    case 'mh-fallback': return { bit: 1, scheduler: 'mh' };
    case 'mh-port': return { bit: 2, scheduler: 'mh' };
    default: return undefined;
  }
}

/** The flag bits ipvsadm would send for these names, or why it refuses them. */
export function schedFlagBits(scheduler: string, names: readonly string[]): number | string {
  let bits = 0;
  for (const f of names) {
    const b = schedFlagBit(f);
    if (!b || (b.scheduler !== undefined && b.scheduler !== scheduler)) {
      return `scheduler flag ${JSON.stringify(f)} is not valid with scheduler ${scheduler}`;
    }
    bits |= b.bit;
  }
  return bits;
}

/** The names ipvsadm lists for the bits: sh and mh name their own two and never show flag-3. */
export function schedFlagNames(scheduler: string, bits: number): string[] {
  const out: string[] = [];
  const special = scheduler === 'sh' || scheduler === 'mh';
  if (bits & 1) out.push(special ? `${scheduler}-fallback` : 'flag-1');
  if (bits & 2) out.push(special ? `${scheduler}-port` : 'flag-2');
  if (bits & 4 && !special) out.push('flag-3');
  return out;
}

/**
 * Scheduler flags as a comparable text: ipvsadm accepts several names for one bit and lists
 * them by the scheduler's own names (sh-port = flag-2); sh and mh never show flag-3.
 * Unknown names are kept so that they never compare equal (the kernel would refuse them).
 */
export function normalSchedFlags(scheduler: string, flags: readonly string[]): string {
  let bits = 0;
  const unknown: string[] = [];
  for (const f of flags) {
    if (f === '') continue;
    const b = schedFlagBit(f);
    if (b === undefined) unknown.push(f);
    else bits |= b.bit;
  }
  if (scheduler === 'sh' || scheduler === 'mh') bits &= 3;
  return [String(bits), ...unknown.sort()].join(',');
}
