// Every check ends through here: each exported check is wrapped in withRedaction() and builds
// its results with result(), so results carry their duration, a uniform shape and no secret.
import { redact } from '../../log/redact.js';
import type { CheckFn, CheckResult } from '../types.js';

export function startTimer(): () => number {
  const t0 = performance.now();
  return () => Math.round((performance.now() - t0) * 10) / 10;
}

export function result(elapsed: () => number, up: boolean, message: string): CheckResult {
  return { up, message, durationMs: elapsed() };
}

/**
 * A check whose every message passes through redact() with the options' passwd and secret:
 * servers echo what they were sent, and requests may carry URL passwords.
 */
export function withRedaction(fn: CheckFn): CheckFn {
  return async (target, options, signal) => {
    const res = await fn(target, options, signal);
    return { ...res, message: redact(res.message, [options.passwd, options.secret]) };
  };
}

/** Drop CR/LF and cap a server's text so one reply cannot flood the log line. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Describe a failure: a timeout when the deadline fired, else the error's own words. */
export function describeError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timed out';
  // Duck-typed, not `instanceof Error`: errors from another realm (jest's vm sandbox, worker
  // threads) fail instanceof and would be printed as "Error: connect ECONNREFUSED ...".
  if (typeof err === 'object' && err !== null && ('message' in err || 'code' in err)) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ECONNRESET') return 'connection reset';
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
    return e.message || code || e.name;
  }
  return String(err);
}

/** "127.0.0.1:80" or "[::1]:80": the one IPv6 bracketing, ipvs/keys.ts's, for every check's message. */
export { hostPort } from '../../ipvs/keys.js';
