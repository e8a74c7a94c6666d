// A loopback TCP relay: accepts on host:port and pipes each connection to a target. Lets a test
// put a real daemon that listens on a random high port behind a fixed port (e.g. 143, which
// ldirectord's imap check always dials) on an address of its own in 127.0.0.0/8.
import net from 'node:net';

export interface TcpForward { host: string; port: number; close(): Promise<void> }

export async function startTcpForward(host: string, port: number, to: { host: string; port: number }): Promise<TcpForward> {
  const sockets = new Set<net.Socket>();
  const keep = (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); };
  const srv = net.createServer((client) => {
    keep(client);
    const upstream = net.connect(to);
    keep(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve());
  });
  return {
    host, port: (srv.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
}
