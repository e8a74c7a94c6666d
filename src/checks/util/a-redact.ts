// Messages go to logs, the monitorfile and email alerts: never let a password or secret in.
import type { CheckFn, CheckOptions, CheckResult } from '../types.js';

// "scheme://user:password@" anywhere in a text (a request string quoted in a message).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@/\s]*@/gi;

export function redact(text: string, secrets: Array<string | undefined>): string {
  // Most messages have nothing to hide: no URL credentials (no "@") and no secret configured.
  if (!text.includes('@') && !secrets.some((s) => s)) return text;
  let out = text.replace(URL_PASSWORD, '$1***@');
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('***');
  }
  return out;
}

/** Apply redact() to a finished result with the options' passwd/secret and any extra values. */
export function redacted(res: CheckResult, options: CheckOptions, extra: Array<string | undefined> = []): CheckResult {
  return { ...res, message: redact(res.message, [options.passwd, options.secret, ...extra]) };
}

/** A check whose every message passes through redact() - the last guard, whatever the path. */
export function withRedaction(fn: CheckFn): CheckFn {
  return async (target, options, signal) => redacted(await fn(target, options, signal), options);
}
