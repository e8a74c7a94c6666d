// The one TLS policy of every TLS check (https, ldaps, pops, imaps): ldirectord on Debian verifies the certificate chain against the
// *system* CA store (Perl's IO::Socket::SSL uses OpenSSL's default file) and skips the host
// name. Node's built-in store is its own Mozilla bundle, so to trust what the operator trusts
// (including a site CA added with update-ca-certificates) we load OpenSSL's default file:
// $SSL_CERT_FILE, else /etc/ssl/certs/ca-certificates.crt, else Node's bundle. Node's
// NODE_EXTRA_CA_CERTS is honoured on top. Both variables are read when a check runs (cached by
// path and mtime), which also lets tests prove "chain" up and down with a throw-away CA without
// touching the system store.
import { readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsVerify } from '../types.js';

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
let cache: { key: string; paths: string; checkedAt: number; cas: string[] } | null = null;

function stamp(path: string | undefined): string {
  if (!path) return '-';
  try { return `${path}@${statSync(path).mtimeMs}`; } catch { return `${path}@missing`; }
}

function pems(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The CA certificates a 'chain' or 'full' check trusts. */
export function trustedCAs(): string[] {
  const base = process.env.SSL_CERT_FILE || SYSTEM_BUNDLE;
  const extra = process.env.NODE_EXTRA_CA_CERTS || undefined;
  // The files are stat'ed at most once a second (not once per probe: 10,000 a round).
  const now = Date.now();
  if (cache && cache.paths === `${base}|${extra ?? ''}` && now - cache.checkedAt < 1000) return cache.cas;
  const key = `${stamp(base)}|${stamp(extra)}`;
  if (cache?.key === key) {
    cache.checkedAt = now;
    return cache.cas;
  }
  let cas: string[];
  try { cas = pems(base); } catch { cas = [...tls.rootCertificates]; }
  if (cas.length === 0) cas = [...tls.rootCertificates];
  if (extra) {
    try { cas = cas.concat(pems(extra)); } catch { /* unreadable extra file: Node ignores it too */ }
  }
  cache = { key, paths: `${base}|${extra ?? ''}`, checkedAt: now, cas };
  return cas;
}

/** Options for tls.connect (https checks, ldapts' tlsOptions, line-client) for a policy. */
export function tlsOptionsFor(verify: TlsVerify): tls.ConnectionOptions {
  switch (verify) {
    case 'none':
      return { rejectUnauthorized: false };
    case 'full':
      // Node's default identity check against servername (or the numeric host's IP SANs).
      return { rejectUnauthorized: true, ca: trustedCAs() };
    default:
      return { rejectUnauthorized: true, ca: trustedCAs(), checkServerIdentity: () => undefined };
  }
}

/**
 * tls.connect options for a line-protocol check (pops, imaps): tlsOptionsFor(verify), with
 * 'full' checking the certificate against `name` (virtualhost, else the real's address) and
 * that name sent as SNI when it is a host name.
 */
export function tlsConnectOptions(verify: TlsVerify, host: string, name: string): tls.ConnectionOptions {
  const sni = verify === 'full' ? name : host;
  return {
    ...tlsOptionsFor(verify),
    ...(verify === 'full' ? { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(name, cert) } : {}),
    servername: net.isIP(sni) ? undefined : sni,
  };
}

/** Short reason for a TLS verification failure. */
export function describeTlsError(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|ERR_TLS/.test(code)) {
    return `TLS certificate rejected: ${(err as Error).message} (${code})`;
  }
  return null;
}
