// Runs probes concurrently, each under its own deadline. A hung server costs its own timeout
// and nothing else (ldirectord runs them one after another, so N hung servers cost N timeouts).
//
// Two bounds, because "in flight" means two different things:
// - *active* probes (just started: connecting, sending, reading a quick answer) are few. More
//   of them only queue for the same CPU, and each one's objects then live long enough to be
//   promoted out of V8's young generation: at 10,000 reals, 2,048 active probes made the heap
//   grow to 370-700 MB; with 32 it stays near 150 MB, and the round is no slower
//   (docs/PERFORMANCE.md).
// - a probe still running after `parkMs` is *parked*: it waits for a slow or hung server,
//   costs a socket and a timer but no CPU, and no longer holds an active slot. Probes that ran
//   into their deadline last round (a server that hung most likely hangs again) start parked
//   and first, so their waits overlap all the quick checks. Active plus parked never exceed
//   `total` (sockets and file descriptors).
import type { PlannedProbe } from '../checks/registry.js';
import type { CheckResult } from '../checks/types.js';

export interface ProbeLimits {
  /** Probes doing work at once. */
  active: number;
  /** Probes in flight, parked ones included. */
  total: number;
  /** A probe running this long (ms) is parked and frees its active slot. */
  parkMs: number;
}

/** Generous on total, so 2,000 hung servers still cost one timeout; lean on active. */
export const DEFAULT_PROBE_LIMITS: ProbeLimits = { active: 32, total: 2048, parkMs: 50 };

/** Slack after a probe's deadline before we stop waiting for a check that broke its contract. */
const GRACE_MS = 1000;

export interface ProbeJob {
  readonly probe: PlannedProbe;
  /** How long this probe took last round (ms), to start the slow ones first. */
  readonly lastMs?: number;
}

/** How a round's probes ran (for the debug line and the benchmark). */
export interface ProbeRunStats {
  /** Probes parked: started parked, or parked after parkMs to make room for others. */
  parked: number;
  /** Most probes in flight at once. */
  peakInFlight: number;
}

export interface ProbeRun { results: CheckResult[]; stats: ProbeRunStats }

/**
 * The daemon's probes in flight: any caller submits a job at any time and gets its result;
 * the bounds above hold over all of them together. A probe that starts parked goes ahead of
 * the ones waiting for an active slot; the others start in the order submitted.
 */
export class ProbePool {
  private readonly limits: ProbeLimits;
  private readonly waitingParked: Array<() => void> = [];
  private readonly waitingActive: Array<() => void> = [];
  /** Active probes by start time; a Map iterates in insertion order, so oldest first. */
  private readonly activeSince = new Map<object, number>();
  private inFlight = 0;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** The controllers of the probes in flight: one listener on `stop` aborts them all (a listener
   * per probe made adding and removing it a walk over ~1,000 parked ones, at 10,000 reals). */
  private readonly controllers = new Set<AbortController>();
  readonly stats: ProbeRunStats = { parked: 0, peakInFlight: 0 };

  constructor(limits: Partial<ProbeLimits> = {}, private readonly stop?: AbortSignal) {
    this.limits = { ...DEFAULT_PROBE_LIMITS, ...limits };
    stop?.addEventListener('abort', () => { for (const c of this.controllers) c.abort(); }, { once: true });
  }

  /** Probes running now. */
  get running(): number { return this.inFlight; }

  /** Runs `job` once there is room; a stopped pool resolves it as down without running it. */
  run(job: ProbeJob): Promise<CheckResult> {
    return new Promise<CheckResult>((resolve) => {
      const parked = startsParked(job, this.limits.parkMs);
      const go = () => {
        this.inFlight++;
        if (this.inFlight > this.stats.peakInFlight) this.stats.peakInFlight = this.inFlight;
        const token = {};
        if (parked) this.stats.parked++;
        else this.activeSince.set(token, performance.now());
        this.sweep(true);
        // Once stopped, nothing more starts: it counts as down (the caller discards it).
        const run = this.stop?.aborted
          ? Promise.resolve<CheckResult>({ up: false, message: 'stopped', durationMs: 0 })
          : runOne(job.probe, this.controllers);
        void run.then((r) => {
          this.inFlight--;
          this.activeSince.delete(token);
          resolve(r);
          this.launch();
        });
      };
      (parked ? this.waitingParked : this.waitingActive).push(go);
      this.launch();
    });
  }

  private launch(): void {
    const { active, total } = this.limits;
    while (this.inFlight < total) {
      const next = this.waitingParked.shift() ?? (this.activeSince.size < active ? this.waitingActive.shift() : undefined);
      if (!next) break;
      next();
    }
    if (this.inFlight === 0) this.sweep(false);
  }

  /** One sweep timer while probes run, not one per probe: it parks the ones past parkMs. */
  private sweep(on: boolean): void {
    if (on && !this.sweeper) {
      this.sweeper = setInterval(() => this.park(), Math.max(1, Math.floor(this.limits.parkMs / 4)));
    } else if (!on && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private park(): void {
    const cutoff = performance.now() - this.limits.parkMs;
    for (const [token, since] of this.activeSince) {
      if (since > cutoff) break;
      this.activeSince.delete(token);
      this.stats.parked++;
    }
    this.launch();
  }
}

/**
 * Runs every job (slowest last time first); results come in job order. `stop` aborts all
 * probes in flight (daemon shutdown); aborted probes resolve as down.
 */
export async function runProbes(jobs: readonly ProbeJob[], limits: Partial<ProbeLimits> = {}, stop?: AbortSignal): Promise<ProbeRun> {
  const pool = new ProbePool(limits, stop);
  const order = jobs.map((_, i) => i).sort((a, b) => (jobs[b]!.lastMs ?? 0) - (jobs[a]!.lastMs ?? 0));
  const results = new Array<CheckResult>(jobs.length);
  await Promise.all(order.map(async (i) => { results[i] = await pool.run(jobs[i]!); }));
  return { results, stats: pool.stats };
}

/**
 * A probe that ran into (half) its deadline last round waits for a server that hangs: it
 * starts parked. Merely slow ones do not - a quick check that was slow once because the CPU
 * was busy would otherwise start parked next round, in a crowd, be slow again, and the
 * parked crowd would grow round by round.
 */
function startsParked(job: ProbeJob, parkMs: number): boolean {
  return (job.lastMs ?? 0) >= Math.max(parkMs, job.probe.deadlineMs / 2);
}

/**
 * One controller and one timer per probe (AbortSignal.any/timeout cost more and retain more);
 * the controller is in `controllers` while the probe runs, for the pool's stop.
 */
function runOne(p: PlannedProbe, controllers: Set<AbortController>): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  controllers.add(controller);
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const finish = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controllers.delete(controller);
      resolve(r);
    };
    // At the deadline the check is told to stop; it promises to resolve then. The grace
    // period keeps a broken check from stalling the daemon anyway.
    let timer = setTimeout(() => {
      controller.abort();
      timer = setTimeout(() => finish({
        up: false, message: `check did not finish within ${p.deadlineMs} ms`, durationMs: performance.now() - started,
      }), GRACE_MS);
    }, Math.max(1, p.deadlineMs));
    p.check(p.target, p.options, controller.signal).then(finish, (err: unknown) => finish({
      up: false, message: `check failed: ${err instanceof Error ? err.message : String(err)}`, durationMs: performance.now() - started,
    }));
  });
}
