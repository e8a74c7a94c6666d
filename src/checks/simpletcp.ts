// service=simpletcp: ldirectord's check_simpletcp. Connect to RIP:checkport (TCP, or a
// connected UDP socket when the virtual is UDP, as ld_open_socket does), send `request` without
// its leading "/" and with every literal `\n` turned into a newline (no other escapes), half-close
// the sending side, then read lines until one matches `receive` (a Perl regex, each line tested
// with its newline) - up - or the server closes - down. Timeout: negotiatetimeout.
// An empty receive counts any line as a match (in Perl an empty pattern reuses the last
// successful one, which is not something to reproduce).
// Reads: timeoutMs, request, receive.
import net from 'node:net';
import dgram from 'node:dgram';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';
import { perlRegex } from './util/perl-regex.js';
import { firstVerdict } from './util/deadline.js';
import { LineBuffer, MAX_LINE } from './util/lines.js';

/** The bytes ldirectord sends for a request string. */
export function simpletcpPayload(request: string | undefined): string {
  return (request ?? '/').replace(/^\//, '').replace(/\\n/g, '\n');
}

export const checkSimpletcp: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const udp = target.virtual.protocol === 'udp';
  const where = `simpletcp ${udp ? 'UDP' : 'TCP'} ${hostPort(target.address, target.port)}`;
  let match: (line: string) => boolean = () => true;
  if (options.receive) {
    const r = perlRegex(options.receive);
    if (!r.ok) return result(elapsed, false, `${where}: ${r.error}`);
    match = (line) => r.re.test(line);
  }
  if (signal.aborted) return result(elapsed, false, `${where}: timed out`);
  const payload = Buffer.from(simpletcpPayload(options.request), 'latin1');

  return new Promise((resolve) => {
    const buffer = new LineBuffer();
    let lines = 0;
    const { finish, onClose } = firstVerdict(signal,
      () => (lines ? `timed out after ${lines} line(s) without a match for /${options.receive}/` : 'timed out'),
      (up, why) => resolve(result(elapsed, up, `${where}: ${why}`)));
    const received = (line: string) => finish(true, `received ${JSON.stringify(line.trimEnd().slice(0, 80))}`);
    const feed = (text: string, eof: boolean) => {
      for (const line of buffer.push(text)) {
        lines++;
        if (match(line)) return received(line);
      }
      if (buffer.overflowed) return finish(false, `a line of more than ${MAX_LINE} bytes without a match`);
      if (!eof) return;
      const last = buffer.rest();
      if (last) {
        lines++;
        if (match(last)) return received(last);
      }
      finish(false, lines ? `no line matched /${options.receive}/ (${lines} line(s))` : 'closed without a reply');
    };

    if (udp) {
      const sock = dgram.createSocket(target.address.includes(':') ? 'udp6' : 'udp4');
      onClose(() => { try { sock.close(); } catch { /* closed */ } });
      sock.on('error', (err) => finish(false, describeError(err, signal)));
      sock.on('message', (msg) => feed(msg.toString('latin1'), false));
      sock.connect(target.port, target.address, () => sock.send(payload));
      return;
    }
    const socket = net.connect({ host: target.address, port: target.port, allowHalfOpen: true });
    onClose(() => socket.destroy());
    socket.setEncoding('latin1');
    socket.once('connect', () => { socket.end(payload); });
    socket.on('data', (chunk: string) => feed(chunk, false));
    socket.once('end', () => feed('', true));
    socket.once('error', (err) => finish(false, describeError(err, signal)));
  });
});
