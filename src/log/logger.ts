// ldirectord's ld_log(), byte for byte, for each of its destinations:
//   log file   "[<ctime>|<cfgname>|<pid>] message"  opened, appended and closed per line
//              (so logrotate's move-and-create works without a signal); a line that cannot be
//              written goes to stderr, and tslvs reports the outage (file-sink.ts)
//   supervised "[<ctime>] message" on stdout
//   -d         "message" on stderr, once (ldirectord prints "DEBUG2: message" and then "message":
//              its ld_log calls ld_debug(2, …) first; tslvs drops that echo, docs/COMPATIBILITY.md)
//   syslog     `logfile=` without a leading "/" names a facility; ident "ldirectord", with pid
// Writes are queued so lines keep their order without blocking the event loop.
// The last guard: every line (log and debug) goes through redact(), and a CR/LF inside it (from a
// config value, a server's reply) becomes a space, so no message can forge a second line.
import { execa } from 'execa';
import { ctime } from './ctime.js';
import { fileSink } from './file-sink.js';
import { redact } from './redact.js';

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
  /** The syslog client program (util-linux logger); injectable for tests. With a log file, it
   * reports that the file cannot be written. */
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
/** ld_log()'s chomp, then one line: redacted, each run of CR/LF inside it turned into a space. */
const oneLine = (s: string) => redact(chomp(s)).replace(/[\r\n]+/g, ' ');

export function createLogger(opts: LogOptions): Logger {
  const pid = opts.pid ?? process.pid;
  const now = opts.now ?? (() => new Date());
  const stdout = opts.stdout ?? ((t: string) => { process.stdout.write(Buffer.from(t, 'latin1')); });
  const stderr = opts.stderr ?? ((t: string) => { process.stderr.write(Buffer.from(t, 'latin1')); });
  const debugLevel = opts.debug ? 3 : 0;
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (job: () => Promise<void>) => { queue = queue.then(job, job); };

  const debug = (priority: number, message: string) => {
    if (debugLevel >= priority) stderr(`DEBUG${priority}: ${oneLine(message)}\n`);
  };

  let write: (message: string) => void;
  if (opts.debug) {
    write = (m) => stderr(`${m}\n`);
  } else if (opts.supervised) {
    write = (m) => stdout(`[${ctime(now())}] ${m}\n`);
  } else if (opts.logfile.startsWith('/')) {
    const command = opts.loggerCommand ?? 'logger';
    const sink = fileSink({
      path: opts.logfile, stderr,
      prefix: (at) => `[${ctime(at)}|${opts.cfgname}|${pid}] `,
      // syslog may be the one place left that can say it; not waited for, failures ignored.
      notify: (m) => {
        void execa(command, ['-t', 'ldirectord', `--id=${pid}`, '-p', 'daemon.err', '--', m], {
          reject: false, timeout: 5000, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore',
        });
      },
    });
    write = (m) => {
      const at = now();
      enqueue(() => sink(at, m));
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
      write(oneLine(message));
    },
    debug,
    flush: () => queue,
  };
}
