// A Director on the simulated IPVS table with its log captured, for tests that drive rounds
// one by one against real loopback servers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/model.js';
import { splitArgv } from '../../src/checks/util/argv.js';
import { CommandQueue } from '../../src/daemon/commands.js';
import type { CommandRunner } from '../../src/daemon/commands.js';
import { Director } from '../../src/daemon/director.js';
import type { DirectorDeps } from '../../src/daemon/director.js';
import { simBackend } from '../../src/ipvs/sim/backend.js';
import type { SimBackend } from '../../src/ipvs/sim/backend.js';
import { resolver } from '../config/helpers.js';

export interface Kit {
  director: Director;
  backend: SimBackend;
  lines: string[];
  /** fallbackcommand/callback runs: argv as the runner received it. */
  commands: string[][];
  queue: CommandQueue;
  /** Lines logged since the last call. */
  take(): string[];
  /** `ipvsadm -S -n` of the simulated table. */
  save(): Promise<string>;
  ipvsadm(...args: string[]): Promise<string>;
}

const probe = {
  appendError: () => null,
  isDirectory: (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory(),
};

export async function parseConfig(text: string, file = 'test.cf'): Promise<Config> {
  return parseConfigText(text, file, { resolver, probe });
}

export async function makeKit(text: string, deps: Partial<DirectorDeps> = {}): Promise<Kit> {
  const backend = simBackend();
  const lines: string[] = [];
  const commands: string[][] = [];
  const runner: CommandRunner = async (command, args) => {
    commands.push([...splitArgv(command), ...args]);
    return { ok: true, line: [command, ...args].join(' ') };
  };
  const queue = new CommandQueue(runner, (m) => lines.push(m));
  const director = new Director(await parseConfig(text), {
    backend, log: (m) => lines.push(m), commands: queue, reverse: async () => undefined, ...deps,
  });
  let seen = 0;
  const ipvsadm = async (...args: string[]) => (await backend.runner.run(args)).stdout;
  return {
    director, backend, lines, commands, queue,
    take() { const out = lines.slice(seen); seen = lines.length; return out; },
    save: () => ipvsadm('-S', '-n'),
    ipvsadm,
  };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
