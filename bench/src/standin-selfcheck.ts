// Checks that the fast stand-in (ipvsadm-client + ipvsadm-server) answers byte for byte like
// the exec stand-in (ipvsadm-timed + dist/ipvs/sim/standin-main.js): the same command sequence
// through both wrappers, as the harness writes them, comparing stdout, stderr, exit code,
// the exec logs and the final state files; then the cost of one call of each at 10,000 reals.
// usage: node bench/.out/standin-selfcheck.js [--no-timing]
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { now, quantile } from './common.js';
import { NODE, STANDIN_MAIN, StandinServer, wrapperScript, type Standin, type StandinFiles } from './harness.js';

interface Out {
  code: number | null;
  stdout: string;
  stderr: string;
}
interface Step {
  args: string[];
  stdin?: string;
  /** stdin stays open: only a restore may read it */
  openStdin?: boolean;
}

const VIP1 = '127.255.0.1:80';
const VIP2 = '127.255.0.2:80';
const restoreText = [
  `-A -t ${VIP2} -s wrr`,
  `-a -t ${VIP2} -r 127.20.0.3:8082 -m -w 2`,
  `ipvsadm -a -t ${VIP2} -r 127.20.0.4:8083 -m -w 0`,
  '',
  `-a -t ${VIP1} -r 127.20.0.5:8080 -g -w 1`,
].join('\n') + '\n';

const steps: Step[] = [
  { args: ['-A', '-t', VIP1, '-s', 'wrr'] },
  { args: ['-A', '-t', VIP2, '-s', 'rr', '-p', '300'] },
  { args: ['-A', '-t', VIP1, '-s', 'wrr'] }, // exists
  { args: ['-a', '-t', VIP1, '-r', '127.20.0.1:8080', '-m', '-w', '1'] },
  { args: ['-a', '-t', VIP1, '-r', '127.20.0.2:8081', '-m', '-w', '3'] },
  { args: ['-a', '-t', VIP2, '-r', '127.20.0.3:8082', '-m', '-w', '0', '-x', '100', '-y', '10'] },
  { args: ['-a', '-t', VIP1, '-r', '127.20.0.1:8080', '-m', '-w', '1'] }, // exists
  { args: ['-e', '-t', VIP1, '-r', '127.20.0.1:8080', '-m', '-w', '5'] },
  { args: ['-L', '-n'] },
  { args: ['-L', '-n', '--thresholds'] },
  { args: ['-L', '-n', '-t', VIP1] },
  { args: ['-L', '-n'], openStdin: true },
  { args: ['-S', '-n'] },
  { args: ['-d', '-t', VIP1, '-r', '127.20.0.2:8081'] },
  { args: ['-d', '-t', VIP1, '-r', '127.20.0.9:8080'] }, // missing real
  { args: ['-D', '-t', VIP2] },
  { args: ['-D', '-t', VIP2] }, // missing service
  { args: ['-R'], stdin: restoreText, openStdin: false },
  { args: ['-L', '-n'] },
  { args: ['-L', '-n', '--thresholds'] },
  { args: ['-e', '-t', VIP2, '-r', '127.20.0.4:8083', '-m', '-w', '7'] },
  { args: ['-L'] },
  { args: [] },
  { args: ['--set', '900', '60', '300'] },
  { args: ['-L', '--timeout'] },
  { args: ['-Z'] },
  { args: ['-S', '-n'] },
  { args: ['--bogus'] }, // unknown option
  { args: ['-Q'] },
  { args: ['-a', '-t', VIP1] }, // missing -r
  { args: ['-h'] },
  { args: ['-C'] },
  { args: ['-L', '-n'] },
  { args: ['--restore'], stdin: `-A -t ${VIP1} -s lc\n-a -t ${VIP1} -r 127.20.0.7:8080 -m -w 4\n-a -t ${VIP1} -r 127.20.0.7:8080 -m -w 4\n` },
  { args: ['-S', '-n'] },
];

/** Each mode in its own directory; the wrapper is called as ./ipvsadm in both, so `$0` is the same. */
function setup(root: string, mode: Standin, name: string = mode): StandinFiles & { dir: string } {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const f = { dir, statePath: path.join(dir, 'state.json'), execLog: path.join(dir, 'execs.jsonl'), timedLog: path.join(dir, 'timed.jsonl'), sock: path.join(dir, 'ipvsadm.sock') };
  writeFileSync(path.join(dir, 'ipvsadm'), wrapperScript(mode, f));
  chmodSync(path.join(dir, 'ipvsadm'), 0o755);
  return f;
}

function call(dir: string, s: Step): Out {
  const r = spawnSync('./ipvsadm', s.args, { cwd: dir, input: s.stdin ?? '', encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stdin a pipe nobody closes: a call that reads it would hang until the timeout. */
function callOpenStdin(dir: string, s: Step): Promise<Out> {
  return new Promise((res) => {
    const p = spawn('./ipvsadm', s.args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += String(d)));
    p.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      p.stdin.destroy();
      res({ code, stdout, stderr: code === null ? `${stderr}[killed: waited for stdin]` : stderr });
    });
  });
}

const readLog = (f: string): Record<string, unknown>[] => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []);
const show = (s: string): string => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…` : s);

async function main(): Promise<number> {
  const timing = !process.argv.includes('--no-timing');
  mkdirSync('/tmp/tslvs-bench', { recursive: true });
  const root = mkdtempSync('/tmp/tslvs-bench/standin-selfcheck-');
  const ex = setup(root, 'exec');
  const fa = setup(root, 'fast');
  const server = await StandinServer.start(fa);
  const diffs: string[] = [];
  try {
    for (const [i, s] of steps.entries()) {
      const a = s.openStdin ? await callOpenStdin(ex.dir, s) : call(ex.dir, s);
      const b = s.openStdin ? await callOpenStdin(fa.dir, s) : call(fa.dir, s);
      for (const k of ['code', 'stdout', 'stderr'] as const) {
        if (a[k] !== b[k]) diffs.push(`step ${i + 1} (ipvsadm ${s.args.join(' ')}): ${k} differs\n  exec: ${show(String(a[k]))}\n  fast: ${show(String(b[k]))}`);
      }
    }
    const sa = existsSync(ex.statePath) ? readFileSync(ex.statePath, 'utf8') : '(none)';
    const sb = existsSync(fa.statePath) ? readFileSync(fa.statePath, 'utf8') : '(none)';
    if (sa !== sb) diffs.push(`final state files differ\n  exec: ${show(sa)}\n  fast: ${show(sb)}`);
    // the harness pairs the two logs by pid: same entries apart from pids and times
    const strip = (l: Record<string, unknown>[], keys: string[]): string[] => l.map((e) => JSON.stringify(keys.map((k) => e[k])));
    const [ea, eb] = [strip(readLog(ex.execLog), ['args', 'stdin', 'code']), strip(readLog(fa.execLog), ['args', 'stdin', 'code'])];
    if (JSON.stringify(ea) !== JSON.stringify(eb)) diffs.push(`exec logs differ\n  exec: ${show(ea.join(' '))}\n  fast: ${show(eb.join(' '))}`);
    const [ta, tb] = [readLog(ex.timedLog), readLog(fa.timedLog)];
    if (JSON.stringify(ta.map((e) => e['code'])) !== JSON.stringify(tb.map((e) => e['code']))) diffs.push('timed logs differ in their exit codes');
    if (tb.some((e) => !((e['t1'] as number) >= (e['t0'] as number)))) diffs.push('fast timed log: a t1 before its t0');
    if (ea.length !== steps.length || ta.length !== steps.length) diffs.push(`exec stand-in logged ${ea.length}/${ta.length} calls for ${steps.length} steps`);
  } finally {
    server.stop();
  }
  if (diffs.length) {
    process.stdout.write(`standin selfcheck: ${steps.length} commands, ${diffs.length} differences\n${diffs.join('\n')}\n(files in ${root})\n`);
    return 1;
  }
  process.stdout.write(`standin selfcheck: ${steps.length} commands, all equal\n`);
  if (timing) await timeCalls(root);
  rmSync(root, { recursive: true, force: true });
  return 0;
}

/** Wall time of one call as a director sees it (wrapper included), at 10,000 reals in 10 services. */
async function timeCalls(root: string): Promise<void> {
  const lines: string[] = [];
  for (let v = 0; v < 10; v++) lines.push(`-A -t 127.255.0.${v + 1}:80 -s wrr`);
  for (let i = 0; i < 10_000; i++) {
    const b = Math.floor(i / 250);
    lines.push(`-a -t 127.255.0.${Math.floor(i / 1000) + 1}:80 -r 127.${20 + Math.floor(b / 256)}.${b % 256}.${(i % 250) + 1}:${8080 + (i % 4)} -m -w 1`);
  }
  const seed = lines.join('\n') + '\n';
  const reps = 10;
  const kinds = ['-a', '-L -n after a write', '-L -n repeated', '-d'];
  const report: string[] = [];
  for (const mode of ['exec', 'fast'] as const) {
    const f = setup(root, mode, `${mode}-10k`);
    // seeded like the harness preseeds a run: exec stand-in, then the server loads the file
    const seeded = spawnSync(NODE, [STANDIN_MAIN, '-R'], { input: seed, env: { ...process.env, TSLVS_IPVS_STATE: f.statePath } });
    if (seeded.status !== 0) throw new Error(`seeding ${mode}: ${seeded.stderr.toString()}`);
    const server = mode === 'fast' ? await StandinServer.start(f) : null;
    const t: number[][] = kinds.map(() => []);
    try {
      for (let k = 0; k < reps; k++) {
        const real = `127.0.1.${k + 1}:80`;
        const seq: Step[] = [
          { args: ['-a', '-t', '127.255.0.1:80', '-r', real, '-m', '-w', '1'] },
          { args: ['-L', '-n'] },
          { args: ['-L', '-n'] },
          { args: ['-d', '-t', '127.255.0.1:80', '-r', real] },
        ];
        seq.forEach((s, j) => {
          const t0 = now();
          const r = call(f.dir, s);
          t[j]!.push(now() - t0);
          if (r.code !== 0) throw new Error(`${mode} ${s.args.join(' ')}: ${r.stderr}`);
        });
      }
    } finally {
      server?.stop();
    }
    report.push(`  ${mode.padEnd(4)}: ` + kinds.map((kind, j) => `${kind} ${quantile(t[j]!.sort((a, b) => a - b), 0.5).toFixed(1)} ms`).join(', '));
  }
  process.stdout.write(`per-call wall time at 10,000 reals (median of ${reps}, wrapper + stand-in, seen from the caller):\n${report.join('\n')}\n`);
}

process.exitCode = await main();
