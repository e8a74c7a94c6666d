// connect, ping, external, external-perl and none against real sockets, the real iputils ping
// and real processes, on 127.0.0.1 and ::1.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { checkConnect } from '../../src/checks/connect.js';
import { checkPing } from '../../src/checks/ping.js';
import { checkExternal, checkExternalPerl } from '../../src/checks/external.js';
import { checkNone } from '../../src/checks/none.js';
import { checkHttp } from '../../src/checks/http.js';
import { checkLdap } from '../../src/checks/ldap.js';
import { checkDns } from '../../src/checks/dns.js';
import { checkSip } from '../../src/checks/sip.js';
import { checkNntp } from '../../src/checks/nntp.js';
import { checkSimpletcp } from '../../src/checks/simpletcp.js';
import type { CheckFn, ServiceName } from '../../src/checks/types.js';
import { splitArgv } from '../../src/checks/util/argv.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { requireBinary } from '../support/foreground.js';
import { options, runCheck, target } from '../support/check-options.js';

let dir: string;
beforeAll(() => {
  requireBinary('/usr/bin/ping', 'iputils-ping');
  dir = mkdtempSync(path.join(os.tmpdir(), 'tslvs-basic-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  chmodSync(file, 0o755);
  return file;
}

describe.each(['127.0.0.1', '::1'])('connect on %s', (host) => {
  let open: net.Server;
  let hang: HangServer;
  let openPort: number;
  beforeAll(async () => {
    open = net.createServer((s) => { s.on('error', () => undefined); s.end('hello\n'); });
    await new Promise<void>((r) => open.listen(0, host, () => r()));
    openPort = (open.address() as net.AddressInfo).port;
    hang = await startHangServer(host);
  });
  afterAll(async () => {
    await new Promise<void>((r) => open.close(() => r()));
    await hang.close();
  });

  it('is up when the port accepts', async () => {
    const r = await runCheck(checkConnect, target(host, openPort), options({ checktype: 'connect' }));
    expect(r.up).toBe(true);
    expect(r.message).toContain('connected');
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkConnect, target(host, await freePort(host)), options({ checktype: 'connect' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('counts accept-and-never-answer as up (ldirectord does), quickly', async () => {
    const r = await runCheck(checkConnect, target(host, hang.port), options({ checktype: 'connect', timeoutMs: 1000 }));
    expect(r.up).toBe(true);
    expect(r.wallMs).toBeLessThan(500);
  });
});

describe('ping (real iputils ping)', () => {
  it.each(['127.0.0.1', '::1'])('is up for %s', async (host) => {
    const r = await runCheck(checkPing, target(host, 0), options({ checktype: 'ping', checkcount: 3, timeoutMs: 2000 }));
    expect(r.up).toBe(true);
    expect(r.message).toMatch(/bytes from/);
    // The first pong ends the probe: no waiting for the other two requests.
    expect(r.wallMs).toBeLessThan(900);
  });

  // Down cases with the real ping binary, run inside an empty network namespace (unshare -n)
  // through a PATH wrapper, so no packet can leave loopback.
  function withNetnsPing(setup: string): () => void {
    const bin = path.join(dir, `netns-${Math.random().toString(36).slice(2)}`);
    mkdirSync(bin);
    script(path.join(path.basename(bin), 'ping'), `#!/bin/sh\nexec /usr/bin/unshare -n sh -c '${setup} exec /usr/bin/ping "$@"' ping "$@"\n`);
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    return () => { process.env.PATH = saved; };
  }

  it('is down when the address is unreachable', async () => {
    const restore = withNetnsPing('');
    try {
      const r = await runCheck(checkPing, target('127.0.0.1', 0), options({ checktype: 'ping', checkcount: 2, timeoutMs: 1000 }));
      expect(r.up).toBe(false);
      expect(r.message).toMatch(/unreachable|no reply|0 received/i);
    } finally { restore(); }
  });
  it('is down at the deadline when echo requests vanish', async () => {
    const restore = withNetnsPing('ip link set lo up && ip route add 10.0.0.0/8 dev lo &&');
    try {
      const r = await runCheck(checkPing, target('10.1.2.3', 0), options({ checktype: 'ping', checkcount: 3, timeoutMs: 1000 }));
      expect(r.up).toBe(false);
      expect(r.wallMs).toBeLessThan(1500);
    } finally { restore(); }
  });
});

describe('connect on a UDP virtual pings, as ldirectord does', () => {
  it('is up for a live loopback address whatever the port', async () => {
    const r = await runCheck(checkConnect, target('127.0.0.1', 9, { protocol: 'udp' }), options({ checktype: 'connect' }));
    expect(r.up).toBe(true);
    expect(r.message).toMatch(/ICMP echo/);
  });
});

describe('external', () => {
  it('passes VIP VPORT RIP RPORT and is up on exit 0', async () => {
    const out = path.join(dir, 'args.txt');
    const cmd = script('record.sh', `#!/bin/sh\necho "$@" > ${out}\nexit 0\n`);
    const t = target('127.0.0.2', 8080, { address: '127.0.0.1', port: 80 }, 8081);
    const r = await runCheck(checkExternal, t, options({ checktype: 'external', checkcommand: cmd }));
    expect(r.up).toBe(true);
    expect(readFileSync(out, 'utf8').trim()).toBe('127.0.0.1 80 127.0.0.2 8081');
  });
  it('splits checkcommand into argv without a shell and brackets IPv6 as ldirectord stores it', async () => {
    const out = path.join(dir, 'args6.txt');
    const cmd = script('record6.sh', `#!/bin/sh\nprintf '%s|' "$@" > ${out}\n`);
    const t = target('::1', 443, { address: '::1', port: 443 }, 443);
    const r = await runCheck(checkExternal, t, options({ checktype: 'external', checkcommand: `${cmd} --flag 'two words' $HOME;id` }));
    expect(r.up).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('--flag|two words|$HOME;id|[::1]|443|[::1]|443|');
  });
  it('passes the mark and port 0 for a fwmark virtual', async () => {
    const out = path.join(dir, 'argsfw.txt');
    const cmd = script('recordfw.sh', `#!/bin/sh\necho "$@" > ${out}\n`);
    const t = target('127.0.0.3', 80, { protocol: 'fwm', address: undefined, port: undefined, fwmark: 7 }, 80);
    await runCheck(checkExternal, t, options({ checktype: 'external', checkcommand: cmd }));
    expect(readFileSync(out, 'utf8').trim()).toBe('7 0 127.0.0.3 80');
  });
  it('is down on a non-zero exit, with the status in the message', async () => {
    const cmd = script('fail.sh', '#!/bin/sh\necho "backend says no" >&2\nexit 3\n');
    const r = await runCheck(checkExternal, target('127.0.0.1', 80), options({ checktype: 'external', checkcommand: cmd }));
    expect(r.up).toBe(false);
    expect(r.message).toContain('exit status 3');
    expect(r.message).toContain('backend says no');
  });
  it('is down when the command does not exist', async () => {
    const r = await runCheck(checkExternal, target('127.0.0.1', 80), options({ checktype: 'external', checkcommand: path.join(dir, 'nope') }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/not found/);
  });
  it('kills the whole process group at the deadline', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const cmd = script('hang.sh', `#!/bin/sh\nsleep 30 &\necho $! > ${pidFile}\nsleep 30\n`);
    const r = await runCheck(checkExternal, target('127.0.0.1', 80), options({ checktype: 'external', checkcommand: cmd, timeoutMs: 700 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out/);
    expect(r.wallMs).toBeLessThan(1200);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 300));
    // The backgrounded grandchild is gone too (SIGTERM to the group).
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
  });
  it('is down when the command dies from a signal (ldirectord would read status 0)', async () => {
    const cmd = script('selfkill.sh', '#!/bin/sh\nkill -KILL $$\n');
    const r = await runCheck(checkExternal, target('127.0.0.1', 80), options({ checktype: 'external', checkcommand: cmd }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/SIGKILL/);
  });
});

describe('external-perl', () => {
  it('runs the file with perl and the same arguments; exit 0 is up', async () => {
    const file = path.join(dir, 'check.pl');
    writeFileSync(file, 'my ($vip, $vport, $rip, $rport) = @ARGV;\nexit(($rip eq "127.0.0.9" && $rport == 8443) ? 0 : 1);\n');
    const up = await runCheck(checkExternalPerl, target('127.0.0.9', 9000, {}, 8443), options({ checktype: 'external-perl', checkcommand: file }));
    expect(up.up).toBe(true);
    const down = await runCheck(checkExternalPerl, target('127.0.0.8', 9000, {}, 8443), options({ checktype: 'external-perl', checkcommand: file }));
    expect(down.up).toBe(false);
    expect(down.message).toContain('exit status 1');
  });
  it('is down when the script dies, up when it falls off the end', async () => {
    const dies = path.join(dir, 'die.pl');
    writeFileSync(dies, 'die "cannot reach backend\\n";\n');
    const r = await runCheck(checkExternalPerl, target('127.0.0.1', 80), options({ checktype: 'external-perl', checkcommand: dies }));
    expect(r.up).toBe(false);
    expect(r.message).toContain('cannot reach backend');
    const falls = path.join(dir, 'falls.pl');
    writeFileSync(falls, 'my $x = 1;\n');
    expect((await runCheck(checkExternalPerl, target('127.0.0.1', 80), options({ checktype: 'external-perl', checkcommand: falls }))).up).toBe(true);
  });
  it('is killed at the deadline', async () => {
    const file = path.join(dir, 'sleep.pl');
    writeFileSync(file, 'sleep 30;\n');
    const r = await runCheck(checkExternalPerl, target('127.0.0.1', 80), options({ checktype: 'external-perl', checkcommand: file, timeoutMs: 500 }));
    expect(r.up).toBe(false);
    expect(r.wallMs).toBeLessThan(1000);
  });
});

describe('none', () => {
  it('is always up', async () => {
    const r = await runCheck(checkNone, target('127.0.0.1', 1), options());
    expect(r.up).toBe(true);
  });
});

describe('splitArgv', () => {
  it('tokenises like a shell without expanding', () => {
    expect(splitArgv(`a "b c" 'd e' f\\ g "h\\"i" $X`)).toEqual(['a', 'b c', 'd e', 'f g', 'h"i', '$X']);
    expect(() => splitArgv('a "b')).toThrow(/unterminated/);
  });
});

describe('no check puts passwd or secret into its message', () => {
  const checks: Array<[string, CheckFn, ServiceName]> = [
    ['http', checkHttp, 'http'], ['https', checkHttp, 'https'], ['ldap', checkLdap, 'ldap'], ['ldaps', checkLdap, 'ldaps'],
    ['dns', checkDns, 'dns'], ['sip', checkSip, 'sip'], ['nntp', checkNntp, 'nntp'], ['simpletcp', checkSimpletcp, 'simpletcp'],
    ['connect', checkConnect, 'none'], ['external', checkExternal, 'none'],
  ];
  it.each(checks)('%s (refused port, credentials set)', async (_name, fn, service) => {
    const port = await freePort();
    const r = await runCheck(fn, target('127.0.0.1', port), options({
      service, login: 'cn=checker', passwd: 'Sekr1t-Passwd', secret: 'Sekr1t-Shared', receive: 'x',
      request: `/http://u:Sekr1t-Url@127.0.0.1:${port}/`, checkcommand: '/bin/false',
    }));
    expect(r.up).toBe(false);
    for (const s of ['Sekr1t-Passwd', 'Sekr1t-Shared', 'Sekr1t-Url']) expect(r.message).not.toContain(s);
  });
});
