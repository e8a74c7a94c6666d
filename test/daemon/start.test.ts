// `start` where it can fail or mislead: a config error is logged where ldirectord logs it, a
// missing ipvsadm stops it as it stops ldirectord (both compared with ldirectord 4.12 when it is
// installed and we are root), the detached daemon's stderr survives after start, and --dry-run
// runs on a simulated copy of the table without writing the real one.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');
const STANDIN = path.join(ROOT, 'test/fixtures/bin/ipvsadm');
const LDIRECTORD = '/usr/sbin/ldirectord';
const root = process.getuid?.() === 0;
const haveLd = fs.existsSync(LDIRECTORD) && root;
const withLd = haveLd ? test : test.skip;

let dir: string;
let env: NodeJS.ProcessEnv;
let real: RealServerStub;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-start-'));
  real = await startRealServer('127.0.0.1');
  env = { ...process.env, TSLVS_RUN_DIR: dir, TSLVS_IPVSADM: STANDIN, TSLVS_IPVS_STATE: path.join(dir, 'state.json') };
});
afterAll(async () => {
  await real.close();
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tslvs = (args: string[], e: NodeJS.ProcessEnv = env) =>
  execa(process.execPath, [TSLVS, ...args], { env: e, reject: false, timeout: 30_000 });
const CTIME = String.raw`\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}`;
const farm = (port: number) => `\nvirtual=127.0.0.200:80\n\treal=127.0.0.1:${port} masq\n\tservice=http\n`;
const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'latin1').split('\n').filter(Boolean) : []);
const bare = (l: string) => l.replace(/^\[[^\]]*\] /, '');

async function waitUntil<T>(what: string, f: () => T | undefined, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('a config error at start', () => {
  const broken = (log: string, head: string[] = []) => [...head, `logfile="${log}"`, 'checkinterval=1', '', 'virtual=127.0.0.1:80',
    '\treal=127.0.0.2:80 masq', '\tquiescent=maybe', ''].join('\n');

  test('logs ldirectord\'s exit line to the log file named before the error', async () => {
    const log = path.join(dir, 'bad.log');
    const cfg = path.join(dir, 'bad.cf');
    fs.writeFileSync(cfg, broken(log));
    const r = await tslvs([cfg, 'start']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^Error \\[\\d+\\] reading file ${cfg} at line 6: quiescent must be 'yes' or 'no'$`));
    expect(lines(log).map(bare)).toEqual(['Exiting with exit_status 2: config_error: Configuration Error']);
    expect(lines(log)[0]).toMatch(new RegExp(`^\\[${CTIME}\\|bad\\.cf\\|\\d+\\] `));
  });

  test('supervised=yes read before the error: the line goes to stdout, as ldirectord prints it', async () => {
    const cfg = path.join(dir, 'bad-sup.cf');
    fs.writeFileSync(cfg, broken(path.join(dir, 'unused.log'), ['supervised=yes']));
    const r = await tslvs([cfg, 'start']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^\\[${CTIME}\\] Exiting with exit_status 2: config_error: Configuration Error$`));
    expect(fs.existsSync(path.join(dir, 'unused.log'))).toBe(false);
  });

  withLd('the same output as ldirectord', async () => {
    const run = async (program: 'ld' | 'ts') => {
      const log = path.join(dir, `cmp-${program}.log`);
      const cfg = path.join(dir, `cmp-${process.pid}.cf`);
      fs.writeFileSync(cfg, broken(log));
      const r = program === 'ld' ? await execa(LDIRECTORD, [cfg, 'start'], { reject: false }) : await tslvs([cfg, 'start']);
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr.replace(/\[\d+\]/, '[PID]'), log: lines(log).map(bare) };
    };
    expect(await run('ts')).toEqual(await run('ld'));
  }, 30_000);
});

describe('no ipvsadm at start', () => {
  // A private mount namespace in which /sbin/ipvsadm and /usr/sbin/ipvsadm are not executable.
  const hidden = async (file: string, args: string[], e: NodeJS.ProcessEnv) => {
    const noexec = path.join(dir, 'noexec');
    fs.writeFileSync(noexec, '');
    const script = 'for f in /sbin/ipvsadm /usr/sbin/ipvsadm; do [ -e "$f" ] && mount --bind "$1" "$f"; done; shift; exec "$@"';
    return execa('unshare', ['-m', 'sh', '-c', script, 'sh', noexec, file, ...args], { env: e, reject: false, timeout: 30_000 });
  };
  const noIpvsadmEnv = () => {
    const e = { ...env };
    delete e.TSLVS_IPVSADM;
    return e;
  };
  const maybe = root ? test : test.skip;

  maybe('start exits 2 with "Can not find ipvsadm", logs nothing and starts nothing', async () => {
    const log = path.join(dir, 'noipvs.log');
    const cfg = path.join(dir, 'noipvs.cf');
    fs.writeFileSync(cfg, `logfile="${log}"\ncheckinterval=1\n${farm(real.port)}`);
    const r = await hidden(process.execPath, [TSLVS, cfg, 'start'], noIpvsadmEnv());
    expect({ code: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: 'Can not find ipvsadm' });
    expect(lines(log)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'ldirectord.noipvs.cf.pid'))).toBe(false);
    // status and stop still work from the pid file (they need no ipvsadm).
    expect((await hidden(process.execPath, [TSLVS, cfg, 'status'], noIpvsadmEnv())).exitCode).toBe(3);
    // The simulated backend needs none.
    const simEnv = { ...noIpvsadmEnv(), TSLVS_BACKEND: 'sim', TSLVS_RUN_DIR: path.join(dir, 'nope') };
    const sim = await hidden(process.execPath, [TSLVS, '-d', cfg, 'start'], simEnv);
    expect(sim.stderr).not.toContain('Can not find ipvsadm');
  }, 30_000);

  (haveLd ? test : test.skip)('ldirectord says the same, with the same status', async () => {
    const cfg = path.join(dir, 'noipvs-ld.cf');
    fs.writeFileSync(cfg, `logfile="${path.join(dir, 'noipvs-ld.log')}"\n\nvirtual=127.0.0.200:80\n\treal=127.0.0.1:1 masq\n`);
    const ld = await hidden(LDIRECTORD, [cfg, 'start'], noIpvsadmEnv());
    const ts = await hidden(process.execPath, [TSLVS, cfg, 'start'], noIpvsadmEnv());
    expect(ld.stderr).toBe('Can not find ipvsadm at /usr/sbin/ldirectord line 921.');
    expect({ code: ts.exitCode, stdout: ts.stdout, stderr: ts.stderr })
      .toEqual({ code: ld.exitCode, stdout: ld.stdout, stderr: ld.stderr.replace(/ at \S+ line \d+\.$/, '') });
    expect(lines(path.join(dir, 'noipvs-ld.log'))).toEqual([]);
  }, 30_000);
});

test('the detached daemon\'s stderr survives start: with the log directory gone, its lines reach syslog', async () => {
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const log = path.join(logs, 'survive.log');
  const cfg = path.join(dir, 'survive.cf');
  fs.writeFileSync(cfg, `logfile="${log}"\ncheckinterval=1\nchecktimeout=1\n${farm(real.port)}`);
  // A syslog client that records what it is given (the daemon runs util-linux `logger` from $PATH).
  const bin = path.join(dir, 'bin');
  const syslog = path.join(dir, 'syslog.txt');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'logger'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${syslog}'\n`, { mode: 0o755 });
  const e = { ...env, PATH: `${bin}:${process.env.PATH ?? ''}`, TSLVS_IPVS_STATE: path.join(dir, 'survive.json') };
  const pidFile = path.join(dir, 'ldirectord.survive.cf.pid');
  try {
    expect((await tslvs([cfg, 'start'], e)).exitCode).toBe(0);
    await waitUntil('Added real server', () => lines(log).some((l) => l.includes('Added real server')));
    fs.rmSync(logs, { recursive: true });
    await real.set('fail');
    const said = await waitUntil('the line in syslog', () => {
      const text = fs.existsSync(syslog) ? fs.readFileSync(syslog, 'latin1') : '';
      return text.includes('Deleted real server') ? text : undefined;
    });
    expect(said).toContain(`-p daemon.err -- Deleted real server: 127.0.0.1:${real.port} (127.0.0.200:80)`);
    expect(said).toMatch(/^-t ldirectord --id=\d+ -p daemon\.err -- /m);
  } finally {
    await real.set('up');
    expect((await tslvs([cfg, 'stop'], e)).exitCode).toBe(0);
    await waitUntil('the pid file to go', () => !fs.existsSync(pidFile));
  }
}, 60_000);

test('--dry-run: the daemon works on a copy of the real table and never writes the real one', async () => {
  const e = { ...env, TSLVS_IPVS_STATE: path.join(dir, 'dry.json'), TSLVS_IPVS_EXEC_LOG: path.join(dir, 'dry-execs.jsonl') };
  const ipvsadm = async (...args: string[]) => (await execa(STANDIN, args, { env: e })).stdout;
  // The real table already has the virtual and one real the config does not list.
  await ipvsadm('-A', '-t', '127.0.0.200:80', '-s', 'wlc');
  await ipvsadm('-a', '-t', '127.0.0.200:80', '-r', '127.0.0.9:80', '-m', '-w', '1');
  const before = await ipvsadm('-S', '-n');
  fs.rmSync(e.TSLVS_IPVS_EXEC_LOG!, { force: true });
  const cfg = path.join(dir, 'dry.cf');
  fs.writeFileSync(cfg, `checkinterval=1\nchecktimeout=1\n${farm(real.port)}\tscheduler=wlc\n`);
  const child = execa(process.execPath, [TSLVS, '-d', '--dry-run', cfg, 'start'], { env: e, reject: false, timeout: 30_000 });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  await waitUntil('Added real server', () => out.includes(`Added real server: 127.0.0.1:${real.port}`));
  child.kill('SIGTERM');
  await child;
  // Seeded: the virtual was already there (no "Added virtual server"); the stray real goes.
  expect(out).not.toContain('Added virtual server');
  expect(out).toMatch(/127\.0\.0\.9:80/);
  expect(out).toContain('Purged virtual server (stop): 127.0.0.200:80');
  // The real table: unchanged, and ipvsadm was only ever asked to list.
  const execs = lines(e.TSLVS_IPVS_EXEC_LOG!).map((l) => JSON.parse(l) as { args: string[]; stdin: string });
  expect(execs.map((x) => [x.args, x.stdin])).toEqual([[['-R'], '-S -n\n-L -n --thresholds\n']]);
  expect(await ipvsadm('-S', '-n')).toBe(before);
}, 60_000);

test('--dry-run detached: start, stop; the real table is only ever listed', async () => {
  const e = { ...env, TSLVS_IPVS_STATE: path.join(dir, 'dry2.json'), TSLVS_IPVS_EXEC_LOG: path.join(dir, 'dry2-execs.jsonl') };
  const log = path.join(dir, 'dry2.log');
  const cfg = path.join(dir, 'dry2.cf');
  fs.writeFileSync(cfg, `logfile="${log}"\ncheckinterval=1\nchecktimeout=1\n${farm(real.port)}`);
  const pidFile = path.join(dir, 'ldirectord.dry2.cf.pid');
  expect((await tslvs(['--dry-run', cfg, 'start'], e)).exitCode).toBe(0);
  await waitUntil('Added real server', () => lines(log).some((l) => l.includes('Added real server')));
  expect((await tslvs([cfg, 'status'], e)).exitCode).toBe(0);
  expect((await tslvs([cfg, 'stop'], e)).exitCode).toBe(0);
  await waitUntil('the pid file to go', () => !fs.existsSync(pidFile));
  const said = lines(log).map(bare);
  expect(said).toEqual(expect.arrayContaining(['Added virtual server: 127.0.0.200:80', 'Purged virtual server (stop): 127.0.0.200:80']));
  const execs = lines(e.TSLVS_IPVS_EXEC_LOG).map((l) => JSON.parse(l) as { args: string[]; stdin: string });
  expect(execs.map((x) => [x.args, x.stdin])).toEqual([[['-R'], '-S -n\n-L -n --thresholds\n']]);
}, 60_000);

test('--dry-run with an unreadable real table: the daemon exits 1 before running, and says why in the log', async () => {
  const log = path.join(dir, 'dry3.log');
  const cfg = path.join(dir, 'dry3.cf');
  fs.writeFileSync(cfg, `logfile="${log}"\ncheckinterval=1\n${farm(real.port)}`);
  const r = await tslvs(['--dry-run', cfg, 'start'], { ...env, TSLVS_IPVSADM: '/bin/false' });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toBe('tslvs: the daemon exited with status 1 before it was running; see the log');
  expect(lines(log).map(bare).at(-1)).toMatch(/^Exiting with exit_status 1: --dry-run: can not read the IPVS table: /);
}, 30_000);
