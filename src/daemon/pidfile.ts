// The pid file and ldirectord's status contract, as init scripts and the Pacemaker agent rely on:
//   /var/run/ldirectord.<cfgname>.pid, where cfgname is the basename of the config argument as
//   given ("ldirectord" when none was given).
// ldirectord counts a pid as live only if /proc/PID/cmdline contains "ldirectord"; tslvs also
// accepts its own name, so either program sees the other's daemon (a swap is seamless).
import fs from 'node:fs';
import path from 'node:path';

export const RUN_DIR = '/var/run';

export function pidFilePath(cfgname: string, runDir = RUN_DIR): string {
  return path.join(runDir, `ldirectord.${cfgname}.pid`);
}

/** ldirectord's $CFGNAME: basename of the config argument, "ldirectord" when none was given. */
export function cfgnameOf(configArg: string | undefined): string {
  if (configArg === undefined) return 'ldirectord';
  return /([^/]+)$/.exec(configArg)?.[1] ?? configArg;
}

export type DaemonState =
  | { state: 'running'; pid: number }
  /** The file names a pid that is not ours (dead, or another program). */
  | { state: 'stale'; pid: string }
  /** No pid file, or one with no pid in it (ldirectord reads an empty file as no pid). */
  | { state: 'stopped' };

export interface ProcProbe {
  cmdline(pid: string): string | undefined;
}

export const procfs: ProcProbe = {
  cmdline(pid) {
    try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1'); } catch { return undefined; }
  },
};

export function readDaemonState(file: string, proc: ProcProbe = procfs): DaemonState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return { state: 'stopped' };
  }
  const first = text.split('\n')[0] ?? '';
  if (text === '') return { state: 'stopped' };
  const cmdline = /^\d+$/.test(first) ? proc.cmdline(first) : undefined;
  if (cmdline !== undefined && /ldirectord|tslvs/.test(cmdline)) return { state: 'running', pid: Number(first) };
  return { state: 'stale', pid: first };
}

/** Write "PID\n" atomically (a reader never sees a half-written file). */
export function writePidFile(file: string, pid = process.pid): void {
  const tmp = `${file}.${pid}.tmp`;
  fs.writeFileSync(tmp, `${pid}\n`);
  fs.renameSync(tmp, file);
}

/** Remove the pid file only if it still names us: never touch another live daemon's file. */
export function removeOwnPidFile(file: string, pid = process.pid): void {
  try {
    if (fs.readFileSync(file, 'latin1').split('\n')[0] === String(pid)) fs.unlinkSync(file);
  } catch { /* already gone */ }
}
