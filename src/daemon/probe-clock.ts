// Each check identity (probe) on its own clock: it starts again one effective checkinterval
// after its last start (at once if it ran longer than that), never while it is still running.
// A new probe's first start is spread by a small offset derived from its key, so thousands of
// them do not fire in one burst and a restart spreads them the same way. One timer for all
// probes, on a heap of due times; what a probe does is the caller's `run`.
//
// The per-probe status (last start, duration, result, next due) is kept here as plain data
// for whoever wants to show it (debug, a status page, metrics) without touching the schedule.

/** What a probe's run reports back, for the status data. */
export interface ProbeReport {
  readonly up: boolean;
  readonly message: string;
}

export interface ProbeStatus {
  readonly key: string;
  /** The effective checkinterval of the probe's virtual(s), in ms. */
  readonly intervalMs: number;
  /** Epoch ms of the next start (while running: of the start after this run at the earliest). */
  readonly nextDue: number;
  readonly running: boolean;
  /** Epoch ms of the last start. */
  readonly lastStart?: number;
  readonly lastDurationMs?: number;
  readonly lastResult?: ProbeReport;
  /** Runs finished since the probe was added. */
  readonly runs: number;
}

interface Entry {
  key: string;
  intervalMs: number;
  /** performance.now() time of the next start. */
  due: number;
  running: boolean;
  /** Bumped when `due` changes, so stale heap items are skipped. */
  gen: number;
  lastStartPerf?: number;
  lastStart?: number;
  lastDurationMs?: number;
  lastResult?: ProbeReport;
  runs: number;
}

interface HeapItem { due: number; key: string; gen: number }

/** Probes due within this many ms of a timer firing start together (one wake-up, not many). */
const BATCH_MS = 2;

/** FNV-1a of the key, as a fraction in [0, 1): the same offset for the same probe every time. */
export function spreadFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x100000000;
}

export class ProbeClock {
  private readonly entries = new Map<string, Entry>();
  private readonly heap: HeapItem[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = Infinity;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  /**
   * @param run does the probe's work; resolves with its report (undefined: nothing to report).
   * @param spreadMs the most a new probe's first start is delayed (never more than its interval).
   */
  constructor(private readonly run: (key: string) => Promise<ProbeReport | undefined>, private readonly spreadMs = 250) {}

  /** Adds a probe, or changes its interval: a known probe keeps its phase (next = last start + interval). */
  set(key: string, intervalMs: number): void {
    const now = performance.now();
    const e = this.entries.get(key);
    if (!e) {
      const due = now + spreadFraction(key) * Math.min(this.spreadMs, intervalMs);
      this.entries.set(key, { key, intervalMs, due, running: false, gen: 0, runs: 0 });
      this.push(key, due, 0);
      return;
    }
    if (e.intervalMs === intervalMs) return;
    e.intervalMs = intervalMs;
    if (e.running || e.lastStartPerf === undefined) return;
    e.due = Math.max(e.lastStartPerf + intervalMs, now);
    this.push(key, e.due, ++e.gen);
  }

  /** Forgets a probe; a run in flight finishes, and its report is dropped. */
  remove(key: string): void {
    this.entries.delete(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Starts nothing more; resolves once every run in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The status of every probe, as plain data (a snapshot). */
  status(): ProbeStatus[] {
    const offset = Date.now() - performance.now();
    return [...this.entries.values()].map((e) => ({
      key: e.key, intervalMs: e.intervalMs, running: e.running, runs: e.runs,
      nextDue: Math.round(offset + (e.running && e.lastStartPerf !== undefined ? Math.max(e.due, e.lastStartPerf + e.intervalMs) : e.due)),
      ...(e.lastStart !== undefined ? { lastStart: e.lastStart } : {}),
      ...(e.lastDurationMs !== undefined ? { lastDurationMs: e.lastDurationMs } : {}),
      ...(e.lastResult !== undefined ? { lastResult: e.lastResult } : {}),
    }));
  }

  /** Probes running now. */
  get running(): number { return this.inFlight.size; }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    if (this.stopped) return;
    const now = performance.now();
    while (this.heap.length > 0 && this.heap[0]!.due <= now + BATCH_MS) {
      const item = this.pop()!;
      const e = this.entries.get(item.key);
      if (!e || e.gen !== item.gen || e.running) continue;
      this.start(e, now);
    }
    this.arm();
  }

  private start(e: Entry, now: number): void {
    e.running = true;
    e.lastStartPerf = now;
    e.lastStart = Date.now();
    const done = this.run(e.key).then((report) => {
      const end = performance.now();
      e.running = false;
      e.runs++;
      e.lastDurationMs = Math.round((end - now) * 10) / 10;
      if (report) e.lastResult = report;
      // Start to start; after an overrun it starts again at once (no burst of catch-ups).
      e.due = Math.max(now + e.intervalMs, end);
      if (!this.stopped && this.entries.get(e.key) === e) this.push(e.key, e.due, ++e.gen);
    }, () => { e.running = false; });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private push(key: string, due: number, gen: number): void {
    const h = this.heap;
    h.push({ due, key, gen });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.due <= h[i]!.due) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
    if (due < this.timerDue) this.arm();
  }

  private pop(): HeapItem | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.due < h[m]!.due) m = l;
        if (r < h.length && h[r]!.due < h[m]!.due) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  /** One timer, set for the earliest due probe. */
  private arm(): void {
    if (this.stopped) return;
    const next = this.heap[0]?.due ?? Infinity;
    if (next === this.timerDue && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = next;
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - performance.now()));
  }
}
