// The pid file and ldirectord's status contract, as init scripts and the Pacemaker agent rely on:
//   /var/run/ldirectord.<cfgname>.pid, where cfgname is the basename of the config argument as
//   given ("ldirectord" when none was given); its content is "PID\n", exactly as ldirectord's.
// ldirectord counts a pid as live if /proc/PID/cmdline merely contains "ldirectord", so a stale
// file naming `tail -f /var/log/ldirectord.log` makes stop kill the tail. tslvs counts a pid as
// its daemon only if (process-identity.ts) its argv is a tslvs or ldirectord daemon for this
// cfgname, and its start matches the marker the daemon wrote (below). Either program still sees
// the other's daemon, so a swap is seamless.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isDaemonFor, procfs } from './process-identity.js';
import type { ProcProbe } from './process-identity.js';

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

/**
 * The start marker beside the pid file, written by a tslvs daemon for itself: "PID BOOT_ID TICKS"
 * (/proc/sys/kernel/random/boot_id and /proc/PID/stat's starttime). No clock is involved, so a
 * clock step cannot make the daemon look like a stranger; a pid reused by another process, even
 * one with a daemon's argv, does not match. The pid file itself stays ldirectord's "PID\n".
 */
export function markerPath(pidFile: string): string {
  return `${pidFile}.start`;
}

/** Reads a small regular file without following a symlink at its path; undefined if none. */
function readNoFollow(file: string): string | undefined {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    try { return fs.readFileSync(fd, 'latin1'); } finally { fs.closeSync(fd); }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw err;
    return undefined;
  }
}

export function readDaemonState(file: string, cfgname: string, proc: ProcProbe = procfs): DaemonState {
  let text: string | undefined;
  try {
    // O_NOFOLLOW: a symlink planted at the pid file's path names nobody.
    text = readNoFollow(file);
  } catch {
    return { state: 'stale', pid: '' };
  }
  if (text === undefined || text === '') return { state: 'stopped' };
  const first = text.split('\n')[0] ?? '';
  if (!/^\d+$/.test(first)) return { state: 'stale', pid: first };
  const argv = proc.cmdline(first);
  const ours = argv !== undefined && isDaemonFor(argv, cfgname) && startMatches(file, first, proc);
  return ours ? { state: 'running', pid: Number(first) } : { state: 'stale', pid: first };
}

/** A marker for this pid must name this process's start; without one (ldirectord's daemon) argv decides. */
function startMatches(file: string, pid: string, proc: ProcProbe): boolean {
  let marker: string | undefined;
  try { marker = readNoFollow(markerPath(file)); } catch { return false; }
  const [mpid, boot, ticks] = (marker ?? '').trim().split(' ');
  if (mpid !== pid) return true;
  return boot === proc.bootId() && ticks !== undefined && ticks === proc.startTicks(pid);
}

/** Refuses a path that is a symlink or not a regular file (planted by another user). */
export function checkPidFilePath(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) throw new Error(`${file} is a symbolic link; refusing to write through it`);
  if (!st.isFile()) throw new Error(`${file} is not a regular file`);
}

/**
 * Write "PID\n" (or "" for null, while starting, as ldirectord's truncating open leaves it) atomically: a
 * fresh file opened O_CREAT|O_EXCL|O_NOFOLLOW under a random name in the same directory, renamed
 * over the pid file. A reader never sees a half-written file, nothing is written through a
 * symlink, and a symlink at the pid file's own path is refused.
 */
export function writePidFile(file: string, pid: number | null = process.pid, proc: ProcProbe = procfs): void {
  writeNoFollow(file, pid === null ? '' : `${pid}\n`);
  const marker = markerPath(file);
  const boot = proc.bootId();
  const ticks = pid === null ? undefined : proc.startTicks(String(pid));
  if (pid !== null && boot !== undefined && ticks !== undefined) writeNoFollow(marker, `${pid} ${boot} ${ticks}\n`);
  else fs.rmSync(marker, { force: true });
}

function writeNoFollow(file: string, content: string): void {
  checkPidFilePath(file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}`);
  const c = fs.constants;
  const fd = fs.openSync(tmp, c.O_WRONLY | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW, 0o644);
  try {
    fs.writeFileSync(fd, content);
    fs.fchmodSync(fd, 0o644);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Remove the pid file only if it still names us: never touch another live daemon's file. */
export function removeOwnPidFile(file: string, pid = process.pid): void {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    let first: string | undefined;
    try { first = fs.readFileSync(fd, 'latin1').split('\n')[0]; } finally { fs.closeSync(fd); }
    if (first === String(pid)) {
      fs.unlinkSync(file);
      fs.rmSync(markerPath(file), { force: true });
    }
  } catch { /* already gone, or a symlink: not ours */ }
}
