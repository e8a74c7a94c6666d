// service_set()'s `monitorfile` lines. When a check result is recorded (do_log), ldirectord
// appends to the monitorfile of every virtual that shares the real server:
//
//   [<ctime>] [<pid>] <real id, ':' runs -> one space, '\' removed> [up|down] <message>\n
//
// <message> is the check's message, "-" when it gave none, with '%', '|', CR and LF written
// as %25, %7c, %0d, %0a. The caller computes one `now` per service_set() call, as ldirectord
// takes localtime() once for all the virtuals it writes.
//
//   const monitor = new MonitorFiles({ onError: (m) => logger.log(m) });
//   monitor.write(v.monitorfile, monitorLine(new Date(), process.pid, real.ldirectordId, 'down', msg));
//
// Each line is opened, appended and closed (so logrotate's move-and-create works), in order,
// as latin1 bytes. Deliberate difference: ldirectord die()s when the write fails, taking the
// daemon down; tslvs reports "Error writing to monitorfile '<file>': <strerror>" through
// onError and keeps checking.
import fs from 'node:fs/promises';
import { strerror } from '../log/strerror.js';
import { ctime } from '../log/ctime.js';
import { redact } from '../log/redact.js';

/** `$real_log_msg =~ tr/:/ /s; s/\\//g` on get_real_id_str(). */
export function monitorRealId(ldirectordId: string): string {
  return ldirectordId.replace(/:+/g, ' ').replace(/\\/g, '');
}

/** `s/([%|\r\n])/sprintf("%%%.2x", ord($1))/eg` */
export function escapeMonitorMessage(message: string): string {
  return message.replace(/[%|\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One monitorfile line, newline included. `message` undefined = none ("-"); "" stays empty, as in Perl. */
export function monitorLine(now: Date, pid: number, ldirectordId: string, state: 'up' | 'down',
  message: string | undefined): string {
  const msg = escapeMonitorMessage(redact(message ?? '-'));
  return `[${ctime(now)}] [${pid}] ${monitorRealId(redact(ldirectordId))} [${state}] ${msg}\n`;
}

export interface MonitorFilesOptions {
  /** Defaults to process.pid; used by line() */
  pid?: number;
  /** Defaults to the current time; used by line() */
  now?: () => Date;
  /** A failed append: "Error writing to monitorfile '<file>': <strerror>". */
  onError: (message: string) => void;
}


export class MonitorFiles {
  private readonly pid: number;
  private readonly now: () => Date;
  private readonly onError: (message: string) => void;
  private queue: Promise<void> = Promise.resolve();

  constructor(opts: MonitorFilesOptions) {
    this.pid = opts.pid ?? process.pid;
    this.now = opts.now ?? (() => new Date());
    this.onError = opts.onError;
  }

  /** monitorLine() with this writer's pid and clock. */
  line(ldirectordId: string, state: 'up' | 'down', message: string | undefined, now: Date = this.now()): string {
    return monitorLine(now, this.pid, ldirectordId, state, message);
  }

  /** Queue one append; lines reach their files in the order write() was called. */
  write(file: string, line: string): void {
    this.queue = this.queue
      .then(() => fs.appendFile(file, line, { encoding: 'latin1' }).catch((err: unknown) => {
        this.onError(`Error writing to monitorfile '${file}': ${strerror(err)}`);
      }))
      .catch(() => undefined); // a throwing onError must not stop later lines
  }

  /** Resolves when every queued line has been written (or reported). */
  flush(): Promise<void> {
    return this.queue;
  }
}
