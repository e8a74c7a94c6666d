// The launcher exits explicitly; piped output must still arrive whole even when the reader is
// slow (process.exit() with unflushed pipe writes would cut it off).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('tslvs validate --json: 400 kB through a slow pipe arrive whole', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/tslvs.js'), 'validate', '--json', path.join(ROOT, 'fixtures/valid/large-farm.cf')]);
  child.stdout.pause();
  await new Promise((r) => setTimeout(r, 1500));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdout.resume();
  const code = await new Promise((r) => child.on('close', r));
  expect(code).toBe(0);
  const text = Buffer.concat(chunks).toString('latin1');
  expect(text.length).toBeGreaterThan(300_000);
  expect(() => JSON.parse(text)).not.toThrow();
}, 30_000);
