// The tslvs command line: ldirectord's own
//   tslvs [-d|--debug] [--dry-run] [--] [CONFIG] start|stop|restart|try-restart|reload|force-reload|status
// in either order (`tslvs start CONFIG` too), and tslvs's verbs `validate` (alias configtest)
// and `demo`. Options come before the words, as ldirectord's Getopt (require_order) wants.
import { Command, CommanderError } from 'commander';
import { control, isVerb, VERBS } from '../daemon/control.js';
import type { ControlIo } from '../daemon/control.js';
import { VERSION_STR } from '../daemon/daemon.js';
import { validateCommand } from './validate.js';

export const VERSION = '0.1.0';

const USAGE = `Usage:
    tslvs [-d|--debug] [--dry-run] [--] [configfile] start | stop | restart |
    try-restart | reload | force-reload | status
    tslvs [-d|--debug] [--dry-run] start | stop | ... [configfile]

    tslvs validate [--json] [configfile]      (alias: configtest)
    tslvs demo

    tslvs [-h|-?|--help|-v|--version]

Options:
    configfile: looked up as /etc/ha.d/NAME, /etc/ha.d/conf/NAME, then as given
    (default ldirectord.cf).

    -d|--debug Don't start as daemon and log verbosely.

    --dry-run Run the daemon on a simulated IPVS table copied once from the
    real one: the log shows what it would do; the kernel table is never
    written.

    -h|--help Print this help and exit (man tslvs for the manual).

    -v|--version Print version and exit.

    start the daemon for the specified configuration.

    stop the daemon for the specified configuration. This is the same as
    sending a TERM signal to the running daemon.

    restart the daemon for the specified configuration. The same as stopping
    and starting.

    reload the configuration file. This is the same as sending a HUP signal
    to the running daemon.

    status of the running daemon for the specified configuration.

    validate reads the configuration as the daemon would and prints what it
    means (exit 2 on errors).

    demo runs the daemon in the foreground on a simulated IPVS table with
    local demo real servers (no kernel IPVS needed).
`;

const VERSION_TEXT = `${VERSION_STR}
tslvs ${VERSION}, a TypeScript drop-in replacement for ldirectord
1999-2006 Jacob Rief, Horms and others (ldirectord)

tslvs comes with ABSOLUTELY NO WARRANTY.
This is free software, and you are welcome to redistribute it
under certain conditions. See the GNU General Public Licence for details.
`;

const processIo: ControlIo = {
  stdout: (t) => { process.stdout.write(Buffer.from(t, 'latin1')); },
  stderr: (t) => { process.stderr.write(Buffer.from(t, 'latin1')); },
};

export async function main(argv: string[], io: ControlIo = processIo): Promise<number> {
  const rawArgs = argv.slice(2);
  const program = new Command('tslvs')
    .helpOption(false)
    .option('-d, --debug', "don't start as daemon and log verbosely")
    .option('--dry-run', 'run on a simulated copy of the IPVS table')
    .option('-h, --help', 'print help and exit')
    .option('-?', 'print help and exit')
    .option('-v, --version', 'print version and exit')
    .argument('[words...]')
    .passThroughOptions()
    .allowExcessArguments()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(t) })
    .exitOverride();
  let words: string[];
  let opts: { debug?: boolean; dryRun?: boolean; help?: boolean; version?: boolean; '?'?: boolean };
  try {
    program.parse(argv);
    words = program.args;
    opts = program.opts();
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already said which option was wrong on stderr.
      io.stdout(USAGE);
      return 255;
    }
    throw err;
  }
  // Options after the first word reach us as words (ldirectord's require_order); help is help anywhere.
  const helpWord = (w: string) => w === '-h' || w === '--help' || w === '-?';
  if (opts.help || opts['?'] || (words[0] !== 'validate' && words[0] !== 'configtest' && words.some(helpWord))) {
    io.stdout(USAGE);
    return 0;
  }
  if (opts.version) { io.stdout(VERSION_TEXT); return 0; }

  if (words[0] === 'validate' || words[0] === 'configtest') return validate(words.slice(1));
  if (words[0] === 'demo') {
    const { runDemo } = await import('../demo/demo.js');
    return runDemo({ debug: Boolean(opts.debug) });
  }

  let verb: string | undefined;
  let configArg: string | undefined;
  if (words.length === 1) {
    verb = words[0];
  } else if (words.length === 2) {
    // ldirectord's order is CONFIG VERB; VERB CONFIG is accepted too.
    [configArg, verb] = isVerb(words[1]) ? [words[0], words[1]] : [words[1], words[0]];
  }
  if (!isVerb(verb)) {
    io.stdout(USAGE);
    io.stderr(`tslvs: ${wrongWords(words)}\n`);
    return 255;
  }
  return control({
    verb, configArg, debug: Boolean(opts.debug), dryRun: Boolean(opts.dryRun), words, argv0: argv[1] ?? 'tslvs', io,
    self: [process.execPath, ...process.execArgv, argv[1] ?? 'tslvs'], rawArgs,
  });
}

/** Which word made the command line unusable (usage is printed too, as ldirectord does). */
function wrongWords(words: string[]): string {
  if (words.length === 0) return 'no command given';
  if (words.length > 2) return `too many words: ${words.map((w) => `"${w}"`).join(' ')} (at most a config file and a command)`;
  const known = `${VERBS.join(', ')}, validate, demo`;
  if (words.length === 1) return `unknown command "${words[0]}" (known: ${known})`;
  return `neither "${words[0]}" nor "${words[1]}" is a command (known: ${known})`;
}

async function validate(args: string[]): Promise<number> {
  let code = 0;
  const cmd = new Command('tslvs validate')
    .description('read CONFIG as ldirectord would and print what it means (exit 2 on errors)')
    .argument('[config]', 'config file: NAME is looked up in /etc/ha.d, /etc/ha.d/conf, then as given', 'ldirectord.cf')
    .option('--json', 'print the resolved model as JSON (secrets masked)')
    .exitOverride()
    .action(async (config: string, opts: { json?: boolean }) => {
      code = await validateCommand(config, opts);
    });
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 255;
    throw err;
  }
  return code;
}

export { VERBS };
