// Which check runs for a virtual/real pair, with which inputs and which deadline: the one
// place that knows ldirectord's dispatch (_check_real) and its choice of timeouts. It takes
// what it needs of a virtual/real by shape (config/model.ts's VirtualService and RealServer
// fit), so checks/ depends on nothing in config/: the arrow goes config -> checks only.
import { checkPortOf } from './ports.js';
import type { CheckFn, CheckOptions, CheckTarget, CheckType, ServiceName, TlsVerify, VirtualProtocol } from './types.js';
import { checkConnect } from './connect.js';
import { checkExternal, checkExternalPerl } from './external.js';
import { checkPing } from './ping.js';

/**
 * A check whose module (and client library: ldapts, mysql2, pg, oracledb, basic-ftp …)
 * is loaded on first use: a daemon that only checks http does not carry every protocol client
 * (each costs 10-20 MB of memory and start-up time). `loads` names the function, for tests.
 */
export type LazyCheck = CheckFn & { readonly loads: string };

function lazy(name: string, load: () => Promise<CheckFn>): LazyCheck {
  let loading: Promise<CheckFn> | undefined;
  const fn: CheckFn = async (target, options, signal) => (await (loading ??= serially(load)))(target, options, signal);
  return Object.assign(fn, { loads: name });
}

/**
 * Modules load one after another: the first round asks for several at once, and they share
 * helpers (jest's ESM loader fails on concurrent links of a shared module; Node does not care).
 */
let loadQueue: Promise<unknown> = Promise.resolve();
function serially<T>(load: () => Promise<T>): Promise<T> {
  const next = loadQueue.then(load, load);
  loadQueue = next.catch(() => undefined);
  return next;
}

const http = lazy('checkHttp', async () => (await import('./http.js')).checkHttp);
const pop = lazy('checkPop', async () => (await import('./pop.js')).checkPop);
const imap = lazy('checkImap', async () => (await import('./imap.js')).checkImap);
const smtp = lazy('checkSmtp', async () => (await import('./smtp.js')).checkSmtp);
const ldap = lazy('checkLdap', async () => (await import('./ldap.js')).checkLdap);

/** _check_real()'s negotiate dispatch: one check per service name. */
export const NEGOTIATE_CHECKS: Record<ServiceName, CheckFn> = {
  http, https: http, http_proxy: http, pop, pops: pop, imap, imaps: imap, smtp, submission: smtp,
  ftp: lazy('checkFtp', async () => (await import('./ftp.js')).checkFtp),
  ldap, ldaps: ldap,
  nntp: lazy('checkNntp', async () => (await import('./nntp.js')).checkNntp),
  dns: lazy('checkDns', async () => (await import('./dns.js')).checkDns),
  sip: lazy('checkSip', async () => (await import('./sip.js')).checkSip),
  radius: lazy('checkRadius', async () => (await import('./radius.js')).checkRadius),
  mysql: lazy('checkMysql', async () => (await import('./sql.js')).checkMysql),
  pgsql: lazy('checkPgsql', async () => (await import('./sql.js')).checkPgsql),
  oracle: lazy('checkOracle', async () => (await import('./oracle.js')).checkOracle),
  simpletcp: lazy('checkSimpletcp', async () => (await import('./simpletcp.js')).checkSimpletcp),
  none: lazy('checkNone', async () => (await import('./none.js')).checkNone),
};

/** What a probe needs of a virtual service. */
export interface ProbeVirtual {
  protocol: VirtualProtocol;
  address?: string;
  port: number;
  fwmark?: number;
  service: ServiceName;
  checktype: CheckType;
  checkport?: number;
  checktimeout: number;
  negotiatetimeout: number;
  checkcount: number;
  login: string;
  passwd: string;
  database: string;
  secret: string;
  httpmethod: 'GET' | 'HEAD';
  virtualhost?: string;
  checkcommand: string;
  tlsVerify?: TlsVerify;
}

/** What a probe needs of a real server (its effective request/receive). */
export interface ProbeReal {
  address: string;
  port: number;
  request: string;
  receive: string;
}

/** The probes a checktype can run; `combined` alternates connect and negotiate (health decides). */
export type ProbeKind = 'connect' | 'negotiate' | 'ping' | 'external' | 'external-perl';

export interface PlannedProbe {
  kind: ProbeKind;
  check: CheckFn;
  target: CheckTarget;
  options: CheckOptions;
  /** The whole probe's deadline: the AbortSignal fires after this many ms. */
  deadlineMs: number;
}

/** The probe a checktype runs; `on`/`off` run none, `combined` needs the health module's choice. */
export function probeKindFor(v: ProbeVirtual, combinedPhase: 'connect' | 'negotiate' = 'negotiate'): ProbeKind | undefined {
  switch (v.checktype) {
    case 'on':
    case 'off': return undefined;
    case 'combined': return combinedPhase;
    // A connect check of a udp service is a ping (_check_real).
    case 'connect': return v.protocol === 'udp' ? 'ping' : 'connect';
    default: return v.checktype;
  }
}

/**
 * ldirectord's timeouts: connect/ping/external use checktimeout (ping once per echo request);
 * negotiate checks use negotiatetimeout, except ldap and radius, which run under an
 * alarm(checktimeout) too. tslvs: sql checks get negotiatetimeout (ldirectord gives them none,
 * so a hung database stalls it).
 */
export function deadlineFor(kind: ProbeKind, v: ProbeVirtual): { timeoutMs: number; deadlineMs: number } {
  const check = v.checktimeout * 1000;
  const negotiate = v.negotiatetimeout * 1000;
  switch (kind) {
    case 'ping': return { timeoutMs: check, deadlineMs: check * Math.max(1, v.checkcount) };
    case 'connect':
    case 'external':
    case 'external-perl': return { timeoutMs: check, deadlineMs: check };
    case 'negotiate': {
      const t = v.service === 'ldap' || v.service === 'ldaps' || v.service === 'radius' ? Math.min(check, negotiate) : negotiate;
      return { timeoutMs: t, deadlineMs: t };
    }
  }
}

/**
 * ldirectord's certificate policy differs by service (Debian's Perl TLS stack): https checks the
 * chain but not the host name (LWP with verify_hostname off); pops and imaps check the chain and
 * the real's address as host name (IO::Socket::SSL defaults); ldaps checks nothing (Net::LDAP's
 * verify => 'none'). `tlsverify=` overrides it for a virtual.
 */
export function defaultTlsVerify(service: ServiceName): TlsVerify {
  if (service === 'pops' || service === 'imaps') return 'full';
  if (service === 'ldaps') return 'none';
  return 'chain';
}

const CHECK_BY_KIND: Record<Exclude<ProbeKind, 'negotiate'>, CheckFn> = {
  connect: checkConnect, ping: checkPing, external: checkExternal, 'external-perl': checkExternalPerl,
};

export function planProbe(v: ProbeVirtual, r: ProbeReal, kind: ProbeKind): PlannedProbe {
  const { timeoutMs, deadlineMs } = deadlineFor(kind, v);
  const port = checkPortOf(v, r.port) ?? 0;
  const target: CheckTarget = {
    address: r.address, port, realPort: r.port,
    virtual: {
      protocol: v.protocol,
      ...(v.address !== undefined ? { address: v.address, port: v.port } : {}),
      ...(v.fwmark !== undefined ? { fwmark: v.fwmark } : {}),
    },
  };
  const options: CheckOptions = {
    checktype: v.checktype, service: v.service, timeoutMs, checkcount: v.checkcount,
    request: r.request, receive: r.receive, login: v.login, passwd: v.passwd, database: v.database,
    secret: v.secret, httpmethod: v.httpmethod, checkcommand: v.checkcommand,
    tlsVerify: v.tlsVerify ?? defaultTlsVerify(v.service),
    ...(v.virtualhost !== undefined ? { virtualhost: v.virtualhost } : {}),
  };
  const check = kind === 'negotiate' ? NEGOTIATE_CHECKS[v.service] : CHECK_BY_KIND[kind];
  return { kind, check, target, options, deadlineMs };
}
