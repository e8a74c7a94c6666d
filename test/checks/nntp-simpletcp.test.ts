// nntp against a real leafnode (spawned per connection, inetd-style, see test/support/leafnode.ts)
// and simpletcp against a real nginx speaking HTTP/1.0 over a raw TCP request.
import dgram from 'node:dgram';
import { checkNntp } from '../../src/checks/nntp.js';
import { checkSimpletcp, simpletcpPayload } from '../../src/checks/simpletcp.js';
import { startLeafnode } from '../support/leafnode.js';
import { startNginx, type Nginx } from '../support/nginx.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { options, runCheck, target } from '../support/check-options.js';

let good: { port: number; stop(): Promise<void> };
let refusing: { port: number; stop(): Promise<void> };
let nginx: Nginx;
let hang: HangServer;
beforeAll(async () => {
  // leafnode greets 200 with a host name it accepts, 503 with one it calls "not unique".
  good = await startLeafnode('nntp.tslvs-checks.org');
  refusing = await startLeafnode('news.example.org');
  nginx = await startNginx();
  hang = await startHangServer('127.0.0.1');
}, 30000);
afterAll(async () => {
  await good?.stop();
  await refusing?.stop();
  await nginx?.stop();
  await hang?.close();
});

describe('nntp (leafnode)', () => {
  it('is up on a 2xx greeting', async () => {
    const r = await runCheck(checkNntp, target('127.0.0.1', good.port), options({ service: 'nntp', timeoutMs: 2000 }));
    expect(r.up).toBe(true);
    expect(r.message).toMatch(/greeting "200 Leafnode NNTP Daemon/);
  });
  it('is down on a 5xx greeting', async () => {
    const r = await runCheck(checkNntp, target('127.0.0.1', refusing.port), options({ service: 'nntp', timeoutMs: 2000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/greeting "503 /);
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkNntp, target('127.0.0.1', await freePort()), options({ service: 'nntp' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('is down within timeout + 0.5 s when no greeting comes', async () => {
    const r = await runCheck(checkNntp, target('127.0.0.1', hang.port), options({ service: 'nntp', timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out/);
    expect(r.wallMs).toBeLessThan(1500);
  });
});

describe('simpletcp', () => {
  it('turns literal \\n into newlines and drops the leading "/" (and nothing else)', () => {
    expect(simpletcpPayload('/GET / HTTP/1.0\\n\\n')).toBe('GET / HTTP/1.0\n\n');
    expect(simpletcpPayload('/a\\tb\\r\\n')).toBe('a\\tb\\r\n');
  });
  const req = '/GET /health HTTP/1.0\\nHost: 127.0.0.1\\n\\n';
  it('is up when a reply line matches receive (nginx)', async () => {
    const r = await runCheck(checkSimpletcp, target('127.0.0.1', nginx.httpPort), options({ service: 'simpletcp', request: req, receive: '^status: OK$' }));
    expect(r.up).toBe(true);
    expect(r.message).toContain('status: OK');
  });
  it('matches line by line: a pattern spanning two lines never matches', async () => {
    const r = await runCheck(checkSimpletcp, target('127.0.0.1', nginx.httpPort), options({ service: 'simpletcp', request: req, receive: 'OK\\nversion' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/no line matched/);
  });
  it('is down when no line matches', async () => {
    const r = await runCheck(checkSimpletcp, target('127.0.0.1', nginx.httpPort), options({ service: 'simpletcp', request: req, receive: 'status: FAIL' }));
    expect(r.up).toBe(false);
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkSimpletcp, target('127.0.0.1', await freePort()), options({ service: 'simpletcp', request: req, receive: 'x' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('is down within timeout + 0.5 s when the server never answers', async () => {
    const r = await runCheck(checkSimpletcp, target('127.0.0.1', hang.port), options({ service: 'simpletcp', request: req, receive: 'x', timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.wallMs).toBeLessThan(1500);
  });
  // No real UDP line server is packaged for this; a scripted echo socket, clearly a stand-in.
  it('uses a connected UDP socket for a UDP virtual (scripted echo server)', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (msg, from) => echo.send(Buffer.from(`pong ${msg.toString().trim()}\n`), from.port, from.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
    try {
      const r = await runCheck(checkSimpletcp, target('127.0.0.1', echo.address().port, { protocol: 'udp' }), options({ service: 'simpletcp', request: '/ping\\n', receive: '^pong ping$' }));
      expect(r.up).toBe(true);
    } finally {
      echo.close();
    }
  });
});
