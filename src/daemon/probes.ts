// Runs a round's probes concurrently, at most `limit` in flight, each under its own deadline.
// A hung server costs its own timeout and one slot, never the round: the slowest probe bounds
// the round (ldirectord runs them one after another, so N hung servers cost N timeouts).
// Probes that took longest last time start first: a server that hung last round most likely
// hangs again, and its wait then overlaps the CPU work of all the quick checks instead of
// following it.
import type { PlannedProbe } from '../checks/registry.js';
import type { CheckResult } from '../checks/types.js';

/** Default bound on probes in flight: generous, so 1,000 hung servers still cost one timeout. */
export const DEFAULT_MAX_PROBES = 2048;

/** Slack after a probe's deadline before we stop waiting for a check that broke its contract. */
const GRACE_MS = 1000;

export interface ProbeJob {
  readonly probe: PlannedProbe;
  /** How long this probe took last round (ms), to start the slow ones first. */
  readonly lastMs?: number;
}

/**
 * Runs every job and returns the results in job order. `stop` aborts all probes in flight
 * (daemon shutdown); aborted probes resolve as down.
 */
export async function runProbes(jobs: readonly ProbeJob[], limit: number, stop?: AbortSignal): Promise<CheckResult[]> {
  const results = new Array<CheckResult>(jobs.length);
  const order = jobs.map((_, i) => i).sort((a, b) => (jobs[b]!.lastMs ?? 0) - (jobs[a]!.lastMs ?? 0));
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const i = order[next++]!;
      results[i] = await runOne(jobs[i]!.probe, stop);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return results;
}

/** One controller and one timer per probe (AbortSignal.any/timeout cost more and retain more). */
function runOne(p: PlannedProbe, stop?: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  const onStop = () => controller.abort();
  if (stop?.aborted) controller.abort();
  stop?.addEventListener('abort', onStop, { once: true });
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const finish = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
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
