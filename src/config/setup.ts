// ld_setup()'s part that is about configuration: effective timeouts and counts, each real's
// request/receive/URL, and the ids. The result is the immutable model the daemon runs on.
import type { Config, RealServer, VirtualService } from './model.js';
import type { ParseResult, RawGlobal, RawReal, RawVirtual } from './parser.js';
import { checkPortOf } from '../checks/ports.js';
import { bracketed } from '../ipvs/keys.js';
import { checkKeyMaker, realIdOf, virtualIdOf } from './ids.js';
import { quotemeta } from './perl.js';

const DEFAULT_CHECKTIMEOUT = 5;
const DEFAULT_NEGOTIATETIMEOUT = 30;

function setupReal(v: RawVirtual, service: VirtualService['service'], r: RawReal): Omit<RealServer, 'ldirectordId' | 'checkKey'> {
  const port = checkPortOf({ checkport: v.checkport, service }, r.port);
  const schema = service === 'http_proxy' ? 'http' : service;
  const base = `${schema}://${bracketed(r.address)}:${port ?? ''}/`;
  let url: string;
  let request: string;
  let receive: string;
  if (r.request !== undefined && r.receive !== undefined) {
    const uri = r.request.replace(/^\//, '');
    url = r.request.includes(`${schema}://`) ? uri : base + uri;
    request = r.request;
    receive = r.receive;
  } else {
    const uri = v.request.replace(/^\//, '');
    url = service === 'http_proxy' ? uri : base + uri;
    request = v.request;
    receive = v.receive;
  }
  return {
    address: r.address, family: r.family, port: r.port, forward: r.forward, weight: r.weight,
    request, receive, ownRequest: r.request !== undefined, url,
    upperThreshold: r.upperThreshold, lowerThreshold: r.lowerThreshold, line: r.line,
  };
}

function setupVirtual(v: RawVirtual, g: RawGlobal): VirtualService {
  const service = v.service ?? 'none';
  // checktimeout and negotiatetimeout default to each other, virtual before global.
  const checktimeout = v.checktimeout ?? v.negotiatetimeout ?? g.checktimeout ?? g.negotiatetimeout ?? DEFAULT_CHECKTIMEOUT;
  const negotiatetimeout = v.negotiatetimeout ?? v.checktimeout ?? g.negotiatetimeout ?? g.checktimeout ?? DEFAULT_NEGOTIATETIMEOUT;
  const base = {
    id: virtualIdOf(v), line: v.line, family: v.family, protocol: v.protocol,
    ...(v.address !== undefined ? { address: v.address } : {}),
    port: v.port,
    ...(v.fwmark !== undefined ? { fwmark: v.fwmark } : {}),
    service, checktype: v.checktype,
    ...(v.combinedConnects !== undefined ? { combinedConnects: v.combinedConnects } : {}),
    scheduler: v.scheduler,
    ...(v.persistent !== undefined ? { persistent: v.persistent } : {}),
    ...(v.netmask !== undefined ? { netmask: v.netmask } : {}),
    ...(v.schedflags !== undefined ? { schedflags: v.schedflags } : {}),
    ops: v.ops, request: v.request, receive: v.receive, login: v.login, passwd: v.passwd,
    database: v.database, secret: v.secret,
    ...(v.load !== undefined ? { load: v.load } : {}),
    httpmethod: v.httpmethod,
    ...(v.virtualhost !== undefined ? { virtualhost: v.virtualhost } : {}),
    checkcommand: v.checkcommand,
    ...(v.checkport !== undefined ? { checkport: v.checkport } : {}),
    checktimeout, negotiatetimeout,
    checkcount: v.checkcount ?? g.checkcount,
    failurecount: v.failurecount ?? g.failurecount,
    // run_child(): `$$v{checkinterval} || $CHECKINTERVAL`, and only forked children use it.
    checkinterval: g.fork && v.checkinterval ? v.checkinterval : g.checkinterval,
    ...(v.checkinterval !== undefined ? { ownCheckinterval: v.checkinterval } : {}),
    ...(v.fallback !== undefined ? { fallback: v.fallback } : {}),
    ...(v.fallbackcommand !== undefined ? { fallbackcommand: v.fallbackcommand } : {}),
    quiescent: v.quiescent ?? g.quiescent,
    ...(v.emailalert !== undefined ? { emailalert: v.emailalert } : {}),
    ...(v.emailalertfreq !== undefined ? { emailalertfreq: v.emailalertfreq } : {}),
    ...(v.emailalertstatus !== undefined ? { emailalertstatus: v.emailalertstatus } : {}),
    ...(v.monitorfile !== undefined ? { monitorfile: v.monitorfile } : {}),
    cleanstop: v.cleanstop ?? g.cleanstop,
    ...(v.smtp !== undefined ? { smtp: v.smtp } : {}),
    ...(v.servicename !== undefined ? { servicename: v.servicename } : {}),
    ...(v.comment !== undefined ? { comment: v.comment } : {}),
    ...(v.tlsVerify !== undefined ? { tlsVerify: v.tlsVerify } : {}),
  } satisfies Omit<VirtualService, 'reals'>;
  const checkKey = checkKeyMaker(v);
  // A range can expand to 65,536 reals: the shared parts are computed once per virtual.
  const quoted = new Map<string, string>();
  const quote = (t: string) => quoted.get(t) ?? quoted.set(t, quotemeta(t)).get(t)!;
  const reals = v.reals.map((r) => {
    const real = setupReal(v, service, r);
    const ldirectordId = realIdOf({
      checktype: v.checktype, service, checkcommand: v.checkcommand, protocol: v.protocol,
      address: r.address, port: r.port, virtualhost: v.virtualhost, checkport: v.checkport,
      weight: r.weight, forward: r.forward,
      // get_real_id_str() runs before ld_setup() fills in the virtual's pair.
      request: r.request ?? v.request, receive: r.receive ?? v.receive,
    }, quote);
    return Object.assign(real, { ldirectordId, checkKey: checkKey(ldirectordId) });
  });
  return { ...base, reals };
}

export function buildConfig(path: string, parsed: ParseResult): Config {
  const g = parsed.global;
  const virtuals = parsed.virtuals.map((v) => setupVirtual(v, g));
  const shared = new Map<string, { ldirectordId: string; checkKey: string; virtuals: string[] }>();
  for (const v of virtuals) {
    for (const r of v.reals) {
      const entry = shared.get(r.checkKey) ?? { ldirectordId: r.ldirectordId, checkKey: r.checkKey, virtuals: [] };
      entry.virtuals.push(v.id);
      shared.set(r.checkKey, entry);
    }
  }
  return {
    path,
    global: { ...g, execute: [...g.execute] },
    virtuals,
    sharedChecks: [...shared.values()],
    warnings: parsed.warnings,
  };
}
