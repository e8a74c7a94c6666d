// ldap and ldaps against a real throw-away slapd (own cn=config and database in a temp dir).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkLdap } from '../../src/checks/ldap.js';
import { makeCerts, type CertSet } from '../support/tls-cert.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { options, runCheck, target } from '../support/check-options.js';

let certDir: string;
let certs: CertSet;
let slapd: Slapd;
let hang: HangServer;
beforeAll(async () => {
  certDir = mkdtempSync(path.join(os.tmpdir(), 'tslvs-ldapcerts-'));
  certs = await makeCerts(certDir);
  slapd = await startSlapd(certs);
  hang = await startHangServer('127.0.0.1');
}, 30000);
afterAll(async () => {
  await slapd?.stop();
  await hang?.close();
  rmSync(certDir, { recursive: true, force: true });
});

const ldap = (o: Parameters<typeof options>[0] = {}) => options({ service: 'ldap', request: '/dc=tslvs,dc=test', ...o });

describe('ldap (slapd)', () => {
  it('is up: anonymous bind, base search finds exactly one entry', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapPort), ldap());
    expect(r.up).toBe(true);
    expect(r.message).toContain('entry "dc=tslvs,dc=test" found');
  });
  it('binds with login and passwd, and the password never shows', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapPort), ldap({ login: slapd.rootDn, passwd: slapd.rootPw, request: '/ou=People,dc=tslvs,dc=test', receive: '^ou=People' }));
    expect(r.up).toBe(true);
    expect(r.message).not.toContain(slapd.rootPw);
  });
  it('is down on a wrong password ("bind failed"), without showing it', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapPort), ldap({ login: slapd.rootDn, passwd: 'Wrong-Ldap-Pw-42', secret: 'Radius-Secret-9' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/bind as cn=admin,dc=tslvs,dc=test failed/);
    expect(r.message).not.toContain('Wrong-Ldap-Pw-42');
    expect(r.message).not.toContain('Radius-Secret-9');
  });
  it('is down when the DN does not match receive', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapPort), ldap({ receive: '^ou=Nobody' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/does not match/);
  });
  it('is down when the base entry does not exist', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapPort), ldap({ request: '/ou=Missing,dc=tslvs,dc=test' }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/search failed|0 entries/);
  });
  it('is down when refused', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', await freePort()), ldap());
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/refused/);
  });
  it('is down within timeout + 0.5 s when the server never answers', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', hang.port), ldap({ timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.message).toMatch(/timed out|timeout/i);
    expect(r.wallMs).toBeLessThan(1500);
  });
});

describe('ldaps (slapd, certificate from a throw-away CA)', () => {
  const saved = process.env.NODE_EXTRA_CA_CERTS;
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = saved;
  });
  const ldaps = (o: Parameters<typeof options>[0] = {}) => ldap({ service: 'ldaps', ...o });
  it("is up with tlsVerify 'none' (Net::LDAP's own default)", async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapsPort), ldaps({ tlsVerify: 'none', login: slapd.rootDn, passwd: slapd.rootPw }));
    expect(r.up).toBe(true);
  });
  it("'chain' is down while the CA is unknown and up once it is trusted", async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const down = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapsPort), ldaps());
    expect(down.up).toBe(false);
    expect(down.message).toMatch(/TLS certificate rejected/);
    process.env.NODE_EXTRA_CA_CERTS = certs.caCert;
    const up = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapsPort), ldaps());
    expect(up.up).toBe(true);
  });
  it('is down on a wrong password over TLS too', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', slapd.ldapsPort), ldaps({ tlsVerify: 'none', login: slapd.rootDn, passwd: 'Nope-Nope-7' }));
    expect(r.up).toBe(false);
    expect(r.message).not.toContain('Nope-Nope-7');
  });
  it('is down within timeout + 0.5 s when the TLS handshake never comes', async () => {
    const r = await runCheck(checkLdap, target('127.0.0.1', hang.port), ldaps({ timeoutMs: 1000 }));
    expect(r.up).toBe(false);
    expect(r.wallMs).toBeLessThan(1500);
  });
});
