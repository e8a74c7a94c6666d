// The command line's friction points: help anywhere (`tslvs start --help`), and a bad command
// line that says which word was wrong besides printing usage (exit 255, as ldirectord).
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tslvs = (...args: string[]) =>
  execa(process.execPath, [path.join(ROOT, 'bin/tslvs.js'), ...args], { reject: false, timeout: 30_000 });
const KNOWN = 'start, stop, restart, try-restart, reload, force-reload, status, validate, demo';

const helps = [['start', '--help'], ['--help'], ['-h'], ['web.cf', 'status', '-h'], ['stop', '-?']];
test.each(helps)('tslvs %s %s prints help, exit 0', async (...args) => {
  const r = await tslvs(...args);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/^Usage:\n    tslvs \[-d\|--debug\] \[--dry-run\]/);
  expect(r.stderr).toBe('');
});

test.each([
  [['strat'], `tslvs: unknown command "strat" (known: ${KNOWN})`],
  [['web.cf', 'strat'], `tslvs: neither "web.cf" nor "strat" is a command (known: ${KNOWN})`],
  [['a', 'b', 'c'], 'tslvs: too many words: "a" "b" "c" (at most a config file and a command)'],
  [[], 'tslvs: no command given'],
  [['--bogus', 'start'], "error: unknown option '--bogus'"],
])('tslvs %j: usage on stdout, the wrong word on stderr, exit 255', async (args, said) => {
  const r = await tslvs(...args);
  expect(r.exitCode).toBe(255);
  expect(r.stdout).toMatch(/^Usage:/);
  expect(r.stderr).toBe(said);
});

test('validate keeps its own --help', async () => {
  const r = await tslvs('validate', '--help');
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('Usage: tslvs validate');
});
