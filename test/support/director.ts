// Run a director (real ldirectord 4.12 or tslvs) as a daemon, exactly as an operator would
// (`DIRECTOR CONFIG start|reload|stop|status`), on the stand-in ipvsadm, without touching the
// machine: each director gets its own mount namespace, held open by a `sleep` process the
// suite owns, in which
//   - the stand-in (a wrapper running dist/ipvs/sim/standin-main.js on this director's state file)
//     is bind-mounted over /usr/sbin/ipvsadm (/sbin is a link to /usr/sbin);
//   - a private directory is bind-mounted over /run: the pid file (/var/run is /run), the
//     config, the log file, the maintenance directory and the fallbackcommand all live there,
//     so both directors see byte-identical paths (/run/NAME.cf, /run/ldirectord.log, …);
//   - /etc/nsswitch.conf says `hosts: files`, /etc/hosts names only localhost and
//     /etc/resolv.conf points at 127.0.0.1: ldirectord's per-real reverse lookup (maintenance
//     directory) and anything else that resolves a name cannot leave the machine.
// Every command runs through `nsenter -t HOLDER -m`. dispose() stops the daemon (by its pid
// file, after checking the pid lives in this namespace), then the holder. Needs root.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type DirectorKind = 'ldirectord' | 'tslvs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LDIRECTORD = process.env.LDIRECTORD ?? '/usr/sbin/ldirectord';
export const TSLVS_BIN = path.join(ROOT, 'bin/tslvs.js');
const STANDIN = path.join(ROOT, 'dist/ipvs/sim/standin-main.js');

/** Where the private directory appears inside the namespace. */
export const NS_DIR = '/run';
export const NS_LOG = `${NS_DIR}/ldirectord.log`;
export const NS_MAINT = `${NS_DIR}/maint`;
export const NS_FALLBACK_CMD = `${NS_DIR}/fallback.sh`;
/** Written by the fallbackcommand script: one line per run, `<log line count> <epoch ms> <argv…>`. */
export const NS_FALLBACK_LOG = `${NS_DIR}/fallback.log`;

/** Why the suite cannot run here, or undefined when it can (root, ldirectord, unshare, the stand-in). */
export function directorUnavailable(kind: DirectorKind = 'ldirectord'): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (mount namespaces, bind mounts)';
  for (const f of ['/usr/bin/unshare', '/usr/bin/nsenter', '/usr/sbin/ipvsadm']) if (!fs.existsSync(f)) return `${f} is missing`;
  if (kind === 'ldirectord' && !fs.existsSync(LDIRECTORD)) return `${LDIRECTORD} is missing (bash scripts/deps/ldirectord.sh)`;
  if (!fs.existsSync(STANDIN)) return `${STANDIN} is missing (npm run build)`;
  return undefined;
}

/** True when the built tslvs has the daemon commands (`tslvs -h` lists start). */
export function tslvsDaemonAvailable(): boolean {
  try {
    const out = execFileSync(process.execPath, [TSLVS_BIN, '-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(), timeout: 20_000 });
    return /\bstart\b/.test(out);
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
    return /\bstart\b/.test(out) && /usage/i.test(out);
  }
}

/** An environment with nothing of the test runner's (NODE_OPTIONS, TSLVS_*): both directors get the same. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    HOSTNAME: 'director',
  };
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env;
}

export interface CommandResult { exitCode: number | null; stdout: string; stderr: string; ms: number }

export interface DirectorOptions {
  /** Config basename, e.g. `basic.cf` (cfgname in the log prefix and the pid file name). */
  cfgName: string;
  /** Keep the work directory after dispose() (for debugging). */
  keep?: boolean;
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class Director {
  readonly kind: DirectorKind;
  readonly cfgName: string;
  /** Host path of the private directory (seen as NS_DIR inside). */
  readonly dir: string;
  readonly runDir: string;
  readonly stateFile: string;
  readonly execLog: string;
  readonly commands: Array<{ cmd: string } & CommandResult> = [];
  private holder?: ChildProcess;
  private holderNs?: string;
  private readonly keep: boolean;
  private tableCache?: { state: string; save: string; thresholds: string };

  private constructor(kind: DirectorKind, opts: DirectorOptions) {
    this.kind = kind;
    this.cfgName = opts.cfgName;
    this.keep = opts.keep ?? false;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `tslvs-dd-${kind}-`));
    fs.chmodSync(this.dir, 0o755);
    this.runDir = path.join(this.dir, 'run');
    this.stateFile = path.join(this.dir, 'state.json');
    this.execLog = path.join(this.dir, 'execs.jsonl');
  }

  /** Config path inside the namespace. */
  get cfgPath(): string { return `${NS_DIR}/${this.cfgName}`; }

  /** Host path of a path inside NS_DIR. */
  host(nsPath: string): string {
    if (nsPath !== NS_DIR && !nsPath.startsWith(`${NS_DIR}/`)) throw new Error(`${nsPath} is not under ${NS_DIR}`);
    return path.join(this.runDir, nsPath.slice(NS_DIR.length));
  }

  static async create(kind: DirectorKind, opts: DirectorOptions): Promise<Director> {
    const d = new Director(kind, opts);
    await d.setup();
    return d;
  }

  private async setup(): Promise<void> {
    const etc = path.join(this.dir, 'etc');
    fs.mkdirSync(etc);
    fs.mkdirSync(this.runDir, { mode: 0o755 });
    fs.mkdirSync(this.host(NS_MAINT));
    fs.writeFileSync(path.join(etc, 'nsswitch.conf'), 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nservices: files\nprotocols: files\n');
    fs.writeFileSync(path.join(etc, 'hosts'), '127.0.0.1 localhost\n');
    fs.writeFileSync(path.join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    // The bind-mounted wrapper is seen as /usr/sbin/ipvsadm: every path spelled out.
    const wrapper = path.join(this.dir, 'ipvsadm');
    fs.writeFileSync(wrapper, `#!/bin/sh
unset NODE_OPTIONS
TSLVS_IPVSADM_ARGV0="$0" TSLVS_IPVS_STATE=${sh(this.stateFile)} TSLVS_IPVS_EXEC_LOG=${sh(this.execLog)} exec ${sh(process.execPath)} ${sh(STANDIN)} "$@"
`, { mode: 0o755 });
    // fallbackcommand: its argv, after the number of log lines written so far (orders it
    // against ldirectord's lines; ldirectord waits for it, tslvs may not).
    fs.writeFileSync(this.host(NS_FALLBACK_CMD), `#!/bin/sh
n=$(cat ${NS_LOG} 2>/dev/null | wc -l)
t=$(date +%s%N)
echo "$n \${t%??????} $*" >> ${NS_FALLBACK_LOG}
`, { mode: 0o755 });
    const mounts = [
      `mount --bind ${sh(wrapper)} /usr/sbin/ipvsadm`,
      `mount --bind ${sh(this.runDir)} /run`,
      `mount --bind ${sh(path.join(etc, 'nsswitch.conf'))} /etc/nsswitch.conf`,
      `mount --bind ${sh(path.join(etc, 'hosts'))} /etc/hosts`,
      `mount --bind ${sh(path.join(etc, 'resolv.conf'))} /etc/resolv.conf`,
    ].join(' && ');
    const holder = spawn('/usr/bin/unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${mounts} && echo ready && exec sleep 2147483647`],
      { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
    this.holder = holder;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`namespace holder not ready: ${out}`)), 15_000);
      const onData = (b: Buffer) => {
        out += b.toString();
        if (out.includes('ready')) { clearTimeout(timer); resolve(); }
      };
      holder.stdout!.on('data', onData);
      holder.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
      holder.once('exit', (code) => { clearTimeout(timer); reject(new Error(`namespace holder exited (${code}): ${out}`)); });
    });
    this.holderNs = fs.readlinkSync(`/proc/${holder.pid}/ns/mnt`);
  }

  /** Write the config (as NS_DIR/cfgName). */
  writeConfig(text: string): void {
    fs.writeFileSync(this.host(this.cfgPath), text);
  }

  /** argv of the director for a command. */
  argv(cmd: string): string[] {
    return this.kind === 'ldirectord' ? [LDIRECTORD, this.cfgPath, cmd] : [process.execPath, TSLVS_BIN, this.cfgPath, cmd];
  }

  /** Run `DIRECTOR CONFIG cmd` in the namespace; waits for the command (not the daemon) to exit. */
  async run(cmd: 'start' | 'stop' | 'reload' | 'status', timeoutMs = 30_000): Promise<CommandResult> {
    if (!this.holder?.pid) throw new Error('no namespace');
    const n = this.commands.length;
    const outFile = path.join(this.dir, `cmd-${n}-${cmd}.out`);
    const errFile = path.join(this.dir, `cmd-${n}-${cmd}.err`);
    const out = fs.openSync(outFile, 'w');
    const err = fs.openSync(errFile, 'w');
    const t0 = Date.now();
    // Output to files, not pipes: a daemon that keeps its stdio would hold a pipe open forever.
    const child = spawn('/usr/bin/nsenter', ['-t', String(this.holder.pid), '-m', '--', ...this.argv(cmd)],
      { stdio: ['ignore', out, err], env: cleanEnv(), cwd: '/' });
    fs.closeSync(out);
    fs.closeSync(err);
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, timeoutMs);
      child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
      child.once('error', () => { clearTimeout(timer); resolve(null); });
    });
    const r = { exitCode, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8'), ms: Date.now() - t0 };
    this.commands.push({ cmd, ...r });
    return r;
  }

  get pidFile(): string { return this.host(`${NS_DIR}/ldirectord.${this.cfgName}.pid`); }

  /** The daemon's pid from its pid file, when that process is alive and in this namespace. */
  daemonPid(): number | undefined {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    return this.ours(pid) ? pid : undefined;
  }

  /** pid is alive and lives in this director's mount namespace (so this suite started it). */
  private ours(pid: number): boolean {
    try {
      return fs.readlinkSync(`/proc/${pid}/ns/mnt`) === this.holderNs && !/^\S+\s+Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^\d+ \(.*\) /, 'x '));
    } catch {
      return false;
    }
  }

  /** Wait until the daemon has written its pid file (start) or is gone (stop). */
  async waitDaemon(want: 'running' | 'stopped', timeoutMs = 15_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    let pidSeen: number | undefined;
    for (;;) {
      const pid = this.daemonPid();
      pidSeen ??= pid;
      if (want === 'running' && pid) return true;
      if (want === 'stopped' && !pid && !(pidSeen && this.ours(pidSeen))) return true;
      if (Date.now() > until) return false;
      await sleep(100);
    }
  }

  /**
   * ldirectord only: wait until the daemon has just gone to sleep between check rounds
   * (blocked in clock_nanosleep/nanosleep, seen in /proc/PID/syscall right after it was not),
   * so a signal sent now does not land in a check. A signal that interrupts ldirectord's
   * check makes that check fail (see rule signal-interrupted-check). No-op for tslvs.
   */
  async waitBetweenRounds(maxMs = 6000, sleepingOk = false): Promise<boolean> {
    const pid = this.kind === 'ldirectord' ? this.daemonPid() : undefined;
    if (!pid) return false;
    const until = Date.now() + maxMs;
    const sleeping = () => {
      try {
        return /^(230|35) /.test(fs.readFileSync(`/proc/${pid}/syscall`, 'utf8'));
      } catch {
        return false;
      }
    };
    let was = sleeping();
    if (was && sleepingOk) return true;
    while (Date.now() < until) {
      const now = sleeping();
      if (now && !was) return true;
      was = now;
      await sleep(5);
    }
    return false;
  }

  log(): string {
    try {
      return fs.readFileSync(this.host(NS_LOG), 'utf8');
    } catch {
      return '';
    }
  }

  fallbackLog(): string {
    try {
      return fs.readFileSync(this.host(NS_FALLBACK_LOG), 'utf8');
    } catch {
      return '';
    }
  }

  stateText(): string {
    try {
      return fs.readFileSync(this.stateFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Number of ipvsadm invocations so far (the stand-in's exec log). */
  execCount(): number {
    try {
      return fs.readFileSync(this.execLog, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  }

  private standin(args: string[]): string {
    return execFileSync(process.execPath, [STANDIN, ...args], {
      encoding: 'utf8', env: { ...cleanEnv(), TSLVS_IPVS_STATE: this.stateFile }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000,
    });
  }

  /** The table as `ipvsadm -S -n` and `ipvsadm -L -n --thresholds`, read through the stand-in (cached on the state file's text). */
  tables(): { save: string; thresholds: string } {
    const state = this.stateText();
    if (this.tableCache?.state !== state) {
      this.tableCache = { state, save: this.standin(['-S', '-n']), thresholds: this.standin(['-L', '-n', '--thresholds']) };
    }
    return { save: this.tableCache.save, thresholds: this.tableCache.thresholds };
  }

  /** Stop the daemon if it runs (stop command, then SIGKILL by pid), end the namespace, remove the work dir. */
  async dispose(): Promise<void> {
    try {
      const pid = this.daemonPid();
      if (pid) {
        await this.run('stop', 20_000).catch(() => undefined);
        if (!(await this.waitDaemon('stopped', 10_000)) && this.ours(pid)) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        }
      }
    } finally {
      const h = this.holder;
      if (h?.pid && h.exitCode === null && h.signalCode === null) {
        const gone = new Promise<void>((resolve) => h.once('exit', () => resolve()));
        h.kill('SIGKILL');
        await gone;
      }
      if (!this.keep) fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
