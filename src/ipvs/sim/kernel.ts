// The IPVS table semantics of Linux 6.1 as ipvsadm 1.31 shows them: the emulator's kernel.
// ipvsadm.ts (the emulated command line) runs over it, and through that the stand-in
// executable (test/fixtures/bin/ipvsadm, standin-main.ts), the sim backend (TSLVS_BACKEND=sim,
// `tslvs demo`) and the bench's ipvsadm server; one model, so they cannot drift apart.
// The real backend never uses it: it reads the real kernel through ipvsadm.
//
// Ordering: ipvsadm sorts what the kernel dumps (sorting is its default) with glibc qsort
// (a top-down merge sort in glibc 2.36) and comparators that subtract unsigned 32-bit values
// into an int. That subtraction wraps, so e.g. 10.0.0.1 sorts AFTER 200.0.0.1 when they are
// compared directly, and the comparator is not transitive across spans larger than 2^31.
// We reproduce the comparator and the merge sort exactly, and feed them the kernel's dump
// order: destinations in reverse order of addition (the kernel list_add()s at the head);
// services in our insertion order (the kernel's order is its hash table, seeded with a kernel
// pointer, so unknowable; with a transitive comparator the sort result does not depend on it).

import { ntop4, inetPton4, inetPton6, words32 } from '../addr.js';
import { hostPort, schedFlagNames } from '../keys.js';
import type { TunnelCsum, TunnelType } from '../types.js';

export type KProto = 'tcp' | 'udp' | 'sctp';
export type KFwd = 'masq' | 'local' | 'tunnel' | 'route';

export interface KServiceUser {
  /** 0 = address-based service */
  fwmark: number;
  af: 4 | 6;
  protocol: KProto;
  addr: string;
  port: number;
  sched: string;
  /** IP_VS_SVC_F_SCHED1/2/3 as bits 1, 2, 4 */
  schedFlags: number;
  persistent: boolean;
  timeout: number;
  /** IPv4: mask as u32; IPv6: prefix length */
  netmask: number;
  pe: string;
  ops: boolean;
}

export interface KDestUser {
  af: 4 | 6;
  addr: string;
  port: number;
  fwd: KFwd;
  weight: number;
  u: number;
  l: number;
  tunType: TunnelType;
  tunPort: number;
  tunCsum: TunnelCsum;
}

export interface KDest extends KDestUser {
  active: number;
  inactive: number;
}

export interface KService extends KServiceUser {
  /** kernel list order: most recently added first */
  dests: KDest[];
}

export interface KState {
  version: 1;
  services: KService[];
  timeouts: { tcp: number; tcpfin: number; udp: number };
}

export type Errno = 'EEXIST' | 'ENOENT' | 'ESRCH' | 'ERANGE' | 'EINVAL';

export class KernelError extends Error {
  constructor(readonly errno: Errno) {
    super(errno);
  }
}

/** Schedulers Debian's 6.1 kernel ships (twos is not built). */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
export const PERSISTENCE_ENGINES = ['sip'];
const IP_VS_SCHEDNAME_MAXLEN = 16;

export function emptyState(): KState {
  return { version: 1, services: [], timeouts: { tcp: 900, tcpfin: 120, udp: 300 } };
}

export interface ServiceKey {
  fwmark: number;
  af: 4 | 6;
  protocol: KProto;
  addr: string;
  port: number;
}

function sameService(s: ServiceKey, k: ServiceKey): boolean {
  if (k.fwmark !== 0 || s.fwmark !== 0) return s.fwmark === k.fwmark && s.af === k.af;
  return s.protocol === k.protocol && s.af === k.af && s.addr === k.addr && s.port === k.port;
}

/** v4 addresses the kernel refuses as destinations (not RTN_UNICAST/RTN_LOCAL). */
function destAddrInvalid(af: 4 | 6, addr: string): boolean {
  if (af === 4) {
    const v = inetPton4(addr) ?? 0;
    return v === 0 || v === 0xffffffff || v >>> 28 === 0xe;
  }
  const w = inetPton6(addr) ?? [0, 0, 0, 0, 0, 0, 0, 0];
  const unspecified = w.every((x) => x === 0);
  const multicast = w[0]! >>> 8 === 0xff;
  const linkLocal = (w[0]! & 0xffc0) === 0xfe80;
  const mapped = w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff;
  return unspecified || multicast || linkLocal || mapped;
}

export class KernelTable {
  constructor(public state: KState = emptyState()) {}

  find(k: ServiceKey): KService | undefined {
    return this.state.services.find((s) => sameService(s, k));
  }

  private checkSched(u: KServiceUser): void {
    // ipvsadm strncpy()s the name into a 16-byte field, the kernel then looks it up.
    const name = u.sched.slice(0, IP_VS_SCHEDNAME_MAXLEN - 1);
    if (!SCHEDULERS.includes(name)) throw new KernelError('ENOENT');
    if (u.pe !== '' && !PERSISTENCE_ENGINES.includes(u.pe)) throw new KernelError('ENOENT');
  }

  addService(u: KServiceUser): void {
    if (this.find(u)) throw new KernelError('EEXIST');
    this.checkSched(u);
    this.state.services.push({ ...u, dests: [] });
  }

  editService(u: KServiceUser): void {
    const s = this.find(u);
    if (!s) throw new KernelError('ESRCH');
    this.checkSched(u);
    Object.assign(s, {
      sched: u.sched,
      schedFlags: u.schedFlags,
      persistent: u.persistent,
      timeout: u.timeout,
      netmask: u.netmask,
      pe: u.pe,
      ops: u.ops,
    });
  }

  deleteService(k: ServiceKey): void {
    const i = this.state.services.findIndex((s) => sameService(s, k));
    if (i < 0) throw new KernelError('ESRCH');
    this.state.services.splice(i, 1);
  }

  zero(k?: ServiceKey): void {
    if (k && !this.find(k)) throw new KernelError('ESRCH');
  }

  flush(): void {
    this.state.services = [];
  }

  private svcOrThrow(k: ServiceKey): KService {
    const s = this.find(k);
    if (!s) throw new KernelError('ESRCH');
    return s;
  }

  private checkDest(d: KDestUser): void {
    if (d.weight < 0) throw new KernelError('ERANGE');
    if (d.l > d.u) throw new KernelError('ERANGE');
  }

  addDest(k: ServiceKey, d: KDestUser): void {
    const s = this.svcOrThrow(k);
    this.checkDest(d);
    if (s.dests.some((x) => x.af === d.af && x.addr === d.addr && x.port === d.port)) throw new KernelError('EEXIST');
    if (destAddrInvalid(d.af, d.addr)) throw new KernelError('EINVAL');
    if (d.af !== s.af && d.fwd !== 'tunnel') throw new KernelError('EINVAL');
    s.dests.unshift({ ...d, active: 0, inactive: 0 });
  }

  editDest(k: ServiceKey, d: KDestUser): void {
    const s = this.svcOrThrow(k);
    this.checkDest(d);
    const x = s.dests.find((e) => e.af === d.af && e.addr === d.addr && e.port === d.port);
    if (!x) throw new KernelError('ENOENT');
    if (d.af !== s.af && d.fwd !== 'tunnel') throw new KernelError('EINVAL');
    Object.assign(x, { fwd: d.fwd, weight: d.weight, u: d.u, l: d.l, tunType: d.tunType, tunPort: d.tunPort, tunCsum: d.tunCsum });
  }

  deleteDest(k: ServiceKey, af: 4 | 6, addr: string, port: number): void {
    const s = this.svcOrThrow(k);
    const i = s.dests.findIndex((e) => e.af === af && e.addr === addr && e.port === port);
    if (i < 0) throw new KernelError('ENOENT');
    s.dests.splice(i, 1);
  }
}

// ---------------------------------------------------------------------------------------
// Ordering (see the header comment)

const AF_NUM = { 4: 2, 6: 10 } as const;
const PROTO_NUM: Record<KProto, number> = { tcp: 6, udp: 17, sctp: 132 };

/** (a - b) computed on unsigned 32-bit values and read back as a C int. */
const csub = (a: number, b: number): number => (a - b) | 0;

export function cmpServices(a: KService, b: KService): number {
  let r = csub(a.fwmark, b.fwmark);
  if (r) return r;
  r = AF_NUM[a.af] - AF_NUM[b.af];
  if (r) return r;
  // The kernel reports no protocol for fwmark services.
  r = (a.fwmark ? 0 : PROTO_NUM[a.protocol]) - (b.fwmark ? 0 : PROTO_NUM[b.protocol]);
  if (r) return r;
  const wa = words32(a.af, a.fwmark ? (a.af === 6 ? '::' : '0.0.0.0') : a.addr);
  const wb = words32(b.af, b.fwmark ? (b.af === 6 ? '::' : '0.0.0.0') : b.addr);
  if (a.af === 6) {
    for (let i = 0; !r && i < 4; i++) r = csub(wa[i]!, wb[i]!);
  } else r = csub(wa[0]!, wb[0]!);
  if (r) return r;
  return (a.fwmark ? 0 : a.port) - (b.fwmark ? 0 : b.port);
}

export function cmpDests(a: KDest, b: KDest): number {
  const wa = words32(a.af, a.addr);
  const wb = words32(b.af, b.addr);
  let r = 0;
  // ipvsadm looks at the first entry's family only.
  if (a.af === 6) {
    for (let i = 0; !r && i < 4; i++) r = csub(wa[i]!, wb[i]!);
  } else r = csub(wa[0]!, wb[0]!);
  if (r) return r;
  return a.port - b.port;
}

/** glibc msort: top-down, n1 = n/2, take from the left run while cmp <= 0. */
export function glibcMergeSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const a = items.slice();
  const sort = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = n >> 1;
    const n2 = n - n1;
    sort(lo, n1);
    sort(lo + n1, n2);
    const left = a.slice(lo, lo + n1);
    const right = a.slice(lo + n1, lo + n);
    let i = 0;
    let j = 0;
    let k = lo;
    while (i < n1 && j < n2) {
      if (cmp(left[i]!, right[j]!) <= 0) a[k++] = left[i++]!;
      else a[k++] = right[j++]!;
    }
    while (i < n1) a[k++] = left[i++]!;
    while (j < n2) a[k++] = right[j++]!;
  };
  sort(0, a.length);
  return a;
}

// ---------------------------------------------------------------------------------------
// Printing (ipvsadm 1.31 print_title / print_service_entry)

export type ListFormat = 'normal' | 'thresholds' | 'stats' | 'rate' | 'persistent-conn' | 'rule';

export interface Names {
  /** port -> service name for tcp/udp (getservbyport), or null */
  port(port: number, proto: KProto | null): string | null;
  /** IPv4 address -> host name (gethostbyaddr), or null */
  host(addr: string): string | null;
}

export interface PrintOptions {
  format: ListFormat;
  numeric: boolean;
  exact?: boolean;
  nosort?: boolean;
  names?: Names;
}

export const VERSION_LINE = 'IP Virtual Server version 1.2.1 (size=4096)';

export function titleLines(format: ListFormat): string {
  const wide = (cols: string): string => `${'Prot LocalAddress:Port'.padEnd(33)} ${cols}\n  -> RemoteAddress:Port\n`;
  const r8 = (xs: string[]): string => xs.map((x) => x.padStart(8)).join(' ');
  const l = (xs: [string, number][]): string => xs.map(([x, w]) => x.padEnd(w)).join(' ');
  switch (format) {
    case 'stats':
      return wide(r8(['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes']));
    case 'rate':
      return wide(r8(['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS']));
    case 'thresholds':
      return wide(l([['Uthreshold', 10], ['Lthreshold', 10], ['ActiveConn', 10], ['InActConn', 10]]));
    case 'persistent-conn':
      return wide(l([['Weight', 9], ['PersistConn', 11], ['ActiveConn', 10], ['InActConn', 10]]));
    case 'rule':
      return '';
    default:
      return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
  }
}

function largenum(n: number, exact: boolean | undefined): string {
  const s = String(n);
  if (exact) return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  return s.padStart(9);
}

const int32 = (n: number): number => n | 0;

function anyname(af: 4 | 6, addr: string, port: number, proto: KProto | null, o: PrintOptions): string {
  if (o.numeric || !o.names) return hostPort(addr, port);
  const host = af === 4 ? (o.names.host(addr) ?? addr) : addr;
  return hostPort(host, o.names.port(port, proto) ?? String(port));
}

export function maskText(s: KServiceUser): string | null {
  if (s.af === 4) return s.netmask >>> 0 !== 0xffffffff ? ntop4(s.netmask >>> 0) : null;
  return s.netmask !== 128 ? String(s.netmask) : null;
}

const FWD_NAME: Record<KFwd, string> = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', route: 'Route' };
const FWD_SWITCH: Record<KFwd, string> = { masq: '-m', local: '-g', tunnel: '-i', route: '-g' };
const PROTO_LABEL: Record<KProto, string> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };
const PROTO_SWITCH: Record<KProto, string> = { tcp: '-t', udp: '-u', sctp: '--sctp-service' };

export function printService(s: KService, o: PrintOptions): string {
  const rule = o.format === 'rule';
  const proto: KProto | null = s.fwmark ? null : s.protocol;
  let name: string;
  if (s.fwmark) {
    name = rule ? `-f ${int32(s.fwmark)}${s.af === 6 ? ' -6' : ''}` : `FWM  ${int32(s.fwmark)}${s.af === 6 ? ' IPv6' : ''}`;
  } else {
    const v = anyname(s.af, s.addr, s.port, s.protocol, o);
    name = rule ? `${PROTO_SWITCH[s.protocol]} ${v}` : `${PROTO_LABEL[s.protocol].padEnd(4)} ${v}`;
    if (!rule && s.af !== 6) name = name.slice(0, 33);
  }
  const flags = schedFlagNames(s.sched, s.schedFlags);
  const mask = maskText(s);
  let out = '';
  if (rule) {
    out += `-A ${name} -s ${s.sched}`;
    if (s.persistent) {
      out += ` -p ${s.timeout}`;
      if (mask !== null) out += ` -M ${mask}`;
    }
    if (s.pe) out += ` --pe ${s.pe}`;
    if (s.ops) out += ' -o';
    if (s.schedFlags) out += ` -b ${flags.join(',')}`;
  } else if (o.format === 'stats' || o.format === 'rate') {
    out += name.padEnd(33) + [0, 0, 0, 0, 0].map((n) => largenum(n, o.exact)).join('');
  } else {
    out += `${name} ${s.sched}`;
    if (s.schedFlags) out += ` (${flags.join(',')})`;
    if (s.persistent) {
      out += ` persistent ${s.timeout}`;
      if (mask !== null) out += ` mask ${mask}`;
      if (s.pe) out += ` pe ${s.pe}`;
    }
    if (s.ops) out += ' ops';
  }
  out += '\n';
  const dests = o.nosort ? s.dests : glibcMergeSort(s.dests, cmpDests);
  for (const d of dests) {
    const dn = anyname(d.af, d.addr, d.port, proto, o);
    switch (o.format) {
      case 'rule': {
        let line = `-a ${name} -r ${dn} ${FWD_SWITCH[d.fwd]} -w ${d.weight}`;
        if (d.fwd === 'tunnel') {
          line += ` --tun-type ${d.tunType}`;
          if (d.tunType === 'gue') line += ` --tun-port ${d.tunPort}`;
          if (d.tunType !== 'ipip') line += ` --tun-${d.tunCsum}`;
        }
        out += line + '\n';
        break;
      }
      case 'stats':
        out += `  -> ${dn.padEnd(28)}${[0, 0, 0, 0, 0].map((n) => largenum(n, o.exact)).join('')}\n`;
        break;
      case 'rate':
        out += `  -> ${dn.padEnd(28)} ${'0'.padStart(8)} ${'0'.padStart(8)} ${'0'.padStart(8)}`
          + `${largenum(0, o.exact)}${largenum(0, o.exact)}\n`;
        break;
      case 'thresholds':
        out += `  -> ${dn.padEnd(28)} ${String(d.u).padEnd(10)} ${String(d.l).padEnd(10)} `
          + `${String(d.active).padEnd(10)} ${String(d.inactive).padEnd(10)}\n`;
        break;
      case 'persistent-conn':
        out += `  -> ${dn.padEnd(28)} ${String(d.weight).padEnd(9)} ${'0'.padEnd(11)} `
          + `${String(d.active).padEnd(10)} ${String(d.inactive).padEnd(10)}\n`;
        break;
      default:
        out += `  -> ${dn.padEnd(28)} ${FWD_NAME[d.fwd].padEnd(7)} ${String(d.weight).padEnd(6)} `
          + `${String(d.active).padEnd(10)} ${String(d.inactive).padEnd(10)}\n`;
    }
  }
  return out;
}

/** ipvsadm list_all: version line (not for -S), title, services in ipvsadm's order. */
export function printAll(state: KState, o: PrintOptions): string {
  let out = o.format === 'rule' ? '' : VERSION_LINE + '\n';
  out += titleLines(o.format);
  const svcs = o.nosort ? state.services : glibcMergeSort(state.services, cmpServices);
  for (const s of svcs) out += printService(s, o);
  return out;
}

