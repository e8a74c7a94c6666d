// Entry point of the stand-in ipvsadm (test/fixtures/bin/ipvsadm runs it with node).
// State lives in the JSON file named by TSLVS_IPVS_STATE, guarded by a lock file so
// concurrent calls (ldirectord forks many) see one consistent table. Without
// TSLVS_IPVS_STATE it behaves like ipvsadm on a kernel without IPVS.
// TSLVS_IPVS_EXEC_LOG, when set, gets one JSON line per invocation (tests count execs with it).

import { appendFileSync, closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { Ipvsadm } from './ipvsadm.js';
import { emptyState, KernelTable, type KState } from './kernel.js';

const LOCK_WAIT_MS = 10_000;
const sleepBuf = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => {
  Atomics.wait(sleepBuf, 0, 0, ms);
};

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** O_EXCL lock file holding our pid; a lock whose owner died is taken over. */
function lock(path: string): () => void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(path, 'utf8'));
    } catch {
      continue;
    }
    if (Number.isInteger(owner) && owner > 0 && !pidAlive(owner)) {
      // Take over a dead owner's lock: rename is atomic, so only one waiter wins it.
      const stale = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, stale);
        const again = Number(readFileSync(stale, 'utf8'));
        if (again === owner) unlinkSync(stale);
        else renameSync(stale, path);
      } catch {
        /* someone else handled it */
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`stand-in ipvsadm: lock ${path} held by pid ${owner} for more than ${LOCK_WAIT_MS} ms`);
    sleep(2 + Math.random() * 5);
  }
}

function loadState(path: string): KState {
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as KState;
    if (s && s.version === 1 && Array.isArray(s.services)) return s;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return emptyState();
}

function saveState(path: string, s: KState): void {
  const tmp = `${path}.tmp.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(s));
  renameSync(tmp, path);
}

function main(): number {
  const args = process.argv.slice(2);
  const argv0 = process.env['TSLVS_IPVSADM_ARGV0'] || 'ipvsadm';
  const statePath = process.env['TSLVS_IPVS_STATE'];
  let stdinText: string | null = null;
  const readStdin = (): string => {
    if (stdinText === null) {
      try {
        stdinText = readFileSync(0, 'utf8');
      } catch {
        stdinText = '';
      }
    }
    return stdinText;
  };
  const logPath = process.env['TSLVS_IPVS_EXEC_LOG'];
  const logExec = (code: number): void => {
    if (!logPath) return;
    const entry = { pid: process.pid, args, stdin: stdinText, code };
    appendFileSync(logPath, JSON.stringify(entry) + '\n');
  };
  if (!statePath) {
    process.stderr.write('Can\'t initialize ipvs: Protocol not available\n'
      + 'Are you sure that IP Virtual Server is built in the kernel or as module?\n');
    logExec(2);
    return 2;
  }
  const unlock = lock(`${statePath}.lock`);
  let result;
  try {
    const table = new KernelTable(loadState(statePath));
    const before = JSON.stringify(table.state);
    result = new Ipvsadm(table, { argv0, stdin: readStdin }).run(args);
    if (JSON.stringify(table.state) !== before) saveState(statePath, table.state);
  } finally {
    unlock();
  }
  logExec(result.code);
  if (result.stdout) writeSync(1, result.stdout);
  if (result.stderr) writeSync(2, result.stderr);
  return result.code;
}

process.exitCode = main();
