// One DNS question over TCP (RFC 1035 4.2.2: two-byte length prefix), for dns checks on a
// protocol=tcp virtual, where ldirectord sets Net::DNS's usevc. Node's resolver cannot be told
// to use TCP, so this small client asks A or PTR and returns the A addresses / PTR names of the
// answer section; the socket is destroyed at the deadline.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const TYPES = { A: 1, PTR: 12 } as const;
const RCODES: Record<number, string> = {
  1: 'format error', 2: 'server failure', 3: 'no such name (NXDOMAIN)', 4: 'not implemented', 5: 'query refused',
};

export class DnsError extends Error {}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const out: Buffer[] = [];
  for (const label of parts) {
    const b = Buffer.from(label, 'latin1');
    if (b.length > 63) throw new DnsError(`label too long: ${label}`);
    out.push(Buffer.from([b.length]), b);
  }
  out.push(Buffer.from([0]));
  return Buffer.concat(out);
}

export function buildQuery(id: number, name: string, type: keyof typeof TYPES): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // standard query, recursion desired (Net::DNS's default)
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(TYPES[type], 0);
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, encodeName(name), tail]);
}

function readName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (pos >= msg.length) throw new DnsError('truncated name');
    const len = msg[pos]!;
    if (len === 0) { if (next < 0) next = pos + 1; return { name: labels.join('.'), next }; }
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | msg[pos + 1]!;
      continue;
    }
    labels.push(msg.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += 1 + len;
  }
  throw new DnsError('name compression loop');
}

export function parseAnswers(msg: Buffer, id: number, type: keyof typeof TYPES): string[] {
  if (msg.length < 12) throw new DnsError('short reply');
  if (msg.readUInt16BE(0) !== id) throw new DnsError('reply id does not match');
  const rcode = msg.readUInt16BE(2) & 0x0f;
  if (rcode !== 0) throw new DnsError(RCODES[rcode] ?? `rcode ${rcode}`);
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(msg, pos).next + 4;
  const found: string[] = [];
  for (let i = 0; i < an; i++) {
    pos = readName(msg, pos).next;
    const rrType = msg.readUInt16BE(pos);
    const rdlen = msg.readUInt16BE(pos + 8);
    const rdata = pos + 10;
    if (rrType === TYPES.A && type === 'A' && rdlen === 4) found.push([...msg.subarray(rdata, rdata + 4)].join('.'));
    if (rrType === TYPES.PTR && type === 'PTR') found.push(readName(msg, rdata).name);
    pos = rdata + rdlen;
  }
  if (found.length === 0) throw new DnsError('no answer');
  return found;
}

export function queryTcp(host: string, port: number, name: string, type: keyof typeof TYPES, signal: AbortSignal): Promise<string[]> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(new DnsError('timed out')); return; }
    const id = randomBytes(2).readUInt16BE(0);
    let query: Buffer;
    try { query = buildQuery(id, name, type); } catch (e) { reject(e); return; }
    const socket = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null, value?: string[]) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err); else resolve(value!);
    };
    const onAbort = () => finish(new DnsError('timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length, 0);
      socket.write(Buffer.concat([len, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) return;
      const need = buf.readUInt16BE(0);
      if (buf.length < need + 2) return;
      try { finish(null, parseAnswers(buf.subarray(2, need + 2), id, type)); } catch (e) { finish(e as Error); }
    });
    socket.once('end', () => finish(new DnsError('closed without a reply')));
    socket.once('error', (err) => finish(err));
  });
}
