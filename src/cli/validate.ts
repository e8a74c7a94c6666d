// `tslvs validate [--json] CONFIG` (alias configtest): read the file exactly as ldirectord
// would at start-up and show the result, or ldirectord's error and exit status.
import { Chalk } from 'chalk';
import { ConfigError, formatConfigMessage } from '../config/errors.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { redactConfig } from '../log/redact.js';
import { summarize } from '../config/summary.js';
import type { Paint } from '../config/summary.js';
import type { LoadOptions } from '../config/load.js';

export interface Output {
  /** Byte strings (latin1) go out unchanged: config text is not re-encoded. */
  stdout(text: string): void;
  stderr(text: string): void;
  color: boolean;
}

export const processOutput: Output = {
  stdout: (t) => { process.stdout.write(Buffer.from(t, 'latin1')); },
  stderr: (t) => { process.stderr.write(Buffer.from(t, 'latin1')); },
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

export async function validateCommand(
  name: string, opts: { json?: boolean }, out: Output = processOutput, load: LoadOptions = {},
): Promise<number> {
  const file = findConfigFile(name);
  if (file === undefined) {
    out.stderr(`Config file ${name} not found\n`);
    return 1;
  }
  try {
    const config = redactConfig(await loadConfig(file, load));
    for (const w of config.warnings) out.stderr(formatConfigMessage('Warning', process.pid, file, w.line, w.message));
    if (opts.json) {
      out.stdout(`${JSON.stringify(config, null, 2)}\n`);
    } else {
      const c = new Chalk({ level: out.color ? 1 : 0 });
      const paint: Paint = { heading: (t) => c.bold(t), dim: (t) => c.dim(t), warn: (t) => c.yellow(t) };
      out.stdout(summarize(config, paint));
    }
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      out.stderr(formatConfigMessage('Error', process.pid, file, err.line, err.text));
      return 2;
    }
    throw err;
  }
}
