// The parser stays linear in line length, and its restricted searches find exactly what
// ldirectord's unanchored patterns find. Each helper is compared with the plain pattern on
// random short strings over the characters that matter, then timed on 1 MB lines.
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/errors.js';
import { insideBrackets, execAt, firstBlankRunBeforeQuote, realSpecStarts, splitCommaList } from '../../src/config/linear.js';
import { buildConfig } from '../../src/config/setup.js';
import { ConfigParser, MAX_LINE_LENGTH } from '../../src/config/parser.js';
import { perl } from '../../src/config/perl.js';
import { parse, probe, resolver } from './helpers.js';

// ldirectord's pattern for a real= value, as parser.ts spells it.
const HOST = '\\d+\\.\\d+\\.\\d+\\.\\d+|[A-Za-z0-9.-]+|\\[[0-9A-fa-f:]+\\]';
const REAL_SPEC = `(${HOST})(->(${HOST}))?(:(\\d+|[A-Za-z0-9-_]+))?\\s+(.*)`;
const PAIR = '\\s+"(.*)"[, ]\\s*"(.*)"(.*)';

const tricky = (alphabet: string[], maxLength = 24) => fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join(''));
const SPEC_CHARS = ['1', '.', 'a', 'g', '-', '>', ':', '[', ']', '_', 'B', '`', ' ', '\t', '!'];
const PAIR_CHARS = ['"', ',', ' ', '\t', 'a', 'x', '\r'];
const runs = { numRuns: 3000, seed: 11 };

const same = (a: RegExpExecArray | null, b: RegExpExecArray | null) => {
  expect(b === null ? null : [...b]).toEqual(a === null ? null : [...a]);
};

describe('restricted searches agree with the unanchored patterns', () => {
  test('real server address', () => {
    const plain = perl(REAL_SPEC);
    const sticky = perl(REAL_SPEC, 'y');
    fc.assert(fc.property(tricky(SPEC_CHARS), (s) => {
      same(plain.exec(s), execAt(sticky, s, realSpecStarts(s, /[A-Za-z0-9.-]/, /[0-9A-fa-f:]/)));
    }), runs);
  });

  test('request/receive pair', () => {
    const plain = perl(PAIR);
    const sticky = perl(PAIR, 'y');
    fc.assert(fc.property(tricky(PAIR_CHARS), (s) => {
      same(plain.exec(s), execAt(sticky, s, firstBlankRunBeforeQuote(s)));
    }), runs);
  });

  test('weight, fallback split and thresholds: run starts only', () => {
    const pairs: Array<[string, string]> = [
      ['\\s+(\\d+)(.*)', '(?<!\\s)\\s+(\\d+)(.*)'],
      ['(\\S+)(\\s+(\\S+))?\\s*$', '(?<!\\S)(\\S+)(\\s+(\\S+))?\\s*$'],
      ['\\s+"?<?([lu]):(\\d+)>?"?(.*)', '(?<!\\s)\\s+"?<?([lu]):(\\d+)>?"?(.*)'],
    ];
    for (const [before, after] of pairs) {
      const a = perl(before);
      const b = perl(after);
      fc.assert(fc.property(tricky(['1', 'l', 'u', ':', '<', '>', '"', ' ', '\t', 'x']), (s) => same(a.exec(s), b.exec(s))), runs);
    }
  });

  test('comma lists and brackets', () => {
    const split = perl('\\s*,\\s*');
    fc.assert(fc.property(tricky([',', ' ', '\t', 'a', 'b']), (s) => {
      expect(splitCommaList(s)).toEqual(s.split(split));
    }), runs);
    fc.assert(fc.property(tricky(['[', ']', 'a', ':']), (s) => {
      expect(insideBrackets(s)).toEqual(/\[(.*)\]/s.exec(s)?.[1]);
    }), runs);
  });
});

/** Parse with the line limit lifted: the cost of the patterns alone. */
async function parseUnlimited(text: string): Promise<number> {
  const parser = new ConfigParser({ resolver, probe, maxLineLength: Infinity });
  const started = performance.now();
  try {
    buildConfig('big.cf', await parser.parse(text));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  return performance.now() - started;
}

describe('linear in line length', () => {
  const MB = 1 << 20;
  const cases: Record<string, string> = {
    'real= host name without a blank': `virtual=127.0.0.1:80\n    real=${'a'.repeat(MB)}\n`,
    'real= digits then junk': `virtual=127.0.0.1:80\n    real=${'1'.repeat(MB)}! gate\n`,
    'real= brackets': `virtual=127.0.0.1:80\n    real=${'['.repeat(MB)} gate\n`,
    'real= blanks after the forward method': `virtual=127.0.0.1:80\n    real=127.0.0.1:80 gate${' '.repeat(MB)}x\n`,
    'real= open quotes': `virtual=127.0.0.1:80\n    real=127.0.0.1:80 gate${' "x'.repeat(MB / 3)}\n`,
    'real= thresholds': `virtual=127.0.0.1:80\n    real=127.0.0.1:80 gate${' l:1'.repeat(MB / 4)}\n`,
    'fallback= blank-separated words': `fallback=${'a'.repeat(MB)} b c\n`,
    'fallback= brackets': `fallback=${'['.repeat(MB)}\n`,
    'emailalertstatus= blanks': `emailalertstatus=${' '.repeat(MB)}x\n`,
    'request= long value': `virtual=127.0.0.1:80\n    request="${'a'.repeat(MB)}"\n    real=127.0.0.1:80 gate\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    test(`${name}: 1 MB line in well under 1 s`, async () => {
      // Generous for a loaded 2-core CI box; the quadratic parse took over a minute.
      expect(await parseUnlimited(text)).toBeLessThan(1000);
    });
  }
});

describe('line length limit', () => {
  test('a line over 64 KiB is a line-numbered error, in reading order', async () => {
    const long = `virtual=127.0.0.1:80\n    real=127.0.0.1:80 gate\n    request="${'a'.repeat(MAX_LINE_LENGTH)}"\n`;
    const text = `line too long: ${MAX_LINE_LENGTH + 14} bytes, at most ${MAX_LINE_LENGTH}`;
    await expect(parse(long)).rejects.toMatchObject({ line: 3, text });
    // An earlier error is reported first, as ldirectord reports the first error it reads.
    await expect(parse(`bogus=1\n${'#'.repeat(MAX_LINE_LENGTH + 1)}\n`)).rejects.toMatchObject({ line: 1 });
    await expect(parse(`checkinterval=5\n${'#'.repeat(MAX_LINE_LENGTH + 1)}\n`)).rejects.toMatchObject({ line: 2 });
  });

  test('a line of exactly 64 KiB is read', async () => {
    const value = 'a'.repeat(MAX_LINE_LENGTH - '    request=""'.length);
    const c = await parse(`virtual=127.0.0.1:80\n    real=127.0.0.1:80 gate\n    request="${value}"\n`);
    expect(c.virtuals[0]!.request).toBe(`/${value}`);
  });
});

test('tslvs validate: a long line is exit 2 with ldirectord\'s error line', async () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-long-'));
  const file = path.join(dir, 'long.cf');
  fs.writeFileSync(file, `checkinterval=5\nvirtual=127.0.0.1:80\n    real=127.0.0.1:80 gate${' '.repeat(70_000)}\n`);
  try {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(root, 'bin/tslvs.js'), 'validate', file], { timeout: 30_000 },
        (err, _out, stderr) => resolve({ code: err ? (err.code as number) : 0, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^Error \\[\\d+\\] reading file ${file} at line 3: line too long: 70026 bytes, at most 65536\n$`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
