// When a table entry already is what tslvs wants. Comparisons follow what the kernel keeps:
// scheduler-flag aliases, default netmasks and the "Local" forwarding verdict (the kernel's
// answer for a real whose address is on the director, whatever was asked) compare equal.
import type { Real, RealSpec, Service, ServiceSettings, ServiceSpec } from '../ipvs/types.js';
import { normalNetmask, normalSchedFlags } from '../ipvs/keys.js';

interface RealLike {
  forwarding: Real['forwarding'];
  weight: number;
  upperThreshold?: number;
  lowerThreshold?: number;
  tunnel?: RealSpec['tunnel'];
}

function tunnelType(r: RealLike): string {
  return r.forwarding === 'Tunnel' ? (r.tunnel?.type ?? 'ipip') : '';
}

function serviceFields(s: Partial<ServiceSettings> & { scheduler: string }): Record<string, string> {
  return {
    scheduler: s.scheduler,
    'sched-flags': normalSchedFlags(s.scheduler, s.schedFlags ?? []),
    persistent: s.persistent === undefined ? 'none' : String(s.persistent),
    mask: s.persistent === undefined ? '' : (normalNetmask(s.netmask) ?? 'default'),
    pe: s.pe ?? '',
    ops: s.ops ? 'yes' : 'no',
  };
}

function shownService(s: Partial<ServiceSettings> & { scheduler: string }, field: string): string {
  switch (field) {
    case 'sched-flags': return (s.schedFlags ?? []).join(',') || 'none';
    case 'mask': return s.netmask ?? 'default';
    case 'pe': return s.pe ?? 'none';
    default: return serviceFields(s)[field]!;
  }
}

/** The fields of `observed` that differ from `wanted`, as "scheduler rr, persistent none". */
export function serviceDifferences(wanted: ServiceSpec | Service, observed: Service): string[] {
  const a = serviceFields(wanted);
  const b = serviceFields(observed);
  return Object.keys(a).filter((k) => a[k] !== b[k]).map((k) => `${k} ${shownService(observed, k)}`);
}

export function serviceMatches(wanted: ServiceSpec | Service, observed: Service): boolean {
  return serviceDifferences(wanted, observed).length === 0;
}

/** The fields of `observed` that differ from `wanted` ("weight 5, forwarding Masq"). */
export function realDifferences(wanted: RealLike, observed: RealLike): string[] {
  const out: string[] = [];
  if (observed.forwarding !== 'Local' && (observed.forwarding !== wanted.forwarding || tunnelType(observed) !== tunnelType(wanted))) {
    const tunnel = tunnelType(observed);
    out.push(`forwarding ${observed.forwarding}${tunnel && tunnel !== 'ipip' ? ` ${tunnel}` : ''}`);
  }
  if (observed.weight !== wanted.weight) out.push(`weight ${observed.weight}`);
  if ((observed.upperThreshold ?? 0) !== (wanted.upperThreshold ?? 0)) out.push(`u-threshold ${observed.upperThreshold ?? 0}`);
  if ((observed.lowerThreshold ?? 0) !== (wanted.lowerThreshold ?? 0)) out.push(`l-threshold ${observed.lowerThreshold ?? 0}`);
  return out;
}

/** realDifferences(…).length === 0 without building the list (a write compares every real). */
export function realMatches(wanted: RealLike, observed: RealLike): boolean {
  if (observed.forwarding !== 'Local'
    && (observed.forwarding !== wanted.forwarding || tunnelType(observed) !== tunnelType(wanted))) return false;
  return observed.weight === wanted.weight && (observed.upperThreshold ?? 0) === (wanted.upperThreshold ?? 0)
    && (observed.lowerThreshold ?? 0) === (wanted.lowerThreshold ?? 0);
}
