// Faults in the config file under autoreload (issue 11, point 1): a real tslvs daemon
// (`tslvs CONFIG start`, test/support/director.ts: private mount namespace, the ipvsadm
// stand-in) with loopback HTTP reals. The file is emptied, written in two parts, deleted, made
// unreadable, filled with garbage or stripped of its virtual services; each test asserts that the table
// never lost anything meanwhile, the log lines, and that the good file is applied again
// when it returns (autoreload stayed on). A HUP applies a file without virtual services.
import fs from 'node:fs';
import {
  EMPTY_KEPT, NO_VIRTUALS_APPLIED, NO_VIRTUALS_KEPT, QUIET_MS, missingFile, unreadableKept,
} from '../../src/daemon/config-reload.js';
import { Director, directorUnavailable, NS_LOG, sleep } from '../support/director.js';
import { RealServer } from '../support/director-reals.js';

const skip = directorUnavailable('tslvs');
const maybe = skip ? describe.skip : describe;
if (skip) console.warn(`config-reload faults skipped: ${skip}`);

const V1 = '127.0.0.200:80';
const V2 = '127.0.0.201:80';
const CFG = 'reload.cf';

let reals: RealServer[] = [];
let d: Director | undefined;

beforeAll(async () => {
  if (skip) return;
  reals = await Promise.all(['127.0.0.11', '127.0.0.12', '127.0.0.13'].map((h) => RealServer.start(h, 'up')));
});
afterAll(async () => {
  await Promise.all(reals.map((r) => r.close()));
});
afterEach(async () => {
  await d?.dispose();
  d = undefined;
});

function global(extra: string[] = []): string[] {
  return ['checkinterval=1', 'checktimeout=1', `logfile="${NS_LOG}"`, 'autoreload=yes', 'quiescent=no', ...extra];
}

function block(v: string, realLines: string[]): string[] {
  return [`virtual=${v}`, ...realLines.map((r) => `\treal=${r} masq`), '\tservice=http', '\trequest="/"', '\treceive="ok"', ''];
}

/** Two virtuals, one real each; `more` adds the third real to V2 (to see a reload applied). */
function config(more = false): string {
  const [a, b, c] = reals;
  return [...global(), '', ...block(V1, [a!.addr]), ...block(V2, more ? [b!.addr, c!.addr] : [b!.addr])].join('\n');
}

/** Log lines without their "[CTIME|CFG|PID] " prefix. */
function lines(): string[] {
  return d!.log().split('\n').filter(Boolean).map((l) => l.replace(/^\[[^\]]*\] /, ''));
}

async function waitLine(match: string | RegExp, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  const hit = () => lines().some((l) => (typeof match === 'string' ? l === match : match.test(l)));
  while (!hit()) {
    if (Date.now() > until) throw new Error(`no log line ${String(match)}:\n${lines().join('\n')}`);
    await sleep(100);
  }
}

async function startDaemon(): Promise<string> {
  d = await Director.create('tslvs', { cfgName: CFG });
  d.writeConfig(config());
  const r = await d.run('start');
  expect(r.exitCode).toBe(0);
  await waitLine(`Added real server: ${reals[1]!.addr} (${V2}) (Weight set to 1)`);
  await waitLine(`Added real server: ${reals[0]!.addr} (${V1}) (Weight set to 1)`);
  const table = d.tables().save;
  expect(table).toContain(`-a -t ${V1} -r ${reals[0]!.addr} -m -w 1`);
  expect(table).toContain(`-a -t ${V2} -r ${reals[1]!.addr} -m -w 1`);
  return table;
}

/** Run `during` while checking every 100 ms that the table is still `table`; returns any other tables seen. */
async function watchTable(table: string, during: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  let done = false;
  const watcher = (async () => {
    while (!done) {
      const now = d!.tables().save;
      if (now !== table) seen.push(now);
      await sleep(100);
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await watcher;
  }
  return seen;
}

/** The good file comes back with a third real: it is applied (autoreload is still on). */
async function expectRecovery(): Promise<void> {
  d!.writeConfig(config(true));
  await waitLine(`Added real server: ${reals[2]!.addr} (${V2}) (Weight set to 1)`);
  const table = d!.tables().save;
  for (const [v, r] of [[V1, reals[0]!], [V2, reals[1]!], [V2, reals[2]!]] as const) {
    expect(table).toContain(`-a -t ${v} -r ${r.addr} -m -w 1`);
  }
}

const losses = () => lines().filter((l) => /^(Deleted|Purged|Removed)/.test(l));

maybe('config file faults under autoreload', () => {
  test('an empty file (truncated for 1.5 s) is not applied; the restored file is', async () => {
    const table = await startDaemon();
    const changed = await watchTable(table, async () => {
      d!.writeConfig('');
      await waitLine(EMPTY_KEPT);
      await sleep(1500);
    });
    expect(changed).toEqual([]);
    expect(losses()).toEqual([]);
    const cfg = d!.cfgPath;
    const i = lines().indexOf(EMPTY_KEPT);
    expect(lines()[i - 1]).toBe(`Configuration file '${cfg}' has changed on disk`);
    // Logged once, not every round.
    expect(lines().filter((l) => l === EMPTY_KEPT)).toHaveLength(1);
    await expectRecovery();
    expect(losses()).toEqual([]);
  }, 90_000);

  test('a file written in two parts 0.5 s apart is read once, whole', async () => {
    const table = await startDaemon();
    const full = config(true);
    const cut = full.indexOf(`virtual=${V2}`);
    const changed = await watchTable(table, async () => {
      d!.writeConfig(full.slice(0, cut));
      const first = Date.now();
      await sleep(500);
      d!.writeConfig(full);
      // The point of the test: the second part came within the settle window (a starved test
      // process that slept much longer would be testing something else).
      expect(Date.now() - first).toBeLessThan(QUIET_MS);
      await waitLine(`Added real server: ${reals[2]!.addr} (${V2}) (Weight set to 1)`);
    });
    // Until the whole file was read, nothing changed; then only the new real was added.
    const whole = (t: string) => t.includes(`-a -t ${V2} -r ${reals[1]!.addr} -m -w 1`) && t.includes(`-a -t ${V1} -r ${reals[0]!.addr}`);
    expect(changed.filter((t) => !whole(t))).toEqual([]);
    expect(losses()).toEqual([]);
    expect(lines().filter((l) => l === ' - reread new configuration')).toHaveLength(1);
  }, 90_000);

  test('a deleted or unreadable file is logged once; the running configuration stays; its return is applied', async () => {
    const table = await startDaemon();
    const missing = missingFile(d!.cfgPath);
    const changed = await watchTable(table, async () => {
      fs.rmSync(d!.host(d!.cfgPath));
      await waitLine(missing);
      await sleep(2500); // several rounds: the line is not repeated
    });
    expect(changed).toEqual([]);
    expect(lines().filter((l) => l === missing)).toHaveLength(1);
    expect(losses()).toEqual([]);
    // Unreadable (a directory in its place): logged once, kept.
    const unreadable = unreadableKept('Is a directory');
    const still = await watchTable(table, async () => {
      fs.mkdirSync(d!.host(d!.cfgPath));
      await waitLine(unreadable);
      await sleep(1500);
      fs.rmdirSync(d!.host(d!.cfgPath));
    });
    expect(still).toEqual([]);
    expect(lines().filter((l) => l === unreadable)).toHaveLength(1);
    await expectRecovery();
    expect(losses()).toEqual([]);
  }, 90_000);

  test('garbage: a broken file and a file of blanks and comments are not applied', async () => {
    const table = await startDaemon();
    const changed = await watchTable(table, async () => {
      d!.writeConfig('\u0000\u00ff\u0001garbage = = =\n\treal=\n');
      await waitLine(/^Error \[\d+\] reading file \/run\/reload\.cf at line 1: Unknown command /);
      await waitLine('Reload failed: the running configuration is kept');
      d!.writeConfig('\n\n# nothing here yet\n   \n');
      await waitLine(NO_VIRTUALS_KEPT);
      await sleep(1500);
    });
    expect(changed).toEqual([]);
    expect(losses()).toEqual([]);
    await expectRecovery();
  }, 90_000);

  test('no virtual service: kept on autoreload, applied with a warning on HUP', async () => {
    const table = await startDaemon();
    const bare = [...global(), ''].join('\n');
    const changed = await watchTable(table, async () => {
      d!.writeConfig(bare);
      await waitLine(NO_VIRTUALS_KEPT);
      await sleep(1500);
    });
    expect(changed).toEqual([]);
    expect(losses()).toEqual([]);
    const i = lines().indexOf(NO_VIRTUALS_KEPT);
    expect(lines().slice(i - 2, i)).toEqual([`Configuration file '${d!.cfgPath}' has changed on disk`, ' - reread new configuration']);

    // The operator asks for it: the table is emptied, with a warning line first.
    const r = await d!.run('reload');
    expect(r.exitCode).toBe(0);
    await waitLine(`Purged virtual server (start): ${V2}`);
    await waitLine(`Purged virtual server (start): ${V1}`);
    const pid = d!.daemonPid();
    const raw = d!.log().split('\n');
    const warn = raw.findIndex((l) => l.endsWith(`] Warning [${pid}]: ${NO_VIRTUALS_APPLIED}`));
    expect(warn).toBeGreaterThan(raw.findIndex((l) => l.endsWith('] Reloading Linux Director Daemon config on signal')));
    expect(warn).toBeLessThan(raw.findIndex((l) => l.includes(`Purged virtual server (start): ${V1}`)));
    // ldirectord's line format: "[CTIME|CFGNAME|PID] message".
    const ctime = '\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}';
    expect(raw[warn]).toMatch(new RegExp(`^\\[${ctime}\\|${CFG.replace('.', '\\.')}\\|${pid}\\] Warning`));
    expect(d!.tables().save.trim()).toBe('');

    // The zero-virtual config says autoreload=yes: the good file is picked up again.
    d!.writeConfig(config(true));
    await waitLine(`Added real server: ${reals[2]!.addr} (${V2}) (Weight set to 1)`);
    await waitLine(`Added real server: ${reals[0]!.addr} (${V1}) (Weight set to 1)`);
  }, 90_000);
});
