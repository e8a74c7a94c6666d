// The director: one config, its health state and the IPVS backend.
// Every check identity (probe, shared by every virtual that uses it) runs on its own clock
// (probe-clock.ts) through one bounded pool (probes.ts); each outcome goes to the health machine
// as it arrives, its lines are logged then, and a change asks for a write. Writes are coalesced:
// one goes out a settle window after the request (or after the write in progress), reconciles
// against the table as the last write left it and applies every op in one batch; the kernel
// table is read (drift audit) once per checkinterval. Table work (start, reload, writes, audit,
// stop) is serialised on one lock; recording an outcome is synchronous.
// checkAll() runs every probe once and writes (start-up in tests, the benchmark of one pass).
import type { Config, RealServer, VirtualService } from '../config/model.js';
import { planProbe, probeKindFor } from '../checks/registry.js';
import type { PlannedProbe } from '../checks/registry.js';
import { desiredState, openJoins, retiredServices, startJoins } from '../desired/build.js';
import type { JoinKey, RetiredService } from '../desired/build.js';
import { initHealth } from '../health/init.js';
import { probeChoice, probeTasks, realName, recordInto, recordOutcomes, sharingIndex } from '../health/machine.js';
import type { HealthState, Outcome, RealHealth } from '../health/types.js';
import type { ProbeTask } from '../health/machine.js';
import { redact } from '../log/redact.js';
import { opArgs } from '../ipvs/ops.js';
import type { ApplyResult, IpvsBackend, Table } from '../ipvs/types.js';
import type { CheckResult } from '../checks/types.js';
import { reconcile, reconcileStop } from '../reconcile/reconcile.js';
import type { FallbackCommandStatus, Phase, ReconcileResult, TransitionEvent } from '../reconcile/types.js';
import type { CommandQueue } from './commands.js';
import { readMaintenance, systemReverseResolver } from './maintenance.js';
import type { MaintenanceView, ReverseResolver } from './maintenance.js';
import { ProbeClock } from './probe-clock.js';
import type { ProbeReport, ProbeStatus } from './probe-clock.js';
import { ProbePool, type ProbeLimits } from './probes.js';
import type { ProbeJob } from './probes.js';

/** ldirectord's $DAEMON_STATUS, which emailalertstatus filters on. */
export type DaemonStatus = 'starting' | 'running' | 'stopping' | 'reloading';

/** Email alerts (alerts/email.ts behind it). */
export interface AlertSink {
  send(subject: string, virtual: VirtualService, server: string, inaccessible: boolean): void;
}

/** monitorfile lines (alerts/monitorfile.ts behind it). */
export interface MonitorSink {
  record(virtual: VirtualService, real: RealServer, state: 'up' | 'down', message: string | undefined): void;
}

export interface DirectorDeps {
  backend: IpvsBackend;
  log: (message: string) => void;
  debug?: (priority: number, message: string) => void;
  commands: CommandQueue;
  alerts?: AlertSink;
  monitor?: MonitorSink;
  reverse?: ReverseResolver;
  probeLimits?: Partial<ProbeLimits>;
  /** Coalescing window for writes (ms); DEFAULT_SETTLE_MS. */
  settleMs?: number;
  /** The most a probe's first start is spread (ms); 250. */
  spreadMs?: number;
  /** After each write or audit (the demo prints the table, tests count writes). */
  onWrite?: (stats: WriteStats) => void;
}

/**
 * Outcomes that arrive within this window after a write was asked for go out in that write
 * (docs/PERFORMANCE.md): checks that complete together (start-up, a maintenance file) finish
 * within a few ms of each other here, and 25 ms adds at most 2.5 % of a 1-s interval to
 * detection. The window is stretched to three times the previous write's duration (10,000 reals).
 */
export const DEFAULT_SETTLE_MS = 25;

/** The write window is at least this many times the last write's duration (docs/PERFORMANCE.md). */
const WRITE_SHARE = 3;

export interface WriteStats {
  kind: 'write' | 'audit';
  durationMs: number;
  ops: number;
  failedOps: number;
  execs: number;
}

export interface RoundStats {
  probes: number;
  durationMs: number;
  probeMs: number;
  /** Probes parked while waiting for a slow or hung server, and most probes in flight at once. */
  parked: number;
  peakInFlight: number;
  ops: number;
  failedOps: number;
  execs: number;
}

/** Which half of a combined check a probe runs. */
type CheckPhase = 'connect' | 'negotiate';

export class Director {
  status: DaemonStatus = 'starting';
  private health: HealthState = { reals: {} };
  private phase: Phase = 'start';
  private lastSeen: Table | undefined;
  private retired: RetiredService[] = [];
  /** Virtuals of the previous config, so lines about retired services can still be mailed. */
  private previous: Config | undefined;
  private fallbackStatus: Record<string, FallbackCommandStatus> = {};
  private tableError: string | undefined;
  /** Reals not in the table at start/reload that have not settled yet (desired/build.ts). */
  private joins: ReadonlySet<JoinKey> = new Set();
  /** Ops that failed, by their ipvsadm arguments: the reason logged and how many tries so far. */
  private readonly failing = new Map<string, { reason: string; tries: number }>();
  private abort = new AbortController();
  private readonly pool: ProbePool;
  private clock: ProbeClock | undefined;
  /** Table work, one at a time. */
  private lock: Promise<unknown> = Promise.resolve();
  private dirty = false;
  private writing = false;
  private lastWriteMs = 0;
  private writeTimer: ReturnType<typeof setTimeout> | undefined;
  private auditTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** Probes that have not reported since start or the reload that added them. */
  private readonly awaitingFirst = new Set<string>();
  private firstWaiters: Array<() => void> = [];
  private maintenance: { at: number; view: Promise<MaintenanceView | undefined> } | undefined;
  /** Since the last audit, for the debug line. */
  private counters = { probes: 0, writes: 0, ops: 0, failedOps: 0 };
  /** Each check identity's last probe duration: slow ones start parked. */
  private readonly lastMs = new Map<string, number>();
  private index: {
    config: Config; sharing: ReturnType<typeof sharingIndex>; plans: Map<string, PlannedProbe>; tasks: Map<string, ProbeTask>;
  } | undefined;

  constructor(private config: Config, private readonly deps: DirectorDeps) {
    this.pool = new ProbePool(deps.probeLimits, this.abort.signal);
  }

  get current(): Config { return this.config; }
  get state(): HealthState { return this.health; }

  /**
   * ld_start(): adopt what the table already has (live reals stay, as ldirectord keeps them),
   * create the services and fallbacks, purge untracked reals. No real is added before its check
   * passes (ldirectord adds every unknown real and deletes it again).
   */
  async start(): Promise<void> {
    await this.exclusive(async () => {
      const observed = await this.list();
      this.health = initHealth(this.config, observed);
      this.joins = startJoins(this.config, this.health, observed);
      this.phase = 'start';
      if (observed) await this.sync(observed);
    });
  }

  /**
   * reread_config(): swap in a checked config; health of unchanged check identities is kept,
   * and so is every probe's phase on the clock.
   */
  async reload(next: Config): Promise<void> {
    await this.exclusive(async () => {
      const observed = await this.list();
      this.retired = retiredServices(this.config, next);
      this.previous = this.config;
      this.health = initHealth(next, observed, this.health);
      this.config = next;
      this.joins = startJoins(next, this.health, observed);
      this.phase = 'reload';
      this.maintenance = undefined;
      if (observed) await this.sync(observed);
    });
    if (this.clock) this.schedule(this.clock);
  }

  /**
   * Puts every probe on its clock and starts the drift audit. Call once, after start(); the
   * probes run until stop().
   */
  startClock(): void {
    if (this.clock || this.closed) return;
    const clock = new ProbeClock((key) => this.probeOnce(key), this.deps.spreadMs);
    this.clock = clock;
    this.schedule(clock);
    this.armAudit();
  }

  /** Resolves once every probe has reported at least once since start or the last reload (or on stop). */
  firstResults(): Promise<void> {
    if (this.awaitingFirst.size === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.firstWaiters.push(resolve));
  }

  /** Every probe's status: last start, duration, result, next due (a snapshot; empty before startClock). */
  probeStatus(): ProbeStatus[] {
    return this.clock?.status() ?? [];
  }

  /** The clock's probes: one per check identity that needs checking, at its virtuals' shortest interval. */
  private schedule(clock: ProbeClock): void {
    const sharing = this.sharing();
    const wanted = new Set<string>();
    for (const t of this.perConfig().tasks.values()) {
      if (t.choice.kind === 'skip') continue;
      wanted.add(t.checkKey);
      // The model's checkinterval is ldirectord's rule already (the virtual's own only with fork=yes).
      const sharers = sharing.get(t.checkKey) ?? [{ virtual: t.virtual }];
      const interval = Math.min(...sharers.map(({ virtual }) => virtual.checkinterval)) * 1000;
      if (!clock.has(t.checkKey) && this.health.reals[t.checkKey]?.last === undefined) this.awaitingFirst.add(t.checkKey);
      clock.set(t.checkKey, interval);
    }
    for (const s of clock.status()) if (!wanted.has(s.key)) clock.remove(s.key);
    for (const k of [...this.awaitingFirst]) if (!wanted.has(k)) this.awaitingFirst.delete(k);
    for (const k of [...this.lastMs.keys()]) if (!wanted.has(k)) this.lastMs.delete(k);
    this.settleFirst();
    if (this.auditTimer) this.armAudit();
  }

  /** One run of one probe (the clock calls it when due). A probe that has nothing to report still counts as reported. */
  private async probeOnce(key: string): Promise<ProbeReport | undefined> {
    try {
      return await this.probeNow(key);
    } finally {
      if (this.awaitingFirst.delete(key)) this.settleFirst();
    }
  }

  /** Maintenance first, as _check_real; then the check, or checktype=on's "up". */
  private async probeNow(key: string): Promise<ProbeReport | undefined> {
    const t = this.perConfig().tasks.get(key);
    if (!t || this.closed) return undefined;
    const choice = probeChoice(t.virtual, this.health.reals[key]);
    if (choice.kind === 'skip') return undefined;
    const view = await this.maintenanceView(false);
    const file = view ? await view.fileFor(t.real.address, t.real.port) : undefined;
    let outcome: Outcome;
    let logged = true;
    if (file !== undefined) {
      this.deps.debug?.(2, `Server maintenance: Found file ${file}`);
      outcome = { kind: 'maintenance', message: 'Server in maintenance' };
    } else if (choice.kind === 'assumeUp') {
      outcome = { kind: 'up', message: '' };
      logged = false;
    } else {
      const phase = choice.checktype === 'connect' ? 'connect' : 'negotiate';
      const kind = probeKindFor(t.virtual, phase);
      if (!kind) return undefined;
      const lastMs = this.lastMs.get(key);
      const probe = this.planned(key, kind, () => planProbe(t.virtual, t.real, kind));
      const job: ProbeJob = { probe, ...(lastMs !== undefined ? { lastMs } : {}) };
      const r = await this.pool.run(job);
      this.counters.probes++;
      if (this.closed || this.perConfig().tasks.get(key) === undefined) return { up: r.up, message: r.message };
      this.lastMs.set(key, r.durationMs);
      if (!r.up) this.debugFailure(t.virtual, t.real, r.message);
      outcome = { kind: r.up ? 'up' : 'down', message: r.message, ...(t.virtual.checktype === 'combined' ? { probe: phase } : {}) };
    }
    if (this.closed) return undefined;
    this.record(key, outcome, logged);
    return { up: outcome.kind === 'up', message: outcome.message ?? 'Server in maintenance' };
  }

  /**
   * One outcome into the health machine; its lines are logged now, and a verdict that changed
   * (or a first result: start joins, the fallback decision) asks for a write.
   */
  private record(checkKey: string, outcome: Outcome, logged: boolean): void {
    const sharing = this.sharing();
    const first = this.health.reals[checkKey]?.last === undefined;
    // this.health is the director's own (initHealth and recordOutcomes build fresh records).
    const { events, verdicts } = recordInto(this.health.reals as Record<string, RealHealth>, sharing, checkKey, outcome);
    for (const e of events) this.deps.log(e.message);
    if (this.deps.monitor && logged) {
      const state = outcome.kind === 'up' ? 'up' : 'down';
      for (const { virtual, real } of sharing.get(checkKey) ?? []) {
        if (virtual.monitorfile) this.deps.monitor.record(virtual, real, state, outcome.message);
      }
    }
    if (this.awaitingFirst.delete(checkKey)) this.settleFirst();
    // A first result matters beyond its verdict only while start joins are open (the fallback
    // decision, quiescent joins): a restart that adopted the table asks for no write per real.
    if (verdicts.some((v) => v.changed) || (first && this.joins.size > 0)) this.requestWrite();
  }

  private settleFirst(): void {
    if (this.awaitingFirst.size > 0 && !this.closed) return;
    const waiters = this.firstWaiters;
    this.firstWaiters = [];
    for (const w of waiters) w();
  }

  /** A write goes out one settle window after it is asked for, or after the write in progress. */
  private requestWrite(): void {
    this.dirty = true;
    if (this.writeTimer || this.writing || this.closed) return;
    // A window at least WRITE_SHARE times as long as the last write took: in a storm of changes
    // (start-up at 10,000 reals) writes take at most a quarter of the daemon's time, the checks
    // the rest. Small tables write in a few ms, so their window stays the settle window.
    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      void this.exclusive(() => this.write());
    }, Math.max(this.deps.settleMs ?? DEFAULT_SETTLE_MS, WRITE_SHARE * this.lastWriteMs));
  }

  /** Reconcile against the table as the last write left it (read it only when unknown), apply. */
  private async write(): Promise<void> {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    this.writing = true;
    const started = performance.now();
    try {
      const observed = this.lastSeen ?? await this.list();
      const applied = observed ? await this.sync(observed) : undefined;
      this.counted('write', started, applied);
      this.lastWriteMs = performance.now() - started;
    } finally {
      this.writing = false;
      if (this.dirty) this.requestWrite();
    }
  }

  /** The drift audit: once per checkinterval, read the kernel table and reconcile against it. */
  private armAudit(): void {
    if (this.auditTimer) clearInterval(this.auditTimer);
    if (this.closed) return;
    const ms = Math.min(this.config.global.checkinterval, ...this.config.virtuals.map((v) => v.checkinterval)) * 1000;
    this.auditTimer = setInterval(() => { void this.exclusive(() => this.audit()); }, ms);
    // The daemon's own loop keeps the process alive; this timer alone must not.
    this.auditTimer.unref();
  }

  private async audit(): Promise<void> {
    if (this.closed) return;
    const started = performance.now();
    const observed = await this.list();
    const applied = observed ? await this.sync(observed) : undefined;
    this.counted('audit', started, applied, 1);
    const c = this.counters;
    const pool = this.pool.stats;
    this.deps.debug?.(3, `Checks: ${c.probes} since the last audit (${pool.parked} parked in all, at most ${pool.peakInFlight} at once, `
      + `${this.pool.running} running), ${c.writes} writes, ${c.ops} ops (${c.failedOps} failed)`);
    this.counters = { probes: 0, writes: 0, ops: 0, failedOps: 0 };
  }

  private counted(kind: WriteStats['kind'], started: number, applied: ApplyResult | undefined, reads = 0): void {
    const ops = applied?.results.length ?? 0;
    const failedOps = applied?.results.filter((r) => !r.ok).length ?? 0;
    if (applied) this.counters.writes++;
    this.counters.ops += ops;
    this.counters.failedOps += failedOps;
    this.deps.onWrite?.({ kind, durationMs: performance.now() - started, ops, failedOps, execs: reads + (applied?.execs ?? 0) });
  }

  /** maintenancedir, read at most once per checkinterval (always when `fresh`). */
  private maintenanceView(fresh: boolean): Promise<MaintenanceView | undefined> {
    const now = performance.now();
    const every = this.config.global.checkinterval * 1000;
    if (fresh || !this.maintenance || now - this.maintenance.at >= every) {
      this.maintenance = { at: now, view: readMaintenance(this.config.global.maintenancedir, this.deps.reverse ?? systemReverseResolver) };
    }
    return this.maintenance.view;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /**
   * Every probe once, now, their outcomes recorded in config order, then one write against the
   * table as read now. For tests and a one-pass benchmark; not while the clock runs (a probe
   * would run twice).
   */
  async checkAll(due?: ReadonlySet<string>): Promise<RoundStats> {
    return this.exclusive(() => this.checkAllNow(due));
  }

  private async checkAllNow(due?: ReadonlySet<string>): Promise<RoundStats> {
    const started = performance.now();
    const sharing = this.sharing();
    const maintenance = await this.maintenanceView(true);
    // One record per probe task: the task, its maintenance file, the check it runs (with the
    // phase it checks, for combined) and, once run, its result.
    const runs = await Promise.all(probeTasks(this.config, this.health)
      .filter((t) => !due || (sharing.get(t.checkKey) ?? []).some(({ virtual }) => due.has(virtual.id)))
      .map(async (task) => {
        const file = maintenance ? await maintenance.fileFor(task.real.address, task.real.port) : undefined;
        const phase: CheckPhase | undefined = task.choice.kind !== 'probe' ? undefined
          : task.choice.checktype === 'connect' ? 'connect' : 'negotiate';
        const kind = file === undefined && phase ? probeKindFor(task.virtual, phase) : undefined;
        const lastMs = this.lastMs.get(task.checkKey);
        const probe = kind ? this.planned(task.checkKey, kind, () => planProbe(task.virtual, task.real, kind)) : undefined;
        const job: ProbeJob | undefined = probe ? { probe, ...(lastMs !== undefined ? { lastMs } : {}) } : undefined;
        return { task, file, phase, job, result: undefined as CheckResult | undefined };
      }));
    const probing = runs.filter((r) => r.job !== undefined).sort((a, b) => (b.job!.lastMs ?? 0) - (a.job!.lastMs ?? 0));
    const probeStart = performance.now();
    const before = { ...this.pool.stats };
    await Promise.all(probing.map(async (r) => {
      r.result = await this.pool.run(r.job!);
      this.lastMs.set(r.task.checkKey, r.result.durationMs);
    }));
    const probeStats = { parked: this.pool.stats.parked - before.parked, peakInFlight: this.pool.stats.peakInFlight };
    const probeMs = performance.now() - probeStart;
    if (this.abort.signal.aborted) {
      return { probes: probing.length, durationMs: performance.now() - started, probeMs, ...probeStats, ops: 0, failedOps: 0, execs: 0 };
    }

    // Outcomes go to the health machine in config order, so its lines come out in ldirectord's order.
    // `logged`: a check result (or maintenance) that ldirectord writes to the monitorfile;
    // checktype=on records "up" without one (service_set without do_log).
    const outcomes: Array<{ checkKey: string; outcome: Outcome; logged?: boolean }> = [];
    for (const { task: t, file, phase, result: r } of runs) {
      if (file !== undefined) {
        this.deps.debug?.(2, `Server maintenance: Found file ${file}`);
        outcomes.push({ checkKey: t.checkKey, outcome: { kind: 'maintenance', message: 'Server in maintenance' }, logged: true });
      } else if (t.choice.kind === 'assumeUp') {
        outcomes.push({ checkKey: t.checkKey, outcome: { kind: 'up', message: '' } });
      } else if (r) {
        if (!r.up) this.debugFailure(t.virtual, t.real, r.message);
        const probe = t.virtual.checktype === 'combined' && phase ? { probe: phase } : {};
        outcomes.push({ checkKey: t.checkKey, outcome: { kind: r.up ? 'up' : 'down', message: r.message, ...probe }, logged: true });
      }
    }
    const recorded = recordOutcomes(this.health, sharing, outcomes);
    this.health = recorded.health;
    for (const { checkKey } of outcomes) if (this.awaitingFirst.delete(checkKey)) this.settleFirst();
    recorded.results.forEach(({ events }, i) => {
      for (const e of events) this.deps.log(e.message);
      const { checkKey, outcome, logged } = outcomes[i]!;
      if (!this.deps.monitor || !logged) return;
      const state = outcome.kind === 'up' ? 'up' : 'down';
      for (const { virtual, real } of sharing.get(checkKey) ?? []) {
        if (virtual.monitorfile) this.deps.monitor.record(virtual, real, state, outcome.message);
      }
    });

    const observed = await this.list();
    const applied = observed ? await this.sync(observed) : undefined;
    return {
      probes: probing.length, durationMs: performance.now() - started, probeMs, ...probeStats,
      ops: applied?.results.length ?? 0, failedOps: applied?.results.filter((r) => !r.ok).length ?? 0,
      execs: 1 + (applied?.execs ?? 0),
    };
  }

  /**
   * ld_stop(): the clock stops and the probes in flight are awaited (aborted by abortProbes()
   * first, they finish at once, unrecorded), as is the write in progress; then, with
   * cleanstop, the reals that are up and the services are purged. Nothing is written after.
   */
  async stop(): Promise<void> {
    this.status = 'stopping';
    this.closed = true;
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    if (this.auditTimer) clearInterval(this.auditTimer);
    this.auditTimer = undefined;
    this.settleFirst();
    await this.clock?.stop();
    await this.exclusive(async () => {
      const observed = await this.list();
      if (!observed) return;
      const desired = desiredState(this.config, this.health, observed, this.joins);
      const result = reconcileStop({ desired, observed, fallbackCommandStatus: this.fallbackStatus });
      await this.apply(result);
    });
  }

  /** Abort probes in flight (shutdown): their outcomes are not recorded. */
  abortProbes(): void {
    this.abort.abort();
  }

  private sharing(): ReturnType<typeof sharingIndex> {
    return this.perConfig().sharing;
  }

  /** A check identity's probe plan: the same every round until the config changes. */
  private planned(checkKey: string, kind: string, plan: () => PlannedProbe): PlannedProbe {
    const plans = this.perConfig().plans;
    const key = `${kind} ${checkKey}`;
    let p = plans.get(key);
    if (!p) plans.set(key, p = plan());
    return p;
  }

  /** What is derived from the config once, not per probe (rebuilt when a reload swaps it). */
  private perConfig(): NonNullable<Director['index']> {
    if (this.index?.config !== this.config) {
      const tasks = new Map(probeTasks(this.config, this.health).map((t) => [t.checkKey, t]));
      this.index = { config: this.config, sharing: sharingIndex(this.config), plans: new Map(), tasks };
    }
    return this.index;
  }

  /** The table now, or undefined (logged once per distinct error) when it cannot be read. */
  private async list(): Promise<Table | undefined> {
    const r = await this.deps.backend.list();
    if (r.ok) {
      if (this.tableError !== undefined) this.deps.log('IPVS table can be read again');
      this.tableError = undefined;
      return r.table;
    }
    if (this.tableError !== r.error) this.deps.log(`Can not read the IPVS table: ${r.error} (will retry every checkinterval)`);
    this.tableError = r.error;
    return undefined;
  }

  /** Reconcile against `observed`, apply, log, run fallback commands and alerts. */
  private async sync(observed: Table): Promise<ApplyResult | undefined> {
    const result = reconcile({
      desired: desiredState(this.config, this.health, observed, this.joins), observed, phase: this.phase,
      ...(this.lastSeen ? { lastSeen: this.lastSeen } : {}),
      retired: this.retired, fallbackCommandStatus: this.fallbackStatus,
    });
    const applied = await this.apply(result);
    for (const c of result.commands) this.deps.commands.push(c.command, c.args);
    this.fallbackStatus = result.fallbackCommandStatus;
    // Unknown after a write whose listing failed: the next write reads the table first.
    this.lastSeen = applied ? applied.table : observed;
    if (this.lastSeen) this.joins = openJoins(this.config, this.health, this.lastSeen, this.joins);
    this.phase = 'round';
    this.retired = [];
    this.previous = undefined;
    return applied;
  }

  private async apply(result: ReconcileResult): Promise<ApplyResult | undefined> {
    if (result.ops.length === 0) return undefined;
    const applied = await this.deps.backend.apply(result.ops);
    const seen = new Set<number>();
    const attempted = new Set<string>();
    for (const e of result.events) {
      const r = applied.results[e.op];
      const args = opArgs(result.ops[e.op]!).join(' ');
      attempted.add(args);
      if (r?.ok) {
        this.failing.delete(args);
        this.deps.log(e.message);
        this.alert(e);
      } else if (!seen.has(e.op)) {
        seen.add(e.op);
        this.failed(args, r?.reason ?? applied.error ?? 'not applied', e.message);
      }
    }
    // An op no longer wanted (or that applied without a line) starts afresh if it fails again.
    for (const args of [...this.failing.keys()]) if (!attempted.has(args)) this.failing.delete(args);
    for (const w of applied.stderr) this.deps.debug?.(2, `ipvsadm: ${w}`);
    return applied;
  }

  /**
   * A failed op is logged once per distinct reason ("will retry": every round retries it); the
   * retries are counted on the debug output only (the same line every round said nothing new).
   */
  private failed(args: string, reason: string, line: string): void {
    const known = this.failing.get(args);
    if (known && known.reason === reason) {
      known.tries++;
      this.deps.debug?.(2, `Failed to apply "ipvsadm ${args}": ${reason} (${known.tries} tries so far; still retrying)`);
      return;
    }
    this.failing.set(args, { reason, tries: 1 });
    this.deps.log(`Failed to apply "ipvsadm ${args}": ${reason} (not done: ${line}; will retry)`);
  }

  /** -d: why a check failed, in the check's own words, with the virtual's secrets masked. */
  private debugFailure(virtual: VirtualService, real: RealServer, message: string): void {
    if (!this.deps.debug) return;
    this.deps.debug(2, `Check failed: ${realName(real)} (${virtual.id}): ${redact(message, [virtual.passwd, virtual.secret])}`);
  }

  /** Ops failing now, with their reason and tries (status data; the debug line shows the count). */
  get failingOps(): ReadonlyMap<string, { readonly reason: string; readonly tries: number }> {
    return this.failing;
  }

  private alert(e: TransitionEvent): void {
    if (!e.alert || !this.deps.alerts) return;
    const v = this.config.virtuals.find((x) => x.id === e.virtualId) ?? this.previous?.virtuals.find((x) => x.id === e.virtualId);
    if (v) this.deps.alerts.send(e.alert.subject, v, e.alert.server, e.alert.inaccessible);
  }
}
