// service=http, https and http_proxy: ldirectord's check_http (LWP::UserAgent).
//
// What ldirectord does, and we do:
// - URL: `request` (a leading "/" stripped) below SCHEME://RIP:checkport/, SCHEME http or https.
//   A request that already contains "SCHEME://" is used as the whole URL (ldirectord does this
//   for a per-real request; tslvs, which gets one resolved request, does it for both - see
//   docs/CHECKS.md). Credentials in such a URL are sent as Basic auth (LWP does) and never
//   appear in a message.
// - Host header: `virtualhost` if set, else the real server's address (IPv6 in brackets), no
//   port - even for an absolute URL. http_proxy sends the proxied URL's host.
// - http_proxy: RIP:checkport is the proxy; the absolute request URL is fetched through it
//   with an absolute-form request line (plain HTTP proxying, no CONNECT), as LWP's $ua->proxy.
// - Method `httpmethod` (GET or HEAD). Redirects are followed for GET/HEAD, up to 7 (LWP's
//   defaults); the Host override applies to the first hop only (LWP drops it on redirect).
// - Up when the final status is 2xx and either `receive` is empty or the body matches it as a
//   Perl regex (on the raw bytes). HEAD has an empty body.
// - Timeout: ldirectord uses negotiatetimeout as one alarm around the whole request.
// - TLS: tlsVerify 'chain' (default, as Debian's ldirectord: chain checked, name not), 'full',
//   'none'. SNI is the virtualhost when it is a name (ldirectord sends none for an IP URL).
// - Client: node:http(s), one connection per check (see plainConnection).
// Reads: service, timeoutMs, request, receive, virtualhost, httpmethod, tlsVerify.
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import { bracketed } from '../ipvs/keys.js';
import type { CheckFn, CheckOptions, CheckTarget } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';
import { redact } from '../log/redact.js';
import { perlRegex, latin1 } from './util/perl-regex.js';
import { describeTlsError, tlsOptionsFor } from './util/trust.js';

const MAX_REDIRECTS = 7;
const MAX_BODY = 4 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NO_BODY = Buffer.alloc(0);
const USER_AGENT = 'tslvs (ldirectord-compatible health check)';

interface Plan { url: URL; proxy?: { host: string; port: number } }

/** Where ldirectord sends the request, or why it cannot. */
export function httpPlan(target: CheckTarget, options: Pick<CheckOptions, 'service' | 'request'>): Plan | string {
  const scheme = options.service === 'https' ? 'https' : 'http';
  const request = options.request ?? '/';
  // Config strings are bytes (latin1): send non-ASCII bytes percent-encoded, as LWP's URI does.
  const uri = request.replace(/^\//, '').replace(/[\x80-\xff]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const absolute = request.includes(`${scheme}://`);
  if (options.service === 'http_proxy') {
    if (!absolute) return `http_proxy needs an absolute http:// request, got "${request}"`;
    return { url: new URL(uri), proxy: { host: target.address, port: target.port } };
  }
  if (absolute) return { url: new URL(uri) };
  return { url: new URL(`${scheme}://${hostPort(target.address, target.port)}/${uri}`) };
}

/** The URL as it may appear in a message: no password. */
function shown(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '';
  return copy.href;
}

function statusLine(code: number): string {
  return `${code} ${STATUS_CODES[code] ?? ''}`.trim();
}

/** "[::1]" for an IPv6 literal as URL.hostname gives it; node:http wants the bare address. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

interface Reply { status: number; location: string | undefined; body: Buffer }

/**
 * One request and its answer over a connection of its own, closed afterwards (as LWP does: a
 * server that stops accepting connections must not pass on an old keep-alive one). The abort
 * signal destroys the socket at once, so a hung server holds nothing past the deadline.
 */
function exchange(options: https.RequestOptions, secure: boolean, wantBody: boolean, signal: AbortSignal): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    if (signal.aborted) { reject(new Error('timed out')); return; }
    const req = (secure ? https : http).request(options);
    let settled = false;
    const settle = (err: Error | null, reply?: Reply) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      if (err) reject(err); else resolve(reply!);
    };
    const onAbort = () => settle(new Error('timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => settle(err));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
      if (!wantBody) { settle(null, { status, location, body: NO_BODY }); return; }
      const parts: Buffer[] = [];
      let size = 0;
      const done = () => settle(null, { status, location, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size) });
      res.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        size += chunk.length;
        if (size >= MAX_BODY) done(); // enough to match on; the rest is not read
      });
      res.on('end', done);
      res.on('error', (err) => settle(err));
    });
    req.end();
  });
}

export const checkHttp: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const plan = httpPlan(target, options);
  if (typeof plan === 'string') return result(elapsed, false, plan);
  const secrets = [options.passwd, options.secret, plan.url.password ? decodeURIComponent(plan.url.password) : undefined];
  const method = options.httpmethod === 'HEAD' ? 'HEAD' : 'GET';
  let receive: RegExp | null = null;
  if (options.receive) {
    const r = compiledReceive(options.receive);
    if (!r.ok) return result(elapsed, false, r.error);
    receive = r.re;
  }
  let url = plan.url;
  const what = () => `HTTP ${method} ${shown(url)}${plan.proxy ? ` via proxy ${hostPort(plan.proxy.host, plan.proxy.port)}` : ''}`;
  const done = (up: boolean, why: string) => result(elapsed, up, redact(`${what()}: ${why}`, secrets));
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      // Host: virtualhost, else the address without port, on the first hop only (LWP drops the
      // override on redirects); through a proxy, the proxied URL's host, as LWP sends it.
      if (plan.proxy) headers.host = url.host;
      else if (hop === 0) headers.host = options.virtualhost || bracketed(target.address);
      else headers.host = url.host;
      if (url.username || url.password) {
        const user = decodeURIComponent(url.username);
        const pass = decodeURIComponent(url.password);
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      }
      const secure = !plan.proxy && url.protocol === 'https:';
      const path = `${url.pathname}${url.search}`;
      const request: https.RequestOptions = plan.proxy
        ? {
          host: plan.proxy.host, port: plan.proxy.port, path: `${url.protocol}//${url.host}${path}`, method, headers,
          createConnection: plainConnection,
        }
        : {
          host: bareHost(url.hostname), port: url.port || (secure ? 443 : 80), path, method, headers,
          createConnection: secure ? tlsConnection(options.tlsVerify) : plainConnection,
        };
      // SNI and the 'full' identity check use the name the request is for: virtualhost when it
      // is a name (first hop), else the URL's host name; none for an address (ldirectord sends none).
      if (secure) {
        const name = hop === 0 && options.virtualhost ? options.virtualhost.replace(/:\d+$/, '') : bareHost(url.hostname);
        request.servername = isIP(name) ? '' : name;
      }
      const res = await exchange(request, secure, method !== 'HEAD', signal);
      if (REDIRECTS.has(res.status) && res.location !== undefined && hop < MAX_REDIRECTS) {
        const next = new URL(res.location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return done(false, `${statusLine(res.status)}, redirect to unsupported ${next.protocol}`);
        }
        url = next;
        continue;
      }
      const status = statusLine(res.status);
      if (res.status < 200 || res.status > 299) return done(false, status);
      if (receive && !receive.test(latin1(res.body))) {
        return done(false, `${status}, but receive /${options.receive}/ not found in the ${res.body.length}-byte body`);
      }
      return done(true, status);
    }
  } catch (err) {
    return done(false, signal.aborted ? 'timed out' : (describeTlsError(err) ?? describeError(err, signal)));
  }
});

/**
 * Connections come from these functions, not from an Agent: no request has an agent, so node
 * sends "Connection: close" and the socket is the request's own, closed after it, as LWP's
 * are (a keep-alive pool would let a server that stopped accepting pass on an old connection).
 * No agent also means no per-origin bookkeeping: with 10,000 origins that was 6 % of the CPU,
 * and undici cost 40 % more per check than this (docs/PERFORMANCE.md).
 * TLS: one SecureContext per policy and CA bundle, not one per connection (each would parse the
 * whole bundle again); no session is ever resumed, so every https check does a full handshake
 * with full verification (a resumed session skips the identity check).
 */
type Connect = NonNullable<http.RequestOptions['createConnection']>;

const plainConnection: Connect = (opts) => net.connect(opts as net.NetConnectOpts);

const tlsConnections = new Map<string, { cas: unknown; connect: Connect }>();

function tlsConnection(policy: CheckOptions['tlsVerify']): Connect {
  const tlsOpts = tlsOptionsFor(policy);
  const cas = 'ca' in tlsOpts ? tlsOpts.ca : undefined;
  const known = tlsConnections.get(policy);
  if (known && known.cas === cas) return known.connect;
  // First use, or the trust store changed on disk: a new context for the checks from now on.
  const { ca, ...rest } = tlsOpts;
  const secureContext = tls.createSecureContext(ca ? { ca } : {});
  const connect: Connect = (opts) => tls.connect({ ...(opts as tls.ConnectionOptions), ...rest, secureContext });
  tlsConnections.set(policy, { cas, connect });
  return connect;
}

/** `receive` compiled once per distinct text (every real of a virtual shares it). */
const receiveCache = new Map<string, ReturnType<typeof perlRegex>>();

function compiledReceive(text: string): ReturnType<typeof perlRegex> {
  let r = receiveCache.get(text);
  if (!r) {
    if (receiveCache.size >= 10_000) receiveCache.clear();
    r = perlRegex(text);
    receiveCache.set(text, r);
  }
  return r;
}
