// Helpers shared by the credentialed/banner checks (smtp, pop, imap, ftp, sql, oracle, radius).
import type { CheckOptions, CheckResult, CheckTarget } from '../types.js';
import { LineClient } from './line-client.js';
import { result } from './result.js';

/** Replace every occurrence of a secret (passwd, secret) with "***" — a last guard, since
 * servers sometimes echo what they were sent into error texts. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length > 0) out = out.split(s).join('***');
  }
  return out;
}

/** The finished result, with the options' secrets scrubbed from the message. */
export function finish(elapsed: () => number, options: CheckOptions, up: boolean, message: string): CheckResult {
  return result(elapsed, up, redact(message, [options.passwd, options.secret]));
}

/** Settles with `p`, or rejects with "timed out" as soon as `signal` aborts (whichever first).
 * The caller still owns the cleanup of whatever `p` was doing. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(new Error('timed out'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/** Drop CR/LF and cap a server's text so one reply cannot flood the log line. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/[\r\n]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** LineClient TLS settings for pops/imaps from `tlsVerify`:
 * 'chain' (default) verifies the chain against the system CAs, not the name;
 * 'full' also checks the certificate names `virtualhost` when set, else the real's address;
 * 'none' accepts any certificate. */
export function tlsSettings(address: string, options: CheckOptions): { tls: true; rejectUnauthorized: boolean; checkServerName?: string } {
  switch (options.tlsVerify) {
    case 'none': return { tls: true, rejectUnauthorized: false };
    case 'full': return { tls: true, rejectUnauthorized: true, checkServerName: options.virtualhost || address };
    default: return { tls: true, rejectUnauthorized: true };
  }
}

/** `receive` is a Perl regular expression in ldirectord. JavaScript's syntax is close enough for
 * the patterns people write, but Perl's `$` also matches before a final newline, which
 * JavaScript's does not: so also try the text without one trailing "\n". */
export function perlMatch(re: RegExp, text: string): boolean {
  if (re.test(text)) return true;
  return text.endsWith('\n') && re.test(text.slice(0, -1));
}

/** Connect (TLS for the "s" services) and read the greeting: the common start of pop and imap. */
export async function openMailbox(
  target: CheckTarget, options: CheckOptions, secure: boolean, signal: AbortSignal,
): Promise<{ client: LineClient; greeting: string }> {
  const client = await LineClient.connect({
    host: target.address, port: target.port, signal,
    ...(secure ? tlsSettings(target.address, options) : {}),
  });
  try {
    return { client, greeting: await client.readLine() };
  } catch (err) {
    client.close();
    throw err;
  }
}
