// When a changed config file may replace the running configuration: pure decisions, no I/O
// (the file is read by config-watch.ts, parsed by the daemon). ldirectord applies whatever it
// reads; tslvs does not apply, on autoreload, a file that
//   - is missing or unreadable (logged once; the file's return is a change like any other),
//   - has not held still for QUIET_MS (size, mtime and content hash unchanged: an editor, cp or
//     a script may be half-way through writing it), or changed while it was being read,
//   - is empty, or has no virtual service while the running configuration has some (the whole
//     table would be purged, and `autoreload` would fall back to its default, no).
// An explicit reload (HUP, the reload verb) is the operator's word: it applies a file with no
// virtual service, with a warning line.

/**
 * How long the file must have been unchanged before autoreload reads it for good. Editors and cp
 * finish in milliseconds, but scripts and config tools write in pieces with pauses of hundreds
 * of milliseconds (the 0.5 s of issue 11); 1 s covers those, and costs little next to
 * ldirectord's own once-per-pass check (checkinterval, 10 s by default).
 */
export const QUIET_MS = 1000;
/** The shortest retry: a file that keeps changing is looked at no more often than this. */
export const MIN_RETRY_MS = 50;

/** One look at the file: stat, read, stat again. */
export type FileSample =
  | { kind: 'missing' }
  | { kind: 'unreadable'; error: string }
  | { kind: 'content'; text: string; digest: string; size: number; mtimeMs: number; changedWhileRead: boolean };

export type ContentSample = Extract<FileSample, { kind: 'content' }>;

/** What identifies a sample: two samples with the same key are the same file state. */
export function sampleKey(s: FileSample): string {
  if (s.kind === 'missing') return 'missing';
  if (s.kind === 'unreadable') return `unreadable: ${s.error}`;
  return `content: ${s.digest}`;
}

/** A content sample seen before it had settled. */
export interface Pending { digest: string; size: number; mtimeMs: number; firstSeen: number }

export type Settle =
  | { settled: true }
  | { settled: false; pending: Pending; retryInMs: number };

/**
 * Has the file held still long enough? Quiet for QUIET_MS by its mtime, or (an mtime in the
 * future, a clock step) seen unchanged for QUIET_MS by us.
 */
export function settle(s: ContentSample, pending: Pending | undefined, now: number, quietMs = QUIET_MS): Settle {
  const same = pending !== undefined && pending.digest === s.digest && pending.size === s.size && pending.mtimeMs === s.mtimeMs;
  const next: Pending = same ? pending : { digest: s.digest, size: s.size, mtimeMs: s.mtimeMs, firstSeen: now };
  if (s.changedWhileRead) return { settled: false, pending: { ...next, firstSeen: now }, retryInMs: MIN_RETRY_MS };
  const byMtime = now - s.mtimeMs;
  const byWatch = now - next.firstSeen;
  if (byMtime >= quietMs || byWatch >= quietMs) return { settled: true };
  const wait = Math.min(quietMs - Math.max(byMtime, 0), quietMs - byWatch);
  return { settled: false, pending: next, retryInMs: Math.max(MIN_RETRY_MS, Math.min(quietMs, Math.ceil(wait))) };
}

export type Trigger = 'file' | 'signal';

/** The reload of a parsed file: apply it, or keep the running configuration (with why). */
export type Verdict = { apply: true; warning?: string } | { apply: false; log: string };

/** After parsing: may `next` replace `running`? */
export function reloadVerdict(trigger: Trigger, running: { virtuals: number }, next: { virtuals: number }): Verdict {
  if (next.virtuals > 0 || running.virtuals === 0) return { apply: true };
  if (trigger === 'signal') return { apply: true, warning: NO_VIRTUALS_APPLIED };
  return { apply: false, log: NO_VIRTUALS_KEPT };
}

// tslvs's own lines, in ldirectord's wording where it has one ("Configuration file '…' has
// changed on disk" / " - reread new configuration" come first, as in check_cfgfile()).
export const missingFile = (file: string): string => `Configuration file '${file}' is missing: the running configuration is kept`;
export const EMPTY_KEPT = ' - the new configuration file is empty: the running configuration is kept';
export const unreadableKept = (error: string): string =>
  ` - can not read the new configuration file (${error}): the running configuration is kept`;
export const NO_VIRTUALS_KEPT =
  ' - the new configuration has no virtual service: the running configuration is kept (reload to apply it)';
/** A Warning line ("Warning [PID]: …", errors.ts) before a HUP empties the table. */
export const NO_VIRTUALS_APPLIED = 'the new configuration has no virtual service: every virtual service is removed';
