// Op validation and the only translation of IpvsOps into ipvsadm arguments in the program.

import { canonicalAddress, inetPton4 } from './addr.js';
import { hostPort, schedFlagBits } from './keys.js';
import type { IpvsOp, RealSpec, ServiceId, ServiceSpec } from './types.js';

const INT_MAX = 2147483647;
const MAX_PERSISTENT = 2678400; // ipvsadm's MAX_TIMEOUT (31 days)

function familyOf(address: string): 4 | 6 | null {
  return canonicalAddress(address)?.af ?? null;
}

const isInt = (n: unknown, lo: number, hi: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;
const TOKEN = /^[A-Za-z0-9_.-]+$/;

function checkService(id: ServiceId): string | null {
  if (id.kind === 'fwmark') return isInt(id.fwmark, 1, 0xffffffff) ? null : `bad fwmark ${id.fwmark}`;
  if (!['tcp', 'udp', 'sctp'].includes(id.protocol)) return `bad protocol ${String(id.protocol)}`;
  if (familyOf(id.address) === null) return `bad virtual address ${JSON.stringify(id.address)} (an IP literal is required)`;
  if (!isInt(id.port, 0, 65535)) return `bad virtual port ${id.port}`;
  return null;
}

function serviceFamily(id: ServiceId): 4 | 6 {
  return id.kind === 'fwmark' ? (id.family === 'inet6' ? 6 : 4) : (familyOf(id.address) ?? 4);
}

/**
 * Why ipvsadm would refuse this op on syntax grounds (which would stop a whole `-R` batch
 * half-way), or null. Kernel-level refusals (duplicates, unknown scheduler) are not checked:
 * they cost one line, not the batch, and show up in the verification.
 */
export function validateOp(op: IpvsOp): string | null {
  switch (op.kind) {
    case 'addService':
    case 'editService': {
      const s = op.service;
      const bad = checkService(s.id);
      if (bad) return bad;
      if (!TOKEN.test(s.scheduler)) return `bad scheduler name ${JSON.stringify(s.scheduler)}`;
      if (s.persistent !== undefined && !isInt(s.persistent, 1, MAX_PERSISTENT)) return `bad persistence timeout ${s.persistent}`;
      if (s.id.kind === 'addr' && s.id.port === 0 && s.persistent === undefined) return 'port 0 needs persistence';
      if (s.ops && s.id.kind === 'addr' && s.id.protocol !== 'udp') return 'one-packet scheduling is only for UDP or fwmark services';
      if (s.netmask !== undefined) {
        if (serviceFamily(s.id) === 4 ? inetPton4(s.netmask) === null : !/^[0-9]+$/.test(s.netmask) || !isInt(Number(s.netmask), 1, 128)) {
          return `bad netmask ${JSON.stringify(s.netmask)}`;
        }
      }
      if (s.pe !== undefined && s.pe !== '' && !TOKEN.test(s.pe)) return `bad persistence engine ${JSON.stringify(s.pe)}`;
      const bits = schedFlagBits(s.scheduler, s.schedFlags ?? []);
      if (typeof bits === 'string') return bits;
      return null;
    }
    case 'deleteService':
      return checkService(op.id);
    case 'addReal':
    case 'editReal': {
      const bad = checkService(op.service);
      if (bad) return bad;
      const r = op.real;
      const af = familyOf(r.address);
      if (af === null) return `bad real address ${JSON.stringify(r.address)} (an IP literal is required)`;
      if (!isInt(r.port, 0, 65535)) return `bad real port ${r.port}`;
      if (!['Route', 'Masq', 'Tunnel'].includes(r.forwarding)) return `bad forwarding ${String(r.forwarding)}`;
      if (!isInt(r.weight, 0, INT_MAX)) return `bad weight ${r.weight}`;
      if (r.upperThreshold !== undefined && !isInt(r.upperThreshold, 0, INT_MAX)) return `bad upper threshold ${r.upperThreshold}`;
      if (r.lowerThreshold !== undefined && !isInt(r.lowerThreshold, 0, INT_MAX)) return `bad lower threshold ${r.lowerThreshold}`;
      if (af !== serviceFamily(op.service) && r.forwarding !== 'Tunnel') {
        return 'a real of the other address family needs tunnel forwarding';
      }
      if (r.tunnel) {
        if (r.forwarding !== 'Tunnel') return 'tunnel settings need tunnel forwarding';
        if (!['ipip', 'gue', 'gre'].includes(r.tunnel.type)) return `bad tunnel type ${String(r.tunnel.type)}`;
        if (r.tunnel.type === 'gue' && !isInt(r.tunnel.port, 1, 65535)) return 'gue tunnels need a port';
        if (r.tunnel.type !== 'gue' && r.tunnel.port !== undefined) return 'only gue tunnels take a port';
        if (r.tunnel.type === 'ipip' && r.tunnel.csum !== undefined) return 'ipip tunnels take no checksum option';
      }
      return null;
    }
    case 'deleteReal': {
      const bad = checkService(op.service);
      if (bad) return bad;
      if (familyOf(op.address) === null) return `bad real address ${JSON.stringify(op.address)}`;
      if (!isInt(op.port, 0, 65535)) return `bad real port ${op.port}`;
      return null;
    }
  }
}

/** ipvsadm's "addr:port" for an address (canonical when it is one; other text as given, for log lines). */
function addrArg(address: string, port: number): string {
  return hostPort(canonicalAddress(address)?.addr ?? address, port);
}

export function serviceArgs(id: ServiceId): string[] {
  if (id.kind === 'fwmark') return id.family === 'inet6' ? ['-f', String(id.fwmark), '-6'] : ['-f', String(id.fwmark)];
  const sw = { tcp: '-t', udp: '-u', sctp: '--sctp-service' }[id.protocol];
  return [sw, addrArg(id.address, id.port)];
}

function serviceSettingArgs(s: ServiceSpec): string[] {
  // -E resets whatever is left out, so every field is always spelled out.
  const out = ['-s', s.scheduler];
  if (s.persistent !== undefined) {
    out.push('-p', String(s.persistent));
    if (s.netmask !== undefined) out.push('-M', s.netmask);
  }
  if (s.pe) out.push('--pe', s.pe);
  if (s.ops) out.push('-o');
  if (s.schedFlags && s.schedFlags.length > 0) out.push('-b', s.schedFlags.join(','));
  return out;
}

function realSettingArgs(r: RealSpec): string[] {
  // -e resets forwarding, weight and thresholds when left out: always pass them all.
  const fwd = { Route: '-g', Masq: '-m', Tunnel: '-i' }[r.forwarding];
  const out = [fwd, '-w', String(r.weight), '-x', String(r.upperThreshold ?? 0), '-y', String(r.lowerThreshold ?? 0)];
  if (r.forwarding === 'Tunnel' && r.tunnel) {
    out.push('--tun-type', r.tunnel.type);
    if (r.tunnel.type === 'gue') out.push('--tun-port', String(r.tunnel.port));
    if (r.tunnel.type !== 'ipip') out.push(`--tun-${r.tunnel.csum ?? 'nocsum'}`);
  }
  return out;
}

/** ipvsadm arguments for one op (call validateOp first). */
export function opArgs(op: IpvsOp): string[] {
  switch (op.kind) {
    case 'addService':
      return ['-A', ...serviceArgs(op.service.id), ...serviceSettingArgs(op.service)];
    case 'editService':
      return ['-E', ...serviceArgs(op.service.id), ...serviceSettingArgs(op.service)];
    case 'deleteService':
      return ['-D', ...serviceArgs(op.id)];
    case 'addReal':
      return ['-a', ...serviceArgs(op.service), '-r', addrArg(op.real.address, op.real.port), ...realSettingArgs(op.real)];
    case 'editReal':
      return ['-e', ...serviceArgs(op.service), '-r', addrArg(op.real.address, op.real.port), ...realSettingArgs(op.real)];
    case 'deleteReal':
      return ['-d', ...serviceArgs(op.service), '-r', addrArg(op.address, op.port)];
  }
}


