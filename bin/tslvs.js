#!/usr/bin/env node
// Thin launcher: the program lives in dist/ (built by `npm run build`, also run by `npm ci`).
// It exits explicitly (a stopped daemon may still hold idle keep-alive sockets or timers), but
// only once stdout and stderr have drained: process.exit() would cut off piped output.
import { main } from '../dist/cli/main.js';

const exit = (code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
};

main(process.argv).then(
  (code) => exit(typeof code === 'number' ? code : 0),
  (err) => { process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); exit(1); },
);
