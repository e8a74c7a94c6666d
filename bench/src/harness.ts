// The measurement harness: config generation, the load generator's workers, running a
// director (tslvs or ldirectord, the same way) in a private mount namespace against the
// timestamping stand-in ipvsadm, and reading /proc, the exec logs and the stand-in's table.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker, Mode, ServerSpec, ToWorker } from './common.js';
import { now, realAddr, sleep, virtualAddr } from './common.js';

export const BENCH_OUT = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH_OUT, '..', '..');
export const NODE = process.execPath;
export const STANDIN_MAIN = path.join(ROOT, 'dist', 'ipvs', 'sim', 'standin-main.js');

export type Director = 'tslvs' | 'ldirectord';

// ------------------------------------------------------------------ the stand-in ipvsadm
/**
 * exec: every call is a node process running the stand-in on the state file (65-160 ms each);
 * fast: a C client asks a per-run server (ipvsadm-server.ts) holding the table (about 1 ms).
 */
export type Standin = 'fast' | 'exec';

const CLIENT_SRC = path.join(ROOT, 'bench', 'src', 'ipvsadm-client.c');
export const CLIENT_BIN = path.join(BENCH_OUT, 'ipvsadm-client');

/** Build the fast stand-in's client when it is missing or older than its source. */
export function ensureClient(): string {
  if (existsSync(CLIENT_BIN) && statSync(CLIENT_BIN).mtimeMs >= statSync(CLIENT_SRC).mtimeMs) return CLIENT_BIN;
  const tmp = `${CLIENT_BIN}.tmp.${process.pid}`;
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', tmp, CLIENT_SRC], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? `no C compiler (${r.error.message})` : `cc failed:\n${r.stderr}`;
    throw new Error(`cannot build the fast stand-in client ${CLIENT_BIN} from ${CLIENT_SRC}: ${why}\nrun the bench with --standin=exec instead`);
  }
  renameSync(tmp, CLIENT_BIN);
  return CLIENT_BIN;
}

export interface StandinFiles {
  statePath: string;
  execLog: string;
  timedLog: string;
  /** the fast stand-in's socket */
  sock: string;
}

/** The script bind-mounted over /usr/sbin/ipvsadm; `$0` becomes the stand-in's argv0 in both modes. */
export function wrapperScript(mode: Standin, f: StandinFiles): string {
  if (mode === 'fast') return `#!/bin/sh\nBENCH_IPVSADM_ARGV0="$0" BENCH_IPVSADM_SOCK="${f.sock}" exec "${CLIENT_BIN}" "$@"\n`;
  const env = `TSLVS_IPVSADM_ARGV0="$0" TSLVS_IPVS_STATE="${f.statePath}" TSLVS_IPVS_EXEC_LOG="${f.execLog}" BENCH_TIMED_LOG="${f.timedLog}" BENCH_STANDIN_MAIN="${STANDIN_MAIN}"`;
  return `#!/bin/sh\n${env} exec "${NODE}" "${path.join(BENCH_OUT, 'ipvsadm-timed.js')}" "$@"\n`;
}

/** The fast stand-in's server, loading the state file as it is now; stdin is its lifeline. */
export class StandinServer {
  private stopping = false;
  private constructor(readonly proc: ChildProcess) {
    // without it every ipvsadm call of the director fails: say so where the bench logs
    proc.once('exit', (code, sig) => {
      if (!this.stopping) process.stderr.write(`stand-in server ${proc.pid} exited (${code ?? sig}) while its director was running\n`);
    });
  }

  static async start(f: StandinFiles): Promise<StandinServer> {
    ensureClient();
    const proc = spawn(NODE, [path.join(BENCH_OUT, 'ipvsadm-server.js')], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_IPVSADM_SOCK: f.sock, TSLVS_IPVS_STATE: f.statePath, TSLVS_IPVS_EXEC_LOG: f.execLog, BENCH_TIMED_LOG: f.timedLog },
    });
    const srv = new StandinServer(proc);
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('stand-in server: not ready after 60 s')), 60_000);
      let out = '';
      proc.stdout!.on('data', (d) => {
        out += String(d);
        if (out.includes('ready\n')) {
          clearTimeout(timer);
          res();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`stand-in server exited (${code}) before it was ready`));
      });
    });
    return srv;
  }

  stop(): void {
    this.stopping = true;
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    this.proc.stdin?.destroy();
  }
}

// ------------------------------------------------------------------ the scenario's servers
export interface Plan {
  n: number;
  virtuals: number;
  /** fraction of servers that accept and never answer */
  hang: number;
  checkinterval: number;
  checktimeout: number;
  /** mode of each server, by id */
  modes: Mode[];
  /** virtual index of each server */
  virtualOf: number[];
}

/** Hanging servers are spread evenly (every 1/hang-th id), so each virtual gets its share. */
export function makePlan(n: number, virtuals: number, hang: number, checkinterval: number, checktimeout: number): Plan {
  const modes: Mode[] = [];
  const virtualOf: number[] = [];
  const nHang = Math.round(n * hang);
  const step = nHang > 0 ? n / nHang : Infinity;
  const hangIds = new Set<number>();
  for (let k = 0; k < nHang; k++) hangIds.add(Math.floor(k * step + step / 2));
  for (let i = 0; i < n; i++) {
    modes.push(hangIds.has(i) ? 'hang' : 'ok');
    virtualOf.push(Math.floor((i * virtuals) / n));
  }
  return { n, virtuals, hang, checkinterval, checktimeout, modes, virtualOf };
}

export const realKey = (i: number): string => {
  const { addr, port } = realAddr(i);
  return `${addr}:${port}`;
};

/** ldirectord.cf for the plan: V virtual services over loopback reals, http negotiate checks. */
export function configText(p: Plan, logfile: string): string {
  const lines = [
    '# generated by bench/ (tslvs benchmark)',
    `checktimeout=${p.checktimeout}`,
    `negotiatetimeout=${p.checktimeout}`,
    `checkinterval=${p.checkinterval}`,
    'failurecount=1',
    'autoreload=no',
    'quiescent=no',
    'fork=no',
    `logfile="${logfile}"`,
    '',
  ];
  const byV: number[][] = Array.from({ length: p.virtuals }, () => []);
  for (let i = 0; i < p.n; i++) byV[p.virtualOf[i]!]!.push(i);
  byV.forEach((ids, v) => {
    lines.push(`virtual=${virtualAddr(v)}`);
    for (const i of ids) lines.push(`\treal=${realKey(i)} masq 1`);
    lines.push('\tservice=http', '\tchecktype=negotiate', '\trequest="/health"', '\treceive="ok"', '\tscheduler=wrr', '\tprotocol=tcp', '');
  });
  return lines.join('\n');
}

/** ipvsadm -R input for the converged table (every answering real in, at weight 1). */
export function convergedRestore(p: Plan, isUp: (i: number) => boolean): string {
  const out: string[] = [];
  for (let v = 0; v < p.virtuals; v++) out.push(`-A -t ${virtualAddr(v)} -s wrr`);
  for (let i = 0; i < p.n; i++) if (isUp(i)) out.push(`-a -t ${virtualAddr(p.virtualOf[i]!)} -r ${realKey(i)} -m -w 1`);
  return out.join('\n') + '\n';
}

export function expectedTable(p: Plan, isUp: (i: number) => boolean): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < p.n; i++) if (isUp(i)) m.set(`${virtualAddr(p.virtualOf[i]!)}|${realKey(i)}`, 1);
  return m;
}

// ------------------------------------------------------------------ load generator
export interface Events {
  reqId: number[];
  reqT: number[];
  connId: number[];
  connT: number[];
  closeId: number[];
  closeT: number[];
}

export class LoadGen {
  private workers: ChildProcess[] = [];
  private seq = 0;
  private waiting = new Map<number, (m: FromWorker) => void>();
  readonly ev: Events = { reqId: [], reqT: [], connId: [], connT: [], closeId: [], closeT: [] };
  readonly modes: Mode[];

  private constructor(modes: Mode[]) {
    this.modes = [...modes];
  }

  /** Up to 5,000 servers per worker process (each needs a listening socket plus connections). */
  static async start(plan: Plan): Promise<LoadGen> {
    const lg = new LoadGen(plan.modes);
    const nw = Math.max(1, Math.ceil(plan.n / 5000));
    const shards: ServerSpec[][] = Array.from({ length: nw }, () => []);
    for (let i = 0; i < plan.n; i++) shards[i % nw]!.push({ id: i, ...realAddr(i), mode: plan.modes[i]! });
    await Promise.all(
      shards.map(async (servers) => {
        const w = fork(path.join(BENCH_OUT, 'loadgen.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        lg.workers.push(w);
        const ready = new Promise<FromWorker>((res) => w.once('message', (m) => res(m as FromWorker)));
        w.on('message', (m) => lg.onMessage(m as FromWorker));
        w.send({ op: 'init', servers } satisfies ToWorker);
        const r = await ready;
        if (r.op === 'ready' && r.failed.length) throw new Error(`load generator could not listen: ${r.failed.join('; ')}`);
      }),
    );
    return lg;
  }

  private onMessage(m: FromWorker): void {
    if (m.op === 'ack' || m.op === 'events') {
      const cb = this.waiting.get(m.seq);
      if (cb) cb(m);
    }
  }

  private ask(w: ChildProcess, mk: (seq: number) => ToWorker): Promise<FromWorker> {
    const seq = ++this.seq;
    return new Promise((res) => {
      this.waiting.set(seq, (m) => {
        this.waiting.delete(seq);
        res(m);
      });
      w.send(mk(seq));
    });
  }

  /** Switch servers to a mode; resolves with the time the last worker applied it. */
  async set(ids: number[], mode: Mode): Promise<number> {
    const nw = this.workers.length;
    const byW: number[][] = Array.from({ length: nw }, () => []);
    for (const id of ids) {
      byW[id % nw]!.push(id);
      this.modes[id] = mode;
    }
    const acks = await Promise.all(byW.map((list, k) => (list.length ? this.ask(this.workers[k]!, (seq) => ({ op: 'set', ids: list, mode, seq })) : null)));
    let t = 0;
    for (const a of acks) if (a && a.op === 'ack') t = Math.max(t, a.t);
    return t;
  }

  /** Pull every event recorded since the last drain into this.ev. */
  async drain(): Promise<void> {
    const res = await Promise.all(this.workers.map((w) => this.ask(w, (seq) => ({ op: 'drain', seq }))));
    for (const r of res) {
      if (r.op !== 'events') continue;
      for (const k of ['reqId', 'reqT', 'connId', 'connT', 'closeId', 'closeT'] as const) {
        const src = r[k];
        const dst = this.ev[k];
        for (let i = 0; i < src.length; i++) dst.push(src[i]!);
      }
    }
  }

  async stop(): Promise<void> {
    for (const w of this.workers) {
      try {
        w.send({ op: 'stop' } satisfies ToWorker);
      } catch {
        /* already gone */
      }
    }
    await Promise.all(this.workers.map((w) => (w.exitCode !== null ? null : new Promise((r) => w.once('exit', r)))));
  }
}

// ------------------------------------------------------------------ one director run
export interface ProcSample {
  t: number;
  /** seconds of CPU: the daemon itself, and its waited-for children (ipvsadm stand-in calls, forks) */
  self: number;
  children: number;
  vmHWMkB: number;
  vmRSSkB: number;
  threads: number;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

export function procSample(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state); utime is field 14 -> f[11]
    const ut = Number(f[11]), st = Number(f[12]), cut = Number(f[13]), cst = Number(f[14]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { t: now(), self: (ut + st) / CLK_TCK, children: (cut + cst) / CLK_TCK, vmHWMkB: kb('VmHWM'), vmRSSkB: kb('VmRSS'), threads: kb('Threads') };
  } catch {
    return null;
  }
}

/** Live descendants of pid (by ppid), excluding the stand-in ipvsadm calls (either mode). */
export function descendants(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(d));
      kids.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of kids.get(p) ?? []) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8');
      } catch {
        /* gone */
      }
      if (cmd.includes('ipvsadm-timed') || cmd.includes('ipvsadm-client')) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export interface ExecRec {
  pid: number;
  t0: number;
  t1: number;
  code: number;
  args: string[];
  stdin: string | null;
}

/** Follows the stand-in's exec log and the wrapper's timestamps, pairing them by pid. */
class Tail {
  private off = 0;
  private rest = '';
  constructor(readonly file: string) {}
  lines(): string[] {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    if (size <= this.off) return [];
    const fd = openSync(this.file, 'r');
    const buf = Buffer.alloc(size - this.off);
    readSync(fd, buf, 0, buf.length, this.off);
    closeSync(fd);
    this.off = size;
    const text = this.rest + buf.toString('utf8');
    const parts = text.split('\n');
    this.rest = parts.pop()!;
    return parts.filter((l) => l.length > 0);
  }
}

export class ExecLog {
  private execTail: Tail;
  private timedTail: Tail;
  private pendingExec = new Map<number, { args: string[]; stdin: string | null; code: number }[]>();
  private pendingTimed = new Map<number, { t0: number; t1: number; code: number }[]>();
  readonly execs: ExecRec[] = [];

  constructor(execLog: string, timedLog: string) {
    this.execTail = new Tail(execLog);
    this.timedTail = new Tail(timedLog);
  }

  /** Read what is new; returns the number of complete (paired) exec records. */
  poll(): number {
    for (const l of this.execTail.lines()) {
      const e = JSON.parse(l) as { pid: number; args: string[]; stdin: string | null; code: number };
      const q = this.pendingExec.get(e.pid) ?? [];
      q.push(e);
      this.pendingExec.set(e.pid, q);
    }
    for (const l of this.timedTail.lines()) {
      const e = JSON.parse(l) as { pid: number; t0: number; t1: number; code: number };
      const q = this.pendingTimed.get(e.pid) ?? [];
      q.push(e);
      this.pendingTimed.set(e.pid, q);
    }
    for (const [pid, tq] of this.pendingTimed) {
      const eq = this.pendingExec.get(pid);
      while (tq.length && eq && eq.length) {
        const t = tq.shift()!;
        const e = eq.shift()!;
        this.execs.push({ pid, t0: t.t0, t1: t.t1, code: e.code, args: e.args, stdin: e.stdin });
      }
      if (!tq.length) this.pendingTimed.delete(pid);
    }
    this.execs.sort((a, b) => a.t1 - b.t1);
    return this.execs.length;
  }
}

/** The ipvsadm command lines one exec ran (its argv, or each line of stdin for -R). */
export function commandLines(e: ExecRec): string[][] {
  const argv = e.args;
  if (argv.includes('-R') || argv.includes('--restore')) {
    return (e.stdin ?? '').split('\n').map((l) => l.trim().split(/\s+/).filter((x) => x && x !== 'ipvsadm')).filter((t) => t.length);
  }
  return [argv];
}

const WRITE_OPS = new Set(['-A', '-E', '-D', '-a', '-e', '-d', '-C', '--add-service', '--edit-service', '--delete-service', '--add-server', '--edit-server', '--delete-server', '--clear']);
export const isWrite = (e: ExecRec): boolean => commandLines(e).some((t) => WRITE_OPS.has(t[0]!));

/** Does this exec remove (`-d`) / add-or-restore (`-a`, `-e` with weight > 0) the real `rk`? */
export function touches(e: ExecRec, rk: string, kind: 'down' | 'up'): boolean {
  for (const t of commandLines(e)) {
    const r = t.indexOf('-r');
    if (r < 0 || t[r + 1] !== rk) continue;
    const w = t.indexOf('-w');
    const weight = w >= 0 ? Number(t[w + 1]) : 1;
    if (kind === 'down' && (t[0] === '-d' || (t[0] === '-e' && weight === 0))) return true;
    if (kind === 'up' && (t[0] === '-a' || t[0] === '-e') && weight > 0) return true;
  }
  return false;
}

interface KStateLite {
  services: { addr: string; port: number; af: number; dests: { addr: string; port: number; weight: number }[] }[];
}

export interface RunOpts {
  director: Director;
  plan: Plan;
  label: string;
  /** load the converged table into the stand-in before the director starts */
  preseed: boolean;
  /** modes used to decide which reals the preseeded table holds */
  isUpForSeed?: (i: number) => boolean;
  standin: Standin;
}

/** Directors started and not yet stopped (the driver stops them if it is interrupted). */
export const liveRuns = new Set<DirectorRun>();

export class DirectorRun {
  readonly dir: string;
  readonly cfgName: string;
  readonly cfgPath: string;
  readonly statePath: string;
  readonly logPath: string;
  readonly execs: ExecLog;
  pid = 0;
  spawnT = 0;
  private launcher: ChildProcess | null = null;
  private server: StandinServer | null = null;
  private readonly files: StandinFiles;
  private lastStateMtime = 0;
  private lastTable = new Map<string, number>();

  constructor(readonly o: RunOpts) {
    mkdirSync('/tmp/tslvs-bench', { recursive: true });
    this.dir = mkdtempSync(`/tmp/tslvs-bench/${o.director}-${o.label}-`);
    this.cfgName = `bench-${o.director}-${o.label}-${path.basename(this.dir).split('-').pop()}.cf`;
    this.cfgPath = path.join(this.dir, this.cfgName);
    this.statePath = path.join(this.dir, 'state.json');
    this.logPath = path.join(this.dir, 'director.log');
    mkdirSync(path.join(this.dir, 'run'));
    writeFileSync(this.cfgPath, configText(o.plan, this.logPath));
    const execLog = path.join(this.dir, 'execs.jsonl');
    const timedLog = path.join(this.dir, 'timed.jsonl');
    this.execs = new ExecLog(execLog, timedLog);
    this.files = { statePath: this.statePath, execLog, timedLog, sock: path.join(this.dir, 'ipvsadm.sock') };
    if (o.standin === 'fast') ensureClient();
    writeFileSync(path.join(this.dir, 'ipvsadm'), wrapperScript(o.standin, this.files));
    chmodSync(path.join(this.dir, 'ipvsadm'), 0o755);
    // name lookups from files only: neither director may ever ask a DNS server
    writeFileSync(path.join(this.dir, 'nsswitch.conf'), 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nservices: files\nprotocols: files\n');
    if (o.preseed) {
      const seed = convergedRestore(o.plan, o.isUpForSeed ?? ((i) => o.plan.modes[i] === 'ok'));
      const r = spawnSync(NODE, [STANDIN_MAIN, '-R'], { input: seed, env: { ...process.env, TSLVS_IPVS_STATE: this.statePath } });
      if (r.status !== 0) throw new Error(`preseeding the stand-in failed: ${r.stderr.toString()}`);
    }
  }

  get pidFile(): string {
    return path.join(this.dir, 'run', `ldirectord.${this.cfgName}.pid`);
  }

  /** Start the director (`CONFIG start`, it daemonizes) in a private mount namespace. */
  async start(): Promise<void> {
    // BENCH_TSLVS_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the tslvs daemon (it re-spawns itself with node's execArgv)
    const nodeArgs = (process.env['BENCH_TSLVS_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
    if (this.o.standin === 'fast') {
      liveRuns.add(this);
      this.server = await StandinServer.start(this.files);
    }
    const cmd = this.o.director === 'tslvs' ? [NODE, ...nodeArgs, path.join(ROOT, 'bin', 'tslvs.js'), this.cfgPath, 'start'] : ['/usr/sbin/ldirectord', this.cfgPath, 'start'];
    const script = [
      'set -e',
      `mount --bind "${this.dir}/ipvsadm" /usr/sbin/ipvsadm`,
      `mount --bind "${this.dir}/run" /run`,
      `mount --bind "${this.dir}/nsswitch.conf" /etc/nsswitch.conf`,
      'exec "$@"',
    ].join('\n');
    this.spawnT = now();
    this.launcher = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', ...cmd], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      },
    });
    let err = '';
    this.launcher.stderr!.on('data', (d) => (err += String(d)));
    const deadline = now() + 60_000;
    while (now() < deadline) {
      if (existsSync(this.pidFile)) {
        const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
        if (pid > 0 && existsSync(`/proc/${pid}`)) {
          this.pid = pid;
          liveRuns.add(this);
          return;
        }
      }
      if (this.launcher.exitCode !== null && this.launcher.exitCode !== 0) throw new Error(`${this.o.director} start failed (${this.launcher.exitCode}): ${err}`);
      await sleep(20);
    }
    throw new Error(`${this.o.director}: no pid file ${this.pidFile} after 60 s: ${err}`);
  }

  sample(): ProcSample | null {
    return this.pid ? procSample(this.pid) : null;
  }

  /** Current table of the stand-in, as `VIP:PORT|RIP:PORT` -> weight (read from its state file). */
  table(): Map<string, number> {
    let st;
    try {
      st = statSync(this.statePath);
    } catch {
      return new Map();
    }
    if (st.mtimeMs === this.lastStateMtime) return this.lastTable;
    let s: KStateLite;
    try {
      s = JSON.parse(readFileSync(this.statePath, 'utf8')) as KStateLite;
    } catch {
      return this.lastTable;
    }
    const m = new Map<string, number>();
    for (const svc of s.services) for (const d of svc.dests) m.set(`${svc.addr}:${svc.port}|${d.addr}:${d.port}`, d.weight);
    this.lastStateMtime = st.mtimeMs;
    this.lastTable = m;
    return m;
  }

  /** Stop: SIGTERM, then SIGKILL to the daemon's process group after `graceMs`. */
  async stop(graceMs: number): Promise<{ exitedGracefully: boolean }> {
    try {
      return await this.stopDirector(graceMs);
    } finally {
      // after the director: ldirectord purges the table on stop
      this.server?.stop();
      this.server = null;
      liveRuns.delete(this);
    }
  }

  private async stopDirector(graceMs: number): Promise<{ exitedGracefully: boolean }> {
    const pid = this.pid;
    if (!pid) return { exitedGracefully: true };
    let pgid = 0;
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pgid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      /* gone */
    }
    const kids = descendants(pid);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const deadline = now() + graceMs;
    while (now() < deadline && existsSync(`/proc/${pid}`) && !isZombie(pid)) await sleep(50);
    const graceful = !existsSync(`/proc/${pid}`) || isZombie(pid);
    if (!graceful) {
      // only ever the daemon we started and its own group / descendants
      if (pgid === pid) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      for (const p of [pid, ...kids]) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    this.pid = 0;
    return { exitedGracefully: graceful };
  }
}

function isZombie(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export function directorVersionOk(d: Director): boolean {
  if (d === 'ldirectord') return existsSync('/usr/sbin/ldirectord');
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) return false;
  const r = spawnSync(NODE, [path.join(ROOT, 'bin', 'tslvs.js'), '-h'], { encoding: 'utf8', timeout: 20_000 });
  return /\bstart\b/.test((r.stdout ?? '') + (r.stderr ?? ''));
}
