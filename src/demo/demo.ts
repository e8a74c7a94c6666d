// `tslvs demo` (the README's first command): the daemon in the foreground, on the simulated IPVS
// table, with local demo real servers, one of which fails and recovers in a loop. The lines are
// the daemon's own, in ldirectord's supervised format; after each change the simulated table is
// printed as `ipvsadm -L -n` would show it. Works on any machine: no root, no kernel IPVS.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseConfigText } from '../config/load.js';
import type { Config } from '../config/model.js';
import { simBackend } from '../ipvs/sim/backend.js';
import { createLogger } from '../log/logger.js';
import { Daemon } from '../daemon/daemon.js';
import { startDemoServer } from './servers.js';
import type { DemoServer } from './servers.js';

/** The embedded config: fixtures/valid/demo.cf (shipped with the package). */
export const DEMO_CONFIG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/valid/demo.cf');

export interface DemoOptions {
  debug?: boolean;
  /** Stop after this many seconds (default: run until Ctrl-C). */
  seconds?: number;
  /** How long the flapping server stays up, then down (ms). */
  flapMs?: number;
  write?: (text: string) => void;
}

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const write = opts.write ?? ((t: string) => { process.stdout.write(t); });
  const template = await loadConfig(DEMO_CONFIG);
  const servers: DemoServer[] = [];
  let config: Config;
  try {
    // Each demo server gets a free port; the config's fixed ports are replaced by the real ones.
    let text = fs.readFileSync(DEMO_CONFIG, 'latin1');
    for (const v of template.virtuals) {
      for (const [i, r] of [...v.reals, ...(v.fallback ? [v.fallback] : [])].entries()) {
        const server = await startDemoServer(r.address, 0, (port) => `demo server ${i + 1} (${r.address}:${port})`);
        servers.push(server);
        text = text.split(`=${r.address}:${r.port} `).join(`=${r.address}:${server.port} `);
      }
    }
    config = await parseConfigText(text, DEMO_CONFIG);
  } catch (err) {
    write(`demo: cannot start the demo real servers: ${(err as Error).message}\n`);
    await Promise.all(servers.map((s) => s.close()));
    return 1;
  }
  const backend = simBackend();
  const logger = createLogger({
    logfile: config.global.logfile, supervised: !opts.debug, debug: Boolean(opts.debug), cfgname: 'demo.cf', stdout: write,
  });
  write(`tslvs demo: ${DEMO_CONFIG}\n`
    + `  real servers on ${servers.map((s) => `127.0.0.1:${s.port}`).join(', ')}; the second one fails and recovers in a loop.\n`
    + '  The IPVS table is simulated (nothing touches the kernel). Ctrl-C stops (cleanstop purges the table).\n\n');
  let printed = '';
  const daemon = new Daemon({
    config, logger, backend,
    onRound: () => {
      void backend.runner.run(['-L', '-n']).then((r) => {
        if (r.stdout === printed) return;
        printed = r.stdout;
        write(`\n${r.stdout.replace(/^/gm, '    ')}\n`);
      });
    },
  });
  const flapping = servers[1];
  const flapMs = opts.flapMs ?? 15_000;
  const flap = flapping ? setInterval(() => { flapping.failing = !flapping.failing; }, flapMs) : undefined;
  const limit = opts.seconds ? setTimeout(() => daemon.requestStop('TERM'), opts.seconds * 1000) : undefined;
  try {
    return await daemon.run();
  } finally {
    clearInterval(flap);
    clearTimeout(limit);
    await Promise.all(servers.map((s) => s.close()));
  }
}
