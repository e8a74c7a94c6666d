// Differential check runs: one ldirectord.cf, checked once by real ldirectord 4.12's own code
// (ldirectord-checks.pl: read_config, ld_setup, _check_real) and once by tslvs (its config reader,
// then checks/registry.ts's planProbe, as the daemon will). Both read the same file, so neither
// side's defaults (service from the port, udp for port 53, timeouts, URLs, request/receive of a
// real) are rebuilt by hand here.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../src/config/load.js';
import { ServicesTable, staticResolver } from '../../src/config/resolve.js';
import { planProbe, probeKindFor } from '../../src/checks/registry.js';

const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ldirectord-checks.pl');
export const LDIRECTORD = '/usr/sbin/ldirectord';

/**
 * What ldirectord did with the real: service_set(up|down); `none` = the check returned without
 * calling service_set (the real keeps its previous state); `stalled` = still running at the
 * harness's limit (ldirectord has no deadline for it; with fork=no the whole daemon waits).
 */
export type LdVerdict = 'up' | 'down' | 'none' | 'stalled';

export interface LdResult {
  virtual: string;
  real: string;
  calls: Array<{ state: 'up' | 'down'; message: string }>;
  finished: boolean;
  ms: number;
  verdict: LdVerdict;
}

/** virtual, real: ldirectord's ids (get_virtual_id_str, get_real_id_str) as tslvs computes them. */
export interface TsResult { virtual: string; real: string; up: boolean; message: string; ms: number }

/** Private nsswitch.conf (hosts from files only): Net::SMTP's hostfqdn() and friends never ask DNS. */
function nsswitchFile(dir: string): string {
  const file = path.join(dir, 'nsswitch.conf');
  fs.writeFileSync(file, 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n');
  return file;
}

/** Every virtual's first real, checked by ldirectord's code: one perl process, checks in children. */
export async function ldirectordChecks(cfgFile: string, opts: { parallel: number; limitSeconds: number; env?: NodeJS.ProcessEnv }): Promise<LdResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-ldchecks-'));
  try {
    const r = await execa('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/nsswitch.conf && exec "$@"', nsswitchFile(dir),
      'perl', HARNESS, cfgFile, String(opts.parallel), String(opts.limitSeconds)], {
      reject: false, env: { HOSTNAME: 'director', ...opts.env }, timeout: 120_000,
    });
    if (r.exitCode !== 0) throw new Error(`ldirectord harness failed (${r.exitCode}):\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<LdResult, 'verdict'>[];
    return out.map((o) => ({
      ...o,
      verdict: !o.finished ? 'stalled' : o.calls.length === 0 ? 'none' : o.calls[o.calls.length - 1]!.state,
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The same file through tslvs: config reader (no name lookups), planProbe, the probe's deadline. */
export async function tslvsChecks(cfgText: string, cfgFile: string): Promise<TsResult[]> {
  const config = await parseConfigText(cfgText, cfgFile, { resolver: staticResolver({}, ServicesTable.fromFile(), 'director') });
  return Promise.all(config.virtuals.map(async (v) => {
    const real = v.reals[0]!;
    const kind = probeKindFor(v);
    if (!kind) return { virtual: v.id, real: real.ldirectordId, up: v.checktype === 'on', message: `checktype=${v.checktype}: no probe`, ms: 0 };
    const p = planProbe(v, real, kind);
    const start = Date.now();
    const res = await p.check(p.target, p.options, AbortSignal.timeout(p.deadlineMs));
    return { virtual: v.id, real: real.ldirectordId, up: res.up, message: res.message, ms: Date.now() - start };
  }));
}
