// ftp negotiate check, after ldirectord's check_ftp (Net::FTP): connect, log in with `login` /
// `passwd`, CWD /, TYPE I, passive RETR of `request`, QUIT; up when the retrieved content matches
// the `receive` regular expression (a Perl pattern, util/perl-regex.ts, as in every check).
// ldirectord's config layer makes login "anonymous" and passwd "ldirectord@<hostname>" when
// service=ftp is set explicitly; when they are still absent (e.g. the service came from port 21)
// Net::FTP sends user "anonymous" and an empty password, which is what we do here too.
// Deliberate differences (see docs/CHECKS.md):
//  - ldirectord ignores every FTP error and only matches the file's content (an empty string
//    when anything failed); tslvs reports a failed greeting/login/RETR as down, with the reply.
//  - with no `receive`, ldirectord matches Perl's empty pattern, which reuses the last
//    successful regex of the daemon — unpredictable. tslvs then requires the login to succeed
//    and, when `request` names a file (not the default "/"), the RETR to succeed.
//  - only the first 8 MiB of the file are kept for matching.
// Reads: options.login, passwd, request, receive.
import { Writable } from 'node:stream';
import { Client, FTPError } from 'basic-ftp';
import type { CheckFn } from './types.js';
import { describeError, hostPort, oneLine, result, startTimer, withRedaction } from './util/result.js';
import { untilAbort } from './util/deadline.js';
import { perlRegex } from './util/perl-regex.js';

const MAX_KEEP = 8 * 1024 * 1024;

/** Collects up to MAX_KEEP bytes and drains (discards) the rest, so the transfer completes. */
class Sink extends Writable {
  chunks: Buffer[] = [];
  size = 0;
  total = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.total += chunk.length;
    if (this.size < MAX_KEEP) {
      const part = chunk.subarray(0, MAX_KEEP - this.size);
      this.chunks.push(part);
      this.size += part.length;
    }
    cb();
  }
  text(): string { return Buffer.concat(this.chunks).toString('latin1'); }
}

function ftpReason(err: unknown, signal: AbortSignal): string {
  // basic-ftp rewrites socket errors ("connect ECONNREFUSED … (control socket)"), drops .code and
  // may deliver them as FTPError; recognise them by text first. Duck-typed: errors from another
  // realm (jest's sandbox) fail `instanceof Error`.
  const message = typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  if (!signal.aborted && typeof message === 'string') {
    if (/\bECONNREFUSED\b/.test(message)) return 'connection refused';
    if (/\bECONNRESET\b/.test(message)) return 'connection reset';
  }
  if (err instanceof FTPError) return oneLine(err.message);
  return oneLine(describeError(err, signal));
}

export const checkFtp: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const label = `FTP ${hostPort(target.address, target.port)}`;
  let receive: RegExp | undefined;
  if (options.receive) {
    const re = perlRegex(options.receive);
    if (!re.ok) return result(elapsed, false, `${label}: ${re.error}`);
    receive = re.re;
  }
  const user = options.login || 'anonymous';
  const passwd = options.passwd ?? '';
  const request = options.request || '/';
  const client = new Client(options.timeoutMs);
  const onAbort = () => client.close();
  signal.addEventListener('abort', onAbort, { once: true });
  let step = 'connect';
  try {
    await untilAbort(client.connect(target.address, target.port), signal);
    step = `login as ${user}`;
    await untilAbort(client.login(user, passwd), signal);
    // Like ldirectord: CWD / and binary mode, failures of either ignored.
    await untilAbort(client.sendIgnoringError('CWD /'), signal);
    await untilAbort(client.sendIgnoringError('TYPE I'), signal);
    if (!receive && request === '/') {
      return result(elapsed, true, `${label}: logged in as ${user} (no receive set)`);
    }
    step = `RETR ${request}`;
    const sink = new Sink();
    await untilAbort(client.downloadTo(sink, request), signal);
    const got = `retrieved ${request} (${sink.total} bytes)`;
    if (!receive) return result(elapsed, true, `${label}: ${got}`);
    if (receive.test(sink.text())) return result(elapsed, true, `${label}: ${got}, matched receive`);
    return result(elapsed, false, `${label}: ${got}, did not match receive /${options.receive}/`);
  } catch (err) {
    return result(elapsed, false, `${label}: ${step} failed: ${ftpReason(err, signal)}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.close();
  }
});
