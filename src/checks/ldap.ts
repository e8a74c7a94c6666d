// service=ldap and ldaps: ldirectord's check_ldap (Net::LDAP). Connect to RIP:checkport
// (ldaps: TLS from the start), bind as `login` with `passwd` when both are set, else an
// anonymous bind; a failed bind is down ("bind failed"). Then a base-scope search of
// `request` without its leading "/" for (objectClass=*): exactly one entry is required, and when
// `receive` is set the entry's DN must match it as a Perl regex.
// Timeout: ldirectord arms checktimeout around the whole and gives Net::LDAP negotiatetimeout
// for the connection; tslvs bounds everything by timeoutMs.
// TLS: Net::LDAP's ldaps default is verify => 'none' (any certificate); tslvs applies
// `tlsVerify` as given (see docs/CHECKS.md on the default).
// Reads: service, timeoutMs, request, receive, login, passwd (never shown), tlsVerify.
import type net from 'node:net';
import { Client } from 'ldapts';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';
import { perlRegex } from './util/perl-regex.js';
import { describeTlsError, tlsOptionsFor } from './util/trust.js';
import { untilAbort } from './util/deadline.js';

export const checkLdap: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const scheme = options.service === 'ldaps' ? 'ldaps' : 'ldap';
  // Config strings are bytes (latin1); ldapts encodes JS strings as UTF-8, so decode first.
  const utf8 = (bytes: string) => Buffer.from(bytes, 'latin1').toString('utf8');
  const base = utf8((options.request ?? '/').replace(/^\//, ''));
  const where = `${scheme.toUpperCase()} ${hostPort(target.address, target.port)} base "${base}"`;
  const done = (up: boolean, why: string) => result(elapsed, up, `${where}: ${why}`);
  let receive: RegExp | null = null;
  if (options.receive) {
    const r = perlRegex(options.receive);
    if (!r.ok) return done(false, r.error);
    receive = r.re;
  }
  if (signal.aborted) return done(false, 'timed out');
  const client = new Client({
    url: `${scheme}://${hostPort(target.address, target.port)}`,
    timeout: options.timeoutMs,
    connectTimeout: options.timeoutMs,
    strictDN: false,
    tlsOptions: scheme === 'ldaps' ? tlsOptionsFor(options.tlsVerify) : undefined,
  });
  // ldapts has no AbortSignal: at the deadline close its socket ourselves.
  const onAbort = () => {
    (client as unknown as { socket?: net.Socket }).socket?.destroy();
    client.unbind().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let step = 'connect';
  try {
    const auth = Boolean(options.login && options.passwd);
    step = auth ? `bind as ${options.login}` : 'anonymous bind';
    try {
      await untilAbort(auth ? client.bind(utf8(options.login!), utf8(options.passwd!)) : client.bind('', ''), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // A rejected bind has an LDAP result code (a number); a socket error has an errno string.
      if (typeof code === 'number') return done(false, `${step} failed: ${(err as Error).message}`);
      throw err;
    }
    step = 'search';
    let entries: Array<{ dn: string }>;
    try {
      ({ searchEntries: entries } = await untilAbort(client.search(base, { scope: 'base', filter: '(objectClass=*)' }), signal));
    } catch (err) {
      if (signal.aborted || typeof (err as NodeJS.ErrnoException).code !== 'number') throw err;
      return done(false, `search failed: ${(err as Error).message}`);
    }
    if (entries.length !== 1) return done(false, `search returned ${entries.length} entries, expected 1`);
    const dn = entries[0]!.dn;
    if (receive && !receive.test(Buffer.from(dn, 'utf8').toString('latin1'))) {
      return done(false, `entry "${dn}" does not match /${options.receive}/`);
    }
    return done(true, `entry "${dn}" found`);
  } catch (err) {
    return done(false, `${step}: ${signal.aborted ? 'timed out' : (describeTlsError(err) ?? describeError(err, signal))}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.unbind().catch(() => undefined);
    (client as unknown as { socket?: net.Socket }).socket?.destroy();
  }
});
