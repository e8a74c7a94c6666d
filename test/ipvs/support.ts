// Helpers for the stand-in tests: a private state file per test and a backend pointed at the
// stand-in executable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ipvsadmBackend } from '../../src/ipvs/backend.js';
import type { ContractTarget } from './contract.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STANDIN = join(ROOT, 'test', 'fixtures', 'bin', 'ipvsadm');

export interface StandinEnv {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function standinEnv(extra: NodeJS.ProcessEnv = {}): StandinEnv {
  const dir = mkdtempSync(join(tmpdir(), 'tslvs-ipvs-'));
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TSLVS_IPVS_STATE: join(dir, 'state.json'), TSLVS_IPVSADM_ARGV0: 'ipvsadm', ...extra };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function standinRun(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await execa(STANDIN, args, { env, extendEnv: false, reject: false, stripFinalNewline: false, ...(input !== undefined ? { input } : { stdin: 'ignore' as const }) });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function standinTarget(s: StandinEnv): ContractTarget {
  return {
    backend: ipvsadmBackend({ ipvsadm: STANDIN, env: s.env }),
    reset: async () => {
      await standinRun(s.env, ['-C']);
    },
    raw: (args) => standinRun(s.env, args),
  };
}
