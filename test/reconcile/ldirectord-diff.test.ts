// Differential test against real ldirectord 4.12: the same config and the same sequence of
// check results go through ldirectord's own subs (ldirectord-core.pl: service_set,
// _service_up/_service_down, _restore_service/_remove_service, fallback_on/off,
// do_fallback_command, ld_start, ld_stop, over an in-memory table) and through tslvs's
// health → desired → reconcile. Every step must log the same lines (order within a step
// aside: tslvs writes the fallback before deleting the last real), run the same
// fallbackcommands, and end with the same table.
// Needs /usr/sbin/ldirectord (apt-get install ldirectord); skipped without it.
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bracketed } from '../../src/ipvs/keys.js';
import type { Config } from '../../src/config/model.js';
import { desiredState } from '../../src/desired/build.js';
import { initHealth } from '../../src/health/init.js';
import { recordOutcome } from '../../src/health/machine.js';
import type { Outcome } from '../../src/health/types.js';
import type { Real, Table } from '../../src/ipvs/types.js';
import { reconcile, reconcileStop } from '../../src/reconcile/reconcile.js';
import type { FallbackCommandStatus } from '../../src/reconcile/types.js';
import { applyOps, cfg } from './support.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LDIRECTORD = process.env.LDIRECTORD ?? '/usr/sbin/ldirectord';
const available = fs.existsSync(LDIRECTORD);

type Step = [number, number, 'up' | 'down' | 'maint'];
interface StepLog { log: string[]; cmds: string[] }
interface RunResult { steps: StepLog[]; table: Record<string, Record<string, string>> }

const FWD: Record<Real['forwarding'], string> = { Route: 'gate', Masq: 'masq', Tunnel: 'ipip', Local: 'gate' };

function serviceStr(s: Table['services'][number]): string {
  return s.id.kind === 'fwmark' ? `${s.id.fwmark} fwm${s.id.family === 'inet6' ? '6' : ''}` : `${bracketed(s.id.address)}:${s.id.port} ${s.id.protocol}`;
}

/** Every configured virtual with every real in, at its weight: a running director (no adoption dance). */
function allUp(c: Config, absent: Array<[number, number]> = []): Table {
  return {
    services: c.virtuals.map((v, vi) => ({
      id: v.protocol === 'fwm' ? { kind: 'fwmark' as const, fwmark: v.fwmark!, family: v.family === 6 ? 'inet6' as const : 'inet' as const }
        : { kind: 'addr' as const, protocol: v.protocol, address: v.address!, port: v.port },
      scheduler: v.scheduler, schedFlags: [], ops: false,
      reals: v.reals.filter((_r, ri) => !absent.some(([a, b]) => a === vi && b === ri)).map((r) => ({
        address: r.address, port: v.protocol !== 'fwm' && r.forward !== 'masq' ? v.port : r.port,
        forwarding: ({ gate: 'Route', masq: 'Masq', ipip: 'Tunnel' } as const)[r.forward], weight: r.weight,
        upperThreshold: r.upperThreshold, lowerThreshold: r.lowerThreshold, activeConns: 0, inactiveConns: 0,
      })),
    })),
  };
}

function withExtra(t: Table, extra: Scenario['extra']): Table {
  if (!extra) return t;
  return {
    services: t.services.map((svc) => ({
      ...svc,
      reals: [...svc.reals, ...Object.entries(extra[serviceStr(svc)] ?? {}).map(([rs, e]) => {
        const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(rs)!;
        const forwarding = ({ gate: 'Route', masq: 'Masq', ipip: 'Tunnel' } as const)[e.forward as 'gate'];
        return { address: m[1]!, port: Number(m[2]), forwarding, weight: e.weight, upperThreshold: 0, lowerThreshold: 0, activeConns: 0, inactiveConns: 0 };
      })],
    })),
  };
}

function perlTable(t: Table): Record<string, Record<string, { forward: string; weight: number; u: number; l: number }>> {
  return Object.fromEntries(t.services.map((s) => [serviceStr(s), Object.fromEntries(s.reals.map((r) => [
    `${bracketed(r.address)}:${r.port}`, { forward: FWD[r.forwarding], weight: r.weight, u: r.upperThreshold, l: r.lowerThreshold }]))]));
}

function finalTable(t: Table): RunResult['table'] {
  return Object.fromEntries(t.services.map((s) => [serviceStr(s), Object.fromEntries(s.reals.map((r) => [
    `${bracketed(r.address)}:${r.port}`, `${FWD[r.forwarding]} ${r.weight} u${r.upperThreshold} l${r.lowerThreshold}`]))]));
}

let nss: string | undefined;
async function runPerl(configText: string, initial: Table, steps: Step[], stop: boolean): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-core-'));
  try {
    const cf = path.join(dir, 'ldirectord.cf');
    const script = path.join(dir, 'script.json');
    fs.writeFileSync(cf, configText);
    fs.writeFileSync(script, JSON.stringify({ table: perlTable(initial), steps, stop: stop ? 1 : 0 }));
    if (!nss) {
      nss = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-nss-')), 'nsswitch.conf');
      fs.writeFileSync(nss, 'hosts: files\nservices: files\n');
    }
    // Names resolve from /etc/hosts only (the configs are numeric anyway): no DNS query leaves.
    const r = await execa('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/nsswitch.conf && exec "$@"', nss,
      'perl', path.join(HERE, 'ldirectord-core.pl'), cf, script], { reject: false, env: { LDIRECTORD, HOSTNAME: 'director' }, timeout: 60_000 });
    if (r.exitCode !== 0) throw new Error(`ldirectord harness failed (${r.exitCode}): ${r.stderr}`);
    return JSON.parse(r.stdout) as RunResult;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runTslvs(configText: string, initial: Table, steps: Step[], stop: boolean): Promise<RunResult> {
  const c = await cfg(configText);
  let observed = initial;
  let health = initHealth(c, observed);
  let status: Record<string, FallbackCommandStatus> | undefined;
  const out: StepLog[] = [];
  const round = (phase: 'start' | 'round', healthLines: string[]) => {
    const r = reconcile({ desired: desiredState(c, health, observed), observed, phase, lastSeen: phase === 'round' ? observed : undefined, fallbackCommandStatus: status });
    status = r.fallbackCommandStatus;
    observed = applyOps(observed, r.ops);
    out.push({ log: [...healthLines, ...r.events.map((e) => e.message)], cmds: r.commands.map((x) => x.line) });
  };
  round('start', []);
  for (const [vi, ri, result] of steps) {
    const outcome: Outcome = result === 'maint' ? { kind: 'maintenance' } : { kind: result, message: '' };
    const rec = recordOutcome(health, c, c.virtuals[vi]!.reals[ri]!.checkKey, outcome);
    health = rec.health;
    round('round', rec.events.map((e) => e.message));
  }
  if (stop) {
    const r = reconcileStop({ desired: desiredState(c, health, observed), observed });
    observed = applyOps(observed, r.ops);
    out.push({ log: r.events.map((e) => e.message), cmds: [] });
  }
  return { steps: out, table: finalTable(observed) };
}

interface Scenario {
  name: string;
  config: string;
  steps: Step[];
  stop?: boolean;
  /** Reals [vi, ri] not in the table at start (all others are in at their weight). */
  absent?: Array<[number, number]>;
  /** Deliberate differences at start-up: each side's lines, asserted instead of comparing them. */
  start?: { ldirectord: string[]; tslvs: string[] };
  /** Lines only ldirectord logs at step N (0 = start, 1 = first check, last = stop). */
  onlyLdirectord?: Record<number, string[]>;
  /** Lines only tslvs logs at step N. */
  onlyTslvs?: Record<number, string[]>;
  /** The final tables differ on purpose: each side's entries that differ ("svc|real" → "fwd weight"). */
  tables?: { ldirectord: Record<string, string>; tslvs: Record<string, string> };
  /** Extra entries in the initial table ("svc str" → "RIP:PORT" → fwd weight). */
  extra?: Record<string, Record<string, { forward: string; weight: number }>>;
}

const scenarios: Scenario[] = [
  {
    name: 'soft failures, fallback on/off, fallbackcommand',
    config: `fallbackcommand=/usr/local/bin/fb
virtual=10.0.0.1:80
    real=10.0.0.2:80 masq 3
    real=10.0.0.3:80 gate 2 l:1 u:50
    fallback=127.0.0.1:8000 masq
    failurecount=2
`,
    steps: [[0, 0, 'down'], [0, 0, 'up'], [0, 0, 'down'], [0, 0, 'down'], [0, 1, 'down'], [0, 1, 'down'], [0, 1, 'down'],
      [0, 0, 'up'], [0, 1, 'up'], [0, 0, 'down'], [0, 0, 'down'], [0, 0, 'up']],
  },
  {
    name: 'quiescent reals and the fallback',
    config: `quiescent=yes
virtual=10.0.0.1:80
    real=10.0.0.2:80 gate 3
    real=10.0.0.3:8080 masq 2
    fallback=127.0.0.1:80 gate
`,
    steps: [[0, 0, 'down'], [0, 1, 'down'], [0, 1, 'up'], [0, 0, 'up'], [0, 0, 'down'], [0, 1, 'down'], [0, 0, 'up']],
  },
  {
    name: 'readdquiescent',
    config: `quiescent=yes
readdquiescent=yes
virtual=10.0.0.1:80
    real=10.0.0.2:80 gate 3
    real=10.0.0.3:80 gate 1
`,
    steps: [[0, 0, 'down'], [0, 0, 'up'], [0, 1, 'down'], [0, 1, 'down'], [0, 1, 'up']],
  },
  {
    name: 'a real shared by two virtuals with different failurecounts',
    config: `virtual=10.0.0.1:80
    real=10.0.0.5:80 gate
    real=10.0.0.6:80 gate
    failurecount=3
virtual=10.0.0.9:80
    real=10.0.0.5:80 gate
    failurecount=2
    fallback=127.0.0.1:80 gate
`,
    steps: [[0, 0, 'down'], [0, 0, 'up'], [0, 0, 'down'], [0, 0, 'down'], [0, 0, 'down'], [0, 0, 'up'], [0, 1, 'down']],
  },
  {
    // ld_start() looks for a gate/ipip real under its configured port, misses it (IPVS keeps
    // it under the virtual's port), purges it as untracked and then adds and deletes it again
    // (the add/delete dance): a live real is out until its next check. tslvs adopts it.
    name: 'start-up with live gate and ipip reals on another port',
    config: `virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate 2
    real=10.0.0.3:8081 ipip
`,
    steps: [],
    start: {
      ldirectord: [
        'Purged real server (start): 10.0.0.2:80 (10.0.0.1:80)',
        'Purged real server (start): 10.0.0.3:80 (10.0.0.1:80)',
        'Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 2)',
        'Deleted real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80)',
        'Added real server: 10.0.0.3:8081 (10.0.0.1:80) (Weight set to 1)',
        'Deleted real server: 10.0.0.3:80 mapped from 10.0.0.3:8081 (10.0.0.1:80)',
      ],
      tslvs: [],
    },
  },
  {
    // Reals that are not in the table at start: ldirectord adds each at full weight and
    // deletes it again (REFERENCE "faults tslvs fixes"); tslvs waits for the first check.
    name: 'gate and ipip reals on another port: deleted "mapped from", added with their own port',
    config: `virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate 2
    real=10.0.0.3:8081 ipip
    real=10.0.0.4:8082 masq
    fallback=127.0.0.1:8000 gate
`,
    absent: [[0, 0], [0, 1]],
    start: {
      ldirectord: [
        'Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 2)',
        'Deleted real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80)',
        'Added real server: 10.0.0.3:8081 (10.0.0.1:80) (Weight set to 1)',
        'Deleted real server: 10.0.0.3:80 mapped from 10.0.0.3:8081 (10.0.0.1:80)',
      ],
      tslvs: [],
    },
    // The dance's forced "down" counted a failure, so the first pass resets a count in ldirectord.
    onlyLdirectord: {
      1: ['Resetting soft failure count: 10.0.0.2:8080 (tcp:10.0.0.1:80)'],
      2: ['Resetting soft failure count: 10.0.0.3:8081 (tcp:10.0.0.1:80)'],
    },
    steps: [[0, 0, 'up'], [0, 1, 'up'], [0, 2, 'down'], [0, 0, 'down'], [0, 1, 'down'], [0, 0, 'up'], [0, 1, 'up']],
  },
  {
    name: 'maintenance, fwmark and IPv6 virtuals',
    config: `virtual=5
    real=10.0.0.2:0 gate
    real=10.0.0.3:0 masq 4
    failurecount=2
    fallback=127.0.0.1:0 gate
virtual6=[2001:db8::1]:80
    real6=[2001:db8::2]:80 gate
    real6=[2001:db8::3]:80 masq
    quiescent=yes
    failurecount=2
`,
    steps: [[0, 0, 'maint'], [0, 0, 'maint'], [0, 1, 'down'], [0, 1, 'down'], [0, 0, 'up'], [1, 0, 'down'], [1, 0, 'down'], [1, 1, 'maint'], [1, 0, 'up'], [1, 1, 'up']],
  },
  {
    name: 'global fallbacks (anonymous port, fallback6) and fallbackcommand targets',
    config: `fallback=127.0.0.1 masq
fallback6=[::1] gate
fallbackcommand=/usr/local/bin/fb
virtual=10.0.0.1:8080
    real=10.0.0.2:8080 gate
virtual6=[2001:db8::1]:443
    real6=[2001:db8::2]:443 gate
virtual=10.0.0.1:53
    protocol=udp
    real=10.0.0.2:53 gate
    fallbackcommand=/usr/local/bin/dns-fb
`,
    steps: [[0, 0, 'down'], [1, 0, 'down'], [2, 0, 'down'], [0, 0, 'up'], [1, 0, 'up'], [2, 0, 'up']],
  },
  {
    // fallback_find() on a fwmark virtual looks up $FALLBACK->{fwm}, which does not exist, and
    // adds a server with no address; tslvs gives fwmark virtuals no global fallback.
    name: 'a global fallback and a fwmark virtual',
    config: `fallback=127.0.0.1:80 gate
virtual=5
    real=10.0.0.2:0 gate
`,
    steps: [[0, 0, 'down'], [0, 0, 'up']],
    onlyLdirectord: {
      1: ['Added fallback server: :0 (5) (Weight set to 1)'],
      2: ['Deleted fallback server: :0 (5)'],
    },
  },
  {
    name: 'checktype=off: ldirectord keeps live reals forever, tslvs takes them out for the fallback',
    config: `virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    checktype=off
    fallback=127.0.0.1:80 gate
`,
    steps: [],
    start: {
      ldirectord: [],
      tslvs: ['Added fallback server: 127.0.0.1:80 (10.0.0.1:80) (Weight set to 1)', 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)'],
    },
    tables: {
      ldirectord: { '10.0.0.1:80 tcp|10.0.0.2:80': 'gate 1 u0 l0' },
      tslvs: { '10.0.0.1:80 tcp|127.0.0.1:80': 'gate 1 u0 l0' },
    },
  },
  {
    name: 'a fallback in the table at start while reals are up',
    config: `virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    fallback=127.0.0.1:80 gate
`,
    extra: { '10.0.0.1:80 tcp': { '127.0.0.1:80': { forward: 'gate', weight: 1 } } },
    steps: [[0, 0, 'down'], [0, 0, 'up']],
  },
  {
    // _restore_service() looks the real up under its configured port, misses the entry IPVS
    // keeps under the virtual's port, runs ipvsadm -a (refused) and logs "Added" anyway; and
    // _remove_service() then finds it at weight 0 and says nothing. (ld_start quiesces it
    // after its add/delete dance; tslvs leaves it out until its check passes.)
    name: 'a quiescent gate real on another port',
    config: `virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate 2
    real=10.0.0.3:80 gate
    quiescent=yes
`,
    absent: [[0, 0]],
    start: {
      ldirectord: ['Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 2)',
        'Quiescent real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 0)'],
      tslvs: [],
    },
    steps: [[0, 0, 'up'], [0, 0, 'down'], [0, 0, 'up']],
    onlyLdirectord: {
      1: ['Resetting soft failure count: 10.0.0.2:8080 (tcp:10.0.0.1:80)'],
      3: ['Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 2)'],
    },
    onlyTslvs: {
      2: ['Quiescent real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 0)'],
      3: ['Restored real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 2)'],
    },
    tables: {
      ldirectord: { '10.0.0.1:80 tcp|10.0.0.2:80': 'gate 0 u0 l0' },
      tslvs: { '10.0.0.1:80 tcp|10.0.0.2:80': 'gate 2 u0 l0' },
    },
  },
  {
    // ld_stop() asks each virtual's own real object for virtual_status, but _status_up() only
    // ever sets it on the object that was probed (the first virtual's): a real shared by two
    // virtuals is named only in the first. tslvs names it in every virtual it is purged from.
    name: 'cleanstop and a real shared by two virtuals',
    config: `virtual=10.0.0.1:80
    real=10.0.0.5:80 gate
    real=10.0.0.6:80 gate
virtual=10.0.0.9:80
    real=10.0.0.5:80 gate
    real=10.0.0.7:80 gate
`,
    steps: [[0, 1, 'down']],
    stop: true,
    onlyTslvs: { 2: ['Purged real server (stop): 10.0.0.5:80 (10.0.0.9:80)'] },
  },
  {
    // Thresholds are not part of ldirectord's real id: service_set() applies the probed
    // (first) virtual's real, thresholds included, to every virtual that shares it.
    name: 'a real shared by two virtuals with different thresholds',
    config: `virtual=10.0.0.1:80
    real=10.0.0.5:80 gate 1 l:1 u:10
virtual=10.0.0.9:80
    real=10.0.0.5:80 gate 1 l:2 u:20
`,
    start: {
      // ld_start forces each virtual's copy up in turn, and each sets its own thresholds everywhere
      ldirectord: ['Restored real server: 10.0.0.5:80 (10.0.0.9:80) (Weight set to 1)',
        'Restored real server: 10.0.0.5:80 (10.0.0.1:80) (Weight set to 1)',
        'Restored real server: 10.0.0.5:80 (10.0.0.9:80) (Weight set to 1)'],
      tslvs: [],
    },
    steps: [[0, 0, 'down'], [0, 0, 'up']],
    tables: {
      ldirectord: { '10.0.0.9:80 tcp|10.0.0.5:80': 'gate 1 u10 l1' },
      tslvs: { '10.0.0.9:80 tcp|10.0.0.5:80': 'gate 1 u20 l2' },
    },
  },
  {
    name: 'cleanstop purges the reals that are up and the virtual',
    config: `cleanstop=yes
virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    real=10.0.0.3:80 gate
    real=10.0.0.4:80 gate
virtual=10.0.0.1:81
    real=10.0.0.2:81 gate
    cleanstop=no
`,
    steps: [[0, 1, 'down']],
    stop: true,
  },
  {
    name: 'cleanstop with a quiescent real: only the reals that are up are named',
    config: `virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    real=10.0.0.3:80 gate
    quiescent=yes
    fallback=127.0.0.1:80 gate
virtual=10.0.0.1:81
    real=10.0.0.2:81 gate
`,
    steps: [[0, 1, 'down'], [1, 0, 'down']],
    stop: true,
  },
];

const sorted = (s: StepLog) => ({ log: [...s.log].sort(), cmds: s.cmds });

(available ? describe : describe.skip)('same lines, commands and table as ldirectord 4.12', () => {
  test.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const c = await cfg(s.config);
    const initial = withExtra(allUp(c, s.absent), s.extra);
    const [perl, ts] = await Promise.all([runPerl(s.config, initial, s.steps, s.stop ?? false), runTslvs(s.config, initial, s.steps, s.stop ?? false)]);
    // ld_start() runs -E and logs "Changed virtual server" for every existing service; tslvs
    // edits (and logs) only a service that differs. Nothing else may differ.
    perl.steps[0]!.log = perl.steps[0]!.log.filter((l) => !l.startsWith('Changed virtual server: '));
    if (s.start) {
      // (ld_start walks a Perl hash for the dance: its order is random)
      expect([...perl.steps[0]!.log].sort()).toEqual([...s.start.ldirectord].sort());
      expect(ts.steps[0]!.log).toEqual(s.start.tslvs);
      perl.steps[0]!.log = [];
      ts.steps[0]!.log = [];
    }
    for (const [only, side] of [[s.onlyLdirectord, perl], [s.onlyTslvs, ts]] as const) {
      for (const [step, lines] of Object.entries(only ?? {})) {
        const log = side.steps[Number(step)]!.log;
        for (const line of lines) {
          expect(log).toContain(line);
          log.splice(log.indexOf(line), 1);
        }
      }
    }
    expect(ts.steps.map(sorted)).toEqual(perl.steps.map(sorted));
    if (s.tables) {
      for (const [side, want] of [[perl.table, s.tables.ldirectord], [ts.table, s.tables.tslvs]] as const) {
        for (const [at, value] of Object.entries(want)) {
          const [svcStr, realStr] = at.split('|') as [string, string];
          expect(side[svcStr]?.[realStr]).toBe(value);
          delete side[svcStr]![realStr];
        }
      }
    }
    if (!s.start || s.steps.length > 0) expect(ts.table).toEqual(perl.table);
  });
});
