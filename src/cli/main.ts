// The tslvs command line. ldirectord's own verbs (start, stop, …) arrive with the daemon;
// this program already takes our own verbs.
import { Command, CommanderError } from 'commander';
import { validateCommand } from './validate.js';

export const VERSION = '0.1.0';

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('tslvs')
    .description('Health-check LVS real servers and keep the IPVS table in step (a drop-in for ldirectord)')
    .version(VERSION, '-v, --version')
    .exitOverride();
  program
    .command('validate')
    .alias('configtest')
    .description('read CONFIG as ldirectord would and print what it means (exit 2 on errors)')
    .argument('[config]', 'config file: NAME is looked up in /etc/ha.d, /etc/ha.d/conf, then as given', 'ldirectord.cf')
    .option('--json', 'print the resolved model as JSON (secrets masked)')
    .action(async (config: string, opts: { json?: boolean }) => {
      code = await validateCommand(config, opts);
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return code;
}
