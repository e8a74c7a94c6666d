// http, https and http_proxy against a real nginx and a real tinyproxy on loopback.
import { checkHttp } from '../../src/checks/http.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { startTinyproxy } from '../support/tinyproxy.js';
import net from 'node:net';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { options, runCheck, target } from '../support/check-options.js';

let nginx: Nginx;
let proxy: { port: number; stop(): Promise<void> };
let hang: HangServer;
let hang6: HangServer;

beforeAll(async () => {
  nginx = await startNginx();
  proxy = await startTinyproxy();
  hang = await startHangServer('127.0.0.1');
  hang6 = await startHangServer('::1');
}, 30000);
afterAll(async () => {
  await nginx?.stop();
  await proxy?.stop();
  await hang?.close();
  await hang6?.close();
});

const http = (o: Parameters<typeof options>[0] = {}) => options({ service: 'http', ...o });
const https = (o: Parameters<typeof options>[0] = {}) => options({ service: 'https', ...o });

describe('http (nginx)', () => {
  it.each(['127.0.0.1', '::1'])('is up on %s with a 200 and no receive string', async (host) => {
    const r = await runCheck(checkHttp, target(host, nginx.httpPort), http());
    expect(r.up).toBe(true);
    expect(r.message).toContain('200 OK');
    expect(r.message).toContain(host.includes(':') ? `http://[::1]:${nginx.httpPort}/` : `http://127.0.0.1:${nginx.httpPort}/`);
  });
  it('matches receive as a Perl regex on the body ($ = end or before the final newline)', async () => {
    const t = target('127.0.0.1', nginx.httpPort);
    expect((await runCheck(checkHttp, t, http({ request: '/health', receive: 'version \\d$' }))).up).toBe(true);
    expect((await runCheck(checkHttp, t, http({ request: 'health', receive: 'status: OK' }))).up).toBe(true);
    // Without /m, Perl's $ does not match before an inner newline.
    const mid = await runCheck(checkHttp, t, http({ request: '/health', receive: 'status: OK$' }));
    expect(mid.up).toBe(false);
  });
  it('is down on a receive mismatch, saying so', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', nginx.httpPort), http({ request: '/health', receive: 'status: FAIL' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/200 OK, but receive \/status: FAIL\/ not found/);
  });
  it('is down on a non-2xx status with the status line', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', nginx.httpPort), http({ request: '/down' }));
    expect(r.up).toBe(false);
    expect(r.message).toContain('503 Service Unavailable');
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', await freePort()), http());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/connection refused/);
  });
  it.each([['127.0.0.1', () => hang.port], ['::1', () => hang6.port]] as const)('is down within timeout + 0.5 s against a server that never answers (%s)', async (host, port) => {
    const r = await runCheck(checkHttp, target(host, port()), http({ timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out/);
    expect(r.wallMs).toBeLessThan(1500);
  });
  it('sends the real server address as Host, or virtualhost when set', async () => {
    const t = target('127.0.0.1', nginx.httpPort);
    const plain = await runCheck(checkHttp, t, http({ request: '/host', receive: '^host=127\\.0\\.0\\.1$' }));
    expect(plain.up).toBe(true);
    const vhost = await runCheck(checkHttp, t, http({ virtualhost: 'www.tslvs.test', receive: 'virtual host www\\.tslvs\\.test' }));
    expect(vhost.up).toBe(true);
    const v6 = await runCheck(checkHttp, target('::1', nginx.httpPort), http({ request: '/host', receive: '^host=\\[::1\\]$' }));
    expect(v6.up).toBe(true);
  });
  it('uses httpmethod: HEAD has no body to match', async () => {
    const t = target('127.0.0.1', nginx.httpPort);
    expect((await runCheck(checkHttp, t, http({ request: '/method', httpmethod: 'HEAD' }))).up).toBe(true);
    expect((await runCheck(checkHttp, t, http({ request: '/method', httpmethod: 'HEAD', receive: 'method' }))).up).toBe(false);
    expect((await runCheck(checkHttp, t, http({ request: '/method', receive: 'method=GET' }))).up).toBe(true);
  });
  it('follows redirects like LWP, and gives up on a loop', async () => {
    const t = target('127.0.0.1', nginx.httpPort);
    const r = await runCheck(checkHttp, t, http({ request: '/redirect', receive: 'status: OK' }));
    expect(r.up).toBe(true);
    const loop = await runCheck(checkHttp, t, http({ request: '/loop' }));
    expect(loop.up).toBe(false);
    expect(loop.message).toContain('302');
  });
  it('uses an absolute http:// request as the whole URL', async () => {
    // The real server's own port refuses: only the URL's host and port can answer.
    const t = target('127.0.0.1', await freePort());
    const r = await runCheck(checkHttp, t, http({ request: `/http://127.0.0.1:${nginx.httpPort}/health`, receive: 'status: OK' }));
    expect(r.up).toBe(true);
  });
  it('sends credentials from an absolute URL as Basic auth and never shows the password', async () => {
    const t = target('127.0.0.1', nginx.httpPort);
    const good = `http://${nginx.authUser}:${nginx.authPass}@127.0.0.1:${nginx.httpPort}/auth`;
    const up = await runCheck(checkHttp, t, http({ request: good, receive: 'authorised', passwd: 'unused-Passwd-77', secret: 'unused-Secret-88' }));
    expect(up.up).toBe(true);
    const bad = `http://${nginx.authUser}:Wrong-Pw-123@127.0.0.1:${nginx.httpPort}/auth`;
    const down = await runCheck(checkHttp, t, http({ request: bad, passwd: 'unused-Passwd-77', secret: 'unused-Secret-88' }));
    expect(down.up).toBe(false);
    expect(down.message).toContain('401');
    for (const m of [up.message, down.message]) {
      expect(m).not.toContain(nginx.authPass);
      expect(m).not.toContain('Wrong-Pw-123');
      expect(m).not.toContain('unused-Passwd-77');
      expect(m).not.toContain('unused-Secret-88');
    }
  });
  it('does not crash on a bad receive regex', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', nginx.httpPort), http({ receive: 'foo(' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/invalid receive regex/);
  });
});

describe('https (nginx): tlsVerify', () => {
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
  });

  it("'chain' (default, as ldirectord on Debian) rejects a self-signed certificate", async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', nginx.httpsSelfPort), https());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/TLS certificate rejected/);
  });
  it("'none' accepts a self-signed certificate", async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', nginx.httpsSelfPort), https({ tlsVerify: 'none', receive: 'hello' }));
    expect(r.up).toBe(true);
  });
  it("'chain' rejects a certificate from a CA the host does not trust ...", async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const r = await runCheck(checkHttp, target('127.0.0.1', nginx.httpsCaPort), https());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/TLS certificate rejected/);
  });
  it("... and accepts it once that CA is trusted (NODE_EXTRA_CA_CERTS), whatever the host name", async () => {
    process.env.NODE_EXTRA_CA_CERTS = nginx.certs.caCert;
    const t = target('127.0.0.1', nginx.httpsCaPort);
    expect((await runCheck(checkHttp, t, https({ receive: 'hello' }))).up).toBe(true);
    // The certificate names www.tslvs.test and 127.0.0.1, not this: 'chain' does not care.
    expect((await runCheck(checkHttp, t, https({ virtualhost: 'other.tslvs.test' }))).up).toBe(true);
  });
  it("'full' also checks the host name (virtualhost, else the address)", async () => {
    process.env.NODE_EXTRA_CA_CERTS = nginx.certs.caCert;
    const t = target('127.0.0.1', nginx.httpsCaPort);
    expect((await runCheck(checkHttp, t, https({ tlsVerify: 'full' }))).up).toBe(true);
    expect((await runCheck(checkHttp, t, https({ tlsVerify: 'full', virtualhost: 'www.tslvs.test' }))).up).toBe(true);
    const wrong = await runCheck(checkHttp, t, https({ tlsVerify: 'full', virtualhost: 'other.tslvs.test' }));
    expect(wrong.up).toBe(false);
    expect(wrong.message).toMatch(/TLS certificate rejected/);
  });
  it("'full' after 'chain' to the same server still checks the name (no TLS session is resumed)", async () => {
    process.env.NODE_EXTRA_CA_CERTS = nginx.certs.caCert;
    const t = target('127.0.0.1', nginx.httpsCaPort);
    expect((await runCheck(checkHttp, t, https({ virtualhost: 'other.tslvs.test' }))).up).toBe(true);
    const full = await runCheck(checkHttp, t, https({ tlsVerify: 'full', virtualhost: 'other.tslvs.test' }));
    expect(full.up).toBe(false);
    expect(full.message).toMatch(/TLS certificate rejected/);
  });
  it('is down within timeout + 0.5 s when the TLS handshake never comes', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', hang.port), https({ timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.wallMs).toBeLessThan(1500);
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', await freePort()), https());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
});

describe('http_proxy (tinyproxy)', () => {
  const proxied = (o: Parameters<typeof options>[0] = {}) => options({ service: 'http_proxy', request: `http://127.0.0.1:${nginx.httpPort}/health`, ...o });
  it('fetches the absolute request URL through the proxy', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', proxy.port), proxied({ receive: 'status: OK' }));
    expect(r.up).toBe(true);
    expect(r.message).toContain(`via proxy 127.0.0.1:${proxy.port}`);
  });
  it('is down on a receive mismatch or an error status from behind the proxy', async () => {
    const t = target('127.0.0.1', proxy.port);
    expect((await runCheck(checkHttp, t, proxied({ receive: 'nope' }))).up).toBe(false);
    const down = await runCheck(checkHttp, t, proxied({ request: `http://127.0.0.1:${nginx.httpPort}/down` }));
    expect(down.up).toBe(false);
    expect(down.message).toContain('503');
  });
  it('is down when the proxy refuses', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', await freePort()), proxied());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('is down within timeout + 0.5 s when the proxy never answers', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', hang.port), proxied({ timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.wallMs).toBeLessThan(1500);
  });
  it('passes URL credentials through the proxy and never shows them', async () => {
    const t = target('127.0.0.1', proxy.port);
    const good = `http://${nginx.authUser}:${nginx.authPass}@127.0.0.1:${nginx.httpPort}/auth`;
    const up = await runCheck(checkHttp, t, proxied({ request: good, receive: 'authorised' }));
    expect(up.up).toBe(true);
    const down = await runCheck(checkHttp, t, proxied({ request: good.replace(nginx.authPass, 'Pr0xy-Wrong-Pw'), passwd: 'Unused-Pw-5', secret: 'Unused-Secret-6' }));
    expect(down.up).toBe(false);
    expect(down.message).toContain('401');
    for (const m of [up.message, down.message]) {
      for (const secret of [nginx.authPass, 'Pr0xy-Wrong-Pw', 'Unused-Pw-5', 'Unused-Secret-6']) expect(m).not.toContain(secret);
    }
  });
  it('needs an absolute request', async () => {
    const r = await runCheck(checkHttp, target('127.0.0.1', proxy.port), proxied({ request: '/' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/absolute/);
  });
});

describe('a hanging server does not delay other checks', () => {
  it('runs concurrently: good checks finish fast while one hangs', async () => {
    process.env.NODE_EXTRA_CA_CERTS = nginx.certs.caCert;
    try {
      const t0 = performance.now();
      const [hung, a, b, c] = await Promise.all([
        runCheck(checkHttp, target('127.0.0.1', hang.port), http({ timeoutMs: 1500 })),
        runCheck(checkHttp, target('127.0.0.1', nginx.httpPort), http({ timeoutMs: 1500 })),
        runCheck(checkHttp, target('127.0.0.1', nginx.httpsCaPort), https({ timeoutMs: 1500 })),
        runCheck(checkHttp, target('127.0.0.1', proxy.port), options({ service: 'http_proxy', request: `http://127.0.0.1:${nginx.httpPort}/`, timeoutMs: 1500 })),
      ]);
      expect(hung.up).toBe(false);
      for (const r of [a, b, c]) {
        expect(r.up).toBe(true);
        expect(r.wallMs).toBeLessThan(500);
      }
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally {
      delete process.env.NODE_EXTRA_CA_CERTS;
    }
  });
});

describe('connections', () => {
  // A server that answers with keep-alive and records when each connection closes.
  async function keepAliveServer(answer: boolean) {
    const closed: number[] = [];
    const opened: number[] = [];
    const server = net.createServer((sock) => {
      opened.push(performance.now());
      sock.on('close', () => closed.push(performance.now()));
      sock.on('error', () => undefined);
      sock.once('data', () => {
        if (answer) sock.write('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    return { port, opened, closed, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const settle = () => new Promise((r) => setTimeout(r, 100));

  it('opens a new connection for every check and closes it afterwards, even if the server would keep it', async () => {
    const s = await keepAliveServer(true);
    try {
      for (let i = 0; i < 3; i++) expect((await runCheck(checkHttp, target('127.0.0.1', s.port), http({ receive: 'ok' }))).up).toBe(true);
      await settle();
      expect(s.opened).toHaveLength(3);
      expect(s.closed).toHaveLength(3);
    } finally {
      await s.close();
    }
  });
  it('closes the connection to a server that never answers at the deadline', async () => {
    const s = await keepAliveServer(false);
    try {
      const r = await runCheck(checkHttp, target('127.0.0.1', s.port), http({ timeoutMs: 500 }));
      expect(r.up).toBe(false);
      expect(r.message).toMatch(/timed out/);
      await settle();
      expect(s.closed).toHaveLength(1);
      expect(s.closed[0]! - s.opened[0]!).toBeLessThan(800);
    } finally {
      await s.close();
    }
  });
});
