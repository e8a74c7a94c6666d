// service=http, https and http_proxy: ldirectord's check_http (LWP::UserAgent).
//
// What ldirectord does, and we do:
// - URL: `request` (a leading "/" stripped) below SCHEME://RIP:checkport/, SCHEME http or https.
//   A request that already contains "SCHEME://" is used as the whole URL (ldirectord does this
//   for a per-real request; tslvs, which gets one resolved request, does it for both - see
//   docs/CHECKS-A.md). Credentials in such a URL are sent as Basic auth (LWP does) and never
//   appear in a message.
// - Host header: `virtualhost` if set, else the real server's address (IPv6 in brackets), no
//   port - even for an absolute URL. http_proxy sends no explicit Host (the proxied URL's).
// - http_proxy: RIP:checkport is the proxy; the absolute request URL is fetched through it
//   with an absolute-form request line (plain HTTP proxying, no CONNECT), as LWP's $ua->proxy.
// - Method `httpmethod` (GET or HEAD). Redirects are followed for GET/HEAD, up to 7 (LWP's
//   defaults); the Host override applies to the first hop only (LWP drops it on redirect).
// - Up when the final status is 2xx and either `receive` is empty or the body matches it as a
//   Perl regex (on the raw bytes). HEAD has an empty body.
// - Timeout: ldirectord uses negotiatetimeout as one alarm around the whole request.
// - TLS: tlsVerify 'chain' (default, as Debian's ldirectord: chain checked, name not), 'full',
//   'none'. SNI is the virtualhost when it is a name (ldirectord sends none for an IP URL).
// Reads: service, timeoutMs, request, receive, virtualhost, httpmethod, tlsVerify.
import { STATUS_CODES } from 'node:http';
import { Agent } from 'undici';
import type { CheckFn, CheckOptions, CheckTarget } from './types.js';
import { describeError, hostPort, result, startTimer } from './util/result.js';
import { perlRegex, latin1 } from './util/a-perl-regex.js';
import { describeTlsError, tlsOptionsFor } from './util/a-trust.js';
import { redact, withRedaction } from './util/a-redact.js';
import { untilAbort } from './util/a-deadline.js';

const MAX_REDIRECTS = 7;
const MAX_BODY = 4 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

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

async function readBody(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY) break; // enough to match on; the rest is not read
  }
  return Buffer.concat(parts);
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
  const agent = sharedAgent(options.tlsVerify);
  let url = plan.url;
  const what = () => `HTTP ${method} ${shown(url)}${plan.proxy ? ` via proxy ${hostPort(plan.proxy.host, plan.proxy.port)}` : ''}`;
  const done = (up: boolean, why: string) => result(elapsed, up, redact(`${what()}: ${why}`, secrets));
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': 'tslvs (ldirectord-compatible health check)' };
      if (!plan.proxy && hop === 0) headers.host = options.virtualhost || (target.address.includes(':') ? `[${target.address}]` : target.address);
      if (url.username || url.password) {
        const user = decodeURIComponent(url.username);
        const pass = decodeURIComponent(url.password);
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      }
      const bare = new URL(url.href);
      bare.username = '';
      bare.password = '';
      const res = await untilAbort(agent.request({
        origin: plan.proxy ? `http://${hostPort(plan.proxy.host, plan.proxy.port)}` : bare.origin,
        path: plan.proxy ? bare.href : `${bare.pathname}${bare.search}`,
        // A new connection per check, closed after it (as LWP): a server that stops accepting
        // connections must not pass on an old keep-alive one.
        method, headers, signal, reset: true,
      }), signal);
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode) && typeof location === 'string' && hop < MAX_REDIRECTS) {
        res.body.resume();
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return done(false, `${statusLine(res.statusCode)}, redirect to unsupported ${next.protocol}`);
        }
        url = next;
        continue;
      }
      const body = method === 'HEAD' ? Buffer.alloc(0) : await untilAbort(readBody(res.body), signal);
      if (method === 'HEAD') res.body.resume();
      const status = statusLine(res.statusCode);
      if (res.statusCode < 200 || res.statusCode > 299) return done(false, status);
      if (receive && !receive.test(latin1(body))) {
        return done(false, `${status}, but receive /${options.receive}/ not found in the ${body.length}-byte body`);
      }
      return done(true, status);
    }
  } catch (err) {
    return done(false, signal.aborted ? 'timed out' : (describeTlsError(err) ?? describeError(err, signal)));
  }
});

/**
 * One dispatcher per TLS policy, shared by every check: building and destroying an Agent per
 * probe cost most of a 10,000-real round (profiled: allocation, GC, destroy errors). Requests
 * use `reset`, so no connection outlives its check; the agent drops an origin when its last
 * connection closes. Deadlines come from each request's signal, not the agent.
 */
const agents = new Map<string, { cas: unknown; agent: Agent }>();

function sharedAgent(policy: CheckOptions['tlsVerify']): Agent {
  const tlsOpts = tlsOptionsFor(policy);
  const cas = 'ca' in tlsOpts ? tlsOpts.ca : undefined;
  const known = agents.get(policy);
  if (known && known.cas === cas) return known.agent;
  // The trust store changed on disk: new checks use a new agent; the old one closes when idle.
  void known?.agent.close().catch(() => undefined);
  const agent = new Agent({ connect: { ...tlsOpts, timeout: 60_000 }, pipelining: 1, connections: null });
  agents.set(policy, { cas, agent });
  return agent;
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
