import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ctime } from '../../src/log/ctime.js';
import { createLogger } from '../../src/log/logger.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-log-'));
const fixed = () => new Date(2026, 10, 1, 9, 5, 3); // local time: Sun Nov  1 09:05:03 2026

test('ctime layout pads the day with a space, like Perl scalar(localtime)', () => {
  expect(ctime(fixed())).toBe('Sun Nov  1 09:05:03 2026');
  expect(ctime(new Date(2026, 10, 21, 23, 59, 9))).toBe('Sat Nov 21 23:59:09 2026');
});

test('log file: "[ctime|cfgname|pid] message", appended per line so a rotated file is recreated', async () => {
  const file = path.join(dir, 'ldirectord.log');
  const log = createLogger({ logfile: file, supervised: false, debug: false, cfgname: 'ldirectord.cf', pid: 4242, now: fixed });
  log.log('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)');
  await log.flush();
  fs.renameSync(file, `${file}.1`); // what logrotate does
  log.log('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n'); // trailing newline chomped, as ld_log does
  await log.flush();
  expect(fs.readFileSync(`${file}.1`, 'latin1')).toBe(
    '[Sun Nov  1 09:05:03 2026|ldirectord.cf|4242] Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)\n');
  expect(fs.readFileSync(file, 'latin1')).toBe(
    '[Sun Nov  1 09:05:03 2026|ldirectord.cf|4242] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n');
});

test('many lines keep their order', async () => {
  const file = path.join(dir, 'order.log');
  const log = createLogger({ logfile: file, supervised: false, debug: false, cfgname: 'x', pid: 1, now: fixed });
  for (let i = 0; i < 200; i++) log.log(`line ${i}`);
  await log.flush();
  const lines = fs.readFileSync(file, 'latin1').trim().split('\n');
  expect(lines.map((l) => l.replace(/^\[[^\]]*\] /, ''))).toEqual(Array.from({ length: 200 }, (_, i) => `line ${i}`));
});

test('an unwritable log file sends the message to stderr', async () => {
  let err = '';
  const log = createLogger({ logfile: path.join(dir, 'no/such/dir.log'), supervised: false, debug: false, cfgname: 'x', stderr: (t) => { err += t; } });
  log.log('Exiting with exit_status 1: x');
  await log.flush();
  expect(err).toBe('Exiting with exit_status 1: x\n');
});

test('supervised: "[ctime] message" on stdout', () => {
  let out = '';
  const log = createLogger({ logfile: '/unused', supervised: true, debug: false, cfgname: 'x', now: fixed, stdout: (t) => { out += t; } });
  log.log('Starting Linux Director v1.186-ha with pid: 7');
  expect(out).toBe('[Sun Nov  1 09:05:03 2026] Starting Linux Director v1.186-ha with pid: 7\n');
});

test('-d: the message once on stderr (no "DEBUG2:" echo); debug() only in debug mode', () => {
  let err = '';
  const log = createLogger({ logfile: '/unused', supervised: true, debug: true, cfgname: 'x', stderr: (t) => { err += t; } });
  log.log('Added virtual server: 10.0.0.1:80');
  log.debug(3, 'Checking negotiate');
  expect(err).toBe('Added virtual server: 10.0.0.1:80\nDEBUG3: Checking negotiate\n');
  let quiet = '';
  const normal = createLogger({ logfile: '/unused', supervised: true, debug: false, cfgname: 'x', stdout: () => {}, stderr: (t) => { quiet += t; } });
  normal.debug(2, 'hidden');
  expect(quiet).toBe('');
});

test('a facility name logs through syslog with ident ldirectord and the pid', async () => {
  const recorder = path.join(dir, 'fake-logger');
  const record = path.join(dir, 'logger-argv');
  fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$@" >> ${record}\n`, { mode: 0o755 });
  const log = createLogger({ logfile: 'local0', supervised: false, debug: false, cfgname: 'x', pid: 99, loggerCommand: recorder });
  log.log('Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)');
  await log.flush();
  expect(fs.readFileSync(record, 'utf8').split('\n')).toEqual([
    '-t', 'ldirectord', '--id=99', '-p', 'local0.info', '--', 'Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', '',
  ]);
});
