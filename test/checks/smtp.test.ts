// checkSmtp against a real postfix (private instance on loopback high ports).
import { checkSmtp } from '../../src/checks/smtp.js';
import { startPostfix, type Postfix } from '../support/postfix.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { serviceOptions, targetPort, timed } from '../support/check-options.js';
import { expectSocketsBackTo, socketHandles } from '../support/daemon.js';

let postfix: Postfix;
let hang: HangServer;

beforeAll(async () => {
  postfix = await startPostfix();
  hang = await startHangServer();
}, 30000);

afterAll(async () => {
  await hang?.close();
  await postfix?.stop();
});

describe('smtp check against postfix', () => {
  test('up: 220 greeting and EHLO 250', async () => {
    const res = await checkSmtp(targetPort(postfix.ports.ok), serviceOptions('smtp'), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: true });
    expect(res.message).toBe(`SMTP 127.0.0.1:${postfix.ports.ok}: greeting 220, EHLO 250`);
  });

  test('submission uses the same check and says so', async () => {
    const res = await checkSmtp(targetPort(postfix.ports.ok), serviceOptions('submission'), AbortSignal.timeout(1500));
    expect(res.up).toBe(true);
    expect(res.message).toMatch(/^SUBMISSION 127\.0\.0\.1:\d+: greeting 220/);
  });

  test('down: 554 greeting', async () => {
    const res = await checkSmtp(targetPort(postfix.ports.rejectAll), serviceOptions('smtp'), AbortSignal.timeout(1500));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/greeting 554 5\.7\.1 .*Client host rejected/);
  });

  test('down: EHLO 554, then HELO 554 (Net::SMTP falls back to HELO on 5xx)', async () => {
    const res = await checkSmtp(targetPort(postfix.ports.rejectHelo), serviceOptions('smtp'), AbortSignal.timeout(1500));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/HELO 554 5\.7\.1 <localhost\.localdomain>: Helo command rejected/);
  });

  test('down: connection refused', async () => {
    const port = await freePort();
    const res = await checkSmtp(targetPort(port), serviceOptions('smtp'), AbortSignal.timeout(1500));
    expect(res.up).toBe(false);
    expect(res.message).toBe(`SMTP 127.0.0.1:${port}: connection refused`);
  });

  test('down: a server that accepts and never answers costs one timeout, sockets closed', async () => {
    const before = socketHandles();
    const { res, wallMs } = await timed((s) => checkSmtp(targetPort(hang.port), serviceOptions('smtp', { timeoutMs: 1000 }), s), 1000);
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/timed out$/);
    expect(wallMs).toBeGreaterThanOrEqual(950);
    expect(wallMs).toBeLessThan(1500);
    await expectSocketsBackTo(before);
  });
});
