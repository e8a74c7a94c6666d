// Fault injection: kill -9 of a running tslvs daemon, then `start` again. The stale pid file
// must not stop the start; the new daemon adopts the table as it is (zero ipvsadm writes,
// counted through the stand-in's exec log) and logs no transition twice. A kill during a write
// is made deterministic by an ipvsadm wrapper that holds every write until the test says go.
import fs from 'node:fs';
import path from 'node:path';
import { FaultDaemon, alive, sleep } from '../support/fault-daemon.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const V = '127.0.0.200:80';
const W = '127.0.0.201:80';
let a: RealServerStub;
let b: RealServerStub;
let c: RealServerStub;
const daemons: FaultDaemon[] = [];

beforeAll(async () => {
  [a, b, c] = await Promise.all([startRealServer(), startRealServer(), startRealServer()]);
});
afterAll(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.dispose()));
  await Promise.all([a, b, c].map((s) => s.close()));
});
beforeEach(async () => { await Promise.all([a, b, c].map((s) => s.set('up'))); });

const R = (s: RealServerStub) => `127.0.0.1:${s.port}`;
const row = (v: string, s: RealServerStub, w = 1) => `-a -t ${v} -r ${R(s)} -m -w ${w}`;
const isWrite = (stdin: string | null) => (stdin ?? '').split('\n').some((l) => /^-[AEDaedC]( |$)/.test(l));
const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

async function running(name: string): Promise<FaultDaemon> {
  const d = new FaultDaemon(name);
  daemons.push(d);
  d.setMode('ok');
  d.writeConfig(['checkinterval=1', 'checktimeout=1', 'quiescent=no', 'autoreload=no'], [
    `virtual=${V}`, `\treal=${R(a)} masq 2`, `\treal=${R(b)} masq`, `\treal=${R(c)} masq 3`, '\tservice=http', '\treceive="OK"', '',
    `virtual=${W}`, `\treal=${R(a)} masq`, '\tservice=http', '\tscheduler=rr',
  ]);
  await d.start();
  await d.until('four reals added', () => count(d.lines(), /^Added real server/) === 4);
  return d;
}

/** Kill -9 and wait until the process is gone; the pid file stays behind. */
async function kill9(d: FaultDaemon): Promise<number> {
  const pid = d.pid()!;
  d.kill9();
  await d.until('killed daemon gone', () => !alive(pid), 10_000);
  expect(fs.readFileSync(d.pidFile, 'utf8').trim()).toBe(String(pid));
  return pid;
}

test('kill -9 with a populated table, start again: stale pid file replaced, table adopted with zero writes, no line twice', async () => {
  const d = await running('kill9');
  const table = await d.table();
  expect(table).toEqual([`-A -t ${V} -s wrr`, `-A -t ${W} -s rr`, row(V, a, 2), row(V, b), row(V, c, 3), row(W, a)].sort());
  const old = await kill9(d);
  const status = await d.tslvs(d.cfg, 'status');
  expect(status.exitCode).not.toBe(0);

  const execsBefore = d.execs().length;
  const linesBefore = d.lines().length;
  const pid = await d.start();
  expect(pid).not.toBe(old);
  expect(fs.readFileSync(d.pidFile, 'utf8').trim()).toBe(String(pid));
  // Several rounds of the new daemon: each lists the table; none writes.
  await d.until('four rounds of the new daemon', () => d.execs().length >= execsBefore + 4);
  const after = d.execs().slice(execsBefore);
  expect(after.filter((e) => isWrite(e.stdin))).toEqual([]);
  expect(await d.table()).toEqual(table);
  // The new daemon's lines: invocation and start-up only, no transition repeated.
  const fresh = d.lines().slice(linesBefore);
  expect(fresh.filter((l) => !/^(Invoking ldirectord invoked as: |Starting Linux Director )/.test(l))).toEqual([]);
  const all = d.lines();
  for (const l of all.filter((x) => /^Added (real|virtual) server/.test(x))) expect([l, all.filter((x) => x === l).length]).toEqual([l, 1]);

  // And it is a working daemon: a change is applied once, with its line.
  await b.set('refuse');
  await d.waitFor(new RegExp(`^Deleted real server: ${R(b)} \\(${V}\\)$`));
  expect(await d.table()).toEqual(table.filter((l) => l !== row(V, b)));
  expect((await d.tslvs(d.cfg, 'status')).exitCode).toBe(0);
}, 60_000);

test('kill -9 during a write, the write completing after the daemon died: the restart writes nothing', async () => {
  const d = await running('kill9-write-done');
  d.setMode('hold-writes');
  await b.set('refuse');
  await d.until('the delete of b is being written', () => fs.existsSync(path.join(d.dir, 'writing')));
  await kill9(d);
  // The daemon died before the write returned: no line for it.
  expect(count(d.lines(), /^Deleted real server/)).toBe(0);
  expect(await d.table()).toContain(row(V, b));
  // The orphaned ipvsadm finishes on its own.
  const done = d.execs().length;
  d.setMode('ok');
  fs.writeFileSync(path.join(d.dir, 'go'), '');
  await d.until('the held write ran', () => d.execs().length > done);
  expect(await d.table()).not.toContain(row(V, b));

  const execsBefore = d.execs().length;
  const linesBefore = d.lines().length;
  await d.start();
  await d.until('four rounds of the new daemon', () => d.execs().length >= execsBefore + 4);
  expect(d.execs().slice(execsBefore).filter((e) => isWrite(e.stdin))).toEqual([]);
  expect(d.lines().slice(linesBefore).filter((l) => !/^(Invoking ldirectord invoked as: |Starting Linux Director )/.test(l))).toEqual([]);
  expect(await d.table()).toEqual([`-A -t ${V} -s wrr`, `-A -t ${W} -s rr`, row(V, a, 2), row(V, c, 3), row(W, a)].sort());
}, 60_000);

test('kill -9 during a write that never lands before the restart: the new daemon does it, once, with its line', async () => {
  const d = await running('kill9-write-held');
  d.setMode('hold-writes');
  await b.set('refuse');
  await d.until('the delete of b is being written', () => fs.existsSync(path.join(d.dir, 'writing')));
  await kill9(d);
  expect(await d.table()).toContain(row(V, b));
  // Restart while the orphaned write is still held: the new daemon's own calls go through.
  d.setMode('ok');
  await d.start();
  const lines = await d.waitFor(new RegExp(`^Deleted real server: ${R(b)} \\(${V}\\)$`));
  expect(count(lines, /^Deleted real server/)).toBe(1);
  expect(await d.table()).toEqual([`-A -t ${V} -s wrr`, `-A -t ${W} -s rr`, row(V, a, 2), row(V, c, 3), row(W, a)].sort());
  // The stale write lands late (its delete finds nothing to delete): the table stays right.
  const held = d.execs().length;
  fs.writeFileSync(path.join(d.dir, 'go'), '');
  await d.until('the held write ran', () => d.execs().some((e, i) => i >= held && isWrite(e.stdin)), 15_000);
  await sleep(2500);
  expect(await d.table()).toEqual([`-A -t ${V} -s wrr`, `-A -t ${W} -s rr`, row(V, a, 2), row(V, c, 3), row(W, a)].sort());
  expect(count(d.lines(), /^(Deleted|Added) real server: /)).toBe(4 + 1);
}, 60_000);
