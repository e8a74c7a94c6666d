// Fault injection: the log file's directory is removed, or its filesystem is full, while the
// daemon runs (`tslvs CONFIG start`, detached, on the ipvsadm stand-in, a real loopback HTTP
// server). The daemon must keep checking and keeping the table meanwhile, and once the
// directory or the space is back, the log must say what it missed and go on.
// The full disk is a 64 KiB tmpfs mounted for the test (needs root; skipped, saying so, when
// mount is not permitted).
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
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
let real: RealServerStub;
const configs: string[] = [];
const mounts: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-logdisk-'));
  real = await startRealServer('127.0.0.1');
});
afterAll(async () => {
  for (const cfg of configs) {
    const pidFile = path.join(dir, `ldirectord.${path.basename(cfg)}.pid`);
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
    if (pid > 0) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  for (const m of mounts) { try { execFileSync('umount', [m]); } catch { /* not mounted */ } }
  await real.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function envFor(name: string): NodeJS.ProcessEnv {
  return {
    ...process.env, TSLVS_RUN_DIR: dir, TSLVS_IPVSADM: STANDIN,
    TSLVS_IPVS_STATE: path.join(dir, `${name}.state.json`), TSLVS_IPVS_EXEC_LOG: path.join(dir, `${name}.execs.jsonl`),
  };
}

/** Bounded wait for a condition. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const messages = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'latin1').split('\n') : [])
  .filter(Boolean).map((l) => l.replace(/^\[[^\]]*\] /, ''));

interface Daemon {
  cfg: string;
  env: NodeJS.ProcessEnv;
  table(): Promise<string>;
  stop(): Promise<void>;
}

async function startDaemon(name: string, logfile: string, vip: string): Promise<Daemon> {
  const cfg = path.join(dir, `${name}.cf`);
  fs.writeFileSync(cfg, ['checkinterval=1', 'checktimeout=1', `logfile="${logfile}"`, '',
    `virtual=${vip}`, `\treal=127.0.0.1:${real.port} masq`, '\tservice=http', ''].join('\n'));
  configs.push(cfg);
  const env = envFor(name);
  const r = await execa(process.execPath, [TSLVS, cfg, 'start'], { env, reject: false, timeout: 30_000 });
  expect(r.exitCode).toBe(0);
  return {
    cfg, env,
    table: async () => (await execa(STANDIN, ['-S', '-n'], { env })).stdout,
    stop: async () => { await execa(process.execPath, [TSLVS, cfg, 'stop'], { env, reject: false, timeout: 30_000 }); },
  };
}

/** The outage: while the log cannot be written, the real fails and recovers; the table follows. */
async function outage(d: Daemon, vip: string): Promise<void> {
  const rs = `-a -t ${vip} -r 127.0.0.1:${real.port} -m -w 1`;
  await real.set('refuse');
  await until('the real leaving the table', async () => !(await d.table()).includes(rs));
  await real.set('up');
  await until('the real back in the table', async () => (await d.table()).includes(rs));
  await real.set('refuse');
  await until('the real leaving the table again', async () => !(await d.table()).includes(rs));
}

test('log directory removed while running: checks and table go on; the log says what it missed once it is back', async () => {
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir);
  const log = path.join(logDir, 'ldirectord.log');
  const vip = '127.0.0.220:80';
  await real.set('up');
  const d = await startDaemon('gone', log, vip);
  try {
    await until('Added real server', () => messages(log).some((m) => m.startsWith('Added real server')));
    fs.rmSync(logDir, { recursive: true });
    await outage(d, vip);
    expect(fs.existsSync(logDir)).toBe(false); // nothing recreated it behind the operator's back
    fs.mkdirSync(logDir);
    await real.set('up');
    await until('the recovery lines', () => messages(log).some((m) => m.startsWith('Added real server')));
    const after = messages(log);
    expect(after[0]).toMatch(new RegExp(`^Log file ${log} could not be written from .* `
      + '\\(No such file or directory\\): \\d+ lines went to standard error only$'));
    expect(Number(/: (\d+) lines/.exec(after[0]!)![1])).toBeGreaterThanOrEqual(2); // at least Deleted, Added
    expect(after).toContain(`Added real server: 127.0.0.1:${real.port} (${vip}) (Weight set to 1)`);
  } finally {
    await d.stop();
  }
  await until('the stop line', () => messages(log).at(-1) === 'Linux Director Daemon terminated on signal: TERM');
}, 90_000);

const mountProblem = (() => {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `mount -t tmpfs is not permitted here: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
})();
if (mountProblem !== undefined) console.warn(`log-disk: SKIPPING the full-disk test: ${mountProblem}`);

const fullDiskTest = mountProblem === undefined ? test : test.skip;
fullDiskTest('log on a full filesystem: checks and table go on; the log resumes when space returns', async () => {
  const logDir = path.join(dir, 'tiny');
  fs.mkdirSync(logDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', logDir]);
  mounts.push(logDir);
  const log = path.join(logDir, 'ldirectord.log');
  const vip = '127.0.0.221:80';
  await real.set('up');
  const d = await startDaemon('full', log, vip);
  try {
    await until('Added real server', () => messages(log).some((m) => m.startsWith('Added real server')));
    // tmpfs hands out whole pages: end the log on a page boundary (a padding line of the test's
    // own, while the daemon is quiet), then take every page left, so its next line needs a page.
    const PAGE = 4096;
    const slack = (PAGE - (fs.statSync(log).size % PAGE)) % PAGE;
    const padding = slack === 0 ? '' : `${'p'.repeat(slack - 1)}\n`;
    fs.appendFileSync(log, padding);
    const filler = path.join(logDir, 'filler');
    const fd = fs.openSync(filler, 'w');
    const block = Buffer.alloc(PAGE, 0x78);
    let full = false;
    try { for (let i = 0; i < 64; i++) fs.writeSync(fd, block); } catch (e) { full = (e as NodeJS.ErrnoException).code === 'ENOSPC'; }
    fs.closeSync(fd);
    expect(full).toBe(true);
    expect(fs.statSync(log).size % PAGE).toBe(0);
    const before = fs.statSync(log).size;
    await outage(d, vip);
    fs.rmSync(filler);
    await real.set('up');
    await until('the recovery lines', () => fs.readFileSync(log, 'latin1').slice(before).includes('Added real server'));
    const text = fs.readFileSync(log, 'latin1');
    const tail = text.slice(before).split('\n');
    const note = tail.findIndex((l) => / could not be written from /.test(l));
    expect(note).toBeGreaterThanOrEqual(0);
    expect(tail[note]).toMatch(new RegExp(`^\\[[^\\]]*\\|full\\.cf\\|\\d+\\] Log file ${log} could not be written from .* `
      + '\\(No space left on device\\): \\d+ lines? went to standard error only$'));
    expect(tail.slice(note + 1).map((l) => l.replace(/^\[[^\]]*\] /, '')))
      .toContain(`Added real server: 127.0.0.1:${real.port} (${vip}) (Weight set to 1)`);
    for (const l of text.split('\n').filter((x) => x !== '' && x !== padding.trimEnd())) expect(l.startsWith('[')).toBe(true);
  } finally {
    await d.stop();
  }
  await until('the stop line', () => messages(log).at(-1) === 'Linux Director Daemon terminated on signal: TERM');
}, 90_000);
