// The director: one config, its health state and the IPVS backend, driven by the daemon loop.
// Each round: probe every due check identity concurrently (one probe per identity, shared by
// every virtual that uses it), feed the outcomes to the health machine in config order, list the
// table once, reconcile, apply the ops in one batch, and log the lines of the ops that applied.
// Methods must not run concurrently; the daemon loop (daemon.ts) serialises them.
import type { Config, RealServer, VirtualService } from '../config/model.js';
import { planProbe, probeKindFor } from '../checks/registry.js';
import type { PlannedProbe } from '../checks/registry.js';
import { desiredState, openJoins, retiredServices, startJoins } from '../desired/index.js';
import type { JoinKey, RetiredService } from '../desired/index.js';
import { initHealth, probeTasks, realName, recordOutcomes, sharingIndex } from '../health/index.js';
import type { HealthState, Outcome } from '../health/index.js';
import { redact } from '../checks/util/a-redact.js';
import { opArgs } from '../ipvs/ops.js';
import type { ApplyResult, IpvsBackend, Table } from '../ipvs/types.js';
import { reconcile, reconcileStop } from '../reconcile/index.js';
import type { FallbackCommandStatus, Phase, ReconcileResult, TransitionEvent } from '../reconcile/index.js';
import type { CommandQueue } from './commands.js';
import { readMaintenance, systemReverseResolver } from './maintenance.js';
import type { ReverseResolver } from './maintenance.js';
import { runProbes, type ProbeLimits } from './probes.js';
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
  /** Each check identity's last probe duration: slow ones start first next round. */
  private readonly lastMs = new Map<string, number>();
  private index: { config: Config; sharing: ReturnType<typeof sharingIndex>; plans: Map<string, PlannedProbe> } | undefined;

  constructor(private config: Config, private readonly deps: DirectorDeps) {}

  get current(): Config { return this.config; }
  get state(): HealthState { return this.health; }

  /**
   * ld_start(): adopt what the table already has (live reals stay, as ldirectord keeps them),
   * create the services and fallbacks, purge untracked reals. No real is added before its check
   * passes (ldirectord adds every unknown real and deletes it again).
   */
  async start(): Promise<void> {
    const observed = await this.list();
    this.health = initHealth(this.config, observed);
    this.joins = startJoins(this.config, this.health, observed);
    this.phase = 'start';
    if (observed) await this.sync(observed);
  }

  /** reread_config(): swap in a checked config; health of unchanged check identities is kept. */
  async reload(next: Config): Promise<void> {
    const observed = await this.list();
    this.retired = retiredServices(this.config, next);
    this.lastMs.clear();
    this.previous = this.config;
    this.health = initHealth(next, observed, this.health);
    this.config = next;
    this.joins = startJoins(next, this.health, observed);
    this.phase = 'reload';
    if (observed) await this.sync(observed);
  }

  /** One pass of checks over the virtuals in `due` (all when left out), then one sync. */
  async round(due?: ReadonlySet<string>): Promise<RoundStats> {
    const started = performance.now();
    const sharing = this.sharing();
    const tasks = probeTasks(this.config, this.health).filter((t) =>
      !due || (sharing.get(t.checkKey) ?? []).some(({ virtual }) => due.has(virtual.id)));
    const maintenance = await readMaintenance(this.config.global.maintenancedir, this.deps.reverse ?? systemReverseResolver);
    const inMaintenance = maintenance
      ? await Promise.all(tasks.map((t) => maintenance.fileFor(t.real.address, t.real.port)))
      : [];

    const jobs: ProbeJob[] = [];
    const jobOf: number[] = tasks.map((t, i) => {
      if (inMaintenance[i] !== undefined || t.choice.kind !== 'probe') return -1;
      const kind = probeKindFor(t.virtual, t.choice.checktype === 'connect' ? 'connect' : 'negotiate');
      if (!kind) return -1;
      const lastMs = this.lastMs.get(t.checkKey);
      jobs.push({ probe: this.planned(t.checkKey, kind, () => planProbe(t.virtual, t.real, kind)), ...(lastMs !== undefined ? { lastMs } : {}) });
      return jobs.length - 1;
    });
    const probeStart = performance.now();
    const { results, stats: probeStats } = await runProbes(jobs, this.deps.probeLimits, this.abort.signal);
    const probeMs = performance.now() - probeStart;
    tasks.forEach((t, i) => { if (jobOf[i]! >= 0) this.lastMs.set(t.checkKey, results[jobOf[i]!]!.durationMs); });
    if (this.abort.signal.aborted) return { probes: jobs.length, durationMs: performance.now() - started, probeMs, ...probeStats, ops: 0, failedOps: 0, execs: 0 };

    // Outcomes go to the health machine in config order, so its lines come out in ldirectord's order.
    // `logged`: a check result (or maintenance) that ldirectord writes to the monitorfile;
    // checktype=on records "up" without one (service_set without do_log).
    const outcomes: Array<{ checkKey: string; outcome: Outcome; logged?: boolean }> = [];
    tasks.forEach((t, i) => {
      if (inMaintenance[i] !== undefined) {
        this.deps.debug?.(2, `Server maintenance: Found file ${inMaintenance[i]}`);
        outcomes.push({ checkKey: t.checkKey, outcome: { kind: 'maintenance', message: 'Server in maintenance' }, logged: true });
      } else if (t.choice.kind === 'assumeUp') {
        outcomes.push({ checkKey: t.checkKey, outcome: { kind: 'up', message: '' } });
      } else if (jobOf[i]! >= 0) {
        const r = results[jobOf[i]!]!;
        if (!r.up) this.debugFailure(t.virtual, t.real, r.message);
        const probe = t.choice.kind === 'probe' && t.virtual.checktype === 'combined'
          ? { probe: t.choice.checktype === 'connect' ? 'connect' as const : 'negotiate' as const } : {};
        outcomes.push({ checkKey: t.checkKey, outcome: { kind: r.up ? 'up' : 'down', message: r.message, ...probe }, logged: true });
      }
    });
    const recorded = recordOutcomes(this.health, sharing, outcomes);
    this.health = recorded.health;
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
      probes: jobs.length, durationMs: performance.now() - started, probeMs, ...probeStats,
      ops: applied?.results.length ?? 0, failedOps: applied?.results.filter((r) => !r.ok).length ?? 0,
      execs: 1 + (applied?.execs ?? 0),
    };
  }

  /** ld_stop(): with cleanstop, purge the reals that are up and the services. */
  async stop(): Promise<void> {
    this.status = 'stopping';
    const observed = await this.list();
    if (!observed) return;
    const result = reconcileStop({ desired: desiredState(this.config, this.health, observed, this.joins), observed, fallbackCommandStatus: this.fallbackStatus });
    await this.apply(result);
  }

  /** Abort probes in flight (shutdown): the round returns without recording them. */
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

  /** What is derived from the config once, not per round (rebuilt when a reload swaps it). */
  private perConfig(): { sharing: ReturnType<typeof sharingIndex>; plans: Map<string, PlannedProbe> } {
    if (this.index?.config !== this.config) {
      this.index = { config: this.config, sharing: sharingIndex(this.config), plans: new Map() };
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
    if (this.tableError !== r.error) this.deps.log(`Can not read the IPVS table: ${r.error} (will retry every round)`);
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
    this.lastSeen = applied?.table ?? observed;
    this.joins = openJoins(this.config, this.health, this.lastSeen, this.joins);
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
