// checktype=external and external-perl: ldirectord runs `checkcommand VIP VPORT RIP RPORT` and
// calls the real up when it exits 0, down on any other status or when it outlives checktimeout.
// Arguments exactly as ldirectord passes them: VIP is the virtual's address (IPv6 in brackets,
// as ldirectord stores it) or, for a fwmark virtual, the mark with VPORT "0"; RIP likewise
// bracketed for IPv6; RPORT is the real server's own port (not checkport).
//
// Deliberate differences (docs/CHECKS.md): ldirectord execs checkcommand as one program path;
// tslvs runs that path when it names an existing file, else splits the text into argv with
// shell-style quoting - never through a shell. A command killed by a signal is down (ldirectord's
// `$? >> 8` reads 0 there and calls it up). At the deadline the whole process group is killed.
// external-perl: ldirectord evals the file inside its own perl; tslvs runs `perl FILE args`
// (exit/die/falling off the end behave the same: 0 up, die => 255 down).
// Reads: timeoutMs (checktimeout), checkcommand.
import { existsSync, statSync } from 'node:fs';
import { bracketed } from '../ipvs/keys.js';
import type { CheckFn, CheckTarget } from './types.js';
import { result, startTimer, withRedaction } from './util/result.js';
import { splitArgv } from './util/argv.js';
import { describeOutcome, runBounded } from './util/process.js';

/** VIP VPORT RIP RPORT as ldirectord passes them. */
export function externalArgs(target: CheckTarget): string[] {
  const v = target.virtual;
  const vip = v.protocol === 'fwm' || v.address === undefined ? String(v.fwmark ?? '') : bracketed(v.address);
  const vport = v.protocol === 'fwm' ? '0' : String(v.port ?? 0);
  return [vip, vport, bracketed(target.address), String(target.realPort)];
}

function commandArgv(command: string): string[] {
  try {
    if (existsSync(command) && statSync(command).isFile()) return [command];
  } catch { /* fall through to splitting */ }
  return splitArgv(command);
}

export const checkExternal: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  // ldirectord's default checkcommand is /bin/true.
  const command = (options.checkcommand ?? '/bin/true').trim();
  let argv: string[];
  try {
    argv = commandArgv(command);
  } catch (err) {
    return result(elapsed, false, `external check: bad checkcommand: ${(err as Error).message}`);
  }
  if (argv.length === 0) return result(elapsed, false, 'external check: no checkcommand');
  const args = [...argv.slice(1), ...externalArgs(target)];
  const outcome = await runBounded(argv[0]!, args, signal);
  const up = outcome.kind === 'exit' && outcome.code === 0;
  return result(elapsed, up, `external ${argv[0]}: ${describeOutcome(outcome)}`);
});

export const checkExternalPerl: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  // ldirectord opens the whole checkcommand text as the script's file name.
  const script = options.checkcommand ?? '';
  if (!script) return result(elapsed, false, 'external-perl check: no checkcommand');
  const outcome = await runBounded('perl', ['--', script, ...externalArgs(target)], signal);
  const up = outcome.kind === 'exit' && outcome.code === 0;
  return result(elapsed, up, `external-perl ${script}: ${describeOutcome(outcome)}`);
});
