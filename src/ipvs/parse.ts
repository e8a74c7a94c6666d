// Parsers for ipvsadm's output: `-S -n` (rules) and `-L -n` / `-L -n --thresholds` (listings).
// Lines we do not understand become warnings, never exceptions.

import { canonicalAddress } from './addr.js';
import type { Family, Forwarding, Protocol, Real, Service, ServiceId, Table, TunnelCsum, TunnelType } from './types.js';

export interface Parsed {
  services: Service[];
  warnings: string[];
}

function splitAddrPort(s: string): { address: string; port: number } | null {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(s) ?? /^([0-9.]+):(\d+)$/.exec(s);
  if (!m) return null;
  const c = canonicalAddress(m[1]!);
  if (!c) return null;
  return { address: c.addr, port: Number(m[2]) };
}

function blankReal(address: string, port: number): Real {
  return { address, port, forwarding: 'Route', weight: 0, upperThreshold: 0, lowerThreshold: 0, activeConns: 0, inactiveConns: 0 };
}

/** Parse `ipvsadm -S -n` output. */
export function parseSave(text: string): Parsed {
  const services: Service[] = [];
  const warnings: string[] = [];
  const byKey = new Map<string, Service>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const t = line.split(' ');
    const cmd = t[0];
    let i = 1;
    let id: ServiceId | null = null;
    if (t[i] === '-t' || t[i] === '-u' || t[i] === '--sctp-service') {
      const protocol: Protocol = t[i] === '-t' ? 'tcp' : t[i] === '-u' ? 'udp' : 'sctp';
      const ap = splitAddrPort(t[i + 1] ?? '');
      if (ap) id = { kind: 'addr', protocol, address: ap.address, port: ap.port };
      i += 2;
    } else if (t[i] === '-f') {
      const n = Number(t[i + 1]);
      i += 2;
      let family: Family = 'inet';
      if (t[i] === '-6') {
        family = 'inet6';
        i++;
      }
      if (Number.isInteger(n)) id = { kind: 'fwmark', fwmark: n >>> 0, family };
    }
    if (!id || (cmd !== '-A' && cmd !== '-a')) {
      warnings.push(`unknown line from ipvsadm -S: ${JSON.stringify(line)}`);
      continue;
    }
    const key = JSON.stringify(id);
    if (cmd === '-A') {
      const s: Service = { id, scheduler: '', schedFlags: [], ops: false, reals: [] };
      let ok = true;
      while (i < t.length && ok) {
        const o = t[i++];
        switch (o) {
          case '-s':
            s.scheduler = t[i++] ?? '';
            break;
          case '-p':
            s.persistent = Number(t[i++]);
            break;
          case '-M':
            s.netmask = t[i++] ?? '';
            break;
          case '--pe':
            s.pe = t[i++] ?? '';
            break;
          case '-o':
            s.ops = true;
            break;
          case '-b':
            s.schedFlags = (t[i++] ?? '').split(',').filter((x) => x !== '');
            break;
          default:
            ok = false;
        }
      }
      if (!ok) warnings.push(`unknown option in ipvsadm -S line: ${JSON.stringify(line)}`);
      services.push(s);
      byKey.set(key, s);
    } else {
      const s = byKey.get(key);
      if (!s || t[i] !== '-r') {
        warnings.push(`real server line outside its service: ${JSON.stringify(line)}`);
        continue;
      }
      const ap = splitAddrPort(t[i + 1] ?? '');
      i += 2;
      if (!ap) {
        warnings.push(`bad real server address: ${JSON.stringify(line)}`);
        continue;
      }
      const r = blankReal(ap.address, ap.port);
      let tunType: TunnelType | undefined;
      let tunPort: number | undefined;
      let tunCsum: TunnelCsum | undefined;
      let ok = true;
      while (i < t.length && ok) {
        const o = t[i++];
        switch (o) {
          case '-g':
            r.forwarding = 'Route';
            break;
          case '-m':
            r.forwarding = 'Masq';
            break;
          case '-i':
            r.forwarding = 'Tunnel';
            break;
          case '-w':
            r.weight = Number(t[i++]);
            break;
          case '--tun-type':
            tunType = t[i++] as TunnelType;
            break;
          case '--tun-port':
            tunPort = Number(t[i++]);
            break;
          case '--tun-nocsum':
          case '--tun-csum':
          case '--tun-remcsum':
            tunCsum = o.slice(6) as TunnelCsum;
            break;
          default:
            ok = false;
        }
      }
      if (!ok) warnings.push(`unknown option in ipvsadm -S line: ${JSON.stringify(line)}`);
      if (r.forwarding === 'Tunnel' && tunType) {
        r.tunnel = { type: tunType, ...(tunPort !== undefined ? { port: tunPort } : {}), ...(tunCsum ? { csum: tunCsum } : {}) };
      }
      s.reals.push(r);
    }
  }
  return { services, warnings };
}

const SVC_TAIL = / (\S+)(?: \(([^)]*)\))?(?: persistent (\d+)(?: mask (\S+))?(?: pe (\S+))?)?( ops)?$/;
const SVC_ADDR = new RegExp(`^(TCP|UDP|SCTP) +(\\S+)${SVC_TAIL.source}`);
const SVC_FWM = new RegExp(`^FWM  (-?\\d+)( IPv6)?${SVC_TAIL.source}`);
const REAL_NORMAL = /^ {2}-> (\S+) +(Route|Masq|Tunnel|Local) +(-?\d+) +(\d+) +(\d+) *$/;
const REAL_THRESH = /^ {2}-> (\S+) +(\d+) +(\d+) +(\d+) +(\d+) *$/;

/** Parse `ipvsadm -L -n` or `ipvsadm -L -n --thresholds` (the title line tells which). */
export function parseListing(text: string): Parsed & { format: 'normal' | 'thresholds' } {
  const services: Service[] = [];
  const warnings: string[] = [];
  let format: 'normal' | 'thresholds' = 'normal';
  let cur: Service | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('IP Virtual Server version')) continue;
    if (line.startsWith('Prot LocalAddress:Port')) {
      format = line.includes('Uthreshold') ? 'thresholds' : 'normal';
      continue;
    }
    if (line.startsWith('  -> RemoteAddress:Port')) continue;
    let m: RegExpExecArray | null;
    let id: ServiceId | null = null;
    let tail: RegExpExecArray | null = null;
    if ((m = SVC_ADDR.exec(line))) {
      const ap = splitAddrPort(m[2]!);
      if (ap) id = { kind: 'addr', protocol: m[1]!.toLowerCase() as Protocol, address: ap.address, port: ap.port };
      tail = m;
    } else if ((m = SVC_FWM.exec(line))) {
      id = { kind: 'fwmark', fwmark: Number(m[1]) >>> 0, family: m[2] ? 'inet6' : 'inet' };
      tail = m;
    }
    if (id && tail) {
      const off = tail.length - 7; // the SVC_TAIL groups are the last six
      const g = (k: number): string | undefined => tail![off + k];
      cur = {
        id,
        scheduler: g(1)!,
        schedFlags: g(2) !== undefined ? g(2)!.split(',').filter((x) => x !== '') : [],
        ops: g(6) !== undefined,
        reals: [],
        ...(g(3) !== undefined ? { persistent: Number(g(3)) } : {}),
        ...(g(4) !== undefined ? { netmask: g(4)! } : {}),
        ...(g(5) !== undefined ? { pe: g(5)! } : {}),
      };
      services.push(cur);
      continue;
    }
    const rm = (format === 'thresholds' ? REAL_THRESH : REAL_NORMAL).exec(line);
    if (rm && cur) {
      const ap = splitAddrPort(rm[1]!);
      if (ap) {
        const r = blankReal(ap.address, ap.port);
        if (format === 'thresholds') {
          r.upperThreshold = Number(rm[2]);
          r.lowerThreshold = Number(rm[3]);
        } else {
          r.forwarding = rm[2] as Forwarding;
          r.weight = Number(rm[3]);
        }
        r.activeConns = Number(rm[4]);
        r.inactiveConns = Number(rm[5]);
        cur.reals.push(r);
        continue;
      }
    }
    warnings.push(`unknown line from ipvsadm -L: ${JSON.stringify(line)}`);
  }
  return { services, warnings, format };
}

const idKey = (id: ServiceId): string =>
  id.kind === 'fwmark' ? `f ${id.fwmark} ${id.family}` : `a ${id.protocol} ${id.address} ${id.port}`;

/**
 * Join `-S -n` (settings, forwarding, weight, tunnel details) with `-L -n --thresholds`
 * (thresholds and connection counters). Disagreement between the two (the table changed
 * between the two dumps) is reported as a warning; `-S` wins.
 */
export function mergeSaveAndThresholds(save: Parsed, thr: Parsed): Parsed {
  const warnings = [...save.warnings, ...thr.warnings];
  const thrSvc = new Map(thr.services.map((s) => [idKey(s.id), s]));
  for (const s of save.services) {
    const t = thrSvc.get(idKey(s.id));
    if (!t) {
      warnings.push(`service ${idKey(s.id)} is in -S but not in --thresholds (table changed while reading)`);
      continue;
    }
    thrSvc.delete(idKey(s.id));
    const tr = new Map(t.reals.map((r) => [`${r.address} ${r.port}`, r]));
    for (const r of s.reals) {
      const x = tr.get(`${r.address} ${r.port}`);
      if (!x) {
        warnings.push(`real ${r.address}:${r.port} of ${idKey(s.id)} missing from --thresholds (table changed while reading)`);
        continue;
      }
      tr.delete(`${r.address} ${r.port}`);
      r.upperThreshold = x.upperThreshold;
      r.lowerThreshold = x.lowerThreshold;
      r.activeConns = x.activeConns;
      r.inactiveConns = x.inactiveConns;
    }
    for (const k of tr.keys()) warnings.push(`real ${k} of ${idKey(s.id)} is in --thresholds but not in -S (table changed while reading)`);
  }
  for (const k of thrSvc.keys()) warnings.push(`service ${k} is in --thresholds but not in -S (table changed while reading)`);
  return { services: save.services, warnings };
}

/**
 * What list() sends to `ipvsadm -R`: the rules (`-S -n`), then the listing with thresholds and
 * counters. One process, two dumps; readListOutput() splits them again.
 */
export const LIST_LINES = ['-S -n', '-L -n --thresholds'];

/**
 * ipvsadm's `-L` title: "IP Virtual Server version 1.2.1 (size=4096)". The size is the kernel's
 * connection table (2^conn_tab_bits, a module parameter busy directors raise), so any version
 * and size must be accepted.
 */
const VERSION_HEADER = /^IP Virtual Server version [^\n]* \(size=\d+\)\n/m;

/** Split the output of LIST_LINES at the `-L` title and read both halves; null = not such an output. */
export function readListOutput(stdout: string): { table: Table; warnings: string[] } | null {
  const header = VERSION_HEADER.exec(stdout);
  if (!header || !stdout.includes('Uthreshold', header.index)) return null;
  const merged = mergeSaveAndThresholds(parseSave(stdout.slice(0, header.index)), parseListing(stdout.slice(header.index)));
  return { table: { services: merged.services }, warnings: merged.warnings };
}
