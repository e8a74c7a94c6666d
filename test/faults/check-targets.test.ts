// Fault injection: check targets that answer badly, under a running tslvs daemon. Each bad
// target starts as a healthy HTTP(S) server (so its real is in the table), then all switch at
// once to their fault: an endless body, a 100 MB body, a byte every 300 ms, a garbage status
// line, binary noise, a plain-TCP banner on an https check, a TLS server sending garbage after
// the handshake. The daemon must mark each down within its timeouts (checkinterval +
// checktimeout + slack) with a message in the monitorfile, keep its RSS bounded (it reads at
// most 4 MB of a body: a daemon buffering the 100 MB or endless answers would pass the limit
// in one check), leave the healthy reals alone, and take the targets back when they heal.
// FAULTS_REPORT=1 prints the measured RSS baseline and peak, detection times and the monitorfile.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { FaultDaemon, rssMB, sleep } from '../support/fault-daemon.js';
import { startRealServer } from '../support/realservers.js';
import type { RealServerStub } from '../support/realservers.js';
import { makeSelfSigned } from '../support/tls-cert.js';

const FAULTS = ['endless', 'huge', 'slow', 'status', 'binary', 'plain-on-tls', 'tls-garbage',
  'smtp-endless', 'tcp-endless', 'sip-endless'] as const;
type Fault = typeof FAULTS[number];
/** The faults of the line-reading checks: bytes without a newline, for ever, from the first byte. */
const endlessLine = (f: Fault) => f === 'smtp-endless' || f === 'tcp-endless' || f === 'sip-endless';
const secure = (f: Fault) => f === 'plain-on-tls' || f === 'tls-garbage';
/** The endless-line targets get a longer timeout: a check that reads until its deadline (as
 * these did before they were capped) holds 80 MB a second of them, past any limit. */
const LONG_TIMEOUT = 10;
const timeoutOf = (f: Fault) => (endlessLine(f) ? LONG_TIMEOUT : CHECKTIMEOUT);
/** The virtual's check for a fault: http(s) but for the line protocols. */
const service = (f: Fault): string[] => {
  const timeout = endlessLine(f) ? [`\tnegotiatetimeout=${LONG_TIMEOUT}`] : [];
  if (f === 'smtp-endless') return [...timeout, '\tservice=smtp'];
  if (f === 'sip-endless') return [...timeout, '\tservice=sip'];
  if (f === 'tcp-endless') return [...timeout, '\tservice=simpletcp', '\trequest="ping"', '\treceive="OK"'];
  return [`\tservice=${secure(f) ? 'https' : 'http'}`, '\treceive="OK"'];
};

const OK = Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nOK\n');
const SIP_OK = 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n';
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const NOISE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));

/** Write `total` bytes of CHUNK (Infinity: until the peer goes), respecting back-pressure. */
function stream(s: net.Socket, total: number): void {
  let sent = 0;
  const pump = () => {
    while (sent < total && !s.destroyed) {
      const n = Math.min(CHUNK.length, total - sent);
      sent += n;
      if (!s.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) { s.once('drain', pump); return; }
    }
    if (sent >= total) s.end();
  };
  pump();
}

/** The bad behaviour on a connection whose request has arrived (or, for raw noise, at once). */
function misbehave(f: Fault, s: net.Socket): void {
  switch (f) {
    case 'endless':
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: identity\r\n\r\n');
      stream(s, Infinity);
      return;
    case 'huge':
      s.write(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
      stream(s, 100 * 1024 * 1024);
      return;
    case 'slow': {
      // A healthy answer, one byte every 300 ms: 30 s for the whole, far past checktimeout.
      let i = 0;
      const t = setInterval(() => {
        if (s.destroyed || i >= OK.length) { clearInterval(t); s.end(); return; }
        s.write(OK.subarray(i, ++i));
      }, 300);
      s.on('close', () => clearInterval(t));
      return;
    }
    case 'status':
      s.end(Buffer.concat([Buffer.from('HTTTP/9.9 2OO OKAY\r\n\x00\xff\r\nContent-Length: -5\r\n\r\nOK\n', 'latin1'), NOISE]));
      return;
    case 'binary':
    case 'tls-garbage':
      s.end(NOISE);
      return;
    case 'plain-on-tls':
      s.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nProtocol mismatch.\r\n');
      return;
    case 'smtp-endless':
    case 'tcp-endless':
    case 'sip-endless':
      // A line that never ends: bytes and no newline, as fast as the client reads.
      stream(s, Infinity);
      return;
  }
}

/** A healthy SMTP server: greeting, 250 to EHLO/HELO, 221 to QUIT. */
function smtpDialogue(s: net.Socket): void {
  s.write('220 mail.test ESMTP\r\n');
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim().toUpperCase();
      buf = buf.slice(nl + 1);
      if (line.startsWith('QUIT')) { s.end('221 bye\r\n'); return; }
      s.write(line.startsWith('EHLO') || line.startsWith('HELO') ? '250 mail.test\r\n' : '502 no\r\n');
    }
  });
}

interface Target { fault: Fault; port: number; bad: boolean; close(): Promise<void> }

/** A server that answers OK while good and misbehaves while bad (plain TCP, or TLS for tls-garbage). */
async function startTarget(fault: Fault, certs: { cert: string; key: string }): Promise<Target> {
  const sockets = new Set<net.Socket>();
  const target: Target = { fault, port: 0, bad: false, close: async () => undefined };
  const onConn = (s: net.Socket, raw: boolean) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    if (target.bad && raw) { misbehave(fault, s); return; }
    if (fault === 'smtp-endless') { smtpDialogue(s); return; }
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (fault === 'tcp-endless') { s.off('data', onData); s.end('OK\n'); return; }
      if (!buf.includes('\r\n\r\n')) return;
      s.off('data', onData);
      if (target.bad) misbehave(fault, s); else s.end(fault === 'sip-endless' ? SIP_OK : OK);
    };
    s.on('data', onData);
  };
  let server: net.Server;
  if (fault === 'tls-garbage') {
    server = tls.createServer({ cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key) }, (s) => onConn(s, false));
  } else if (fault === 'plain-on-tls') {
    // Healthy: TLS. Bad: a plain-text banner where the TLS handshake should be.
    const inner = tls.createServer({ cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key) }, (s) => onConn(s, false));
    server = net.createServer((s) => {
      if (target.bad) onConn(s, true); else inner.emit('connection', s);
    });
  } else {
    server = net.createServer((s) => onConn(s, fault === 'binary' || endlessLine(fault)));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  target.port = (server.address() as net.AddressInfo).port;
  target.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return target;
}

const V0 = 200;
const CHECKINTERVAL = 1;
const CHECKTIMEOUT = 2;
let dir: string;
let targets: Target[];
let good: RealServerStub;
let goodTls: Target;
let goodSmtp: Target;
let goodTcp: Target;
let goodSip: Target;
let d: FaultDaemon;
let certs: { cert: string; key: string };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-fault-targets-'));
  certs = makeSelfSigned(dir);
  targets = await Promise.all(FAULTS.map((f) => startTarget(f, certs)));
  good = await startRealServer();
  // Never switched: the healthy https, smtp and simpletcp reals next to the bad ones.
  [goodTls, goodSmtp, goodTcp, goodSip] = await Promise.all((['tls-garbage', 'smtp-endless', 'tcp-endless', 'sip-endless'] as Fault[])
    .map((f) => startTarget(f, certs)));
});
afterAll(async () => {
  await d?.dispose();
  await Promise.all([...targets.map((t) => t.close()), good.close(), goodTls.close(), goodSmtp.close(), goodTcp.close(), goodSip.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const vip = (i: number) => `127.0.0.${V0 + i}:80`;
const R = (port: number) => `127.0.0.1:${port}`;
const goodOf = (f: Fault) =>
  (secure(f) ? goodTls : f === 'smtp-endless' ? goodSmtp : f === 'tcp-endless' ? goodTcp : f === 'sip-endless' ? goodSip : good).port;

test('bad answers: each target down within its timeouts with a message, RSS bounded, healthy reals untouched, recovery', async () => {
  d = new FaultDaemon('targets');
  d.setMode('ok');
  // The https checks verify the chain (as Debian's ldirectord): trust the test's self-signed cert.
  d.env.SSL_CERT_FILE = certs.cert;
  const monitor = path.join(d.dir, 'monitor.log');
  const global = [`checkinterval=${CHECKINTERVAL}`, `checktimeout=${CHECKTIMEOUT}`, `negotiatetimeout=${CHECKTIMEOUT}`,
    'quiescent=no', 'autoreload=no'];
  d.writeConfig(global,
    FAULTS.flatMap((f, i) => [
      `virtual=${vip(i)}`, `\treal=${R(targets[i]!.port)} masq`, `\treal=${R(goodOf(f))} masq`,
      ...service(f), `\tmonitorfile="${monitor}"`, '',
    ]));
  const pid = await d.start();
  await d.until('every real added', () => d.lines().filter((l) => l.startsWith('Added real server')).length === 2 * FAULTS.length, 30_000);
  // Baseline RSS: the daemon checking every target while they are healthy.
  await sleep(3000);
  const base = rssMB(pid)!;

  const rss: number[] = [];
  const sampler = setInterval(() => { const r = rssMB(pid); if (r !== undefined) rss.push(r); }, 100);
  const t0 = Date.now();
  for (const t of targets) t.bad = true;
  const downAt = new Map<Fault, number>();
  try {
    await d.until('every bad target deleted', () => {
      for (const [i, t] of targets.entries()) {
        const line = `Deleted real server: ${R(t.port)} (${vip(i)})`;
        if (!downAt.has(t.fault) && d.lines().includes(line)) downAt.set(t.fault, Date.now() - t0);
      }
      return downAt.size === FAULTS.length;
    }, 30_000);
    // A few more rounds against the bad targets (the endless and huge bodies are read each time).
    await sleep(5000);
  } finally {
    clearInterval(sampler);
  }
  const peak = Math.max(...rss);
  if (process.env.FAULTS_REPORT) {
    process.stderr.write(`${JSON.stringify({ base, peak, downAt: [...downAt] })}\n${fs.readFileSync(monitor, 'latin1')}\n`);
  }
  // Within its timeouts: a round starts within checkinterval, each check ends by checktimeout;
  // 4 s of slack for a loaded 2-core machine (the daemon's own latency, the log poll).
  for (const [f, ms] of downAt) expect([f, ms]).toEqual([f, expect.any(Number)]);
  for (const [f, ms] of downAt) expect({ f, ms: ms <= (CHECKINTERVAL + timeoutOf(f) + 4) * 1000 }).toEqual({ f, ms: true });
  // Bounded memory: at most 4 MB of a body per check (two huge answers at once) and its string
  // copy for the receive match, well under 64 MB over the healthy baseline; one 100 MB answer
  // buffered would not be.
  const mem = { base: Math.round(base), peak: Math.round(peak) };
  expect({ ...mem, ok: peak - base < 80 }).toEqual({ ...mem, ok: true });
  // The healthy reals were never touched.
  expect(d.lines().filter((l) => l.startsWith('Deleted real server') && !targets.some((t) => l.includes(R(t.port))))).toEqual([]);
  // A message says why, per target (the monitorfile keeps the check's own words).
  const mon = fs.readFileSync(monitor, 'latin1').split('\n').filter((l) => l.includes('[down]'));
  for (const t of targets) {
    const line = mon.find((l) => l.includes(`:${t.port} `) || l.includes(`:${t.port}]`) || l.includes(`${R(t.port)}`));
    expect({ fault: t.fault, line: line !== undefined && !/\[down\] -$/.test(line) }).toEqual({ fault: t.fault, line: true });
  }

  // Recovery: healthy again, back in the table.
  const mark = d.lines().length;
  for (const t of targets) t.bad = false;
  await d.until('every target added back', () =>
    targets.every((t, i) => d.lines().slice(mark).some((l) => l.startsWith(`Added real server: ${R(t.port)} (${vip(i)})`))), 30_000);
  const table = await d.table();
  for (const [i, t] of targets.entries()) expect(table).toContain(`-a -t ${vip(i)} -r ${R(t.port)} -m -w 1`);
  expect(d.pid()).toBe(pid);
}, 120_000);
