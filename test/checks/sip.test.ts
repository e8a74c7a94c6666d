// sip against a real kamailio on 127.0.0.1 (UDP and TCP on one port): OPTIONS sip:alive@...
// gets 200 OK, any other user 404.
import { checkSip, sipOptionsRequest } from '../../src/checks/sip.js';
import { startKamailio } from '../support/kamailio.js';
import { freePort, startHangServer, startUdpHangServer, type HangServer } from '../support/net.js';
import { options, runCheck, target } from '../support/check-options.js';

let kam: { port: number; stop(): Promise<void> };
let hang: HangServer;
let udpHang: { port: number; close(): Promise<void> };
beforeAll(async () => {
  kam = await startKamailio();
  hang = await startHangServer('127.0.0.1');
  udpHang = await startUdpHangServer('127.0.0.1');
}, 30000);
afterAll(async () => {
  await kam?.stop();
  await hang?.close();
  await udpHang?.close();
});

const sip = (o: Parameters<typeof options>[0] = {}) => options({ service: 'sip', login: 'alive@127.0.0.1', ...o });

describe('the OPTIONS request ldirectord sends', () => {
  it('has its fixed headers, Via SIP/2.0/UDP with the local address, and ends with a blank line', () => {
    const r = sipOptionsRequest('alive@10.0.0.1', '::1', 5070);
    expect(r.startsWith('OPTIONS sip:alive@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5070;branch=z9hG4bKhjhs8ass877\r\nMax-Forwards: 70\r\n')).toBe(true);
    expect(r).toMatch(/\r\nCall-ID: [0-9a-f]{16}\r\nCSeq: 63104 OPTIONS\r\n/);
    expect(r.endsWith('Accept: application/sdp\r\nContent-Length: 0\r\n\r\n')).toBe(true);
  });
});

describe.each(['tcp', 'udp'] as const)('sip over %s (kamailio)', (protocol) => {
  const t = (port: number) => target('127.0.0.1', port, { protocol, port: 5060 });
  it('is up on 200 OK', async () => {
    const r = await runCheck(checkSip, t(kam.port), sip());
    expect(r.up).toBe(true);
    expect(r.message).toContain('SIP/2.0 200 OK');
  });
  it('is down on any other reply (404 for an unknown user)', async () => {
    const r = await runCheck(checkSip, t(kam.port), sip({ login: 'nobody@127.0.0.1' }));
    expect(r.up).toBe(false);
    expect(r.message).toContain('SIP/2.0 404 Not Found');
  });
  it('is down when nothing listens', async () => {
    const r = await runCheck(checkSip, t(await freePort()), sip());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('is down within timeout + 0.5 s when the server never answers', async () => {
    const r = await runCheck(checkSip, t(protocol === 'tcp' ? hang.port : udpHang.port), sip({ timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out/);
    expect(r.wallMs).toBeLessThan(1500);
  });
});
