// Start and stop real foreground daemons whose output is kept in memory (for error messages),
// each in its own temp dir, on loopback, started by the suite (beforeAll) and killed by it
// (afterAll); test/support/daemon.ts is the variant that logs to a file. A missing binary fails the
// suite with a message that says which package to install - never a silent skip.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function requireBinary(file: string, pkg: string): string {
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: install the Debian package "${pkg}" (bash scripts/deps/servers-web-dns-ldap-sip-nntp.sh)`);
  }
  return file;
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tslvs-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Daemon {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawn a foreground daemon in its own process group; its output is kept for error messages. */
export function spawnDaemon(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Daemon {
  const child = spawn(file, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const keep = (b: Buffer) => { out = (out + b.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('error', (e) => { out += `\nspawn error: ${e.message}`; });
  return {
    child,
    output: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      const t = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 2000);
      child.once('exit', () => { clearTimeout(t); resolve(); });
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { resolve(); }
    }),
  };
}

/** Wait until host:port accepts TCP connections (or the daemon dies, or time runs out). */
export async function waitForTcp(host: string, port: number, daemon?: Daemon, ms = 10000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    if (daemon && (daemon.child.exitCode !== null || daemon.child.signalCode !== null)) {
      throw new Error(`daemon exited before listening on ${host}:${port}:\n${daemon.output()}`);
    }
    if (Date.now() > until) throw new Error(`nothing listening on ${host}:${port} after ${ms} ms:\n${daemon?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run a short command to completion; throws with its output when it fails. */
export function run(file: string, args: string[], opts: { input?: string; cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${out}`))));
    child.stdin.on('error', () => { /* the child may exit before reading its input */ });
    child.stdin.end(opts.input ?? '');
  });
}
