// Shared helpers for the daemon-core tests: configs from ldirectord.cf text (through the real
// parser, with a resolver that never touches the network), tables written by hand, and a tiny
// IPVS applier with the kernel/ipvsadm semantics the core relies on.
import { parseConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/model.js';
import { ServicesTable, parseServices, staticResolver } from '../../src/config/resolve.js';
import type { IpvsOp, Real, Service, ServiceId, ServiceSpec, Table } from '../../src/ipvs/types.js';

const services = new ServicesTable(parseServices(['http 80/tcp', 'https 443/tcp', 'domain 53/tcp', 'domain 53/udp'].join('\n')));
const resolver = staticResolver({}, services, 'director');
const probe = { appendError: () => null, isDirectory: () => true };

/** Parse ldirectord.cf text; lines may be indented in the template, a "|" marks column 0. */
export async function cfg(text: string): Promise<Config> {
  const body = text.split('\n').map((l) => l.replace(/^\s*\|/, '')).join('\n');
  return parseConfigText(body, 'test.cf', { resolver, probe });
}

export function tcp(address: string, port: number): ServiceId {
  return { kind: 'addr', protocol: 'tcp', address, port };
}
export function udp(address: string, port: number): ServiceId {
  return { kind: 'addr', protocol: 'udp', address, port };
}
export function fwm(mark: number, family: 'inet' | 'inet6' = 'inet'): ServiceId {
  return { kind: 'fwmark', fwmark: mark, family };
}

/** A service as `ipvsadm -L -n` would report it (wrr, no persistence unless given). */
export function svc(id: ServiceId, reals: Real[] = [], settings: Partial<Omit<Service, 'id' | 'reals'>> = {}): Service {
  return { id, scheduler: 'wrr', schedFlags: [], ops: false, ...settings, reals };
}

export function real(address: string, port: number, weight = 1, forwarding: Real['forwarding'] = 'Route', extra: Partial<Real> = {}): Real {
  return { address, port, forwarding, weight, upperThreshold: 0, lowerThreshold: 0, activeConns: 0, inactiveConns: 0, ...extra };
}

export function table(...services: Service[]): Table {
  return { services };
}

function sameId(a: ServiceId, b: ServiceId): boolean {
  if (a.kind === 'fwmark' || b.kind === 'fwmark') {
    return a.kind === 'fwmark' && b.kind === 'fwmark' && a.fwmark === b.fwmark && a.family === b.family;
  }
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port;
}

function settingsOf(spec: ServiceSpec): Omit<Service, 'id' | 'reals'> {
  // ipvsadm -A/-E: whatever is left out takes its default.
  return {
    scheduler: spec.scheduler, schedFlags: [...(spec.schedFlags ?? [])],
    persistent: spec.persistent, netmask: spec.persistent !== undefined ? spec.netmask : undefined,
    pe: spec.pe, ops: spec.ops ?? false,
  };
}

/**
 * Apply ops the way the kernel does (errors throw: a correct reconcile never causes one).
 * Gate and ipip destinations of an address:port service get the service's port (ipvsadm).
 */
export function applyOps(t: Table, ops: readonly IpvsOp[]): Table {
  const services: Service[] = t.services.map((s) => ({ ...s, reals: s.reals.map((r) => ({ ...r })) }));
  const find = (id: ServiceId): Service | undefined => services.find((s) => sameId(s.id, id));
  const need = (id: ServiceId): Service => {
    const s = find(id);
    if (!s) throw new Error('Service not defined');
    return s;
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'addService':
        if (find(op.service.id)) throw new Error('Service already exists');
        services.push({ id: op.service.id, ...settingsOf(op.service), reals: [] });
        break;
      case 'editService': {
        const s = need(op.service.id);
        Object.assign(s, settingsOf(op.service));
        break;
      }
      case 'deleteService': {
        const i = services.findIndex((s) => sameId(s.id, op.id));
        if (i < 0) throw new Error('No such service');
        services.splice(i, 1);
        break;
      }
      case 'addReal':
      case 'editReal': {
        const s = need(op.service);
        const port = s.id.kind === 'addr' && op.real.forwarding !== 'Masq' ? s.id.port : op.real.port;
        const i = s.reals.findIndex((r) => r.address === op.real.address && r.port === port);
        if (op.kind === 'addReal' && i >= 0) throw new Error('Destination already exists');
        if (op.kind === 'editReal' && i < 0) throw new Error('No such destination');
        const r: Real = {
          address: op.real.address, port, forwarding: op.real.forwarding, weight: op.real.weight,
          upperThreshold: op.real.upperThreshold ?? 0, lowerThreshold: op.real.lowerThreshold ?? 0,
          ...(op.real.tunnel ? { tunnel: op.real.tunnel } : {}),
          activeConns: 0, inactiveConns: 0,
        };
        if (i >= 0) s.reals[i] = r;
        else s.reals.push(r);
        break;
      }
      case 'deleteReal': {
        const s = need(op.service);
        const i = s.reals.findIndex((r) => r.address === op.address && r.port === op.port);
        if (i < 0) throw new Error('No such destination');
        s.reals.splice(i, 1);
        break;
      }
    }
  }
  return { services };
}

/** A canonical, order-free text of a table for equality checks (connection counters left out; ipip is the default tunnel). */
export function tableText(t: Table): string[] {
  return t.services.map((s) => {
    const id = s.id.kind === 'fwmark' ? `FWM ${s.id.fwmark} ${s.id.family}` : `${s.id.protocol} ${s.id.address}:${s.id.port}`;
    const head = `${id} ${s.scheduler} [${[...s.schedFlags].sort().join(',')}]`
      + `${s.persistent !== undefined ? ` p${s.persistent} m${s.netmask ?? '-'}` : ''}${s.pe ? ` pe ${s.pe}` : ''}${s.ops ? ' ops' : ''}`;
    const reals = s.reals.map((r) => `  ${r.address}:${r.port} ${r.forwarding}${(r.tunnel?.type ?? 'ipip') !== 'ipip' ? `/${r.tunnel!.type}` : ''} w${r.weight} u${r.upperThreshold} l${r.lowerThreshold}`).sort();
    return [head, ...reals].join('\n');
  }).sort();
}
