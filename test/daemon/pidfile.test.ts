import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cfgnameOf, markerPath, pidFilePath, readDaemonState, removeOwnPidFile, writePidFile } from '../../src/daemon/pidfile.js';
import { isDaemonFor, procfs } from '../../src/daemon/process-identity.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-pid-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const argvs: Record<string, string[]> = {
  '100': ['/usr/bin/node', '--max-old-space-size=513', '/usr/lib/node_modules/tslvs/bin/tslvs.js', '/etc/ha.d/web.cf', 'start'],
  '200': ['/usr/bin/perl', '-w', '/usr/sbin/ldirectord', 'web.cf', 'start'],
  '300': ['/usr/sbin/sshd'],
  '400': ['tail', '-f', '/var/log/ldirectord.log', 'web.cf', 'start'],
  '500': ['/usr/bin/node', '/usr/bin/tslvs', 'other.cf', 'start'],
  '600': ['vim', '/etc/ha.d/web.cf'],
};
const proc = { cmdline: (pid: string) => argvs[pid], startTicks: () => '1000', bootId: () => 'boot-a' };

test('pid file name follows the config argument as given', () => {
  expect(cfgnameOf(undefined)).toBe('ldirectord');
  expect(cfgnameOf('ldirectord.cf')).toBe('ldirectord.cf');
  expect(cfgnameOf('/etc/ha.d/web.cf')).toBe('web.cf');
  expect(pidFilePath('web.cf', '/run')).toBe('/run/ldirectord.web.cf.pid');
});

test.each([
  ['no file', undefined, { state: 'stopped' }],
  ['empty file (ldirectord reads no pid: stopped, exit 3)', '', { state: 'stopped' }],
  ['a live tslvs for this config', '100\n', { state: 'running', pid: 100 }],
  ['a live ldirectord for this config', '200\n', { state: 'running', pid: 200 }],
  ['an unrelated live process', '300\n', { state: 'stale', pid: '300' }],
  ['a process whose command line merely contains the names', '400\n', { state: 'stale', pid: '400' }],
  ['a tslvs daemon for another config', '500\n', { state: 'stale', pid: '500' }],
  ['an editor on the config', '600\n', { state: 'stale', pid: '600' }],
  ['a dead pid', '999999\n', { state: 'stale', pid: '999999' }],
  ['garbage', 'abc\n', { state: 'stale', pid: 'abc' }],
])('%s', (_name, content, expected) => {
  const file = path.join(dir, `state-${Math.random()}.pid`);
  if (content !== undefined) fs.writeFileSync(file, content);
  expect(readDaemonState(file, 'web.cf', proc)).toEqual(expected);
});

test.each([
  [['node', '/x/bin/tslvs.js', 'web.cf', 'start'], 'web.cf', true],
  [['node', '/x/bin/tslvs.js', 'start', '/etc/ha.d/web.cf'], 'web.cf', true],
  [['node', '/x/bin/tslvs.js', '-d', '--dry-run', '--', 'web.cf', 'restart'], 'web.cf', true],
  [['/usr/local/bin/tslvs', 'start'], 'ldirectord', true],
  [['node', '--require', '/x/hook.js', '/x/bin/tslvs.js', 'web.cf', 'start'], 'web.cf', true],
  [['node', '-p', '1', '/x/bin/tslvs.js', 'web.cf', 'start'], 'web.cf', false],
  [['node', '/x/other.js', '/x/bin/tslvs.js', 'web.cf', 'start'], 'web.cf', false],
  [['node', '/x/bin/tslvs.js', 'web.cf', 'stop'], 'web.cf', false],
  [['node', '/x/bin/tslvs.js', 'web.cf', 'status'], 'web.cf', false],
  [['node', '-e', 'x', 'ldirectord', 'web.cf', 'start'], 'web.cf', false],
  [['node', '/x/not-tslvs.js', 'web.cf', 'start'], 'web.cf', false],
  [['bash', '-c', 'tslvs web.cf start'], 'web.cf', false],
  [['node', '/x/bin/tslvs.js', 'web.cf', 'start', 'extra'], 'web.cf', false],
])('isDaemonFor(%j, %s) = %s', (argv, cfgname, expected) => {
  expect(isDaemonFor(argv, cfgname)).toBe(expected);
});

test('the start marker: a daemon-like process that is not the one that wrote it is stale (pid reuse)', () => {
  const file = path.join(dir, 'reuse.pid');
  fs.writeFileSync(file, '100\n');
  const marker = markerPath(file);
  expect(marker).toBe(`${file}.start`);
  fs.writeFileSync(marker, '100 boot-a 1000\n');
  expect(readDaemonState(file, 'web.cf', proc)).toEqual({ state: 'running', pid: 100 });
  fs.writeFileSync(marker, '100 boot-a 999\n'); // another process had this pid then
  expect(readDaemonState(file, 'web.cf', proc)).toEqual({ state: 'stale', pid: '100' });
  fs.writeFileSync(marker, '100 boot-b 1000\n'); // written before a reboot
  expect(readDaemonState(file, 'web.cf', proc)).toEqual({ state: 'stale', pid: '100' });
  fs.writeFileSync(marker, '555 boot-a 1\n'); // a marker for another pid: argv decides (ldirectord writes none)
  expect(readDaemonState(file, 'web.cf', proc)).toEqual({ state: 'running', pid: 100 });
  // Clock steps do not matter: nothing here is a wall-clock time.
  const t = Date.now() / 1000 - 86_400;
  fs.utimesSync(file, t, t);
  fs.writeFileSync(marker, '100 boot-a 1000\n');
  expect(readDaemonState(file, 'web.cf', proc)).toEqual({ state: 'running', pid: 100 });
});

test('the real /proc probe: argv split at NULs and a start time near now for a fresh child', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    const pid = String(child.pid);
    expect(procfs.cmdline(pid)).toEqual(['sleep', '30']);
    expect(procfs.startTicks(pid)).toMatch(/^\d+$/);
    expect(procfs.startTicks(pid)).not.toBe(procfs.startTicks(String(process.pid)));
    expect(procfs.bootId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(procfs.cmdline('4194300')).toBeUndefined();
  } finally {
    child.kill('SIGKILL');
  }
});

test('the real /proc probe: a process that is neither tslvs nor ldirectord is stale', () => {
  const file = path.join(dir, 'self.pid');
  writePidFile(file, process.pid);
  expect(fs.readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
  expect(readDaemonState(file, 'web.cf').state).toBe('stale');
});

test('writePidFile: content exactly "PID\\n" (or empty), mode 0644, its start marker beside it, no temp file left', () => {
  const sub = fs.mkdtempSync(path.join(dir, 'w-'));
  const file = path.join(sub, 'ldirectord.web.cf.pid');
  writePidFile(file, null);
  expect(fs.readFileSync(file, 'latin1')).toBe('');
  expect(fs.readdirSync(sub)).toEqual(['ldirectord.web.cf.pid']);
  writePidFile(file, process.pid);
  expect(fs.readFileSync(file, 'latin1')).toBe(`${process.pid}\n`);
  expect(fs.statSync(file).mode & 0o777).toBe(0o644);
  expect(fs.readFileSync(markerPath(file), 'latin1')).toBe(`${process.pid} ${procfs.bootId()} ${procfs.startTicks(String(process.pid))}\n`);
  expect(fs.readdirSync(sub).sort()).toEqual(['ldirectord.web.cf.pid', 'ldirectord.web.cf.pid.start']);
  // Truncating for a new start drops the marker; removing our file removes it too.
  writePidFile(file, null);
  expect(fs.readdirSync(sub)).toEqual(['ldirectord.web.cf.pid']);
  writePidFile(file, process.pid);
  removeOwnPidFile(file, process.pid);
  expect(fs.readdirSync(sub)).toEqual([]);
});

test('writePidFile refuses a symlink planted at the pid file path; the target is untouched', () => {
  const target = path.join(dir, 'precious');
  fs.writeFileSync(target, 'keep me\n');
  const file = path.join(dir, 'ldirectord.link.cf.pid');
  fs.symlinkSync(target, file);
  expect(() => writePidFile(file, 1234)).toThrow(/symbolic link/);
  expect(fs.readFileSync(target, 'latin1')).toBe('keep me\n');
  expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
  // Nor does a symlink count as a pid file naming anyone, nor does removing "our" file follow it.
  fs.writeFileSync(target, `${process.pid}\n`);
  const ours = { cmdline: () => ['node', 'tslvs.js', 'link.cf', 'start'], startTicks: () => '1', bootId: () => 'b' };
  expect(readDaemonState(file, 'link.cf', ours).state).toBe('stale');
  removeOwnPidFile(file, process.pid);
  expect(fs.readFileSync(target, 'latin1')).toBe(`${process.pid}\n`);
});

test('removeOwnPidFile leaves another daemon\'s file alone', () => {
  const file = path.join(dir, 'other.pid');
  fs.writeFileSync(file, '12345\n');
  removeOwnPidFile(file, 777);
  expect(fs.existsSync(file)).toBe(true);
  removeOwnPidFile(file, 12345);
  expect(fs.existsSync(file)).toBe(false);
});
