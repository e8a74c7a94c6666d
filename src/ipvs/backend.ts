// The backend: list() and apply() over a Runner. The ipvsadm backend's runner spawns ipvsadm
// (execa, argv arrays, no shell, a timeout on every call) and reads its output with parse.ts
// only; the sim backend (sim/backend.ts) puts the ipvsadm emulator behind the same Runner.
// Nothing here imports the emulator.
//
// Exec budget (one round = one list() + one apply()):
//  - list(): ONE exec. No single listing has everything: `-L -n` lacks thresholds,
//    `--thresholds` replaces the Forward/Weight columns, `-S -n` lacks thresholds and
//    counters. But `ipvsadm -R` runs list commands too, in one process, one after the other,
//    so we send "-S -n" and "-L -n --thresholds" on its stdin and split the output. `-S`
//    gives forwarding, weight, tunnel details and the persistence engine even without
//    persistence (which `-L` hides); `--thresholds` adds thresholds and connection counts.
//  - apply(ops): ONE exec. All ops go as lines of one `ipvsadm -R`, followed by the same two
//    list lines, so the verification listing comes out of the same process after the writes.
//    Only when a line stops `-R` half-way (a syntax error: exit 2, no listing printed) does
//    apply() list again (a second exec). Ops are validated first so that should not happen.
//  ipvsadm -R continues after kernel errors and prints no line numbers, and its exit status
//  is the last line's, so success per op is decided from the table it lists afterwards.

import { accessSync, constants as fsConstants } from 'node:fs';
import { execa } from 'execa';
import { findReal, findService, normalNetmask, schedFlagBits, schedFlagNames, serviceKey, serviceRealKey, storedPort } from './keys.js';
import { opArgs, validateOp } from './ops.js';
import { LIST_LINES, readListOutput } from './parse.js';
import type { ApplyResult, IpvsBackend, IpvsOp, ListResult, OpResult, ServiceId, Table } from './types.js';

export interface RunOutcome {
  /** false: could not run, timed out, or was killed */
  ok: boolean;
  error?: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface Runner {
  run(args: string[], stdin?: string): Promise<RunOutcome>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Where ldirectord looks for ipvsadm, after our overrides (option, then $TSLVS_IPVSADM). */
export function findIpvsadm(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = [explicit, env['TSLVS_IPVSADM'], '/sbin/ipvsadm', '/usr/sbin/ipvsadm'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      if (c === explicit || c === env['TSLVS_IPVSADM']) return c; // let the exec report it
    }
  }
  return null;
}

export class ExecRunner implements Runner {
  constructor(
    readonly path: string,
    readonly timeoutMs = DEFAULT_TIMEOUT_MS,
    readonly env?: NodeJS.ProcessEnv,
  ) {}

  async run(args: string[], stdin?: string): Promise<RunOutcome> {
    // A hung ipvsadm is killed with everything it started: it runs in its own process group
    // and the timer kills the group (execa's own timeout kills one process, then waits for
    // pipes that a child of it still holds open). A descendant that left the group cannot keep
    // us waiting either: its pipes are let go shortly after.
    let timedOut = false;
    let release: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const sub = execa(this.path, args, {
        reject: false,
        detached: true,
        stripFinalNewline: false,
        ...(stdin !== undefined ? { input: stdin } : { stdin: 'ignore' as const }),
        ...(this.env ? { env: this.env, extendEnv: false } : {}),
      });
      timer = setTimeout(() => {
        timedOut = true;
        killGroup(sub.pid);
        release = setTimeout(() => {
          sub.stdout?.destroy();
          sub.stderr?.destroy();
        }, RELEASE_PIPES_MS);
      }, this.timeoutMs);
      const r = await sub;
      const stdout = typeof r.stdout === 'string' ? r.stdout : '';
      const stderr = typeof r.stderr === 'string' ? r.stderr : '';
      if (timedOut) return { ok: false, error: `${this.path} timed out after ${this.timeoutMs / 1000} s`, stdout, stderr, exitCode: null };
      if (r.exitCode === undefined && !r.signal) {
        return { ok: false, error: `${this.path} could not run: ${r.shortMessage ?? r.message}`, stdout, stderr, exitCode: null };
      }
      if (r.signal) return { ok: false, error: `${this.path} killed by ${r.signal}`, stdout, stderr, exitCode: null };
      return { ok: true, stdout, stderr, exitCode: r.exitCode ?? null };
    } catch (e) {
      return { ok: false, error: `${this.path} could not run: ${(e as Error).message}`, stdout: '', stderr: '', exitCode: null };
    } finally {
      clearTimeout(timer);
      clearTimeout(release);
    }
  }
}

/** How long a timed-out ipvsadm's pipes are waited for after its process group was killed. */
const RELEASE_PIPES_MS = 1000;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const family = (id: ServiceId): 4 | 6 =>
  id.kind === 'fwmark' ? (id.family === 'inet6' ? 6 : 4) : id.address.includes(':') ? 6 : 4;

/** What the op asked for, checked against the table; null = it holds. */
function postcondition(op: IpvsOp, table: Table): string | null {
  switch (op.kind) {
    case 'addService':
    case 'editService': {
      const want = op.service;
      const s = findService(table, want.id);
      if (!s) return 'service not in the table';
      const diffs: string[] = [];
      if (s.scheduler !== want.scheduler) diffs.push(`scheduler ${s.scheduler} (wanted ${want.scheduler})`);
      if (s.persistent !== want.persistent) diffs.push(`persistent ${s.persistent ?? 'off'} (wanted ${want.persistent ?? 'off'})`);
      if (want.persistent !== undefined) {
        const dflt = family(want.id) === 6 ? '128' : '255.255.255.255';
        if (normalNetmask(s.netmask) !== normalNetmask(want.netmask)) {
          diffs.push(`netmask ${s.netmask ?? dflt} (wanted ${want.netmask ?? dflt})`);
        }
      }
      if ((s.pe ?? '') !== (want.pe ?? '')) diffs.push(`pe ${s.pe || 'none'} (wanted ${want.pe || 'none'})`);
      if (s.ops !== Boolean(want.ops)) diffs.push(`ops ${s.ops} (wanted ${Boolean(want.ops)})`);
      const bits = schedFlagBits(want.scheduler, want.schedFlags ?? []);
      const wantFlags = typeof bits === 'number' ? schedFlagNames(want.scheduler, bits).join(',') : '?';
      if (s.schedFlags.join(',') !== wantFlags) diffs.push(`flags ${s.schedFlags.join(',') || 'none'} (wanted ${wantFlags || 'none'})`);
      return diffs.length ? diffs.join(', ') : null;
    }
    case 'deleteService':
      return findService(table, op.id) ? 'service still in the table' : null;
    case 'addReal':
    case 'editReal': {
      const s = findService(table, op.service);
      if (!s) return 'service not in the table';
      const r = findReal(s, op.real.address, storedPort(op.service, op.real.forwarding, op.real.port));
      if (!r) return 'real server not in the table';
      const w = op.real;
      const diffs: string[] = [];
      if (r.forwarding !== w.forwarding) diffs.push(`forwarding ${r.forwarding} (wanted ${w.forwarding})`);
      if (r.weight !== w.weight) diffs.push(`weight ${r.weight} (wanted ${w.weight})`);
      if (r.upperThreshold !== (w.upperThreshold ?? 0)) diffs.push(`upper threshold ${r.upperThreshold} (wanted ${w.upperThreshold ?? 0})`);
      if (r.lowerThreshold !== (w.lowerThreshold ?? 0)) diffs.push(`lower threshold ${r.lowerThreshold} (wanted ${w.lowerThreshold ?? 0})`);
      if (w.forwarding === 'Tunnel') {
        const wt = w.tunnel ?? { type: 'ipip' as const };
        const rt = r.tunnel ?? { type: 'ipip' as const };
        const norm = (t: typeof wt): string =>
          `${t.type}/${t.type === 'gue' ? t.port : '-'}/${t.type === 'ipip' ? '-' : (t.csum ?? 'nocsum')}`;
        if (norm(wt) !== norm(rt)) diffs.push(`tunnel ${norm(rt)} (wanted ${norm(wt)})`);
      }
      return diffs.length ? diffs.join(', ') : null;
    }
    case 'deleteReal': {
      const s = findService(table, op.service);
      if (!s) return null;
      return findReal(s, op.address, op.port) ? 'real server still in the table' : null;
    }
  }
}

function opKeys(op: IpvsOp): { key: string; service: string } {
  switch (op.kind) {
    case 'addService':
    case 'editService':
      return { key: `S ${serviceKey(op.service.id)}`, service: serviceKey(op.service.id) };
    case 'deleteService':
      return { key: `S ${serviceKey(op.id)}`, service: serviceKey(op.id) };
    case 'addReal':
    case 'editReal': {
      const port = storedPort(op.service, op.real.forwarding, op.real.port);
      return { key: `R ${serviceRealKey(op.service, op.real.address, port)}`, service: serviceKey(op.service) };
    }
    case 'deleteReal':
      return { key: `R ${serviceRealKey(op.service, op.address, op.port)}`, service: serviceKey(op.service) };
  }
}

/** What the write process itself reported, so that an op that did not take carries its cause. */
export interface WriteReport {
  /** The process as a whole failed (timed out, killed, stopped early): the cause of every op that did not take. */
  failure?: string;
  /** ipvsadm's error lines: one per refused line, in batch order, without line numbers. */
  stderr: readonly string[];
}

interface Outcome {
  ok: boolean;
  reason?: string;
}

const MAX_QUOTED_LINES = 3;

/**
 * Per-op outcome from the table after the batch. An op whose key a later op in the batch
 * touches again (or whose service a later op deletes) cannot be judged on its own: it is
 * marked superseded and shares the later op's outcome.
 * An op that did not take gets the write's cause in front of what the table shows: the
 * process failure, else ipvsadm's error line. ipvsadm -R prints one line per refused line
 * and none for the others, so when the ops that did not take are exactly as many as the
 * error lines, the n-th line belongs to the n-th such op; otherwise every such op gets all
 * of them (at most three quoted).
 */
export function verifyOps(
  ops: readonly IpvsOp[],
  table: Table | null,
  rejected: ReadonlyMap<number, string>,
  failure?: string,
  write: WriteReport = { stderr: [] },
): OpResult[] {
  const results: OpResult[] = new Array(ops.length);
  const outcomes: Outcome[] = new Array(ops.length);
  /** For a superseded op: the op whose outcome it shares. */
  const sharesWith = new Map<number, number>();
  const lastOutcome = new Map<string, number>();
  const deletedServiceOutcome = new Map<string, number>();
  for (let i = ops.length - 1; i >= 0; i--) {
    const op = ops[i]!;
    const rej = rejected.get(i);
    if (rej !== undefined) {
      results[i] = { op, ok: false, reason: `not sent: ${rej}` };
      continue;
    }
    const { key, service } = opKeys(op);
    const later = lastOutcome.get(key) ?? (key.startsWith('R ') ? deletedServiceOutcome.get(service) : undefined);
    if (later !== undefined) {
      sharesWith.set(i, later);
    } else {
      const reason = table ? postcondition(op, table) : (failure ?? 'table could not be read');
      outcomes[i] = reason === null ? { ok: true } : { ok: false, reason };
    }
    const owner = later ?? i;
    if (!lastOutcome.has(key)) lastOutcome.set(key, owner);
    if (op.kind === 'deleteService' && !deletedServiceOutcome.has(service)) deletedServiceOutcome.set(service, owner);
  }
  if (table) attachCauses(outcomes, write);
  for (let i = 0; i < ops.length; i++) {
    if (results[i]) continue;
    const owner = sharesWith.get(i);
    const o = outcomes[owner ?? i]!;
    results[i] = { op: ops[i]!, ok: o.ok, ...(owner !== undefined ? { superseded: true } : {}), ...(o.reason ? { reason: o.reason } : {}) };
  }
  return results;
}

function attachCauses(outcomes: Outcome[], write: WriteReport): void {
  const failed: number[] = [];
  outcomes.forEach((o, i) => {
    if (!o.ok) failed.push(i);
  });
  if (failed.length === 0) return;
  const causeOf = (nth: number): string | undefined => {
    if (write.failure) return write.failure;
    if (write.stderr.length === 0) return undefined;
    if (write.stderr.length === failed.length) return `ipvsadm: ${write.stderr[nth]}`;
    const quoted = write.stderr.slice(0, MAX_QUOTED_LINES).map((l) => JSON.stringify(l)).join(', ');
    const more = write.stderr.length > MAX_QUOTED_LINES ? ` and ${write.stderr.length - MAX_QUOTED_LINES} more` : '';
    return `ipvsadm reported ${quoted}${more} for this batch`;
  };
  failed.forEach((i, nth) => {
    const cause = causeOf(nth);
    if (cause) outcomes[i] = { ok: false, reason: `${cause}; ${outcomes[i]!.reason}` };
  });
}

export interface BackendOptions {
  /** Name for logs. */
  name?: string;
}

export class RunnerBackend implements IpvsBackend {
  readonly name: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly runner: Runner,
    opts: BackendOptions = {},
  ) {
    this.name = opts.name ?? 'ipvsadm';
  }

  /** One call at a time: a list must not interleave with an apply. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.queue.then(f, f);
    this.queue = p.catch(() => undefined);
    return p;
  }

  list(): Promise<ListResult> {
    return this.serial(() => this.listNow());
  }

  private async listNow(): Promise<ListResult> {
    const r = await this.runner.run(['-R'], LIST_LINES.join('\n') + '\n');
    if (!r.ok) return { ok: false, error: r.error ?? 'ipvsadm failed', warnings: [], execs: 1 };
    const t = readListOutput(r.stdout);
    if (!t) {
      const out = r.stdout.trim();
      const why = r.stderr.trim() || `exit status ${r.exitCode}${out ? `, output begins ${JSON.stringify(out.slice(0, 60))}` : ''}`;
      return { ok: false, error: `ipvsadm listing unreadable: ${why}`, warnings: [], execs: 1 };
    }
    const warnings = [...t.warnings, ...r.stderr.split('\n').filter((l) => l.trim() !== '').map((l) => `ipvsadm: ${l}`)];
    return { ok: true, table: t.table, warnings, execs: 1 };
  }

  apply(ops: readonly IpvsOp[]): Promise<ApplyResult> {
    return this.serial(() => this.applyNow(ops));
  }

  private async applyNow(ops: readonly IpvsOp[]): Promise<ApplyResult> {
    const rejected = new Map<number, string>();
    const lines: string[] = [];
    ops.forEach((op, i) => {
      const bad = validateOp(op);
      if (bad) rejected.set(i, bad);
      else lines.push(opArgs(op).join(' '));
    });
    if (lines.length === 0) {
      const results = verifyOps(ops, null, rejected);
      return { ok: results.every((r) => r.ok), results, stderr: [], warnings: [], execs: 0 };
    }
    const r = await this.runner.run(['-R'], [...lines, ...LIST_LINES].join('\n') + '\n');
    const stderr = r.stderr.split('\n').filter((l) => l.trim() !== '');
    let execs = 1;
    let read = r.ok ? readListOutput(r.stdout) : null;
    const warnings: string[] = [];
    let error: string | undefined = r.ok ? undefined : r.error;
    let failure: string | undefined;
    if (!read) {
      // The batch stopped early (or ipvsadm failed): look at the table to see what took.
      warnings.push(r.ok ? `ipvsadm -R stopped early (exit ${r.exitCode}); listing again` : `${r.error}; listing again`);
      failure = writeFailure(r, stderr);
      const l = await this.listNow();
      execs += l.execs;
      if (l.ok) read = { table: l.table, warnings: l.warnings };
      else error = `${failure}; ${l.error}`;
    }
    if (read) warnings.push(...read.warnings);
    const results = verifyOps(ops, read?.table ?? null, rejected, error, { ...(failure ? { failure } : {}), stderr });
    return {
      ok: !error && results.every((x) => x.ok),
      results,
      ...(read ? { table: read.table } : {}),
      stderr,
      warnings,
      ...(error ? { error } : {}),
      execs,
    };
  }
}

/** Why a write printed no listing: the process failure or its exit status, with ipvsadm's last error line. */
function writeFailure(r: RunOutcome, stderr: readonly string[]): string {
  const said = stderr.length > 0 ? `: ${stderr[stderr.length - 1]}` : '';
  if (!r.ok) return `${r.error ?? 'ipvsadm failed'}${said}`;
  if (r.exitCode !== 0) return `ipvsadm -R stopped early (exit status ${r.exitCode})${said}`;
  return `ipvsadm -R printed no readable listing (exit status 0)${said}`;
}

export interface IpvsadmBackendOptions extends BackendOptions {
  /** ipvsadm path; else $TSLVS_IPVSADM, /sbin/ipvsadm, /usr/sbin/ipvsadm */
  ipvsadm?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

class MissingRunner implements Runner {
  async run(): Promise<RunOutcome> {
    const error = 'Can not find ipvsadm (looked at $TSLVS_IPVSADM, /sbin/ipvsadm, /usr/sbin/ipvsadm)';
    return { ok: false, error, stdout: '', stderr: '', exitCode: null };
  }
}

export function ipvsadmBackend(opts: IpvsadmBackendOptions = {}): RunnerBackend {
  const path = findIpvsadm(opts.ipvsadm, opts.env ?? process.env);
  const runner = path ? new ExecRunner(path, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.env) : new MissingRunner();
  return new RunnerBackend(runner, { name: opts.name ?? `ipvsadm (${path ?? 'not found'})` });
}
