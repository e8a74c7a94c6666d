// A throw-away OpenLDAP slapd: its own cn=config (slapd.d built by slaptest from a generated
// slapd.conf) and mdb database in a temp dir, running as the current user, plain LDAP and
// LDAPS (certificate from the throw-away CA) on high loopback ports.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import type { CertSet } from './tls-cert.js';
import { requireBinary, run, spawnDaemon, tempDir, waitForTcp } from './foreground.js';

export interface Slapd {
  ldapPort: number;
  ldapsPort: number;
  suffix: string;
  rootDn: string;
  rootPw: string;
  stop(): Promise<void>;
}

export async function startSlapd(certs: CertSet): Promise<Slapd> {
  const slapd = requireBinary('/usr/sbin/slapd', 'slapd');
  const slaptest = requireBinary('/usr/sbin/slaptest', 'slapd');
  const slapadd = requireBinary('/usr/sbin/slapadd', 'slapd');
  const tmp = tempDir('slapd');
  const d = tmp.dir;
  const suffix = 'dc=tslvs,dc=test';
  const rootDn = `cn=admin,${suffix}`;
  const rootPw = 'Ld4p-s3cret-Pw';
  mkdirSync(path.join(d, 'db'));
  mkdirSync(path.join(d, 'slapd.d'));
  writeFileSync(path.join(d, 'slapd.conf'), [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    `pidfile ${d}/slapd.pid`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `TLSCACertificateFile ${certs.caCert}`,
    `TLSCertificateFile ${certs.signedCert}`,
    `TLSCertificateKeyFile ${certs.signedKey}`,
    'database mdb',
    'maxsize 10485760',
    `suffix "${suffix}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPw}`,
    `directory ${d}/db`,
    'access to * by * read',
    '',
  ].join('\n'));
  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  try {
    // Load the data through slapd.conf first (slaptest opens the database read-only), then
    // convert slapd.conf into the cn=config directory slapd runs from.
    await run(slapadd, ['-f', path.join(d, 'slapd.conf'), '-b', suffix], {
      input: `dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: tslvs\no: tslvs checks\n\n`
        + `dn: ou=People,${suffix}\nobjectClass: organizationalUnit\nou: People\n\n`,
    });
    await run(slaptest, ['-f', path.join(d, 'slapd.conf'), '-F', path.join(d, 'slapd.d')]);
  } catch (e) {
    tmp.remove();
    throw e;
  }
  // -d 0 keeps slapd in the foreground; no -u/-g: it runs as whoever runs the tests.
  const daemon = spawnDaemon(slapd, ['-d', '0', '-F', path.join(d, 'slapd.d'),
    '-h', `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`]);
  try {
    await waitForTcp('127.0.0.1', ldapPort, daemon);
    await waitForTcp('127.0.0.1', ldapsPort, daemon);
  } catch (e) {
    await daemon.stop();
    tmp.remove();
    throw e;
  }
  return { ldapPort, ldapsPort, suffix, rootDn, rootPw, stop: async () => { await daemon.stop(); tmp.remove(); } };
}
