// Acceptance for the config reader: on every fixture, tslvs reads what real ldirectord reads
// (valid files), or fails on the same line with the same words and exit status (broken ones).
// Needs the ldirectord Debian package (scripts/deps/ldirectord.sh) and a built dist/.
import path from 'node:path';
import {
  diffPaths, fixtureFiles, ldirectordView, normalizePids, runLdirectord, runTslvs, tslvsView,
} from './ldirectord-config.js';


/** Deliberate differences (docs/COMPATIBILITY.md), by fixture: which paths, and why. */
const DELIBERATE: Record<string, Array<{ path: RegExp; why: string }>> = {
  'per-real-request.cf': [
    {
      // ldirectord: a per-real request that already starts with "/" resets Perl's $2, so the
      // real's receive string (and anything after it on the line) is silently dropped and the
      // virtual's receive and URL are used. tslvs keeps what the operator wrote.
      path: /^(virtuals\.1\.real\.0\.(id|receive|url)|shared\.\d+\.real)$/,
      why: 'per-real "/request", "receive" pair keeps its receive string',
    },
  ],
  'thresholds-man-page-form.cf': [
    {
      // "l:5", "u:10" is the man page's threshold form; ldirectord takes it for a request/receive
      // pair. tslvs sets the thresholds and keeps the virtual's request/receive.
      path: /^(virtuals\.0\.real\.0\.(id|request|receive|url|lower|upper)|shared\.0\.real)$/,
      why: 'quoted l:N / u:N are thresholds',
    },
    {
      // "u:100 l:10": ldirectord finds l:10 and silently drops u:100 (it searched for u: after it).
      path: /^virtuals\.0\.real\.1\.upper$/,
      why: 'thresholds in either order',
    },
  ],
};

describe('valid fixtures: same model as ldirectord', () => {
  test.each(fixtureFiles('valid').map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    const [ld, ts] = await Promise.all([runLdirectord(file), runTslvs(file)]);
    expect(ld.exitCode).toBe(0);
    expect({ exit: ts.exitCode, stderr: ts.exitCode === 0 ? '' : ts.stderr }).toEqual({ exit: 0, stderr: '' });
    // Warnings (deprecated checkcount, bare supervised, fork=no) in the same words.
    expect(normalizePids(ts.stderr)).toBe(normalizePids(ld.stderr.replace(/^Use of uninitialized value.*(\n|$)/gm, '')));
    const differences = diffPaths(ldirectordView(JSON.parse(ld.stdout)), tslvsView(JSON.parse(ts.stdout)));
    const allowed = DELIBERATE[path.basename(file)] ?? [];
    // Every difference is a documented one, and every documented one still happens.
    expect(differences.filter((d) => !allowed.some((a) => a.path.test(d)))).toEqual([]);
    for (const a of allowed) expect(differences.some((d) => a.path.test(d))).toBe(true);
  }, 120_000);
});

describe('broken fixtures: same error, same line, same exit status', () => {
  test.each(fixtureFiles('broken').map((f) => [path.basename(f), f]))('%s', async (_name, file) => {
    const [ld, ts] = await Promise.all([runLdirectord(file), runTslvs(file)]);
    expect(ld.exitCode).toBe(2);
    expect(ts.exitCode).toBe(2);
    const ldErrors = normalizePids(ld.stderr).split(/(?=^(?:Error|Warning) \[PID\])/m).filter((s) => /^(Error|Warning) /.test(s));
    expect(normalizePids(ts.stderr)).toBe(ldErrors.join(''));
  }, 120_000);
});
