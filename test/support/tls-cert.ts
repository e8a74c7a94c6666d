// Throw-away certificates made with the real openssl for the TLS services and checks under
// test: a self-signed one (makeSelfSigned), or a CA with a leaf it signs (with IP SANs
// 127.0.0.1 and ::1 and DNS SAN www.tslvs.test) and a self-signed leaf (makeCerts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, requireFile } from './daemon.js';
import { requireBinary, run as runAsync } from './foreground.js';

export interface CertFiles { cert: string; key: string }

/** Self-signed RSA cert valid for `ip` (SAN IP:…), written into dir. */
export function makeSelfSigned(dir: string, ip = '127.0.0.1', name = 'server'): CertFiles {
  requireFile('/usr/bin/openssl', 'openssl');
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=tslvs-test', '-addext', `subjectAltName=IP:${ip}`]);
  return { cert, key };
}

export interface CertSet {
  caCert: string;
  /** Signed by the throw-away CA; SANs: IP:127.0.0.1, IP:::1, DNS:www.tslvs.test. */
  signedCert: string;
  signedKey: string;
  selfCert: string;
  selfKey: string;
}

export async function makeCerts(dir: string): Promise<CertSet> {
  const openssl = requireBinary('/usr/bin/openssl', 'openssl');
  const p = (f: string) => path.join(dir, f);
  await runAsync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=tslvs test CA',
    '-keyout', p('ca.key'), '-out', p('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await runAsync(openssl, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=www.tslvs.test', '-keyout', p('leaf.key'), '-out', p('leaf.csr')]);
  writeFileSync(p('leaf.ext'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:www.tslvs.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await runAsync(openssl, ['x509', '-req', '-in', p('leaf.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', p('leaf.ext'), '-out', p('leaf.pem')]);
  await runAsync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', p('self.key'), '-out', p('self.pem')]);
  return { caCert: p('ca.pem'), signedCert: p('leaf.pem'), signedKey: p('leaf.key'), selfCert: p('self.pem'), selfKey: p('self.key') };
}
