// service=dns: ldirectord's check_dns (Net::DNS) asks RIP:checkport for `request` (a leading "/"
// stripped). As Net::DNS does, an IP-shaped request becomes a PTR query for its reverse name
// (in-addr.arpa / ip6.arpa), anything else an A query. Up when an answer's address (A) or
// name (PTR) matches `receive` as a Perl regex; an empty receive never matches (ldirectord
// requires length($recstr)). No answer, NXDOMAIN, refused or a timeout: down.
// Timeout: negotiatetimeout. Transport as ldirectord: TCP only (Net::DNS usevc) when the
// virtual's protocol is tcp - a small wire client (util/dns-tcp.ts), since Node's resolver
// cannot be forced to TCP - else UDP through node:dns's Resolver pointed at RIP:port (c-ares
// falls back to TCP on a truncated answer, as Net::DNS does).
// Reads: timeoutMs, request, receive.
import net from 'node:net';
import { promises as dnsp } from 'node:dns';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';
import { perlRegex } from './util/perl-regex.js';
import { untilAbort } from './util/deadline.js';
import { queryTcp } from './util/dns-tcp.js';

/** The question ldirectord's Net::DNS asks for a request string. */
export function dnsQuestion(request: string | undefined): { type: 'A' | 'PTR'; name: string } {
  const name = (request ?? '/').replace(/^\//, '');
  if (net.isIPv4(name)) return { type: 'PTR', name: `${name.split('.').reverse().join('.')}.in-addr.arpa` };
  // Net::DNS maps an IPv4-mapped IPv6 address into in-addr.arpa.
  const mapped = /^[:0]*:0*:ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(name);
  if (mapped && net.isIPv4(mapped[1]!)) return dnsQuestion(mapped[1]);
  if (net.isIPv6(name)) {
    const hex = expandV6(name).replace(/:/g, '');
    return { type: 'PTR', name: `${hex.split('').reverse().join('.')}.ip6.arpa` };
  }
  return { type: 'A', name };
}

function expandV6(addr: string): string {
  let a = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    a = a.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0').toLowerCase()).join(':');
}

const REASONS: Record<string, string> = {
  ENOTFOUND: 'no such name (NXDOMAIN)', ENODATA: 'no answer', ECONNREFUSED: 'connection refused',
  ETIMEOUT: 'timed out', EREFUSED: 'query refused', ESERVFAIL: 'server failure', EBADRESP: 'bad response',
  ECANCELLED: 'timed out',
};

export const checkDns: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const q = dnsQuestion(options.request);
  const tcp = target.virtual.protocol === 'tcp';
  const where = `DNS ${q.type} ${q.name} @${hostPort(target.address, target.port)}${tcp ? ' over TCP' : ''}`;
  if (!options.receive) {
    return result(elapsed, false, `${where}: no receive string configured (ldirectord never calls a dns real up without one)`);
  }
  const r = perlRegex(options.receive);
  if (!r.ok) return result(elapsed, false, `${where}: ${r.error}`);
  if (signal.aborted) return result(elapsed, false, `${where}: timed out`);
  const judge = (answers: string[]) => {
    const hit = answers.find((a) => r.re.test(a));
    if (hit) return result(elapsed, true, `${where}: answer ${hit} matches /${options.receive}/`);
    return result(elapsed, false, `${where}: answers [${answers.join(', ')}] do not match /${options.receive}/`);
  };
  if (tcp) {
    try {
      return judge(await queryTcp(target.address, target.port, q.name, q.type, signal));
    } catch (err) {
      return result(elapsed, false, `${where}: ${describeError(err, signal)}`);
    }
  }

  // Retries inside the deadline: UDP may lose a packet; the deadline still bounds the whole.
  const resolver = new dnsp.Resolver({ timeout: Math.max(100, Math.floor(options.timeoutMs / 3)), tries: 3 });
  resolver.setServers([hostPort(target.address, target.port)]);
  const onAbort = () => resolver.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const answers = await untilAbort(q.type === 'A' ? resolver.resolve4(q.name) : resolver.resolvePtr(q.name), signal);
    return judge(answers);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return result(elapsed, false, `${where}: ${signal.aborted ? 'timed out' : (REASONS[code] ?? (err as Error).message)}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    resolver.cancel();
  }
});
