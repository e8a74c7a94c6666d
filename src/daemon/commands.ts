// fallbackcommand, callback and execute= children: ldirectord hands each to /bin/sh via
// system(). tslvs splits the configured text into argv (quotes honoured, nothing expanded)
// and runs it without a shell. A failure is logged in ldirectord's words:
// "system(<command line>) failed: <reason>".
import { execa } from 'execa';
import { splitArgv } from '../checks/util/argv.js';

export interface CommandOutcome {
  ok: boolean;
  /** ldirectord's whole command line, for the log. */
  line: string;
  reason?: string;
}

export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandOutcome>;

/** Commands are not expected to hang; a bound keeps a stuck one from piling up processes. */
export const COMMAND_TIMEOUT_MS = 60_000;

export const execCommand: CommandRunner = async (command, args) => {
  const line = [command, ...args].join(' ');
  let argv: string[];
  try {
    argv = [...splitArgv(command), ...args];
  } catch (err) {
    return { ok: false, line, reason: (err as Error).message };
  }
  if (argv.length === 0) return { ok: false, line, reason: 'empty command' };
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', timeout: COMMAND_TIMEOUT_MS,
  });
  if (r.exitCode === 0) return { ok: true, line };
  const reason = r.timedOut ? `timed out after ${COMMAND_TIMEOUT_MS / 1000} s`
    : r.exitCode !== undefined ? `exit status ${r.exitCode}`
    : r.signal ? `killed by ${r.signal}`
    : (r.originalMessage ?? r.shortMessage ?? 'could not run');
  return { ok: false, line, reason };
};

/** Runs commands one at a time in the order given, off the caller's path. */
export class CommandQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly run: CommandRunner, private readonly log: (message: string) => void) {}

  push(command: string, args: readonly string[]): void {
    this.tail = this.tail.then(async () => {
      const r = await this.run(command, args);
      if (!r.ok) this.log(`system(${r.line}) failed: ${r.reason ?? ''}`);
    });
  }

  /** Resolves when every queued command has finished. */
  drain(): Promise<void> {
    return this.tail;
  }
}
