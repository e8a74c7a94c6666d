// The ipvsadm backend against a misbehaving ipvsadm: small scripts put in place of ipvsadm
// (the backend's ipvsadm path) that wrap the stand-in and fail, hang, print garbage, apply
// only part of a batch, or print the title line of a kernel with another connection-table
// size. Each op that did not take must say why (ipvsadm's error line, its exit status, the
// timeout), since that reason is what the director logs in "Failed to apply ...".

import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipvsadmBackend } from '../../src/ipvs/backend.js';
import type { IpvsOp, ServiceId } from '../../src/ipvs/types.js';
import { STANDIN, standinEnv, standinRun } from './support.js';

const s = standinEnv();
afterAll(() => s.cleanup());

/** A fake ipvsadm: `body` runs with $input = its stdin, $STANDIN = the stand-in, and `writes` true when $input changes the table. */
function fake(name: string, body: string): string {
  const path = join(s.dir, name);
  writeFileSync(path, `#!/bin/sh
STANDIN='${STANDIN}'
input=$(cat)
writes=false
if printf '%s\\n' "$input" | grep -qE '^-[AaDdEe] '; then writes=true; fi
${body}
`);
  chmodSync(path, 0o755);
  return path;
}

const id: ServiceId = { kind: 'addr', protocol: 'tcp', address: '10.50.0.1', port: 80 };
const addReal = (last: number): IpvsOp => ({
  kind: 'addReal', service: id, real: { address: `10.50.0.${last}`, port: 80, forwarding: 'Masq', weight: 1 },
});

async function realsInTable(): Promise<string[]> {
  const r = await standinRun(s.env, ['-S', '-n']);
  return r.stdout.split('\n').filter((l) => l.startsWith('-a ')).map((l) => l.split(' ')[4]!).sort();
}

describe('ipvsadm backend: failures carry their cause', () => {
  beforeEach(async () => {
    await standinRun(s.env, ['-C']);
    await standinRun(s.env, ['-A', '-t', '10.50.0.1:80', '-s', 'rr']);
  });

  test('a kernel with another connection-table size (conn_tab_bits): the table is read and written', async () => {
    const title = 's/^IP Virtual Server version 1\\.2\\.1 (size=4096)$/IP Virtual Server version 1.2.1 (size=1048576)/';
    const path = fake('big-conn-tab', `printf '%s\\n' "$input" | "$STANDIN" "$@" | sed '${title}'`);
    const backend = ipvsadmBackend({ ipvsadm: path, env: s.env });
    const l = await backend.list();
    expect(l.ok).toBe(true);
    if (l.ok) expect(l.table.services.map((x) => x.scheduler)).toEqual(['rr']);
    const res = await backend.apply([addReal(2), addReal(3)]);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([[true, null], [true, null]]);
    // the verification came from the write's own listing (a re-list would be a second exec)
    expect(res.execs).toBe(1);
    expect(res.warnings).toEqual([]);
    expect(await realsInTable()).toEqual(['10.50.0.2:80', '10.50.0.3:80']);
  });

  test('a write that fails with an error line: the line and the exit status are the reason', async () => {
    const path = fake('fails', `if $writes; then echo 'Memory allocation problem' >&2; exit 1; fi
printf '%s\\n' "$input" | exec "$STANDIN" "$@"`);
    const res = await ipvsadmBackend({ ipvsadm: path, env: s.env })
      .apply([addReal(2), { kind: 'deleteReal', service: id, address: '10.50.0.2', port: 80 }, addReal(3)]);
    expect(res.ok).toBe(false);
    expect(res.stderr).toEqual(['Memory allocation problem']);
    expect(res.results.map((r) => r.reason)).toEqual([
      // the add of .2 is superseded by its delete, which "took" (nothing there): both ok
      undefined,
      undefined,
      'ipvsadm -R stopped early (exit status 1): Memory allocation problem; real server not in the table',
    ]);
    expect(res.execs).toBe(2);
  });

  test('a hung ipvsadm is killed after the timeout, with what it started, and the reason says so', async () => {
    const pidFile = join(s.dir, 'sleep.pid');
    // not `exec sleep`: the sleeping child holds the pipes open after the shell is killed
    const path = fake('hangs', `if $writes; then sleep 60 & echo $! > '${pidFile}'; wait; fi
printf '%s\\n' "$input" | exec "$STANDIN" "$@"`);
    const t0 = Date.now();
    const res = await ipvsadmBackend({ ipvsadm: path, env: s.env, timeoutMs: 4000 }).apply([addReal(2)]);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(res.ok).toBe(false);
    expect(res.results[0]!.reason).toBe(`${path} timed out after 4 s; real server not in the table`);
    expect(res.error).toBe(`${path} timed out after 4 s`);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  }, 30_000);

  test('garbage instead of a listing: the table cannot be read, and the reason shows the output', async () => {
    const path = fake('garbage', `printf 'Segmentation fault\\n\\001\\002 garbage\\n'`);
    const backend = ipvsadmBackend({ ipvsadm: path, env: s.env });
    const l = await backend.list();
    expect(l.ok).toBe(false);
    const unreadable = 'ipvsadm listing unreadable: exit status 0, output begins "Segmentation fault\\n\\u0001\\u0002 garbage"';
    if (!l.ok) expect(l.error).toBe(unreadable);
    const res = await backend.apply([addReal(2)]);
    expect(res.ok).toBe(false);
    expect(res.results[0]!.reason).toBe(`ipvsadm -R printed no readable listing (exit status 0); ${unreadable}`);
  });

  test('garbage after a write that took: the ops are judged from a second listing and are ok', async () => {
    const path = fake('garbage-after-write', `if $writes; then
  printf '%s\\n' "$input" | "$STANDIN" "$@" >/dev/null; echo garbage; exit 0
fi
printf '%s\\n' "$input" | exec "$STANDIN" "$@"`);
    const res = await ipvsadmBackend({ ipvsadm: path, env: s.env }).apply([addReal(2)]);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([[true, null]]);
    expect(res.execs).toBe(2);
  });

  test('a batch applied only in part before ipvsadm dies: what took is ok, the rest says why', async () => {
    const path = fake('partial', `if $writes; then
  printf '%s\\n' "$input" | head -n 1 | "$STANDIN" -R
  echo 'Memory allocation problem' >&2
  kill -SEGV $$
fi
printf '%s\\n' "$input" | exec "$STANDIN" "$@"`);
    const res = await ipvsadmBackend({ ipvsadm: path, env: s.env }).apply([addReal(2), addReal(3), addReal(4)]);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([
      [true, null],
      [false, `${path} killed by SIGSEGV: Memory allocation problem; real server not in the table`],
      [false, `${path} killed by SIGSEGV: Memory allocation problem; real server not in the table`],
    ]);
    expect(await realsInTable()).toEqual(['10.50.0.2:80']);
  });

  test('ops the kernel refuses: each takes its own ipvsadm error line', async () => {
    const other: ServiceId = { ...id, port: 81 };
    const res = await ipvsadmBackend({ ipvsadm: STANDIN, env: s.env }).apply([
      addReal(2),
      { kind: 'addReal', service: other, real: { address: '10.50.0.3', port: 81, forwarding: 'Masq', weight: 1 } },
      addReal(4),
      { kind: 'editReal', service: id, real: { address: '10.50.0.8', port: 80, forwarding: 'Masq', weight: 1 } },
    ]);
    expect(res.stderr).toEqual(['Service not defined', 'No such destination']);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([
      [true, null],
      [false, 'ipvsadm: Service not defined; service not in the table'],
      [true, null],
      [false, 'ipvsadm: No such destination; real server not in the table'],
    ]);
  });

  test('more error lines than ops that did not take: no guess, every such op quotes them all', async () => {
    // deleting a real that is not there is refused ("No such destination") but leaves the
    // table as asked, so that line belongs to no failed op and the lines cannot be paired
    const res = await ipvsadmBackend({ ipvsadm: STANDIN, env: s.env }).apply([
      { kind: 'deleteReal', service: id, address: '10.50.0.9', port: 80 },
      { kind: 'addReal', service: { ...id, port: 81 }, real: { address: '10.50.0.3', port: 81, forwarding: 'Masq', weight: 1 } },
    ]);
    expect(res.stderr).toEqual(['No such destination', 'Service not defined']);
    expect(res.results.map((r) => [r.ok, r.reason ?? null])).toEqual([
      [true, null],
      [false, 'ipvsadm reported "No such destination", "Service not defined" for this batch; service not in the table'],
    ]);
  });
});
