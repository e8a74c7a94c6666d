import { EmailAlerts, parseSmtpServer, virtualServerDetails } from '../../src/alerts/email.js';
import type { DaemonStatus, EmailAlertDeps } from '../../src/alerts/email.js';
import type { Config, GlobalConfig, VirtualService } from '../../src/config/model.js';
import { parse } from '../config/helpers.js';
import { closedPort, fakeSendmail, hangingServer, smtpSink } from './support.js';
import type { SmtpSink } from './support.js';

const CONFIG = `emailalert = "ops@example.com"
emailalertfreq = 60
virtual = 10.0.0.1:80
	real = 10.0.0.2:80 gate
	service = http
	servicename = shop
	comment = front end
virtual6 = [2001:db8::1]:80
	real6 = [2001:db8::2]:80 gate
	service = http
	emailalert = "v6team@example.com"
	emailalertfreq = 0
	emailalertstatus = stopping
virtual = 5
	real = 10.0.0.3 gate
	emailalertfreq = 30
	emailalertstatus = running, reloading
`;

let config: Config;
let vShop: VirtualService;
let vSix: VirtualService;
let vMark: VirtualService;
let sink: SmtpSink;

beforeAll(async () => {
  config = await parse(CONFIG);
  [vShop, vSix, vMark] = config.virtuals as [VirtualService, VirtualService, VirtualService];
  sink = await smtpSink();
});
afterAll(() => sink.close());
beforeEach(() => { sink.mails.length = 0; });

const CRLF = (s: string) => s.replace(/\n/g, '\r\n');

interface Harness {
  alerts: EmailAlerts;
  log: string[];
  setStatus(s: DaemonStatus): void;
  setTime(t: number): void;
}

function harness(global: Partial<GlobalConfig> = {}, deps: Partial<EmailAlertDeps> = {}): Harness {
  const log: string[] = [];
  let status: DaemonStatus = 'running';
  let time = 1_000_000;
  const alerts = new EmailAlerts({
    global: { ...config.global, smtp: `127.0.0.1:${sink.port}`, ...global },
    status: () => status,
    log: (m) => log.push(m),
    hostname: 'director',
    username: 'root',
    now: () => time,
    ...deps,
  });
  return { alerts, log, setStatus: (s) => { status = s; }, setTime: (t) => { time = t; } };
}

describe('SMTP delivery (smtp=)', () => {
  test('headers, body and details exactly as ld_emailalert_net_smtp writes them; plain SMTP, Net::SMTP EHLO', async () => {
    const h = harness();
    await h.alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', vShop, '10.0.0.2:80', true);
    expect(h.log).toEqual(['emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)']);
    expect(sink.mails).toEqual([{
      from: 'root@director',
      to: ['ops@example.com'],
      ehlo: 'localhost.localdomain',
      secure: false,
      raw: CRLF('From: root@director\nTo: ops@example.com\n'
        + 'Subject: [shop] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n\n'
        + 'ldirectord host: director\n'
        + 'Log-Message: [shop] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n'
        + 'Daemon-Status: running\n'
        + '\nService name: shop\nComment: front end\n\n'),
    }]);
  });

  test('emailalertfrom sets the From header only; no details without servicename/comment', async () => {
    const h = harness({ emailalertfrom: 'LVS <lvs@example.com>' });
    h.setStatus('reloading');
    await h.alerts.send('Added real server: 10.0.0.3 (5) (Weight set to 1)', vMark, '10.0.0.3', false);
    expect(sink.mails).toHaveLength(1);
    expect(sink.mails[0]!.from).toBe('root@director');
    expect(sink.mails[0]!.raw).toBe(CRLF('From: LVS <lvs@example.com>\nTo: ops@example.com\n'
      + 'Subject: Added real server: 10.0.0.3 (5) (Weight set to 1)\n\n'
      + 'ldirectord host: director\nLog-Message: Added real server: 10.0.0.3 (5) (Weight set to 1)\n'
      + 'Daemon-Status: reloading\n'));
  });

  test('per-virtual emailalert and smtp override the global ones', async () => {
    const other = await smtpSink();
    try {
      const h = harness({ smtp: `127.0.0.1:${await closedPort()}` });
      h.setStatus('stopping');
      await h.alerts.send('Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)', { ...vSix, smtp: `127.0.0.1:${other.port}` }, '[2001:db8::2]:80', true);
      expect(h.log).toEqual(['emailalert: Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)']);
      expect(other.mails.map((m) => m.to)).toEqual([['v6team@example.com']]);
      expect(other.mails[0]!.raw).toContain('\r\nTo: v6team@example.com\r\n');
    } finally {
      await other.close();
    }
  });

  test('several addresses in emailalert: each gets a RCPT TO, the To header stays as written', async () => {
    const h = harness({ emailalert: 'a@example.com, Bee <b@example.com>' });
    await h.alerts.send('x', vMark, '10.0.0.3', false);
    expect(sink.mails[0]!.to).toEqual(['a@example.com', 'b@example.com']);
    expect(sink.mails[0]!.raw).toContain('\r\nTo: a@example.com, Bee <b@example.com>\r\n');
  });

  test('latin1 text reaches the wire as single bytes', async () => {
    const h = harness();
    await h.alerts.send('x', { ...vShop, servicename: 'caf\u00e9', comment: undefined }, '10.0.0.2:80', false);
    expect(sink.mails[0]!.raw).toContain('Subject: [caf\u00e9] x\r\n');
    expect(sink.mails[0]!.raw).toContain('\r\nService name: caf\u00e9\r\n\r\n');
  });

  test('"0" is false in Perl: servicename/comment "0" add no prefix and no details', async () => {
    const h = harness({ emailalertfrom: '0' });
    await h.alerts.send('x', { ...vShop, servicename: '0', comment: '0' }, '10.0.0.2:80', false);
    expect(sink.mails[0]!.raw).toBe(CRLF('From: root@director\nTo: ops@example.com\nSubject: x\n\n'
      + 'ldirectord host: director\nLog-Message: x\nDaemon-Status: running\n'));
  });

  test('many sends to one server go out in call order; log lines are written at call time', async () => {
    const h = harness();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < 15; i++) pending.push(h.alerts.send(`alert ${i}`, vMark, '10.0.0.3', false));
    expect(h.log).toEqual(Array.from({ length: 15 }, (_, i) => `emailalert: alert ${i}`));
    expect(sink.mails).toHaveLength(0);
    await h.alerts.flush();
    expect(sink.mails.map((m) => /Subject: (.*)\r\n/.exec(m.raw)?.[1])).toEqual(Array.from({ length: 15 }, (_, i) => `alert ${i}`));
    await Promise.all(pending);
  });
});

describe('status filter and addresses', () => {
  const statuses: DaemonStatus[] = ['starting', 'running', 'stopping', 'reloading'];
  const sentFor = async (global: Partial<GlobalConfig>, v: VirtualService) => {
    const sent: DaemonStatus[] = [];
    for (const s of statuses) {
      const h = harness(global);
      h.setStatus(s);
      await h.alerts.send('x', v, '10.0.0.2:80', false);
      if (h.log.length > 0) sent.push(s);
      expect(sink.mails).toHaveLength(h.log.length);
      sink.mails.length = 0;
    }
    return sent;
  };

  test.each([
    [['starting', 'running', 'stopping', 'reloading']],
    [[]],
    [['starting']],
    [['running']],
    [['stopping']],
    [['reloading']],
    [['starting', 'stopping']],
  ] as DaemonStatus[][][])('global emailalertstatus %j', async (filter) => {
    expect(await sentFor({ emailalertstatus: filter }, vShop)).toEqual(filter);
  });

  test('"all", "none" and comma lists as the config parser stores them', async () => {
    const parsed = async (value: string) => (await parse(`emailalertstatus = ${value}\n${CONFIG}`)).global.emailalertstatus;
    expect(await sentFor({ emailalertstatus: await parsed('all') }, vShop)).toEqual(statuses);
    expect(await sentFor({ emailalertstatus: await parsed('none') }, vShop)).toEqual([]);
    expect(await sentFor({ emailalertstatus: await parsed('stopping, starting') }, vShop)).toEqual(['starting', 'stopping']);
  });

  test('a virtual\'s emailalertstatus overrides the global one', async () => {
    expect(await sentFor({}, vSix)).toEqual(['stopping']);
    expect(await sentFor({ emailalertstatus: [] }, vMark)).toEqual(['running', 'reloading']);
  });

  test('no address anywhere: nothing sent, nothing logged', async () => {
    const h = harness({ emailalert: undefined });
    await h.alerts.send('x', vShop, '10.0.0.2:80', true);
    expect(h.log).toEqual([]);
    expect(sink.mails).toEqual([]);
  });
});

describe('resend (ld_emailalert_resend)', () => {
  const subjects = () => sink.mails.map((m) => /Subject: (.*)\r\n/.exec(m.raw)?.[1]);

  test('"Inaccessible real server" every emailalertfreq seconds while down, stopped by recovery', async () => {
    const h = harness();
    h.setTime(1000);
    await h.alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', vShop, '10.0.0.2:80', true);
    h.setTime(1059);
    await h.alerts.resend();
    expect(sink.mails).toHaveLength(1);
    h.setTime(1060);
    await h.alerts.resend();
    h.setTime(1119);
    await h.alerts.resend();
    h.setTime(1120);
    await h.alerts.resend();
    expect(subjects()).toEqual([
      '[shop] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
      '[shop] Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)',
      '[shop] Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)',
    ]);
    expect(h.log).toEqual([
      'emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
      'emailalert: Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)',
      'emailalert: Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)',
    ]);
    await h.alerts.send('Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 1)', vShop, '10.0.0.2:80', false);
    h.setTime(9999);
    await h.alerts.resend();
    expect(sink.mails).toHaveLength(4);
    expect(h.log).toHaveLength(4);
  });

  test('per-virtual frequency, fwmark key; frequency 0 keeps no entry', async () => {
    const h = harness();
    h.setTime(1000);
    await h.alerts.send('Deleted real server: 10.0.0.3 (5)', vMark, '10.0.0.3', true);
    h.setStatus('stopping');
    await h.alerts.send('Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)', vSix, '[2001:db8::2]:80', true);
    h.setStatus('running');
    h.setTime(1029);
    await h.alerts.resend();
    h.setTime(1030);
    await h.alerts.resend();
    h.setTime(5000);
    h.setStatus('stopping'); // vSix's filter would let a reminder through: there must be none
    await h.alerts.resend();
    expect(subjects()).toEqual([
      'Deleted real server: 10.0.0.3 (5)',
      'Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)',
      'Inaccessible real server: 10.0.0.3 (5)',
    ]);
  });

  test('the entry is kept while the status filter blocks the mail; the global frequency is read at resend', async () => {
    const h = harness({ emailalertstatus: ['running'] });
    h.setTime(1000);
    h.setStatus('starting');
    await h.alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', vShop, '10.0.0.2:80', true);
    expect(h.log).toEqual([]);
    h.setStatus('running');
    h.alerts.setGlobal({ ...config.global, smtp: `127.0.0.1:${sink.port}`, emailalertstatus: ['running'], emailalertfreq: 5 });
    h.setTime(1005);
    await h.alerts.resend();
    expect(h.log).toEqual(['emailalert: Inaccessible real server: 10.0.0.2:80 (10.0.0.1:80)']);
  });

  test('clear() forgets the entries', async () => {
    const h = harness();
    h.setTime(1000);
    await h.alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', vShop, '10.0.0.2:80', true);
    h.alerts.clear();
    h.setTime(2000);
    await h.alerts.resend();
    expect(sink.mails).toHaveLength(1);
  });
});

describe('SMTP failures never throw and are logged: ldirectord\'s line, then the cause', () => {
  test('nothing listening', async () => {
    const port = await closedPort();
    const h = harness({ smtp: `127.0.0.1:${port}` });
    await expect(h.alerts.send('x', vShop, '10.0.0.2:80', true)).resolves.toBeUndefined();
    expect(h.log).toEqual(['emailalert: x', 'failed to send SMTP email message',
      `SMTP server 127.0.0.1:${port}: connect: Connection refused`]);
  });

  test('a server that accepts and never answers is given up after smtpTimeoutMs', async () => {
    const hang = await hangingServer();
    try {
      const h = harness({ smtp: `127.0.0.1:${hang.port}` }, { smtpTimeoutMs: 400 });
      const started = Date.now();
      await h.alerts.send('x', vShop, '10.0.0.2:80', true);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(350);
      expect(took).toBeLessThan(3000);
      expect(h.log).toEqual(['emailalert: x', 'failed to send SMTP email message',
        `SMTP server 127.0.0.1:${hang.port}: no complete session within 0.4 s`]);
    } finally {
      await hang.close();
    }
  });

  test('a rejected recipient', async () => {
    const picky = await smtpSink({ rejectRcpt: 'ops@example.com' });
    try {
      const h = harness({ smtp: `127.0.0.1:${picky.port}` });
      await h.alerts.send('x', vShop, '10.0.0.2:80', true);
      expect(h.log).toEqual(['emailalert: x', 'failed to send SMTP email message',
        `SMTP server 127.0.0.1:${picky.port}: RCPT TO answered 550 5.1.1 no such user`]);
      expect(picky.mails).toEqual([]);
    } finally {
      await picky.close();
    }
  });

  test('a failed delivery does not hold up the next one on the same server', async () => {
    const picky = await smtpSink({ rejectRcpt: 'ops@example.com' });
    try {
      const h = harness({ smtp: `127.0.0.1:${picky.port}` });
      const first = h.alerts.send('first', vShop, '10.0.0.2:80', true);
      h.setStatus('stopping');
      const second = h.alerts.send('second', vSix, '[2001:db8::2]:80', true);
      await Promise.all([first, second]);
      expect(h.log).toEqual(['emailalert: first', 'emailalert: second', 'failed to send SMTP email message',
        `SMTP server 127.0.0.1:${picky.port}: RCPT TO answered 550 5.1.1 no such user`]);
      expect(picky.mails.map((m) => m.to)).toEqual([['v6team@example.com']]);
    } finally {
      await picky.close();
    }
  });
});

describe('sendmail delivery (no smtp=)', () => {
  test('`sendmail -t -oi` gets To, Subject and the body; no From unless emailalertfrom', async () => {
    const sm = fakeSendmail();
    const h = harness({ smtp: undefined }, { sendmailPath: sm.path });
    await h.alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', vShop, '10.0.0.2:80', true);
    h.alerts.setGlobal({ ...config.global, emailalertfrom: 'lvs@example.com' });
    await h.alerts.send('Added real server: 10.0.0.3 (5) (Weight set to 1)', vMark, '10.0.0.3', false);
    expect(sm.runs()).toEqual([
      {
        argv: ['-t', '-oi'],
        stdin: 'To: ops@example.com\nSubject: [shop] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n\n'
          + 'ldirectord host: director\nLog-Message: [shop] Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\n'
          + 'Daemon-Status: running\n\nService name: shop\nComment: front end\n\n',
      },
      {
        argv: ['-t', '-oi'],
        stdin: 'From: lvs@example.com\nTo: ops@example.com\nSubject: Added real server: 10.0.0.3 (5) (Weight set to 1)\n\n'
          + 'ldirectord host: director\nLog-Message: Added real server: 10.0.0.3 (5) (Weight set to 1)\n'
          + 'Daemon-Status: running\n',
      },
    ]);
    expect(h.log).toEqual([
      'emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
      'emailalert: Added real server: 10.0.0.3 (5) (Weight set to 1)',
    ]);
    expect(sink.mails).toEqual([]);
  });

  test('sendmail failing or missing: "failed to send email message", then why; no throw', async () => {
    const bad = fakeSendmail(75, 'sendmail: cannot queue: disk full');
    const h = harness({ smtp: undefined }, { sendmailPath: bad.path });
    await expect(h.alerts.send('x', vShop, '10.0.0.2:80', true)).resolves.toBeUndefined();
    expect(bad.runs()).toHaveLength(1);
    const missing = harness({ smtp: undefined }, { sendmailPath: '/nonexistent/sendmail' });
    await expect(missing.alerts.send('y', vShop, '10.0.0.2:80', true)).resolves.toBeUndefined();
    expect(h.log).toEqual(['emailalert: x', 'failed to send email message',
      `${bad.path}: exit status 75: sendmail: cannot queue: disk full`]);
    expect(missing.log).toEqual(['emailalert: y', 'failed to send email message',
      '/nonexistent/sendmail: No such file or directory']);
  });
});

describe('smtp=host:port reaches the port (ldirectord\'s reader drops it)', () => {
  test('from config text to a listener on a non-25 loopback port, global and per virtual', async () => {
    const other = await smtpSink({ host: '::1' });
    try {
      const parsed = await parse(`emailalert = ops@example.com\nsmtp = 127.0.0.1:${sink.port}\n`
        + `virtual = 10.0.0.1:80\n\treal = 10.0.0.2:80 gate\nvirtual = 10.0.0.9:80\n\treal = 10.0.0.2:80 gate\n`
        + `\tsmtp = [::1]:${other.port}\n`);
      expect(parsed.global.smtp).toBe(`127.0.0.1:${sink.port}`);
      const [v1, v2] = parsed.virtuals as [VirtualService, VirtualService];
      expect(v2.smtp).toBe(`[::1]:${other.port}`);
      const log: string[] = [];
      const alerts = new EmailAlerts({ global: parsed.global, status: () => 'running', log: (m) => log.push(m),
        hostname: 'director', username: 'root' });
      await alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', v1, '10.0.0.2:80', true);
      await alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.9:80)', v2, '10.0.0.2:80', true);
      expect(log).toEqual(['emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)',
        'emailalert: Deleted real server: 10.0.0.2:80 (10.0.0.9:80)']);
      expect(sink.mails.map((m) => m.to)).toEqual([['ops@example.com']]);
      expect(sink.mails[0]!.raw).toContain('Subject: Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\r\n');
      expect(other.mails.map((m) => /Subject: (.*)\r\n/.exec(m.raw)?.[1])).toEqual(['Deleted real server: 10.0.0.2:80 (10.0.0.9:80)']);
    } finally {
      await other.close();
    }
  });

  test('the grammar: host[:port], [v6][:port]; a ":" without a valid port is a line-numbered error, not port 25', async () => {
    const smtpOf = async (value: string) => (await parse(`smtp = ${value}\n`)).global.smtp;
    expect(await smtpOf('mail.example.com')).toBe('mail.example.com');
    expect(await smtpOf('mail.example.com:2525')).toBe('mail.example.com:2525');
    expect(await smtpOf('192.0.2.5:587')).toBe('192.0.2.5:587');
    expect(await smtpOf('[2001:db8::25]')).toBe('[2001:db8::25]');
    expect(await smtpOf('[2001:db8::25]:587')).toBe('[2001:db8::25]:587');
    expect(await smtpOf('mail.example.com extra words')).toBe('mail.example.com'); // ldirectord's prefix match
    for (const bad of ['mail:', 'mail:0', 'mail:65536', 'mail:25x', 'mail:smtp', '2001:db8::25', '[2001:db8::25', '[nothex]:25', ':25']) {
      await expect(parse(`checkinterval = 5\nsmtp = ${bad}\n`)).rejects.toMatchObject({ line: 2, text: 'invalid SMTP server address' });
    }
  });
});

describe('CR/LF in config values cannot add mail headers', () => {
  /** Header names of a message, splitting at any CR or LF as a lenient MTA might. */
  const headerNames = (raw: string) => raw.slice(0, raw.search(/\r\n\r\n|\n\n/)).split(/\r\n|\r|\n/)
    .map((l) => /^([^:\s]+):/.exec(l)?.[1] ?? `(continuation) ${l}`);
  const bareBreaks = (raw: string) => raw.replace(/\r\n/g, '').match(/[\r\n]/g) ?? [];
  const evil = {
    emailalert: 'ops@example.com\r\nBcc: to@evil.example',
    emailalertfrom: 'lvs@example.com\r\nBcc: from@evil.example',
    servicename: 'shop\r\nBcc: name@evil.example\rX-Injected: 1\n',
    comment: 'front\r\n\r\n.\r\nMAIL FROM:<x@evil.example>',
  };

  test('SMTP: exactly From, To, Subject on the real listener; no extra recipient; no bare CR/LF', async () => {
    const h = harness({ emailalertfrom: evil.emailalertfrom });
    const v = { ...vShop, emailalert: evil.emailalert, servicename: evil.servicename, comment: evil.comment };
    await h.alerts.send('Deleted real server: 10.0.0.2:80 (10.0.0.1:80)', v, '10.0.0.2:80', true);
    expect(sink.mails).toHaveLength(1);
    const mail = sink.mails[0]!;
    expect(headerNames(mail.raw)).toEqual(['From', 'To', 'Subject']);
    // Recipients come from emailalert only (garbled here, but no CR/LF reaches RCPT TO).
    for (const a of mail.to) expect(a).not.toMatch(/[\r\n]|name@|from@/);
    expect(bareBreaks(mail.raw)).toEqual([]);
    expect(mail.raw).toContain('\r\nSubject: [shop Bcc: name@evil.example X-Injected: 1 ] '
      + 'Deleted real server: 10.0.0.2:80 (10.0.0.1:80)\r\n');
    expect(mail.raw).toContain('\r\nComment: front . MAIL FROM:<x@evil.example>\r\n');
    expect(mail.raw.startsWith('From: lvs@example.com Bcc: from@evil.example\r\nTo: ops@example.com Bcc: to@evil.example\r\n')).toBe(true);
  });

  test('sendmail -t: exactly From, To, Subject on stdin (a Bcc line would add a recipient)', async () => {
    const sm = fakeSendmail();
    const h = harness({ smtp: undefined, emailalertfrom: evil.emailalertfrom }, { sendmailPath: sm.path });
    await h.alerts.send('x', { ...vShop, emailalert: evil.emailalert, servicename: evil.servicename }, '10.0.0.2:80', true);
    const [run] = sm.runs();
    expect(headerNames(run!.stdin)).toEqual(['From', 'To', 'Subject']);
    expect(run!.stdin.split('\n\n')[0]!.includes('\r')).toBe(false);
  });

  test('a raw CR inside a config line (what a file can carry) stays inside its header', async () => {
    const parsed = await parse(`emailalert = "ops@example.com\rBcc: to@evil.example"\nsmtp = 127.0.0.1:${sink.port}\n`
      + 'virtual = 10.0.0.1:80\n\treal = 10.0.0.2:80 gate\n\tservicename = shop\rBcc: name@evil.example\n');
    expect(parsed.virtuals[0]!.servicename).toBe('shop\rBcc: name@evil.example');
    const alerts = new EmailAlerts({ global: parsed.global, status: () => 'running', log: () => {},
      hostname: 'director', username: 'root' });
    await alerts.send('x', parsed.virtuals[0]!, '10.0.0.2:80', true);
    expect(headerNames(sink.mails[0]!.raw)).toEqual(['From', 'To', 'Subject']);
    expect(bareBreaks(sink.mails[0]!.raw)).toEqual([]);
  });
});

test('parseSmtpServer: host, host:port, [v6]:port, bare v6', () => {
  expect(parseSmtpServer('mail.example.com')).toEqual({ host: 'mail.example.com', port: 25 });
  expect(parseSmtpServer('192.0.2.5:2525')).toEqual({ host: '192.0.2.5', port: 2525 });
  expect(parseSmtpServer('[2001:db8::25]:587')).toEqual({ host: '2001:db8::25', port: 587 });
  expect(parseSmtpServer('[2001:db8::25]')).toEqual({ host: '2001:db8::25', port: 25 });
  expect(parseSmtpServer('2001:db8::25')).toEqual({ host: '2001:db8::25', port: 25 });
});

test('virtualServerDetails (_ld_virtual_server_details)', () => {
  expect(virtualServerDetails({ servicename: 'a', comment: 'b' })).toBe('Service name: a\nComment: b\n');
  expect(virtualServerDetails({ comment: 'b' })).toBe('Comment: b\n');
  expect(virtualServerDetails({})).toBe('');
});
