// radius negotiate check, after ldirectord's check_radius (Authen::Radius->check_pwd): one
// Access-Request over UDP with User-Name = `login`, User-Password = `passwd` hidden with `secret`
// (RFC 2865 §5.2) and NAS-IP-Address = our socket's local address; no retransmission.
// ldirectord's verdict: check_pwd returns `defined($rcv) and $rcv == ACCESS_ACCEPT`, which is ""
// for a reject, a timeout, a bad Response Authenticator or any other code, and ldirectord
// counts only "" as down — so only an Access-Accept with a valid Response Authenticator is up.
// (Its timeout is the smaller of checktimeout, the alarm, and negotiatetimeout, the receive wait.)
// Deliberate differences: we add a Message-Authenticator (RFC 3579; servers patched for
// BlastRADIUS, CVE-2024-3596, may require it) and check the one in the reply when present; a reply
// whose Identifier is not ours is ignored (Authen::Radius would judge it); IPv6 reals get
// NAS-IPv6-Address instead of NAS-IP-Address (Authen::Radius is IPv4 only).
// Hand-written rather than an npm library: the maintained choices are thin (the `radius` package
// has no types and no recent maintenance), and the Access-Request subset is a few dozen lines of
// node:crypto that the tests prove against a real freeradius.
// Reads: options.login, passwd, secret.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';

const ACCESS_REQUEST = 1;
const CODE_NAMES: Record<number, string> = {
  2: 'Access-Accept', 3: 'Access-Reject', 11: 'Access-Challenge', 12: 'Status-Server', 13: 'Status-Client',
};
const ATTR_USER_NAME = 1;
const ATTR_USER_PASSWORD = 2;
const ATTR_NAS_IP_ADDRESS = 4;
const ATTR_NAS_IPV6_ADDRESS = 95;
const ATTR_MESSAGE_AUTHENTICATOR = 80;

const md5 = (...parts: Buffer[]) => crypto.createHash('md5').update(Buffer.concat(parts)).digest();
const hmacMd5 = (key: Buffer, data: Buffer) => crypto.createHmac('md5', key).update(data).digest();

function attr(type: number, value: Buffer): Buffer {
  if (value.length > 253) throw new Error(`attribute ${type} longer than 253 bytes`);
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

/** RFC 2865 §5.2 User-Password hiding: pad to 16n bytes (≤128), chain MD5(secret + previous). */
export function hidePassword(passwd: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  if (passwd.length > 128) throw new Error('passwd longer than 128 bytes');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(passwd.length / 16) * 16));
  passwd.copy(padded);
  const out = Buffer.alloc(padded.length);
  let prev = authenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = padded[i + j] ^ b[j];
    prev = out.subarray(i, i + 16);
  }
  return out;
}

function ipBytes(address: string): Buffer {
  if (net.isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand "::" and write 8 groups of 16 bits.
  const [head, tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** The Access-Request packet, with Message-Authenticator filled in. */
export function buildAccessRequest(opts: {
  id: number; authenticator: Buffer; secret: Buffer; login: string; passwd: string; nasAddress: string;
}): Buffer {
  const attrs = [
    attr(ATTR_USER_NAME, Buffer.from(opts.login, 'utf8')),
    attr(ATTR_USER_PASSWORD, hidePassword(Buffer.from(opts.passwd, 'utf8'), opts.secret, opts.authenticator)),
    net.isIPv4(opts.nasAddress)
      ? attr(ATTR_NAS_IP_ADDRESS, ipBytes(opts.nasAddress))
      : attr(ATTR_NAS_IPV6_ADDRESS, ipBytes(opts.nasAddress)),
    attr(ATTR_MESSAGE_AUTHENTICATOR, Buffer.alloc(16)),
  ];
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(4);
  header.writeUInt8(ACCESS_REQUEST, 0);
  header.writeUInt8(opts.id, 1);
  header.writeUInt16BE(20 + body.length, 2);
  const packet = Buffer.concat([header, opts.authenticator, body]);
  // The Message-Authenticator is last: HMAC-MD5 over the packet with its own value zeroed.
  hmacMd5(opts.secret, packet).copy(packet, packet.length - 16);
  return packet;
}

export type ReplyVerdict =
  | { kind: 'ignore' }
  | { kind: 'bad'; why: string }
  | { kind: 'ok'; code: number };

/** Validate a reply to our request: Identifier, length, Response Authenticator, and the
 * Message-Authenticator when the server included one. */
export function checkReply(reply: Buffer, id: number, requestAuth: Buffer, secret: Buffer): ReplyVerdict {
  if (reply.length < 20) return { kind: 'ignore' };
  if (reply[1] !== id) return { kind: 'ignore' };
  const length = reply.readUInt16BE(2);
  if (length < 20 || length > reply.length) return { kind: 'bad', why: 'malformed reply' };
  const pkt = reply.subarray(0, length);
  const expected = md5(pkt.subarray(0, 4), requestAuth, pkt.subarray(20), secret);
  if (!crypto.timingSafeEqual(expected, pkt.subarray(4, 20))) {
    return { kind: 'bad', why: 'reply has a bad Response Authenticator (wrong secret?)' };
  }
  for (let off = 20; off + 2 <= pkt.length;) {
    const type = pkt[off];
    const len = pkt[off + 1];
    if (len < 2 || off + len > pkt.length) return { kind: 'bad', why: 'malformed reply attributes' };
    if (type === ATTR_MESSAGE_AUTHENTICATOR && len === 18) {
      const copy = Buffer.from(pkt);
      requestAuth.copy(copy, 4);
      copy.fill(0, off + 2, off + 18);
      if (!crypto.timingSafeEqual(hmacMd5(secret, copy), pkt.subarray(off + 2, off + 18))) {
        return { kind: 'bad', why: 'reply has a bad Message-Authenticator (wrong secret?)' };
      }
    }
    off += len;
  }
  return { kind: 'ok', code: pkt[0] };
}

export const checkRadius: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const label = `RADIUS ${hostPort(target.address, target.port)}`;
  const login = options.login ?? '';
  const secret = Buffer.from(options.secret ?? '', 'utf8');
  const sock = dgram.createSocket(net.isIPv6(target.address) ? 'udp6' : 'udp4');
  try {
    const code = await new Promise<number>((resolve, reject) => {
      if (signal.aborted) { reject(new Error('timed out')); return; }
      const onAbort = () => reject(new Error('timed out'));
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (f: () => void) => { signal.removeEventListener('abort', onAbort); f(); };
      const id = crypto.randomInt(256);
      const authenticator = crypto.randomBytes(16);
      sock.on('error', (err) => done(() => reject(err)));
      sock.on('message', (msg) => {
        const v = checkReply(msg, id, authenticator, secret);
        if (v.kind === 'bad') done(() => reject(new Error(v.why)));
        else if (v.kind === 'ok') done(() => resolve(v.code));
      });
      // A connected socket: only the real's replies arrive, and an ICMP port-unreachable
      // surfaces as ECONNREFUSED instead of a silent timeout.
      sock.connect(target.port, target.address, () => {
        try {
          const packet = buildAccessRequest({
            id, authenticator, secret, login, passwd: options.passwd ?? '', nasAddress: sock.address().address,
          });
          sock.send(packet, (err) => { if (err) done(() => reject(err)); });
        } catch (err) {
          done(() => reject(err));
        }
      });
    });
    const name = CODE_NAMES[code] ?? `code ${code}`;
    return result(elapsed, code === 2, `${label}: ${name}${login ? ` for ${login}` : ''}`);
  } catch (err) {
    return result(elapsed, false, `${label}: ${describeError(err, signal)}`);
  } finally {
    try { sock.close(); } catch { /* already closed */ }
  }
});
