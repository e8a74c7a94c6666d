import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cfgnameOf, pidFilePath, readDaemonState, removeOwnPidFile, writePidFile } from '../../src/daemon/pidfile.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-pid-'));
const proc = { cmdline: (pid: string) => ({ '100': 'node\0/usr/bin/tslvs\0start\0', '200': '/usr/bin/perl\0-w\0/usr/sbin/ldirectord\0start\0', '300': '/usr/sbin/sshd\0' } as Record<string, string>)[pid] };

test('pid file name follows the config argument as given', () => {
  expect(cfgnameOf(undefined)).toBe('ldirectord');
  expect(cfgnameOf('ldirectord.cf')).toBe('ldirectord.cf');
  expect(cfgnameOf('/etc/ha.d/web.cf')).toBe('web.cf');
  expect(pidFilePath('web.cf', '/run')).toBe('/run/ldirectord.web.cf.pid');
});

test.each([
  ['no file', undefined, { state: 'stopped' }],
  ['empty file (ldirectord reads no pid: stopped, exit 3)', '', { state: 'stopped' }],
  ['a live tslvs', '100\n', { state: 'running', pid: 100 }],
  ['a live ldirectord', '200\n', { state: 'running', pid: 200 }],
  ['an unrelated live process', '300\n', { state: 'stale', pid: '300' }],
  ['a dead pid', '999999\n', { state: 'stale', pid: '999999' }],
  ['garbage', 'abc\n', { state: 'stale', pid: 'abc' }],
])('%s', (_name, content, expected) => {
  const file = path.join(dir, `state-${Math.random()}.pid`);
  if (content !== undefined) fs.writeFileSync(file, content);
  expect(readDaemonState(file, proc)).toEqual(expected);
});

test('the real /proc probe: a process that is neither tslvs nor ldirectord is stale', () => {
  const file = path.join(dir, 'self.pid');
  writePidFile(file, process.pid);
  expect(fs.readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
  // The jest worker's cmdline does not say tslvs or ldirectord, so the real probe calls it stale.
  expect(readDaemonState(file).state).toBe('stale');
});

test('removeOwnPidFile leaves another daemon\'s file alone', () => {
  const file = path.join(dir, 'other.pid');
  fs.writeFileSync(file, '12345\n');
  removeOwnPidFile(file, 777);
  expect(fs.existsSync(file)).toBe(true);
  removeOwnPidFile(file, 12345);
  expect(fs.existsSync(file)).toBe(false);
});
