// The measurements. Each run starts one director (tslvs or ldirectord, black-box, the same way)
// against its own load generator and stand-in table, and is capped by a time budget.
import { writeFileSync } from 'node:fs';
import { quantile, now, realAddr, sleep } from './common.js';
import { checkIntervals, countIn, ordinalPasses, type Pass } from './analyze.js';
import { DirectorRun, LoadGen, expectedTable, makePlan, realKey, touches, isWrite, type Director, type ExecRec, type ProcSample, type Plan, type Standin } from './harness.js';

// BENCH_CHECKINTERVAL / BENCH_CHECKTIMEOUT: other settings for one run (issue 13's 200-real case: 1 and 2).
export const CHECKINTERVAL = Number(process.env.BENCH_CHECKINTERVAL ?? 2);
export const CHECKTIMEOUT = Number(process.env.BENCH_CHECKTIMEOUT ?? 3);

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

export const virtualsFor = (n: number): number => (n <= 100 ? 4 : 10);

export interface SteadyOpts {
  director: Director;
  n: number;
  hang: number;
  /** complete passes to measure after the first one */
  passes: number;
  flips: number;
  streams: number;
  /** size of the mass change (0 = none); a single change is measured whenever mass > 0 */
  mass: number;
  budgetS: number;
  label?: string;
  standin?: Standin;
}

export interface FlipResult {
  server: string;
  downAt: number;
  /** ms from the server dying to the stand-in exec that removed it (null: not within the budget) */
  detectMs: number | null;
  recoverMs: number | null;
}

export interface ChangeResult {
  changes: number;
  applied: number;
  /** execs in the round (pass start to next pass start) that applied the last of the changes */
  execsInRound: number | null;
  /** execs from the flip until every change was in the table */
  execsTotal: number;
  writeExecs: number;
  rounds: number | null;
  applyS: number | null;
  complete: boolean;
}

export interface SteadyResult {
  director: Director;
  n: number;
  hang: number;
  virtuals: number;
  budgetS: number;
  elapsedS: number;
  startedAfterS: number | null;
  status: 'ok' | 'budget' | 'error';
  error?: string;
  passesMeasured: number;
  roundS: { median: number; max: number; spans: number[] } | null;
  /** a pass still running when the budget ended: its span so far and the share of servers it reached */
  partialPass: { spanS: number; coverage: number; extrapolatedS: number } | null;
  checkIntervalS: { median: number; p99: number } | null;
  checks: number;
  cpuPer1000Checks: { self: number; children: number } | null;
  execsPerRoundIdle: number | null;
  peakRssMB: number | null;
  flips: FlipResult[];
  latency: { n: number; medianS: number; p99S: number; maxS: number; recoverMedianS: number; timeouts: number } | null;
  single: ChangeResult | null;
  mass: ChangeResult | null;
  daemonThreads: number | null;
  stoppedGracefully: boolean | null;
  workDir: string;
}

function activeIds(plan: Plan): number[] {
  const out: number[] = [];
  for (let i = 0; i < plan.n; i++) if (plan.modes[i] !== 'refuse') out.push(i);
  return out;
}

function nearest(samples: ProcSample[], t: number): ProcSample | null {
  let best: ProcSample | null = null;
  for (const s of samples) if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  return best;
}

/** Execs whose start falls in the round of the pass that contains t (pass start to next pass start). */
function execsInRoundOf(execs: ExecRec[], ps: Pass[], t: number): { count: number; roundStart: number; roundEnd: number } | null {
  let k = -1;
  for (let i = 0; i < ps.length; i++) if (ps[i]!.start <= t) k = i;
  if (k < 0 || k + 1 >= ps.length) return null;
  const a = ps[k]!.start, b = ps[k + 1]!.start;
  return { count: execs.filter((e) => e.t0 >= a && e.t0 < b).length, roundStart: a, roundEnd: b };
}

export async function steady(o: SteadyOpts, log: (s: string) => void): Promise<SteadyResult> {
  const virtuals = virtualsFor(o.n);
  const plan = makePlan(o.n, virtuals, o.hang, CHECKINTERVAL, CHECKTIMEOUT);
  const label = o.label ?? `n${o.n}-h${Math.round(o.hang * 100)}`;
  const r: SteadyResult = {
    director: o.director, n: o.n, hang: o.hang, virtuals, budgetS: o.budgetS, elapsedS: 0, startedAfterS: null, status: 'ok',
    passesMeasured: 0, roundS: null, partialPass: null, checkIntervalS: null, checks: 0, cpuPer1000Checks: null, execsPerRoundIdle: null,
    peakRssMB: null, flips: [], latency: null, single: null, mass: null, daemonThreads: null, stoppedGracefully: null, workDir: '',
  };
  const lg = await LoadGen.start(plan);
  let run: DirectorRun | null = null;
  const samples: ProcSample[] = [];
  const t0 = now();
  const deadline = t0 + o.budgetS * 1000;
  const modeOf = (id: number) => plan.modes[id]!;
  try {
    run = new DirectorRun({ director: o.director, plan, label, preseed: true, standin: o.standin ?? 'fast' });
    r.workDir = run.dir;
    log(`  ${o.director} N=${o.n} hang=${o.hang * 100}%: starting (budget ${o.budgetS} s, ${run.dir})`);
    await run.start();
    r.startedAfterS = (now() - run.spawnT) / 1000;
    const active = activeIds(plan);
    // servers never flipped: the reference for telling rounds apart while others are down
    const reference = active.filter((i) => i % 10 === 0);
    // ---------------- phase A: steady-state passes
    let full: Pass[] = [];
    for (;;) {
      await sleep(1000);
      const s = run.sample();
      if (s) samples.push(s);
      await lg.drain();
      const op = ordinalPasses(lg.ev, modeOf, active, now());
      full = op.done;
      if (full.length >= o.passes + 1) break;
      if (now() > deadline) {
        r.status = 'budget';
        const cur = op.current;
        // coverage 1 = every server was checked but some hanging connection was never closed
        // by the director: the pass cannot be delimited (the check interval still tells)
        if (cur && cur.servers > 0 && full.length < 2 && op.coverage < 1) {
          const spanS = (now() - cur.start) / 1000;
          r.partialPass = { spanS, coverage: op.coverage, extrapolatedS: spanS / op.coverage };
        }
        break;
      }
      if (!s) throw new Error(`${o.director} died (pid file gone); log: ${run.logPath}`);
    }
    const measured = full.slice(1);
    r.passesMeasured = measured.length;
    if (measured.length) {
      const spans = measured.map((p) => p.span / 1000);
      r.roundS = { median: quantile([...spans].sort((a, b) => a - b), 0.5), max: Math.max(...spans), spans };
    }
    const wFrom = measured.length ? measured[0]!.start : full.length ? full[0]!.end : run.spawnT;
    const wTo = now();
    const iv = checkIntervals(lg.ev, wFrom - 1, wTo);
    if (iv.length) r.checkIntervalS = { median: quantile(iv, 0.5) / 1000, p99: quantile(iv, 0.99) / 1000 };
    const sA = nearest(samples, wFrom), sB = samples[samples.length - 1];
    if (sA && sB && sB.t > sA.t) {
      const checks = countIn(lg.ev.reqT, sA.t, sB.t);
      r.checks = checks;
      if (checks > 0) r.cpuPer1000Checks = { self: ((sB.self - sA.self) / checks) * 1000, children: ((sB.children - sA.children) / checks) * 1000 };
    }
    run.execs.poll();
    if (measured.length >= 2) {
      const a = measured[0]!.start, b = measured[measured.length - 1]!.start;
      r.execsPerRoundIdle = run.execs.execs.filter((e) => e.t0 >= a && e.t0 < b).length / (measured.length - 1);
    }
    // ---------------- phase B: detection latency
    const rand = rng(42 + o.n);
    const inUse = new Set<number>();
    const pick = (): number => {
      for (;;) {
        const id = Math.floor(rand() * plan.n);
        if (plan.modes[id] === 'ok' && !inUse.has(id) && id % 10 !== 0) {
          inUse.add(id);
          return id;
        }
      }
    };
    const waitExec = async (rk: string, kind: 'down' | 'up', after: number, until: number): Promise<ExecRec | null> => {
      for (;;) {
        run!.execs.poll();
        const e = run!.execs.execs.find((x) => x.t1 >= after && touches(x, rk, kind));
        if (e) return e;
        if (now() > until) return null;
        await sleep(50);
      }
    };
    const maxWait = 120_000;
    if (o.flips > 0 && r.status === 'ok') {
      let started = 0;
      const stream = async (): Promise<void> => {
        while (started < o.flips && now() < deadline) {
          started++;
          await sleep(rand() * CHECKINTERVAL * 1000);
          const id = pick();
          const rk = realKey(id);
          const downAt = await lg.set([id], 'refuse');
          const d = await waitExec(rk, 'down', downAt, Math.min(deadline, downAt + maxWait));
          const upAt = await lg.set([id], 'ok');
          const u = d ? await waitExec(rk, 'up', upAt, Math.min(deadline, upAt + maxWait)) : null;
          r.flips.push({ server: rk, downAt, detectMs: d ? d.t1 - downAt : null, recoverMs: u ? u.t1 - upAt : null });
          inUse.delete(id);
        }
      };
      await Promise.all(Array.from({ length: o.streams }, () => stream()));
      const det = r.flips.filter((f) => f.detectMs !== null).map((f) => f.detectMs! / 1000).sort((a, b) => a - b);
      const rec = r.flips.filter((f) => f.recoverMs !== null).map((f) => f.recoverMs! / 1000).sort((a, b) => a - b);
      if (det.length) r.latency = { n: det.length, medianS: quantile(det, 0.5), p99S: quantile(det, 0.99), maxS: det[det.length - 1]!, recoverMedianS: quantile(rec, 0.5), timeouts: r.flips.length - det.length };
      if (now() > deadline) r.status = 'budget';
      log(`    flips: ${r.flips.length}, detected ${det.length}`);
    }
    // ---------------- phase C: execs for 1 change, then for `mass` changes
    const change = async (k: number): Promise<ChangeResult> => {
      const ids: number[] = [];
      while (ids.length < k) ids.push(pick());
      const keys = ids.map((i) => `${realAddr(i).addr}:${realAddr(i).port}`);
      const tD = await lg.set(ids, 'refuse');
      let applied = 0;
      let tAll: number | null = null;
      for (;;) {
        const table = run!.table();
        const inTable = new Set<string>();
        for (const key of table.keys()) inTable.add(key.split('|')[1]!);
        applied = keys.filter((kk) => !inTable.has(kk)).length;
        if (applied === k) {
          tAll = now();
          break;
        }
        if (now() > deadline) break;
        await sleep(100);
      }
      await sleep(300);
      run!.execs.poll();
      const after = run!.execs.execs.filter((e) => e.t0 >= tD);
      const lastApply = after.filter((e) => keys.some((kk) => touches(e, kk, 'down'))).pop();
      const upto = lastApply ? lastApply.t1 : now();
      const win = after.filter((e) => e.t1 <= upto);
      // let the next pass start so the round of the last apply is closed
      const waitNext = now() + (CHECKINTERVAL + CHECKTIMEOUT + 2) * 1000;
      let inRound: number | null = null;
      let rounds: number | null = null;
      while (lastApply && now() < Math.min(deadline, waitNext + 20_000)) {
        await lg.drain();
        const op = ordinalPasses(lg.ev, modeOf, reference, now());
        const ps = op.current ? [...op.done, op.current] : op.done;
        const got = execsInRoundOf(run!.execs.execs, ps, lastApply.t0);
        if (got) {
          inRound = got.count;
          rounds = ps.filter((p) => p.start >= tD - 0 && p.start <= lastApply.t0).length + 1;
          break;
        }
        await sleep(500);
        run!.execs.poll();
      }
      for (const id of ids) plan.modes[id] = 'refuse';
      const res: ChangeResult = {
        changes: k, applied, execsInRound: inRound, execsTotal: win.length, writeExecs: win.filter(isWrite).length, rounds,
        applyS: tAll ? (tAll - tD) / 1000 : null, complete: applied === k,
      };
      // bring them back (not measured)
      await lg.set(ids, 'ok');
      for (const id of ids) {
        plan.modes[id] = 'ok';
        inUse.delete(id);
      }
      return res;
    };
    if (o.mass > 0 && r.status === 'ok') {
      await sleep(CHECKINTERVAL * 1000 + CHECKTIMEOUT * 1000);
      r.single = await change(1);
      log(`    1 change: ${JSON.stringify(r.single)}`);
      if (now() < deadline) {
        // wait for the re-adds to settle before the mass change
        const want = expectedTable(plan, (i) => plan.modes[i] === 'ok').size;
        while (now() < deadline && run.table().size < want) await sleep(200);
        await sleep(CHECKINTERVAL * 1000);
        r.mass = await change(o.mass);
        log(`    ${o.mass} changes: ${JSON.stringify(r.mass)}`);
      }
      if (now() > deadline) r.status = 'budget';
    }
    if (process.env['BENCH_DEBUG']) writeFileSync(`${run.dir}/events.json`, JSON.stringify(lg.ev));
    const last = run.sample();
    if (last) {
      r.peakRssMB = last.vmHWMkB / 1024;
      r.daemonThreads = last.threads;
    }
  } catch (e) {
    r.status = 'error';
    r.error = (e as Error).message;
    log(`    ERROR: ${r.error}`);
  } finally {
    if (run) r.stoppedGracefully = (await run.stop(o.director === 'tslvs' ? 15_000 : 3_000)).exitedGracefully;
    await lg.stop();
  }
  r.elapsedS = (now() - t0) / 1000;
  return r;
}

export interface StartupResult {
  director: Director;
  n: number;
  hang: number;
  budgetS: number;
  status: 'ok' | 'budget' | 'error';
  error?: string;
  /** spawn of `CONFIG start` to the stand-in's table holding exactly the answering reals */
  convergedS: number | null;
  /** when the budget ended first: share of the converged table reached, and the execs so far */
  progress: number;
  execs: number;
  firstExecS: number | null;
  workDir: string;
  /** converged time of each try, when the driver repeated the run */
  tries?: (number | null)[];
}

export async function startup(director: Director, n: number, hang: number, budgetS: number, log: (s: string) => void, standin: Standin = 'fast'): Promise<StartupResult> {
  const plan = makePlan(n, virtualsFor(n), hang, CHECKINTERVAL, CHECKTIMEOUT);
  const lg = await LoadGen.start(plan);
  const res: StartupResult = { director, n, hang, budgetS, status: 'ok', convergedS: null, progress: 0, execs: 0, firstExecS: null, workDir: '' };
  let run: DirectorRun | null = null;
  try {
    run = new DirectorRun({ director, plan, label: `start-n${n}-h${Math.round(hang * 100)}`, preseed: false, standin });
    res.workDir = run.dir;
    log(`  ${director} start-up N=${n} hang=${hang * 100}% (budget ${budgetS} s)`);
    const want = expectedTable(plan, (i) => plan.modes[i] === 'ok');
    const startP = run.start();
    const t0 = now();
    const deadline = t0 + budgetS * 1000;
    let startErr: Error | null = null;
    startP.catch((e: Error) => (startErr = e));
    for (;;) {
      if (startErr) throw startErr;
      const tab = run.table();
      let hit = 0;
      for (const [k, w] of want) if (tab.get(k) === w) hit++;
      res.progress = hit / want.size;
      if (hit === want.size && tab.size === want.size) {
        res.convergedS = (now() - run.spawnT) / 1000;
        break;
      }
      if (now() > deadline) {
        res.status = 'budget';
        break;
      }
      await sleep(25);
    }
    await startP.catch(() => undefined);
    run.execs.poll();
    res.execs = run.execs.execs.length;
    if (run.execs.execs.length) res.firstExecS = (run.execs.execs[0]!.t0 - run.spawnT) / 1000;
  } catch (e) {
    res.status = 'error';
    res.error = (e as Error).message;
    log(`    ERROR: ${res.error}`);
  } finally {
    if (run) await run.stop(director === 'tslvs' ? 15_000 : 3_000);
    await lg.stop();
  }
  return res;
}
