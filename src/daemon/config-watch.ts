// check_cfgfile(): notice that the config file changed on disk. ldirectord stats the file after
// every pass and compares an MD5 of its content; tslvs does the same and also watches the file
// (chokidar) so a change is seen within moments instead of at the end of the next pass. The
// content hash decides: touching the file or rewriting identical bytes is not a change. Each
// state (content, missing, unreadable) is reported once; whether to apply it is
// config-reload.ts's decision.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { strerrorOf } from '../log/strerror.js';
import { sampleKey, settle } from './config-reload.js';
import type { ContentSample, FileSample, Pending, Settle } from './config-reload.js';

/** Stat, read, stat again: the content with a note of whether it moved under the read. */
export function sampleConfigFile(file: string): FileSample {
  let before: fs.Stats;
  let bytes: Buffer;
  let after: fs.Stats;
  try {
    before = fs.statSync(file);
    bytes = fs.readFileSync(file);
    after = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', error: strerrorOf(code) };
  }
  const changedWhileRead = before.size !== after.size || before.mtimeMs !== after.mtimeMs
    || before.ino !== after.ino || bytes.length !== after.size;
  return {
    kind: 'content', text: bytes.toString('latin1'), digest: createHash('md5').update(bytes).digest('hex'),
    size: after.size, mtimeMs: after.mtimeMs, changedWhileRead,
  };
}

export class ConfigFileWatch {
  private mtime = -1;
  private known: string;
  private pending: Pending | undefined;
  private watcher: FSWatcher | undefined;
  private onEvent: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly file: string) {
    this.known = sampleKey(sampleConfigFile(file));
  }

  /** Call `onEvent` when the file may have changed (the caller then calls poll(true)). */
  watch(onEvent: () => void): void {
    this.onEvent = onEvent;
    this.watcher = watch(this.file, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 } });
    this.watcher.on('all', onEvent);
    this.watcher.on('error', () => { /* the per-round stat still notices changes */ });
  }

  async close(): Promise<void> {
    clearTimeout(this.retry);
    this.onEvent = undefined;
    await this.watcher?.close();
  }

  /**
   * The file's state when it differs from the last one accepted, else undefined. `force` reads
   * even when the mtime is the same (a watcher event); otherwise an unchanged mtime short-cuts,
   * as ldirectord's $stattime does.
   */
  poll(force = false): FileSample | undefined {
    if (!force) {
      try {
        if (fs.statSync(this.file).mtimeMs === this.mtime) return undefined;
      } catch { /* missing or unreadable: sample says which */ }
    }
    const s = sampleConfigFile(this.file);
    this.mtime = s.kind === 'content' ? s.mtimeMs : -1;
    if (sampleKey(s) === this.known) {
      this.pending = undefined;
      return undefined;
    }
    return s;
  }

  /** Has this content held still? If not, poll again (through onEvent) when it may have. */
  settle(s: ContentSample, now = Date.now()): Settle {
    const verdict = settle(s, this.pending, now);
    if (verdict.settled) {
      this.pending = undefined;
      return verdict;
    }
    this.pending = verdict.pending;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.onEvent?.(), verdict.retryInMs);
    return verdict;
  }

  /** Take this state as the known one (applied, or refused and logged). */
  accept(s: FileSample): void {
    this.known = sampleKey(s);
    this.pending = undefined;
    if (s.kind === 'content') this.mtime = s.mtimeMs;
  }
}
