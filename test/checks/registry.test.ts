import { SERVICE_NAMES } from '../../src/checks/types.js';
import { NEGOTIATE_CHECKS, deadlineFor, planProbe, probeKindFor } from '../../src/checks/registry.js';
import type { LazyCheck } from '../../src/checks/registry.js';
import { checkConnect } from '../../src/checks/connect.js';
import { checkPing } from '../../src/checks/ping.js';
import { parse } from '../config/helpers.js';

test('every ldirectord service name has a negotiate check', () => {
  for (const s of SERVICE_NAMES) expect(typeof NEGOTIATE_CHECKS[s]).toBe('function');
});

test('dispatch as _check_real: connect on udp pings, on/off run nothing, combined follows the phase', async () => {
  const c = await parse([
    'virtual=10.0.0.1:53', '\treal=10.0.0.2:53 gate', '\tchecktype=connect',
    'virtual=10.0.0.1:80', '\treal=10.0.0.2:80 gate', '\tchecktype=on',
    'virtual=10.0.0.1:81', '\treal=10.0.0.2:81 gate', '\tchecktype=3', '',
  ].join('\n'));
  const [udp, on, combined] = c.virtuals;
  expect(probeKindFor(udp!)).toBe('ping');
  expect(probeKindFor(on!)).toBeUndefined();
  expect(probeKindFor(combined!, 'connect')).toBe('connect');
  expect(probeKindFor(combined!, 'negotiate')).toBe('negotiate');
  expect(planProbe(udp!, udp!.reals[0]!, 'ping').check).toBe(checkPing);
  expect(planProbe(combined!, combined!.reals[0]!, 'connect').check).toBe(checkConnect);
});

test('timeouts as ldirectord picks them', async () => {
  const c = await parse([
    'checktimeout=3', 'negotiatetimeout=20',
    'virtual=10.0.0.1:80', '\treal=10.0.0.2:80 gate',
    'virtual=10.0.0.1:389', '\treal=10.0.0.2:389 gate',
    'virtual=10.0.0.1:82', '\treal=10.0.0.2:82 gate', '\tchecktype=ping', '\tcheckcount=4', '',
  ].join('\n'));
  const [http, ldap, ping] = c.virtuals;
  expect(deadlineFor('negotiate', http!)).toEqual({ timeoutMs: 20000, deadlineMs: 20000 });
  expect(deadlineFor('connect', http!)).toEqual({ timeoutMs: 3000, deadlineMs: 3000 });
  // ldap runs under alarm(checktimeout) as well.
  expect(deadlineFor('negotiate', ldap!)).toEqual({ timeoutMs: 3000, deadlineMs: 3000 });
  expect((planProbe(ldap!, ldap!.reals[0]!, 'negotiate').check as LazyCheck).loads).toBe('checkLdap');
  // ping: checktimeout per echo request, checkcount requests.
  expect(deadlineFor('ping', ping!)).toEqual({ timeoutMs: 3000, deadlineMs: 12000 });
});

test('probe inputs: checkport, the real\'s own request/receive, the virtual for external checks', async () => {
  const c = await parse([
    'virtual=10.0.0.1:80', '\treal=10.0.0.2:8080 masq 1 "ok.html", "fine"', '\tcheckport=9000',
    '\tvirtualhost=www.example.com', 'virtual=7', '\treal=10.0.0.3 gate', '\tchecktype=external', '',
  ].join('\n'));
  const web = planProbe(c.virtuals[0]!, c.virtuals[0]!.reals[0]!, 'negotiate');
  expect(web.target).toEqual({ address: '10.0.0.2', port: 9000, realPort: 8080, virtual: { protocol: 'tcp', address: '10.0.0.1', port: 80 } });
  expect(web.options).toMatchObject({ request: '/ok.html', receive: 'fine', virtualhost: 'www.example.com', service: 'http' });
  const ext = planProbe(c.virtuals[1]!, c.virtuals[1]!.reals[0]!, 'external');
  expect(ext.target.virtual).toEqual({ protocol: 'fwm', fwmark: 7 });
  expect(ext.options.checkcommand).toBe('/bin/true');
});

test('TLS policy defaults per service as ldirectord on Debian; tlsverify= overrides', async () => {
  const c = await parse([
    'virtual=10.0.0.1:443', '\treal=10.0.0.2:443 gate', 'virtual=10.0.0.1:993', '\treal=10.0.0.2:993 gate',
    'virtual=10.0.0.1:636', '\treal=10.0.0.2:636 gate', 'virtual=10.0.0.1:995', '\treal=10.0.0.2:995 gate', '\ttlsverify=none', '',
  ].join('\n'));
  expect(c.virtuals.map((v) => planProbe(v, v.reals[0]!, 'negotiate').options.tlsVerify)).toEqual(['chain', 'full', 'none', 'none']);
});

test('negotiate checks load their module on first use and run it', async () => {
  const none = NEGOTIATE_CHECKS.none as LazyCheck;
  expect(none.loads).toBe('checkNone');
  const target = { address: '127.0.0.1', port: 1, realPort: 1, virtual: { protocol: 'tcp' as const, address: '127.0.0.1', port: 80 } };
  const r = await none(target, { checktype: 'negotiate', service: 'none', timeoutMs: 1000, checkcount: 1, httpmethod: 'GET', tlsVerify: 'chain' }, AbortSignal.timeout(1000));
  expect(r.up).toBe(true);
});
