// dns against a real dnsmasq on 127.0.0.1 that answers only from its own records.
import { checkDns, dnsQuestion } from '../../src/checks/dns.js';
import { startDnsmasq } from '../support/dnsmasq.js';
import { freePort, startHangServer, startUdpHangServer, type HangServer } from '../support/net.js';
import { options, runCheck, target } from '../support/check-options.js';

let dns: { port: number; stop(): Promise<void> };
let hang: { port: number; close(): Promise<void> };
let tcpHang: HangServer;
beforeAll(async () => {
  dns = await startDnsmasq();
  hang = await startUdpHangServer('127.0.0.1');
  tcpHang = await startHangServer('127.0.0.1');
}, 20000);
afterAll(async () => {
  await dns?.stop();
  await hang?.close();
  await tcpHang?.close();
});

// dns virtuals are UDP by default (ldirectord: port 53 => udp).
const t = () => target('127.0.0.1', dns.port, { protocol: 'udp', port: 53 });
const o = (x: Parameters<typeof options>[0]) => options({ service: 'dns', ...x });

describe('dnsQuestion (Net::DNS shapes)', () => {
  it('asks A for a name and PTR for an address', () => {
    expect(dnsQuestion('/www.tslvs.test')).toEqual({ type: 'A', name: 'www.tslvs.test' });
    expect(dnsQuestion('/10.9.8.7')).toEqual({ type: 'PTR', name: '7.8.9.10.in-addr.arpa' });
    // Expected values printed by Net::DNS::Question->new(...) (libnet-dns-perl) on this machine.
    expect(dnsQuestion('2001:db8::53')).toEqual({ type: 'PTR', name: '3.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa' });
    expect(dnsQuestion('::ffff:10.1.2.3')).toEqual({ type: 'PTR', name: '3.2.1.10.in-addr.arpa' });
  });
});

describe('dns (dnsmasq)', () => {
  it('is up when an A answer matches receive', async () => {
    const r = await runCheck(checkDns, t(), o({ request: '/www.tslvs.test', receive: '10\\.9\\.8\\.7' }));
    expect(r.up).toBe(true);
    expect(r.message).toContain('answer 10.9.8.7');
  });
  it('asks PTR for an IP-shaped request (v4 and v6) and matches the name', async () => {
    expect((await runCheck(checkDns, t(), o({ request: '/10.9.8.7', receive: '^www\\.tslvs\\.test$' }))).up).toBe(true);
    expect((await runCheck(checkDns, t(), o({ request: '/2001:db8::53', receive: 'v6\\.tslvs' }))).up).toBe(true);
  });
  it('is down when the answer does not match receive', async () => {
    const r = await runCheck(checkDns, t(), o({ request: '/www.tslvs.test', receive: '^10\\.9\\.8\\.8$' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/do not match/);
  });
  it('is down for a name it does not know', async () => {
    const r = await runCheck(checkDns, t(), o({ request: '/nothing.tslvs.test', receive: '.' }));
    expect(r.up).toBe(false);
  });
  it('is down without a receive string, as ldirectord', async () => {
    const r = await runCheck(checkDns, t(), o({ request: '/www.tslvs.test', receive: '' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/no receive/);
  });
  it('is down when nothing listens (ICMP port unreachable)', async () => {
    const r = await runCheck(checkDns, target('127.0.0.1', await freePort(), { protocol: 'udp' }), o({ request: '/www.tslvs.test', receive: '.' }));
    expect(r.up).toBe(false);
    expect(r.wallMs).toBeLessThan(1500);
  });
  it('is down within timeout + 0.5 s when the server never answers', async () => {
    const r = await runCheck(checkDns, target('127.0.0.1', hang.port, { protocol: 'udp' }), o({ request: '/www.tslvs.test', receive: '.', timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out/);
    expect(r.wallMs).toBeLessThan(1500);
  });
  it('a hanging server does not delay another dns check', async () => {
    const [hung, good] = await Promise.all([
      runCheck(checkDns, target('127.0.0.1', hang.port, { protocol: 'udp' }), o({ request: '/www.tslvs.test', receive: '.', timeoutMs: 1000 })),
      runCheck(checkDns, t(), o({ request: '/www.tslvs.test', receive: '10\\.9', timeoutMs: 1000 })),
    ]);
    expect(hung.up).toBe(false);
    expect(good.up).toBe(true);
    expect(good.wallMs).toBeLessThan(300);
  });
});

// A protocol=tcp dns virtual: ldirectord sets Net::DNS usevc, so the question goes over TCP.
describe('dns over TCP (dnsmasq)', () => {
  const tt = (port: number) => target('127.0.0.1', port, { protocol: 'tcp', port: 53 });
  it('is up for A and PTR answers that match', async () => {
    const a = await runCheck(checkDns, tt(dns.port), o({ request: '/www.tslvs.test', receive: '^10\\.9\\.8\\.7$' }));
    expect(a.up).toBe(true);
    expect(a.message).toContain('over TCP');
    expect((await runCheck(checkDns, tt(dns.port), o({ request: '/2001:db8::53', receive: '^v6\\.tslvs\\.test$' }))).up).toBe(true);
    expect((await runCheck(checkDns, tt(dns.port), o({ request: '/alias.tslvs.test', receive: '10\\.9\\.8\\.8' }))).up).toBe(true);
  });
  it('is down on a mismatch and on an unknown name', async () => {
    expect((await runCheck(checkDns, tt(dns.port), o({ request: '/www.tslvs.test', receive: '^1\\.2' }))).up).toBe(false);
    const nx = await runCheck(checkDns, tt(dns.port), o({ request: '/nothing.tslvs.test', receive: '.' }));
    expect(nx.up).toBe(false);
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkDns, tt(await freePort()), o({ request: '/www.tslvs.test', receive: '.' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('is down within timeout + 0.5 s when the server never answers', async () => {
    const r = await runCheck(checkDns, tt(tcpHang.port), o({ request: '/www.tslvs.test', receive: '.', timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out/);
    expect(r.wallMs).toBeLessThan(1500);
  });
});
