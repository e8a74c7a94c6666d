// Turning a director's log into comparable events, and the named normalisation rules: each
// rule rewrites exactly one deliberate difference (docs/DAEMON-CORE.md "Deliberate differences",
// REFERENCE.md "ldirectord faults tslvs fixes on purpose", docs/DAEMON-DIFF.md) and counts how
// often it fired, so a scenario can assert that it fired where expected and nowhere else.

export type RuleName =
  | 'argv0'
  | 'start-dance'
  | 'start-dance-reset'
  | 'start-dance-quiescent'
  | 'changed-virtual'
  | 'reload-fallbackcommand'
  | 'reload-softfail'
  | 'fallback-order'
  | 'quiescent-thresholds'
  | 'stop-shared-real'
  | 'start-fallback'
  | 'first-check-quiescent'
  | 'signal-interrupted-check';

export const RULES: Record<RuleName, { side: 'ldirectord' | 'tslvs' | 'both'; what: string }> = {
  argv0: { side: 'both', what: 'the program path in "Invoking ldirectord invoked as: PROG CONFIG CMD " is replaced by <argv0>' },
  'start-dance': { side: 'ldirectord', what: 'at start/reload ldirectord adds each real that is not in the table (or at weight 0) at full weight and removes it again ("Added"/"Restored" + "Deleted"/"Quiescent", with the fallback lines and fallbackcommand runs in between): the group is dropped' },
  'start-dance-reset': { side: 'ldirectord', what: 'the forced down of the dance (also readdquiescent=yes\'s "Readd Quiescent" at start/reload) counted a failure: the real\'s next "Resetting soft failure count" is dropped' },
  'start-dance-quiescent': { side: 'ldirectord', what: 'quiescent virtuals: the dance left the real at weight 0; when its first check passes in the same start/reload step, its "Restored real server … (Weight set to W)" is "Added real server …" (tslvs adds it once the check passed); when not, the dance\'s "Quiescent real server" line is kept (tslvs puts it in at weight 0 with that line after its first failed check)' },
  'start-fallback': { side: 'both', what: 'a fallback added and deleted again within one start/reload step is dropped with its fallbackcommand start/stop runs: ldirectord adds it in ld_start before any check (always); tslvs decides it after the first results, so only when every real\'s first check failed and a later one passed within the step (a loaded machine)' },
  'first-check-quiescent': { side: 'tslvs', what: 'quiescent virtuals, a start/reload step in which a real\'s first check failed ("Quiescent real server", weight 0) and a later one passed ("Restored"): the pair is the "Added real server" ldirectord\'s dance shows when its first check passes. Timing-dependent (a loaded machine): allowed, never required' },
  'changed-virtual': { side: 'ldirectord', what: 'at start/reload ldirectord logs "Changed virtual server: V" (and runs ipvsadm -E) for every existing virtual; dropped unless the scenario changed that service' },
  'reload-fallbackcommand': { side: 'ldirectord', what: 'reload forgets the fallbackcommand status: a run at reload with the status the virtual already had is dropped' },
  'reload-softfail': { side: 'ldirectord', what: 'reload forgets soft-failure counts: after a reload, a real that had k soft failures logs "failure 1/m … k/m" again; those k lines are dropped (tslvs continues at k+1)' },
  'fallback-order': { side: 'ldirectord', what: 'within a round tslvs adds the fallback before removing the last real: "Deleted|Quiescent real server" followed by "Added fallback server" of the same virtual are swapped' },
  'quiescent-thresholds': { side: 'ldirectord', what: 'ldirectord quiesces with ipvsadm -e … -w 0, which resets the thresholds to 0; tslvs keeps them: in the final --thresholds table a weight-0 real gets its configured thresholds back' },
  'signal-interrupted-check': { side: 'ldirectord', what: 'a SIGHUP (reload) or SIGTERM (stop) that lands while ldirectord runs a check makes that check fail: a "Soft failure real server" line between the reload/stop command\'s "Invoking" line and "Reloading Linux Director Daemon config on signal" / the stop purges is dropped (the count dies with the old objects / the daemon). The harness sends both commands just after ldirectord went to sleep between rounds (/proc/PID/syscall), so this is rare; allowed, never required. A "Deleted" in that window is not normalised (reported)' },
  'stop-shared-real': { side: 'tslvs', what: 'cleanstop: ldirectord names a real shared by several virtuals ("Purged real server (stop)") only in the first; tslvs\'s line for the later virtuals is dropped' },
};

export interface Ev {
  step: number;
  kind: 'line' | 'cmd';
  text: string;
}

export interface ParsedLog {
  events: Ev[];
  /** Lines that are neither transition nor lifecycle lines (reported, not compared). */
  other: Ev[];
  /** Lines whose prefix is not [ctime|cfgname|pid]. */
  malformed: string[];
}

const PREFIX = /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\|([^|\]]+)\|(\d+)\] (.*)$/;

const KEEP = [
  /^(Added|Changed) virtual server: /,
  /^(Added|Restored|Quiescent|Readd Quiescent|Deleted) (real|fallback) server: /,
  /^Purged (real|virtual) server \((start|stop)\): /,
  /^Soft failure real server: /,
  /^Resetting soft failure count: /,
  /^Repaired /,
  /^Purged real server \(repair\)/,
  /^Invoking ldirectord invoked as: /,
  /^Starting Linux Director /,
  /^Reloading Linux Director Daemon config on signal/,
  /^Configuration file '.*' has changed on disk/,
  /^ - (reread|ignore) new configuration/,
  /^Linux Director Daemon terminated on signal: /,
  /^Exiting with exit_status /,
  /^ldirectord (is stopped|for .* is running|stale pid file)/,
  /^system\(.*\) failed/,
];

/**
 * Split a log into events. `stepOffsets[i]` is the log's line count when step i began;
 * `fallback` is the fallbackcommand record (`<log line count> <argv>` per run), merged after
 * the line it followed.
 */
export function parseLog(text: string, cfgName: string, stepOffsets: number[], fallback: string, stepTimes: number[]): ParsedLog {
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  const stepOf = (lineIndex: number) => {
    let s = 0;
    for (let i = 0; i < stepOffsets.length; i++) if (lineIndex >= stepOffsets[i]!) s = i;
    return s;
  };
  // A command belongs to the step during which it ran (by time: steps are separated by
  // seconds of quiet); its line count only places it among ldirectord's lines (ldirectord
  // waits for it; tslvs runs it alongside its asynchronous log writes).
  const stepAt = (ms: number) => {
    let s = 0;
    for (let i = 0; i < stepTimes.length; i++) if (ms >= stepTimes[i]!) s = i;
    return s;
  };
  const cmds = fallback.split('\n').filter(Boolean).map((l) => {
    const m = /^\s*(\d+) (\d+) (.*)$/.exec(l);
    return { after: m ? Number(m[1]) : 0, step: m ? stepAt(Number(m[2])) : 0, text: m ? m[3]! : l };
  });
  const out: ParsedLog = { events: [], other: [], malformed: [] };
  const pushCmds = (upTo: number) => {
    while (cmds.length && cmds[0]!.after <= upTo) {
      const c = cmds.shift()!;
      out.events.push({ step: c.step, kind: 'cmd', text: c.text });
    }
  };
  pushCmds(0);
  raw.forEach((line, i) => {
    const m = PREFIX.exec(line);
    if (!m || m[1] !== cfgName) out.malformed.push(line);
    else {
      const msg = m[3]!.replace(/\s+$/, (s) => (m[3]!.startsWith('Invoking') ? s : ''));
      const ev: Ev = { step: stepOf(i), kind: 'line', text: msg };
      (KEEP.some((k) => k.test(msg)) ? out.events : out.other).push(ev);
    }
    pushCmds(i + 1);
  });
  pushCmds(Infinity);
  return out;
}

export type Fired = Partial<Record<RuleName, number>>;

function fire(f: Fired, r: RuleName, n = 1): void {
  f[r] = (f[r] ?? 0) + n;
}

/** `R (V)` of a real-level line, with the line's kind. */
function realLine(text: string): { kind: string; r: string; v: string; w?: string } | undefined {
  const m = /^(Added|Restored|Quiescent|Readd Quiescent|Deleted) real server: (\S+)(?: mapped from \S+)? \(([^)]+)\)(?: \(Weight set to (\d+)\))?$/.exec(text);
  return m ? { kind: m[1]!, r: m[2]!, v: m[3]!, w: m[4] } : undefined;
}
function fallbackLine(text: string): { kind: string; v: string } | undefined {
  const m = /^(Added|Deleted|Restored) fallback server: \S+ \(([^)]+)\)/.exec(text);
  return m ? { kind: m[1]!, v: m[2]! } : undefined;
}
/** Resetting/Soft failure lines name the virtual as PROTO:V. */
function countLine(text: string): { kind: 'reset' | 'soft'; r: string; v: string; n?: number; m?: number } | undefined {
  let m = /^Resetting soft failure count: (\S+) \((?:tcp|udp|fwm6?):(.+)\)$/.exec(text);
  if (m) return { kind: 'reset', r: m[1]!, v: m[2]! };
  m = /^Soft failure real server: (\S+) \((?:tcp|udp|fwm6?):(.+)\) failure (\d+)\/(\d+)$/.exec(text);
  if (m) return { kind: 'soft', r: m[1]!, v: m[2]!, n: Number(m[3]), m: Number(m[4]) };
  return undefined;
}
function cmdVirtual(text: string): { status: string; target: string } | undefined {
  const m = /^(start|stop) (\S+) (\S+)$/.exec(text);
  return m ? { status: m[1]!, target: m[2]! } : undefined;
}

export interface ScenarioFacts {
  cfgPath: string;
  /** step index → 'start' | 'reload' | … */
  stepKinds: string[];
  /** Virtuals (as in the log: VIP:PORT or the mark) whose service the scenario changes at reload step N. */
  changedAt?: Record<number, string[]>;
  /** fallbackcommand target (VIP:PORT, or :0 for fwmark) → virtual as logged. */
  cmdTargets: Record<string, string>;
  /** Configured thresholds by "V|R" (u, l). */
  thresholds: Record<string, { u: number; l: number }>;
  /** "V|R" pairs where R is shared with an earlier virtual (cleanstop names it only in the first). */
  sharedLater: string[];
}

/** Rules applied to both sides. */
export function normaliseCommon(events: Ev[], facts: ScenarioFacts, fired: Fired): Ev[] {
  return events.map((e) => {
    if (e.kind !== 'line') return e;
    const m = /^Invoking ldirectord invoked as: (.*) (\S+) (start|stop|reload|status) $/.exec(e.text);
    if (m && m[2] === facts.cfgPath) {
      fire(fired, 'argv0');
      return { ...e, text: `Invoking ldirectord invoked as: <argv0> ${m[2]} ${m[3]} ` };
    }
    return e;
  });
}

/** ldirectord → what tslvs should show. */
export function normaliseLdirectord(input: Ev[], facts: ScenarioFacts, fired: Fired): { events: Ev[]; dropFromTable: Set<string> } {
  let ev = input.map((e) => ({ ...e }));
  // signal-interrupted-check
  {
    let inReload = false;
    ev = ev.filter((e) => {
      if (e.kind !== 'line') return true;
      if (/^Invoking ldirectord invoked as: \S+ \S+ (reload|stop) $/.test(e.text)) inReload = true;
      else if (/^(Reloading Linux Director Daemon config on signal|Purged |Linux Director Daemon terminated)/.test(e.text)) inReload = false;
      else if (inReload && /^Soft failure real server: /.test(e.text)) {
        fire(fired, 'signal-interrupted-check');
        return false;
      }
      return true;
    });
  }
  const isStartish = (step: number) => ['start', 'reload'].includes(facts.stepKinds[step] ?? '');
  const drop = new Set<number>();
  const pendingReset = new Set<string>(); // "R|V"
  const quiescedByDance = new Map<string, number>(); // "R|V" → index of the dance's Quiescent line
  const prevLine = (from: number) => {
    for (let j = from; j >= 0; j--) if (ev[j]!.kind === 'line' && !drop.has(j)) return j;
    return -1;
  };

  // start-dance: Added|Restored R (V) [Deleted fallback (V)] [cmds] Deleted|Quiescent R (V) [Added fallback (V)] [cmds]
  for (let i = 0; i < ev.length; i++) {
    const e = ev[i]!;
    if (e.kind !== 'line' || drop.has(i) || !isStartish(e.step)) continue;
    const rl = realLine(e.text);
    if (!rl || (rl.kind !== 'Added' && rl.kind !== 'Restored' && rl.kind !== 'Readd Quiescent')) continue;
    const p = prevLine(i - 1);
    const pc = p >= 0 ? countLine(ev[p]!.text) : undefined;
    if (pc && pc.kind === 'reset' && pc.r === rl.r && pc.v === rl.v) continue; // a check passed: not the dance
    if (rl.kind === 'Readd Quiescent') {
      // readdquiescent=yes: the dance is only the forced down (no add at full weight), which
      // tslvs's start-up shows too; only its counted failure differs (start-dance-reset).
      pendingReset.add(`${rl.r}|${rl.v}`);
      continue;
    }
    // find the matching removals, allowing only fallback lines and commands between. A real
    // shared by several virtuals is forced up in all of them, then down in all of them.
    const group = [i];
    const virtuals = [rl.v];
    let j = i + 1;
    let ok = false;
    let removed = 0;
    for (; j < ev.length; j++) {
      const x = ev[j]!;
      if (x.kind === 'cmd') { group.push(j); continue; }
      const fb = fallbackLine(x.text);
      if (fb && virtuals.includes(fb.v) && (fb.kind === 'Deleted' || (fb.kind === 'Added' && removed > 0 && removed < virtuals.length))) { group.push(j); continue; }
      const xr = realLine(x.text);
      if (xr && xr.r === rl.r && removed === 0 && xr.kind === rl.kind && !virtuals.includes(xr.v)) { group.push(j); virtuals.push(xr.v); continue; }
      if (xr && xr.r === rl.r && xr.v === virtuals[removed] && (xr.kind === 'Deleted' || xr.kind === 'Quiescent')) {
        group.push(j);
        const key = `${rl.r}|${xr.v}`;
        if (xr.kind === 'Quiescent' && rl.kind === 'Added') quiescedByDance.set(key, j);
        else quiescedByDance.delete(key);
        removed++;
        if (removed === virtuals.length) { ok = true; break; }
        continue;
      }
      break;
    }
    if (!ok) continue;
    // the fallback put back, and the commands that follow
    let k = j + 1;
    if (k < ev.length && ev[k]!.kind === 'line') {
      const fb = fallbackLine(ev[k]!.text);
      if (fb && virtuals.includes(fb.v) && fb.kind === 'Added') { group.push(k); k++; }
    }
    while (k < ev.length && ev[k]!.kind === 'cmd') { group.push(k); k++; }
    for (const g of group) drop.add(g);
    fire(fired, 'start-dance');
    for (const v of virtuals) pendingReset.add(`${rl.r}|${v}`);
    i = j;
  }

  // start-dance-reset / start-dance-quiescent (the next line about a danced real)
  for (let i = 0; i < ev.length; i++) {
    if (drop.has(i) || ev[i]!.kind !== 'line') continue;
    const c = countLine(ev[i]!.text);
    if (c) {
      const key = `${c.r}|${c.v}`;
      if (c.kind === 'reset' && pendingReset.has(key)) {
        drop.add(i);
        pendingReset.delete(key);
        fire(fired, 'start-dance-reset');
      } else if (c.kind === 'soft') pendingReset.delete(key);
      continue;
    }
    const rl = realLine(ev[i]!.text);
    if (!rl) continue;
    const key = `${rl.r}|${rl.v}`;
    // Added/Restored without a "Resetting" just before it: this object's count was not raised
    // by the dance (a real shared by several virtuals is danced on the last virtual's object
    // but probed on the first's), so there is no reset to drop.
    if (pendingReset.has(key) && (rl.kind === 'Added' || rl.kind === 'Restored' || rl.kind === 'Deleted' || rl.kind === 'Quiescent')) pendingReset.delete(key);
    const q = quiescedByDance.get(key);
    if (q !== undefined && q < i) {
      quiescedByDance.delete(key);
      if (rl.kind === 'Restored' && ev[i]!.step === ev[q]!.step) {
        ev[i] = { ...ev[i]!, text: `Added real server: ${rl.r} (${rl.v}) (Weight set to ${rl.w})` };
        fire(fired, 'start-dance-quiescent');
      } else {
        drop.delete(q);
        fire(fired, 'start-dance-quiescent');
      }
    }
  }
  // A dance that left the real quiesced until the end: tslvs has it at weight 0 with that line too.
  for (const q of quiescedByDance.values()) {
    drop.delete(q);
    fire(fired, 'start-dance-quiescent');
  }
  const dropFromTable = new Set<string>();

  // changed-virtual
  ev.forEach((e, i) => {
    if (drop.has(i) || e.kind !== 'line') return;
    const m = /^Changed virtual server: (.+)$/.exec(e.text);
    if (m && isStartish(e.step) && !(facts.changedAt?.[e.step] ?? []).includes(m[1]!)) {
      drop.add(i);
      fire(fired, 'changed-virtual');
    }
  });

  // reload-fallbackcommand: a run at reload with the status the virtual already had
  const status = new Map<string, string>();
  ev.forEach((e, i) => {
    if (drop.has(i) || e.kind !== 'cmd') return;
    const c = cmdVirtual(e.text);
    if (!c) return;
    if (facts.stepKinds[e.step] === 'reload' && status.get(c.target) === c.status) {
      drop.add(i);
      fire(fired, 'reload-fallbackcommand');
      return;
    }
    status.set(c.target, c.status);
  });

  // reload-softfail
  const soft = new Map<string, number>(); // R|V → current count as tslvs would have it
  const toSkip = new Map<string, number>();
  ev.forEach((e, i) => {
    if (drop.has(i)) return;
    if (e.kind === 'line' && /^Reloading Linux Director Daemon config on signal/.test(e.text)) {
      for (const [k, n] of soft) if (n > 0) toSkip.set(k, n);
      return;
    }
    if (e.kind !== 'line') return;
    const c = countLine(e.text);
    const rl = realLine(e.text);
    if (c?.kind === 'soft') {
      const key = `${c.r}|${c.v}`;
      const skip = toSkip.get(key) ?? 0;
      if (skip > 0 && c.n! <= skip) {
        drop.add(i);
        fire(fired, 'reload-softfail');
        if (c.n === skip) toSkip.delete(key);
        return;
      }
      soft.set(key, c.n!);
    } else if (c?.kind === 'reset') {
      soft.delete(`${c.r}|${c.v}`);
      toSkip.delete(`${c.r}|${c.v}`);
    } else if (rl && (rl.kind === 'Deleted' || rl.kind === 'Quiescent')) {
      soft.delete(`${rl.r}|${rl.v}`);
      toSkip.delete(`${rl.r}|${rl.v}`);
    }
  });

  ev = ev.filter((_e, i) => !drop.has(i));
  ev = startFallback(ev, facts, fired);

  // fallback-order
  for (let i = 0; i + 1 < ev.length; i++) {
    const a = ev[i]!;
    const b = ev[i + 1]!;
    if (a.kind !== 'line' || b.kind !== 'line' || a.step !== b.step) continue;
    const rl = realLine(a.text);
    const fb = fallbackLine(b.text);
    if (rl && (rl.kind === 'Deleted' || rl.kind === 'Quiescent') && fb && fb.kind === 'Added' && fb.v === rl.v) {
      ev[i] = b;
      ev[i + 1] = a;
      fire(fired, 'fallback-order');
      i++;
    }
  }
  return { events: ev, dropFromTable };
}

/** tslvs → what ldirectord shows (only where the deliberate difference is tslvs's extra line). */
export function normaliseTslvs(input: Ev[], facts: ScenarioFacts, fired: Fired): Ev[] {
  const isStartish = (step: number) => ['start', 'reload'].includes(facts.stepKinds[step] ?? '');
  // first-check-quiescent
  const ev = input.map((e) => ({ ...e }));
  const drop = new Set<number>();
  ev.forEach((e, i) => {
    const q = e.kind === 'line' && isStartish(e.step) ? realLine(e.text) : undefined;
    if (q?.kind !== 'Quiescent') return;
    for (let j = i + 1; j < ev.length && ev[j]!.step === e.step; j++) {
      const r = ev[j]!.kind === 'line' ? realLine(ev[j]!.text) : undefined;
      if (!r || r.r !== q.r || r.v !== q.v) continue;
      if (r.kind === 'Restored') {
        drop.add(i);
        ev[j] = { ...ev[j]!, text: `Added real server: ${r.r} (${r.v}) (Weight set to ${r.w})` };
        fire(fired, 'first-check-quiescent');
      }
      break;
    }
  });
  return startFallback(ev.filter((_e, i) => !drop.has(i)), facts, fired).filter((e) => {
    if (e.kind !== 'line') return true;
    const m = /^Purged real server \(stop\): (\S+) \((.+)\)$/.exec(e.text);
    if (m && facts.sharedLater.includes(`${m[2]}|${m[1]}`)) {
      fire(fired, 'stop-shared-real');
      return false;
    }
    return true;
  });
}

/**
 * The final table as comparable lines: `-S -n`'s lines, each destination followed by its
 * thresholds from `-L -n --thresholds` (` u=U l=L`), which -S does not save. On the ldirectord
 * side `dropFromTable` (start-dance-quiescent) and quiescent-thresholds apply.
 */
export function finalTable(save: string, thresholds: string, side: 'ldirectord' | 'tslvs', dropFromTable: Set<string>, facts: ScenarioFacts, fired: Fired): string[] {
  const th = new Map<string, { u: number; l: number }>();
  let svc = '';
  for (const line of thresholds.split('\n')) {
    const s = /^(?:TCP|UDP|SCTP|FWM)\s+(\S+)/.exec(line);
    if (s) { svc = s[1]!; continue; }
    const d = /^ {2}-> (\S+)\s+(\d+)\s+(\d+)\s/.exec(line);
    if (d) th.set(`${svc}|${d[1]}`, { u: Number(d[2]), l: Number(d[3]) });
  }
  const out: string[] = [];
  for (const line of save.split('\n').filter(Boolean)) {
    const m = /^-a -[tuf] (\S+) -r (\S+) .* -w (\d+)$/.exec(line);
    if (!m) { out.push(line); continue; }
    const key = `${m[1]}|${m[2]}`;
    if (side === 'ldirectord' && m[3] === '0' && dropFromTable.has(`${m[2]}|${m[1]}`)) {
      fire(fired, 'start-dance-quiescent');
      continue;
    }
    let t = th.get(key) ?? { u: -1, l: -1 };
    const want = facts.thresholds[key];
    if (side === 'ldirectord' && m[3] === '0' && want && (want.u || want.l) && t.u === 0 && t.l === 0) {
      fire(fired, 'quiescent-thresholds');
      t = want;
    }
    out.push(`${line} u=${t.u} l=${t.l}`);
  }
  return out;
}

/** Sort key for order-insensitive comparison of start/reload steps. */
export function stepView(events: Ev[], step: number, kind: 'line' | 'cmd', sorted: boolean): string[] {
  const l = events.filter((e) => e.step === step && e.kind === kind).map((e) => e.text);
  return sorted ? [...l].sort() : l;
}

/**
 * start-fallback: within a start/reload step, "Added fallback server: F (V)" and a later
 * "Deleted fallback server: F (V)" with no real of V removed between them are dropped, with the
 * first "start" run after the addition (the "stop" stays: tslvs runs it as its first decision,
 * as ldirectord does for reals that are up at start).
 */
function startFallback(input: Ev[], facts: ScenarioFacts, fired: Fired): Ev[] {
  const isStartish = (step: number) => ['start', 'reload'].includes(facts.stepKinds[step] ?? '');
  const drop = new Set<number>();
  const cmdFor = (from: number, status: string, v: string, step: number) => {
    for (let k = from; k < input.length && input[k]!.step === step; k++) {
      const c = input[k]!.kind === 'cmd' ? cmdVirtual(input[k]!.text) : undefined;
      if (c && !drop.has(k) && c.status === status && (c.target === v || c.target.startsWith(':'))) return k;
    }
    return -1;
  };
  input.forEach((e, i) => {
    const add = e.kind === 'line' && isStartish(e.step) && !drop.has(i) ? fallbackLine(e.text) : undefined;
    if (add?.kind !== 'Added') return;
    for (let j = i + 1; j < input.length && input[j]!.step === e.step; j++) {
      if (input[j]!.kind !== 'line') continue;
      const r = realLine(input[j]!.text);
      if (r && r.v === add.v && (r.kind === 'Deleted' || r.kind === 'Quiescent')) return;
      const del = fallbackLine(input[j]!.text);
      if (del?.v !== add.v) continue;
      if (del.kind !== 'Deleted') return;
      drop.add(i);
      drop.add(j);
      const start = cmdFor(i + 1, 'start', add.v, e.step);
      if (start >= 0) drop.add(start);
      fire(fired, 'start-fallback');
      return;
    }
  });
  return input.filter((_e, i) => !drop.has(i));
}
