// checkPop and checkImap (pop, pops, imap, imaps) against a real dovecot.
import { checkPop } from '../../src/checks/pop.js';
import { checkImap } from '../../src/checks/imap.js';
import type { CheckFn, CheckOptions, ServiceName } from '../../src/checks/types.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { serviceOptions, targetPort, timed } from '../support/check-options.js';
import { expectSocketsBackTo, socketHandles } from '../support/daemon.js';

let dovecot: Dovecot;
let hang: HangServer;

beforeAll(async () => {
  dovecot = await startDovecot();
  hang = await startHangServer();
}, 30000);

afterAll(async () => {
  await hang?.close();
  await dovecot?.stop();
});

interface Case { service: ServiceName; check: CheckFn; port: () => number; label: string; tls: boolean }
const cases: Case[] = [
  { service: 'pop', check: checkPop, port: () => dovecot.ports.pop3, label: 'POP', tls: false },
  { service: 'pops', check: checkPop, port: () => dovecot.ports.pop3s, label: 'POPS', tls: true },
  { service: 'imap', check: checkImap, port: () => dovecot.ports.imap, label: 'IMAP', tls: false },
  { service: 'imaps', check: checkImap, port: () => dovecot.ports.imaps, label: 'IMAPS', tls: true },
];

describe.each(cases)('$service against dovecot', ({ service, check, port, label, tls }) => {
  // The test certificate is self-signed: only tlsVerify=none can accept it.
  const opts = (extra: Partial<CheckOptions> = {}) => serviceOptions(service, { tlsVerify: tls ? 'none' : 'chain', ...extra });

  test('up: greeting only, no login', async () => {
    const res = await check(targetPort(port()), opts(), AbortSignal.timeout(1500));
    expect(res.up).toBe(true);
    expect(res.message).toBe(`${label} 127.0.0.1:${port()}: ${service.startsWith('pop') ? '+OK' : 'OK'} greeting`);
  });

  test('up: login with the right password (quotes and backslash in it)', async () => {
    const res = await check(targetPort(port()), opts({ login: dovecot.user, passwd: dovecot.passwd }), AbortSignal.timeout(1500));
    expect(res.up).toBe(true);
    expect(res.message).toMatch(new RegExp(`logged in as ${dovecot.user}$`));
  });

  test('down: wrong password, and the password is not in the message', async () => {
    const passwd = 'Secret-Not-To-Log-42';
    const res = await check(targetPort(port()), opts({ login: dovecot.user, passwd }), AbortSignal.timeout(1500));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/login as alice failed: .*[Aa]uthentication failed/);
    expect(res.message).not.toContain(passwd);
  });

  test('down: connection refused', async () => {
    const p = await freePort();
    const res = await check(targetPort(p), opts(), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: false, message: `${label} 127.0.0.1:${p}: connection refused` });
  });

  test('down: accepts and never answers → one timeout, sockets closed', async () => {
    const before = socketHandles();
    const { res, wallMs } = await timed((s) => check(targetPort(hang.port), opts({ timeoutMs: 1000 }), s), 1000);
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/timed out$/);
    expect(wallMs).toBeLessThan(1500);
    await expectSocketsBackTo(before);
  });

  if (tls) {
    test('tlsVerify chain (the default) refuses the self-signed certificate, like ldirectord', async () => {
      const res = await check(targetPort(port()), opts({ tlsVerify: 'chain' }), AbortSignal.timeout(1500));
      expect(res.up).toBe(false);
      expect(res.message).toMatch(/self[- ]signed certificate/);
    });
    test('tlsVerify full refuses it too', async () => {
      const res = await check(targetPort(port()), opts({ tlsVerify: 'full' }), AbortSignal.timeout(1500));
      expect(res.up).toBe(false);
    });
  }
});

test('imap uses the configured port, not 143 (ldirectord fault fixed on purpose)', async () => {
  // Nothing listens on 143 here; dovecot is on a high port and the check must reach it.
  const res = await checkImap(targetPort(dovecot.ports.imap), serviceOptions('imap'), AbortSignal.timeout(1500));
  expect(res.up).toBe(true);
  expect(dovecot.ports.imap).not.toBe(143);
});
