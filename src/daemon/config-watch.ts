// check_cfgfile(): notice that the config file changed on disk. ldirectord stats the file after
// every pass and compares an MD5 of its content; tslvs does the same and also watches the file
// (chokidar) so a change is seen within moments instead of at the end of the next pass. The
// content hash decides: touching the file or rewriting identical bytes is not a change.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';

export class ConfigFileWatch {
  private mtime = -1;
  private digest: string | undefined;
  private watcher: FSWatcher | undefined;

  constructor(private readonly file: string) {
    this.sample(true);
  }

  /** Call `onEvent` when the file may have changed (the caller then calls changed()). */
  watch(onEvent: () => void): void {
    this.watcher = watch(this.file, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 } });
    this.watcher.on('all', onEvent);
    this.watcher.on('error', () => { /* the per-round stat still notices changes */ });
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }

  /**
   * True once per change of content. `force` hashes even when the mtime is the same (a watcher
   * event); otherwise an unchanged mtime short-cuts, as ldirectord's $stattime does.
   */
  changed(force = false): boolean {
    return this.sample(force);
  }

  /** Take the current content as the known one (after a reload read it). */
  accept(): void {
    this.digest = undefined;
    this.sample(true);
  }

  private sample(force: boolean): boolean {
    let st: fs.Stats;
    let text: Buffer;
    try {
      st = fs.statSync(this.file);
      if (!force && st.mtimeMs === this.mtime) return false;
      this.mtime = st.mtimeMs;
      text = fs.readFileSync(this.file);
    } catch {
      return false;
    }
    const digest = createHash('md5').update(text).digest('hex');
    const changed = this.digest !== undefined && this.digest !== digest;
    this.digest = digest;
    return changed;
  }
}
