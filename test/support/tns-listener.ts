// A scripted Oracle TNS listener: no Oracle database exists in Debian, so the oracle check is
// proven at the protocol level only. It reads the client's TNS CONNECT (the connect descriptor
// may come in the CONNECT packet or in the packet after it), records the descriptor text, and
// answers with a TNS REFUSE packet carrying "(DESCRIPTION=(ERR=<code>)…)", as a real listener
// does for an unknown SID (12505) or service (12514).
import net from 'node:net';

export interface TnsListener { port: number; descriptors: string[]; close(): Promise<void> }

const TNS_REFUSE = 4;

function refusePacket(errCode: number): Buffer {
  const data = Buffer.from(`(DESCRIPTION=(TMP=)(VSNNUM=0)(ERR=${errCode})(ERROR_STACK=(ERROR=(CODE=${errCode})(EMFI=4))))`, 'ascii');
  const header = Buffer.alloc(12);
  header.writeUInt16BE(12 + data.length, 0); // packet length (small-SDU form before negotiation)
  header.writeUInt16BE(0, 2);                // packet checksum
  header.writeUInt8(TNS_REFUSE, 4);          // packet type
  header.writeUInt8(0, 5);                   // flags
  header.writeUInt16BE(0, 6);                // header checksum
  header.writeUInt8(1, 8);                   // user reason
  header.writeUInt8(0, 9);                   // system reason
  header.writeUInt16BE(data.length, 10);     // refuse data length
  return Buffer.concat([header, data]);
}

/** The "(DESCRIPTION=…)" text once its parentheses balance, else undefined. */
function completeDescriptor(text: string): string | undefined {
  const start = text.indexOf('(DESCRIPTION=');
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

export async function startTnsListener(errCode = 12505): Promise<TnsListener> {
  const sockets = new Set<net.Socket>();
  const descriptors: string[] = [];
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let got = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 5 && got[4] !== 1) { s.destroy(); return; } // first packet must be CONNECT
      const d = completeDescriptor(got.toString('latin1'));
      if (d) {
        descriptors.push(d);
        s.end(refusePacket(errCode));
      }
    });
  });
  await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', () => resolve()); });
  return {
    port: (srv.address() as net.AddressInfo).port,
    descriptors,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); srv.close(() => resolve()); }),
  };
}
