// Loopback helpers shared by test suites: free ports, a refused port, a server that hangs.
import net from 'node:net';
import dgram from 'node:dgram';

/** A TCP port on `host` that nothing listens on at the moment of the call. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface HangServer { port: number; host: string; connections: number; close(): Promise<void> }

/** Accepts TCP connections and never sends a byte (the "black hole" real server). */
export async function startHangServer(host = '127.0.0.1', port = 0): Promise<HangServer> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    state.connections++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  const state: HangServer = {
    port: 0, host, connections: 0,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      srv.close(() => resolve());
    }),
  };
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => resolve());
  });
  state.port = (srv.address() as net.AddressInfo).port;
  return state;
}

/** A UDP socket that receives and never answers (for dns/radius/sip hang cases). */
export async function startUdpHangServer(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => sock.bind(0, host, () => resolve()));
  return { port: sock.address().port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}
