#!/usr/bin/env node
// Thin launcher: the program lives in dist/ (built by `npm run build`, also run by `npm ci`).
// It exits explicitly: a stopped daemon may still hold idle keep-alive sockets or timers.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exit(typeof code === 'number' ? code : 0); },
  (err) => { process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); process.exit(1); },
);
