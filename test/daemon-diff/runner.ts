// Runs one scenario against one or two directors at once (same real servers, same config text,
// same steps), then normalises and compares what they did. See docs/DAEMON-DIFF.md.
import fs from 'node:fs';
import { Director, NS_DIR, NS_LOG, NS_MAINT, NS_FALLBACK_CMD, sleep, type DirectorKind } from '../support/director.js';
import { RealServer, type RealMode } from '../support/director-reals.js';
import {
  finalTable, normaliseCommon, normaliseLdirectord, normaliseTslvs, parseLog, stepView,
  type Ev, type Fired, type RuleName, type ScenarioFacts,
} from './normalise.js';

/** Names used in config templates: {a} → a real's IP:PORT, {a.ip} → its IP, {V1} → 127.78.N.1:80. */
export interface Ctx {
  real: Record<string, RealServer>;
  v(i: number): string;
}

export interface TableView {
  /** Weight of real `r` (a name) in virtual `v` (VIP:PORT or the mark, or V1…), undefined when absent. */
  w(v: string, r: string): number | undefined;
  has(v: string): boolean;
  size(): number;
}

export type Step =
  | { do: 'start'; until?: (t: TableView) => boolean }
  | { do: 'set'; real: string; mode: RealMode; until?: (t: TableView) => boolean; quietMs?: number }
  | { do: 'maint'; file: string; on: boolean; until?: (t: TableView) => boolean }
  | { do: 'config'; config: (c: Ctx) => string }
  | { do: 'reload'; until?: (t: TableView) => boolean; after?: (c: Ctx) => RegExp; changed?: string[] }
  | { do: 'stop' }
  | { do: 'wait'; ms: number };

export interface Scenario {
  id: string;
  title: string;
  /** Initial mode of each real server, by name. */
  reals: Record<string, RealMode>;
  config: (c: Ctx) => string;
  steps: Step[];
  /** Rules that must fire on the ldirectord side (count ≥ 1); every other ldirectord rule must not fire. */
  rules: RuleName[];
  /** Lines ldirectord must log (after normalisation): proves the scenario did what it claims. */
  mustSee: (c: Ctx) => string[];
  /** "V|R" pairs (V as logged) of reals shared with an earlier virtual (for stop-shared-real). */
  sharedLater?: (c: Ctx) => string[];
  /** Expected number of fallbackcommand runs on ldirectord's side after normalisation. */
  commands?: number;
}

export interface SideResult {
  kind: DirectorKind;
  events: Ev[];
  normalised: Ev[];
  other: string[];
  malformed: string[];
  table: string[];
  save: string;
  fired: Fired;
  problems: string[];
  log: string;
  fallbackLog: string;
  execs: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  stepKinds: string[];
  sides: Partial<Record<DirectorKind, SideResult>>;
  /** ldirectord-only checks (mustSee, expected rules, no ipvsadm failures, …) */
  ldirectordProblems: string[];
  /** Differences between the two directors after normalisation. */
  differences: string[];
  seconds: number;
}

export const HEADER = `checkinterval=1
checktimeout=3
negotiatetimeout=3
autoreload=no
logfile="${NS_LOG}"
`;

const DEFAULT_QUIET_MS = 2500;
const STEP_DEADLINE_MS = 30_000;

function viewOf(save: string, ctx: Ctx): TableView {
  const m = new Map<string, Map<string, number>>();
  for (const line of save.split('\n')) {
    let x = /^-A -[tuf] (\S+)/.exec(line);
    if (x) { m.set(x[1]!, new Map()); continue; }
    x = /^-a -[tuf] (\S+) -r (\S+) .* -w (\d+)$/.exec(line);
    if (x) m.get(x[1]!)?.set(x[2]!, Number(x[3]));
  }
  const vKey = (v: string) => (/^V\d+$/.test(v) ? ctx.v(Number(v.slice(1))) : v);
  return {
    w: (v, r) => m.get(vKey(v))?.get(ctx.real[r]?.addr ?? r),
    has: (v) => m.has(vKey(v)),
    size: () => m.size,
  };
}

/** Expand {a}, {a.ip}, {a.port}, {V1} in a template. */
export function expand(text: string, ctx: Ctx): string {
  return text.replace(/\{(\w+)(?:\.(ip|port))?\}/g, (all, name: string, part?: string) => {
    if (/^V\d+$/.test(name)) return ctx.v(Number(name.slice(1)));
    const r = ctx.real[name];
    if (!r) return all;
    return part === 'ip' ? r.host : part === 'port' ? String(r.port) : r.addr;
  });
}

interface Run {
  d: Director;
  stepOffsets: number[];
  stepTimes: number[];
  problems: string[];
}

function lineCount(d: Director): number {
  const t = d.log();
  return t === '' ? 0 : t.split('\n').length - (t.endsWith('\n') ? 1 : 0);
}

/** Wait until the table satisfies `until` and neither log nor table changed for quietMs. */
async function settle(run: Run, ctx: Ctx, what: string, until?: (t: TableView) => boolean, quietMs = DEFAULT_QUIET_MS): Promise<void> {
  const t0 = Date.now();
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    const snap = `${run.d.log().length}|${run.d.stateText()}`;
    if (snap !== last) { last = snap; lastChange = Date.now(); }
    const ok = !until || until(viewOf(run.d.tables().save, ctx));
    if (ok && Date.now() - lastChange >= (until ? Math.min(quietMs, 1500) : quietMs)) return;
    if (Date.now() - t0 > STEP_DEADLINE_MS) {
      run.problems.push(`${run.d.kind}: step "${what}" did not settle within ${STEP_DEADLINE_MS / 1000}s (table condition ${ok ? 'met' : 'NOT met'}); table:\n${run.d.tables().save}`);
      return;
    }
    await sleep(200);
  }
}

async function waitLine(run: Run, re: RegExp, fromLine: number, what: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const lines = run.d.log().split('\n').slice(fromLine);
    if (lines.some((l) => re.test(l))) return;
    if (Date.now() - t0 > STEP_DEADLINE_MS) {
      run.problems.push(`${run.d.kind}: step "${what}": no line matching ${re} within ${STEP_DEADLINE_MS / 1000}s`);
      return;
    }
    await sleep(50);
  }
}

async function doStep(run: Run, step: Step, idx: number, ctx: Ctx, configText: () => string): Promise<void> {
  const d = run.d;
  const what = `${idx}:${step.do}`;
  switch (step.do) {
    case 'start': {
      const r = await d.run('start');
      if (r.exitCode !== 0) run.problems.push(`${d.kind}: start exited ${r.exitCode}: ${r.stdout}${r.stderr}`);
      if (!(await d.waitDaemon('running'))) run.problems.push(`${d.kind}: no running daemon after start (pid file ${d.pidFile})`);
      await settle(run, ctx, what, step.until);
      return;
    }
    case 'set':
      await settle(run, ctx, what, step.until, step.quietMs);
      return;
    case 'maint': {
      const f = d.host(`${NS_MAINT}/${expand(step.file, ctx)}`);
      if (step.on) fs.writeFileSync(f, '');
      else fs.rmSync(f, { force: true });
      await settle(run, ctx, what, step.until);
      return;
    }
    case 'config':
      // both notice the change (autoreload=no: "… has changed on disk" / " - ignore new configuration")
      d.writeConfig(configText());
      await settle(run, ctx, what, undefined, 3500);
      return;
    case 'reload': {
      if (step.after) await waitLine(run, step.after(ctx), run.stepOffsets[idx - 1] ?? 0, what);
      // just after a line (step.after) ldirectord is still in the sleep that follows it
      await d.waitBetweenRounds(6000, step.after !== undefined);
      run.stepOffsets[idx] = lineCount(d);
      run.stepTimes[idx] = Date.now();
      const r = await d.run('reload');
      if (r.exitCode !== 0) run.problems.push(`${d.kind}: reload exited ${r.exitCode}: ${r.stdout}${r.stderr}`);
      await settle(run, ctx, what, step.until);
      return;
    }
    case 'stop': {
      await d.waitBetweenRounds();
      run.stepOffsets[idx] = lineCount(d);
      run.stepTimes[idx] = Date.now();
      const r = await d.run('stop');
      if (r.exitCode !== 0) run.problems.push(`${d.kind}: stop exited ${r.exitCode}: ${r.stdout}${r.stderr}`);
      if (!(await d.waitDaemon('stopped'))) run.problems.push(`${d.kind}: daemon still running 15s after stop`);
      await settle(run, ctx, what, undefined, 1000);
      return;
    }
    case 'wait':
      await sleep(step.ms);
      return;
  }
}

/** Run a scenario on the given directors at once; `index` picks its loopback addresses (127.77.index.x, VIPs 127.78.index.x). */
export async function runScenario(s: Scenario, index: number, kinds: DirectorKind[], opts: { keep?: boolean } = {}): Promise<ScenarioResult> {
  const t0 = Date.now();
  const reals: Record<string, RealServer> = {};
  const runs: Run[] = [];
  const result: ScenarioResult = { id: s.id, title: s.title, stepKinds: s.steps.map((x) => x.do), sides: {}, ldirectordProblems: [], differences: [], seconds: 0 };
  try {
    let n = 2;
    for (const [name, mode] of Object.entries(s.reals)) reals[name] = await RealServer.start(`127.77.${index}.${n++}`, mode);
    const ctx: Ctx = { real: reals, v: (i) => `127.78.${index}.${i}:80` };
    let configFn = s.config;
    const configText = () => HEADER + expand(configFn(ctx), ctx);
    for (const kind of kinds) {
      const d = await Director.create(kind, { cfgName: `${s.id}.cf`, keep: opts.keep });
      runs.push({ d, stepOffsets: [], stepTimes: [], problems: [] });
      d.writeConfig(configText());
    }
    for (const [idx, step] of s.steps.entries()) {
      if (step.do === 'config') configFn = step.config;
      for (const run of runs) { run.stepOffsets[idx] = lineCount(run.d); run.stepTimes[idx] = Date.now(); }
      if (step.do === 'set') await reals[step.real]!.set(step.mode);
      await Promise.all(runs.map((run) => doStep(run, step, idx, ctx, configText)));
    }
    // ------------------------------------------------------------------ compare
    const facts: ScenarioFacts = {
      cfgPath: `${NS_DIR}/${s.id}.cf`,
      stepKinds: s.steps.map((x) => x.do),
      changedAt: Object.fromEntries(s.steps.flatMap((x, i) => (x.do === 'reload' && x.changed ? [[i, x.changed.map((v) => expand(v, ctx))]] : []))),
      cmdTargets: {},
      thresholds: thresholdsOf(configText()),
      sharedLater: s.sharedLater?.(ctx).map((x) => expand(x, ctx)) ?? [],
    };
    for (const run of runs) {
      const d = run.d;
      const fired: Fired = {};
      const parsed = parseLog(d.log(), d.cfgName, run.stepOffsets, d.fallbackLog(), run.stepTimes);
      const common = normaliseCommon(parsed.events, facts, fired);
      let normalised: Ev[];
      let drop = new Set<string>();
      if (d.kind === 'ldirectord') {
        const r = normaliseLdirectord(common, facts, fired);
        normalised = r.events;
        drop = r.dropFromTable;
      } else normalised = normaliseTslvs(common, facts, fired);
      const { save, thresholds } = d.tables();
      const table = finalTable(save, thresholds, d.kind, drop, facts, fired);
      result.sides[d.kind] = {
        kind: d.kind, events: parsed.events, normalised, other: parsed.other.map((e) => e.text), malformed: parsed.malformed,
        table, save, fired, problems: run.problems, log: d.log(), fallbackLog: d.fallbackLog(), execs: d.execCount(),
      };
    }
    const ld = result.sides.ldirectord;
    if (ld) checkLdirectord(s, ctx, ld, result.ldirectordProblems);
    const ts = result.sides.tslvs;
    if (ld && ts) compareSides(s, ld, ts, result.differences);
    if (ts) {
      if (ts.problems.length) result.differences.push(...ts.problems);
      if (ts.malformed.length) result.differences.push(`tslvs: lines without the [ctime|${s.id}.cf|pid] prefix:\n  ${ts.malformed.join('\n  ')}`);
      const argv0 = ts.fired.argv0 ?? 0;
      const invocations = s.steps.filter((x) => ['start', 'reload', 'stop'].includes(x.do)).length;
      if (argv0 < invocations) result.differences.push(`tslvs: rule argv0 fired ${argv0} times, expected one per invocation (${invocations}): an "Invoking ldirectord invoked as: … ${NS_DIR}/${s.id}.cf CMD " line is missing`);
      for (const [rule, n] of Object.entries(ts.fired)) {
        if (rule === 'argv0') continue;
        if (rule === 'stop-shared-real' && s.sharedLater) continue;
        // Timing-dependent on a loaded machine (a first check that failed): allowed, never required.
        if (rule === 'first-check-quiescent' || (rule === 'start-fallback' && s.rules.includes('start-fallback'))) continue;
        result.differences.push(`tslvs: rule ${rule} fired ${n} times where the scenario does not expect it`);
      }
      if (s.sharedLater && !(ts.fired['stop-shared-real'] ?? 0)) result.differences.push('tslvs: rule stop-shared-real was expected to fire (tslvs names a shared real in every virtual at cleanstop) but did not');
    }
  } finally {
    for (const run of runs) await run.d.dispose().catch((e) => { result.differences.push(`dispose ${run.d.kind}: ${String(e)}`); });
    for (const r of Object.values(reals)) await r.close();
    result.seconds = Math.round((Date.now() - t0) / 100) / 10;
  }
  return result;
}

function thresholdsOf(config: string): ScenarioFacts['thresholds'] {
  const out: ScenarioFacts['thresholds'] = {};
  let v = '';
  for (const line of config.split('\n')) {
    const vm = /^virtual=(\S+)/.exec(line);
    if (vm) { v = vm[1]!; continue; }
    const rm = /^\s+real=(\S+)\s+\w+(?:\s+\d+)?(.*)$/.exec(line);
    if (rm) {
      const l = /\bl:(\d+)/.exec(rm[2]!);
      const u = /\bu:(\d+)/.exec(rm[2]!);
      if (l || u) out[`${v}|${rm[1]}`] = { u: u ? Number(u[1]) : 0, l: l ? Number(l[1]) : 0 };
    }
  }
  return out;
}

function checkLdirectord(s: Scenario, ctx: Ctx, ld: SideResult, problems: string[]): void {
  problems.push(...ld.problems);
  if (ld.malformed.length) problems.push(`ldirectord: unexpected log lines:\n  ${ld.malformed.join('\n  ')}`);
  const failed = ld.events.filter((e) => /system\(.*\) failed/.test(e.text));
  if (failed.length) problems.push(`ldirectord: ipvsadm calls failed:\n  ${failed.map((e) => e.text).join('\n  ')}`);
  const texts = ld.normalised.filter((e) => e.kind === 'line').map((e) => e.text);
  for (const want of s.mustSee(ctx).map((x) => expand(x, ctx))) {
    if (!texts.includes(want)) problems.push(`ldirectord: expected line missing (after normalisation): ${want}`);
  }
  const invocations = s.steps.filter((x) => ['start', 'reload', 'stop'].includes(x.do)).length;
  if ((ld.fired.argv0 ?? 0) !== invocations) problems.push(`ldirectord: rule argv0 fired ${ld.fired.argv0 ?? 0} times, expected ${invocations}`);
  const expected = new Set<string>(['argv0', ...s.rules]);
  expected.add('signal-interrupted-check');
  for (const rule of s.rules) if (!(ld.fired[rule] ?? 0)) problems.push(`ldirectord: rule ${rule} was expected to fire but did not`);
  for (const [rule, n] of Object.entries(ld.fired)) if (!expected.has(rule)) problems.push(`ldirectord: rule ${rule} fired ${n} times where the scenario does not expect it`);
  if (s.commands !== undefined) {
    const n = ld.normalised.filter((e) => e.kind === 'cmd').length;
    if (n !== s.commands) problems.push(`ldirectord: ${n} fallbackcommand runs after normalisation, expected ${s.commands}`);
  }
}

function fmt(lines: string[]): string {
  return lines.length ? lines.map((l) => `    ${l}`).join('\n') : '    (none)';
}

function compareSides(s: Scenario, ld: SideResult, ts: SideResult, diffs: string[]): void {
  s.steps.forEach((step, i) => {
    const sorted = step.do === 'start' || step.do === 'reload';
    for (const kind of ['line', 'cmd'] as const) {
      const a = stepView(ld.normalised, i, kind, sorted);
      const b = stepView(ts.normalised, i, kind, sorted);
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        const sameSet = JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
        diffs.push(`step ${i} (${step.do}${step.do === 'set' ? ` ${step.real} ${step.mode}` : ''}) ${kind === 'line' ? 'log lines' : 'fallbackcommand runs'}${sameSet ? ' (same lines, other order)' : ''}:\n  ldirectord (normalised):\n${fmt(a)}\n  tslvs (normalised):\n${fmt(b)}`);
      }
    }
  });
  if (JSON.stringify(ld.table) !== JSON.stringify(ts.table)) {
    diffs.push(`final table:\n  ldirectord (normalised):\n${fmt(ld.table)}\n  tslvs:\n${fmt(ts.table)}`);
  }
}

export { NS_FALLBACK_CMD, NS_MAINT };
