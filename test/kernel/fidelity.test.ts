// Kernel tier (b): the stand-in's output must equal the real ipvsadm's on a real kernel, byte
// for byte (stdout, stderr, exit status), for >= 30 generated tables and every failure case
// of the reference transcripts. One VM exec runs the whole script; the stand-in runs the same.

import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAILURE_CASES, PRELUDE, generateTable } from './fidelity-cases.js';
import { ROOT, STANDIN } from '../ipvs/support.js';

const VM = join(ROOT, 'scripts', 'kernel', 'kvm', 'vm.sh');
const TABLES = Number(process.env['TSLVS_KERNEL_TABLES'] ?? 36);

function sections(out: string): Map<string, string> {
  const m = new Map<string, string>();
  let name = '(before any section)';
  let buf: string[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('=== ')) {
      m.set(name, buf.join('\n'));
      name = line.slice(4);
      buf = [];
    } else buf.push(line);
  }
  m.set(name, buf.join('\n'));
  return m;
}

describe('stand-in ipvsadm vs ipvsadm 1.31 on Linux 6.1', () => {
  const script = [PRELUDE, FAILURE_CASES, ...Array.from({ length: TABLES }, (_, i) => generateTable(1000 + i).join('\n'))].join('\n') + '\n';
  let real: Map<string, string>;
  let mine: Map<string, string>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tslvs-fidelity-'));
    writeFileSync(join(dir, 'script.sh'), script);
    const vm = await execa(VM, ['exec', '--stdin', '--timeout', '600', '--', 'bash', '-s'], { input: script, reject: false, stripFinalNewline: false });
    if (vm.exitCode !== 0) throw new Error(`VM run failed (${vm.exitCode}): ${vm.stderr}`);
    writeFileSync(join(dir, 'real.out'), vm.stdout);
    const local = await execa('bash', ['-s'], {
      input: script,
      reject: false,
      stripFinalNewline: false,
      env: { IPVSADM: STANDIN, TSLVS_IPVSADM_ARGV0: 'ipvsadm', TSLVS_IPVS_STATE: join(dir, 'state.json') },
    });
    writeFileSync(join(dir, 'standin.out'), local.stdout);
    real = sections(vm.stdout);
    mine = sections(local.stdout);
  }, 900_000);

  afterAll(() => {
    if (dir && !process.env['TSLVS_KEEP_FIDELITY']) rmSync(dir, { recursive: true, force: true });
  });

  test('the script covers >= 30 generated tables and the failure cases', () => {
    expect([...real.keys()].filter((k) => k.startsWith('table ')).length).toBeGreaterThanOrEqual(30);
    expect(real.has('failures from fail.out and behaviour.out')).toBe(true);
    // each table section lists three ways
    for (const [k, v] of real) if (k.startsWith('table ')) expect(v.match(/^\$ ipvsadm (-L -n|-L -n --thresholds|-S -n)$/gm)?.length).toBe(3);
  });

  test.each(['failures from fail.out and behaviour.out', 'restore with failing lines - restore.out opts.out behaviour.out', 'edit semantics and defaults - edit.out sched.out', 'option checks'])(
    'failure cases: %s',
    (name) => {
      expect(real.get(name)).toBeDefined();
      expect(mine.get(name)).toEqual(real.get(name));
    },
  );

  test.each(Array.from({ length: TABLES }, (_, i) => 1000 + i))('generated table %i', (seed) => {
    const k = `table ${seed}`;
    expect(real.get(k)).toBeDefined();
    expect(mine.get(k)).toEqual(real.get(k));
  });
});
