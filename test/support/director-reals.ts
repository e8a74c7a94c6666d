// Real servers for the daemon differential test: small HTTP servers on loopback (127.0.0.0/8
// only, numeric), each switchable at any time between
//   up       200 with the expected body ("ok")
//   wrong    200 with another body
//   error    503
//   refused  nothing listens (connections refused)
//   hang     accepts and never answers
import http from 'node:http';
import type net from 'node:net';
import { freePort } from './net.js';

export type RealMode = 'up' | 'wrong' | 'error' | 'refused' | 'hang';

export const UP_BODY = 'ok';

export class RealServer {
  readonly host: string;
  port = 0;
  mode: RealMode = 'refused';
  /** Requests answered or held, by mode (a crude count of checks). */
  requests = 0;
  private server?: http.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(host: string) {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new Error(`real servers live on 127.0.0.0/8 only, not ${host}`);
    this.host = host;
  }

  /** host:port, as in a `real=` line. */
  get addr(): string { return `${this.host}:${this.port}`; }

  static async start(host: string, mode: RealMode = 'up'): Promise<RealServer> {
    const r = new RealServer(host);
    r.port = await freePort(host);
    await r.set(mode);
    return r;
  }

  async set(mode: RealMode): Promise<void> {
    const listening = this.server !== undefined;
    this.mode = mode;
    if (mode === 'refused') {
      await this.closeServer();
    } else if (!listening) {
      await this.listen();
    }
    if (mode !== 'hang') for (const s of this.sockets) if ((s as net.Socket & { held?: boolean }).held) s.destroy();
  }

  private listen(): Promise<void> {
    const srv = http.createServer((req, res) => {
      this.requests++;
      req.resume();
      const mode = this.mode;
      if (mode === 'hang') {
        (req.socket as net.Socket & { held?: boolean }).held = true;
        return;
      }
      res.setHeader('Connection', 'close');
      if (mode === 'up') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(`${UP_BODY}\n`); return; }
      if (mode === 'wrong') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('maintenance page\n'); return; }
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('unavailable\n');
    });
    srv.keepAliveTimeout = 0;
    srv.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = srv;
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.port, this.host, () => resolve());
    });
  }

  private closeServer(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (!srv) return Promise.resolve();
    return new Promise((resolve) => srv.close(() => resolve()));
  }

  close(): Promise<void> {
    this.mode = 'refused';
    return this.closeServer();
  }
}
