// The daemon as operators run it: `tslvs CONFIG start` detaches, writes the pid file and logs in
// ldirectord's format; reload (verb, HUP, autoreload) swaps configs and keeps the old one when
// the new one is broken; stop purges (cleanstop) and removes the pid file; supervised and -d
// stay in the foreground. Real loopback HTTP servers, the ipvsadm stand-in, a private run dir.
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');
const STANDIN = path.join(ROOT, 'test/fixtures/bin/ipvsadm');

let dir: string;
let a: RealServerStub;
let b: RealServerStub;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-life-'));
  a = await startRealServer('127.0.0.1');
  b = await startRealServer('127.0.0.1');
  env = {
    ...process.env, TSLVS_RUN_DIR: dir, TSLVS_IPVSADM: STANDIN,
    TSLVS_IPVS_STATE: path.join(dir, 'state.json'), TSLVS_IPVS_EXEC_LOG: path.join(dir, 'execs.jsonl'),
  };
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  // A killed daemon's last ipvsadm stand-in may still be writing its state file.
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const V = '127.0.0.200:80';
const tslvs = (...args: string[]) => execa(process.execPath, [TSLVS, ...args], { env, reject: false, timeout: 30_000 });
const ipvsadm = async (...args: string[]) => (await execa(STANDIN, args, { env })).stdout;
/** Daemons a test started: stopped after it even when it fails. */
const started: string[] = [];

beforeEach(() => {
  // Each test gets its own simulated table.
  env.TSLVS_IPVS_STATE = path.join(dir, `state-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.json`);
});
afterEach(async () => {
  for (const cfg of started.splice(0)) {
    const pidFile = path.join(dir, `ldirectord.${path.basename(cfg)}.pid`);
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
    if (pid > 0) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    fs.rmSync(pidFile, { force: true });
  }
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function logLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'latin1').split('\n').filter(Boolean);
}

/** Wait until the log has a line matching `re`; returns the lines without their prefix. */
async function waitFor(file: string, re: RegExp, ms = 10_000): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const lines = logLines(file).map((l) => l.replace(/^\[[^\]]*\] /, ''));
    if (lines.some((l) => re.test(l))) return lines;
    if (Date.now() > until) throw new Error(`no line matching ${re} in ${file}:\n${lines.join('\n')}`);
    await sleep(100);
  }
}

test('start detaches, reloads three ways, keeps a broken config out, stops cleanly', async () => {
  const log = path.join(dir, 'd1.log');
  const calls = path.join(dir, 'callback.calls');
  const callback = path.join(dir, 'callback.sh');
  fs.writeFileSync(callback, `#!/bin/sh\necho "$@" >> ${calls}\n`, { mode: 0o755 });
  const base = ['checkinterval=1', 'checktimeout=1', `logfile="${log}"`, 'autoreload=yes', `callback="${callback}"`, '',
    `virtual=${V}`, `\treal=127.0.0.1:${a.port} masq`, '\tservice=http', '\treceive="OK"'];
  const cfg = writeConfig('d1.cf', base);

  started.push(cfg);
  const start = await tslvs(cfg, 'start');
  expect(start.exitCode).toBe(0);
  const pidFile = path.join(dir, 'ldirectord.d1.cf.pid');
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  expect(pid).toBeGreaterThan(0);
  expect(pid).not.toBe(process.pid);
  let lines = await waitFor(log, /Added real server/);
  expect(lines.slice(0, 4)).toEqual([
    `Invoking ldirectord invoked as: ${TSLVS} ${cfg} start `,
    'Starting Linux Director v1.186-ha as daemon',
    `Added virtual server: ${V}`,
    `Added real server: 127.0.0.1:${a.port} (${V}) (Weight set to 1)`,
  ]);
  // The daemon's lines carry its own pid, as ldirectord's child's do.
  expect(logLines(log)[2]).toContain(`|d1.cf|${pid}] `);
  // It runs with the daemon's heap settings (src/daemon/heap-flags.ts: 512 MB + 16 KB per real).
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  expect(cmdline).toEqual(expect.arrayContaining(['--max-old-space-size=513', '--max-semi-space-size=2']));
  expect((await tslvs(cfg, 'status')).stderr).toBe(`ldirectord for ${cfg} is running with pid: ${pid}`);
  expect((await tslvs(cfg, 'start')).exitCode).toBe(0); // running: a no-op

  // autoreload: a new real appears; the callback gets the config path.
  writeConfig('d1.cf', [...base, `\treal=127.0.0.1:${b.port} masq 2`]);
  lines = await waitFor(log, new RegExp(`Added real server: 127.0.0.1:${b.port}`));
  expect(lines).toEqual(expect.arrayContaining([
    `Configuration file '${cfg}' has changed on disk`, ' - reread new configuration',
  ]));
  await sleep(300);
  expect(fs.readFileSync(calls, 'utf8')).toBe(`${cfg}\n`);

  // A broken file: logged, and the running config stays (b remains in the table).
  writeConfig('d1.cf', [...base, `\treal=127.0.0.1:${b.port} masq 2`, '\tnonsense=1']);
  lines = await waitFor(log, /^Error \[\d+\] reading file/);
  expect(lines.find((l) => l.startsWith('Error'))).toMatch(new RegExp(`^Error \\[${pid}\\] reading file ${cfg} at line 12: Unknown command `));
  expect(await ipvsadm('-S', '-n')).toContain(`-r 127.0.0.1:${b.port} -m -w 2`);
  expect((await tslvs(cfg, 'status')).exitCode).toBe(0);

  // The reload verb (HUP) with a good file again, dropping b.
  writeConfig('d1.cf', base);
  await waitFor(log, new RegExp(`Deleted real server: 127.0.0.1:${b.port}|Purged real server \\(start\\): 127.0.0.1:${b.port}`));
  expect((await tslvs(cfg, 'reload')).exitCode).toBe(0);
  await waitFor(log, /Reloading Linux Director Daemon config on signal/);

  // Stop: cleanstop purges; the pid file goes; status says stopped.
  expect((await tslvs(cfg, 'stop')).exitCode).toBe(0);
  lines = await waitFor(log, /Linux Director Daemon terminated on signal: TERM/);
  expect(lines.slice(-3)).toEqual([
    `Purged real server (stop): 127.0.0.1:${a.port} (${V})`, `Purged virtual server (stop): ${V}`,
    'Linux Director Daemon terminated on signal: TERM',
  ]);
  for (let i = 0; i < 50 && fs.existsSync(pidFile); i++) await sleep(100);
  expect(fs.existsSync(pidFile)).toBe(false);
  expect(await ipvsadm('-S', '-n')).toBe('');
  expect((await tslvs(cfg, 'status')).exitCode).toBe(3);
}, 90_000);

test('a config error at start: exit 2, the error on stderr, no ipvsadm call', async () => {
  fs.rmSync(env.TSLVS_IPVS_EXEC_LOG!, { force: true });
  const cfg = writeConfig('bad.cf', ['checkinterval=1', '', `virtual=${V}`, '\treal=127.0.0.1:1 masq', '\tquiescent=maybe']);
  const r = await tslvs(cfg, 'start');
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^Error \\[\\d+\\] reading file ${cfg} at line 5: `));
  expect(fs.existsSync(env.TSLVS_IPVS_EXEC_LOG!)).toBe(false);
  expect(fs.existsSync(path.join(dir, 'ldirectord.bad.cf.pid'))).toBe(false);
  const missing = await tslvs(path.join(dir, 'nope.cf'), 'start');
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr).toBe(`Config file ${path.join(dir, 'nope.cf')} not found`);
}, 30_000);

async function foreground(args: string[], cfg: string, stopWith: NodeJS.Signals, ready: RegExp): Promise<{ stdout: string; stderr: string; code: number | undefined; pidSeen: boolean }> {
  const child: ResultPromise = execa(process.execPath, [TSLVS, ...args], { env, reject: false, timeout: 30_000 });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  const until = Date.now() + 10_000;
  while (!ready.test(out) && Date.now() < until) await sleep(100);
  const pidSeen = fs.existsSync(path.join(dir, `ldirectord.${path.basename(cfg)}.pid`));
  child.kill(stopWith);
  const r = await child;
  return { stdout: String(r.stdout), stderr: String(r.stderr), code: r.exitCode, pidSeen };
}

test('supervised=yes: foreground, "[ctime] msg" on stdout, a pid file (ldirectord writes none), INT stops', async () => {
  const cfg = writeConfig('sup.cf', ['checkinterval=1', 'checktimeout=1', 'supervised=yes', '', `virtual=${V}`, `\treal=127.0.0.1:${a.port} masq`, '\tservice=http']);
  started.push(cfg);
  const r = await foreground([cfg, 'start'], cfg, 'SIGINT', /Added real server/);
  expect(r.code).toBe(0);
  expect(r.pidSeen).toBe(true);
  const lines = r.stdout.split('\n').filter(Boolean);
  for (const l of lines) expect(l).toMatch(/^\[(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] /);
  const msgs = lines.map((l) => l.replace(/^\[[^\]]*\] /, ''));
  expect(msgs[0]).toBe(`Invoking ldirectord invoked as: ${TSLVS} ${cfg} start `);
  expect(msgs[1]).toMatch(/^Starting Linux Director v1\.186-ha with pid: \d+$/);
  expect(msgs.at(-1)).toBe('Linux Director Daemon terminated on signal: INT');
  expect(fs.existsSync(path.join(dir, 'ldirectord.sup.cf.pid'))).toBe(false);
}, 30_000);

test('-d: foreground, each log line once on stderr (no DEBUG2 echo), QUIT stops', async () => {
  const cfg = writeConfig('dbg.cf', ['checkinterval=1', 'checktimeout=1', `logfile="${path.join(dir, 'dbg.log')}"`, '', `virtual=${V}`, `\treal=127.0.0.1:${a.port} masq`, '\tservice=http']);
  started.push(cfg);
  const r = await foreground(['-d', cfg, 'start'], cfg, 'SIGQUIT', /Added real server/);
  expect(r.code).toBe(0);
  expect(r.stderr.split('\n').filter((l) => l.endsWith(`Added virtual server: ${V}`))).toEqual([`Added virtual server: ${V}`]);
  // execa strips the final newline.
  expect(r.stderr.split('\n').slice(-2)).toEqual(['Linux Director Daemon terminated on signal: QUIT',
    'Exiting with exit_status 0: Linux Director Daemon terminated on signal: QUIT']);
  expect(logLines(path.join(dir, 'dbg.log'))).toEqual([]);
}, 30_000);

test('execute= starts and stops the named config with the daemon; emailalert lines are logged', async () => {
  const childLog = path.join(dir, 'child.log');
  writeConfig('child.cf', ['checkinterval=1', 'checktimeout=1', `logfile="${childLog}"`, '', 'virtual=127.0.0.201:80', `\treal=127.0.0.1:${b.port} masq`, '\tservice=http']);
  const log = path.join(dir, 'parent.log');
  const cfg = writeConfig('parent.cf', ['checkinterval=1', 'checktimeout=1', `logfile="${log}"`, `execute=${path.join(dir, 'child.cf')}`,
    'emailalert="ops@example.org"', 'smtp=127.0.0.1', '', `virtual=${V}`, `\treal=127.0.0.1:${a.port} masq`, '\tservice=http']);
  started.push(cfg, path.join(dir, 'child.cf'));
  expect((await tslvs(cfg, 'start')).exitCode).toBe(0);
  await waitFor(childLog, /Added real server/);
  await waitFor(log, new RegExp(`^emailalert: Added real server: 127.0.0.1:${a.port} \\(${V}\\) \\(Weight set to 1\\)$`));
  expect(fs.existsSync(path.join(dir, 'ldirectord.child.cf.pid'))).toBe(true);
  expect((await tslvs(cfg, 'stop')).exitCode).toBe(0);
  await waitFor(childLog, /terminated on signal: TERM/);
  await waitFor(log, /terminated on signal: TERM/);
}, 60_000);

test('restart waits for the old daemon to go, then starts a new one', async () => {
  const log = path.join(dir, 'rs.log');
  const cfg = writeConfig('rs.cf', ['checkinterval=1', 'checktimeout=1', `logfile="${log}"`, '', `virtual=${V}`, `\treal=127.0.0.1:${a.port} masq`, '\tservice=http']);
  started.push(cfg);
  expect((await tslvs(cfg, 'start')).exitCode).toBe(0);
  const pidFile = path.join(dir, 'ldirectord.rs.cf.pid');
  const first = fs.readFileSync(pidFile, 'utf8');
  await waitFor(log, /Added real server/);
  expect((await tslvs('restart', cfg)).exitCode).toBe(0);
  const second = fs.readFileSync(pidFile, 'utf8');
  expect(second).not.toBe(first);
  const lines = logLines(log).map((l) => l.replace(/^\[[^\]]*\] /, ''));
  const term = lines.indexOf('Linux Director Daemon terminated on signal: TERM');
  expect(term).toBeGreaterThan(0);
  // The restarting process logged "Invoking" before it sent TERM; "Starting" follows the TERM.
  expect(lines[term - 1]).toBe(`Purged virtual server (stop): ${V}`);
  expect(lines.lastIndexOf(`Invoking ldirectord invoked as: ${TSLVS} restart ${cfg} `)).toBeLessThan(term);
  expect(lines[term + 1]).toBe('Starting Linux Director v1.186-ha as daemon');
  expect((await tslvs(cfg, 'stop')).exitCode).toBe(0);
}, 60_000);
