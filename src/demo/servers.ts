// The demo's real servers: small HTTP servers on loopback that answer /health with "OK", or
// with 503 while they are "failing", so the daemon has something to notice.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoServer {
  readonly port: number;
  failing: boolean;
  close(): Promise<void>;
}

/** Port 0: a free port is picked (the demo must not fail because a fixed port is busy). */
export async function startDemoServer(address: string, port: number, name: (port: number) => string): Promise<DemoServer> {
  const state = { failing: false, name: '' };
  const server = http.createServer((_req, res) => {
    const ok = !state.failing;
    const name = state.name;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', connection: 'close' });
    res.end(ok ? `OK from ${name}\n` : `${name} is failing\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  state.name = name(bound);
  return {
    port: bound,
    get failing() { return state.failing; },
    set failing(v: boolean) { state.failing = v; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
