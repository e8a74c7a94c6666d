// ipvsadm 1.31's command line (popt parsing, option checks, messages, exit codes, -R) over a
// KernelTable: the emulator. Used by the stand-in executable and, in-process, by the sim backend.

import { readFileSync } from 'node:fs';
import { inetAton, inetPton6, ntop4, ntop6 } from '../addr.js';
import {
  KernelError,
  KernelTable,
  printAll,
  printService,
  titleLines,
  type Errno,
  type KDestUser,
  type KFwd,
  type KProto,
  type KServiceUser,
  type ListFormat,
  type Names,
} from './kernel.js';
import { schedFlagBit } from '../keys.js';
import type { TunnelCsum, TunnelType } from '../types.js';

export const VERSION_STRING = 'ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliContext {
  /** argv[0] as the caller gave it (used in "Try `ARGV0 -h'...") */
  argv0: string;
  /** stdin for -R */
  stdin: () => string;
  names?: Names;
}

// ---------------------------------------------------------------------------------------
// popt emulation

type ArgKind = 'none' | 'req' | 'opt';
interface OptDef {
  long?: string;
  short?: string;
  arg: ArgKind;
  tag: string;
}

const d = (tag: string, long: string | undefined, short: string | undefined, arg: ArgKind = 'none'): OptDef => ({
  tag,
  arg,
  ...(long !== undefined ? { long } : {}),
  ...(short !== undefined ? { short } : {}),
});

const OPTIONS: OptDef[] = [
  d('A', 'add-service', 'A'),
  d('E', 'edit-service', 'E'),
  d('D', 'delete-service', 'D'),
  d('C', 'clear', 'C'),
  d('L', 'list', 'L'),
  d('L', undefined, 'l'),
  d('Z', 'zero', 'Z'),
  d('a', 'add-server', 'a'),
  d('e', 'edit-server', 'e'),
  d('d', 'delete-server', 'd'),
  d('set', 'set', undefined),
  d('R', 'restore', 'R'),
  d('S', 'save', 'S'),
  d('start-daemon', 'start-daemon', undefined, 'req'),
  d('stop-daemon', 'stop-daemon', undefined, 'req'),
  d('h', 'help', 'h'),
  d('v', 'version', 'v'),
  d('t', 'tcp-service', 't', 'req'),
  d('u', 'udp-service', 'u', 'req'),
  d('sctp', 'sctp-service', undefined, 'req'),
  d('f', 'fwmark-service', 'f', 'req'),
  d('s', 'scheduler', 's', 'req'),
  d('p', 'persistent', 'p', 'opt'),
  d('M', 'netmask', 'M', 'req'),
  d('r', 'real-server', 'r', 'req'),
  d('m', 'masquerading', 'm'),
  d('i', 'ipip', 'i'),
  d('g', 'gatewaying', 'g'),
  d('w', 'weight', 'w', 'req'),
  d('x', 'u-threshold', 'x', 'req'),
  d('y', 'l-threshold', 'y', 'req'),
  d('n', 'numeric', 'n'),
  d('c', 'connection', 'c'),
  d('mcast-interface', 'mcast-interface', undefined, 'req'),
  d('syncid', 'syncid', undefined, 'req'),
  d('timeout', 'timeout', undefined),
  d('daemon', 'daemon', undefined),
  d('stats', 'stats', undefined),
  d('rate', 'rate', undefined),
  d('thresholds', 'thresholds', undefined),
  d('persistent-conn', 'persistent-conn', undefined),
  d('nosort', 'nosort', undefined),
  d('sort', 'sort', undefined),
  d('exact', 'exact', undefined),
  d('6', 'ipv6', '6'),
  d('o', 'ops', 'o'),
  d('pe', 'pe', undefined, 'req'),
  d('b', 'sched-flags', 'b', 'req'),
  d('tun-type', 'tun-type', undefined, 'req'),
  d('tun-port', 'tun-port', undefined, 'req'),
  d('tun-nocsum', 'tun-nocsum', undefined),
  d('tun-csum', 'tun-csum', undefined),
  d('tun-remcsum', 'tun-remcsum', undefined),
  d('tun-info', 'tun-info', undefined),
  d('sync-maxlen', 'sync-maxlen', undefined, 'req'),
  d('mcast-group', 'mcast-group', undefined, 'req'),
  d('mcast-port', 'mcast-port', undefined, 'req'),
  d('mcast-ttl', 'mcast-ttl', undefined, 'req'),
];

type Tok =
  | { kind: 'opt'; def: OptDef; arg: string | null; token: string }
  | { kind: 'end' }
  | { kind: 'error'; message: string; token: string };

class Popt {
  private i = 1;
  private cluster: { token: string; rest: string } | null = null;
  private onlyArgs = false;
  readonly leftovers: string[] = [];
  constructor(private readonly argv: string[]) {}

  next(): Tok {
    for (;;) {
      if (this.cluster && this.cluster.rest.length > 0) {
        const c = this.cluster;
        const ch = c.rest[0]!;
        c.rest = c.rest.slice(1);
        const def = OPTIONS.find((o) => o.short === ch);
        if (!def) {
          this.cluster = null;
          return { kind: 'error', message: 'unknown option', token: c.token };
        }
        if (def.arg === 'none') return { kind: 'opt', def, arg: null, token: c.token };
        if (c.rest.length > 0) {
          const arg = c.rest;
          this.cluster = null;
          return { kind: 'opt', def, arg, token: c.token };
        }
        this.cluster = null;
        return this.takeArg(def, c.token);
      }
      this.cluster = null;
      if (this.i >= this.argv.length) return { kind: 'end' };
      const t = this.argv[this.i++]!;
      if (this.onlyArgs || t === '-' || !t.startsWith('-')) {
        this.leftovers.push(t);
        continue;
      }
      if (t === '--') {
        this.onlyArgs = true;
        continue;
      }
      if (t.startsWith('--')) {
        const eq = t.indexOf('=');
        const name = eq >= 0 ? t.slice(2, eq) : t.slice(2);
        const def = OPTIONS.find((o) => o.long === name);
        if (!def) return { kind: 'error', message: 'unknown option', token: t };
        if (eq >= 0) {
          if (def.arg === 'none') return { kind: 'error', message: 'option does not take an argument', token: t };
          return { kind: 'opt', def, arg: t.slice(eq + 1), token: t };
        }
        if (def.arg === 'none') return { kind: 'opt', def, arg: null, token: t };
        return this.takeArg(def, t);
      }
      this.cluster = { token: t, rest: t.slice(1) };
    }
  }

  private takeArg(def: OptDef, token: string): Tok {
    const nxt = this.argv[this.i];
    if (def.arg === 'opt') {
      if (nxt !== undefined && !nxt.startsWith('-')) {
        this.i++;
        return { kind: 'opt', def, arg: nxt, token };
      }
      return { kind: 'opt', def, arg: null, token };
    }
    if (nxt === undefined) return { kind: 'error', message: 'missing argument', token };
    this.i++;
    return { kind: 'opt', def, arg: nxt, token };
  }
}

// ---------------------------------------------------------------------------------------
// ipvsadm's option bookkeeping (set_option, generic_opt_check)

const OPTNAMES = [
  'numeric', 'connection', 'service-address', 'scheduler', 'persistent', 'netmask', 'real-server',
  'forwarding-method', 'weight', 'u-threshold', 'l-threshold', 'mcast-interface', 'timeout', 'daemon',
  'stats', 'rate', 'thresholds', 'persistent-conn', 'nosort', 'syncid', 'exact', 'ops', 'pe',
  'sched-flags', 'mcast-group', 'mcast-port', 'mcast-ttl', 'sync-maxlen', 'tun-info', 'tun-type',
  'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum',
] as const;
type OptName = (typeof OPTNAMES)[number];

type Cmd =
  | 'add-service' | 'edit-service' | 'delete-service' | 'flush' | 'list' | 'add-server'
  | 'delete-server' | 'edit-server' | 'set' | 'restore' | 'save' | 'zero' | 'start-daemon' | 'stop-daemon';

const CMD_OF: Record<string, Cmd> = {
  A: 'add-service', E: 'edit-service', D: 'delete-service', C: 'flush', L: 'list', a: 'add-server',
  d: 'delete-server', e: 'edit-server', set: 'set', R: 'restore', S: 'save', Z: 'zero',
  'start-daemon': 'start-daemon', 'stop-daemon': 'stop-daemon',
};

interface Rule {
  need?: OptName[];
  ok?: OptName[];
  one?: OptName[];
}
const SVC_OPTS: OptName[] = ['scheduler', 'persistent', 'netmask', 'ops', 'pe', 'sched-flags'];
const TUN_OPTS: OptName[] = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'];
const DEST_OPTS: OptName[] = ['forwarding-method', 'weight', 'u-threshold', 'l-threshold', 'tun-type', ...TUN_OPTS];
/** Which tunnel options each tunnel type takes (like RULES, per tunnel type). */
const TUN_RULES: Record<TunnelType, Rule> = {
  ipip: {},
  gue: { need: ['tun-port'], one: ['tun-nocsum', 'tun-csum', 'tun-remcsum'] },
  gre: { one: ['tun-nocsum', 'tun-csum'] },
};
const DAEMON_OPTS: OptName[] = ['mcast-interface', 'syncid', 'mcast-group', 'mcast-port', 'mcast-ttl', 'sync-maxlen'];
const RULES: Record<Cmd, Rule> = {
  'add-service': { need: ['service-address'], ok: SVC_OPTS },
  'edit-service': { need: ['service-address'], ok: SVC_OPTS },
  'delete-service': { need: ['service-address'] },
  flush: {},
  list: {
    ok: ['numeric', 'stats', 'rate', 'thresholds', 'persistent-conn', 'nosort', 'exact', 'tun-info'],
    one: ['connection', 'service-address', 'timeout', 'daemon'],
  },
  'add-server': { need: ['service-address', 'real-server'], ok: DEST_OPTS },
  'edit-server': { need: ['service-address', 'real-server'], ok: DEST_OPTS },
  'delete-server': { need: ['service-address', 'real-server'] },
  set: {},
  restore: {},
  save: { ok: ['numeric'] },
  zero: { ok: ['service-address'] },
  'start-daemon': { ok: DAEMON_OPTS },
  'stop-daemon': { ok: ['syncid'] },
};

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const INT_MAX = 2147483647;

/** ipvsadm string_to_number: strtol base 10 over the whole string, then a range check. */
function stringToNumber(s: string, min: number, max: number): number {
  if (!/^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(s)) return -1;
  const n = Number(s.trim());
  return n >= min && n <= max ? n : -1;
}

function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

const KERNEL_MESSAGES: Partial<Record<Cmd, Partial<Record<Errno, string>>>> = {
  'add-service': { EEXIST: 'Service already exists', ENOENT: 'Scheduler or persistence engine not found' },
  'edit-service': { ESRCH: 'No such service', ENOENT: 'Scheduler or persistence engine not found' },
  'delete-service': { ESRCH: 'No such service' },
  zero: { ESRCH: 'No such service' },
  'add-server': { ESRCH: 'Service not defined', EEXIST: 'Destination already exists' },
  'edit-server': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'delete-server': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
};
const GENERIC_MESSAGES: Record<Errno, string> = {
  EINVAL: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  ERANGE: 'Numerical result out of range',
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
};

const USAGE_BODY = `Usage:
  @ -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine] [-b sched-flags]
  @ -D virtual-service
  @ -C
  @ -R
  @ -S [-n]
  @ -a|e virtual-service -r server-address [options]
  @ -d virtual-service -r server-address
  @ -L|l [virtual-service] [options]
  @ -Z [virtual-service]
  @ --set tcp tcpfin udp
  @ --start-daemon {master|backup} [daemon-options]
  @ --stop-daemon {master|backup}
  @ -h

Commands:
Either long or short options are allowed.
  --add-service     -A        add virtual service with options
  --edit-service    -E        edit virtual service with options
  --delete-service  -D        delete virtual service
  --clear           -C        clear the whole table
  --restore         -R        restore rules from stdin
  --save            -S        save rules to stdout
  --add-server      -a        add real server with options
  --edit-server     -e        edit real server with options
  --delete-server   -d        delete real server
  --list            -L|-l     list the table
  --zero            -Z        zero counters in a service or all services
  --set tcp tcpfin udp        set connection timeout values
  --start-daemon              start connection sync daemon
  --stop-daemon               stop connection sync daemon
  --help            -h        display this help message

virtual-service:
  --tcp-service|-t  service-address   service-address is host[:port]
  --udp-service|-u  service-address   service-address is host[:port]
  --sctp-service    service-address   service-address is host[:port]
  --fwmark-service|-f fwmark          fwmark is an integer greater than zero

Options:
  --ipv6         -6                   fwmark entry uses IPv6
  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,
                                      the default scheduler is wlc.
  --pe            engine              alternate persistence engine may be sip,
                                      not set by default.
  --persistent   -p [timeout]         persistent service
  --netmask      -M netmask           persistent granularity mask
  --real-server  -r server-address    server-address is host (and port)
  --gatewaying   -g                   gatewaying (direct routing) (default)
  --ipip         -i                   ipip encapsulation (tunneling)
  --masquerading -m                   masquerading (NAT)
  --tun-type      type                one of ipip|gue|gre,
                                      the default tunnel type is ipip.
  --tun-port      port                tunnel destination port
  --tun-nocsum                        tunnel encapsulation without checksum
  --tun-csum                          tunnel encapsulation with checksum
  --tun-remcsum                       tunnel encapsulation with remote checksum
  --weight       -w weight            capacity of real server
  --u-threshold  -x uthreshold        upper threshold of connections
  --l-threshold  -y lthreshold        lower threshold of connections
  --connection   -c                   output of current IPVS connections
  --timeout                           output of timeout (tcp tcpfin udp)
  --daemon                            output of daemon information
  --stats                             output of statistics information
  --rate                              output of rate information
  --exact                             expand numbers (display exact values)
  --thresholds                        output of thresholds information
  --persistent-conn                   output of persistent connection info
  --tun-info                          output of tunnel information
  --nosort                            disable sorting output of service/server entries
  --sort                              does nothing, for backwards compatibility
  --ops          -o                   one-packet scheduling
  --numeric      -n                   numeric output of addresses and ports
  --sched-flags  -b flags             scheduler flags (comma-separated)
Daemon Options:
  --syncid sid                        syncid for connection sync (default=255)
  --sync-maxlen length                Max sync message length (default=1472)
  --mcast-interface interface         multicast interface for connection sync
  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)
  --mcast-port port                   UDP port (default=8848)
  --mcast-ttl ttl                     Multicast TTL (default=1)
`;

// ---------------------------------------------------------------------------------------
// Name lookups from files only (/etc/hosts, /etc/services): the stand-in never uses DNS.

export function fileNames(
  hostsPath = '/etc/hosts', servicesPath = '/etc/services',
): Names & { hostByName(n: string): string | null; portByName(n: string, p: KProto): number | null } {
  let hosts: [string, string[]][] | null = null;
  let services: [string, number, string, string[]][] | null = null;
  const loadHosts = (): [string, string[]][] => {
    if (hosts) return hosts;
    hosts = [];
    try {
      for (const raw of readFileSync(hostsPath, 'utf8').split('\n')) {
        const f = raw.replace(/#.*/, '').trim().split(/\s+/);
        if (f.length >= 2 && f[0]) hosts.push([f[0], f.slice(1)]);
      }
    } catch {
      /* no file: no names */
    }
    return hosts;
  };
  const loadServices = (): [string, number, string, string[]][] => {
    if (services) return services;
    services = [];
    try {
      for (const raw of readFileSync(servicesPath, 'utf8').split('\n')) {
        const f = raw.replace(/#.*/, '').trim().split(/\s+/);
        const m = f.length >= 2 ? /^(\d+)\/(\w+)$/.exec(f[1]!) : null;
        if (m) services.push([f[0]!, Number(m[1]), m[2]!, f.slice(2)]);
      }
    } catch {
      /* no file: no names */
    }
    return services;
  };
  return {
    port(port, proto) {
      if (proto !== 'tcp' && proto !== 'udp') return null;
      return loadServices().find(([, p, pr]) => p === port && pr === proto)?.[0] ?? null;
    },
    host(addr) {
      const hit = loadHosts().find(([a]) => a === addr);
      return hit ? hit[1][0]! : null;
    },
    hostByName(name) {
      for (const [a, ns] of loadHosts()) {
        if (ns.includes(name) && /^[0-9.]+$/.test(a) && inetAton(a) !== null) return ntop4(inetAton(a)!);
      }
      return null;
    },
    portByName(name, proto) {
      if (proto !== 'tcp' && proto !== 'udp') return null;
      const hit = loadServices().find(([n, , pr, al]) => pr === proto && (n === name || al.includes(name)));
      return hit ? hit[1] : null;
    },
  };
}

// ---------------------------------------------------------------------------------------

interface SvcDraft extends KServiceUser {
  schedFlagsArg: string | null;
}
interface DestDraft extends KDestUser {
  tunFlagSet: boolean;
}

const SERVICE_ADDR = 1;
const SERVICE_PORT = 2;

export class Ipvsadm {
  private out = '';
  private err = '';
  private readonly names: ReturnType<typeof fileNames>;

  constructor(
    private readonly table: KernelTable,
    private readonly ctx: CliContext,
  ) {
    this.names = fileNames();
    if (ctx.names) Object.assign(this.names, ctx.names);
  }

  /** Run one ipvsadm invocation; argv excludes argv[0]. */
  run(args: string[]): CliResult {
    this.out = '';
    this.err = '';
    let code: number;
    try {
      if (args.length === 0) {
        this.listAll('normal', false, false, false);
        code = 0;
      } else {
        code = this.processOptions([this.ctx.argv0, ...args], false) & 0xff;
      }
    } catch (e) {
      if (e instanceof Exit) code = e.code & 0xff;
      else throw e;
    }
    return { code, stdout: this.out, stderr: this.err };
  }

  private fail(code: number, msg: string): never {
    this.err += msg + '\n';
    throw new Exit(code);
  }

  private tryhelp(): never {
    const p = this.ctx.argv0;
    this.err += `Try \`${p} -h' or '${p} --help' for more information.\n`;
    throw new Exit(255);
  }

  private parseService(buf: string, svc: { af: 4 | 6; addr: string; port: number; netmask: number; protocol: KProto }): number {
    if (buf === '' || /^[0-9]*$/.test(buf)) return 0;
    let s = buf;
    let portText: string | null = null;
    if (s.startsWith('[')) {
      s = s.slice(1);
      const close = s.indexOf(']');
      if (close < 0) return 0;
      const rest = s.slice(close + 1);
      s = s.slice(0, close);
      if (!rest.startsWith(':')) return 0;
      portText = rest.slice(1);
    }
    const v6 = inetPton6(s);
    if (v6) {
      svc.af = 6;
      svc.addr = ntop6(v6);
      svc.netmask = 128;
    } else {
      const colon = s.lastIndexOf(':');
      if (colon >= 0) {
        portText = s.slice(colon + 1);
        s = s.slice(0, colon);
      } else portText = null;
      const v4 = inetAton(s);
      if (v4 !== null) {
        svc.af = 4;
        svc.addr = ntop4(v4);
      } else {
        const h = this.names.hostByName(s);
        if (h === null) return 0;
        svc.af = 4;
        svc.addr = h;
      }
    }
    let result = SERVICE_ADDR;
    if (portText !== null) {
      result |= SERVICE_PORT;
      let p = stringToNumber(portText, 0, 65535);
      if (p === -1) p = this.names.portByName(portText, svc.protocol) ?? -1;
      if (p === -1) return 0;
      svc.port = p;
    }
    return result;
  }

  private processOptions(argv: string[], readingStdin: boolean): number {
    const popt = new Popt(argv);
    const svc: SvcDraft = {
      fwmark: 0, af: 4, protocol: 'tcp', addr: '0.0.0.0', port: 0, sched: '', schedFlags: 0,
      persistent: false, timeout: 0, netmask: 0xffffffff, pe: '', ops: false, schedFlagsArg: null,
    };
    const dest: DestDraft = {
      af: 4, addr: '0.0.0.0', port: 0, fwd: 'route', weight: 1, u: 0, l: 0, tunType: 'ipip', tunPort: 0,
      tunCsum: 'nocsum', tunFlagSet: false,
    };
    const options = new Set<OptName>();
    let format: ListFormat = 'normal';
    const fmt = { numeric: false, exact: false, nosort: false, stats: false, rate: false, thresholds: false, pconn: false };
    const setOption = (o: OptName): void => {
      if (options.has(o)) this.fail(2, `multiple '${o}' options specified`);
      options.add(o);
    };

    const first = popt.next();
    if (first.kind !== 'opt') this.tryhelp();
    if (first.def.tag === 'h') {
      this.out += VERSION_STRING + '\n' + USAGE_BODY.replace(/^ {2}@ /gm, `  ${this.ctx.argv0} `);
      throw new Exit(0);
    }
    if (first.def.tag === 'v') {
      this.out += VERSION_STRING + '\n';
      throw new Exit(0);
    }
    const cmd = CMD_OF[first.def.tag];
    if (!cmd) this.tryhelp();
    if (cmd === 'start-daemon' || cmd === 'stop-daemon') {
      if (first.arg !== 'master' && first.arg !== 'backup') {
        this.fail(2, cmd === 'start-daemon' ? 'illegal start-daemon parameter specified' : 'illegal start_daemon specified');
      }
    }

    for (;;) {
      const t = popt.next();
      if (t.kind === 'end') break;
      if (t.kind === 'error') {
        this.err += `${t.token}: ${t.message}\n`;
        return -1;
      }
      const a = t.arg ?? '';
      switch (t.def.tag) {
        case 't':
        case 'u':
        case 'sctp':
          setOption('service-address');
          svc.protocol = t.def.tag === 't' ? 'tcp' : t.def.tag === 'u' ? 'udp' : 'sctp';
          if (!(this.parseService(a, svc) & SERVICE_ADDR)) this.fail(2, 'illegal virtual server address[:port] specified');
          break;
        case 'f': {
          setOption('service-address');
          svc.af = 4;
          svc.protocol = 'tcp';
          const ok = /^[ \t]*[+-]?[0-9]+$/.test(a);
          const n = ok ? Number(a.trim()) : NaN;
          if (!ok || !(n > 0) || n > 0xffffffff) this.fail(2, `invalid fwmark value \`${a}' specified`);
          svc.fwmark = n;
          break;
        }
        case 's':
          setOption('scheduler');
          svc.sched = a;
          break;
        case 'p':
          setOption('persistent');
          svc.persistent = true;
          if (t.arg === null) svc.timeout = 360;
          else {
            const n = stringToNumber(a, 1, 2678400);
            if (n === -1) this.fail(2, `invalid timeout value \`${a}' specified`);
            svc.timeout = n;
          }
          break;
        case 'M':
          setOption('netmask');
          if (svc.af !== 6) {
            const m = inetAton(a) ?? (this.names.hostByName(a) !== null ? inetAton(this.names.hostByName(a)!) : null);
            if (m === null) this.fail(2, 'illegal virtual server persistent mask specified');
            svc.netmask = m;
          } else {
            const n = atoi(a);
            if (n < 1 || n > 128) this.fail(2, 'illegal ipv6 netmask specified');
            svc.netmask = n;
          }
          break;
        case 'r': {
          setOption('real-server');
          const tmp = { af: svc.af, addr: svc.addr, port: svc.port, netmask: svc.netmask, protocol: svc.protocol };
          const parse = this.parseService(a, tmp);
          dest.af = tmp.af;
          dest.addr = tmp.addr;
          dest.port = tmp.port;
          if (!(parse & SERVICE_ADDR)) this.fail(2, 'illegal real server address[:port] specified');
          if (parse === SERVICE_ADDR) dest.port = svc.port;
          break;
        }
        case 'i':
        case 'g':
        case 'm':
          setOption('forwarding-method');
          dest.fwd = ({ i: 'tunnel', g: 'route', m: 'masq' } as const)[t.def.tag];
          break;
        case 'w': {
          setOption('weight');
          const n = stringToNumber(a, 0, INT_MAX);
          if (n === -1) this.fail(2, 'illegal weight specified');
          dest.weight = n;
          break;
        }
        case 'x': {
          setOption('u-threshold');
          const n = stringToNumber(a, 0, INT_MAX);
          if (n === -1) this.fail(2, 'illegal u_threshold specified');
          dest.u = n;
          break;
        }
        case 'y': {
          setOption('l-threshold');
          const n = stringToNumber(a, 0, INT_MAX);
          if (n === -1) this.fail(2, 'illegal l_threshold specified');
          dest.l = n;
          break;
        }
        case 'c':
          setOption('connection');
          break;
        case 'n':
          setOption('numeric');
          fmt.numeric = true;
          break;
        case 'mcast-interface':
          setOption('mcast-interface');
          break;
        case 'syncid':
          setOption('syncid');
          if (stringToNumber(a, 0, 255) === -1) this.fail(2, 'illegal syncid specified');
          break;
        case 'mcast-group':
        case 'mcast-port':
        case 'mcast-ttl':
        case 'sync-maxlen':
          setOption(t.def.tag);
          break;
        case 'timeout':
          setOption('timeout');
          break;
        case 'daemon':
          setOption('daemon');
          break;
        case 'stats':
          setOption('stats');
          fmt.stats = true;
          break;
        case 'rate':
          setOption('rate');
          fmt.rate = true;
          break;
        case 'thresholds':
          setOption('thresholds');
          fmt.thresholds = true;
          break;
        case 'persistent-conn':
          setOption('persistent-conn');
          fmt.pconn = true;
          break;
        case 'nosort':
          setOption('nosort');
          fmt.nosort = true;
          break;
        case 'sort':
          break;
        case 'exact':
          setOption('exact');
          fmt.exact = true;
          break;
        case 'tun-info':
          setOption('tun-info');
          break;
        case '6':
          if (svc.fwmark) {
            svc.af = 6;
            svc.netmask = 128;
          } else this.fail(2, '-6 used before -f\n');
          break;
        case 'o':
          setOption('ops');
          svc.ops = true;
          break;
        case 'pe':
          setOption('pe');
          svc.pe = a;
          break;
        case 'b':
          setOption('sched-flags');
          svc.schedFlagsArg = a;
          break;
        case 'tun-type':
          setOption('tun-type');
          if (a !== 'ipip' && a !== 'gue' && a !== 'gre') this.fail(2, 'illegal tunnel type specified');
          dest.tunType = a as TunnelType;
          break;
        case 'tun-port': {
          setOption('tun-port');
          const n = stringToNumber(a, 1, 65535);
          if (n === -1) this.fail(2, 'illegal tunnel port specified');
          dest.tunPort = n;
          break;
        }
        case 'tun-nocsum':
        case 'tun-csum':
        case 'tun-remcsum':
          setOption(t.def.tag);
          dest.tunCsum = t.def.tag.slice(4) as TunnelCsum;
          dest.tunFlagSet = true;
          break;
        default:
          this.fail(2, `invalid option \`${t.token}'`);
      }
    }

    const rest = [...popt.leftovers];
    if (cmd === 'set') {
      if (rest.length < 3) this.fail(2, '--set option requires 3 timeout values');
      const vals = rest.splice(0, 3).map((v) => {
        const n = stringToNumber(v, 0, 2678400);
        if (n === -1) this.fail(2, `invalid timeout value \`${v}' specified`);
        return n;
      });
      this.table.state.timeouts = { tcp: vals[0]!, tcpfin: vals[1]!, udp: vals[2]! };
    }
    if (rest.length > 0) this.fail(2, `unexpected argument ${rest[0]}`);

    this.checkRule(RULES[cmd], OPTNAMES, options, `'${cmd}' command`);

    if (cmd === 'add-service' || cmd === 'edit-service') {
      if (!svc.fwmark && !svc.port && !svc.persistent) this.fail(2, 'Zero port specified for non-persistent service');
      if (svc.ops && !svc.fwmark && svc.protocol !== 'udp') this.fail(2, 'One-Packet Scheduling is only for UDP virtual services');
      if (svc.sched === '') svc.sched = 'wlc';
      if (svc.schedFlagsArg !== null) svc.schedFlags = this.parseSchedFlags(svc.sched, svc.schedFlagsArg);
    }
    if (cmd === 'add-server' || cmd === 'edit-server') {
      if (!svc.fwmark && (dest.fwd === 'tunnel' || dest.fwd === 'route')) dest.port = svc.port;
      if (dest.af !== svc.af && dest.fwd !== 'tunnel') this.fail(2, 'Different address family is allowed only for tunneling servers');
      const tunOpts = options.has('tun-type') || TUN_OPTS.some((o) => options.has(o));
      if (tunOpts && dest.fwd !== 'tunnel') this.fail(2, 'Tunnel options conflict with forward method');
      if (dest.fwd === 'tunnel') this.checkRule(TUN_RULES[dest.tunType], TUN_OPTS, options, `'${dest.tunType}' tunnel type`);
      if (dest.fwd !== 'tunnel') {
        dest.tunType = 'ipip';
        dest.tunCsum = 'nocsum';
      }
    }

    if (cmd === 'list') {
      if (
        (options.has('connection') || options.has('timeout') || options.has('daemon')) &&
        (fmt.stats || fmt.pconn || fmt.rate || fmt.thresholds)
      ) {
        this.fail(2, 'options conflicts in the list command');
      }
      format = fmt.stats ? 'stats' : fmt.rate ? 'rate' : fmt.thresholds ? 'thresholds' : fmt.pconn ? 'persistent-conn' : 'normal';
      if (options.has('connection')) {
        this.out += 'IPVS connection entries\npro expire state       source             virtual            destination\n';
      } else if (options.has('service-address')) {
        const s = this.table.find(svc);
        if (!s) {
          this.err += 'No such service\n';
          throw new Exit(1);
        }
        this.out += titleLines(format)
          + printService(s, { format, numeric: fmt.numeric, exact: fmt.exact, nosort: fmt.nosort, names: this.names });
      } else if (options.has('timeout')) {
        const t = this.table.state.timeouts;
        this.out += `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpfin} ${t.udp}\n`;
      } else if (options.has('daemon')) {
        /* no sync daemon in the stand-in */
      } else this.listAll(format, fmt.numeric, fmt.exact, fmt.nosort);
      return 0;
    }
    if (cmd === 'restore') return this.restore(readingStdin);
    if (cmd === 'save') {
      this.listAll('rule', fmt.numeric, false, fmt.nosort);
      return 0;
    }

    try {
      const user: KServiceUser = {
        fwmark: svc.fwmark, af: svc.af, protocol: svc.protocol, addr: svc.addr, port: svc.port, sched: svc.sched,
        schedFlags: svc.schedFlags, persistent: svc.persistent, timeout: svc.timeout, netmask: svc.netmask, pe: svc.pe, ops: svc.ops,
      };
      const du: KDestUser = {
        af: dest.af, addr: dest.addr, port: dest.port, fwd: dest.fwd as KFwd, weight: dest.weight, u: dest.u, l: dest.l,
        tunType: dest.tunType, tunPort: dest.tunPort, tunCsum: dest.tunCsum,
      };
      switch (cmd) {
        case 'flush':
          this.table.flush();
          break;
        case 'add-service':
          this.table.addService(user);
          break;
        case 'edit-service':
          this.table.editService(user);
          break;
        case 'delete-service':
          this.table.deleteService(user);
          break;
        case 'zero':
          this.table.zero(options.has('service-address') ? user : undefined);
          break;
        case 'add-server':
          this.table.addDest(user, du);
          break;
        case 'edit-server':
          this.table.editDest(user, du);
          break;
        case 'delete-server':
          this.table.deleteDest(user, du.af, du.addr, du.port);
          break;
        default:
          break;
      }
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      this.err += (KERNEL_MESSAGES[cmd]?.[e.errno] ?? GENERIC_MESSAGES[e.errno]) + '\n';
      return -1;
    }
    return 0;
  }

  /** ipvsadm generic_opt_check (and its tunnel-type twin): '+' needed, ' ' allowed, '1' one of, else illegal. */
  private checkRule(rule: Rule, names: readonly OptName[], options: Set<OptName>, what: string): void {
    let oneSeen: OptName | null = null;
    for (const o of names) {
      if (!options.has(o)) {
        if (rule.need?.includes(o)) this.fail(2, `You need to supply the '${o}' option for the ${what}`);
        continue;
      }
      if (rule.need?.includes(o) || rule.ok?.includes(o)) continue;
      if (rule.one?.includes(o)) {
        if (oneSeen === null) {
          oneSeen = o;
          continue;
        }
        this.fail(2, `The option '${o}' conflicts with the '${oneSeen}' option in the ${what}`);
      }
      this.fail(2, `Illegal '${o}' option with the ${what}`);
    }
  }

  private parseSchedFlags(sched: string, arg: string): number {
    let flags = 0;
    for (const f of arg.split(',')) {
      if (f === '') continue;
      const b = schedFlagBit(f);
      if (!b) this.fail(2, `invalid scheduler flag \`${f}'`);
      else if (b.scheduler !== undefined && b.scheduler !== sched) this.fail(2, `incompatible scheduler flag \`${f}'`);
      else flags |= b.bit;
    }
    return flags;
  }

  private listAll(format: ListFormat, numeric: boolean, exact: boolean, nosort: boolean): void {
    this.out += printAll(this.table.state, { format, numeric, exact, nosort, names: this.names });
  }

  private restore(readingStdin: boolean): number {
    if (readingStdin) this.tryhelp();
    let result = 0;
    const text = this.ctx.stdin();
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      const words = line.split(/[ \t\r]+/).filter((w) => w !== '');
      if (words[0] === 'ipvsadm') words.shift();
      if (words.length === 0) continue;
      result = this.processOptions([this.ctx.argv0, ...words], true);
    }
    return result;
  }
}

/** Convenience: run one invocation against a table. */
export function runIpvsadm(table: KernelTable, args: string[], ctx: Partial<CliContext> = {}): CliResult {
  const cli = new Ipvsadm(table, {
    argv0: ctx.argv0 ?? 'ipvsadm', stdin: ctx.stdin ?? (() => ''), ...(ctx.names ? { names: ctx.names } : {}),
  });
  return cli.run(args);
}
