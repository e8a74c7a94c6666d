// status / stop / reload / start against real ldirectord 4.12: the same config and the same
// pid-file states (running, stopped, stale: dead pid, unrelated live pid, empty file), and the
// same exit status, stdout, stderr, log lines and signal sent. Only $0 and pids differ.
// One deliberate difference is pinned below: a live process whose command line merely contains
// "ldirectord" (ldirectord's substring test) is not a daemon to tslvs, which leaves it alone.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');
const LDIRECTORD = '/usr/sbin/ldirectord';
const have = fs.existsSync(LDIRECTORD) && process.getuid?.() === 0;
if (!have) process.stdout.write('control-vs-ldirectord: skipped (needs root and /usr/sbin/ldirectord)\n');
const maybe = have ? describe : describe.skip;

type State = 'running' | 'stopped' | 'stale-dead' | 'stale-unrelated' | 'empty' | 'foreign-substring';

let dir: string;
let cfg: string;
let log: string;
let pidFile: string;
let fake: ChildProcess | undefined;
let signals: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-ctl-'));
  const name = `tslvs-ctl-${process.pid}.cf`;
  cfg = path.join(dir, name);
  log = path.join(dir, 'director.log');
  signals = path.join(dir, 'signals');
  fs.writeFileSync(cfg, `logfile="${log}"\ncheckinterval=5\n\nvirtual=127.0.0.1:80\n\treal=127.0.0.2:80 masq\n\tservice=http\n`);
  pidFile = `/var/run/ldirectord.${name}.pid`;
});

afterAll(() => {
  fake?.kill('SIGKILL');
  fs.rmSync(pidFile, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A process recording the signals it gets. As a daemon ("running"), its argv is a daemon's for
 * this config: `node DIR/ldirectord CFG start`. As a foreign process, it only has "ldirectord"
 * somewhere in its command line: `node -e SCRIPT fake-ldirectord-daemon`.
 */
async function startFake(asDaemon: boolean): Promise<number> {
  fs.rmSync(signals, { force: true });
  const script = `const fs=require('fs');for(const s of ['SIGHUP','SIGTERM'])process.on(s,()=>{fs.appendFileSync(${JSON.stringify(signals)},s+'\\n');if(s==='SIGTERM')process.exit(0)});setInterval(()=>{},1000);process.send('ready')`;
  const file = path.join(dir, 'ldirectord');
  fs.writeFileSync(file, script);
  const argv = asDaemon ? [file, cfg, 'start'] : ['-e', script, 'fake-ldirectord-daemon'];
  fake = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  await new Promise((r) => fake!.once('message', r));
  return fake.pid!;
}

async function setState(state: State): Promise<void> {
  fake?.kill('SIGKILL');
  fake = undefined;
  fs.rmSync(signals, { force: true });
  fs.rmSync(pidFile, { force: true });
  if (state === 'running') fs.writeFileSync(pidFile, `${await startFake(true)}\n`);
  if (state === 'foreign-substring') fs.writeFileSync(pidFile, `${await startFake(false)}\n`);
  if (state === 'stale-dead') fs.writeFileSync(pidFile, '4194300\n');
  if (state === 'stale-unrelated') fs.writeFileSync(pidFile, '1\n');
  if (state === 'empty') fs.writeFileSync(pidFile, '');
}

interface Observed { code: number; stdout: string; stderr: string; log: string[]; signals: string[] }

async function observe(program: 'ldirectord' | 'tslvs', state: State, args: string[]): Promise<Observed> {
  await setState(state);
  fs.writeFileSync(log, '');
  const [file, argv] = program === 'ldirectord' ? [LDIRECTORD, args] : [process.execPath, [TSLVS, ...args]];
  const env = { ...process.env };
  delete env.TSLVS_RUN_DIR;
  const r = await execa(file, argv, { reject: false, env, timeout: 30_000 });
  if (fake) await new Promise((res) => setTimeout(res, 300)); // let the fake record a signal
  const pid = fake?.pid;
  const norm = (t: string) => t.split(String(pid ?? 'none')).join('PID');
  return {
    code: r.exitCode ?? -1,
    stdout: norm(r.stdout),
    // Perl's own warnings (ldirectord reading an empty pid file) are not part of the contract.
    stderr: norm(r.stderr.split('\n').filter((l) => !/^Use of uninitialized value .* at \S+ line \d+\.$/.test(l)).join('\n')),
    log: fs.readFileSync(log, 'latin1').split('\n').filter(Boolean).map((l) =>
      norm(l.replace(/^\[[^\]|]+\|[^|]+\|\d+\] /, '').replace(/invoked as: \S+ /, 'invoked as: $0 '))),
    signals: fs.existsSync(signals) ? fs.readFileSync(signals, 'utf8').split('\n').filter(Boolean) : [],
  };
}

maybe('the control verbs match ldirectord', () => {
  const cases: Array<[string, State]> = [];
  for (const verb of ['status', 'stop', 'reload']) {
    for (const state of ['running', 'stopped', 'stale-dead', 'stale-unrelated', 'empty'] as State[]) cases.push([verb, state]);
  }
  cases.push(['start', 'running'], ['force-reload', 'running'], ['try-restart', 'stopped']);

  test.each(cases)('%s when %s', async (verb, state) => {
    const ld = await observe('ldirectord', state, [cfg, verb]);
    const ts = await observe('tslvs', state, [cfg, verb]);
    expect(ts).toEqual(ld);
    // The reverse argument order means the same to tslvs.
    if (verb !== 'status') return;
    const reversed = await observe('tslvs', state, [verb, cfg]);
    expect({ ...reversed, log: reversed.log.slice(1) }).toEqual({ ...ld, log: ld.log.slice(1) });
  }, 60_000);

  test('the observed contract, spelled out', async () => {
    const running = await observe('tslvs', 'running', [cfg, 'status']);
    expect(running).toMatchObject({ code: 0, stdout: '', stderr: `ldirectord for ${cfg} is running with pid: PID` });
    const stopped = await observe('tslvs', 'stopped', [cfg, 'status']);
    expect(stopped).toMatchObject({ code: 3, stdout: `ldirectord is stopped for ${cfg}`, stderr: '' });
    const stale = await observe('tslvs', 'stale-dead', [cfg, 'status']);
    expect(stale).toMatchObject({ code: 1, stdout: `ldirectord is stopped for ${cfg}`, stderr: `ldirectord stale pid file ${pidFile} for ${cfg}` });
    expect((await observe('tslvs', 'running', [cfg, 'stop'])).signals).toEqual(['SIGTERM']);
    expect((await observe('tslvs', 'running', [cfg, 'reload'])).signals).toEqual(['SIGHUP']);
    expect((await observe('tslvs', 'stopped', [cfg, 'reload'])).code).toBe(1);
  }, 60_000);

  test('deliberate: a live process whose command line merely contains "ldirectord" is not the daemon', async () => {
    // ldirectord: running, and stop/reload signal it.
    const ldStatus = await observe('ldirectord', 'foreign-substring', [cfg, 'status']);
    expect(ldStatus).toMatchObject({ code: 0, stderr: `ldirectord for ${cfg} is running with pid: PID` });
    expect((await observe('ldirectord', 'foreign-substring', [cfg, 'stop'])).signals).toEqual(['SIGTERM']);
    expect((await observe('ldirectord', 'foreign-substring', [cfg, 'reload'])).signals).toEqual(['SIGHUP']);
    // tslvs: exactly what ldirectord says of a stale pid file naming an unrelated process.
    for (const verb of ['status', 'stop', 'reload']) {
      const ld = await observe('ldirectord', 'stale-unrelated', [cfg, verb]);
      const ts = await observe('tslvs', 'foreign-substring', [cfg, verb]);
      expect({ ...ts, stderr: ts.stderr.replace('PID', '1') }).toEqual(ld);
      expect(fake!.exitCode).toBeNull();
    }
  }, 60_000);

  test('deliberate: a broken config does not stop status, stop or reload (ldirectord exits 2 and deletes the pid file)', async () => {
    const good = fs.readFileSync(cfg, 'latin1');
    fs.writeFileSync(cfg, `${good}\tbogus=1\n`);
    try {
      const ld = await observe('ldirectord', 'running', [cfg, 'status']);
      expect(ld.code).toBe(2);
      expect(fs.existsSync(pidFile)).toBe(false);
      const ts = await observe('tslvs', 'running', [cfg, 'status']);
      expect(ts.code).toBe(0);
      expect(ts.stderr).toBe(`ldirectord for ${cfg} is running with pid: PID`);
      expect(fs.existsSync(pidFile)).toBe(true);
      expect((await observe('tslvs', 'running', [cfg, 'reload'])).signals).toEqual(['SIGHUP']);
      expect((await observe('tslvs', 'running', [cfg, 'stop'])).signals).toEqual(['SIGTERM']);
    } finally {
      fs.writeFileSync(cfg, good);
    }
  }, 60_000);
});
