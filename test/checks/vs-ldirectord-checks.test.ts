// Differential test: the same real servers, in the same states, checked by real ldirectord 4.12's
// own code and by tslvs, from ONE ldirectord.cf that both read (test/support/ldirectord-checks.ts).
// Every case states the verdict it expects from each side: `agree('up')` means both must say up;
// `differ(...)` is a deliberate, documented difference and pins both verdicts, so the test fails
// when either side changes. `npm run compat:checks` prints the table (docs/CHECKS-AGREEMENT.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNginx, type Nginx } from '../support/nginx.js';
import { startTinyproxy } from '../support/tinyproxy.js';
import { startDnsmasq } from '../support/dnsmasq.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { startKamailio } from '../support/kamailio.js';
import { startLeafnode } from '../support/leafnode.js';
import { startPostfix, type Postfix } from '../support/postfix.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { startPureFtpd, type PureFtpd } from '../support/pureftpd.js';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { startFreeRadius, type FreeRadius } from '../support/freeradius.js';
import { freePort, startHangServer, startUdpHangServer } from '../support/net.js';
import { freeUdpPort } from '../support/daemon.js';
import { startTcpForward } from '../support/tcp-forward.js';
import { LDIRECTORD, ldirectordChecks, tslvsChecks, type LdResult, type LdVerdict, type TsResult } from '../support/ldirectord-checks.js';

type Srv = { port: number; stop(): Promise<void> };
interface Env {
  nginx: Nginx; proxy: Srv; dns: Srv; slapd: Slapd; sip: Srv; news: Srv; news503: Srv;
  postfix: Postfix; dovecot: Dovecot; ftp: PureFtpd; maria: MariaDb; pg: Postgres; radius: FreeRadius;
  hang: number; udpHang: number; refused: number; udpRefused: number;
  /** 127.0.143.1:143/993 relay to dovecot; 127.0.143.2:143/993 hang; 127.0.143.3 has nothing. */
  imapHost: string; imapHangHost: string; imapNoneHost: string;
  scripts: { external: string; perl: string; sleep: string; perlSleep: string };
}

type Up = 'up' | 'down';
type Expect = { ldirectord: LdVerdict; tslvs: Up; why?: string };
const agree = (v: Up): Expect => ({ ldirectord: v, tslvs: v });
/** A deliberate difference: both verdicts pinned, with its one-line reason (and where it is documented). */
const differ = (ldirectord: LdVerdict, tslvs: Up, why: string): Expect => ({ ldirectord, tslvs, why });

interface Case {
  service: string;
  state: string;
  /** The virtual's port (it picks ldirectord's default service) and lines of its block. */
  port: number;
  lines?: (e: Env) => string[];
  /** `ADDR:PORT [masq … "request", "receive"]`, as written on the real= line (masq added when absent). */
  real: (e: Env) => string;
  v6?: boolean;
  expect: Expect;
}

const L = '127.0.0.1';
const creds = (login: string, passwd: string) => [`login="${login}"`, `passwd="${passwd}"`];
const POP_STALL = 'Mail::POP3Client reads the greeting with a plain getline (its TIMEOUT covers the connect only): ldirectord waits for ever; tslvs stops at negotiatetimeout';

// The table: service × state. States: up, wrong receive / wrong credentials, refused (closed
// port), hang (accepts, never answers), plus what each service has beyond those.
const CASES: Case[] = [
  // http (nginx)
  { service: 'http', state: 'up', port: 80, real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'wrong receive', port: 80, lines: () => ['request="/health"', 'receive="FAIL"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('down') },
  { service: 'http', state: '503', port: 80, lines: () => ['request="/down"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('down') },
  { service: 'http', state: 'refused', port: 80, real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'http', state: 'hang', port: 80, real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  { service: 'http', state: 'receive, $ before the final newline', port: 80, lines: () => ['request="/health"', 'receive="version \\d$"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'receive, $ not before an inner newline', port: 80, lines: () => ['request="/health"', 'receive="status: OK$"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('down') },
  { service: 'http', state: 'redirect followed', port: 80, lines: () => ['request="/redirect"', 'receive="status: OK"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'redirect loop', port: 80, lines: () => ['request="/loop"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('down') },
  { service: 'http', state: 'Host is the real address', port: 80, lines: () => ['request="/host"', 'receive="^host=127\\.0\\.0\\.1$"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'Host is the real address, IPv6', port: 80, v6: true, lines: () => ['request="/host"', 'receive="^host=\\[::1\\]$"'], real: (e) => `[::1]:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'virtualhost', port: 80, lines: () => ['virtualhost=www.tslvs.test', 'receive="virtual host"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'HEAD, no receive', port: 80, lines: () => ['request="/method"', 'httpmethod=HEAD'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'http', state: 'HEAD, receive on the empty body', port: 80, lines: () => ['request="/method"', 'httpmethod=HEAD', 'receive="method"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('down') },
  { service: 'http', state: "real's own absolute request", port: 80, real: (e) => `${L}:${e.refused} masq "http://${L}:${e.nginx.httpPort}/health", "status"`, expect: agree('up') },
  { service: 'http', state: 'URL credentials', port: 80, real: (e) => `${L}:${e.nginx.httpPort} masq "http://${e.nginx.authUser}:${e.nginx.authPass}@${L}:${e.nginx.httpPort}/auth", "authorised"`, expect: agree('up') },
  { service: 'http', state: 'wrong URL credentials', port: 80, real: (e) => `${L}:${e.nginx.httpPort} masq "http://${e.nginx.authUser}:nope@${L}:${e.nginx.httpPort}/auth", "authorised"`, expect: agree('down') },
  { service: 'http', state: 'checkport', port: 80, lines: (e) => [`checkport=${e.nginx.httpPort}`], real: (e) => `${L}:${e.refused}`, expect: agree('up') },
  // https (nginx; the throw-away CA is the trust store of both sides through SSL_CERT_FILE)
  { service: 'https', state: 'up (CA-signed)', port: 443, lines: () => ['receive="hello"'], real: (e) => `${L}:${e.nginx.httpsCaPort}`, expect: agree('up') },
  { service: 'https', state: 'up, virtualhost the certificate does not name', port: 443, lines: () => ['virtualhost=other.tslvs.test'], real: (e) => `${L}:${e.nginx.httpsCaPort}`, expect: agree('up') },
  { service: 'https', state: 'wrong receive', port: 443, lines: () => ['receive="FAIL"'], real: (e) => `${L}:${e.nginx.httpsCaPort}`, expect: agree('down') },
  { service: 'https', state: 'self-signed certificate', port: 443, real: (e) => `${L}:${e.nginx.httpsSelfPort}`, expect: agree('down') },
  { service: 'https', state: 'refused', port: 443, real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'https', state: 'hang', port: 443, real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // http_proxy (tinyproxy in front of nginx)
  { service: 'http_proxy', state: 'up', port: 3128, lines: (e) => [`request="http://${L}:${e.nginx.httpPort}/health"`, 'receive="status: OK"'], real: (e) => `${L}:${e.proxy.port}`, expect: agree('up') },
  { service: 'http_proxy', state: 'wrong receive', port: 3128, lines: (e) => [`request="http://${L}:${e.nginx.httpPort}/health"`, 'receive="nope"'], real: (e) => `${L}:${e.proxy.port}`, expect: agree('down') },
  { service: 'http_proxy', state: '503 behind the proxy', port: 3128, lines: (e) => [`request="http://${L}:${e.nginx.httpPort}/down"`], real: (e) => `${L}:${e.proxy.port}`, expect: agree('down') },
  { service: 'http_proxy', state: 'refused', port: 3128, lines: (e) => [`request="http://${L}:${e.nginx.httpPort}/"`], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'http_proxy', state: 'hang', port: 3128, lines: (e) => [`request="http://${L}:${e.nginx.httpPort}/"`], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // dns (dnsmasq; a port-53 virtual is udp unless it says protocol=tcp)
  { service: 'dns', state: 'up (A)', port: 53, lines: () => ['request="www.tslvs.test"', 'receive="10\\.9\\.8\\.7"'], real: (e) => `${L}:${e.dns.port}`, expect: agree('up') },
  { service: 'dns', state: 'up (PTR, IPv4)', port: 53, lines: () => ['request="10.9.8.7"', 'receive="^www\\.tslvs\\.test$"'], real: (e) => `${L}:${e.dns.port}`, expect: agree('up') },
  { service: 'dns', state: 'up (PTR, IPv6)', port: 53, lines: () => ['request="2001:db8::53"', 'receive="v6\\.tslvs"'], real: (e) => `${L}:${e.dns.port}`, expect: agree('up') },
  { service: 'dns', state: 'wrong receive', port: 53, lines: () => ['request="www.tslvs.test"', 'receive="^1\\.2"'], real: (e) => `${L}:${e.dns.port}`, expect: agree('down') },
  { service: 'dns', state: 'no receive', port: 53, lines: () => ['request="www.tslvs.test"'], real: (e) => `${L}:${e.dns.port}`, expect: agree('down') },
  { service: 'dns', state: 'NXDOMAIN', port: 53, lines: () => ['request="nothing.tslvs.test"', 'receive="."'], real: (e) => `${L}:${e.dns.port}`, expect: agree('down') },
  { service: 'dns', state: 'refused (udp)', port: 53, lines: () => ['request="www.tslvs.test"', 'receive="."'], real: (e) => `${L}:${e.udpRefused}`, expect: agree('down') },
  { service: 'dns', state: 'hang (udp)', port: 53, lines: () => ['request="www.tslvs.test"', 'receive="."'], real: (e) => `${L}:${e.udpHang}`, expect: agree('down') },
  { service: 'dns', state: 'up (tcp)', port: 53, lines: () => ['protocol=tcp', 'request="www.tslvs.test"', 'receive="10\\.9"'], real: (e) => `${L}:${e.dns.port}`, expect: agree('up') },
  { service: 'dns', state: 'refused (tcp)', port: 53, lines: () => ['protocol=tcp', 'request="www.tslvs.test"', 'receive="."'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'dns', state: 'hang (tcp)', port: 53, lines: () => ['protocol=tcp', 'request="www.tslvs.test"', 'receive="."'], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // ldap, ldaps (slapd)
  { service: 'ldap', state: 'up (anonymous)', port: 389, lines: () => ['request="dc=tslvs,dc=test"'], real: (e) => `${L}:${e.slapd.ldapPort}`, expect: agree('up') },
  { service: 'ldap', state: 'up (bind)', port: 389, lines: (e) => ['request="dc=tslvs,dc=test"', 'receive="^dc=tslvs"', ...creds(e.slapd.rootDn, e.slapd.rootPw)], real: (e) => `${L}:${e.slapd.ldapPort}`, expect: agree('up') },
  { service: 'ldap', state: 'wrong credentials', port: 389, lines: (e) => ['request="dc=tslvs,dc=test"', ...creds(e.slapd.rootDn, 'wrong')], real: (e) => `${L}:${e.slapd.ldapPort}`, expect: agree('down') },
  { service: 'ldap', state: 'wrong receive (DN)', port: 389, lines: () => ['request="dc=tslvs,dc=test"', 'receive="^ou="'], real: (e) => `${L}:${e.slapd.ldapPort}`, expect: agree('down') },
  { service: 'ldap', state: 'missing base', port: 389, lines: () => ['request="ou=Missing,dc=tslvs,dc=test"'], real: (e) => `${L}:${e.slapd.ldapPort}`, expect: agree('down') },
  { service: 'ldap', state: 'refused', port: 389, lines: () => ['request="dc=tslvs,dc=test"'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'ldap', state: 'hang', port: 389, lines: () => ['request="dc=tslvs,dc=test"'], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  { service: 'ldaps', state: 'up (any certificate)', port: 636, lines: () => ['request="dc=tslvs,dc=test"'], real: (e) => `${L}:${e.slapd.ldapsPort}`, expect: agree('up') },
  { service: 'ldaps', state: 'refused', port: 636, lines: () => ['request="dc=tslvs,dc=test"'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'ldaps', state: 'hang', port: 636, lines: () => ['request="dc=tslvs,dc=test"'], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // nntp (leafnode)
  { service: 'nntp', state: 'up (200 greeting)', port: 119, real: (e) => `${L}:${e.news.port}`, expect: agree('up') },
  { service: 'nntp', state: '503 greeting', port: 119, real: (e) => `${L}:${e.news503.port}`, expect: agree('down') },
  { service: 'nntp', state: 'refused', port: 119, real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'nntp', state: 'hang', port: 119, real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // sip (kamailio; a 5060 virtual is tcp unless it says udp)
  { service: 'sip', state: 'up (tcp)', port: 5060, lines: () => ['login="alive@127.0.0.1"'], real: (e) => `${L}:${e.sip.port}`, expect: agree('up') },
  { service: 'sip', state: '404 (tcp)', port: 5060, lines: () => ['login="nobody@127.0.0.1"'], real: (e) => `${L}:${e.sip.port}`, expect: agree('down') },
  { service: 'sip', state: 'up (udp)', port: 5060, lines: () => ['protocol=udp', 'login="alive@127.0.0.1"'], real: (e) => `${L}:${e.sip.port}`, expect: agree('up') },
  { service: 'sip', state: '404 (udp)', port: 5060, lines: () => ['protocol=udp', 'login="nobody@127.0.0.1"'], real: (e) => `${L}:${e.sip.port}`, expect: agree('down') },
  { service: 'sip', state: 'refused (tcp)', port: 5060, lines: () => ['login="alive@127.0.0.1"'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'sip', state: 'hang (tcp)', port: 5060, lines: () => ['login="alive@127.0.0.1"'], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  { service: 'sip', state: 'hang (udp)', port: 5060, lines: () => ['protocol=udp', 'login="alive@127.0.0.1"'], real: (e) => `${L}:${e.udpHang}`, expect: agree('down') },
  // simpletcp (raw HTTP/1.0 to nginx)
  { service: 'simpletcp', state: 'up', port: 80, lines: () => ['service=simpletcp', 'request="GET /health HTTP/1.0\\nHost: x\\n\\n"', 'receive="^status: OK$"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'simpletcp', state: 'wrong receive', port: 80, lines: () => ['service=simpletcp', 'request="GET /health HTTP/1.0\\nHost: x\\n\\n"', 'receive="FAIL"'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('down') },
  { service: 'simpletcp', state: 'refused', port: 80, lines: () => ['service=simpletcp', 'request="x"', 'receive="x"'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'simpletcp', state: 'hang', port: 80, lines: () => ['service=simpletcp', 'request="x"', 'receive="x"'], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // smtp (postfix: ok, 554 greeting, 554 to EHLO and HELO)
  { service: 'smtp', state: 'up', port: 25, real: (e) => `${L}:${e.postfix.ports.ok}`, expect: agree('up') },
  { service: 'smtp', state: '554 greeting', port: 25, real: (e) => `${L}:${e.postfix.ports.rejectAll}`, expect: agree('down') },
  { service: 'smtp', state: '554 to EHLO and HELO', port: 25, real: (e) => `${L}:${e.postfix.ports.rejectHelo}`, expect: agree('down') },
  { service: 'smtp', state: 'refused', port: 25, real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'smtp', state: 'hang', port: 25, real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // imap (dovecot behind a relay on port 143: ldirectord dials 143 whatever the port, see the last row)
  { service: 'imap', state: 'up (login)', port: 143, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${e.imapHost}:143`, expect: agree('up') },
  { service: 'imap', state: 'up (greeting only)', port: 143, real: (e) => `${e.imapHost}:143`, expect: agree('up') },
  { service: 'imap', state: 'wrong credentials', port: 143, lines: (e) => creds(e.dovecot.user, 'wrong'), real: (e) => `${e.imapHost}:143`, expect: agree('down') },
  { service: 'imap', state: 'refused', port: 143, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${e.imapNoneHost}:143`, expect: agree('down') },
  { service: 'imap', state: 'hang', port: 143, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${e.imapHangHost}:143`, expect: agree('down') },
  { service: 'imap', state: 'server on another port than 143', port: 143, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.dovecot.ports.imap}`,
    expect: differ('down', 'up', 'ldirectord dials 143 for a numeric address whatever the port (CHECKS.md difference 2); tslvs uses the configured port') },
  // imaps (dovecot's self-signed certificate: both verify the chain and the address)
  { service: 'imaps', state: 'self-signed certificate', port: 993, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${e.imapHost}:993`, expect: agree('down') },
  { service: 'imaps', state: 'refused', port: 993, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${e.imapNoneHost}:993`, expect: agree('down') },
  { service: 'imaps', state: 'hang', port: 993, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${e.imapHangHost}:993`, expect: agree('down') },
  // pop, pops (dovecot)
  { service: 'pop', state: 'up (login)', port: 110, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.dovecot.ports.pop3}`, expect: agree('up') },
  { service: 'pop', state: 'up (greeting only)', port: 110, real: (e) => `${L}:${e.dovecot.ports.pop3}`, expect: agree('up') },
  { service: 'pop', state: 'wrong credentials', port: 110, lines: (e) => creds(e.dovecot.user, 'wrong'), real: (e) => `${L}:${e.dovecot.ports.pop3}`, expect: agree('down') },
  { service: 'pop', state: 'refused', port: 110, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'pop', state: 'hang', port: 110, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.hang}`, expect: differ('stalled', 'down', POP_STALL) },
  { service: 'pop', state: 'refused, no login', port: 110, real: (e) => `${L}:${e.refused}`,
    expect: differ('up', 'down', 'without a login ldirectord never looks at the connection: Mail::POP3Client->new returns an object anyway (CHECKS.md difference 1)') },
  { service: 'pop', state: 'hang, no login', port: 110, real: (e) => `${L}:${e.hang}`,
    expect: differ('stalled', 'down', POP_STALL) },
  { service: 'pops', state: 'self-signed certificate', port: 995, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.dovecot.ports.pop3s}`, expect: agree('down') },
  { service: 'pops', state: 'refused', port: 995, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'pops', state: 'hang', port: 995, lines: (e) => creds(e.dovecot.user, e.dovecot.passwd), real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // ftp (pure-ftpd; login before service= so ldirectord does not fill in anonymous)
  { service: 'ftp', state: 'up', port: 21, lines: (e) => [...creds(e.ftp.user, e.ftp.passwd), `request="${e.ftp.file}"`, 'receive="all systems nominal"'], real: (e) => `${L}:${e.ftp.port}`, expect: agree('up') },
  { service: 'ftp', state: 'wrong receive', port: 21, lines: (e) => [...creds(e.ftp.user, e.ftp.passwd), `request="${e.ftp.file}"`, 'receive="FAIL"'], real: (e) => `${L}:${e.ftp.port}`, expect: agree('down') },
  { service: 'ftp', state: 'wrong credentials', port: 21, lines: (e) => [...creds(e.ftp.user, 'wrong'), `request="${e.ftp.file}"`, 'receive="all systems nominal"'], real: (e) => `${L}:${e.ftp.port}`, expect: agree('down') },
  { service: 'ftp', state: 'refused', port: 21, lines: (e) => [...creds(e.ftp.user, e.ftp.passwd), `request="${e.ftp.file}"`, 'receive="nominal"'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'ftp', state: 'hang', port: 21, lines: (e) => [...creds(e.ftp.user, e.ftp.passwd), `request="${e.ftp.file}"`, 'receive="nominal"'], real: (e) => `${L}:${e.hang}`, expect: agree('down') },
  // mysql (mariadb), pgsql (postgresql)
  ...(['mysql', 'pgsql'] as const).flatMap((svc): Case[] => {
    const port = svc === 'mysql' ? 3306 : 5432;
    const db = (e: Env) => (svc === 'mysql' ? e.maria : e.pg);
    const lines = (passwd: (e: Env) => string, where = 1) => (e: Env) => [
      ...creds(db(e).user, passwd(e)), `database="${db(e).database}"`, `request="SELECT name FROM real_status WHERE enabled = ${where}"`];
    return [
      { service: svc, state: 'up', port, lines: lines((e) => db(e).passwd), real: (e) => `${L}:${db(e).port}`, expect: agree('up') },
      { service: svc, state: 'no rows', port, lines: lines((e) => db(e).passwd, 7), real: (e) => `${L}:${db(e).port}`, expect: agree('down') },
      { service: svc, state: 'wrong credentials', port, lines: lines(() => 'wrong'), real: (e) => `${L}:${db(e).port}`, expect: agree('down') },
      { service: svc, state: 'refused', port, lines: lines((e) => db(e).passwd), real: (e) => `${L}:${e.refused}`, expect: agree('down') },
      { service: svc, state: 'hang', port, lines: lines((e) => db(e).passwd), real: (e) => `${L}:${e.hang}`,
        expect: differ('stalled', 'down', 'ldirectord gives sql checks no timeout: DBI->connect waits for ever (CHECKS.md difference 5); tslvs stops at negotiatetimeout') },
    ];
  }),
  // radius (freeradius)
  { service: 'radius', state: 'up (Access-Accept)', port: 1812, lines: (e) => [...creds(e.radius.user, e.radius.passwd), `secret="${e.radius.secret}"`], real: (e) => `${L}:${e.radius.port}`, expect: agree('up') },
  { service: 'radius', state: 'wrong credentials (Access-Reject)', port: 1812, lines: (e) => [...creds(e.radius.user, 'wrong'), `secret="${e.radius.secret}"`], real: (e) => `${L}:${e.radius.port}`, expect: agree('down') },
  { service: 'radius', state: 'wrong secret', port: 1812, lines: (e) => [...creds(e.radius.user, e.radius.passwd), 'secret="not-the-secret"'], real: (e) => `${L}:${e.radius.port}`, expect: agree('down') },
  { service: 'radius', state: 'refused (udp)', port: 1812, lines: (e) => [...creds(e.radius.user, e.radius.passwd), `secret="${e.radius.secret}"`], real: (e) => `${L}:${e.udpRefused}`, expect: agree('down') },
  { service: 'radius', state: 'hang (udp)', port: 1812, lines: (e) => [...creds(e.radius.user, e.radius.passwd), `secret="${e.radius.secret}"`], real: (e) => `${L}:${e.udpHang}`, expect: agree('down') },
  // checktype connect / ping / external / external-perl, service none
  { service: 'connect', state: 'up', port: 80, lines: () => ['checktype=connect'], real: (e) => `${L}:${e.nginx.httpPort}`, expect: agree('up') },
  { service: 'connect', state: 'refused', port: 80, lines: () => ['checktype=connect'], real: (e) => `${L}:${e.refused}`, expect: agree('down') },
  { service: 'connect', state: 'hang (accepts: up)', port: 80, lines: () => ['checktype=connect'], real: (e) => `${L}:${e.hang}`, expect: agree('up') },
  { service: 'ping', state: 'up (127.0.0.1)', port: 80, lines: () => ['checktype=ping'], real: () => L, expect: agree('up') },
  { service: 'ping', state: 'up (::1)', port: 80, v6: true, lines: () => ['checktype=ping'], real: () => '[::1]',
    expect: differ('down', 'up', 'ldirectord opens Net::Ping with proto "icmp", which is IPv4 only: every IPv6 real is down under checktype=ping; tslvs pings it (iputils ping)') },
  { service: 'external', state: 'up (exit 0 on the expected argv)', port: 80, lines: (e) => ['checktype=external', `checkcommand="${e.scripts.external}"`], real: () => `${L}:8080`, expect: agree('up') },
  { service: 'external', state: 'down (exit 1)', port: 80, lines: (e) => ['checktype=external', `checkcommand="${e.scripts.external}"`], real: () => `${L}:8081`, expect: agree('down') },
  { service: 'external', state: 'hang (killed at checktimeout)', port: 80, lines: (e) => ['checktype=external', `checkcommand="${e.scripts.sleep}"`], real: () => `${L}:8080`, expect: agree('down') },
  { service: 'external', state: 'missing command', port: 80, lines: () => ['checktype=external', 'checkcommand="/nonexistent/check"'], real: () => `${L}:8080`, expect: agree('down') },
  { service: 'external-perl', state: 'up (exit 0)', port: 80, lines: (e) => ['checktype=external-perl', `checkcommand="${e.scripts.perl}"`], real: () => `${L}:8080`, expect: agree('up') },
  { service: 'external-perl', state: 'down (exit 1)', port: 80, lines: (e) => ['checktype=external-perl', `checkcommand="${e.scripts.perl}"`], real: () => `${L}:8081`, expect: agree('down') },
  { service: 'external-perl', state: 'hang (alarm at checktimeout)', port: 80, lines: (e) => ['checktype=external-perl', `checkcommand="${e.scripts.perlSleep}"`], real: () => `${L}:8080`, expect: agree('down') },
  { service: 'none', state: 'refused (no check: up)', port: 8080, real: (e) => `${L}:${e.refused}`, expect: agree('up') },
];

/** One ldirectord.cf: a virtual per case (each on its own address), its one real. */
function configText(env: Env): string {
  const out = ['# generated by test/checks/vs-ldirectord-checks.test.ts', 'checktimeout=2', 'negotiatetimeout=2', ''];
  CASES.forEach((c, i) => {
    const vip = c.v6 ? `[2001:db8::${(i + 1).toString(16)}]` : `127.3.${Math.floor(i / 200)}.${(i % 200) + 1}`;
    const six = c.v6 ? '6' : '';
    let real = c.real(env);
    if (!/\s(masq|gate|ipip)\b/.test(real)) real = real.replace(/^(\S+)/, '$1 masq');
    out.push(`# ${c.service}: ${c.state}`, `virtual${six}=${vip}:${c.port}`, ...(c.lines?.(env) ?? []).map((l) => `\t${l}`), `\treal${six}=${real}`, '');
  });
  return out.join('\n');
}

const HAVE_LDIRECTORD = fs.existsSync(LDIRECTORD);
if (!HAVE_LDIRECTORD) {
  console.warn(`SKIPPED test/checks/vs-ldirectord-checks.test.ts: ${LDIRECTORD} is missing (bash scripts/deps/ldirectord.sh installs it)`);
}
const suite = HAVE_LDIRECTORD ? describe : describe.skip;

let env: Env | undefined;
const stops: Array<() => Promise<unknown>> = [];
let dir = '';
let ld: LdResult[] = [];
let ts: TsResult[] = [];
/** Secrets of the run: kept out of the printed table and messages. */
let secrets: string[] = [];

async function startAll(): Promise<Env> {
  // Whatever did start is stopped in afterAll, even when a later one fails.
  const started = <T extends object>(p: Promise<T>, stop: (s: T) => Promise<unknown>): Promise<T> =>
    p.then((s) => { stops.push(() => stop(s)); return s; });
  const stopSrv = (s: { stop(): Promise<void> }) => s.stop();
  const close = (s: { close(): Promise<void> }) => s.close();
  // These starters one after the other: their run() helper (foreground.ts) has no error handler
  // on the child's stdin, so under load a fast-exiting openssl can raise an uncaught EPIPE.
  const nginx = await started(startNginx(), stopSrv);
  const proxy = await started(startTinyproxy(), stopSrv);
  const dns = await started(startDnsmasq(), stopSrv);
  const slapd = await started(startSlapd(nginx.certs), stopSrv);
  const sip = await started(startKamailio(), stopSrv);
  const news = await started(startLeafnode('nntp.tslvs-checks.org'), stopSrv);
  const news503 = await started(startLeafnode('news.example.org'), stopSrv);
  const results = await Promise.allSettled([
    started(startPostfix(), stopSrv), started(startDovecot(), stopSrv), started(startPureFtpd(), stopSrv),
    started(startMariaDb(), stopSrv), started(startPostgres(), stopSrv), started(startFreeRadius(), stopSrv),
    started(startHangServer(L), close), started(startUdpHangServer(L), close),
  ] as const);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) throw new Error(`could not start the real servers:\n${failed.map((f) => String(f.reason)).join('\n')}`);
  const [postfix, dovecot, ftp, maria, pg, radius, hang, udpHang] = results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as
    [Postfix, Dovecot, PureFtpd, MariaDb, Postgres, FreeRadius, { port: number }, { port: number }];
  const imapHost = '127.0.143.1';
  const imapHangHost = '127.0.143.2';
  for (const [port, to] of [[143, dovecot.ports.imap], [993, dovecot.ports.imaps]] as const) {
    await started(startTcpForward(imapHost, port, { host: L, port: to }), close);
    await started(startHangServer(imapHangHost, port), close);
  }
  const scripts = {
    external: path.join(dir, 'external.sh'), perl: path.join(dir, 'check.pl'),
    sleep: path.join(dir, 'sleep.sh'), perlSleep: path.join(dir, 'sleep.pl'),
  };
  // VIP differs per case; VPORT RIP RPORT are checked.
  fs.writeFileSync(scripts.external, '#!/bin/sh\n[ "$2 $3 $4" = "80 127.0.0.1 8080" ]\n', { mode: 0o755 });
  fs.writeFileSync(scripts.perl, 'exit($ARGV[3] == 8080 ? 0 : 1);\n');
  fs.writeFileSync(scripts.sleep, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  fs.writeFileSync(scripts.perlSleep, 'sleep 30; exit 0;\n');
  return {
    nginx, proxy, dns, slapd, sip, news, news503, postfix, dovecot, ftp, maria, pg, radius,
    hang: hang.port, udpHang: udpHang.port, refused: await freePort(), udpRefused: await freeUdpPort(),
    imapHost, imapHangHost, imapNoneHost: '127.0.143.3', scripts,
  };
}

/** ldirectord checks still running after this long are killed and reported as stalled. */
const LIMIT_SECONDS = 15;
const verdictOf = (r: TsResult): Up => (r.up ? 'up' : 'down');
const hide = (text: string) => secrets.reduce((t, s) => (s ? t.split(s).join('********') : t), text);

/** The agreement table as markdown (printed by scripts/compat/checks-vs-ldirectord.sh). */
function table(): string {
  const rows = CASES.map((c, i) => {
    const l = ld[i]!;
    const t = verdictOf(ts[i]!);
    const ldText = l.verdict === 'none' ? 'no verdict (keeps previous state)' : l.verdict === 'stalled' ? `no verdict, still waiting after ${LIMIT_SECONDS} s` : l.verdict;
    const same = l.verdict === t;
    const matches = l.verdict === c.expect.ldirectord && t === c.expect.tslvs;
    const agreeText = same ? 'yes' : c.expect.why && matches ? 'no, deliberate' : '**NO (unexpected)**';
    return `| ${c.service} | ${c.state} | ${ldText} | ${t} | ${agreeText} |`;
  });
  return ['| service | state | ldirectord 4.12 | tslvs | agree? |', '|---|---|---|---|---|', ...rows].join('\n');
}

suite('tslvs and ldirectord 4.12 agree up/down on the same real servers', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-vs-ldirectord-'));
    env = await startAll();
    secrets = [env.slapd.rootPw, env.dovecot.passwd, env.ftp.passwd, env.maria.passwd, env.pg.passwd, env.radius.passwd, env.radius.secret, env.nginx.authPass];
    const cfg = path.join(dir, 'checks.cf');
    const text = configText(env);
    fs.writeFileSync(cfg, text, { encoding: 'latin1' });
    // The CA that signed nginx's https certificate is the whole trust store of both sides.
    const ca = env.nginx.certs.caCert;
    ld = await ldirectordChecks(cfg, { parallel: 16, limitSeconds: LIMIT_SECONDS, env: { SSL_CERT_FILE: ca } })
      .catch((err: Error) => { throw new Error(hide(err.message)); });
    const saved = process.env.SSL_CERT_FILE;
    process.env.SSL_CERT_FILE = ca;
    try {
      ts = await tslvsChecks(text, cfg);
    } finally {
      if (saved === undefined) delete process.env.SSL_CERT_FILE; else process.env.SSL_CERT_FILE = saved;
    }
  }, 180000);

  afterAll(async () => {
    if (process.env.CHECKS_AGREEMENT_OUT && ld.length === CASES.length && ts.length === CASES.length) {
      fs.writeFileSync(process.env.CHECKS_AGREEMENT_OUT, `${table()}\n`);
    }
    await Promise.allSettled(stops.reverse().map((s) => s()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ran every case on both sides, on the same virtual and real', () => {
    expect(ld).toHaveLength(CASES.length);
    expect(ts).toHaveLength(CASES.length);
    expect(ts.map((t) => [t.virtual, t.real])).toEqual(ld.map((l) => [l.virtual, l.real]));
  });

  it.each(CASES.map((c, i) => [`${c.service}: ${c.state}`, i] as const))('%s', (_name, i) => {
    const c = CASES[i]!;
    const l = ld[i]!;
    const t = ts[i]!;
    const got = { ldirectord: l.verdict, tslvs: verdictOf(t) };
    const want = { ldirectord: c.expect.ldirectord, tslvs: c.expect.tslvs };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      // The evidence, secrets masked: what each side said.
      console.log(hide(`${c.service}: ${c.state}\n  ldirectord (${l.ms} ms): ${JSON.stringify(l.calls)}\n  tslvs (${t.ms} ms): ${t.message}`));
    }
    expect(got).toEqual(want);
  });
});
