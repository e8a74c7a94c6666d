// Is process PID a daemon for this config? Decided from its argv (/proc/PID/cmdline, split at
// NULs), never by a substring: an interpreter (node, perl) with its own options, then the entry
// script (tslvs, tslvs.js or ldirectord), then the command line as main.ts and ldirectord read
// it — options, then CONFIG VERB (or VERB CONFIG, or VERB alone for "ldirectord") with a verb
// that runs a daemon. The config argument must give the same cfgname (the pid file's key).
import fs from 'node:fs';

export interface ProcProbe {
  /** argv of a live process, undefined when there is none. */
  cmdline(pid: string): string[] | undefined;
  /** When the process started (ms since the epoch), undefined when unknown. */
  startedAtMs(pid: string): number | undefined;
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

let bootMs: number | undefined;
/** /proc/stat btime: the boot time the starttime of /proc/PID/stat counts from. */
function bootTimeMs(): number | undefined {
  if (bootMs === undefined) {
    const m = /^btime (\d+)$/m.exec(readOr('/proc/stat') ?? '');
    if (m) bootMs = Number(m[1]) * 1000;
  }
  return bootMs;
}

function readOr(file: string): string | undefined {
  try { return fs.readFileSync(file, 'latin1'); } catch { return undefined; }
}

/** USER_HZ: the unit of /proc/PID/stat's starttime; 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

export const procfs: ProcProbe = {
  cmdline(pid) {
    const raw = readOr(`/proc/${pid}/cmdline`);
    if (raw === undefined || raw === '') return undefined;
    return raw.replace(/\0$/, '').split('\0');
  },
  startedAtMs(pid) {
    const stat = readOr(`/proc/${pid}/stat`);
    const boot = bootTimeMs();
    if (stat === undefined || boot === undefined) return undefined;
    // Fields after the command name "(…)", which may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? boot + (ticks * 1000) / CLOCK_TICKS : undefined;
  },
};
