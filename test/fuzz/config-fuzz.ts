// Config fuzzing: mutations of the fixtures (fixtures/valid, fixtures/broken) through the parser
// in-process, and a sample through `tslvs validate`. Deterministic for a seed; bounded in count
// and in time. Shared by the normal suite (a few thousand configs) and `npm run fuzz` (100,000).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatConfigMessage } from '../../src/config/errors.js';
import { readOnlyProbe } from '../../src/config/load.js';
import { ConfigParser } from '../../src/config/parser.js';
import type { ConfigFileProbe } from '../../src/config/parser.js';
import { ServicesTable, staticResolver } from '../../src/config/resolve.js';
import type { NameResolver } from '../../src/config/resolve.js';
import { buildConfig } from '../../src/config/setup.js';
import { probe as testProbe, resolver as testResolver } from '../config/helpers.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');

/** The fixtures as byte strings (latin1), as the daemon reads files. */
export function fixtures(): string[] {
  const out: string[] = [];
  for (const dir of ['fixtures/valid', 'fixtures/broken']) {
    for (const f of fs.readdirSync(path.join(ROOT, dir)).sort()) out.push(fs.readFileSync(path.join(ROOT, dir, f), 'latin1'));
  }
  return out;
}

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['=', '"', '#', ':', '->', '[', ']', ',', 'l:', 'u:', 'virtual=', 'virtual6=', 'real=', 'real6=', ' gate', ' masq',
  ' ipip', 'fallback=', 'checktype=', 'service=', 'request=', 'receive=', '0', '65536', '4294967296', '-1', 'yes', 'no'];
const BLANKS = ['\t', '\r', '\f', '\v', ' ', '    ', '\u00a0', '\u0000', '\t\t'];
/** Unicode as a file holds it: UTF-8 bytes, read back as latin1 (the daemon reads bytes). */
const UNICODE = ['é', 'ℵ', '\u200b', '\ufeff', '😀', '\u2028', 'Ω', '\u0301'].map((s) => Buffer.from(s, 'utf8').toString('latin1'));

export type Mutation = 'byte' | 'bit' | 'dupLine' | 'delLine' | 'splice' | 'huge' | 'blank' | 'unicode' | 'token' | 'indent';
const MUTATIONS: Mutation[] = ['byte', 'bit', 'dupLine', 'delLine', 'splice', 'huge', 'blank', 'unicode', 'token', 'indent'];

/** One mutated config: 1 to 4 mutations of a fixture. */
export function mutate(bases: string[], r: () => number): { text: string; mutations: Mutation[] } {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  let text = pick(bases);
  const mutations: Mutation[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    // Huge values are rare: they dominate the time.
    let m = pick(MUTATIONS);
    if (m === 'huge' && r() < 0.8) m = 'byte';
    mutations.push(m);
    const at = Math.floor(r() * (text.length + 1));
    const lines = text.split('\n');
    const li = Math.floor(r() * lines.length);
    switch (m) {
      case 'byte':
        text = text.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + text.slice(at + 1);
        break;
      case 'bit':
        if (at < text.length) {
          const flipped = String.fromCharCode(text.charCodeAt(at) ^ (1 << Math.floor(r() * 8)));
          text = text.slice(0, at) + flipped + text.slice(at + 1);
        }
        break;
      case 'dupLine':
        lines.splice(li, 0, lines[li]!);
        text = lines.join('\n');
        break;
      case 'delLine':
        lines.splice(li, 1);
        text = lines.join('\n');
        break;
      case 'splice': {
        const other = pick(bases).split('\n');
        const from = Math.floor(r() * other.length);
        lines.splice(li, 0, ...other.slice(from, from + 1 + Math.floor(r() * 6)));
        text = lines.join('\n');
        break;
      }
      case 'huge': {
        // Around the 64 KiB line limit, both sides of it.
        const size = Math.floor(r() * 80_000);
        const fill = pick(['a', ' ', '[', '1.', '" ', 'l:1 ', ':', '\t', 'x-']).repeat(Math.ceil(size / 2)).slice(0, size);
        text = text.slice(0, at) + fill + text.slice(at);
        break;
      }
      case 'blank':
        text = text.slice(0, at) + pick(BLANKS) + text.slice(at);
        break;
      case 'unicode':
        text = text.slice(0, at) + pick(UNICODE) + text.slice(at);
        break;
      case 'token':
        text = text.slice(0, at) + pick(TOKENS) + text.slice(at);
        break;
      case 'indent':
        lines[li] = r() < 0.5 ? lines[li]!.replace(/^[ \t]+/, '') : `${pick(['\t', '    ', '  ', ' \t'])}${lines[li]}`;
        text = lines.join('\n');
        break;
    }
  }
  return { text, mutations };
}

/** Lines as ldirectord counts them: "\n"-terminated records, a last one without its newline. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/** An error message without its variable parts (values, numbers, quoted text): its kind. */
export function errorKind(text: string): string {
  // The unknown line itself is the variable part.
  if (text.startsWith('Unknown command')) return 'Unknown command …';
  return text
    .replace(/"[^]*$/, '"…"')
    .replace(/\([^)]*\)/g, '(…)')
    .replace(/\d+(\.\d+)*/g, 'N')
    .replace(/: .*/, ': …')
    .slice(0, 80);
}

/**
 * `ms`: wall time; `cpuMs`: CPU time of this process meanwhile. The 1 s bound is on CPU time: on
 * a 2-core box shared with other work, wall time also counts the waits for a core.
 */
export interface Outcome { ok: boolean; ms: number; cpuMs: number; error?: ConfigError }

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
}

async function parseWith(text: string, resolver: NameResolver, probe: ConfigFileProbe): Promise<Outcome> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    buildConfig('fuzz.cf', await new ConfigParser({ resolver, probe }).parse(text));
    return { ok: true, ms: performance.now() - started, cpuMs: cpuMsSince(cpu) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, ms: performance.now() - started, cpuMs: cpuMsSince(cpu), error: err };
    throw Object.assign(new Error(`crash: ${(err as Error).stack ?? String(err)}`), { text });
  }
}

export interface Stats {
  seed: number;
  configs: number;
  parsed: number;
  errors: number;
  seconds: number;
  /** The slowest parse by CPU time, and the longest wall time seen. */
  slowestMs: number;
  slowestWallMs: number;
  /** The slowest (CPU) among configs with a huge value (up to 80,000 bytes inserted). */
  slowestHugeMs: number;
  slowestMutations: Mutation[];
  slowestBytes: number;
  /** The slowest config itself (not in the JSON figures): to reproduce a slow parse. */
  slowestText?: string;
  byKind: Record<string, number>;
  byMutation: Record<string, number>;
  validated: number;
  validateAgreed: number;
  validateSkipped: number;
  /** Contract failures: crashes, slow parses, errors without a line inside the file. Empty when all is well. */
  problems: string[];
}

/** The resolver `validate` uses, minus DNS: literals only; any other name marks the config unfit for the sample. */
function literalOnly(services: ServicesTable): { resolver: NameResolver; asked: () => boolean; reset: () => void } {
  const base = staticResolver({}, services, 'director');
  let asked = false;
  return {
    resolver: {
      async lookupHost(name, family) {
        const a = await base.lookupHost(name, family);
        if (a === undefined) asked = true;
        return a;
      },
      lookupService: base.lookupService,
      hostname: () => process.env.HOSTNAME ?? os.hostname(),
    },
    asked: () => asked,
    reset: () => { asked = false; },
  };
}

function runValidate(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSLVS, 'validate', file], { encoding: 'latin1', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Stop early (with what was done) after this long. */
  maxSeconds: number;
  /** One config in `validateEvery` (that resolves no name) also goes through `tslvs validate`. */
  validateEvery: number;
  slowMs?: number;
}

export async function fuzz(o: FuzzOptions): Promise<Stats> {
  const r = rng(o.seed);
  const bases = fixtures();
  const slowMs = o.slowMs ?? 1000;
  const stats: Stats = {
    seed: o.seed, configs: 0, parsed: 0, errors: 0, seconds: 0, slowestMs: 0, slowestWallMs: 0, slowestHugeMs: 0, slowestMutations: [], slowestBytes: 0,
    byKind: {}, byMutation: {}, validated: 0, validateAgreed: 0, validateSkipped: 0, problems: [],
  };
  const sample = literalOnly(ServicesTable.fromFile());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-fuzz-'));
  const started = performance.now();
  try {
    for (let i = 0; i < o.count && (performance.now() - started) / 1000 < o.maxSeconds; i++) {
      const { text, mutations } = mutate(bases, r);
      stats.configs++;
      for (const m of mutations) stats.byMutation[m] = (stats.byMutation[m] ?? 0) + 1;
      let out: Outcome;
      try {
        out = await parseWith(text, testResolver, testProbe);
      } catch (err) {
        stats.problems.push(`config ${i}: ${(err as Error).message.slice(0, 500)}`);
        continue;
      }
      stats.slowestWallMs = Math.max(stats.slowestWallMs, out.ms);
      if (mutations.includes('huge')) stats.slowestHugeMs = Math.max(stats.slowestHugeMs, out.cpuMs);
      if (out.cpuMs > stats.slowestMs) {
        Object.assign(stats, { slowestMs: out.cpuMs, slowestMutations: mutations, slowestBytes: text.length, slowestText: text });
      }
      if (out.cpuMs > slowMs) stats.problems.push(`config ${i}: parse took ${Math.round(out.cpuMs)} ms of CPU (${mutations.join(',')})`);
      if (out.ok) stats.parsed++;
      else {
        stats.errors++;
        const e = out.error!;
        const kind = errorKind(e.text);
        stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
        if (!(Number.isInteger(e.line) && e.line >= 1 && e.line <= lineCount(text))) {
          stats.problems.push(`config ${i}: error at line ${e.line} of ${lineCount(text)}: ${e.text.slice(0, 200)}`);
        }
      }
      if (i % o.validateEvery === 0) await validateOne(i, text, sample, dir, stats);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}

/** The same config through `tslvs validate`: the same verdict as in-process, in ldirectord's error format. */
async function validateOne(i: number, text: string, sample: ReturnType<typeof literalOnly>, dir: string, stats: Stats): Promise<void> {
  sample.reset();
  let expected: Outcome;
  try {
    expected = await parseWith(text, sample.resolver, readOnlyProbe);
  } catch (err) {
    stats.problems.push(`config ${i} (validate resolver): ${(err as Error).message.slice(0, 500)}`);
    return;
  }
  // A name that is not a literal would go to the system resolver (a DNS query): not sent.
  if (sample.asked()) {
    stats.validateSkipped++;
    return;
  }
  const file = path.join(dir, `fuzz-${i}.cf`);
  fs.writeFileSync(file, Buffer.from(text, 'latin1'));
  const res = await runValidate(file);
  stats.validated++;
  let agreed: boolean;
  if (expected.ok) {
    agreed = res.code === 0;
  } else {
    const e = expected.error!;
    const want = formatConfigMessage('Error', 0, file, e.line, e.text).replace(/^Error \[0\]/, '');
    const m = /^Error \[(\d+)\]([^]*)$/.exec(res.stderr);
    agreed = res.code === 2 && m !== null && m[2] === want && /^Error \[\d+\] reading file .* at line \d+: /.test(res.stderr);
  }
  if (agreed) stats.validateAgreed++;
  else {
    const inProcess = expected.ok ? 'ok' : JSON.stringify(expected.error!.text.slice(0, 200));
    const stderr = JSON.stringify(res.stderr.slice(0, 300));
    stats.problems.push(`config ${i}: validate exit ${res.code}, stderr ${stderr}, in-process ${inProcess}`);
  }
  fs.rmSync(file, { force: true });
}
