// ldirectord's ld_log(), byte for byte, for each of its destinations:
//   log file   "[<ctime>|<cfgname>|<pid>] message"  opened, appended and closed per line
//              (so logrotate's move-and-create works without a signal)
//   supervised "[<ctime>] message" on stdout
//   -d         "message" on stderr, once (ldirectord's ld_log echoes it as "DEBUG2: message" first;
//              tslvs drops that echo: docs/COMPATIBILITY.md)
//   syslog     `logfile=` without a leading "/" names a facility; ident "ldirectord", with pid
// Writes are queued so lines keep their order without blocking the event loop.
import fs from 'node:fs/promises';
import { execa } from 'execa';
import { ctime } from './ctime.js';

export interface LogOptions {
  /** `logfile=` value: an absolute path, or a syslog facility. */
  logfile: string;
  supervised: boolean;
  debug: boolean;
  /** The config file's basename (ldirectord's $CFGNAME). */
  cfgname: string;
  pid?: number;
  now?: () => Date;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** The syslog client program (util-linux logger); injectable for tests. */
  loggerCommand?: string;
}

export interface Logger {
  /** One ldirectord log line. */
  log(message: string): void;
  /** ld_debug(): printed only with -d, as "DEBUGn: message". */
  debug(priority: number, message: string): void;
  /** Resolves when every queued line has been written. */
  flush(): Promise<void>;
}

const chomp = (s: string) => s.replace(/\n$/, '');

export function createLogger(opts: LogOptions): Logger {
  const pid = opts.pid ?? process.pid;
  const now = opts.now ?? (() => new Date());
  const stdout = opts.stdout ?? ((t: string) => { process.stdout.write(Buffer.from(t, 'latin1')); });
  const stderr = opts.stderr ?? ((t: string) => { process.stderr.write(Buffer.from(t, 'latin1')); });
  const debugLevel = opts.debug ? 3 : 0;
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (job: () => Promise<void>) => { queue = queue.then(job, job); };

  const debug = (priority: number, message: string) => {
    if (debugLevel >= priority) stderr(`DEBUG${priority}: ${chomp(message)}\n`);
  };

  let write: (message: string) => void;
  if (opts.debug) {
    write = (m) => stderr(`${m}\n`);
  } else if (opts.supervised) {
    write = (m) => stdout(`[${ctime(now())}] ${m}\n`);
  } else if (opts.logfile.startsWith('/')) {
    write = (m) => {
      const line = `[${ctime(now())}|${opts.cfgname}|${pid}] ${m}\n`;
      // ldirectord prints the message to stderr when the file cannot be written.
      enqueue(() => fs.appendFile(opts.logfile, line, 'latin1').catch(() => stderr(`${m}\n`)));
    };
  } else {
    const facility = opts.logfile;
    const command = opts.loggerCommand ?? 'logger';
    write = (m) => {
      enqueue(async () => {
        const r = await execa(command, ['-t', 'ldirectord', `--id=${pid}`, '-p', `${facility}.info`, '--', m], {
          reject: false, timeout: 5000, stdin: 'ignore',
        });
        if (r.exitCode !== 0) stderr(`${m}\n`);
      });
    };
  }

  return {
    log(message) {
      write(chomp(message));
    },
    debug,
    flush: () => queue,
  };
}
