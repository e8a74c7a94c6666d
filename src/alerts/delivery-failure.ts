// Why an alert was not delivered, for the line tslvs logs after ldirectord's fixed
// "failed to send SMTP email message" / "failed to send email message". Only the server's
// reply, the system error or the exit status: no message text, and Net::SMTP's path has no
// credentials to leak (tslvs never authenticates).
import { hostPort } from '../ipvs/keys.js';
import { strerror, strerrorOf } from '../log/strerror.js';
import { oneLine } from './mail-header.js';

/** Long replies are cut here: one readable log line. */
const MAX = 300;

const clip = (text: string) => {
  const line = oneLine(text).trim();
  return line.length > MAX ? `${line.slice(0, MAX)}…` : line;
};

interface SmtpError {
  response?: unknown;
  command?: unknown;
  syscall?: unknown;
  hostname?: unknown;
  code?: unknown;
  message?: unknown;
}

/** `host:port` as operators write it (`[v6]:port` for IPv6). */
export function smtpServerText(host: string, port: number): string {
  return hostPort(host, port);
}

/** "SMTP server H:P: RCPT TO answered 550 …" / "…: connect: Connection refused" / "…: no complete session within 20 s". */
export function smtpFailureLine(server: string, err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  let reason: string;
  if (typeof e.response === 'string' && e.response !== '') {
    const step = e.command === 'CONN' || e.command === undefined ? 'greeting' : String(e.command);
    reason = `${step} answered ${e.response}`;
  } else if (e.syscall === 'getaddrinfo' || e.syscall === 'queryA') {
    reason = `cannot resolve ${String(e.hostname)}: ${String(e.code)}`;
  } else if (typeof e.syscall === 'string') {
    reason = `${e.syscall}: ${strerror(err)}`;
  } else {
    reason = typeof e.message === 'string' ? e.message : String(err);
  }
  return `SMTP server ${server}: ${clip(reason)}`;
}

export interface MailerResult {
  exitCode?: number | undefined;
  signal?: string | undefined;
  timedOut: boolean;
  code?: string | undefined;
  stderr?: unknown;
}

/** "/usr/sbin/sendmail: exit status 75: <first stderr line>" and the like. */
export function sendmailFailureLine(path: string, r: MailerResult, timeoutMs: number): string {
  let reason: string;
  if (r.timedOut) reason = `timed out after ${timeoutMs / 1000} s`;
  else if (r.code !== undefined && r.exitCode === undefined && r.signal === undefined) reason = strerrorOf(r.code);
  else if (r.signal !== undefined) reason = `killed by ${r.signal}`;
  else reason = `exit status ${r.exitCode ?? '?'}`;
  const said = typeof r.stderr === 'string' ? r.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') : undefined;
  return `${path}: ${clip(said !== undefined ? `${reason}: ${said}` : reason)}`;
}
