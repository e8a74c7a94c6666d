// A real tslvs daemon for the fault-injection suites (test/faults/): `tslvs CONFIG start` as an
// operator runs it, pid file in a private run directory ($TSLVS_RUN_DIR), and ipvsadm found
// through $TSLVS_IPVSADM — a wrapper script in front of the stand-in that misbehaves as the file
// `mode` in the work directory says (read at every call, so a test switches it at any time):
//   ok           the stand-in, unchanged
//   fail         every call: "Memory allocation problem" on stderr, exit 1, nothing done
//   fail-writes  calls with writes fail as above; listings work
//   hang         every call sleeps (until the daemon's timeout kills it)
//   hang-writes  calls with writes sleep; listings work
//   garbage      every call prints binary and text garbage, exit 0
//   garbage-tail the true answer, then lines of garbage
//   partial      a call with writes applies only its first write line (no listing), then
//                "Memory allocation problem" on stderr, exit 1 (ipvsadm dying half-way)
//   hold-writes  a call with writes creates `writing`, waits for `go` (at most 60 s), then runs
// Every call appends "MODE WRITES" to `wrapper.calls`; the stand-in's exec log counts real execs.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TSLVS = path.join(ROOT, 'bin/tslvs.js');
export const STANDIN = path.join(ROOT, 'test/fixtures/bin/ipvsadm');

export type FaultMode = 'ok' | 'fail' | 'fail-writes' | 'hang' | 'hang-writes' | 'garbage' | 'garbage-tail' | 'partial' | 'hold-writes';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** A write line of `ipvsadm -R` input (everything but the two listing lines tslvs sends). */
const WRITE_RE = '^-[AEDaedC]( |$)';

function wrapperScript(dir: string): string {
  const d = sh(dir);
  const standin = sh(STANDIN);
  return `#!/bin/sh
# faulty ipvsadm for test/faults (test/support/fault-daemon.ts)
mode=$(cat ${d}/mode 2>/dev/null || echo ok)
in=$(cat)
writes=$(printf '%s\\n' "$in" | grep -cE '${WRITE_RE}')
echo "$mode $writes" >> ${d}/wrapper.calls
case "$mode" in
  fail) echo "Memory allocation problem" >&2; exit 1 ;;
  fail-writes) if [ "$writes" -gt 0 ]; then echo "Memory allocation problem" >&2; exit 1; fi ;;
  hang) exec sleep 600 ;;
  hang-writes) if [ "$writes" -gt 0 ]; then exec sleep 600; fi ;;
  garbage) printf '\\000\\001\\377\\376garbage\\nIP Virtual Server version ?.?.?\\n  -> \\033[2J%%s%%n\\n\\200\\201\\n'; exit 0 ;;
  garbage-tail)
    printf '%s\\n' "$in" | ${standin} "$@"; code=$?
    printf 'garbage line one\\n\\000\\377\\376 -> 300.1.1.1:99999 Masq -7\\n-a -t nonsense\\nTCP 1.2.3\\n'
    exit $code ;;
  partial)
    if [ "$writes" -gt 0 ]; then
      printf '%s\\n' "$in" | awk '/${WRITE_RE}/ { if (++n == 1) print }' | ${standin} -R >/dev/null
      echo "Memory allocation problem" >&2
      exit 1
    fi ;;
  hold-writes)
    if [ "$writes" -gt 0 ]; then
      : > ${d}/writing
      i=0
      while [ ! -e ${d}/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
    fi ;;
esac
printf '%s\\n' "$in" | exec ${standin} "$@"
`;
}

export interface Exec { args: string[]; stdin: string | null; code: number }

export class FaultDaemon {
  readonly dir: string;
  readonly cfg: string;
  readonly logFile: string;
  readonly stateFile: string;
  readonly execLog: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly name: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `tslvs-fault-${name}-`));
    this.cfg = path.join(this.dir, `${name}.cf`);
    this.logFile = path.join(this.dir, `${name}.log`);
    this.stateFile = path.join(this.dir, 'state.json');
    this.execLog = path.join(this.dir, 'execs.jsonl');
    const wrapper = path.join(this.dir, 'ipvsadm');
    fs.writeFileSync(wrapper, wrapperScript(this.dir), { mode: 0o755 });
    this.env = {
      PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C',
      TSLVS_RUN_DIR: this.dir, TSLVS_IPVSADM: wrapper, TSLVS_IPVS_STATE: this.stateFile, TSLVS_IPVS_EXEC_LOG: this.execLog,
    };
  }

  get pidFile(): string { return path.join(this.dir, `ldirectord.${this.name}.cf.pid`); }

  /** The config: global lines (logfile added), then the virtual sections. */
  writeConfig(global: string[], virtuals: string[]): void {
    fs.writeFileSync(this.cfg, [`logfile="${this.logFile}"`, ...global, '', ...virtuals, ''].join('\n'));
  }

  setMode(mode: FaultMode): void {
    fs.writeFileSync(path.join(this.dir, 'mode'), `${mode}\n`);
  }

  tslvs(...args: string[]) {
    return execa(process.execPath, [TSLVS, ...args], { env: this.env, extendEnv: false, reject: false, timeout: 30_000 });
  }

  async start(): Promise<number> {
    const r = await this.tslvs(this.cfg, 'start');
    if (r.exitCode !== 0) throw new Error(`start failed (${r.exitCode}): ${r.stderr}`);
    const pid = this.pid();
    if (!pid) throw new Error('no pid file after start');
    return pid;
  }

  /** The pid in the pid file when that process is alive (and not a zombie). */
  pid(): number | undefined {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return undefined;
    }
    return Number.isInteger(pid) && pid > 1 && alive(pid) ? pid : undefined;
  }

  /** The log's messages, without the `[date|cfg|pid] ` prefix. */
  lines(): string[] {
    if (!fs.existsSync(this.logFile)) return [];
    return fs.readFileSync(this.logFile, 'latin1').split('\n').filter(Boolean).map((l) => l.replace(/^\[[^\]]*\] /, ''));
  }

  /** Wait until the log has a line matching re (bounded), at index `from` or later; returns all lines. */
  async waitFor(re: RegExp, ms = 20_000, from = 0): Promise<string[]> {
    const until = Date.now() + ms;
    for (;;) {
      const lines = this.lines();
      if (lines.slice(from).some((l) => re.test(l))) return lines;
      if (Date.now() > until) throw new Error(`no log line matching ${re} after ${ms} ms:\n${lines.join('\n')}`);
      await sleep(100);
    }
  }

  /** Wait for a line matching re logged from now on. */
  async waitForNew(re: RegExp, ms = 20_000): Promise<string[]> {
    return this.waitFor(re, ms, this.lines().length);
  }

  /** Wait until cond() holds (bounded). */
  async until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`${what}: not after ${ms} ms; log:\n${this.lines().join('\n')}`);
      await sleep(100);
    }
  }

  /** `ipvsadm -S -n` of the table, read straight from the stand-in (not counted as an exec). */
  async table(): Promise<string[]> {
    const r = await execa(STANDIN, ['-S', '-n'], { env: { PATH: process.env.PATH, TSLVS_IPVS_STATE: this.stateFile }, extendEnv: false });
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  /** Load a table into the stand-in directly (ipvsadm -R). */
  async seed(lines: string[]): Promise<void> {
    const env = { PATH: process.env.PATH, TSLVS_IPVS_STATE: this.stateFile };
    await execa(STANDIN, ['-R'], { input: `${lines.join('\n')}\n`, env, extendEnv: false });
  }

  /** The stand-in's exec log: one record per ipvsadm the stand-in ran. */
  execs(): Exec[] {
    if (!fs.existsSync(this.execLog)) return [];
    return fs.readFileSync(this.execLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Exec);
  }

  /** The wrapper's calls: [mode, number of write lines]. */
  calls(): Array<[string, number]> {
    const f = path.join(this.dir, 'wrapper.calls');
    if (!fs.existsSync(f)) return [];
    return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => {
      const [m, n] = l.split(' ');
      return [m!, Number(n)];
    });
  }

  /** Wait for `n` more wrapper calls in `mode` (rounds seen by the daemon). */
  async callsIn(mode: FaultMode, n: number, ms = 30_000): Promise<void> {
    const base = this.calls().filter(([m]) => m === mode).length;
    await this.until(`${n} calls in mode ${mode}`, () => this.calls().filter(([m]) => m === mode).length >= base + n, ms);
  }

  kill9(): void {
    const pid = this.pid();
    if (pid) process.kill(pid, 'SIGKILL');
  }

  /** Stop the daemon we started (stop verb, then SIGKILL by pid) and remove the work dir. */
  async dispose(): Promise<void> {
    fs.writeFileSync(path.join(this.dir, 'go'), '');
    this.setMode('ok');
    const pid = this.pid();
    if (pid) {
      await this.tslvs(this.cfg, 'stop');
      const end = Date.now() + 10_000;
      while (alive(pid) && Date.now() < end) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Children of pid (by /proc ppid) and their command lines. */
export function children(pid: number): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      out.push({ pid: Number(d), cmdline: fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The daemon's resident set size in MB (VmRSS), or undefined when it is gone. */
export function rssMB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
