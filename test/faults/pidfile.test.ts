// Faults around the pid file and start's temporary state, with real processes: stale pid files
// naming live foreign processes whose command lines contain the config name (status, start and
// stop must leave them alone), a symlink planted at the pid file's path, and $TMPDIR made
// hostile. The daemon runs on the ipvsadm stand-in in a private run directory.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');
const STANDIN = path.join(ROOT, 'test/fixtures/bin/ipvsadm');
const NAME = 'web.cf';

let dir: string;
let cfg: string;
let log: string;
let pidFile: string;
let env: NodeJS.ProcessEnv;
let real: RealServerStub;
const foreign: ChildProcess[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-fault-pid-'));
  real = await startRealServer('127.0.0.1');
  log = path.join(dir, 'tslvs.log');
  cfg = path.join(dir, NAME);
  fs.writeFileSync(cfg, `checkinterval=1\nchecktimeout=1\nlogfile="${log}"\n\n`
    + `virtual=127.0.0.200:80\n\treal=127.0.0.1:${real.port} masq\n\tservice=http\n`);
  pidFile = path.join(dir, `ldirectord.${NAME}.pid`);
  env = { ...process.env, TSLVS_RUN_DIR: dir, TSLVS_IPVSADM: STANDIN, TSLVS_IPVS_STATE: path.join(dir, 'state.json') };
});
afterEach(async () => {
  await stopDaemon();
  for (const p of foreign.splice(0)) p.kill('SIGKILL');
});
afterAll(async () => {
  await real.close();
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tslvs = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  execa(process.execPath, [TSLVS, ...args], { env: { ...env, ...extra }, reject: false, timeout: 30_000 });
const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

/** Stops a daemon this file started (by the pid in its pid file, if that is a tslvs daemon). */
async function stopDaemon(): Promise<void> {
  let pid = 0;
  try { pid = Number(fs.readFileSync(pidFile, 'latin1').split('\n')[0]); } catch { return; }
  const cmdline = pid > 0 ? fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0') : [];
  if (cmdline.includes(TSLVS)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) await sleep(100);
  }
  fs.rmSync(pidFile, { force: true });
}

async function spawnForeign(file: string, args: string[]): Promise<ChildProcess> {
  const p = spawn(file, args, { stdio: 'ignore' });
  foreign.push(p);
  await new Promise((r) => p.once('spawn', r));
  await sleep(200);
  return p;
}

describe('a stale pid file naming a live foreign process', () => {
  const cases: Array<[string, () => Promise<ChildProcess>, boolean]> = [
    // tail -f on a file whose path holds the config name and both program names.
    ['tail -f …/ldirectord-web.cf/tslvs.log', async () => {
      const sub = path.join(dir, `ldirectord-${NAME}`);
      fs.mkdirSync(sub, { recursive: true });
      fs.writeFileSync(path.join(sub, 'tslvs.log'), '');
      return spawnForeign('tail', ['-f', path.join(sub, 'tslvs.log')]);
    }, false],
    ['a shell whose one argument reads "tslvs web.cf start"', () => spawnForeign('sh', ['-c', `sleep 60; : tslvs ${cfg} start`]), false],
    // Argv of a tslvs daemon for this config, but not the process whose start the marker records:
    // a reused pid.
    ['a tslvs-like daemon that is not the one the start marker names', async () => {
      const fake = path.join(dir, 'tslvs.js');
      fs.writeFileSync(fake, 'setInterval(() => {}, 1000);\n');
      return spawnForeign(process.execPath, [fake, cfg, 'start']);
    }, true],
  ];

  test.each(cases)('%s: status says stale, stop leaves it alone, start starts', async (_name, make, reused) => {
    const p = await make();
    fs.writeFileSync(pidFile, `${p.pid}\n`);
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    if (reused) fs.writeFileSync(`${pidFile}.start`, `${p.pid} ${boot} 1\n`);

    const status = await tslvs([cfg, 'status']);
    expect({ code: status.exitCode, stdout: status.stdout, stderr: status.stderr }).toEqual({
      code: 1, stdout: `ldirectord is stopped for ${cfg}`, stderr: `ldirectord stale pid file ${pidFile} for ${cfg}`,
    });
    expect((await tslvs([cfg, 'stop'])).exitCode).toBe(0);
    await sleep(300);
    expect(alive(p)).toBe(true);
    expect(fs.readFileSync(pidFile, 'latin1')).toBe(`${p.pid}\n`);

    const start = await tslvs([cfg, 'start']);
    expect(start.exitCode).toBe(0);
    const pid = Number(fs.readFileSync(pidFile, 'latin1'));
    expect(pid).not.toBe(p.pid);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')).toEqual(expect.arrayContaining([TSLVS, cfg, 'start']));
    expect((await tslvs([cfg, 'status'])).stderr).toBe(`ldirectord for ${cfg} is running with pid: ${pid}`);
    expect((await tslvs([cfg, 'stop'])).exitCode).toBe(0);
    for (let i = 0; i < 100 && fs.existsSync(pidFile); i++) await sleep(100);
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(fs.existsSync(`${pidFile}.start`)).toBe(false);
    expect(alive(p)).toBe(true);
  }, 60_000);
});

test('a symlink planted at the pid file path: start refuses it, the target is untouched', async () => {
  const target = path.join(dir, 'precious');
  fs.writeFileSync(target, 'root-owned data\n');
  fs.symlinkSync(target, pidFile);
  try {
    fs.writeFileSync(log, '');
    const r = await tslvs([cfg, 'start']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`Can not open ${pidFile}: ${pidFile} is a symbolic link; refusing to write through it`);
    expect(fs.readFileSync(target, 'latin1')).toBe('root-owned data\n');
    expect(fs.lstatSync(pidFile).isSymbolicLink()).toBe(true);
    const lines = fs.readFileSync(log, 'latin1').split('\n').filter(Boolean).map((l) => l.replace(/^\[[^\]]*\] /, ''));
    expect(lines.slice(-2)).toEqual([`Can not open ${pidFile}`, 'Exiting with exit_status 1: Initialisation Error']);
    // Nor do status or stop follow it.
    fs.writeFileSync(target, `${process.pid}\n`);
    expect((await tslvs([cfg, 'status'])).exitCode).toBe(1);
    expect((await tslvs([cfg, 'stop'])).exitCode).toBe(0);
    expect(fs.readFileSync(target, 'latin1')).toBe(`${process.pid}\n`);
  } finally {
    fs.rmSync(pidFile, { force: true });
  }
}, 60_000);

test('start creates nothing in $TMPDIR: a hostile or broken $TMPDIR changes nothing', async () => {
  // A world-writable directory full of symlinks to a precious file, and a $TMPDIR that is a file.
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp, { mode: 0o1777 });
  const precious = path.join(dir, 'precious-2');
  fs.writeFileSync(precious, 'keep\n');
  for (let i = 0; i < 50; i++) fs.symlinkSync(precious, path.join(tmp, `tslvs-start-${process.pid + i}.err`));
  const before = fs.readdirSync(tmp).sort();
  const mtime = fs.statSync(tmp).mtimeMs;
  const r = await tslvs([cfg, 'start'], { TMPDIR: tmp });
  expect(r.exitCode).toBe(0);
  expect(fs.readdirSync(tmp).sort()).toEqual(before);
  expect(fs.statSync(tmp).mtimeMs).toBe(mtime);
  expect(fs.readFileSync(precious, 'latin1')).toBe('keep\n');
  await stopDaemon();

  const notADir = path.join(dir, 'not-a-dir');
  fs.writeFileSync(notADir, '');
  expect((await tslvs([cfg, 'start'], { TMPDIR: notADir })).exitCode).toBe(0);
}, 60_000);
