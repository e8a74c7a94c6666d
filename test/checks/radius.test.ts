// checkRadius against a real freeradius 3 (files + pap), plus the RFC 2865 pieces on their own.
import crypto from 'node:crypto';
import { checkRadius, hidePassword, buildAccessRequest, checkReply } from '../../src/checks/radius.js';
import { startFreeRadius, type FreeRadius } from '../support/freeradius.js';
import { startUdpHangServer } from '../support/net.js';
import { serviceOptions, targetPort, timed } from '../support/check-options.js';
import { expectSocketsBackTo, freeUdpPort, socketHandles } from '../support/daemon.js';

let radius: FreeRadius;
let hang: { port: number; close(): Promise<void> };

beforeAll(async () => {
  radius = await startFreeRadius();
  hang = await startUdpHangServer();
}, 30000);

afterAll(async () => {
  await Promise.all([hang?.close(), radius?.stop()]);
});

const opts = (extra = {}) => serviceOptions('radius', { login: radius.user, passwd: radius.passwd, secret: radius.secret, ...extra });

describe('radius check against freeradius', () => {
  test('up: Access-Accept', async () => {
    const res = await checkRadius(targetPort(radius.port), opts(), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: true, message: `RADIUS 127.0.0.1:${radius.port}: Access-Accept for alice` });
  });

  test('down: wrong password → Access-Reject (ldirectord counts only Accept), passwd and secret not in the message', async () => {
    const passwd = 'Wrong-Radius-Pw-1';
    const res = await checkRadius(targetPort(radius.port), opts({ passwd }), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: false, message: `RADIUS 127.0.0.1:${radius.port}: Access-Reject for alice` });
    expect(res.message).not.toContain(passwd);
    expect(res.message).not.toContain(radius.secret);
  });

  test('down: unknown user → Access-Reject', async () => {
    const res = await checkRadius(targetPort(radius.port), opts({ login: 'mallory' }), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: false, message: `RADIUS 127.0.0.1:${radius.port}: Access-Reject for mallory` });
  });

  test('down: wrong secret — freeradius drops the request (bad Message-Authenticator), so no reply', async () => {
    const secret = 'Wrong-Secret-77';
    const { res, wallMs } = await timed((s) => checkRadius(targetPort(radius.port), opts({ secret, timeoutMs: 1000 }), s), 1000);
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/timed out$/);
    expect(res.message).not.toContain(secret);
    expect(wallMs).toBeLessThan(1500);
  });

  test('down: nothing listens on the UDP port (ICMP port unreachable → refused)', async () => {
    const port = await freeUdpPort();
    const res = await checkRadius(targetPort(port), opts(), AbortSignal.timeout(1500));
    expect(res).toMatchObject({ up: false, message: `RADIUS 127.0.0.1:${port}: connection refused` });
  });

  test('down: a server that never answers costs one timeout, socket closed', async () => {
    const before = socketHandles();
    const { res, wallMs } = await timed((s) => checkRadius(targetPort(hang.port), opts({ timeoutMs: 1000 }), s), 1000);
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/timed out$/);
    expect(wallMs).toBeGreaterThanOrEqual(950);
    expect(wallMs).toBeLessThan(1500);
    await expectSocketsBackTo(before);
  });
});

describe('RFC 2865 pieces', () => {
  test('User-Password hiding: RFC 2865 §5.2 by hand for a 20-byte password (two blocks)', () => {
    const secret = Buffer.from('s3cr3t');
    const ra = Buffer.from('0123456789abcdef');
    const pw = Buffer.from('a-password-of-20-by');
    const hidden = hidePassword(pw, secret, ra);
    expect(hidden.length).toBe(32);
    const b1 = crypto.createHash('md5').update(Buffer.concat([secret, ra])).digest();
    const c1 = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) c1[i] = pw[i] ^ b1[i];
    expect(hidden.subarray(0, 16)).toEqual(c1);
    const b2 = crypto.createHash('md5').update(Buffer.concat([secret, c1])).digest();
    const p2 = Buffer.alloc(16);
    pw.copy(p2, 0, 16);
    const c2 = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) c2[i] = p2[i] ^ b2[i];
    expect(hidden.subarray(16)).toEqual(c2);
  });

  test('a reply signed with another secret, or for another Identifier, is not accepted', () => {
    const secret = Buffer.from('right');
    const ra = crypto.randomBytes(16);
    const req = buildAccessRequest({ id: 7, authenticator: ra, secret, login: 'u', passwd: 'p', nasAddress: '127.0.0.1' });
    expect(req[0]).toBe(1);
    expect(req.readUInt16BE(2)).toBe(req.length);
    const reply = (key: Buffer, id: number) => {
      const r = Buffer.from([2, id, 0, 20, ...Buffer.alloc(16)]);
      crypto.createHash('md5').update(Buffer.concat([r.subarray(0, 4), ra, key])).digest().copy(r, 4);
      return r;
    };
    expect(checkReply(reply(secret, 7), 7, ra, secret)).toEqual({ kind: 'ok', code: 2 });
    expect(checkReply(reply(Buffer.from('wrong'), 7), 7, ra, secret)).toMatchObject({ kind: 'bad' });
    expect(checkReply(reply(secret, 8), 7, ra, secret)).toEqual({ kind: 'ignore' });
  });
});
