// Which port a check probes: ldirectord's service <-> well-known port table and ld_checkport().
// The config (port names, URLs) and the probe plan both use it; it depends on nothing there.
import type { ServiceName } from './types.js';

const PORT_SERVICES: Record<number, ServiceName> = {
  21: 'ftp', 25: 'smtp', 53: 'dns', 80: 'http', 110: 'pop', 119: 'nntp', 143: 'imap', 389: 'ldap',
  443: 'https', 587: 'submission', 636: 'ldaps', 993: 'imaps', 995: 'pops', 1521: 'oracle',
  1812: 'radius', 3128: 'http_proxy', 3306: 'mysql', 5060: 'sip', 5432: 'pgsql',
};

/** ld_port_to_service() */
export function portToService(port: number): ServiceName {
  return PORT_SERVICES[port] ?? 'none';
}

/** ld_service_to_port() */
export function serviceToPort(service: ServiceName): number | undefined {
  for (const [port, name] of Object.entries(PORT_SERVICES)) if (name === service) return Number(port);
  return undefined;
}

/** ld_checkport(): checkport, else the real's port, else the service's well-known port. */
export function checkPortOf(v: { checkport?: number; service: ServiceName }, realPort: number): number | undefined {
  if (v.checkport !== undefined) return v.checkport;
  if (realPort > 0) return realPort;
  return serviceToPort(v.service);
}
