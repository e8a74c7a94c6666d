// The daemon differential test (issue 4): the same config and the same real-server events
// against the real ldirectord 4.12 and tslvs, both daemonized on the stand-in ipvsadm in
// private mount namespaces. Per scenario: the transition and lifecycle lines of each step,
// the fallbackcommand runs and the final table must be equal after the named normalisation
// rules (test/daemon-diff/normalise.ts, docs/DAEMON-DIFF.md), and each rule must fire exactly
// where the scenario says. Needs root and /usr/sbin/ldirectord; skipped (with a message)
// otherwise. The tslvs half is skipped while `tslvs -h` does not list `start`.
//
// Environment: TSLVS_DIFF_DIRECTORS=ldirectord|tslvs|both, TSLVS_DIFF_ONLY=id,id,
// TSLVS_DIFF_CONCURRENCY=N, TSLVS_DIFF_KEEP=1 (keep work dirs), TSLVS_DIFF_REPORT=file.json.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fs from 'node:fs';
import { directorUnavailable, tslvsDaemonAvailable, type DirectorKind } from '../support/director.js';
import { runScenario, type ScenarioResult } from './runner.js';
import { SCENARIOS } from './scenarios.js';

const unavailable = directorUnavailable('ldirectord');
if (unavailable) console.warn(`daemon differential test skipped: ${unavailable}`);

const wanted = process.env.TSLVS_DIFF_DIRECTORS ?? 'both';
const tslvsReady = !unavailable && wanted !== 'ldirectord' && tslvsDaemonAvailable();
if (!unavailable && wanted !== 'ldirectord' && !tslvsReady) {
  console.warn('daemon differential test: tslvs has no daemon yet (`node bin/tslvs.js -h` does not list start; npm run build?): only the ldirectord side runs');
}
const kinds: DirectorKind[] = wanted === 'tslvs' ? (tslvsReady ? ['tslvs'] : []) : tslvsReady && wanted !== 'ldirectord' ? ['ldirectord', 'tslvs'] : ['ldirectord'];
const only = process.env.TSLVS_DIFF_ONLY?.split(',').filter(Boolean);
const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));
const concurrency = Number(process.env.TSLVS_DIFF_CONCURRENCY ?? (kinds.length > 1 ? 3 : 5));

const results = new Map<string, ScenarioResult>();

(unavailable ? describe.skip : describe)('daemon: same transitions and table as ldirectord 4.12', () => {
  beforeAll(async () => {
    const queue = scenarios.map((s) => ({ s, index: SCENARIOS.indexOf(s) + 1 }));
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        try {
          results.set(job.s.id, await runScenario(job.s, job.index, kinds, { keep: process.env.TSLVS_DIFF_KEEP === '1' }));
        } catch (e) {
          results.set(job.s.id, { id: job.s.id, title: job.s.title, stepKinds: [], sides: {}, ldirectordProblems: [`harness error: ${(e as Error).stack}`], differences: [`harness error: ${(e as Error).message}`], seconds: 0 });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }, 600_000);

  afterAll(() => {
    const file = process.env.TSLVS_DIFF_REPORT;
    if (file) {
      fs.writeFileSync(file, JSON.stringify({ kinds, tslvsReady, results: [...results.values()].map((r) => ({
        id: r.id, title: r.title, seconds: r.seconds, ldirectordProblems: r.ldirectordProblems, differences: r.differences,
        fired: Object.fromEntries(Object.entries(r.sides).map(([k, v]) => [k, v?.fired])),
        sides: Object.fromEntries(Object.entries(r.sides).map(([k, v]) => [k, {
          normalised: v?.normalised, table: v?.table, other: v?.other, log: v?.log, fallbackLog: v?.fallbackLog, execs: v?.execs,
        }])),
      })) }, null, 2));
    }
  });

  const hasLd = kinds.includes('ldirectord');
  for (const s of scenarios) {
    (hasLd ? test : test.skip)(`${s.id}: ldirectord does what the scenario says (${s.title})`, () => {
      const r = results.get(s.id)!;
      expect(r.ldirectordProblems).toEqual([]);
    });
    (tslvsReady && hasLd ? test : test.skip)(`${s.id}: tslvs agrees with ldirectord`, () => {
      const r = results.get(s.id)!;
      expect(r.differences).toEqual([]);
    });
  }
});
