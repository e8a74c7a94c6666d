import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateCommand } from '../../src/cli/validate.js';
import type { Output } from '../../src/cli/validate.js';
import { findConfigFile } from '../../src/config/load.js';
import { probe, resolver } from '../config/helpers.js';

function capture(): Output & { out: string; err: string } {
  const o = { out: '', err: '', color: false, stdout: (t: string) => { o.out += t; }, stderr: (t: string) => { o.err += t; } };
  return o;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-validate-'));
const write = (name: string, text: string) => { const p = path.join(dir, name); fs.writeFileSync(p, text); return p; };

const SECRET_CONFIG = [
  'virtual=10.0.0.1:1812', '\tprotocol=udp', '\treal=10.0.0.2:1812 masq', '\tlogin="probe"',
  '\tpasswd="hunter2-passwd"', '\tsecret="s3cr3t-shared"', '',
].join('\n');

test('a valid file: exit 0, a summary, secrets masked', async () => {
  const o = capture();
  expect(await validateCommand(write('ok.cf', SECRET_CONFIG), {}, o, { resolver, probe })).toBe(0);
  expect(o.out).toContain('Virtual udp 10.0.0.1:1812');
  expect(o.out).toContain('real 10.0.0.2:1812  masq  weight 1');
  expect(o.out).toContain('passwd ********');
  expect(o.out + o.err).not.toMatch(/hunter2|s3cr3t/);
});

test('--json prints the resolved model with secrets masked', async () => {
  const o = capture();
  expect(await validateCommand(write('ok.cf', SECRET_CONFIG), { json: true }, o, { resolver, probe })).toBe(0);
  const model = JSON.parse(o.out);
  expect(model.virtuals[0]).toMatchObject({ service: 'radius', login: 'probe', passwd: '********', secret: '********' });
  expect(o.out).not.toMatch(/hunter2|s3cr3t/);
});

test('a broken file: ldirectord\'s message on stderr, exit 2, nothing on stdout', async () => {
  const o = capture();
  const file = write('bad.cf', 'checktimeout=3\nvirtual=10.0.0.1:80\n\treal=10.0.0.2:80 bridge\n');
  expect(await validateCommand(file, {}, o, { resolver, probe })).toBe(2);
  expect(o.out).toBe('');
  expect(o.err).toBe(`Error [${process.pid}] reading file ${file} at line 3: forward method must be gate, masq or ipip\n`);
});

test('warnings go to stderr and do not fail validation', async () => {
  const o = capture();
  const file = write('warn.cf', 'supervised\nvirtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n');
  expect(await validateCommand(file, {}, o, { resolver, probe })).toBe(0);
  expect(o.err).toBe(`Warning [${process.pid}] reading file ${file} at line 1: please update your config not to use a bare supervised directive\n`);
});

test('a missing file: "Config file X not found", exit 1 like ldirectord', async () => {
  const o = capture();
  expect(await validateCommand(path.join(dir, 'nope.cf'), {}, o)).toBe(1);
  expect(o.err).toBe(`Config file ${path.join(dir, 'nope.cf')} not found\n`);
});

test('lookup order: the first root, then the second, then the name as given', () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-roots-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-roots-b-'));
  fs.writeFileSync(path.join(b, 'x.cf'), '');
  expect(findConfigFile('x.cf', [a, b])).toBe(path.join(b, 'x.cf'));
  fs.writeFileSync(path.join(a, 'x.cf'), '');
  expect(findConfigFile('x.cf', [a, b])).toBe(path.join(a, 'x.cf'));
  const given = write('given.cf', '');
  expect(findConfigFile(given, [a, b])).toBe(given);
  expect(findConfigFile(path.join(dir, 'missing.cf'), [a, b])).toBeUndefined();
});
