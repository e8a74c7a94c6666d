// The alert fixes end to end, through the daemon an operator runs (`tslvs -d CONFIG start`, on
// the ipvsadm stand-in): `smtp=127.0.0.1:PORT` mails a real SMTP listener on that non-25 port,
// a servicename carrying a raw CR and "Bcc:" adds no header, a failed delivery logs
// ldirectord's line and then its cause, and -d prints every log line once.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';
import { closedPort, smtpSink } from './support.js';
import type { SmtpSink } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSLVS = path.join(ROOT, 'bin/tslvs.js');
const STANDIN = path.join(ROOT, 'test/fixtures/bin/ipvsadm');
const V1 = '127.0.0.210:80';
const V2 = '127.0.0.211:80';

let dir: string;
let real: RealServerStub;
let sink: SmtpSink;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-alert-daemon-'));
  real = await startRealServer('127.0.0.1');
  sink = await smtpSink();
});
afterAll(async () => {
  await Promise.all([real.close(), sink.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('-d daemon: smtp=host:port delivers, no injected header, failures say why, each line once', async () => {
  const refused = await closedPort();
  const cfg = path.join(dir, 'alerts.cf');
  fs.writeFileSync(cfg, [
    'checkinterval=1', 'checktimeout=1', 'emailalert="ops@example.com"', 'emailalertfrom=lvs@example.com', '',
    `virtual=${V1}`, `\treal=127.0.0.1:${real.port} masq`, '\tservice=http',
    `\tsmtp=127.0.0.1:${sink.port}`, '\tservicename=shop\rBcc: evil@example.com',
    `virtual=${V2}`, `\treal=127.0.0.1:${real.port} masq`, '\tservice=http', `\tsmtp=127.0.0.1:${refused}`, '',
  ].join('\n'));
  const env = {
    ...process.env, TSLVS_RUN_DIR: dir, TSLVS_IPVSADM: STANDIN,
    TSLVS_IPVS_STATE: path.join(dir, 'state.json'), TSLVS_IPVS_EXEC_LOG: path.join(dir, 'execs.jsonl'),
  };
  const child = execa(process.execPath, [TSLVS, '-d', cfg, 'start'], { env, reject: false, timeout: 30_000 });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString('latin1'); });
  const until = Date.now() + 15_000;
  while ((sink.mails.length === 0 || !/connect: Connection refused\n/.test(err)) && Date.now() < until) await sleep(100);
  child.kill('SIGQUIT');
  const r = await child;
  expect(r.exitCode).toBe(0);
  const lines = String(r.stderr).split('\n');

  // Delivered to the non-25 port ("Added" at start, "Purged" at stop); exactly the three headers
  // ldirectord writes, whatever a lenient MTA takes for a line break.
  const heads = sink.mails.map((m) => m.raw.slice(0, m.raw.indexOf('\r\n\r\n')).split(/\r\n|\r|\n/));
  expect(heads[0]).toEqual(['From: lvs@example.com', 'To: ops@example.com',
    `Subject: [shop Bcc: evil@example.com] Added real server: 127.0.0.1:${real.port} (${V1}) (Weight set to 1)`]);
  for (const h of heads) expect(h.map((l) => l.split(':')[0])).toEqual(['From', 'To', 'Subject']);
  for (const m of sink.mails) expect(m.to).toEqual(['ops@example.com']);

  // ldirectord's line, then why (V2's "Added" at start and "Purged" at stop both fail).
  const failed = lines.flatMap((l, i) => (l === 'failed to send SMTP email message' ? [i] : []));
  expect(failed.length).toBeGreaterThan(0);
  for (const i of failed) expect(lines[i + 1]).toBe(`SMTP server 127.0.0.1:${refused}: connect: Connection refused`);

  // -d: every log line once, never echoed as "DEBUG2: <line>".
  expect(lines.filter((l) => l.endsWith(`Added virtual server: ${V1}`))).toEqual([`Added virtual server: ${V1}`]);
  for (const l of lines.filter((x) => x.startsWith('DEBUG2: '))) expect(lines).not.toContain(l.slice('DEBUG2: '.length));
}, 60_000);
