import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MonitorFiles, escapeMonitorMessage, monitorLine, monitorRealId } from '../../src/alerts/monitorfile.js';
import { parse } from '../config/helpers.js';
import { ldirectordAlerts } from './support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-monitor-'));
const at = new Date(2026, 10, 1, 9, 5, 3); // local time: Sun Nov  1 09:05:03 2026
const CTIME = 'Sun Nov  1 09:05:03 2026';

// An empty receive leaves a trailing ":" in the id, hence two spaces before "[up]".
test('exact lines for tcp, IPv6, fwmark and a real with its own request', async () => {
  const { virtuals } = await parse(`virtual = 10.0.0.1:80
	real = 10.0.0.2:80 gate
	service = http
virtual6 = [2001:db8::1]:443
	real6 = [2001:db8::2]:8443 masq 3
	service = https
	request = "/health?x=1"
	receive = "OK"
virtual = 5
	real = 10.0.0.3 gate
	real = 10.0.0.4 gate 1 "/a|b" "c:d"
`);
  const ids = virtuals.flatMap((v) => v.reals.map((r) => r.ldirectordId));
  expect(ids.map((id) => monitorLine(at, 4242, id, 'up', undefined))).toEqual([
    `[${CTIME}] [4242] negotiate http tcp 10.0.0.2 80 1 gate /  [up] -\n`,
    `[${CTIME}] [4242] negotiate https tcp [2001 db8 2] 8443 3 masq /health?x=1 OK [up] -\n`,
    `[${CTIME}] [4242] negotiate none fwm 10.0.0.3 0 1 gate /  [up] -\n`,
    `[${CTIME}] [4242] negotiate none fwm 10.0.0.4 0 1 gate /a|b c d [up] -\n`,
  ]);
  expect(monitorLine(at, 7, ids[0]!, 'down', 'Connection refused'))
    .toBe(`[${CTIME}] [7] negotiate http tcp 10.0.0.2 80 1 gate /  [down] Connection refused\n`);
});

test('each special character of the message is %xx (lowercase hex); others are kept', () => {
  expect(escapeMonitorMessage('%')).toBe('%25');
  expect(escapeMonitorMessage('|')).toBe('%7c');
  expect(escapeMonitorMessage('\r')).toBe('%0d');
  expect(escapeMonitorMessage('\n')).toBe('%0a');
  expect(escapeMonitorMessage('a%b|c\r\nd:e\\f\tg')).toBe('a%25b%7cc%0d%0ad:e\\f\tg');
  // "-" only when there is no message; an empty one stays empty, as in Perl.
  expect(monitorLine(at, 1, 'x', 'down', undefined)).toBe(`[${CTIME}] [1] x [down] -\n`);
  expect(monitorLine(at, 1, 'x', 'down', '')).toBe(`[${CTIME}] [1] x [down] \n`);
});

test('the real id: runs of ":" become one space, backslashes go, spaces stay', () => {
  expect(monitorRealId('a::b:::c')).toBe('a b c');
  expect(monitorRealId('x:\\/a\\ b: :y')).toBe('x /a b   y');
});

test('same bytes as ldirectord\'s service_set() for the same ids and messages', async () => {
  const cases = [
    { fields: { server: '10.0.0.1', port: 80 }, real: { server: '10.0.0.2', port: 80 }, state: 'down' as const, msg: 'a|b%c\r\nd' },
    { fields: { server: '[2001:db8::1]', port: 80, request: '/x y', receive: 'o:k' }, real: { server: '[2001:db8::2]', port: 80 }, state: 'up' as const },
    { fields: { protocol: 'fwm', fwm: 5, server: '', port: 0, checktype: 'external', checkcommand: '/bin/check' }, real: { server: '10.0.0.4', port: 0, request: '/a|b', receive: 'c' }, state: 'down' as const, msg: 'exit 2' },
  ];
  const ops = cases.map((c, i) => ({
    op: 'monitor' as const, fields: { ...c.fields, monitorfile: path.join(dir, `perl-${i}.log`) }, real: c.real,
    state: c.state, ...(c.msg !== undefined ? { msg: c.msg } : {}), localtime: CTIME,
  }));
  const perl = await ldirectordAlerts({}, ops);
  const monitor = new MonitorFiles({ pid: perl.pid, now: () => at, onError: (m) => { throw new Error(m); } });
  cases.forEach((c, i) => monitor.write(path.join(dir, `ours-${i}.log`), monitor.line(perl.ids[i]!, c.state, c.msg)));
  await monitor.flush();
  for (let i = 0; i < cases.length; i++) {
    const theirs = fs.readFileSync(path.join(dir, `perl-${i}.log`));
    expect(fs.readFileSync(path.join(dir, `ours-${i}.log`))).toEqual(theirs);
  }
  expect(fs.readFileSync(path.join(dir, 'perl-0.log'), 'latin1'))
    .toBe(`[${CTIME}] [${perl.pid}] negotiate http tcp 10.0.0.2 80 1 gate /  [down] a%7cb%25c%0d%0ad\n`);
});

test('appends in call order across many writes and files, as latin1 bytes, reopening each time', async () => {
  const a = path.join(dir, 'order-a.log');
  const b = path.join(dir, 'order-b.log');
  const monitor = new MonitorFiles({ pid: 9, now: () => at, onError: (m) => { throw new Error(m); } });
  for (let i = 0; i < 300; i++) monitor.write(i % 3 === 0 ? b : a, `${i}\n`);
  await monitor.flush();
  fs.renameSync(a, `${a}.1`); // logrotate: the next write creates a new file
  monitor.write(a, monitor.line('caf\u00e9:1', 'up', 'd\u00e9j\u00e0'));
  await monitor.flush();
  const expectA = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `${i}\n`).join('');
  const expectB = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => `${i}\n`).join('');
  expect(fs.readFileSync(`${a}.1`, 'latin1')).toBe(expectA);
  expect(fs.readFileSync(b, 'latin1')).toBe(expectB);
  expect(fs.readFileSync(a)).toEqual(Buffer.from(`[${CTIME}] [9] caf\u00e9 1 [up] d\u00e9j\u00e0\n`, 'latin1'));
  expect(fs.readFileSync(a).includes(0xc3)).toBe(false); // not UTF-8
});

test('an unwritable monitorfile is reported through onError, and later lines still go out', async () => {
  const errors: string[] = [];
  const monitor = new MonitorFiles({ onError: (m) => { errors.push(m); throw new Error('a careless handler'); } });
  const missing = path.join(dir, 'no', 'such', 'dir.log');
  const ok = path.join(dir, 'after-error.log');
  monitor.write(missing, 'x\n');
  monitor.write(dir, 'x\n');
  monitor.write(ok, 'y\n');
  await monitor.flush();
  expect(errors).toEqual([
    `Error writing to monitorfile '${missing}': No such file or directory`,
    `Error writing to monitorfile '${dir}': Is a directory`,
  ]);
  expect(fs.readFileSync(ok, 'latin1')).toBe('y\n');
});
