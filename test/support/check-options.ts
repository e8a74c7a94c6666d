// Builders for the check suites: a CheckTarget, full CheckOptions with the defaults ldirectord's
// config gives them, and runs under a real AbortSignal deadline. Two shapes, by what a suite
// varies: target()/options() take the address first and any option; targetPort()/
// serviceOptions() take the port first and the service name.
import type { CheckFn, CheckOptions, CheckResult, CheckTarget, ServiceName } from '../../src/checks/types.js';

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

export function targetPort(port: number, address = '127.0.0.1'): CheckTarget {
  return { address, port, realPort: port, virtual: { protocol: 'tcp', address: '10.0.0.1', port } };
}

export function serviceOptions(service: ServiceName, extra: Partial<CheckOptions> = {}): CheckOptions {
  return {
    checktype: 'negotiate', service, timeoutMs: 1500, checkcount: 1, httpmethod: 'GET', tlsVerify: 'chain',
    ...extra,
  };
}

/** Run a check with its own deadline and measure the wall time it really took. */
export async function timed<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs: number): Promise<{ res: T; wallMs: number }> {
  const t0 = performance.now();
  const res = await fn(AbortSignal.timeout(timeoutMs));
  return { res, wallMs: performance.now() - t0 };
}
