#!/usr/bin/env node
// Thin launcher: the program lives in dist/ (built by `npm run build`, also run by `npm ci`).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); process.exitCode = 1; },
);
