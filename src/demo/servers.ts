// The demo's real servers: small HTTP servers on loopback that answer /health with "OK", or
// with 503 while they are "failing", so the daemon has something to notice.
import http from 'node:http';

export interface DemoServer {
  readonly port: number;
  failing: boolean;
  close(): Promise<void>;
}

export async function startDemoServer(address: string, port: number, name: string): Promise<DemoServer> {
  const state = { failing: false };
  const server = http.createServer((req, res) => {
    const ok = !state.failing;
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain', connection: 'close' });
    res.end(ok ? `OK from ${name}\n` : `${name} is failing\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return {
    port,
    get failing() { return state.failing; },
    set failing(v: boolean) { state.failing = v; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
