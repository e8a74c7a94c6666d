// Runs real ldirectord's config reader (scripts/compat/ldirectord-config-dump.pl) and
// `tslvs validate --json` on the same file, in a private mount namespace whose nsswitch.conf
// says "hosts: files": names resolve from /etc/hosts only, so no DNS query ever leaves.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HARNESS = path.join(ROOT, 'scripts/compat/ldirectord-config-dump.pl');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');

let nsswitch: string | undefined;
function nsswitchFile(): string {
  if (!nsswitch) {
    nsswitch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-nss-')), 'nsswitch.conf');
    fs.writeFileSync(nsswitch, 'hosts: files\nservices: files\n');
  }
  return nsswitch;
}

export interface Run { stdout: string; stderr: string; exitCode: number }

async function isolated(argv: string[]): Promise<Run> {
  const r = await execa('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/nsswitch.conf && exec "$@"', nsswitchFile(), ...argv], {
    reject: false, encoding: 'latin1', env: { HOSTNAME: 'director', NO_COLOR: '1' }, timeout: 110_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
}

export const runLdirectord = (file: string) => isolated(['perl', HARNESS, file]);
export const runTslvs = (file: string) => isolated([process.execPath, TSLVS, 'validate', '--json', file]);

/** "Error [1234] …" → "Error [PID] …" so two processes' messages compare. */
export function normalizePids(text: string): string {
  return text.replace(/^(Error|Warning) \[\d+\]/gm, '$1 [PID]');
}

const STATUS_BITS: Record<string, number> = { starting: 1, running: 2, stopping: 4, reloading: 8 };

type Json = Record<string, unknown>;

function fallbackShape(f: Json | undefined): Json | undefined {
  if (!f) return undefined;
  const addr = String(f.address);
  return { server: addr.includes(':') ? `[${addr}]` : addr, port: f.port, forward: f.forward };
}

/** Every scalar as a string, null/undefined keys dropped: Perl keeps "3" where we keep 3. */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json).sort(([a], [b]) => a.localeCompare(b))) {
      const c = canonical(v);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return String(value);
}

const secretShape = (s: unknown) => (s ? 'SET' : '');

/** ldirectord's dump, reduced to what both sides must agree on. */
export function ldirectordView(dump: Json): unknown {
  const g = dump.global as Json;
  const virtuals = (dump.virtual as Json[]).map((v) => ({
    id: v.id, addressfamily: v.addressfamily, protocol: v.protocol, server: v.server, port: v.port,
    fwm: v.fwm, service: v.service, checktype: v.checktype,
    num_connects: v.checktype === 'combined' ? v.num_connects : undefined,
    scheduler: v.scheduler, persistent: v.persistent, netmask: v.netmask, schedflags: v.schedflags,
    ops: v.ops, request: v.request, receive: v.receive, login: v.login, passwd: secretShape(v.passwd),
    database: v.database, secret: secretShape(v.secret), load: v.load, httpmethod: v.httpmethod,
    virtualhost: v.virtualhost, checkcommand: v.checkcommand, checkport: v.checkport,
    checktimeout: v.checktimeout, negotiatetimeout: v.negotiatetimeout, checkcount: v.checkcount,
    failurecount: v.failurecount, checkinterval: v.checkinterval, fallbackcommand: v.fallbackcommand,
    emailalert: v.emailalert, emailalertfreq: v.emailalertfreq, emailalertstatus: v.emailalertstatus,
    monitorfile: v.monitorfile, smtp: v.smtp, servicename: v.servicename, comment: v.comment,
    fallback: v.fallback, quiescent: v.effective_quiescent, cleanstop: v.effective_cleanstop,
    effective_checkinterval: v.effective_checkinterval,
    real: (v.real as Json[]).map((r) => ({
      server: r.server, port: r.port, forward: r.forward, weight: r.weight, request: r.request,
      receive: r.receive, url: r.url, lower: r['l-threshold'] ?? 0, upper: r['u-threshold'] ?? 0, id: r.id,
    })),
  }));
  const fb = (f: unknown) => f ? { tcp: (f as Json).tcp, udp: (f as Json).udp } : undefined;
  const global = {
    checktimeout: Number(g.checktimeout) < 0 ? undefined : g.checktimeout,
    negotiatetimeout: Number(g.negotiatetimeout) < 0 ? undefined : g.negotiatetimeout,
    checkinterval: g.checkinterval, checkcount: g.checkcount, failurecount: g.failurecount,
    fallback: fb(g.fallback), fallback6: fb(g.fallback6), fallbackcommand: g.fallbackcommand,
    autoreload: g.autoreload, callback: g.callback, logfile: g.logfile, execute: g.execute, fork: g.fork,
    supervised: g.supervised, quiescent: g.quiescent, readdquiescent: g.readdquiescent,
    emailalert: g.emailalert || undefined, emailalertfreq: g.emailalertfreq,
    emailalertstatus: g.emailalertstatus, emailalertfrom: g.emailalertfrom, cleanstop: g.cleanstop,
    smtp: g.smtp, maintenancedir: g.maintenancedir,
  };
  const shared = (dump.shared as Json[]).map((s) => ({ real: s.real, virtual: s.virtual }));
  return canonical({ global, virtuals, shared });
}

const yn = (b: unknown) => (b ? 'yes' : 'no');
const statusBits = (list: unknown) => (list as string[]).reduce((n, s) => n + (STATUS_BITS[s] ?? 0), 0);

/** `tslvs validate --json`, mapped onto ldirectord's names. */
export function tslvsView(model: Json): unknown {
  const g = model.global as Json;
  const virtuals = (model.virtuals as Json[]).map((v) => ({
    id: v.id, addressfamily: v.family, protocol: v.protocol,
    server: v.address === undefined ? undefined : String(v.address).includes(':') ? `[${v.address}]` : v.address,
    port: v.port, fwm: v.fwmark, service: v.service, checktype: v.checktype, num_connects: v.combinedConnects,
    scheduler: v.scheduler, persistent: v.persistent, netmask: v.netmask, schedflags: v.schedflags,
    ops: yn(v.ops), request: v.request, receive: v.receive, login: v.login, passwd: secretShape(v.passwd),
    database: v.database, secret: secretShape(v.secret), load: v.load, httpmethod: v.httpmethod,
    virtualhost: v.virtualhost, checkcommand: v.checkcommand, checkport: v.checkport,
    checktimeout: v.checktimeout, negotiatetimeout: v.negotiatetimeout, checkcount: v.checkcount,
    failurecount: v.failurecount, checkinterval: v.ownCheckinterval, fallbackcommand: v.fallbackcommand,
    emailalert: v.emailalert, emailalertfreq: v.emailalertfreq,
    emailalertstatus: v.emailalertstatus === undefined ? undefined : statusBits(v.emailalertstatus),
    monitorfile: v.monitorfile, smtp: v.smtp, servicename: v.servicename, comment: v.comment,
    fallback: fallbackShape(v.fallback as Json | undefined), quiescent: yn(v.quiescent), cleanstop: yn(v.cleanstop),
    effective_checkinterval: v.checkinterval,
    real: (v.reals as Json[]).map((r) => ({
      server: String(r.address).includes(':') ? `[${r.address}]` : r.address, port: r.port, forward: r.forward,
      weight: r.weight, request: r.request, receive: r.receive, url: r.url, lower: r.lowerThreshold,
      upper: r.upperThreshold, id: r.ldirectordId,
    })),
  }));
  const fb = (f: unknown) => f ? { tcp: fallbackShape((f as Json).tcp as Json), udp: fallbackShape((f as Json).udp as Json) } : undefined;
  const global = {
    checktimeout: g.checktimeout, negotiatetimeout: g.negotiatetimeout, checkinterval: g.checkinterval,
    checkcount: g.checkcount, failurecount: g.failurecount, fallback: fb(g.fallback), fallback6: fb(g.fallback6),
    fallbackcommand: g.fallbackcommand, autoreload: yn(g.autoreload), callback: g.callback, logfile: g.logfile,
    execute: [...(g.execute as string[])].sort(), fork: yn(g.fork), supervised: yn(g.supervised),
    quiescent: yn(g.quiescent), readdquiescent: yn(g.readdquiescent), emailalert: g.emailalert,
    emailalertfreq: g.emailalertfreq, emailalertstatus: statusBits(g.emailalertstatus),
    emailalertfrom: g.emailalertfrom, cleanstop: yn(g.cleanstop), smtp: g.smtp, maintenancedir: g.maintenancedir,
  };
  // ldirectord's @REAL is keyed by its id; ours by a key that also covers credentials.
  const byId = new Map<string, string[]>();
  for (const s of model.sharedChecks as Json[]) {
    const list = byId.get(String(s.ldirectordId)) ?? [];
    list.push(...(s.virtuals as string[]));
    byId.set(String(s.ldirectordId), list);
  }
  const shared = [...byId].map(([real, virtual]) => ({ real, virtual }));
  return canonical({ global, virtuals, shared });
}

export function fixtureFiles(kind: 'valid' | 'broken'): string[] {
  const dir = path.join(ROOT, 'fixtures', kind);
  return fs.readdirSync(dir).filter((f) => f.endsWith('.cf')).sort().map((f) => path.join(dir, f));
}

/** Paths ("virtuals.1.real.0.url") where two canonical values differ. */
export function diffPaths(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b ? [] : [at];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    out.push(...diffPaths((a as Json)[k], (b as Json)[k], at ? `${at}.${k}` : k));
  }
  return out;
}
