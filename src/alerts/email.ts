// ldirectord's e-mail alerts: ld_emailalert_send, ld_emailalert_resend,
// _ld_virtual_server_details, ld_emailalert_net_smtp and ld_emailalert_mail_send.
//
//   const alerts = new EmailAlerts({ global, status: () => daemonStatus, log: (m) => logger.log(m) });
//   void alerts.send(`Deleted real server: 10.0.0.2:80 (10.0.0.1:80)`, v, '10.0.0.2:80', true);
//   void alerts.resend();          // after each check round, as ldirectord's main loop does
//   alerts.setGlobal(newGlobal);   // on reload
//   await alerts.flush();          // before exiting, so "stopping" alerts go out
//
// Bookkeeping, the status filter and the "emailalert: <subject>" log line happen synchronously
// inside send(); only the delivery is asynchronous. Deliveries through one SMTP server (or
// through sendmail) are queued and go out in order. Promises returned here never reject.
//
// Deliberate differences from ldirectord 4.12 (see docs/ALERTS.md):
// - the SMTP session has a bounded duration (Net::SMTP waits up to 120 s per step and
//   blocks the whole daemon meanwhile);
// - every SMTP failure is logged, not only a failed connection/greeting, and ldirectord's fixed
//   line is followed by one saying why (the server's reply, the system error, the exit status);
// - `smtp=host:port` reaches the port (ldirectord's config reader drops it; src/config/smtp-address.ts);
// - CR/LF in a value that goes into a header becomes a space (ldirectord writes it raw);
// - an `emailalert` holding several addresses is split for RCPT TO (Net::SMTP sent the whole
//   string as one recipient, which servers reject);
// - sendmail gets `-t -oi` (Mail::Mailer passes only `-t`; no body line can be a lone ".").
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import { execa } from 'execa';
import type SMTPConnectionType from 'nodemailer/lib/smtp-connection';
import { virtualName } from '../config/ids.js';
import type { EmailStatus, GlobalConfig, VirtualService } from '../config/model.js';
import { perlTrue } from '../config/perl.js';
import { sendmailFailureLine, smtpFailureLine, smtpServerText } from './delivery-failure.js';
import { oneLine } from './mail-header.js';

/** ldirectord's $DAEMON_STATUS, as daemon_status_str() prints it. */
export type DaemonStatus = EmailStatus;

export interface EmailAlertDeps {
  /** EMAILALERT, EMAILALERTFREQ, EMAILALERTSTATUS, EMAILALERTFROM, SMTP. */
  global: GlobalConfig;
  /** $DAEMON_STATUS at the time send() is called. */
  status: () => DaemonStatus;
  /** ld_log(). */
  log: (message: string) => void;
  /** ld_debug(): a delivery that failed outside the SMTP/sendmail paths (a bug). */
  debug?: (priority: number, message: string) => void;
  /** Defaults: os.hostname(), os.userInfo().username. */
  hostname?: string;
  username?: string;
  /** time(), in seconds. */
  now?: () => number;
  /** Mail::Send's mailer, used when no `smtp=` applies. */
  sendmailPath?: string;
  /** Upper bound of one SMTP delivery, connection to QUIT (default 20 s). */
  smtpTimeoutMs?: number;
  /** Upper bound of one sendmail run (default 30 s). */
  sendmailTimeoutMs?: number;
}

interface Entry {
  virtual: VirtualService;
  server: string;
  alerttime: number;
}

/** Net::SMTP's default EHLO argument. */
const EHLO_NAME = 'localhost.localdomain';
const DONE: Promise<void> = Promise.resolve();

export class EmailAlerts {
  private global: GlobalConfig;
  private readonly hostname: string;
  private readonly username: string;
  private readonly now: () => number;
  private readonly sendmailPath: string;
  private readonly smtpTimeoutMs: number;
  private readonly sendmailTimeoutMs: number;
  /** %EMAILSTATUS, keyed "SERVER (VIRTUAL)". */
  private readonly status = new Map<string, Entry>();
  /** Tail of the delivery queue of each SMTP server / of sendmail. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: EmailAlertDeps) {
    this.global = deps.global;
    this.hostname = deps.hostname ?? os.hostname();
    this.username = deps.username ?? currentUser();
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.sendmailPath = deps.sendmailPath ?? '/usr/sbin/sendmail';
    this.smtpTimeoutMs = deps.smtpTimeoutMs ?? 20_000;
    this.sendmailTimeoutMs = deps.sendmailTimeoutMs ?? 30_000;
  }

  /** Reload: the global settings are read at each send, as ldirectord reads its globals. */
  setGlobal(global: GlobalConfig): void {
    this.global = global;
  }

  /**
   * ld_emailalert_send(subject, v, server, inaccessible ? time() : 0). `server` is the
   * rservice ldirectord logs ("10.0.0.2:80", "[2001:db8::2]:80"). `inaccessible` is true for
   * "Deleted"/"Quiescent" of a real server, false for "Added"/"Restored", fallback and purge.
   */
  send(subject: string, virtual: VirtualService, server: string, inaccessible: boolean): Promise<void> {
    return this.sendAt(subject, virtual, server, inaccessible ? this.now() : 0);
  }

  /** ld_emailalert_resend(): a reminder for each real still down after its emailalertfreq. */
  resend(): Promise<void> {
    const currenttime = this.now();
    const sends: Array<Promise<void>> = [];
    for (const [id, es] of [...this.status]) {
      const frequency = es.virtual.emailalertfreq ?? this.global.emailalertfreq;
      if (currenttime - es.alerttime < frequency) continue;
      sends.push(this.sendAt(`Inaccessible real server: ${id}`, es.virtual, es.server, currenttime));
    }
    return Promise.all(sends).then(() => undefined);
  }

  /** Forget every %EMAILSTATUS entry (ldirectord does this in each forked child). */
  clear(): void {
    this.status.clear();
  }

  /** Resolves once every delivery queued so far has finished (sent or failed). */
  async flush(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  private sendAt(subject: string, v: VirtualService, server: string, currenttime: number): Promise<void> {
    const frequency = v.emailalertfreq ?? this.global.emailalertfreq;
    const id = `${server} (${virtualName(v)})`;
    if (currenttime === 0 || frequency === 0) this.status.delete(id);
    else this.status.set(id, { virtual: v, server, alerttime: currenttime });

    const daemonStatus = this.deps.status();
    const filter = v.emailalertstatus ?? this.global.emailalertstatus;
    if (!filter.includes(daemonStatus)) return DONE;

    const to = v.emailalert ?? this.global.emailalert ?? '';
    if (to === '') return DONE;
    const smtp = v.smtp ?? this.global.smtp;

    this.deps.log(`emailalert: ${subject}`);

    const details = virtualServerDetails(v);
    if (perlTrue(v.servicename)) subject = `[${v.servicename}] ${subject}`;
    // Everything below goes into a header or a one-line body field: one line each.
    subject = oneLine(subject);
    const rcpt = oneLine(to);
    const hostname = oneLine(this.hostname);
    const body = `ldirectord host: ${hostname}\n`
      + `Log-Message: ${subject}\n`
      + `Daemon-Status: ${daemonStatus}\n`
      + (details !== '' ? `\n${details}\n` : '');
    const sender = `${oneLine(this.username)}@${hostname}`;
    const from = perlTrue(this.global.emailalertfrom) ? oneLine(this.global.emailalertfrom) : undefined;

    if (smtp !== undefined) {
      const message = `From: ${from ?? sender}\nTo: ${rcpt}\nSubject: ${subject}\n\n${body}`;
      return this.enqueue(`smtp ${smtp}`, () => this.deliverSmtp(smtp, sender, rcpt, message));
    }
    // Mail::Send writes only the headers it was given; sendmail supplies From when absent.
    const message = `${from !== undefined ? `From: ${from}\n` : ''}To: ${rcpt}\nSubject: ${subject}\n\n${body}`;
    return this.enqueue('sendmail', () => this.deliverSendmail(message));
  }

  private enqueue(key: string, job: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(key) ?? DONE).then(job).catch((err: unknown) => {
      this.deps.debug?.(2, `email alert: ${String(err)}`);
    });
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
    return next;
  }

  /** ld_emailalert_net_smtp() */
  private async deliverSmtp(server: string, sender: string, to: string, message: string): Promise<void> {
    const deadline = Date.now() + this.smtpTimeoutMs;
    const { host, port } = parseSmtpServer(server);
    try {
      const addresses = net.isIP(host) ? [host] : await lookupAll(host, this.smtpTimeoutMs);
      // nodemailer is loaded on the first mail: most daemons never send one.
      const { default: addressparser } = await import('nodemailer/lib/addressparser');
      const { default: SMTPConnection } = await import('nodemailer/lib/smtp-connection');
      const recipients = addressparser(to, { flatten: true }).map((a) => a.address).filter((a) => a !== '');
      const envelope = { from: sender, to: recipients.length > 0 ? recipients : [to] };
      const data = Buffer.from(message, 'latin1');
      // Like IO::Socket::IP: try each address until one accepts the connection.
      let lastError: unknown = new Error(`no address for ${host}`);
      for (const address of addresses) {
        const result = await smtpSession(SMTPConnection, address, port, envelope, data, deadline, this.smtpTimeoutMs);
        if (result === 'sent') return;
        lastError = result.error;
        if (result.phase === 'session') break;
      }
      throw lastError;
    } catch (err) {
      // ldirectord's line, unchanged (operators grep for it), then the cause on its own line.
      this.deps.log('failed to send SMTP email message');
      this.deps.log(smtpFailureLine(smtpServerText(host, port), err));
    }
  }

  /** ld_emailalert_mail_send() */
  private async deliverSendmail(message: string): Promise<void> {
    const r = await execa(this.sendmailPath, ['-t', '-oi'], {
      input: Buffer.from(message, 'latin1'), reject: false, timeout: this.sendmailTimeoutMs,
      stdout: 'ignore', stderr: 'pipe', encoding: 'latin1',
    });
    if (r.failed) {
      this.deps.log('failed to send email message');
      this.deps.log(sendmailFailureLine(this.sendmailPath, r, this.sendmailTimeoutMs));
    }
  }
}

/** _ld_virtual_server_details() */
export function virtualServerDetails(v: Pick<VirtualService, 'servicename' | 'comment'>): string {
  let details = '';
  if (perlTrue(v.servicename)) details += `Service name: ${oneLine(v.servicename)}\n`;
  if (perlTrue(v.comment)) details += `Comment: ${oneLine(v.comment)}\n`;
  return details;
}

/** What src/config/smtp-address.ts accepts: `host`, `host:port`, `[v6]`, `[v6]:port`; port 25 by default. */
export function parseSmtpServer(server: string): { host: string; port: number } {
  let m = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (m) return { host: m[1]!, port: m[2] !== undefined ? Number(m[2]) : 25 };
  if (net.isIPv6(server)) return { host: server, port: 25 };
  m = /^([^:]+):(\d+)$/.exec(server);
  if (m) return { host: m[1]!, port: Number(m[2]) };
  return { host: server, port: 25 };
}

function currentUser(): string {
  // getpwuid($<) yields undef (so "@host") when the uid has no passwd entry.
  try { return os.userInfo().username; } catch { return ''; }
}

/** getaddrinfo() order, as IO::Socket::IP uses it (honours /etc/hosts, unlike a DNS query). */
async function lookupAll(host: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lookup of ${host} timed out`)), timeoutMs);
  });
  try {
    const found = await Promise.race([dns.lookup(host, { all: true, verbatim: true }), timeout]);
    return found.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

type SessionResult = 'sent' | { phase: 'connect' | 'session'; error: unknown };

/** One plain SMTP transaction (no STARTTLS, as Net::SMTP), cut off at `deadline`. */
function smtpSession(SMTPConnection: typeof SMTPConnectionType, host: string, port: number,
  envelope: { from: string; to: string[] }, data: Buffer, deadline: number, budgetMs: number): Promise<SessionResult> {
  const left = Math.max(deadline - Date.now(), 1);
  return new Promise((resolve) => {
    const conn = new SMTPConnection({
      host, port, secure: false, ignoreTLS: true, name: EHLO_NAME, logger: false,
      // A little beyond our own deadline, so the one timer that fires says what the budget was.
      connectionTimeout: left + 1000, greetingTimeout: left + 1000, socketTimeout: left + 1000, socketCloseTimeout: 0,
    });
    let phase: 'connect' | 'session' = 'connect';
    let settled = false;
    const finish = (result: SessionResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result !== 'sent') conn.close();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ phase, error: new Error(`no complete session within ${budgetMs / 1000} s`) }), left);
    conn.on('error', (error: unknown) => finish({ phase, error }));
    conn.connect((err) => {
      if (err) return finish({ phase, error: err });
      phase = 'session';
      conn.send(envelope, data, (sendErr) => {
        if (sendErr) return finish({ phase, error: sendErr });
        conn.quit();
        finish('sent');
      });
    });
  });
}
