// service=sip: ldirectord's check_sip. Over the virtual's protocol (TCP unless the virtual is
// UDP - ldirectord defaults only port 53 to UDP, so a 5060 virtual is checked over TCP), send
// one OPTIONS request for sip:LOGIN with ldirectord's headers (Via always says SIP/2.0/UDP with
// the local address and port, fixed branch and tags, a random Call-ID, Content-Length 0), then
// read the reply: up when its first line starts with "SIP/2.0 200 OK"; any other first line
// (404, 403, 100 Trying ...), no reply, refused or a timeout is down. Reading stops at the
// blank line that ends the headers (or when the server closes after a 200).
// Timeout: negotiatetimeout. Reads: timeoutMs, login (a byte string, sent as is).
import net from 'node:net';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';
import { firstVerdict } from './util/deadline.js';
import { LineBuffer, MAX_LINE } from './util/lines.js';

export function sipOptionsRequest(login: string, localAddress: string, localPort: number): string {
  return `OPTIONS sip:${login} SIP/2.0\r\n`
    + `Via: SIP/2.0/UDP ${hostPort(localAddress, localPort)};branch=z9hG4bKhjhs8ass877\r\n`
    + 'Max-Forwards: 70\r\n'
    + `To: <sip:${login}>\r\n`
    + `From: <sip:${login}>;tag=1928301774\r\n`
    + `Call-ID: ${randomBytes(8).toString('hex')}\r\n`
    + 'CSeq: 63104 OPTIONS\r\n'
    + `Contact: <sip:${login}>\r\n`
    + 'Accept: application/sdp\r\n'
    + 'Content-Length: 0\r\n\r\n';
}

export const checkSip: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const udp = target.virtual.protocol === 'udp';
  const where = `SIP OPTIONS sip:${options.login ?? ''} over ${udp ? 'UDP' : 'TCP'} to ${hostPort(target.address, target.port)}`;
  if (signal.aborted) return result(elapsed, false, `${where}: timed out`);
  return new Promise((resolve) => {
    let status: string | undefined;
    const buffer = new LineBuffer();
    const { finish, onClose } = firstVerdict(signal,
      () => (status ? `timed out reading the headers after ${JSON.stringify(status)}` : 'timed out'),
      (up, why) => resolve(result(elapsed, up, `${where}: ${why}`)));
    // Lines with "\n" then "\r" chomped, as ldirectord reads them.
    const feed = (text: string, eof: boolean) => {
      for (const raw of buffer.push(text)) {
        const line = raw.slice(0, -1).replace(/\r$/, '');
        if (line === '') {
          return status ? finish(true, status) : finish(false, 'empty reply');
        }
        if (status === undefined) {
          status = line;
          if (!/^SIP\/2.0 200 OK/.test(line)) return finish(false, `reply ${JSON.stringify(line.slice(0, 80))}`);
        }
      }
      if (buffer.overflowed) return finish(false, `a line of more than ${MAX_LINE} bytes`);
      if (eof) {
        buffer.rest();
        finish(Boolean(status), status ?? 'closed without a reply');
      }
    };
    const login = options.login ?? '';
    if (udp) {
      const sock = dgram.createSocket(target.address.includes(':') ? 'udp6' : 'udp4');
      onClose(() => { try { sock.close(); } catch { /* closed */ } });
      sock.on('error', (err) => finish(false, describeError(err, signal)));
      // One datagram is one reply; what it leaves unterminated counts as its end.
      sock.on('message', (msg) => feed(msg.toString('latin1'), true));
      sock.connect(target.port, target.address, () => {
        const me = sock.address();
        sock.send(Buffer.from(sipOptionsRequest(login, me.address, me.port), 'latin1'));
      });
      return;
    }
    const socket = net.connect({ host: target.address, port: target.port });
    onClose(() => socket.destroy());
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write(sipOptionsRequest(login, socket.localAddress ?? '', socket.localPort ?? 0), 'latin1'));
    socket.on('data', (chunk: string) => feed(chunk, false));
    socket.once('end', () => feed('', true));
    socket.once('error', (err) => finish(false, describeError(err, signal)));
  });
});
