// The detached daemon's stderr. ldirectord points it at /dev/null; what a daemon writes there
// (a log line the log file refused, a Node warning) must not vanish. While `start` waits, each
// write goes to it over the IPC channel (it prints the text if the daemon dies first); once
// `start` has returned and disconnected, each line goes to the log file, or, when that cannot be
// written either (its directory was removed, the disk is full), to syslog as "ldirectord".
import fs from 'node:fs';
import { execa } from 'execa';
import { ctime } from '../log/ctime.js';

export interface StderrTarget {
  /** `logfile=`: an absolute path, or a syslog facility. */
  logfile: string;
  cfgname: string;
}

let target: StderrTarget | undefined;

/** Set where lines go after start (the config's log); before it is known, only syslog. */
export function setStderrTarget(t: StderrTarget): void {
  target = t;
}

function survive(text: string): void {
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (target?.logfile.startsWith('/')) {
      try {
        fs.appendFileSync(target.logfile, `[${ctime(new Date())}|${target.cfgname}|${process.pid}] ${line}\n`, 'latin1');
        continue;
      } catch { /* fall through to syslog */ }
    }
    const facility = target && !target.logfile.startsWith('/') ? target.logfile : 'daemon';
    void execa('logger', ['-t', 'ldirectord', `--id=${process.pid}`, '-p', `${facility}.err`, '--', line], {
      reject: false, timeout: 5000, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore',
    });
  }
}

/** In the detached daemon: every process.stderr write goes through the channel, then survive(). */
export function routeDaemonStderr(): void {
  const write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('latin1');
    const done = typeof encoding === 'function' ? encoding : cb;
    if (process.connected && process.send) {
      process.send({ stderr: text }, (err: Error | null) => { if (err) survive(text); });
    } else {
      survive(text);
    }
    if (typeof done === 'function') (done as () => void)();
    return true;
  };
  process.stderr.write = write as typeof process.stderr.write;
}
