// Runs a round's probes concurrently, at most `limit` in flight, each under its own deadline.
// A hung server costs its own timeout and one slot, never the round: the slowest probe bounds
// the round (ldirectord runs them one after another, so N hung servers cost N timeouts).
import type { PlannedProbe } from '../checks/registry.js';
import type { CheckResult } from '../checks/types.js';

/** Default bound on probes in flight: generous, so 1,000 hung servers still cost one timeout. */
export const DEFAULT_MAX_PROBES = 2048;

/** Slack after a probe's deadline before we stop waiting for a check that broke its contract. */
const GRACE_MS = 1000;

export interface ProbeJob {
  readonly probe: PlannedProbe;
}

/**
 * Runs every job and returns the results in job order. `stop` aborts all probes in flight
 * (daemon shutdown); aborted probes resolve as down with "aborted".
 */
export async function runProbes(jobs: readonly ProbeJob[], limit: number, stop?: AbortSignal): Promise<CheckResult[]> {
  const results = new Array<CheckResult>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await runOne(jobs[i]!.probe, stop);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker);
  await Promise.all(workers);
  return results;
}

async function runOne(p: PlannedProbe, stop?: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(Math.max(1, p.deadlineMs));
  const signal = stop ? AbortSignal.any([deadline, stop]) : deadline;
  let guard: NodeJS.Timeout | undefined;
  // Every check promises to resolve by its deadline; the guard keeps a broken one from
  // stalling the daemon anyway.
  const overdue = new Promise<CheckResult>((resolve) => {
    guard = setTimeout(() => resolve({
      up: false, message: `check did not finish within ${p.deadlineMs} ms`, durationMs: performance.now() - started,
    }), p.deadlineMs + GRACE_MS);
  });
  try {
    return await Promise.race([
      p.check(p.target, p.options, signal).catch((err: unknown): CheckResult => ({
        up: false, message: `check failed: ${err instanceof Error ? err.message : String(err)}`, durationMs: performance.now() - started,
      })),
      overdue,
    ]);
  } finally {
    clearTimeout(guard);
  }
}
