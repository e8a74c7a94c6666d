// Identity strings and address helpers with ldirectord's exact semantics. The ids matter:
// they are what ldirectord logs, how it detects duplicate virtuals, and how it shares one
// probe between virtuals (get_real_id_str / get_virtual_id_str).
import net from 'node:net';
import { createHash } from 'node:crypto';
import type { ServiceName } from '../checks/types.js';
import { quotemeta } from './perl.js';

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

export function isIPv6Literal(text: string): boolean {
  return net.isIPv6(text);
}

/** "10.0.0.1" or "[2001:db8::1]": how ldirectord stores and prints a server address. */
export function printable(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

interface VirtualLike { protocol: string; family: 4 | 6; address?: string; port: number; fwmark?: number }

/** get_virtual(): the fwmark, or "ADDR:PORT". */
export function virtualName(v: VirtualLike): string {
  return v.protocol === 'fwm' ? String(v.fwmark) : `${printable(v.address ?? '')}:${v.port}`;
}

/** get_virtual_id_str() */
export function virtualIdOf(v: VirtualLike): string {
  if (v.protocol === 'fwm') return `fwm${v.family === 6 ? '6' : ''}:${v.fwmark}`;
  return `${v.protocol}:${virtualName(v)}`;
}

export interface RealIdParts {
  checktype: string;
  service: string;
  checkcommand: string;
  protocol: string;
  address: string;
  port: number;
  virtualhost?: string;
  checkport?: number;
  weight: number;
  forward: string;
  request: string;
  receive: string;
}

/** get_real_id_str() */
export function realIdOf(p: RealIdParts, quote: (text: string) => string = quotemeta): string {
  let check: string;
  if (p.checktype === 'negotiate' || p.checktype === 'combined') check = `${p.checktype}:${p.service}`;
  else if (p.checktype === 'external' || p.checktype === 'external-perl') check = `${p.checktype}:${p.checkcommand}`;
  else check = p.checktype;
  return [check, p.protocol, printable(p.address), p.port, p.virtualhost ?? '', p.checkport ?? '',
    p.weight, p.forward, quote(p.request), quote(p.receive)].join(':');
}

/**
 * tslvs's probe key: ldirectord's id plus what ldirectord forgets (credentials, database,
 * http method), hashed so that the key itself reveals no secret.
 */
export function checkKeyOf(ldirectordId: string, extra: CheckKeyExtra): string {
  return checkKeyMaker(extra)(ldirectordId);
}

type CheckKeyExtra = { login: string; passwd: string; secret: string; database: string; httpmethod: string };

/** checkKeyOf() for the many reals of one virtual: the credentials are hashed once. */
export function checkKeyMaker(extra: CheckKeyExtra): (ldirectordId: string) => string {
  const h = createHash('sha256');
  for (const part of [extra.login, extra.passwd, extra.secret, extra.database, extra.httpmethod]) {
    h.update(part, 'latin1').update('\0');
  }
  const tag = h.digest('hex').slice(0, 16);
  return (ldirectordId) => `${ldirectordId}#${tag}`;
}

/** ip_to_int(): -1 unless a dotted quad with octets 0..255. */
export function ipToInt(ip: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return -1;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return -1;
  return ((octets[0]! * 256 + octets[1]!) * 256 + octets[2]!) * 256 + octets[3]!;
}

export function intToIp(n: number): string {
  return [Math.floor(n / 16777216) % 256, Math.floor(n / 65536) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}
