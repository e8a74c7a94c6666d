// checkFtp against a real pure-ftpd (virtual user, passive mode, one file to retrieve).
import { checkFtp } from '../../src/checks/ftp.js';
import { startPureFtpd, type PureFtpd } from '../support/pureftpd.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { serviceOptions, targetPort, timed } from '../support/check-options.js';
import { expectSocketsBackTo, socketHandles } from '../support/daemon.js';

let ftp: PureFtpd;
let hang: HangServer;
// pure-ftpd delays every failed login by several seconds (not configurable): see support file.
const SLOW_FAIL_MS = 9000;

beforeAll(async () => {
  ftp = await startPureFtpd();
  hang = await startHangServer();
}, 30000);

afterAll(async () => {
  await hang?.close();
  await ftp?.stop();
});

const creds = () => ({ login: ftp.user, passwd: ftp.passwd });

describe('ftp check against pure-ftpd', () => {
  test('up: logs in, retrieves request, content matches receive', async () => {
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { ...creds(), request: ftp.file, receive: 'all systems nom' }), AbortSignal.timeout(2000));
    expect(res.up).toBe(true);
    expect(res.message).toBe(`FTP 127.0.0.1:${ftp.port}: retrieved /check.txt (${ftp.content.length} bytes), matched receive`);
    expect(res.message).not.toContain(ftp.passwd);
  });

  test('receive is a regular expression', async () => {
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { ...creds(), request: ftp.file, receive: '^tslvs .* nominal$' }), AbortSignal.timeout(2000));
    expect(res.up).toBe(true);
  });

  test('up without receive: login is enough when request is the default "/"', async () => {
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { ...creds(), request: '/' }), AbortSignal.timeout(2000));
    expect(res).toMatchObject({ up: true, message: `FTP 127.0.0.1:${ftp.port}: logged in as ${ftp.user} (no receive set)` });
  });

  test('down: content does not match receive', async () => {
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { ...creds(), request: ftp.file, receive: 'out of order' }), AbortSignal.timeout(2000));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/retrieved \/check\.txt \(\d+ bytes\), did not match receive \/out of order\//);
  });

  test('down: the requested file does not exist', async () => {
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { ...creds(), request: '/missing.txt', receive: 'x' }), AbortSignal.timeout(2000));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/RETR \/missing\.txt failed: 550/);
  });

  test('down: wrong password, and the password is not in the message', async () => {
    const passwd = 'Wrong-FTP-Secret-99';
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { login: ftp.user, passwd, request: ftp.file, receive: 'x', timeoutMs: SLOW_FAIL_MS }), AbortSignal.timeout(SLOW_FAIL_MS));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/login as ldir failed: 530/);
    expect(res.message).not.toContain(passwd);
  }, SLOW_FAIL_MS + 2000);

  test('login absent: Net::FTP\'s default user "anonymous" is sent (and refused here: -E)', async () => {
    const res = await checkFtp(targetPort(ftp.port), serviceOptions('ftp', { request: ftp.file, receive: 'x', timeoutMs: SLOW_FAIL_MS }), AbortSignal.timeout(SLOW_FAIL_MS));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/login as anonymous failed: 530/);
  }, SLOW_FAIL_MS + 2000);

  test('down: connection refused', async () => {
    const port = await freePort();
    const res = await checkFtp(targetPort(port), serviceOptions('ftp', creds()), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: false, message: `FTP 127.0.0.1:${port}: connect failed: connection refused` });
  });

  test('down: accepts and never answers → one timeout, sockets closed', async () => {
    const before = socketHandles();
    const { res, wallMs } = await timed((s) => checkFtp(targetPort(hang.port), serviceOptions('ftp', { ...creds(), timeoutMs: 1000 }), s), 1000);
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/connect failed: timed out$/);
    expect(wallMs).toBeLessThan(1500);
    await expectSocketsBackTo(before);
  });
});
