// The round's probe scheduler (src/daemon/probes.ts): active and total bounds, parking, the
// order probes start in, deadlines and stop. The checks here are stand-ins that only wait (the
// scheduler is what is under test; real checks against real servers are in test/checks and
// test/daemon/concurrency.test.ts).
import type { PlannedProbe } from '../../src/checks/registry.js';
import type { CheckFn } from '../../src/checks/types.js';
import { runProbes, type ProbeJob } from '../../src/daemon/probes.js';
import { options, target } from '../support/check-options.js';

/** Counts checks running at once; each waits `ms` (or until aborted, for ms = Infinity). */
function recorder() {
  const rec = { running: 0, peak: 0, started: [] as number[] };
  const fn = (id: number, ms: number, obeysAbort = true): CheckFn => (_t, _o, signal) => new Promise((resolve) => {
    rec.started.push(id);
    rec.running++;
    rec.peak = Math.max(rec.peak, rec.running);
    const end = (up: boolean, message: string) => {
      rec.running--;
      resolve({ up, message, durationMs: 0 });
    };
    if (Number.isFinite(ms)) setTimeout(() => end(true, `done ${id}`), ms);
    if (obeysAbort) {
      if (signal.aborted) end(false, 'timed out');
      else signal.addEventListener('abort', () => end(false, 'timed out'), { once: true });
    }
  });
  return { rec, fn };
}

function job(check: CheckFn, deadlineMs = 2000, lastMs?: number): ProbeJob {
  const probe: PlannedProbe = { kind: 'negotiate', check, target: target('127.0.0.1', 80), options: options(), deadlineMs };
  return { probe, ...(lastMs !== undefined ? { lastMs } : {}) };
}

describe('runProbes', () => {
  it('returns results in job order, with at most `active` quick probes at once', async () => {
    const { rec, fn } = recorder();
    const jobs = Array.from({ length: 40 }, (_, i) => job(fn(i, 5)));
    const { results, stats } = await runProbes(jobs, { active: 4, total: 100, parkMs: 1000 });
    expect(results.map((r) => r.message)).toEqual(jobs.map((_, i) => `done ${i}`));
    expect(rec.peak).toBe(4);
    expect(stats.peakInFlight).toBe(4);
    expect(stats.parked).toBe(0);
  });

  it('parks a probe that outlasts parkMs, so slow servers do not hold up the quick ones', async () => {
    const { rec, fn } = recorder();
    // Two slots, two servers that take 1.5 s, then 20 quick ones: without parking the quick
    // ones would wait for the slow ones to finish.
    const jobs = [job(fn(0, 1500)), job(fn(1, 1500)), ...Array.from({ length: 20 }, (_, i) => job(fn(i + 2, 5)))];
    const quickDone: number[] = [];
    const t0 = performance.now();
    const wrapped = jobs.map((j, i) => (i < 2 ? j : job(async (t, o, s) => {
      const r = await j.probe.check(t, o, s);
      quickDone.push(performance.now() - t0);
      return r;
    })));
    const { results, stats } = await runProbes(wrapped, { active: 2, total: 100, parkMs: 50 });
    expect(results.every((r) => r.up)).toBe(true);
    expect(stats.parked).toBe(2);
    expect(Math.max(...quickDone)).toBeLessThan(1000);
    expect(rec.peak).toBeLessThanOrEqual(4);
  });

  it('starts probes that ran into half their deadline last round first, parked', async () => {
    const { rec, fn } = recorder();
    const jobs = [
      job(fn(0, 5), 2000, 3), job(fn(1, 5), 2000, 900), // quick last time, and slow but not hung
      job(fn(2, 5), 2000, 1500), job(fn(3, 5), 2000, 2000), // hung last time (>= deadline / 2)
      job(fn(4, 5), 2000),
    ];
    const { stats } = await runProbes(jobs, { active: 1, total: 100, parkMs: 50 });
    // Slowest first; the two hung ones start at once, parked, beside the one active slot.
    expect(rec.started).toEqual([3, 2, 1, 0, 4]);
    expect(stats.parked).toBe(2);
    expect(stats.peakInFlight).toBe(3);
  });

  it('never has more than `total` probes in flight, parked ones included', async () => {
    const { rec, fn } = recorder();
    const jobs = Array.from({ length: 6 }, (_, i) => job(fn(i, Infinity), 300));
    const t0 = performance.now();
    const { results, stats } = await runProbes(jobs, { active: 1, total: 3, parkMs: 10 });
    expect(results.every((r) => !r.up && r.message === 'timed out')).toBe(true);
    expect(rec.peak).toBe(3);
    expect(stats.peakInFlight).toBe(3);
    // Parked to make room while others waited to start (the last ones needed no room).
    expect(stats.parked).toBeGreaterThanOrEqual(3);
    // Two waves of one deadline each, not six.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(590);
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('gives up on a check that ignores its deadline after a grace period', async () => {
    const { fn } = recorder();
    const { results } = await runProbes([job(fn(0, Infinity, false), 100)]);
    expect(results[0]).toMatchObject({ up: false, message: 'check did not finish within 100 ms' });
  });

  it('aborts every probe in flight when stopped, and starts no more', async () => {
    const { rec, fn } = recorder();
    const stop = new AbortController();
    const jobs = Array.from({ length: 10 }, (_, i) => job(fn(i, Infinity), 5000));
    setTimeout(() => stop.abort(), 100);
    const t0 = performance.now();
    const { results } = await runProbes(jobs, { active: 2, total: 4, parkMs: 20 }, stop.signal);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(results.every((r) => !r.up)).toBe(true);
    // Aborted ones resolve as down; the ones not yet started are never run.
    expect(rec.started.length).toBeLessThanOrEqual(4);
    expect(results.filter((r) => r.message === 'stopped').length).toBeGreaterThanOrEqual(6);
  });

  it('resolves at once with no jobs', async () => {
    expect(await runProbes([])).toEqual({ results: [], stats: { parked: 0, peakInFlight: 0 } });
  });
});
