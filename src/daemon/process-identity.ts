// Is process PID a daemon for this config? Decided from its argv (/proc/PID/cmdline, split at
// NULs), never by a substring: an interpreter (node, perl) with its own options, then the entry
// script (tslvs, tslvs.js or ldirectord), then the command line as main.ts and ldirectord read
// it — options, then CONFIG VERB (or VERB CONFIG, or VERB alone for "ldirectord") with a verb
// that runs a daemon. The config argument must give the same cfgname (the pid file's key).
import fs from 'node:fs';

export interface ProcProbe {
  /** argv of a live process, undefined when there is none. */
  cmdline(pid: string): string[] | undefined;
  /** When the process started: /proc/PID/stat's starttime (clock ticks since boot), as text. */
  startTicks(pid: string): string | undefined;
  /** This boot's id (/proc/sys/kernel/random/boot_id). */
  bootId(): string | undefined;
}

const INTERPRETER = /^(node|nodejs|perl)[\d.]*$/;
const SCRIPT = /^(tslvs|tslvs\.js|ldirectord)$/;
/** Code given on the command line: whatever follows is its argv, not a script's. */
const INLINE_CODE = new Set(['-e', '--eval', '-p', '--print', '-E']);
const DAEMON_VERBS = new Set(['start', 'restart', 'try-restart']);
const VERBS = new Set([...DAEMON_VERBS, 'stop', 'reload', 'force-reload', 'status']);
/** The program's own options (main.ts and ldirectord's Getopt), before the words. */
const PROGRAM_OPTION = /^(-d+|--debug|--dry-run)$/;

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export function isDaemonFor(argv: readonly string[], cfgname: string): boolean {
  let i = 0;
  if (INTERPRETER.test(basename(argv[0] ?? ''))) {
    // The interpreter's options ("--max-old-space-size=513", "-w", "--require X"), then the script.
    for (i = 1; i < argv.length; i++) {
      const t = argv[i]!;
      if (t.startsWith('-')) {
        if (INLINE_CODE.has(t)) return false;
        continue;
      }
      if (SCRIPT.test(basename(t))) break;
      const prev = argv[i - 1]!;
      if (!(prev.startsWith('-') && !prev.includes('='))) return false;
    }
  }
  if (!SCRIPT.test(basename(argv[i] ?? ''))) return false;
  i++;
  while (i < argv.length && PROGRAM_OPTION.test(argv[i]!)) i++;
  if (argv[i] === '--') i++;
  const words = argv.slice(i);
  let verb: string | undefined;
  let config: string | undefined;
  if (words.length === 1) [verb] = words;
  else if (words.length === 2) [config, verb] = VERBS.has(words[1]!) ? [words[0], words[1]] : [words[1], words[0]];
  else return false;
  if (!DAEMON_VERBS.has(verb ?? '')) return false;
  const name = config === undefined ? 'ldirectord' : basename(config);
  return name === cfgname;
}

function readOr(file: string): string | undefined {
  try { return fs.readFileSync(file, 'latin1'); } catch { return undefined; }
}

export const procfs: ProcProbe = {
  cmdline(pid) {
    const raw = readOr(`/proc/${pid}/cmdline`);
    if (raw === undefined || raw === '') return undefined;
    return raw.replace(/\0$/, '').split('\0');
  },
  startTicks(pid) {
    const stat = readOr(`/proc/${pid}/stat`);
    if (stat === undefined) return undefined;
    // Fields after the command name "(…)", which may itself hold spaces or parentheses; field 22.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
  },
  bootId() {
    return readOr('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
  },
};
