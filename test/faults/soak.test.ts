// The soak in small (`npm run soak` is the 30-minute, 1,000-real form): the real soak program
// (bench/src/soak.ts, compiled), 200 loopback reals of which 40 flap between answering,
// refusing and hanging, 10 always hang and 10 always refuse, for 70 s, with the stand-in's
// table checked against the servers every 15 s. It exits non-zero on any violation (a wrong
// table entry, the daemon gone, RSS over 300 MB, no transition logged); the summary it prints
// is checked here too. Its reals live under 127.60.0.0/16, away from a full soak's and the bench's.
// Needs root (a private mount namespace) and a C compiler (the fast stand-in).
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('reduced soak: 200 flapping/hanging/refusing reals for 70 s, the table right at every check, RSS bounded', async () => {
  expect(process.getuid?.()).toBe(0); // the soak runs the daemon in a mount namespace of its own
  const build = await execa('npx', ['tsc', '-p', 'bench/tsconfig.json'], { cwd: ROOT, reject: false, timeout: 60_000 });
  expect(build.exitCode).toBe(0);
  const r = await execa(process.execPath, [path.join(ROOT, 'bench/.out/soak.js'),
    '--duration=70', '--reals=200', '--check-every=15', '--grace=15', '--flip-every=2', '--rss-limit-mb=300'],
  { cwd: ROOT, reject: false, timeout: 110_000, env: { ...process.env, NODE_OPTIONS: '', BENCH_ADDR_BASE: '60' } });
  const out = String(r.stdout);
  const json = out.split('\n').find((l) => l.startsWith('SOAK-JSON '));
  if (r.exitCode !== 0 || !json) throw new Error(`soak exited ${r.exitCode}:\n${out}\n${String(r.stderr).slice(-3000)}`);
  const s = JSON.parse(json.slice('SOAK-JSON '.length)) as {
    violationCount: number; stateChanges: number; checks: Array<{ checked: number; wrong: number }>;
    transitions: { added: number; deleted: number }; rssMB: { max: number };
  };
  expect(s.violationCount).toBe(0);
  expect(s.checks.length).toBeGreaterThanOrEqual(4);
  // Most reals are settled at each check (only recently switched ones are skipped).
  for (const c of s.checks) expect(c.checked).toBeGreaterThan(140);
  expect(s.stateChanges).toBeGreaterThan(50);
  // Flapping reals were seen leaving and coming back (beyond the start-up adds).
  expect(s.transitions.deleted).toBeGreaterThan(10);
  expect(s.transitions.added).toBeGreaterThan(180 + 10);
  expect(s.rssMB.max).toBeLessThan(300);
  fs.writeFileSync(path.join(ROOT, 'bench/.out/soak-reduced.json'), JSON.stringify(s, null, 1));
}, 150_000);
