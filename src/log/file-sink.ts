// The log file as ld_log writes it: opened, appended and closed for each line (logrotate's
// move-and-create needs no signal). A line that cannot be written goes to stderr, as in
// ldirectord. ldirectord says nothing else, so a removed log directory or a full disk silently
// loses the log; tslvs also
//   - reports the start of such an outage once, through `notify` (syslog: the file is the one
//     place that cannot say it), and
//   - writes, before the first line that gets through again, a line saying since when the file
//     could not be written, why, and how many lines missed it;
//   - starts that line on a fresh line when a failed write (ENOSPC) left half a line behind.
// Nothing is buffered meanwhile: memory stays flat however long the outage.
import fs from 'node:fs/promises';
import { ctime } from './ctime.js';
import { strerror } from './strerror.js';

export interface FileSinkOptions {
  path: string;
  /** "[<ctime>|<cfgname>|<pid>] " for a line logged at that time. */
  prefix: (at: Date) => string;
  stderr: (text: string) => void;
  /** Told once when writes start failing. */
  notify?: (message: string) => void;
}

interface Outage {
  since: Date;
  reason: string;
  missed: number;
}

/** Writes one message (queued by the caller, so calls never overlap). */
export type FileSink = (at: Date, message: string) => Promise<void>;

export function fileSink(opts: FileSinkOptions): FileSink {
  let outage: Outage | undefined;
  return async (at, message) => {
    let text = `${opts.prefix(at)}${message}\n`;
    try {
      if (outage !== undefined) {
        const note = `Log file ${opts.path} could not be written from ${ctime(outage.since)} (${outage.reason}): `
          + `${outage.missed} line${outage.missed === 1 ? '' : 's'} went to standard error only`;
        text = `${(await endsMidLine(opts.path)) ? '\n' : ''}${opts.prefix(at)}${note}\n${text}`;
      }
      await fs.appendFile(opts.path, text, 'latin1');
      outage = undefined;
    } catch (err) {
      if (outage === undefined) {
        outage = { since: at, reason: strerror(err), missed: 0 };
        opts.notify?.(`Can not write log file ${opts.path}: ${outage.reason} (lines go to standard error until it can)`);
      }
      outage.missed++;
      opts.stderr(`${message}\n`);
    }
  };
}

/** True when the file's last byte is not a newline (a write cut short by a full disk). */
async function endsMidLine(path: string): Promise<boolean> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(path, 'r');
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false; // no file (yet): appendFile creates it
  } finally {
    await fh?.close();
  }
}
