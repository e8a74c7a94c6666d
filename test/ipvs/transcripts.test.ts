// Replays the real-kernel transcripts (../shared/reference/ipvsadm-transcripts, copied into
// test/ipvs/transcripts/) through the stand-in's emulation and compares stdout, stderr and the
// exit status of every ipvsadm command byte for byte.

import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelTable } from '../../src/ipvs/sim/kernel.js';
import { runIpvsadm } from '../../src/ipvs/sim/ipvsadm.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'transcripts');

interface Step {
  line: number;
  args: string[];
  stdin?: string;
  stdout: string;
  stderr: string;
  code: number;
}

/** Commands of a transcript with their recorded output; stops at the first command it cannot replay. */
function parse(text: string, clearBefore: RegExp | null): { steps: (Step | 'clear')[]; stoppedAt: string | null } {
  const lines = text.split('\n');
  const steps: (Step | 'clear')[] = [];
  let pending: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('=== ')) {
      if (/schedulers|timeouts|daemon/.test(l)) return { steps, stoppedAt: l };
      if (clearBefore?.test(l)) steps.push('clear');
      pending = null;
      continue;
    }
    if (l === '--- restore file:' || /^--- r\d\.txt/.test(l)) {
      if (clearBefore?.test(l)) steps.push('clear');
      pending = [];
      continue;
    }
    if (!l.startsWith('$ ')) {
      if (pending && l !== '') pending.push(l);
      else if (/^-[AaeEd] /.test(l)) pending = [l];
      continue;
    }
    let args: string[];
    let stdin: string | undefined;
    let m: RegExpExecArray | null;
    if ((m = /^\$ ipvsadm(?: (.*))?$/.exec(l))) args = m[1] ? m[1].split(' ') : [];
    else if ((m = /^\$ sh -c echo '(.*)' \| ipvsadm -R$/.exec(l))) {
      args = ['-R'];
      stdin = m[1] + '\n';
    } else if (/^\$ sh -c ipvsadm -R ?< ?\/tmp\/\w+\.txt$/.test(l) && pending) {
      args = ['-R'];
      stdin = pending.join('\n') + '\n';
    } else return { steps, stoppedAt: l };
    pending = null;
    const out: string[] = [];
    const err: string[] = [];
    let code = NaN;
    for (i++; i < lines.length; i++) {
      const x = lines[i]!;
      const e = /^\[exit=(\d+)\]$/.exec(x);
      if (e) {
        code = Number(e[1]);
        break;
      }
      if (x.startsWith('stderr| ')) err.push(x.slice(8));
      else out.push(x);
    }
    steps.push({ line: steps.length + 1, args, ...(stdin !== undefined ? { stdin } : {}), stdout: out.map((x) => x + '\n').join(''), stderr: err.map((x) => x + '\n').join(''), code });
  }
  return { steps, stoppedAt: null };
}

// The capture script cleared the table at some points without showing it: clearBefore
// names the header lines where it did (a restore-file case, a fresh section).
const FILES: [string, RegExp | null, number][] = [
  // file, clear the table before headers matching, minimum number of commands replayed
  ['behaviour.out', /^--- restore file:/, 20],
  ['fail.out', null, 30],
  ['opts.out', /^=== UDP, fwmark/, 35],
  ['restore.out', null, 12],
  ['step3.out', null, 15],
];

describe('reference transcripts replayed through the stand-in emulation', () => {
  test.each(FILES)('%s', (file, clearBefore, min) => {
    const { steps } = parse(readFileSync(join(DIR, file), 'utf8'), clearBefore);
    const table = new KernelTable();
    let n = 0;
    for (const s of steps) {
      if (s === 'clear') {
        table.flush();
        continue;
      }
      const r = runIpvsadm(table, s.args, { stdin: () => s.stdin ?? '' });
      expect({ cmd: s.args.join(' '), stdout: r.stdout, stderr: r.stderr, code: r.code }).toEqual({
        cmd: s.args.join(' '),
        stdout: s.stdout,
        stderr: s.stderr,
        code: s.code,
      });
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(min);
  });
});
