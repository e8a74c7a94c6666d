import { ConfigError } from '../../src/config/errors.js';
import { parse } from './helpers.js';

async function error(text: string): Promise<{ line: number; text: string }> {
  try {
    await parse(text);
  } catch (err) {
    if (err instanceof ConfigError) return { line: err.line, text: err.text };
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults as ldirectord 4.12 sets them in code', () => {
  test('a bare virtual', async () => {
    const c = await parse('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n');
    const v = c.virtuals[0]!;
    expect(v).toMatchObject({
      id: 'tcp:10.0.0.1:80', protocol: 'tcp', service: 'http', checktype: 'negotiate', scheduler: 'wrr',
      request: '/', receive: '', httpmethod: 'GET', checktimeout: 5, negotiatetimeout: 30, checkinterval: 10,
      failurecount: 1, checkcount: 1, quiescent: false, cleanstop: true, ops: false, checkcommand: '/bin/true',
    });
    expect(v.reals[0]).toMatchObject({ address: '10.0.0.2', port: 80, forward: 'gate', weight: 1, url: 'http://10.0.0.2:80/' });
    expect(c.global).toMatchObject({ quiescent: false, readdquiescent: false, autoreload: false, fork: false, logfile: '/var/log/ldirectord.log' });
  });

  test('port 53 means udp and dns; unknown ports mean service none', async () => {
    const c = await parse('virtual=10.0.0.1:domain\n\treal=10.0.0.2:53 gate\nvirtual=10.0.0.1:9999\n\treal=10.0.0.2:9999 gate\n');
    expect(c.virtuals.map((v) => [v.protocol, v.service, v.port])).toEqual([['udp', 'dns', 53], ['tcp', 'none', 9999]]);
  });

  test.each([
    ['checktimeout=3\n', 3, 3],
    ['negotiatetimeout=7\n', 7, 7],
    ['checktimeout=3\nnegotiatetimeout=7\n', 3, 7],
    ['', 5, 30],
  ])('checktimeout/negotiatetimeout default to each other: %j', async (globals, check, negotiate) => {
    const v = (await parse(`${globals}virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n`)).virtuals[0]!;
    expect([v.checktimeout, v.negotiatetimeout]).toEqual([check, negotiate]);
  });

  test('a virtual timeout beats both global ones, for both timeouts', async () => {
    const v = (await parse('checktimeout=3\nnegotiatetimeout=7\nvirtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tnegotiatetimeout=20\n')).virtuals[0]!;
    expect([v.checktimeout, v.negotiatetimeout]).toEqual([20, 20]);
  });

  test('ftp and sip login defaults come from the host name, only when service= is read first', async () => {
    const c = await parse([
      'virtual=10.0.0.1:21', '\tservice=ftp', 'virtual=10.0.0.1:5060', '\tservice=sip',
      'virtual=10.0.0.2:21', '\tlogin="me"', '\tservice=ftp', 'virtual=10.0.0.3:21', '',
    ].join('\n'));
    expect(c.virtuals.map((v) => [v.login, v.passwd])).toEqual([
      ['anonymous', 'ldirectord@director'], ['ldirectord@director', ''], ['me', 'ldirectord@director'], ['', ''],
    ]);
  });

  test('per-virtual checkinterval applies only with fork=yes, and warns otherwise', async () => {
    const text = 'virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tcheckinterval=3\n';
    const nofork = await parse(text);
    expect(nofork.virtuals[0]!.checkinterval).toBe(10);
    expect(nofork.warnings).toEqual([{ message: 'checkinterval in virtual service tcp:10.0.0.1:80 ignored when fork=no' }]);
    const fork = await parse(`fork=yes\n${text}`);
    expect(fork.virtuals[0]!.checkinterval).toBe(3);
    expect(fork.warnings).toEqual([]);
  });
});

describe('addresses', () => {
  test('names resolve through the injected resolver, v6 is canonical and bracketed in ids', async () => {
    const c = await parse('virtual6=[2001:0DB8::0:1]:https\n\treal6=web6:8443 masq\n\treal6=[2001:db8::22]:443 gate\n');
    const v = c.virtuals[0]!;
    expect(v.id).toBe('tcp:[2001:db8::1]:443');
    expect(v.reals.map((r) => r.address)).toEqual(['2001:db8::21', '2001:db8::22']);
    expect(v.reals[0]!.url).toBe('https://[2001:db8::21]:8443/');
    expect(v.reals[0]!.ldirectordId).toMatch(/^negotiate:https:tcp:\[2001:db8::21\]:8443:/);
  });

  test('fwmark virtuals', async () => {
    const c = await parse('virtual=7\n\treal=web1 gate\nvirtual6=7\n\treal6=web6 gate\n');
    expect(c.virtuals.map((v) => [v.id, v.protocol, v.fwmark, v.service, v.port])).toEqual([
      ['fwm:7', 'fwm', 7, 'none', 0], ['fwm6:7', 'fwm', 7, 'none', 0],
    ]);
  });

  test('ranges expand, and absurd ones are refused (tslvs)', async () => {
    const c = await parse('virtual=10.0.0.1:80\n\treal=10.0.0.254->10.0.1.1:80 gate\n');
    expect(c.virtuals[0]!.reals.map((r) => r.address)).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
    // Crossing a power of ten in the integer form, where ldirectord's string compare yields nothing.
    const cross = await parse('virtual=10.0.0.1:80\n\treal=5.245.224.254->5.245.225.1:80 gate\n');
    expect(cross.virtuals[0]!.reals.map((r) => r.address)).toEqual(['5.245.224.254', '5.245.224.255', '5.245.225.0', '5.245.225.1']);
    expect(await error('virtual=10.0.0.1:80\n\treal=10.0.0.0->10.255.255.255:80 gate\n')).toEqual({
      line: 2, text: 'Invalid Range: 10.0.0.0-10.255.255.255: more than 65536 addresses',
    });
  });
});

describe('real server lines', () => {
  test('weight, request/receive pair and thresholds', async () => {
    const c = await parse('virtual=10.0.0.1:80\n\treal=10.0.0.2:8080 masq 5 "ok.html", "fine" l:2 u:9\n');
    expect(c.virtuals[0]!.reals[0]).toMatchObject({
      weight: 5, request: '/ok.html', receive: 'fine', ownRequest: true, lowerThreshold: 2, upperThreshold: 9,
      url: 'http://10.0.0.2:8080/ok.html',
    });
  });

  test('tslvs: a per-real "/request" keeps its receive string (ldirectord drops it)', async () => {
    const c = await parse('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate 1 "/ok.html", "fine"\n\treceive="virtual"\n');
    expect(c.virtuals[0]!.reals[0]).toMatchObject({ request: '/ok.html', receive: 'fine' });
  });

  test('tslvs: a lower threshold above the upper one is refused with its line', async () => {
    expect(await error('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate l:10\n')).toEqual({
      line: 2, text: 'Invalid real server thresholds: lower threshold l:10 needs an upper threshold u:N with N >= 10',
    });
    expect((await error('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate u:5 l:6\n')).line).toBe(2);
  });

  test('one real in two virtuals with the same check shares a probe; different credentials do not', async () => {
    const c = await parse([
      'virtual=10.0.0.1:80', '\treal=10.0.0.9:80 gate', 'virtual=10.0.0.2:80', '\treal=10.0.0.9:80 gate',
      'virtual=10.0.0.1:3306', '\treal=10.0.0.9:3306 gate', '\tlogin="a"', '\tpasswd="x"',
      'virtual=10.0.0.2:3306', '\treal=10.0.0.9:3306 gate', '\tlogin="a"', '\tpasswd="y"', '',
    ].join('\n'));
    const [web1, web2, db1, db2] = c.virtuals.map((v) => v.reals[0]!);
    expect(web1!.checkKey).toBe(web2!.checkKey);
    expect(db1!.ldirectordId).toBe(db2!.ldirectordId); // ldirectord would share these…
    expect(db1!.checkKey).not.toBe(db2!.checkKey); // …tslvs does not.
    expect(db1!.checkKey).not.toContain('x');
    expect(c.sharedChecks.find((s) => s.checkKey === web1!.checkKey)!.virtuals).toEqual(['tcp:10.0.0.1:80', 'tcp:10.0.0.2:80']);
  });
});

describe('errors carry ldirectord line numbers', () => {
  test('errors found while resolving point at the line that caused them', async () => {
    expect(await error('virtual=10.0.0.1:80\n\treal=10.0.0.2:80 gate\n\tfallback=nosuchhost:80\n\tservice=http\n')).toEqual({
      line: 3, text: 'invalid IPv4 address or could not resolve for fallback server: nosuchhost',
    });
  });

  test('monitorfile and logfile are probed without being created', async () => {
    expect(await error('logfile="/forbidden/ld.log"\n')).toEqual({ line: 1, text: 'unable to open logfile: /forbidden/ld.log' });
    expect(await error('virtual=10.0.0.1:80\n\tmonitorfile=/forbidden/m\n')).toEqual({
      line: 2, text: 'unable to open monitorfile /forbidden/m: Permission denied',
    });
  });

  test('tslvs extension tlsverify', async () => {
    const c = await parse('virtual=10.0.0.1:443\n\treal=10.0.0.2:443 gate\n\ttlsverify=full\n');
    expect(c.virtuals[0]!.tlsVerify).toBe('full');
    expect(await error('virtual=10.0.0.1:443\n\ttlsverify=maybe\n')).toEqual({ line: 2, text: 'tlsverify must be chain, full or none' });
  });
});
