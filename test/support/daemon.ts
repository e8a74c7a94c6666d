// Start and stop real Debian daemons that log to a file (foreground.ts keeps output in memory):
// temp dirs, child processes that the suite owns (stopped in afterAll, by pid), readiness by
// polling the port. A missing daemon
// is an error with the package to install, never a silent skip.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';

/** Throws a clear error naming the Debian package when `file` is not there. */
export function requireFile(file: string, pkg: string): void {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: install Debian package "${pkg}" (bash scripts/deps/servers-mail-ftp-sql-radius.sh)`);
  }
}

/** A fresh directory under /tmp, world-traversable so daemons that drop privileges can read it. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tslvs-${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function removeDir(dir: string | undefined): void {
  if (dir && dir.startsWith(os.tmpdir())) fs.rmSync(dir, { recursive: true, force: true });
}

/** Run a command to completion; on failure the error carries its output. */
export function run(cmd: string, args: string[], opts: { input?: string; cwd?: string } = {}): string {
  try {
    return execFileSync(cmd, args, { input: opts.input, cwd: opts.cwd ?? '/tmp', stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export interface Daemon {
  child: ChildProcess;
  logFile: string;
  log(): string;
  stop(): Promise<void>;
}

/** Spawn a foreground daemon with stdout/stderr going to `logFile`. */
export function spawnDaemon(cmd: string, args: string[], logFile: string): Daemon {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd: '/tmp' });
  fs.closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    logFile,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function tryConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
  });
}

/** Wait until something accepts on host:port; fail early if the daemon died. */
export async function waitForPort(port: number, host: string, timeoutMs: number, daemon?: Daemon, what = 'daemon'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await tryConnect(port, host)) return;
    if (daemon && (daemon.child.exitCode !== null || daemon.child.signalCode !== null)) {
      throw new Error(`${what} exited (${daemon.child.exitCode ?? daemon.child.signalCode}) before listening on ${port}:\n${daemon.log().slice(-3000)}`);
    }
    if (Date.now() > until) throw new Error(`${what} not listening on ${host}:${port} after ${timeoutMs} ms:\n${daemon?.log().slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait until `pattern` appears in the daemon's log. */
export async function waitForLog(daemon: Daemon, pattern: RegExp, timeoutMs: number, what = 'daemon'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (pattern.test(daemon.log())) return;
    if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
      throw new Error(`${what} exited (${daemon.child.exitCode ?? daemon.child.signalCode}):\n${daemon.log().slice(-3000)}`);
    }
    if (Date.now() > until) throw new Error(`${what}: no ${pattern} in its log after ${timeoutMs} ms:\n${daemon.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A UDP port on host that nothing is bound to at the moment of the call. */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => sock.bind(0, host, () => resolve()));
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

/** Count of live TCP/UDP handles in this process (to prove a check closed its sockets). */
export function socketHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'UDPWrap' || r === 'TLSWrap').length;
}

/** Resolve once the socket handle count is back to `baseline` (or fail after `ms`). */
export async function expectSocketsBackTo(baseline: number, ms = 500): Promise<void> {
  const until = Date.now() + ms;
  while (socketHandles() > baseline) {
    if (Date.now() > until) throw new Error(`sockets left open: ${socketHandles()} > ${baseline} (${process.getActiveResourcesInfo().join(', ')})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
