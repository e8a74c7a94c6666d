// Identity strings and address helpers with ldirectord's exact semantics. The ids matter:
// they are what ldirectord logs, how it detects duplicate virtuals, and how it shares one
// probe between virtuals (get_real_id_str / get_virtual_id_str).
import net from 'node:net';
import { createHash } from 'node:crypto';
import { bracketed, hostPort } from '../ipvs/keys.js';
import { quotemeta } from './perl.js';

export { portToService, serviceToPort } from '../checks/ports.js';

export function isIPv6Literal(text: string): boolean {
  return net.isIPv6(text);
}


interface VirtualLike { protocol: string; family: 4 | 6; address?: string; port: number; fwmark?: number }

/** get_virtual(): the fwmark, or "ADDR:PORT". */
export function virtualName(v: VirtualLike): string {
  return v.protocol === 'fwm' ? String(v.fwmark) : hostPort(v.address ?? '', v.port);
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
  return [check, p.protocol, bracketed(p.address), p.port, p.virtualhost ?? '', p.checkport ?? '',
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
