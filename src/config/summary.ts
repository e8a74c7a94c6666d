// The human-readable account `tslvs validate` prints: what ldirectord would run, with every
// default made visible (the model is already redacted when it gets here).
import type { Config, Fallback, RealServer, VirtualService } from './model.js';
import { hostPort } from '../ipvs/keys.js';

export interface Paint {
  heading(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
}

export const plainPaint: Paint = { heading: (t) => t, dim: (t) => t, warn: (t) => t };

function fallbackText(f: Fallback): string {
  return `${hostPort(f.address, f.port)} ${f.forward}`;
}

function yn(b: boolean): string {
  return b ? 'yes' : 'no';
}

function checkText(v: VirtualService): string {
  switch (v.checktype) {
    case 'negotiate': return `negotiate ${v.service} (timeout ${v.negotiatetimeout}s)`;
    case 'combined': return `combined: ${v.combinedConnects} connect checks (timeout ${v.checktimeout}s), `
      + `then negotiate ${v.service} (timeout ${v.negotiatetimeout}s)`;
    case 'connect': return v.protocol === 'udp'
      ? `connect, as ping for udp (timeout ${v.checktimeout}s)`
      : `connect (timeout ${v.checktimeout}s)`;
    case 'ping': return `ping, ${v.checkcount} echo request(s) (timeout ${v.checktimeout}s)`;
    case 'external':
    case 'external-perl': return `${v.checktype} ${JSON.stringify(v.checkcommand)} (timeout ${v.checktimeout}s)`;
    case 'on': return 'on (always up, no check)';
    case 'off': return 'off (no real server is added)';
  }
}

function realLine(v: VirtualService, r: RealServer): string {
  const parts = [hostPort(r.address, r.port), r.forward, `weight ${r.weight}`];
  if (r.lowerThreshold || r.upperThreshold) parts.push(`thresholds l:${r.lowerThreshold} u:${r.upperThreshold}`);
  if (v.checktype === 'negotiate' || v.checktype === 'combined') {
    if (['http', 'https', 'http_proxy'].includes(v.service)) parts.push(`${v.httpmethod} ${r.url}`);
    else if (r.ownRequest || v.request !== '/') parts.push(`request ${JSON.stringify(r.request)}`);
    if (r.receive) parts.push(`expect ${JSON.stringify(r.receive)}`);
  }
  return parts.join('  ');
}

export function summarize(config: Config, paint: Paint = plainPaint): string {
  const g = config.global;
  const reals = config.virtuals.reduce((n, v) => n + v.reals.length, 0);
  const out: string[] = [];
  out.push(paint.heading(`${config.path}: OK, ${config.virtuals.length} virtual service(s), ${reals} real server(s)`));
  out.push('');
  out.push(paint.heading('Global'));
  out.push(`  checkinterval ${g.checkinterval}s  checktimeout ${g.checktimeout ?? '-'}  `
    + `negotiatetimeout ${g.negotiatetimeout ?? '-'}  failurecount ${g.failurecount}`);
  out.push(`  fork ${yn(g.fork)}  supervised ${yn(g.supervised)}  autoreload ${yn(g.autoreload)}  `
    + `quiescent ${yn(g.quiescent)}  readdquiescent ${yn(g.readdquiescent)}  cleanstop ${yn(g.cleanstop)}`);
  out.push(`  logfile ${g.logfile}${g.logfile.startsWith('/') ? '' : ' (syslog facility)'}`);
  if (g.fallback) out.push(`  fallback ${fallbackText(g.fallback.tcp)}`);
  if (g.fallback6) out.push(`  fallback6 ${fallbackText(g.fallback6.tcp)}`);
  if (g.fallbackcommand) out.push(`  fallbackcommand ${g.fallbackcommand}`);
  if (g.callback) out.push(`  callback ${g.callback}`);
  if (g.maintenancedir) out.push(`  maintenancedir ${g.maintenancedir}`);
  if (g.emailalert) out.push(`  emailalert ${g.emailalert} (every ${g.emailalertfreq}s, on ${g.emailalertstatus.join(',') || 'none'})`);
  if (g.execute.length) out.push(`  execute ${g.execute.join(' ')}`);
  for (const v of config.virtuals) {
    out.push('');
    const what = v.protocol === 'fwm'
      ? `fwmark ${v.fwmark}${v.family === 6 ? ' (IPv6)' : ''}`
      : `${v.protocol} ${hostPort(v.address ?? '', v.port)}`;
    out.push(paint.heading(`Virtual ${what}`) + paint.dim(`  (${v.id}, line ${v.line})`));
    const sched = [`scheduler ${v.scheduler}`];
    if (v.schedflags) sched.push(`flags ${v.schedflags}`);
    if (v.persistent !== undefined) sched.push(`persistent ${v.persistent}s${v.netmask ? ` mask ${v.netmask}` : ''}`);
    if (v.ops) sched.push('one-packet scheduling');
    out.push(`  ${sched.join('  ')}`);
    out.push(`  check ${checkText(v)}, every ${v.checkinterval}s, failurecount ${v.failurecount}`
      + `${v.checkport ? `, port ${v.checkport}` : ''}`);
    const creds: string[] = [];
    if (v.login) creds.push(`login ${v.login}`);
    if (v.passwd) creds.push(`passwd ${v.passwd}`);
    if (v.secret) creds.push(`secret ${v.secret}`);
    if (v.database) creds.push(`database ${v.database}`);
    if (v.virtualhost) creds.push(`virtualhost ${v.virtualhost}`);
    if (creds.length) out.push(`  ${creds.join('  ')}`);
    out.push(`  quiescent ${yn(v.quiescent)}  cleanstop ${yn(v.cleanstop)}`);
    if (v.fallback) out.push(`  fallback ${fallbackText(v.fallback)}`);
    if (v.fallbackcommand) out.push(`  fallbackcommand ${v.fallbackcommand}`);
    if (v.monitorfile) out.push(`  monitorfile ${v.monitorfile}`);
    if (v.emailalert) out.push(`  emailalert ${v.emailalert}`);
    if (v.reals.length === 0) out.push(paint.warn('  no real servers'));
    for (const r of v.reals) out.push(`  real ${realLine(v, r)}`);
  }
  return `${out.join('\n')}\n`;
}
