// The soak (`npm run soak`): one tslvs daemon, started as operators start it, on the bench's fast
// stand-in ipvsadm, checking N loopback HTTP reals served by the bench's load generator, for a
// long time. Some reals never change, some always hang, some always refuse, and a flapping
// fifth is switched between answering, refusing and hanging at random moments (seeded). It
// samples the daemon's RSS and CPU, and every --check-every seconds compares the stand-in's
// table with the servers' true states, skipping only reals whose state changed within the
// last --grace seconds (detection time). Exit status 1 on any violation (a wrong table entry,
// the daemon gone, RSS over its limit or growing faster than its limit, no transition logged).
//
//   node bench/.out/soak.js [--duration=1800] [--reals=1000] [--check-every=60] [--grace=20]
//        [--flip-every=5] [--seed=1] [--rss-limit-mb=400] [--max-slope-mb-h=40] [--json=FILE] [--keep]
// Every flag also reads from the environment: SOAK_DURATION_S, SOAK_REALS, SOAK_CHECK_EVERY_S, ...
// The reals live under 127.40.0.0/16 ($BENCH_ADDR_BASE=40), away from the bench's 127.20.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { now, sleep, type Mode } from './common.js';
import { DirectorRun, LoadGen, ensureClient, liveRuns, makePlan, procSample, realKey, type ProcSample } from './harness.js';
import { virtualAddr } from './common.js';
import { CHECKINTERVAL, CHECKTIMEOUT, virtualsFor } from './scenarios.js';

interface Opts {
  durationS: number;
  reals: number;
  checkEveryS: number;
  graceS: number;
  flipEveryS: number;
  seed: number;
  rssLimitMB: number;
  maxSlopeMBh: number;
  json?: string;
  keep: boolean;
}

function opts(argv: string[]): Opts {
  const flag = (name: string, env: string, dflt: number): number => {
    const a = argv.find((x) => x.startsWith(`--${name}=`));
    const raw = a ? a.slice(name.length + 3) : process.env[env];
    if (raw === undefined || raw === '') return dflt;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0) throw new Error(`soak: --${name} (${env}) must be a non-negative number, not ${JSON.stringify(raw)}`);
    return v;
  };
  const json = argv.find((x) => x.startsWith('--json='))?.slice(7) ?? process.env['SOAK_JSON'];
  return {
    durationS: flag('duration', 'SOAK_DURATION_S', 1800),
    reals: flag('reals', 'SOAK_REALS', 1000),
    checkEveryS: flag('check-every', 'SOAK_CHECK_EVERY_S', 60),
    graceS: flag('grace', 'SOAK_GRACE_S', 20),
    flipEveryS: flag('flip-every', 'SOAK_FLIP_EVERY_S', 5),
    seed: flag('seed', 'SOAK_SEED', 1),
    rssLimitMB: flag('rss-limit-mb', 'SOAK_RSS_LIMIT_MB', 400),
    maxSlopeMBh: flag('max-slope-mb-h', 'SOAK_MAX_SLOPE_MB_H', 40),
    ...(json ? { json } : {}),
    keep: argv.includes('--keep') || process.env['SOAK_KEEP'] === '1',
  };
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Role = 'steady' | 'hang' | 'refuse' | 'flap';
/** By id: 1 in 20 always hangs, 1 in 20 always refuses, 1 in 5 flaps, the rest always answer. */
const roleOf = (i: number): Role => (i % 20 === 3 ? 'hang' : i % 20 === 7 ? 'refuse' : i % 5 === 1 ? 'flap' : 'steady');

interface CheckResult {
  atS: number;
  checked: number;
  skipped: number;
  mismatches: string[];
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}

const log = (s: string): void => {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

async function main(): Promise<number> {
  const o = opts(process.argv.slice(2));
  // Reals under 127.40.0.0/16 unless told otherwise: not the bench's 127.20 (read by realAddr, inherited by the workers).
  process.env['BENCH_ADDR_BASE'] ||= '40';
  ensureClient();
  const virtuals = virtualsFor(o.reals);
  const plan = makePlan(o.reals, virtuals, 0, CHECKINTERVAL, CHECKTIMEOUT);
  const roles = plan.modes.map((_, i) => roleOf(i));
  roles.forEach((r, i) => { plan.modes[i] = r === 'hang' ? 'hang' : r === 'refuse' ? 'refuse' : 'ok'; });
  const flappers = roles.flatMap((r, i) => (r === 'flap' ? [i] : []));
  const random = rng(o.seed);
  const t0 = now();
  const changedAt: number[] = plan.modes.map(() => t0);

  log(`${o.reals} reals (${flappers.length} flapping) in ${virtuals} virtuals, ` +
    `checkinterval=${CHECKINTERVAL} checktimeout=${CHECKTIMEOUT}, ` +
    `${o.durationS} s, table checked every ${o.checkEveryS} s (grace ${o.graceS} s)`);
  const lg = await LoadGen.start(plan);
  const run = new DirectorRun({ director: 'tslvs', plan, label: 'soak', preseed: false, standin: 'fast' });
  const stopAll = async (): Promise<void> => {
    for (const r of [...liveRuns]) await r.stop(5000).catch(() => undefined);
    await lg.stop().catch(() => undefined);
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the daemon and the load generator`);
      void stopAll().then(() => process.exit(130));
    });
  }

  const violations: string[] = [];
  const samples: ProcSample[] = [];
  const checks: CheckResult[] = [];
  let flips = 0;
  try {
    await run.start();
    log(`daemon pid ${run.pid}, work dir ${run.dir}`);
    const first = procSample(run.pid);
    if (first) samples.push(first);

    const tEnd = t0 + o.durationS * 1000;
    let nextSample = now() + 5000;
    let nextFlip = now() + o.flipEveryS * 1000;
    let nextCheck = now() + Math.min(o.checkEveryS, o.durationS) * 1000;
    const flipBatch = Math.max(1, Math.round(o.reals / 50));
    while (now() < tEnd || checks.length === 0) {
      const t = now();
      if (t >= nextSample) {
        const s = procSample(run.pid);
        if (!s) {
          violations.push(`daemon pid ${run.pid} is gone at ${((t - t0) / 1000).toFixed(0)} s`);
          break;
        }
        samples.push(s);
        const mb = s.vmRSSkB / 1024;
        if (mb > o.rssLimitMB) {
          violations.push(`RSS ${mb.toFixed(1)} MB over the ${o.rssLimitMB} MB limit at ${((t - t0) / 1000).toFixed(0)} s`);
        }
        nextSample += 5000;
      }
      if (t >= nextFlip && o.flipEveryS > 0 && flappers.length) {
        // a few flapping reals each time, each to a state other than its current one
        const byMode = new Map<Mode, number[]>();
        for (let k = 0; k < flipBatch; k++) {
          const id = flappers[Math.floor(random() * flappers.length)]!;
          const choices = (['ok', 'ok', 'refuse', 'hang'] as Mode[]).filter((m) => m !== lg.modes[id]);
          const mode = choices[Math.floor(random() * choices.length)]!;
          if ([...byMode.values()].some((ids) => ids.includes(id))) continue;
          byMode.set(mode, [...(byMode.get(mode) ?? []), id]);
        }
        for (const [mode, ids] of byMode) {
          const at = await lg.set(ids, mode);
          for (const id of ids) changedAt[id] = at;
          flips += ids.length;
        }
        nextFlip += o.flipEveryS * 1000;
      }
      if (t >= nextCheck) {
        const c = checkTable(run, lg.modes, changedAt, plan.virtualOf, o.graceS, t0);
        checks.push(c);
        log(`check at ${c.atS.toFixed(0)} s: ${c.checked} reals checked, ${c.skipped} changed within ${o.graceS} s, ` +
          `${c.mismatches.length} wrong` +
          (c.mismatches.length ? `: ${c.mismatches.slice(0, 5).join('; ')}` : ''));
        for (const m of c.mismatches) violations.push(`table at ${c.atS.toFixed(0)} s: ${m}`);
        nextCheck += o.checkEveryS * 1000;
      }
      await sleep(Math.max(5, Math.min(nextSample, nextFlip, nextCheck) - now()));
    }
  } finally {
    await run.stop(10_000).catch((e: unknown) => violations.push(`stop: ${(e as Error).message}`));
    await lg.stop();
  }

  // ---- the summary
  const logText = (() => {
    try {
      return readFileSync(run.logPath, 'latin1');
    } catch {
      return '';
    }
  })();
  const count = (re: RegExp): number => logText.split('\n').filter((l) => re.test(l)).length;
  const transitions = {
    added: count(/\] Added real server: /), deleted: count(/\] Deleted real server: /), failedToApply: count(/\] Failed to apply /),
  };
  if (flips > 0 && transitions.added + transitions.deleted === 0) {
    violations.push('no real server transition logged although servers changed state');
  }
  const warm = samples.filter((s) => s.t - t0 >= 60_000);
  const rssMB = samples.map((s) => s.vmRSSkB / 1024);
  const slopeMBh = warm.length >= 3 ? slope(warm.map((s) => (s.t - t0) / 3_600_000), warm.map((s) => s.vmRSSkB / 1024)) : null;
  // a slope over less than 10 minutes says more about the GC than about a leak: reported, not judged
  if (slopeMBh !== null && o.durationS >= 600 && slopeMBh > o.maxSlopeMBh) {
    violations.push(`RSS grows ${slopeMBh.toFixed(1)} MB/h (limit ${o.maxSlopeMBh})`);
  }
  const last = samples.at(-1);
  const elapsedS = samples.length >= 2 ? (last!.t - samples[0]!.t) / 1000 : 0;
  const cpu = samples.length >= 2 ? {
    selfPct: (100 * (last!.self - samples[0]!.self)) / elapsedS,
    childrenPct: (100 * (last!.children - samples[0]!.children)) / elapsedS,
    maxSelfPct5s: Math.max(...samples.slice(1).map((s, k) => (100 * (s.self - samples[k]!.self) * 1000) / (s.t - samples[k]!.t))),
  } : null;
  const summary = {
    startedAt: new Date(t0).toISOString(),
    options: o,
    reals: o.reals,
    virtuals,
    flapping: flappers.length,
    checkinterval: CHECKINTERVAL,
    checktimeout: CHECKTIMEOUT,
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    elapsedS: Math.round((now() - t0) / 1000),
    stateChanges: flips,
    transitions,
    rssMB: rssMB.length
      ? { min: Math.min(...rssMB), max: Math.max(...rssMB), last: rssMB.at(-1), slopeMBPerHour: slopeMBh, samples: rssMB.length }
      : null,
    cpu,
    checks: checks.map((c) => ({ atS: Math.round(c.atS), checked: c.checked, skipped: c.skipped, wrong: c.mismatches.length })),
    violations: violations.slice(0, 50),
    violationCount: violations.length,
  };
  const f = (x: number | null | undefined, d = 1): string => (x === null || x === undefined ? '—' : x.toFixed(d));
  process.stdout.write([
    `soak: ${summary.elapsedS} s, ${o.reals} reals (${flappers.length} flapping, ${roles.filter((r) => r === 'hang').length} hanging, ` +
      `${roles.filter((r) => r === 'refuse').length} refusing), ${flips} state changes`,
    `  transitions logged: ${transitions.added} added, ${transitions.deleted} deleted; Failed to apply: ${transitions.failedToApply}`,
    `  RSS MB: min ${f(summary.rssMB?.min)} max ${f(summary.rssMB?.max)} last ${f(summary.rssMB?.last)} ` +
      `slope ${f(slopeMBh)} MB/h (${rssMB.length} samples)`,
    `  CPU: daemon ${f(cpu?.selfPct)} % (max over 5 s ${f(cpu?.maxSelfPct5s)} %), its children ${f(cpu?.childrenPct)} %; ` +
      `load ${summary.loadavg}`,
    `  table checks: ${checks.length}, reals checked ${checks.reduce((a, c) => a + c.checked, 0)}, ` +
      `wrong ${checks.reduce((a, c) => a + c.mismatches.length, 0)}`,
    `  violations: ${violations.length}${violations.length ? `\n    ${violations.slice(0, 20).join('\n    ')}` : ''}`,
    `SOAK-JSON ${JSON.stringify(summary)}`,
    '',
  ].join('\n'));
  if (o.json) writeFileSync(o.json, JSON.stringify(summary, null, 1));
  if (violations.length === 0 && !o.keep) rmSync(run.dir, { recursive: true, force: true });
  else log(`work dir kept: ${run.dir}`);
  return violations.length ? 1 : 0;
}

/** The stand-in's table against the servers' states: answering reals in at weight 1, the others out. */
function checkTable(run: DirectorRun, modes: Mode[], changedAt: number[], virtualOf: number[], graceS: number, t0: number): CheckResult {
  const t = now();
  const table = run.table();
  const known = new Set<string>();
  const mismatches: string[] = [];
  let checked = 0;
  let skipped = 0;
  for (let i = 0; i < modes.length; i++) {
    const key = `${virtualAddr(virtualOf[i]!)}|${realKey(i)}`;
    known.add(key);
    if (t - changedAt[i]! < graceS * 1000) {
      skipped++;
      continue;
    }
    checked++;
    const w = table.get(key);
    const rk = realKey(i);
    if (modes[i] === 'ok' && w !== 1) mismatches.push(`${rk} answers but is ${w === undefined ? 'not in the table' : `at weight ${w}`}`);
    const down = modes[i] === 'hang' ? 'hangs' : 'refuses';
    if (modes[i] !== 'ok' && w !== undefined) mismatches.push(`${rk} ${down} but is in the table (weight ${w})`);
  }
  for (const key of table.keys()) if (!known.has(key)) mismatches.push(`unknown entry ${key}`);
  return { atS: (t - t0) / 1000, checked, skipped, mismatches };
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`soak: ${e instanceof Error ? e.stack : String(e)}\n`);
  for (const r of [...liveRuns]) void r.stop(2000);
  process.exit(2);
});
