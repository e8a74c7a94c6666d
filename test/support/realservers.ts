// Real servers for daemon tests: HTTP on loopback that can be switched between up (200 "OK"),
// failing (503), hanging (accepts, never answers) and refusing (listener closed).
import http from 'node:http';
import type { Socket } from 'node:net';

export type Mode = 'up' | 'fail' | 'hang' | 'refuse';

export interface RealServerStub {
  readonly address: string;
  readonly port: number;
  /** Requests answered or held so far. */
  hits: number;
  set(mode: Mode): Promise<void>;
  close(): Promise<void>;
}

export async function startRealServer(address = '127.0.0.1', port = 0, mode: Mode = 'up'): Promise<RealServerStub> {
  let current: Mode = mode;
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => {
    stub.hits++;
    if (current === 'hang') return;
    res.writeHead(current === 'up' ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(current === 'up' ? 'OK\n' : 'failing\n');
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  const listen = (p: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, address, () => { server.off('error', reject); resolve(); });
  });
  const close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    if (!server.listening) { resolve(); return; }
    server.close(() => resolve());
  });
  if (mode !== 'refuse') await listen(port);
  else { await listen(port); }
  const bound = (server.address() as { port: number }).port;
  if (mode === 'refuse') await close();
  const stub: RealServerStub = {
    address, port: bound, hits: 0,
    async set(next) {
      if (next === 'refuse' && server.listening) await close();
      if (next !== 'refuse' && !server.listening) await listen(bound);
      if (next !== 'hang') for (const s of sockets) s.destroy();
      current = next;
    },
    close,
  };
  return stub;
}
