// Shared builders for the checks-a suites: a CheckTarget, full CheckOptions with defaults as
// ldirectord's config gives them, and a timed run under a real AbortSignal deadline.
import type { CheckFn, CheckOptions, CheckResult, CheckTarget } from '../../src/checks/types.js';

export function target(address: string, port: number, virtual: Partial<CheckTarget['virtual']> = {}, realPort = port): CheckTarget {
  return { address, port, realPort, virtual: { protocol: 'tcp', address: address.includes(':') ? '::1' : '127.0.0.1', port: 80, ...virtual } };
}

export function options(o: Partial<CheckOptions> = {}): CheckOptions {
  return { checktype: 'negotiate', service: 'none', timeoutMs: 1000, checkcount: 1, httpmethod: 'GET', tlsVerify: 'chain', request: '/', receive: '', ...o };
}

export interface Timed extends CheckResult { wallMs: number }

/** Run a check with a deadline of `opts.timeoutMs`, as the scheduler will. */
export async function runCheck(fn: CheckFn, t: CheckTarget, o: CheckOptions): Promise<Timed> {
  const t0 = performance.now();
  const res = await fn(t, o, AbortSignal.timeout(o.timeoutMs));
  return { ...res, wallMs: performance.now() - t0 };
}
