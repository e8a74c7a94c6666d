// How a configured virtual or real is named inside the IPVS table, and how table entries are
// compared. The kernel (via ipvsadm) stores addresses in inet_ntop form and forces the port of
// gate/ipip destinations on address:port services to the service's port, so the config's text
// is normalised before it is compared with what `ipvsadm -L -n` shows.
import type { RealServer, VirtualService } from '../config/model.js';
import { canonicalAddress, inetAton, ntop4 } from '../ipvs/addr.js';
import type { Real, Service, ServiceId, Table } from '../ipvs/types.js';

/** inet_ntop form of a numeric address; text that is no address is kept (lower-cased). */
export function canonicalIp(address: string): string {
  return canonicalAddress(address)?.addr ?? address.toLowerCase();
}

/** The table identity of a configured virtual service. */
export function serviceIdOf(v: VirtualService): ServiceId {
  if (v.protocol === 'fwm') return { kind: 'fwmark', fwmark: v.fwmark ?? 0, family: v.family === 6 ? 'inet6' : 'inet' };
  return { kind: 'addr', protocol: v.protocol, address: canonicalIp(v.address ?? ''), port: v.port };
}

/** A string that is equal for two ServiceIds exactly when IPVS treats them as one service. */
export function serviceKey(id: ServiceId): string {
  return id.kind === 'fwmark' ? `fwm|${id.family}|${id.fwmark}` : `${id.protocol}|${canonicalIp(id.address)}|${id.port}`;
}

/** A destination's identity inside one service. */
export function realKey(address: string, port: number): string {
  return `${canonicalIp(address)}|${port}`;
}

/**
 * The port IPVS stores a destination under: ipvsadm forces gate (-g) and ipip (-i)
 * destinations of an address:port service to the service's port; masq keeps its own.
 */
export function storedPort(v: Pick<VirtualService, 'protocol' | 'port'>, forward: RealServer['forward'], port: number): number {
  return v.protocol !== 'fwm' && forward !== 'masq' ? v.port : port;
}

// Lookups go through maps built once per listed table: a linear scan per real made start-up
// and reload quadratic in the reals of a virtual (profiled at 10,000 reals).
const servicesOf = new WeakMap<Table, Map<string, Service>>();
const realsOf = new WeakMap<Service, Map<string, Real>>();

export function findService(table: Table, id: ServiceId): Service | undefined {
  let index = servicesOf.get(table);
  if (!index) {
    index = new Map();
    for (const s of table.services) { const k = serviceKey(s.id); if (!index.has(k)) index.set(k, s); }
    servicesOf.set(table, index);
  }
  return index.get(serviceKey(id));
}

export function findReal(service: Service | undefined, address: string, port: number): Real | undefined {
  if (!service) return undefined;
  let index = realsOf.get(service);
  if (!index) {
    index = new Map();
    for (const r of service.reals) { const k = realKey(r.address, r.port); if (!index.has(k)) index.set(k, r); }
    realsOf.set(service, index);
  }
  return index.get(realKey(address, port));
}

/** `-M` as the kernel keeps it: dotted for IPv4, prefix for IPv6; undefined = /32 or /128. */
export function normalNetmask(mask: string | undefined): string | undefined {
  if (mask === undefined || mask === '') return undefined;
  if (/^\d+$/.test(mask)) return Number(mask) === 128 ? undefined : String(Number(mask));
  const n = inetAton(mask);
  if (n === null) return mask;
  return n === 0xffffffff ? undefined : ntop4(n);
}

const FLAG_BITS: Record<string, number> = {
  'flag-1': 1, 'sh-fallback': 1, 'mh-fallback': 1,
  'flag-2': 2, 'sh-port': 2, 'mh-port': 2,
  'flag-3': 4,
};

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
    const bit = FLAG_BITS[f];
    if (bit === undefined) unknown.push(f);
    else bits |= bit;
  }
  if (scheduler === 'sh' || scheduler === 'mh') bits &= 3;
  return [String(bits), ...unknown.sort()].join(',');
}
