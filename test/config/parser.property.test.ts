// The parser never crashes: any input gives a model or a ConfigError with a line number
// inside the file. Resolution is static, so no input can cause a DNS query.
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/errors.js';
import { parse } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const valid = fs.readdirSync(path.join(ROOT, 'fixtures/valid'))
  .map((f) => fs.readFileSync(path.join(ROOT, 'fixtures/valid', f), 'latin1'));

async function parsesOrFailsCleanly(text: string): Promise<void> {
  const lines = text.split('\n').length;
  try {
    const c = await parse(text);
    for (const v of c.virtuals) expect(v.id).toMatch(/^(tcp|udp|fwm6?):/);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(Number.isInteger(err.line)).toBe(true);
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.line).toBeLessThanOrEqual(lines);
    expect(err.text.length).toBeGreaterThan(0);
  }
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** A mutation of a valid config: delete, duplicate, replace or splice characters and lines. */
const mutated = fc.tuple(
  fc.constantFrom(...valid),
  fc.array(fc.tuple(fc.nat(), fc.nat(20), fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('\n', '\t', '    ', '#', '"', '=', ':', '->', '[', ']', 'virtual=', 'real=', 'l:', 'u:', ' gate', '0', '65536', '\r'),
  )), { maxLength: 8 }),
).map(([base, edits]) => {
  let text = base;
  for (const [at, del, insert] of edits) {
    const pos = at % (text.length + 1);
    text = text.slice(0, pos) + insert + text.slice(pos + del);
  }
  return text;
});

test('arbitrary bytes never crash the parser', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }).map(latin1), parsesOrFailsCleanly), { numRuns: 400 });
});

test('arbitrary lines built from config words never crash the parser', async () => {
  const word = fc.constantFrom('virtual=', 'virtual6=', 'real=', 'real6=', '10.0.0.1', '[::1]', ':80', ':http', ' gate', ' masq',
    ' 3', ' "a", "b"', ' l:1', ' u:2', '->10.0.0.3', 'checktype=', 'service=', 'fallback=', 'http', '5', '\t', '    ', '#', '=');
  const line = fc.array(word, { maxLength: 6 }).map((w) => w.join(''));
  await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 12 }).map((l) => l.join('\n')), parsesOrFailsCleanly), { numRuns: 400 });
});

test('mutations of valid fixtures never crash the parser', async () => {
  await fc.assert(fc.asyncProperty(mutated, parsesOrFailsCleanly), { numRuns: 600 });
});
