// A throwaway self-signed certificate made with openssl for the TLS services under test.
import path from 'node:path';
import { run, requireFile } from './daemon.js';

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
