// Throw-away certificates made with the real openssl for TLS checks: a CA, a leaf it signs
// (with IP SAN 127.0.0.1 and DNS SAN www.tslvs.test) and a self-signed leaf.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBinary, run } from './a-daemon.js';

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
  await run(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=tslvs test CA',
    '-keyout', p('ca.key'), '-out', p('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run(openssl, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=www.tslvs.test', '-keyout', p('leaf.key'), '-out', p('leaf.csr')]);
  writeFileSync(p('leaf.ext'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:www.tslvs.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await run(openssl, ['x509', '-req', '-in', p('leaf.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', p('leaf.ext'), '-out', p('leaf.pem')]);
  await run(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', p('self.key'), '-out', p('self.pem')]);
  return { caCert: p('ca.pem'), signedCert: p('leaf.pem'), signedKey: p('leaf.key'), selfCert: p('self.pem'), selfKey: p('self.key') };
}
