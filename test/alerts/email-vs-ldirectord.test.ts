// Differential: the same alerts through ldirectord's own ld_emailalert_send/_resend (Net::SMTP,
// Mail::Send) and through EmailAlerts must produce the same log lines and the same mail.
import { EmailAlerts } from '../../src/alerts/email.js';
import type { DaemonStatus } from '../../src/alerts/email.js';
import type { VirtualService } from '../../src/config/model.js';
import { parse } from '../config/helpers.js';
import { fakeSendmail, ldirectordAlerts, perlVirtual, smtpSink } from './support.js';
import type { PerlGlobals, PerlOp } from './support.js';

const CONFIG = `virtual = 10.0.0.1:80
	real = 10.0.0.2:80 gate
	servicename = shop
	comment = front end
virtual6 = [2001:db8::1]:80
	real6 = [2001:db8::2]:80 gate
	emailalert = "v6team@example.com"
	emailalertfreq = 0
	emailalertstatus = stopping
virtual = 5
	real = 10.0.0.3 gate
	emailalertfreq = 30
	emailalertstatus = running, reloading
`;

type Step =
  | { op: 'send'; subject: string; v: number; server: string; time: number; status: DaemonStatus }
  | { op: 'resend'; time: number };

const STEPS: Step[] = [
  { op: 'send', subject: 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', v: 0, server: '10.0.0.2:80', time: 1000, status: 'running' },
  { op: 'send', subject: 'Added real server: 10.0.0.3 (5) (Weight set to 1)', v: 2, server: '10.0.0.3', time: 0, status: 'reloading' },
  { op: 'send', subject: 'Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)', v: 1, server: '[2001:db8::2]:80', time: 1000, status: 'running' },
  { op: 'send', subject: 'Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)', v: 1, server: '[2001:db8::2]:80', time: 1000, status: 'stopping' },
  { op: 'resend', time: 1059 },
  { op: 'resend', time: 1060 },
  { op: 'send', subject: 'Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', v: 0, server: '10.0.0.2:80', time: 0, status: 'running' },
  { op: 'resend', time: 5000 },
];

async function ours(globals: PerlGlobals, virtuals: VirtualService[], smtp: string | undefined, sendmailPath?: string): Promise<string[]> {
  const config = await parse(CONFIG);
  const log: string[] = [];
  let status: DaemonStatus = 'running';
  let time = 0;
  const alerts = new EmailAlerts({
    global: { ...config.global, ...globals, smtp },
    status: () => status,
    log: (m) => log.push(m),
    now: () => time,
    ...(sendmailPath !== undefined ? { sendmailPath } : {}),
  });
  for (const s of STEPS) {
    time = s.time;
    if (s.op === 'send') {
      status = s.status;
      await alerts.send(s.subject, virtuals[s.v]!, s.server, s.time !== 0);
    } else {
      status = 'running';
      await alerts.resend();
    }
  }
  return log;
}

function perlOps(virtuals: VirtualService[]): PerlOp[] {
  return STEPS.map((s) => (s.op === 'send'
    ? { op: 'send', subject: s.subject, v: String(s.v), fields: perlVirtual(virtuals[s.v]!), server: s.server, time: s.time, status: s.status }
    : { op: 'resend', time: s.time, status: 'running' }));
}

test('SMTP: same log lines, envelope, EHLO and message bytes as ldirectord with Net::SMTP', async () => {
  const { virtuals } = await parse(CONFIG);
  const globals: PerlGlobals = { emailalert: 'ops@example.com', emailalertfreq: 60 };
  const theirs = await smtpSink();
  const mine = await smtpSink();
  try {
    const perl = await ldirectordAlerts({ ...globals, smtp: '127.0.0.1' }, perlOps(virtuals), { SMTP_PORT: String(theirs.port) });
    const log = await ours(globals, virtuals, `127.0.0.1:${mine.port}`);
    expect(perl.log).toEqual([
      'emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
      'emailalert: Added real server: 10.0.0.3 (5) (Weight set to 1)',
      'emailalert: Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)',
      'emailalert: Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)',
      'emailalert: Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)',
    ]);
    expect(log).toEqual(perl.log);
    expect(theirs.mails).toHaveLength(5);
    expect(mine.mails).toEqual(theirs.mails);
  } finally {
    await theirs.close();
    await mine.close();
  }
});

test('sendmail: same message as Mail::Send (its header order is Perl hash order, so compared as a set)', async () => {
  const { virtuals } = await parse(CONFIG);
  const globals: PerlGlobals = { emailalert: 'ops@example.com', emailalertfreq: 60, emailalertfrom: 'LVS <lvs@example.com>' };
  const theirs = fakeSendmail();
  const mine = fakeSendmail();
  const perl = await ldirectordAlerts(globals, perlOps(virtuals), { PERL_MAILERS: `sendmail:${theirs.path}` });
  const log = await ours(globals, virtuals, undefined, mine.path);
  expect(log).toEqual(perl.log);
  const split = (stdin: string) => {
    const at = stdin.indexOf('\n\n');
    return { headers: stdin.slice(0, at).split('\n').sort(), body: stdin.slice(at) };
  };
  expect(theirs.runs().map((r) => r.argv)).toEqual(Array(5).fill(['-t']));
  expect(mine.runs().map((r) => r.argv)).toEqual(Array(5).fill(['-t', '-oi']));
  expect(mine.runs().map((r) => split(r.stdin))).toEqual(theirs.runs().map((r) => split(r.stdin)));
  expect(mine.runs()[0]!.stdin.split('\n').slice(0, 3)).toEqual([
    'From: LVS <lvs@example.com>', 'To: ops@example.com', 'Subject: [shop] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)']);
});
