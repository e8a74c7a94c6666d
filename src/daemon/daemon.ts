// The running daemon: ldirectord's ld_main() loop and its signal handling, around a Director.
//   start-up  ld_start (adopt the table, services), then every probe on its clock; once each has
//             reported (or timed out), in status "starting", the execute= children are started;
//             status "running".
//   checks    each probe on its own clock (director.ts, probe-clock.ts): every checkinterval,
//             start to start (ldirectord sleeps checkinterval after each pass, so its period
//             grows with the pass); with fork=yes at its virtual's own checkinterval. The loop
//             itself wakes once per checkinterval for check_cfgfile and the email resend.
//   HUP       "Reloading Linux Director Daemon config on signal", then reread_config.
//   file      check_cfgfile after every pass and on watcher events: "Configuration file '…' has
//             changed on disk", reread (autoreload=yes) or ignore, then the callback.
//   TERM/INT/QUIT  stop the children, ld_stop (cleanstop), "Linux Director Daemon terminated
//             on signal: TERM", remove the pid file, exit 0.
import { ConfigError, formatConfigMessage } from '../config/errors.js';
import { parseConfigText } from '../config/load.js';
import type { Config, GlobalConfig } from '../config/model.js';
import type { IpvsBackend } from '../ipvs/types.js';
import type { Logger } from '../log/logger.js';
import { CommandQueue, execCommand } from './commands.js';
import type { CommandRunner } from './commands.js';
import { EMPTY_KEPT, missingFile, reloadVerdict, unreadableKept } from './config-reload.js';
import type { ContentSample, FileSample } from './config-reload.js';
import { ConfigFileWatch, sampleConfigFile } from './config-watch.js';
import { Director } from './director.js';
import type { AlertSink, DaemonStatus, MonitorSink } from './director.js';
import type { ReverseResolver } from './maintenance.js';
import { removeOwnPidFile, writePidFile } from './pidfile.js';
import type { ProbeLimits } from './probes.js';

export const VERSION_STR = 'Linux Director v1.186-ha';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  backend: IpvsBackend;
  /** Written with our pid once running; removed at exit. Undefined: none (demo). */
  pidFile?: string;
  /** Runs `tslvs CHILD_CONFIG VERB` for execute= lines (ldirectord's ld_cmd_children). */
  children?: (config: string, verb: string) => Promise<void>;
  alerts?: (status: () => DaemonStatus) => AlertsHandle;
  monitor?: MonitorSink & { flush?(): Promise<void> };
  reverse?: ReverseResolver;
  commandRunner?: CommandRunner;
  probeLimits?: Partial<ProbeLimits>;
  /** -d: ldirectord's debug level 3, which also logs a zero exit status. */
  debug?: boolean;
  /** Install process signal handlers (false in tests that drive the daemon directly). */
  signals?: boolean;
  /** Called after each table write or audit (stats for the demo and tests). */
  onRound?: (stats: { round: number; durationMs: number; probes: number; ops: number; failedOps: number }) => void;
  /** Write coalescing window (ms), DEFAULT_SETTLE_MS; and the most a probe's first start is spread (ms). */
  settleMs?: number;
  spreadMs?: number;
}

/** Email alerts as the loop drives them (alerts/email.ts). */
export interface AlertsHandle extends AlertSink {
  /** ld_emailalert_resend(), after each pass. */
  resend(): unknown;
  /** Reload: the new global settings (the resend table is kept, as ldirectord keeps it). */
  setGlobal?(global: GlobalConfig): void;
  flush?(): Promise<void>;
}

export class Daemon {
  readonly director: Director;
  private readonly commands: CommandQueue;
  private readonly watch: ConfigFileWatch;
  private readonly alerts: AlertsHandle | undefined;
  private stopSignal: string | undefined;
  private reloadRequested = false;
  private fileEvent = false;
  private wake: (() => void) | undefined;
  private rounds = 0;
  /** Kept for reload(): the probes keep their own clocks now, so it stays empty. */
  private readonly nextDue = new Map<string, number>();
  private stopped: (() => void) | undefined;
  private readonly stopping = new Promise<void>((resolve) => { this.stopped = resolve; });
  private done: Promise<number> | undefined;
  private readonly handlers: Array<[string, () => void]> = [];

  constructor(private readonly opts: DaemonOptions) {
    const log = (m: string) => opts.logger.log(m);
    this.commands = new CommandQueue(opts.commandRunner ?? execCommand, log);
    this.alerts = opts.alerts?.(() => this.director.status);
    this.director = new Director(opts.config, {
      backend: opts.backend, log, debug: (p, m) => opts.logger.debug(p, m), commands: this.commands,
      ...(this.alerts ? { alerts: this.alerts } : {}),
      ...(opts.monitor ? { monitor: opts.monitor } : {}),
      ...(opts.reverse ? { reverse: opts.reverse } : {}),
      ...(opts.probeLimits ? { probeLimits: opts.probeLimits } : {}),
      ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}),
      ...(opts.spreadMs !== undefined ? { spreadMs: opts.spreadMs } : {}),
      onWrite: (w) => {
        this.rounds++;
        this.opts.onRound?.({ round: this.rounds, durationMs: w.durationMs, probes: 0, ops: w.ops, failedOps: w.failedOps });
      },
    });
    this.watch = new ConfigFileWatch(opts.config.path);
  }

  get config(): Config { return this.director.current; }

  /** Runs until stopped; resolves with the exit status. */
  run(): Promise<number> {
    this.done ??= this.main();
    return this.done;
  }

  /** What a TERM does. */
  requestStop(signal = 'TERM'): void {
    this.stopSignal ??= signal;
    this.director.abortProbes();
    this.stopped?.();
    this.wake?.();
  }

  /** What a HUP does. */
  requestReload(): void {
    this.reloadRequested = true;
    this.wake?.();
  }

  private async main(): Promise<number> {
    if (this.opts.signals !== false) this.installSignals();
    if (this.opts.pidFile) writePidFile(this.opts.pidFile);
    this.watch.watch(() => { this.fileEvent = true; this.wake?.(); });
    try {
      await this.director.start();
      if (!this.stopSignal) {
        this.director.startClock();
        await this.pass();
      }
      for (const child of this.config.global.execute) await this.opts.children?.(child, 'start');
      this.director.status = 'running';
      while (!this.stopSignal) {
        await this.sleepTick();
        if (this.stopSignal) break;
        if (this.reloadRequested) {
          this.reloadRequested = false;
          this.opts.logger.log('Reloading Linux Director Daemon config on signal');
          await this.reload();
          continue;
        }
        if (this.fileEvent) {
          this.fileEvent = false;
          if (await this.checkConfigFile(true)) continue;
        }
        await this.checkConfigFile(false);
        void this.alerts?.resend();
      }
      return await this.shutdown();
    } finally {
      this.uninstallSignals();
      await this.watch.close();
    }
  }

  /**
   * After start-up or a reload: wait until every probe has reported once (or timed out; a stop
   * ends the wait), then check_cfgfile and the email resend, as after ldirectord's first pass.
   */
  private async pass(): Promise<void> {
    const started = performance.now();
    await Promise.race([this.director.firstResults(), this.stopping]);
    this.opts.logger.debug(3, `First results of every check in ${Math.round(performance.now() - started)} ms`);
    if (this.stopSignal) return;
    await this.checkConfigFile(false);
    void this.alerts?.resend();
  }

  /** Sleeps one checkinterval, or until a signal or a file event. */
  private sleepTick(): Promise<void> {
    if (this.reloadRequested || this.fileEvent || this.stopSignal) return Promise.resolve();
    const wait = this.config.global.checkinterval * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(done, wait);
      function done() { clearTimeout(timer); resolve(); }
      this.wake = () => { this.wake = undefined; done(); };
    });
  }

  /**
   * check_cfgfile(); true when a reload happened. A change is acted on once the file has held
   * still (config-reload.ts); a missing, unreadable or empty file never replaces the running
   * configuration.
   */
  private async checkConfigFile(force: boolean): Promise<boolean> {
    const sample = this.watch.poll(force);
    if (!sample) return false;
    const file = this.config.path;
    const log = (m: string) => this.opts.logger.log(m);
    if (sample.kind === 'missing') {
      log(missingFile(file));
      this.watch.accept(sample);
      return false;
    }
    if (sample.kind === 'content' && !this.watch.settle(sample).settled) return false;
    log(`Configuration file '${file}' has changed on disk`);
    let reloaded = false;
    if (!this.config.global.autoreload) {
      log(' - ignore new configuration');
      this.watch.accept(sample);
    } else if (sample.kind === 'unreadable') {
      log(unreadableKept(sample.error));
      this.watch.accept(sample);
    } else if (sample.size === 0) {
      log(EMPTY_KEPT);
      this.watch.accept(sample);
    } else {
      log(' - reread new configuration');
      reloaded = await this.reload(sample);
    }
    const callback = this.config.global.callback;
    if (callback) this.commands.push(callback, [file]);
    return reloaded;
  }

  /**
   * reread_config(): a config that does not load is logged and the running one kept. `sample`:
   * the settled file an autoreload read; none for HUP, which reads the file as it is now.
   * True when the new configuration was applied.
   */
  private async reload(sample?: ContentSample): Promise<boolean> {
    const old = this.config;
    const trigger = sample ? 'file' : 'signal';
    let next: Config;
    let read: FileSample = sample ?? sampleConfigFile(old.path);
    // A HUP does not wait for the file to settle, but does not parse a file caught mid-write.
    for (let i = 0; i < 3 && read.kind === 'content' && read.changedWhileRead; i++) read = sampleConfigFile(old.path);
    try {
      if (read.kind !== 'content' || read.changedWhileRead) throw new ConfigError(0, `can not open file ${old.path}`);
      next = await parseConfigText(read.text, old.path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.opts.logger.log(formatConfigMessage('Error', process.pid, old.path, err.line, err.text));
      this.opts.logger.log('Reload failed: the running configuration is kept');
      this.watch.accept(read);
      return false;
    }
    this.watch.accept(read);
    const verdict = reloadVerdict(trigger, { virtuals: old.virtuals.length }, { virtuals: next.virtuals.length });
    if (!verdict.apply) {
      this.opts.logger.log(verdict.log);
      return false;
    }
    if (verdict.warning) this.opts.logger.log(formatConfigMessage('Warning', process.pid, next.path, undefined, verdict.warning));
    this.director.status = 'reloading';
    for (const w of next.warnings) this.opts.logger.log(formatConfigMessage('Warning', process.pid, next.path, w.line, w.message));
    const before = new Set(old.global.execute);
    const after = new Set(next.global.execute);
    for (const c of before) if (!after.has(c)) await this.opts.children?.(c, 'stop');
    for (const c of after) await this.opts.children?.(c, before.has(c) ? 'reload_or_start' : 'start');
    this.alerts?.setGlobal?.(next.global);
    await this.director.reload(next);
    // New virtuals are due at once; the others keep their rhythm.
    for (const id of [...this.nextDue.keys()]) if (!next.virtuals.some((v) => v.id === id)) this.nextDue.delete(id);
    await this.pass();
    this.director.status = 'running';
    return true;
  }

  private async shutdown(): Promise<number> {
    const signal = this.stopSignal ?? 'TERM';
    this.director.status = 'stopping';
    for (const child of this.config.global.execute) await this.opts.children?.(child, 'stop');
    await this.director.stop();
    this.opts.logger.log(`Linux Director Daemon terminated on signal: ${signal}`);
    await this.commands.drain();
    await this.alerts?.flush?.();
    await this.opts.monitor?.flush?.();
    // Every line is on disk before the pid file goes: a restart waiting for it logs next.
    await this.opts.logger.flush();
    if (this.opts.pidFile) removeOwnPidFile(this.opts.pidFile);
    // ld_exit() logs a zero exit status only at debug level 3 (-d).
    if (this.opts.debug) this.opts.logger.log(`Exiting with exit_status 0: Linux Director Daemon terminated on signal: ${signal}`);
    await this.opts.logger.flush();
    return 0;
  }

  private installSignals(): void {
    for (const s of STOP_SIGNALS) this.on(s, () => this.requestStop(s.slice(3)));
    this.on('SIGHUP', () => this.requestReload());
    // ldirectord ignores SIGPIPE; Node already does.
  }

  private on(signal: string, handler: () => void): void {
    process.on(signal, handler);
    this.handlers.push([signal, handler]);
  }

  private uninstallSignals(): void {
    for (const [s, h] of this.handlers) process.off(s, h);
    this.handlers.length = 0;
  }
}
