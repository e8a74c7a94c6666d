// ldirectord's verbs (ld_init): start, stop, restart, try-restart, reload, force-reload, status.
// Texts, streams and exit codes are ldirectord's. Deliberate differences (docs/COMPATIBILITY.md):
//  - status, stop and reload work from the pid file alone: a broken or missing config file
//    does not stop them (ldirectord exits 2 and deletes the running daemon's pid file);
//  - supervised=yes and -d write the pid file too, so status and stop see the daemon;
//  - start detaches by re-spawning itself (Node cannot fork); the parent exits 0 once the
//    child has written its pid file, or 1 with the child's error if it dies first;
//  - a pid counts as the daemon only if its argv is one for this config (process-identity.ts);
//  - a symlink at the pid file's path is refused, never written through.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { EmailAlerts } from '../alerts/email.js';
import { MonitorFiles } from '../alerts/monitorfile.js';
import { ConfigError, formatConfigMessage } from '../config/errors.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import type { Config } from '../config/model.js';
import { findIpvsadm, ipvsadmBackend } from '../ipvs/backend.js';
import { simBackend } from '../ipvs/sim/backend.js';
import type { IpvsBackend } from '../ipvs/types.js';
import { createLogger } from '../log/logger.js';
import type { Logger } from '../log/logger.js';
import { Daemon, VERSION_STR } from './daemon.js';
import { routeDaemonStderr, setStderrTarget } from './daemon-stderr.js';
import { seededSimBackend } from './dry-run.js';
import { daemonHeapFlags } from './heap-flags.js';
import type { DaemonOptions } from './daemon.js';
import { cfgnameOf, pidFilePath, readDaemonState, removeOwnPidFile, RUN_DIR, writePidFile } from './pidfile.js';

export const VERBS = ['start', 'stop', 'restart', 'try-restart', 'reload', 'force-reload', 'status'] as const;
export type Verb = (typeof VERBS)[number];
export const isVerb = (w: string | undefined): w is Verb => (VERBS as readonly string[]).includes(w ?? '');

export const DEFAULT_LOGFILE = '/var/log/ldirectord.log';
/** Set in the re-spawned daemon process: the pid file it must write. */
const CHILD_ENV = 'TSLVS_DAEMON_CHILD';

export interface ControlIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface ControlOptions {
  verb: Verb;
  /** The config argument as given (undefined: ldirectord.cf, cfgname "ldirectord"). */
  configArg: string | undefined;
  debug: boolean;
  /** --dry-run: the daemon runs on the simulated table seeded from the real one (dry-run.ts). */
  dryRun?: boolean;
  /** The words after the options, for "Invoking ldirectord invoked as: …". */
  words: string[];
  /** $0: the program path as invoked. */
  argv0: string;
  io: ControlIo;
  /** Pid file directory (default /var/run; $TSLVS_RUN_DIR for tests and packaging). */
  runDir?: string;
  /** The command that runs this program: [node, script] (re-spawn and execute= children). */
  self: string[];
  /** Everything after the script name, to re-spawn the daemon with. */
  rawArgs: string[];
  /** Extra daemon wiring (alerts, monitorfile) and test hooks. */
  daemon?: Partial<DaemonOptions>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function control(o: ControlOptions): Promise<number> {
  const cfgname = cfgnameOf(o.configArg);
  const runDir = o.runDir ?? process.env.TSLVS_RUN_DIR ?? RUN_DIR;
  const pidFile = pidFilePath(cfgname, runDir);
  const name = o.configArg ?? 'ldirectord.cf';
  const file = findConfigFile(name);
  const configShown = file ?? name;

  if (process.env[CHILD_ENV]) return runDaemonChild(o, cfgname);

  // ldirectord looks for ipvsadm before anything else and dies without it (exit 2, no log line).
  // Only the verbs that start a daemon need it here; a running daemon keeps retrying.
  const starting = o.verb === 'start' || o.verb === 'restart' || o.verb === 'try-restart';
  if (starting && process.env.TSLVS_BACKEND !== 'sim' && findIpvsadm() === null) {
    o.io.stderr('Can not find ipvsadm\n');
    return 2;
  }

  // read_config() comes first in ldirectord, for every verb; only start needs it here.
  let config: Config | undefined;
  let configError: string | undefined;
  if (file === undefined) {
    configError = `Config file ${name} not found\n`;
  } else {
    try {
      config = await loadConfig(file, { debug: o.debug });
      for (const w of config.warnings) o.io.stderr(formatConfigMessage('Warning', process.pid, file, w.line, w.message));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      configError = formatConfigMessage('Error', process.pid, file, err.line, err.text);
      if (o.verb === 'start' || o.verb === 'restart') {
        o.io.stderr(configError);
        await logConfigExit(err, cfgname, o.debug);
        return 2;
      }
    }
  }
  if (configError !== undefined && (o.verb === 'start' || o.verb === 'restart')) {
    o.io.stderr(configError);
    return 1;
  }

  const log = config ? loggerFor(config, cfgname, o.debug) : undefined;
  const exit = async (status: number, message: string) => {
    if (log && (status !== 0 || o.debug)) log.log(`Exiting with exit_status ${status}: ${message}`);
    await log?.flush();
    return status;
  };
  log?.log(`Invoking ldirectord invoked as: ${o.argv0} ${o.words.map((w) => `${w} `).join('')}`);
  // On disk before any signal is sent: the daemon's reaction must come after it in the log.
  await log?.flush();

  const state = readDaemonState(pidFile, cfgname);
  const done = `Exiting from ldirectord ${o.verb}`;
  if (state.state === 'running') {
    switch (o.verb) {
      case 'start': return exit(0, done);
      case 'stop': process.kill(state.pid, 'SIGTERM'); return exit(0, done);
      case 'reload': case 'force-reload': process.kill(state.pid, 'SIGHUP'); return exit(0, done);
      case 'status': {
        o.io.stderr(`ldirectord for ${configShown} is running with pid: ${state.pid}\n`);
        if (config) await runChildren(o, config.global.execute, 'status');
        log?.log(`ldirectord for ${configShown} is running with pid: ${state.pid}`);
        log?.log(done);
        return exit(0, done);
      }
      case 'restart': case 'try-restart':
        process.kill(state.pid, 'SIGTERM');
        while (fs.existsSync(pidFile)) await sleep(100);
        break;
    }
  } else {
    switch (o.verb) {
      case 'start': case 'restart': break;
      case 'stop': case 'try-restart': return exit(0, done);
      case 'status': {
        let status = 3;
        if (state.state === 'stale') {
          o.io.stderr(`ldirectord stale pid file ${pidFile} for ${configShown}\n`);
          log?.log(`ldirectord stale pid file ${pidFile} for ${configShown}`);
          status = 1;
        }
        o.io.stdout(`ldirectord is stopped for ${configShown}\n`);
        return exit(status, done);
      }
      default:
        log?.log(`ldirectord is stopped for ${configShown}`);
        return exit(1, done);
    }
  }

  // Starting (start, restart, try-restart of a running daemon).
  if (!config || !log) {
    o.io.stderr(configError ?? '');
    return file === undefined ? 1 : 2;
  }
  if (config.global.supervised || o.debug) {
    log.log(`Starting ${VERSION_STR} with pid: ${process.pid}`);
    return runDaemon(o, config, log, pidFile);
  }
  log.log(`Starting ${VERSION_STR} as daemon`);
  return detach(o, file!, pidFile, log, config.virtuals.reduce((n, v) => n + v.reals.length, 0));
}

/** config_error() while starting: ld_exit(2, …) logs where the lines read before the error say. */
async function logConfigExit(err: ConfigError, cfgname: string, debug: boolean): Promise<void> {
  const logger = createLogger({
    logfile: err.global?.logfile ?? DEFAULT_LOGFILE, supervised: err.global?.supervised ?? false, debug, cfgname,
  });
  logger.log('Exiting with exit_status 2: config_error: Configuration Error');
  await logger.flush();
}

function loggerFor(config: Config, cfgname: string, debug: boolean): Logger {
  return createLogger({ logfile: config.global.logfile || DEFAULT_LOGFILE, supervised: config.global.supervised, debug, cfgname });
}

/** The backend: $TSLVS_BACKEND=sim runs on an empty in-process table (tests); --dry-run on one seeded from the real table. */
export async function backendFor(dryRun: boolean | undefined, env: NodeJS.ProcessEnv = process.env): Promise<IpvsBackend> {
  if (env.TSLVS_BACKEND === 'sim') return simBackend();
  const real = ipvsadmBackend({ env });
  return dryRun ? seededSimBackend(real) : real;
}

/** Runs the daemon in this process until it is stopped. */
export async function runDaemon(o: ControlOptions, config: Config, logger: Logger, pidFile: string | undefined): Promise<number> {
  const fail = async (err: unknown): Promise<number> => {
    const message = err instanceof Error ? err.message : String(err);
    logger.log(`Exiting with exit_status 1: ${message}`);
    await logger.flush();
    if (pidFile) removeOwnPidFile(pidFile);
    return 1;
  };
  // A fault anywhere (a timer, a socket) is logged before the daemon goes, never silent.
  const fatal = (err: unknown) => { void fail(err).then((code) => process.exit(code)); };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    return await makeDaemon(o, config, logger, pidFile, await backendFor(o.dryRun)).run();
  } catch (err) {
    return fail(err);
  } finally {
    process.off('uncaughtException', fatal);
    process.off('unhandledRejection', fatal);
  }
}

function makeDaemon(o: ControlOptions, config: Config, logger: Logger, pidFile: string | undefined, backend: IpvsBackend): Daemon {
  const monitor = new MonitorFiles({ onError: (m) => logger.log(m) });
  return new Daemon({
    config, logger, backend, debug: o.debug,
    alerts: (status) => {
      const email = new EmailAlerts({ global: config.global, status, log: (m) => logger.log(m), debug: (p, m) => logger.debug(p, m) });
      return {
        send: (subject, virtual, server, inaccessible) => { void email.send(subject, virtual, server, inaccessible); },
        resend: () => email.resend(),
        setGlobal: (g) => email.setGlobal(g),
        flush: () => email.flush(),
      };
    },
    monitor: {
      // The check's own words go into the line (ldirectord writes a few fixed texts or "-").
      record: (virtual, real, state, message) => {
        if (virtual.monitorfile) monitor.write(virtual.monitorfile, monitor.line(real.ldirectordId, state, message));
      },
      flush: () => monitor.flush(),
    },
    ...(pidFile ? { pidFile } : {}),
    children: (child, verb) => runChildren(o, [child], verb),
    ...o.daemon,
  });
}

/**
 * ld_daemon(): the pid file is opened (truncated) first, as ldirectord does, then a detached
 * copy of this program is started; it writes its pid there. We return once it has. The child's
 * stderr comes back on a pipe and its IPC channel (daemon-stderr.ts) while we wait, so an early
 * death is explained here; no file in a shared temp directory is involved.
 */
async function detach(o: ControlOptions, file: string, pidFile: string, log: Logger, reals: number): Promise<number> {
  try {
    writePidFile(pidFile, null);
  } catch (err) {
    const message = `Can not open ${pidFile}`;
    log.log(message);
    o.io.stderr(`${message}: ${(err as Error).message}\n`);
    log.log('Exiting with exit_status 1: Initialisation Error');
    await log.flush();
    return 1;
  }
  await log.flush();
  const heap = daemonHeapFlags(reals, o.self.slice(1, -1), process.env.NODE_OPTIONS);
  const child = spawn(o.self[0]!, [...heap, ...o.self.slice(1), ...o.rawArgs], {
    detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: '/',
    env: { ...process.env, [CHILD_ENV]: JSON.stringify({ file: path.resolve(file), pidFile, heap }) },
  });
  let said = '';
  child.stderr!.on('data', (d: Buffer) => { said += d.toString('latin1'); });
  child.on('message', (m: { stderr?: unknown }) => { if (typeof m?.stderr === 'string') said += m.stderr; });
  child.on('error', () => { /* reported through exit */ });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  for (;;) {
    const raced = await Promise.race([exited, sleep(50).then(() => undefined)]);
    if (raced !== undefined) {
      // Let the pipe drain what the child wrote last.
      await Promise.race([new Promise((r) => child.stderr!.once('close', r)), sleep(500)]);
      const why = said.trim();
      o.io.stderr(`tslvs: the daemon exited with status ${raced} before it was running${why ? `: ${why}` : '; see the log'}\n`);
      return 1;
    }
    // Our own child: its pid in the file is enough (no identity check that could never pass).
    let written = '';
    try { written = fs.readFileSync(pidFile, 'latin1'); } catch { /* not yet */ }
    if (written === `${child.pid}\n`) {
      // From here the daemon sends its stderr to its log, or to syslog (daemon-stderr.ts).
      if (child.connected) child.disconnect();
      child.stderr!.destroy();
      child.unref();
      if (said !== '') o.io.stderr(said);
      return 0;
    }
  }
}

/** In the re-spawned daemon: load the config (absolute path: our cwd is /) and run. */
async function runDaemonChild(o: ControlOptions, cfgname: string): Promise<number> {
  const spec = JSON.parse(process.env[CHILD_ENV]!) as { file: string; pidFile: string; heap?: string[] };
  delete process.env[CHILD_ENV];
  routeDaemonStderr();
  // execute= children get heap flags for their own size, not ours.
  const ours = new Set(spec.heap ?? []);
  o = { ...o, self: o.self.filter((a, i) => i === 0 || !ours.has(a)) };
  let config: Config;
  try {
    config = await loadConfig(spec.file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The file changed between the check in `start` and here: as config_error() while starting.
    process.stderr.write(formatConfigMessage('Error', process.pid, spec.file, err.line, err.text));
    await logConfigExit(err, cfgname, false);
    return 2;
  }
  setStderrTarget({ logfile: config.global.logfile || DEFAULT_LOGFILE, cfgname });
  return runDaemon(o, config, loggerFor(config, cfgname, false), spec.pidFile);
}

/** ld_cmd_children(): `tslvs CHILD VERB` for each execute= config; reload_or_start falls back to start. */
async function runChildren(o: ControlOptions, children: readonly string[], verb: string): Promise<void> {
  const run = (child: string, v: string) => execa(o.self[0]!, [...o.self.slice(1), child, v], {
    reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', timeout: 120_000,
  });
  for (const child of children) {
    if (verb === 'reload_or_start') {
      if ((await run(child, 'reload')).exitCode !== 0) await run(child, 'start');
    } else {
      await run(child, verb);
    }
  }
}
