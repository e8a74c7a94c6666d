// The round loop's decisions against real loopback HTTP servers and the simulated table:
// the exact lines ldirectord logs and the table after each round.
import fs from 'node:fs';
import path from 'node:path';
import { makeKit, parseConfig, tempDir } from '../support/director-kit.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';

let a: RealServerStub;
let b: RealServerStub;
let fb: RealServerStub;

beforeAll(async () => {
  a = await startRealServer('127.0.0.1');
  b = await startRealServer('127.0.0.1');
  fb = await startRealServer('127.0.0.1');
});
afterAll(async () => { await Promise.all([a, b, fb].map((s) => s.close())); });
beforeEach(async () => { await a.set('up'); await b.set('up'); });

const V = '127.0.0.200:80';
const cfg = (global: string[], virtual: string[]) => [
  'checktimeout=1', ...global, '', `virtual=${V}`,
  `\treal=127.0.0.1:${a.port} masq 2`, `\treal=127.0.0.1:${b.port} masq 1`,
  '\tservice=http', '\trequest="/"', '\treceive="OK"', ...virtual.map((l) => `\t${l}`), '',
].join('\n');
/** A kit whose director has started and run its first round; its lines so far are taken. */
async function running(...args: Parameters<typeof makeKit>) {
  const k = await makeKit(...args);
  await k.director.start();
  await k.director.checkAll();
  k.take();
  return k;
}
const sorted = (text: string) => text.split('\n').filter(Boolean).sort();
const A = () => `127.0.0.1:${a.port}`;
const B = () => `127.0.0.1:${b.port}`;

test('basic: start, a real fails and comes back, stop', async () => {
  const k = await makeKit(cfg([], []));
  await k.director.start();
  expect(k.take()).toEqual([`Added virtual server: ${V}`]);
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Added real server: ${A()} (${V}) (Weight set to 2)`,
    `Added real server: ${B()} (${V}) (Weight set to 1)`,
  ]);
  expect(sorted(await k.save())).toEqual(sorted(`-A -t ${V} -s wrr\n-a -t ${V} -r ${A()} -m -w 2\n-a -t ${V} -r ${B()} -m -w 1\n`));
  await b.set('fail');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Deleted real server: ${B()} (${V})`]);
  await k.director.checkAll();
  expect(k.take()).toEqual([]);
  await b.set('up');
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Resetting soft failure count: ${B()} (tcp:${V})`,
    `Added real server: ${B()} (${V}) (Weight set to 1)`,
  ]);
  await k.director.stop();
  expect(k.take()).toEqual([
    `Purged real server (stop): ${A()} (${V})`, `Purged real server (stop): ${B()} (${V})`, `Purged virtual server (stop): ${V}`,
  ]);
  expect(await k.save()).toBe('');
}, 20_000);

test('quiescent=yes keeps a failed real at weight 0 and restores it', async () => {
  const k = await running(cfg(['quiescent=yes'], []));
  await a.set('refuse');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Quiescent real server: ${A()} (${V}) (Weight set to 0)`]);
  expect(await k.save()).toContain(`-a -t ${V} -r ${A()} -m -w 0`);
  await a.set('up');
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Resetting soft failure count: ${A()} (tcp:${V})`,
    `Restored real server: ${A()} (${V}) (Weight set to 2)`,
  ]);
}, 20_000);

test('fallback and fallbackcommand: once per change, argv without a shell; nothing decided before the first checks', async () => {
  const k = await makeKit(cfg(['fallbackcommand="/usr/local/bin/fb cmd"'], [`fallback=127.0.0.1:${fb.port} masq`]));
  await k.director.start();
  // The reals have no result yet: no "Added fallback server" to be deleted a moment later.
  expect(k.take()).toEqual([`Added virtual server: ${V}`]);
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Added real server: ${A()} (${V}) (Weight set to 2)`,
    `Added real server: ${B()} (${V}) (Weight set to 1)`,
  ]);
  await k.queue.drain();
  // The first decision runs, as ldirectord's does for reals that are up at start.
  expect(k.commands.map((c) => c[1])).toEqual(['stop']);
  await a.set('fail');
  await b.set('hang');
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Added fallback server: 127.0.0.1:${fb.port} (${V}) (Weight set to 1)`,
    `Deleted real server: ${A()} (${V})`,
    `Deleted real server: ${B()} (${V})`,
  ]);
  await k.director.checkAll();
  await b.set('up');
  await k.director.checkAll();
  await k.queue.drain();
  // The quotes group words as /bin/sh would; nothing else is interpreted.
  expect(k.commands).toEqual([['/usr/local/bin/fb cmd', 'stop', V, 'tcp'], ['/usr/local/bin/fb cmd', 'start', V, 'tcp'], ['/usr/local/bin/fb cmd', 'stop', V, 'tcp']]);
}, 20_000);

test('fallback at start with every real failing: decided after the first results, once', async () => {
  await a.set('refuse');
  await b.set('fail');
  const k = await makeKit(cfg(['fallbackcommand="/usr/local/bin/fb"'], [`fallback=127.0.0.1:${fb.port} masq`]));
  await k.director.start();
  expect(k.take()).toEqual([`Added virtual server: ${V}`]);
  expect(await k.save()).toBe(`-A -t ${V} -s wrr\n`);
  await k.director.checkAll();
  expect(k.take()).toEqual([`Added fallback server: 127.0.0.1:${fb.port} (${V}) (Weight set to 1)`]);
  await k.queue.drain();
  expect(k.commands).toEqual([['/usr/local/bin/fb', 'start', V, 'tcp']]);
  expect(await k.save()).toBe(`-A -t ${V} -s wrr\n-a -t ${V} -r 127.0.0.1:${fb.port} -m -w 1\n`);
}, 20_000);

test('a fallback already in the table stays while the first checks run', async () => {
  const k = await makeKit(cfg([], [`fallback=127.0.0.1:${fb.port} masq`]));
  await k.ipvsadm('-A', '-t', V, '-s', 'wrr');
  await k.ipvsadm('-a', '-t', V, '-r', `127.0.0.1:${fb.port}`, '-m', '-w', '1');
  await k.director.start();
  expect(k.take()).toEqual([]);
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Added real server: ${A()} (${V}) (Weight set to 2)`,
    `Added real server: ${B()} (${V}) (Weight set to 1)`,
    `Deleted fallback server: 127.0.0.1:${fb.port} (${V})`,
  ]);
}, 20_000);

test('quiescent=yes at start: a real that fails its first check joins at weight 0, as ld_start leaves it, and is Restored later', async () => {
  await b.set('refuse');
  const k = await makeKit(cfg(['quiescent=yes'], []));
  await k.director.start();
  expect(k.take()).toEqual([`Added virtual server: ${V}`]);
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Added real server: ${A()} (${V}) (Weight set to 2)`,
    `Quiescent real server: ${B()} (${V}) (Weight set to 0)`,
  ]);
  expect(sorted(await k.save())).toEqual(sorted(`-A -t ${V} -s wrr\n-a -t ${V} -r ${A()} -m -w 2\n-a -t ${V} -r ${B()} -m -w 0\n`));
  await k.director.checkAll();
  expect(k.take()).toEqual([]);
  await b.set('up');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Restored real server: ${B()} (${V}) (Weight set to 1)`]);
  // Later failures quiesce it as before.
  await b.set('refuse');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Quiescent real server: ${B()} (${V}) (Weight set to 0)`]);
}, 20_000);

test('quiescent=yes on reload: a new real that fails its first check joins at weight 0', async () => {
  const k = await running(cfg(['quiescent=yes'], []));
  await fb.set('refuse');
  const next = cfg(['quiescent=yes'], [`real=127.0.0.1:${fb.port} masq 3`]);
  await k.director.reload(await parseConfig(next));
  expect(k.take()).toEqual([]);
  await k.director.checkAll();
  expect(k.take()).toEqual([`Quiescent real server: 127.0.0.1:${fb.port} (${V}) (Weight set to 0)`]);
  await fb.set('up');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Restored real server: 127.0.0.1:${fb.port} (${V}) (Weight set to 3)`]);
}, 20_000);

test('failurecount=3: soft failures, then down; one success resets', async () => {
  const k = await running(cfg(['failurecount=3'], []));
  await b.set('fail');
  await k.director.checkAll();
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Soft failure real server: ${B()} (tcp:${V}) failure 1/3`,
    `Soft failure real server: ${B()} (tcp:${V}) failure 2/3`,
  ]);
  await k.director.checkAll();
  expect(k.take()).toEqual([`Deleted real server: ${B()} (${V})`]);
}, 20_000);

test('maintenancedir: IP:PORT and IP files take reals out, without a lookup', async () => {
  const dir = tempDir('tslvs-maint-');
  let lookups = 0;
  const k = await makeKit(cfg([`maintenancedir=${dir}`], []), { reverse: async () => { lookups++; return undefined; } });
  await k.director.start();
  await k.director.checkAll();
  k.take();
  fs.writeFileSync(path.join(dir, B()), '');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Deleted real server: ${B()} (${V})`]);
  fs.rmSync(path.join(dir, B()));
  fs.writeFileSync(path.join(dir, '127.0.0.1'), '');
  await k.director.checkAll();
  // B stays out (the IP file covers it too); A goes.
  expect(k.take()).toEqual([`Deleted real server: ${A()} (${V})`]);
  expect(lookups).toBe(0);
  fs.rmSync(dir, { recursive: true });
}, 20_000);

test('maintenancedir: a host-name file matches through the reverse lookup (FQDN and short name)', async () => {
  const dir = tempDir('tslvs-maint-');
  fs.writeFileSync(path.join(dir, `web1:${b.port}`), '');
  const k = await makeKit(cfg([`maintenancedir=${dir}`], []), { reverse: async (ip) => (ip === '127.0.0.1' ? 'web1.example.org' : undefined) });
  await k.director.start();
  await k.director.checkAll();
  expect(k.take()).toEqual([`Added virtual server: ${V}`, `Added real server: ${A()} (${V}) (Weight set to 2)`]);
  fs.rmSync(dir, { recursive: true });
}, 20_000);

test('combined checktype=2: negotiate first, then two connects, then negotiate', async () => {
  const k = await makeKit(cfg([], ['checktype=2']));
  await k.director.start();
  const before = b.hits;
  await k.director.checkAll(); // negotiate: an HTTP request
  expect(b.hits).toBe(before + 1);
  await k.director.checkAll(); // connect
  await k.director.checkAll(); // connect
  expect(b.hits).toBe(before + 1);
  await k.director.checkAll(); // negotiate again
  expect(b.hits).toBe(before + 2);
  // A failing HTTP answer is not seen by a connect check.
  await b.set('fail');
  await k.director.checkAll();
  await k.director.checkAll();
  expect(k.take().filter((l) => l.startsWith('Deleted'))).toEqual([]);
  await k.director.checkAll();
  expect(k.take()).toEqual([`Deleted real server: ${B()} (${V})`]);
}, 20_000);

test('drift: a real deleted by hand is put back and the repair is logged', async () => {
  const k = await running(cfg([], []));
  await k.ipvsadm('-d', '-t', V, '-r', A());
  await k.ipvsadm('-a', '-t', V, '-r', '127.0.0.9:80', '-m');
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Repaired real server: ${A()} (${V}) (Weight set to 2) (was missing)`,
    `Purged real server (repair): 127.0.0.9:80 (${V})`,
  ]);
}, 20_000);

test('cleanstop=no leaves the table as it is', async () => {
  const k = await running(cfg(['cleanstop=no'], []));
  const before = await k.save();
  await k.director.stop();
  expect(k.take()).toEqual([]);
  expect(await k.save()).toBe(before);
}, 20_000);

test('thresholds and fwmark virtuals', async () => {
  const text = ['checktimeout=1', '', 'virtual=7', `\treal=127.0.0.1:${a.port} masq 3 u:100 l:10`, '\tservice=http', '\treceive="OK"', '\tcheckport=' + a.port, ''].join('\n');
  const k = await makeKit(text);
  await k.director.start();
  await k.director.checkAll();
  expect(k.take()).toEqual(['Added virtual server: 7', `Added real server: ${A()} (7) (Weight set to 3)`]);
  expect(await k.ipvsadm('-L', '-n', '--thresholds')).toMatch(new RegExp(`-> ${A().replace(/\./g, '\\.')}\\s+100\\s+10\\s`));
}, 20_000);

test('a failed ipvsadm op is reported, not logged as done, and retried next round', async () => {
  const k = await makeKit(cfg([], []));
  const real = k.backend;
  let failNext = true;
  const flaky = {
    name: 'flaky', list: () => real.list(),
    async apply(ops: Parameters<typeof real.apply>[0]) {
      if (!failNext) return real.apply(ops);
      failNext = false;
      const r = await real.apply([]);
      return { ...r, ok: false, results: ops.map((op) => ({ op, ok: false, reason: 'Memory allocation problem' })) };
    },
  };
  const k2 = await makeKit(cfg([], []), { backend: flaky });
  await k2.director.start();
  expect(k2.take()).toEqual([`Failed to apply "ipvsadm -A -t ${V} -s wrr": Memory allocation problem (not done: Added virtual server: ${V}; will retry)`]);
  await k2.director.checkAll();
  expect(k2.take()).toEqual([
    `Added virtual server: ${V}`,
    `Added real server: ${A()} (${V}) (Weight set to 2)`,
    `Added real server: ${B()} (${V}) (Weight set to 1)`,
  ]);
  void k;
}, 20_000);

test('reload: a virtual and reals added and removed; soft-failure counts survive (ldirectord resets them)', async () => {
  const k = await running(cfg(['failurecount=3'], []));
  await b.set('fail');
  await k.director.checkAll();
  expect(k.take()).toEqual([`Soft failure real server: ${B()} (tcp:${V}) failure 1/3`]);
  const next = [
    'checktimeout=1', 'failurecount=3', '', `virtual=${V}`, `\treal=127.0.0.1:${b.port} masq 1`, `\treal=127.0.0.1:${fb.port} masq 5`,
    '\tservice=http', '\trequest="/"', '\treceive="OK"', '', 'virtual=127.0.0.201:80', `\treal=127.0.0.1:${a.port} masq`, '\tservice=http', '',
  ].join('\n');
  await k.director.reload(await parseConfig(next));
  expect(k.take()).toEqual([
    `Purged real server (start): ${A()} (${V})`,
    'Added virtual server: 127.0.0.201:80',
  ]);
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Soft failure real server: ${B()} (tcp:${V}) failure 2/3`,
    `Added real server: 127.0.0.1:${fb.port} (${V}) (Weight set to 5)`,
    `Added real server: ${A()} (127.0.0.201:80) (Weight set to 1)`,
  ]);
  // Dropping a virtual purges it.
  await k.director.reload(await parseConfig(cfg(['failurecount=3'], [])));
  expect(k.take()).toEqual(expect.arrayContaining(['Purged virtual server (start): 127.0.0.201:80']));
}, 20_000);

test('a failed op is logged once per distinct reason while it keeps failing; the tries are counted on the debug output', async () => {
  const base = (await makeKit(cfg([], []))).backend;
  let reason: string | undefined = 'Memory allocation problem';
  const flaky = {
    name: 'flaky', list: () => base.list(),
    async apply(ops: Parameters<typeof base.apply>[0]) {
      if (reason === undefined) return base.apply(ops);
      const r = await base.apply([]);
      const why = reason;
      return { ...r, ok: false, results: ops.map((op) => ({ op, ok: false, reason: why })) };
    },
  };
  const debug: string[] = [];
  const k = await makeKit(cfg([], []), { backend: flaky, debug: (p, m) => debug.push(`${p} ${m}`) });
  const failed = (why: string) => `Failed to apply "ipvsadm -A -t ${V} -s wrr": ${why} (not done: Added virtual server: ${V}; will retry)`;
  const addA = `-a -t ${V} -r ${A()} -m -w 2 -x 0 -y 0`;
  await k.director.start();
  expect(k.take()).toEqual([failed('Memory allocation problem')]);
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Failed to apply "ipvsadm ${addA}": Memory allocation problem (not done: Added real server: ${A()} (${V}) (Weight set to 2); will retry)`,
    `Failed to apply "ipvsadm -a -t ${V} -r ${B()} -m -w 1 -x 0 -y 0": Memory allocation problem (not done: Added real server: ${B()} (${V}) (Weight set to 1); will retry)`,
  ]);
  await k.director.checkAll();
  expect(k.take()).toEqual([]);
  expect(debug.filter((l) => l.includes(`"ipvsadm -A`))).toEqual([
    `2 Failed to apply "ipvsadm -A -t ${V} -s wrr": Memory allocation problem (2 tries so far; still retrying)`,
    `2 Failed to apply "ipvsadm -A -t ${V} -s wrr": Memory allocation problem (3 tries so far; still retrying)`,
  ]);
  expect(k.director.failingOps.get(addA)).toEqual({ reason: 'Memory allocation problem', tries: 2 });
  expect(k.director.failingOps.get(`-A -t ${V} -s wrr`)).toEqual({ reason: 'Memory allocation problem', tries: 3 });
  reason = 'Invalid argument';
  await k.director.checkAll();
  expect(k.take()[0]).toBe(failed('Invalid argument'));
  reason = undefined;
  await k.director.checkAll();
  expect(k.take()).toEqual([
    `Added virtual server: ${V}`,
    `Added real server: ${A()} (${V}) (Weight set to 2)`,
    `Added real server: ${B()} (${V}) (Weight set to 1)`,
  ]);
  expect(k.director.failingOps.size).toBe(0);
}, 20_000);

test('-d: one debug line per failing check, in the check\'s own words, without secrets', async () => {
  const debug: string[] = [];
  const text = cfg([], []).replace('\trequest="/"', `\trequest="http://user:s3cret@127.0.0.1:${b.port}/"`);
  const k = await makeKit(text, { debug: (p, m) => debug.push(`${p} ${m}`) });
  await k.director.start();
  await k.director.checkAll();
  expect(debug.filter((l) => l.includes('Check failed'))).toEqual([]);
  await a.set('refuse');
  await b.set('fail');
  await k.director.checkAll();
  const lines = debug.filter((l) => l.includes('Check failed'));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(new RegExp(`^2 Check failed: ${A().replace(/\./g, '\\.')} \\(tcp:${V.replace(/\./g, '\\.')}\\): \\S`));
  expect(lines[1]).toMatch(new RegExp(`^2 Check failed: ${B().replace(/\./g, '\\.')} \\(tcp:${V.replace(/\./g, '\\.')}\\): \\S`));
  expect(lines.join('\n')).not.toContain('s3cret');
  process.stdout.write(`${lines.join('\n')}\n`);
}, 20_000);
