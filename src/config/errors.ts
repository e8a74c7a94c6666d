// Config errors and warnings in ldirectord's shape:
//   "Error [PID] reading file PATH at line N: message"
//   "Warning [PID]: message"            (no line, e.g. the checkinterval/fork warning)
// The text is redacted on its way out: an "Unknown command" error echoes the whole line, so a
// mistyped "pasword=..." would otherwise print the password (docs/COMPATIBILITY.md).
import { redact } from '../log/redact.js';

export class ConfigError extends Error {
  /**
   * The global settings read before the error (the parser sets it): ldirectord logs its
   * "Exiting with exit_status 2" line where the `logfile=`/`supervised=` lines read so far say.
   */
  global?: { logfile: string; supervised: boolean };

  constructor(
    /** 1-based line number; 0 when the file itself could not be read. */
    readonly line: number,
    /** ldirectord's message text, exactly (it may contain the raw line with its newline). */
    readonly text: string,
  ) {
    super(text);
    this.name = 'ConfigError';
  }
}

/** ldirectord's __config_log(): chomp the message, then one newline. */
export function formatConfigMessage(
  kind: 'Error' | 'Warning', pid: number, path: string, line: number | undefined, text: string,
): string {
  let prefix = `${kind} [${pid}]`;
  if (line !== undefined && line > 0) prefix += ` reading file ${path} at line ${line}`;
  return `${prefix}: ${redact(text).replace(/\n$/, '')}\n`;
}
