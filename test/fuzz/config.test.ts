// Mutated configs through the parser (test/fuzz/config-fuzz.ts): no crash (only ConfigError),
// no parse over 1 s, every error line-numbered within the file, and `tslvs validate` agreeing
// on a sample. The normal suite runs a few thousand; `npm run fuzz` sets FUZZ_CONFIGS=100000
// (and FUZZ_OUT to keep the figures).
import fs from 'node:fs';
import { fuzz } from './config-fuzz.js';

const count = Number(process.env.FUZZ_CONFIGS ?? 3000);
const full = count > 10_000;
const seed = Number(process.env.FUZZ_SEED ?? 20261206);

test(`${count} mutated configs: only line-numbered ConfigErrors, none slow`, async () => {
  const stats = await fuzz({
    seed, count,
    // Bounded in time as well as count; the full run must do all of its configs.
    maxSeconds: full ? 1500 : 25,
    validateEvery: full ? 500 : 300,
  });
  const { slowestText, ...figures } = stats;
  const out = process.env.FUZZ_OUT;
  if (out && slowestText !== undefined) fs.writeFileSync(`${out}.slowest.cf`, Buffer.from(slowestText, 'latin1'));
  const summary = { ...figures, seconds: Math.round(stats.seconds * 10) / 10, slowestMs: Math.round(stats.slowestMs * 10) / 10,
    slowestWallMs: Math.round(stats.slowestWallMs), slowestHugeMs: Math.round(stats.slowestHugeMs * 10) / 10 };
  if (out) fs.writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  if (full) console.log(JSON.stringify(summary, null, 2));
  expect(stats.problems).toEqual([]);
  // The normal suite may stop at its time bound on a loaded box, but not before doing real work.
  expect(stats.configs).toBeGreaterThanOrEqual(full ? count : Math.min(count, 1000));
  expect(stats.errors).toBeGreaterThan(0);
  expect(stats.parsed).toBeGreaterThan(0);
  expect(stats.validated).toBeGreaterThan(0);
  expect(stats.slowestMs).toBeLessThan(1000);
}, 1_800_000);
