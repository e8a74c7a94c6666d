// Finding and reading a config file as ldirectord does, and the default file-system probe.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import type { Config } from './model.js';
import { ConfigParser } from './parser.js';
import type { ConfigFileProbe } from './parser.js';
import { systemResolver } from './resolve.js';
import type { NameResolver } from './resolve.js';
import { buildConfig } from './setup.js';
import { strerrorOf } from '../log/strerror.js';

/** ldirectord's lookup: /etc/ha.d/NAME, then /etc/ha.d/conf/NAME, then NAME as given. */
export function findConfigFile(name: string, roots: string[] = ['/etc/ha.d', '/etc/ha.d/conf']): string | undefined {
  for (const root of roots) {
    const candidate = path.join(root, name);
    if (isFile(candidate)) return candidate;
  }
  return isFile(name) ? name : undefined;
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

/** Answers "could ldirectord open this for append?" without creating or changing anything. */
export const readOnlyProbe: ConfigFileProbe = {
  appendError(file) {
    try {
      const st = fs.statSync(file);
      if (st.isDirectory()) return strerrorOf('EISDIR');
      fs.accessSync(file, fs.constants.W_OK);
      return null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code !== 'ENOENT') return strerrorOf(code);
    }
    // Missing file: open(O_CREAT) needs a writable directory.
    try {
      const dir = path.dirname(file);
      if (!fs.statSync(dir).isDirectory()) return strerrorOf('ENOTDIR');
      fs.accessSync(dir, fs.constants.W_OK);
      return null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      return strerrorOf(code);
    }
  },
  isDirectory(dir) {
    try { return fs.statSync(dir).isDirectory(); } catch { return false; }
  },
};

export interface LoadOptions {
  resolver?: NameResolver;
  probe?: ConfigFileProbe;
  debug?: boolean;
}

/** Parse config text (as latin1 "byte string"); throws ConfigError. */
export async function parseConfigText(text: string, file: string, opts: LoadOptions = {}): Promise<Config> {
  const parser = new ConfigParser({
    resolver: opts.resolver ?? systemResolver,
    probe: opts.probe ?? readOnlyProbe,
    debug: opts.debug,
  });
  return buildConfig(file, await parser.parse(text));
}

/** Read and parse a file that was already located; throws ConfigError(0, …) when unreadable. */
export async function loadConfig(file: string, opts: LoadOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    throw new ConfigError(0, `can not open file ${file}`);
  }
  return parseConfigText(text, file, opts);
}
