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
  const log = createLogger({ logfile: path.join(dir, 'no/such/dir.log'), supervised: false, debug: false, cfgname: 'x',
    stderr: (t) => { err += t; }, loggerCommand: '/bin/true' });
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

test('-d: each line once on stderr (no "DEBUG2: " echo of log lines); debug() only in debug mode', () => {
  let err = '';
  let out = '';
  const log = createLogger({ logfile: '/unused', supervised: true, debug: true, cfgname: 'x',
    stderr: (t) => { err += t; }, stdout: (t) => { out += t; } });
  log.log('Added virtual server: 10.0.0.1:80');
  log.log('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n');
  log.debug(2, 'Checking negotiate');
  log.debug(3, 'Deactivated service 10.0.0.2:80: refused');
  expect(err).toBe('Added virtual server: 10.0.0.1:80\nDeleted real server: 10.0.0.2:80 (10.0.0.1:80)\n'
    + 'DEBUG2: Checking negotiate\nDEBUG3: Deactivated service 10.0.0.2:80: refused\n');
  expect(out).toBe('');
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

describe('a log file that cannot be written for a while', () => {
  const recorderIn = (d: string) => {
    const recorder = path.join(d, 'fake-logger');
    const out = path.join(d, 'syslog');
    fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s|' "$@" >> ${out}\necho >> ${out}\n`, { mode: 0o755 });
    return recorder;
  };
  const syslogOf = async (d: string) => {
    const file = path.join(d, 'syslog');
    const until = Date.now() + 5000; // the notice is not waited for
    while (!fs.existsSync(file) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };

  test('directory removed: lines go to stderr, syslog hears of it once, the file says what it missed when it is back', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-log-gone-'));
    const logDir = path.join(base, 'logs');
    fs.mkdirSync(logDir);
    const file = path.join(logDir, 'ldirectord.log');
    let err = '';
    let clock = fixed();
    const log = createLogger({ logfile: file, supervised: false, debug: false, cfgname: 'l.cf', pid: 7, now: () => clock,
      stderr: (t) => { err += t; }, loggerCommand: recorderIn(base) });
    log.log('before');
    await log.flush();
    fs.rmSync(logDir, { recursive: true });
    log.log('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)');
    log.log('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)');
    await log.flush();
    expect(err).toBe('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\nAdded real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)\n');
    expect(await syslogOf(base)).toEqual([
      `-t|ldirectord|--id=7|-p|daemon.err|--|Can not write log file ${file}: No such file or directory `
        + '(lines go to standard error until it can)|']);
    fs.mkdirSync(logDir);
    clock = new Date(2026, 10, 1, 9, 6, 0);
    log.log('after');
    log.log('after 2');
    await log.flush();
    expect(fs.readFileSync(file, 'latin1')).toBe(
      `[Sun Nov  1 09:06:00 2026|l.cf|7] Log file ${file} could not be written from Sun Nov  1 09:05:03 2026 `
      + '(No such file or directory): 2 lines went to standard error only\n'
      + '[Sun Nov  1 09:06:00 2026|l.cf|7] after\n[Sun Nov  1 09:06:00 2026|l.cf|7] after 2\n');
    expect(err.split('\n')).not.toContain('after');
    expect(await syslogOf(base)).toHaveLength(1);
  });

  test('a line cut short by the failure: the next line starts on a fresh line', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-log-cut-'));
    const file = path.join(base, 'ldirectord.log');
    fs.writeFileSync(file, '[Sun Nov  1 09:05:03 2026|x|1] half a li');
    fs.chmodSync(base, 0o755);
    // A directory where the file should be makes the first append fail; removing it ends the outage.
    const blocked = path.join(base, 'blocked.log');
    fs.mkdirSync(blocked);
    let err = '';
    const log = createLogger({ logfile: blocked, supervised: false, debug: false, cfgname: 'x', pid: 1, now: fixed,
      stderr: (t) => { err += t; }, loggerCommand: recorderIn(base) });
    log.log('lost');
    await log.flush();
    expect(err).toBe('lost\n');
    fs.rmdirSync(blocked);
    fs.renameSync(file, blocked);
    log.log('back');
    await log.flush();
    expect(fs.readFileSync(blocked, 'latin1').split('\n')).toEqual([
      '[Sun Nov  1 09:05:03 2026|x|1] half a li',
      `[Sun Nov  1 09:05:03 2026|x|1] Log file ${blocked} could not be written from Sun Nov  1 09:05:03 2026 (Is a directory): `
        + '1 line went to standard error only',
      '[Sun Nov  1 09:05:03 2026|x|1] back',
      '',
    ]);
  });
});

describe('the last guard: one message is one line, with no secret in it', () => {
  // A CR/LF from a config value (an emailalert subject, a request string) would otherwise write a
  // second, forged line; a URL password or passwd=… that slipped past a caller is masked here.
  const forged = 'emailalert: Subject\r\n[Sun Nov  1 09:05:03 2026|x|1] Restored real server: 6.6.6.6:80\n\nend\n';
  const oneLine = 'emailalert: Subject [Sun Nov  1 09:05:03 2026|x|1] Restored real server: 6.6.6.6:80 end';
  const secret = 'Deactivated http://u:hunter2@127.0.0.1/ passwd=hunter2';
  const masked = 'Deactivated http://u:***@127.0.0.1/ passwd=***';

  test('supervised and -d: CR/LF runs become one space, the trailing newline is the logger\'s own', () => {
    let out = '';
    let err = '';
    const sup = createLogger({ logfile: '/unused', supervised: true, debug: false, cfgname: 'x', now: fixed, stdout: (t) => { out += t; } });
    sup.log(forged);
    sup.log(secret);
    expect(out).toBe(`[Sun Nov  1 09:05:03 2026] ${oneLine}\n[Sun Nov  1 09:05:03 2026] ${masked}\n`);
    const dbg = createLogger({ logfile: '/unused', supervised: true, debug: true, cfgname: 'x', stderr: (t) => { err += t; } });
    dbg.log(forged);
    dbg.debug(2, `email alert: ${secret}\r\nsecond`);
    expect(err).toBe(`${oneLine}\nDEBUG2: email alert: ${masked} second\n`);
  });

  test('log file and syslog: one line each, redacted', async () => {
    const file = path.join(dir, 'guard.log');
    const log = createLogger({ logfile: file, supervised: false, debug: false, cfgname: 'x', pid: 1, now: fixed });
    log.log(forged);
    log.log(secret);
    await log.flush();
    expect(fs.readFileSync(file, 'latin1')).toBe(`[Sun Nov  1 09:05:03 2026|x|1] ${oneLine}\n[Sun Nov  1 09:05:03 2026|x|1] ${masked}\n`);
    const recorder = path.join(dir, 'fake-logger-guard');
    const record = path.join(dir, 'logger-argv-guard');
    fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s|' "$@" >> ${record}\necho >> ${record}\n`, { mode: 0o755 });
    const sys = createLogger({ logfile: 'local0', supervised: false, debug: false, cfgname: 'x', pid: 99, loggerCommand: recorder });
    sys.log(forged);
    sys.log(secret);
    await sys.flush();
    expect(fs.readFileSync(record, 'utf8')).toBe(
      `-t|ldirectord|--id=99|-p|local0.info|--|${oneLine}|\n-t|ldirectord|--id=99|-p|local0.info|--|${masked}|\n`);
  });
});
