// CheckTarget/CheckOptions builders for the checks-b suites.
import type { CheckOptions, CheckTarget, ServiceName } from '../../src/checks/types.js';

export function target(port: number, address = '127.0.0.1'): CheckTarget {
  return { address, port, realPort: port, virtual: { protocol: 'tcp', address: '10.0.0.1', port } };
}

export function options(service: ServiceName, extra: Partial<CheckOptions> = {}): CheckOptions {
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
