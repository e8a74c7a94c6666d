// Every check's message is redacted the same way (src/log/redact.ts through withRedaction):
// a configured passwd/secret, a URL's password and a "password=" value never appear in it,
// whichever check wrote it. The checks that once ended through another helper masked less.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { NEGOTIATE_CHECKS } from '../../src/checks/registry.js';
import { checkConnect } from '../../src/checks/connect.js';
import { checkExternal, checkExternalPerl } from '../../src/checks/external.js';
import { checkPing } from '../../src/checks/ping.js';
import type { CheckFn, CheckOptions, CheckType, ServiceName } from '../../src/checks/types.js';
import { freePort } from '../support/net.js';
import { options, runCheck, target } from '../support/check-options.js';

const checks: Array<{ name: string; fn: CheckFn; checktype: CheckType; service: ServiceName }> = [
  ...Object.entries(NEGOTIATE_CHECKS).map(([service, fn]) => ({ name: service, fn, checktype: 'negotiate' as const, service: service as ServiceName })),
  { name: 'connect', fn: checkConnect, checktype: 'connect', service: 'none' },
  { name: 'ping', fn: checkPing, checktype: 'ping', service: 'none' },
  { name: 'external', fn: checkExternal, checktype: 'external', service: 'none' },
  { name: 'external-perl', fn: checkExternalPerl, checktype: 'external-perl', service: 'none' },
];

let dir: string;
let closedPort: number;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tslvs-redaction-'));
  closedPort = await freePort();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function base(c: (typeof checks)[number], extra: Partial<CheckOptions> = {}): CheckOptions {
  return options({
    checktype: c.checktype, service: c.service, timeoutMs: 1500, login: 'probe', database: 'db', request: '/', receive: 'x',
    checkcommand: '/bin/false', ...extra,
  });
}

// A word of the check's own message becomes the "secret": with no redaction the next message
// would contain it, so this fails for any check whose result skips the shared redaction.
describe.each(checks)('$name', (c) => {
  test.each(['passwd', 'secret'] as const)('a %s value is masked in its message', async (field) => {
    const plain = await runCheck(c.fn, target('127.0.0.1', closedPort), base(c));
    const word = (plain.message.match(/[A-Za-z]{4,}/g) ?? []).sort((a, b) => b.length - a.length)[0];
    expect(word).toBeDefined();
    const masked = await runCheck(c.fn, target('127.0.0.1', closedPort), base(c, { [field]: word }));
    expect(masked.message).not.toContain(word);
    expect(masked.message).toContain('***');
  });
});

describe('URL passwords and password= values in what a check echoes', () => {
  const url = (port: number) => `http://user:Url-S3cr3t@127.0.0.1:${port}/`;
  test.each(['ldap', 'ldaps', 'dns'] as const)('%s: a request URL with a password', async (service) => {
    const c = checks.find((x) => x.name === service)!;
    const r = await runCheck(c.fn, target('127.0.0.1', closedPort), base(c, { request: url(closedPort) }));
    expect(r.message).toContain('user:***@');
    expect(r.message).not.toContain('Url-S3cr3t');
  });
  test('http: a passwd quoted in the request path, also URI-encoded', async () => {
    const c = checks.find((x) => x.name === 'http')!;
    const r = await runCheck(c.fn, target('127.0.0.1', closedPort), base(c, { request: '/login?pw=Pa%24%24-w0rd', passwd: 'Pa$$-w0rd' }));
    expect(r.message).toContain('pw=***');
    expect(r.message).not.toContain('w0rd');
  });
  test('external: a script printing a URL with a password, a password= and the secret', async () => {
    const file = path.join(dir, 'leaky.sh');
    writeFileSync(file, '#!/bin/sh\necho "fetch http://admin:Url-S3cr3t@10.0.0.1/ password=Plain-S3cr3t key Sec-R3t" >&2\nexit 1\n');
    chmodSync(file, 0o755);
    const c = checks.find((x) => x.name === 'external')!;
    const r = await runCheck(c.fn, target('127.0.0.1', 80), base(c, { checkcommand: file, secret: 'Sec-R3t' }));
    expect(r.up).toBe(false);
    expect(r.message).toContain('admin:***@');
    expect(r.message).toContain('password=***');
    for (const s of ['Url-S3cr3t', 'Plain-S3cr3t', 'Sec-R3t']) expect(r.message).not.toContain(s);
  });
  test('smtp: a greeting that echoes a URL with a password', async () => {
    const server = net.createServer((s) => s.end('554 go away http://u:Url-S3cr3t@mail.example/\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const c = checks.find((x) => x.name === 'smtp')!;
      const r = await runCheck(c.fn, target('127.0.0.1', (server.address() as net.AddressInfo).port), base(c));
      expect(r.up).toBe(false);
      expect(r.message).toContain('u:***@');
      expect(r.message).not.toContain('Url-S3cr3t');
    } finally {
      server.close();
    }
  });
});
