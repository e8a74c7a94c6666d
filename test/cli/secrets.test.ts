// A config full of secrets, and every output tslvs makes of it grepped for them: `validate`
// (text and --json), config errors (a mistyped "pasword=" line) at validate, at start and in the
// log on reload, the monitorfile and the log of a daemon run on the simulated table
// (TSLVS_BACKEND=sim) against real loopback servers. One redaction (src/log/redact.ts) serves all.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';
import { freeUdpPort } from '../support/daemon.js';
import { freePort } from '../support/net.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');

// Every secret carries this marker: no output may contain it.
const MARK = /S3cr3t/i;
const URL_PW = 'Url-S3cr3t-9';
const PASSWD = 'Pw-S3cr3t-1';
const SECRET = 'Sh4red-S3cr3t';
const TYPO = 'Typo-S3cr3t';

let dir: string;
let web: RealServerStub;
let env: NodeJS.ProcessEnv;
let good: string;
let bad: string;
let log: string;
let monitor: string;

function config(typo: boolean, webPort: number, ftpPort: number, radiusPort: number): string {
  return [
    'checkinterval=1', 'checktimeout=1', 'negotiatetimeout=1', `logfile="${log}"`, 'quiescent=no', '',
    'virtual=127.0.0.200:80', `\treal=127.0.0.1:${webPort} masq "http://user:${URL_PW}@127.0.0.1:${webPort}/health?password=${URL_PW}", "never"`,
    '\tservice=http', `\tmonitorfile="${monitor}"`, '',
    'virtual=127.0.0.200:21', `\treal=127.0.0.1:${ftpPort} masq`, '\tservice=ftp', '\tlogin="probe"', `\tpasswd="${PASSWD}"`,
    `\trequest="ftp://probe:${URL_PW}@127.0.0.1/"`, `\tmonitorfile="${monitor}"`,
    ...(typo ? [`\tpasword=${TYPO}`] : []), '',
    'virtual=127.0.0.200:1812', '\tprotocol=udp', `\treal=127.0.0.1:${radiusPort} masq`, '\tservice=radius', '\tlogin="probe"',
    `\tpasswd="${PASSWD}"`, `\tsecret="${SECRET}"`, `\tmonitorfile="${monitor}"`, '',
  ].join('\n');
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-secrets-'));
  log = path.join(dir, 'tslvs.log');
  monitor = path.join(dir, 'monitor.log');
  web = await startRealServer('127.0.0.1');
  const [ftpPort, radiusPort] = [await freePort(), await freeUdpPort()];
  good = path.join(dir, 'secrets.cf');
  bad = path.join(dir, 'typo.cf');
  fs.writeFileSync(good, config(false, web.port, ftpPort, radiusPort));
  fs.writeFileSync(bad, config(true, web.port, ftpPort, radiusPort));
  env = { ...process.env, TSLVS_RUN_DIR: dir, TSLVS_BACKEND: 'sim' };
  delete env.NODE_OPTIONS;
});
afterAll(async () => {
  const pidFile = path.join(dir, 'ldirectord.secrets.cf.pid');
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
  if (pid > 0) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  await web.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tslvs = (...args: string[]) => execa(process.execPath, [TSLVS, ...args], { env, reject: false, timeout: 30_000 });
const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '');

async function waitFor(what: () => string, re: RegExp, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const text = what();
    if (re.test(text)) return text;
    if (Date.now() > until) throw new Error(`no ${re} after ${ms} ms in:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('validate (text): the secrets are masked, the rest is shown', async () => {
  const r = await tslvs('validate', good);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain(`GET http://user:***@127.0.0.1:${web.port}/health?password=***`);
  expect(r.stdout + r.stderr).not.toMatch(MARK);
});

test('validate --json: url, request, ldirectordId, checkKey and shared checks carry no password', async () => {
  const r = await tslvs('validate', '--json', good);
  expect(r.exitCode).toBe(0);
  const model = JSON.parse(r.stdout);
  const real = model.virtuals[0].reals[0];
  for (const field of ['url', 'request', 'ldirectordId', 'checkKey']) expect(real[field]).toContain('***');
  expect(model.virtuals[1]).toMatchObject({ passwd: '********' });
  expect(model.virtuals[2]).toMatchObject({ passwd: '********', secret: '********' });
  expect(r.stdout + r.stderr).not.toMatch(MARK);
});

test('a mistyped "pasword=" line: the error names the line, not its value (validate and start)', async () => {
  const v = await tslvs('validate', bad);
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toMatch(/line \d+: Unknown command "\tpasword=\*\*\*/);
  const s = await tslvs(bad, 'start');
  expect(s.exitCode).not.toBe(0);
  expect(s.stderr).toContain('Unknown command');
  for (const out of [v.stdout, v.stderr, s.stdout, s.stderr]) expect(out).not.toMatch(MARK);
});

test('a daemon on the simulated table: monitorfile and log (including a bad reload) carry no secret', async () => {
  const start = await tslvs(good, 'start');
  expect(start.exitCode).toBe(0);
  // The web real fails its receive; the ftp and radius reals refuse: all three are logged down.
  const lines = await waitFor(() => read(monitor), /127\.0\.0\.1 \d+ .*\[down\].*\n[^]*\[down\][^]*\[down\]/);
  expect(lines).toMatch(/http \/\/user \*\*\*@127\.0\.0\.1/);
  // The operator saves the typo and reloads: the error goes to the log.
  fs.copyFileSync(bad, good);
  expect((await tslvs(good, 'reload')).exitCode).toBe(0);
  await waitFor(() => read(log), /Unknown command/);
  expect((await tslvs(good, 'stop')).exitCode).toBe(0);
  const all = { monitorfile: read(monitor), log: read(log), start: start.stdout + start.stderr };
  expect(all.log).toMatch(/pasword=\*\*\*/);
  for (const [name, text] of Object.entries(all)) expect(`${name}: ${text}`).not.toMatch(MARK);
}, 60_000);
