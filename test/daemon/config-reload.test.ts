// The pure reload decisions (src/daemon/config-reload.ts) and the file sampling under them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MIN_RETRY_MS, NO_VIRTUALS_APPLIED, NO_VIRTUALS_KEPT, QUIET_MS, reloadVerdict, sampleKey, settle,
} from '../../src/daemon/config-reload.js';
import type { ContentSample } from '../../src/daemon/config-reload.js';
import { ConfigFileWatch, sampleConfigFile } from '../../src/daemon/config-watch.js';

const sample = (over: Partial<ContentSample> = {}): ContentSample => ({
  kind: 'content', text: 'x', digest: 'd1', size: 1, mtimeMs: 10_000, changedWhileRead: false, ...over,
});

describe('settle', () => {
  test('a file quiet for QUIET_MS by its mtime is settled', () => {
    expect(settle(sample(), undefined, 10_000 + QUIET_MS)).toEqual({ settled: true });
  });

  test('a fresh file is retried when it will have been quiet long enough', () => {
    const s = settle(sample(), undefined, 10_300);
    const pending = { digest: 'd1', size: 1, mtimeMs: 10_000, firstSeen: 10_300 };
    expect(s).toEqual({ settled: false, pending, retryInMs: QUIET_MS - 300 });
  });

  test('a file that changed while read is retried soon, and its quiet time starts again', () => {
    const s = settle(sample({ changedWhileRead: true }), undefined, 50_000);
    expect(s).toMatchObject({ settled: false, retryInMs: MIN_RETRY_MS });
  });

  test('an mtime in the future: settled once seen unchanged for QUIET_MS', () => {
    const future = sample({ mtimeMs: 1e12 });
    const first = settle(future, undefined, 20_000);
    expect(first).toMatchObject({ settled: false, retryInMs: QUIET_MS });
    if (first.settled) throw new Error('unreachable');
    expect(settle(future, first.pending, 20_000 + QUIET_MS - 1).settled).toBe(false);
    expect(settle(future, first.pending, 20_000 + QUIET_MS).settled).toBe(true);
    // Another content restarts the count.
    expect(settle(sample({ mtimeMs: 1e12, digest: 'd2' }), first.pending, 20_000 + QUIET_MS).settled).toBe(false);
  });
});

describe('reloadVerdict', () => {
  test('a config with virtual services is applied either way', () => {
    expect(reloadVerdict('file', { virtuals: 3 }, { virtuals: 1 })).toEqual({ apply: true });
    expect(reloadVerdict('signal', { virtuals: 3 }, { virtuals: 1 })).toEqual({ apply: true });
  });
  test('none, with a running table: kept on autoreload, applied with a warning on HUP', () => {
    expect(reloadVerdict('file', { virtuals: 2 }, { virtuals: 0 })).toEqual({ apply: false, log: NO_VIRTUALS_KEPT });
    expect(reloadVerdict('signal', { virtuals: 2 }, { virtuals: 0 })).toEqual({ apply: true, warning: NO_VIRTUALS_APPLIED });
  });
  test('none, and none running: nothing to lose', () => {
    expect(reloadVerdict('file', { virtuals: 0 }, { virtuals: 0 })).toEqual({ apply: true });
  });
});

describe('sampling the file', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-reload-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('content, missing, unreadable', () => {
    const f = path.join(dir, 'a.cf');
    expect(sampleConfigFile(f)).toEqual({ kind: 'missing' });
    fs.writeFileSync(f, 'checkinterval=5\n');
    const s = sampleConfigFile(f);
    expect(s).toMatchObject({ kind: 'content', text: 'checkinterval=5\n', size: 16, changedWhileRead: false });
    fs.rmSync(f);
    fs.mkdirSync(f);
    expect(sampleConfigFile(f)).toEqual({ kind: 'unreadable', error: 'Is a directory' });
  });

  test('each state is reported once until accepted; a return after deletion is a change', async () => {
    const f = path.join(dir, 'b.cf');
    fs.writeFileSync(f, 'a\n');
    const w = new ConfigFileWatch(f);
    expect(w.poll(true)).toBeUndefined();
    fs.rmSync(f);
    const gone = w.poll(true)!;
    expect(gone).toEqual({ kind: 'missing' });
    w.accept(gone);
    expect(w.poll(true)).toBeUndefined();
    fs.writeFileSync(f, 'a\n');
    const back = w.poll(true)!;
    expect(sampleKey(back)).toBe(sampleKey(sampleConfigFile(f)));
    expect(back.kind).toBe('content');
    w.accept(back);
    expect(w.poll(true)).toBeUndefined();
    await w.close();
  });
});
