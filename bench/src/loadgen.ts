// Load generator worker: serves a share of the N fake real servers on loopback.
// Started with child_process.fork() by the harness (its own process, so its CPU is never
// counted against a director). Each server is a raw TCP listener speaking just enough HTTP:
//   ok     — answers every request with `200 OK` and body "ok"
//   refuse — not listening: connections are refused (a dead server)
//   hang   — accepts, reads the request and never answers (until the client gives up)
// It records when each request (end of headers) arrived, when each connection was accepted,
// and when the client closed a hanging connection; the harness drains these over IPC.

import net from 'node:net';
import type { FromWorker, Mode, ServerSpec, ToWorker } from './common.js';
import { now } from './common.js';

interface Srv {
  spec: ServerSpec;
  mode: Mode;
  server: net.Server | null;
  sockets: Set<net.Socket>;
}

const servers = new Map<number, Srv>();
let reqId: number[] = [];
let reqT: number[] = [];
let connId: number[] = [];
let connT: number[] = [];
let closeId: number[] = [];
let closeT: number[] = [];

const RESPONSE = Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n');

function send(m: FromWorker): void {
  process.send!(m);
}

function onConnection(s: Srv, sock: net.Socket): void {
  const t = now();
  connId.push(s.spec.id);
  connT.push(t);
  s.sockets.add(sock);
  const hang = s.mode === 'hang';
  let buf = '';
  let answered = false;
  sock.setNoDelay(true);
  sock.on('error', () => undefined);
  sock.on('data', (d) => {
    if (answered) return;
    buf += d.toString('latin1');
    if (buf.includes('\r\n\r\n')) {
      answered = true;
      reqId.push(s.spec.id);
      reqT.push(now());
      if (!hang) sock.end(RESPONSE);
    }
  });
  sock.on('close', () => {
    s.sockets.delete(sock);
    if (hang) {
      closeId.push(s.spec.id);
      closeT.push(now());
    }
  });
}

function listen(s: Srv): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer({ noDelay: true }, (sock) => onConnection(s, sock));
    server.on('error', (e) => resolve(`${s.spec.addr}:${s.spec.port}: ${(e as Error).message}`));
    server.listen({ host: s.spec.addr, port: s.spec.port, backlog: 511, exclusive: true }, () => {
      s.server = server;
      resolve(null);
    });
  });
}

function unlisten(s: Srv): void {
  if (s.server) {
    s.server.close();
    s.server = null;
  }
  for (const sock of s.sockets) sock.destroy();
}

async function setMode(s: Srv, mode: Mode): Promise<void> {
  const prev = s.mode;
  s.mode = mode;
  if (mode === 'refuse') unlisten(s);
  else {
    if (prev === 'hang' && mode === 'ok') for (const sock of s.sockets) sock.destroy();
    if (!s.server) await listen(s);
  }
}

process.on('message', (raw) => {
  const m = raw as ToWorker;
  void (async () => {
    switch (m.op) {
      case 'init': {
        const failed: string[] = [];
        let listening = 0;
        // listen in chunks so thousands of listen() calls do not all wait on one tick
        for (let i = 0; i < m.servers.length; i += 500) {
          const chunk = m.servers.slice(i, i + 500).map((spec) => {
            const s: Srv = { spec, mode: spec.mode, server: null, sockets: new Set() };
            servers.set(spec.id, s);
            return s;
          });
          const res = await Promise.all(chunk.filter((s) => s.mode !== 'refuse').map((s) => listen(s)));
          for (const r of res) if (r) failed.push(r);
          else listening++;
        }
        send({ op: 'ready', listening, failed: failed.slice(0, 10) });
        break;
      }
      case 'set': {
        for (const id of m.ids) {
          const s = servers.get(id);
          if (s) await setMode(s, m.mode);
        }
        send({ op: 'ack', seq: m.seq, t: now() });
        break;
      }
      case 'drain': {
        send({ op: 'events', seq: m.seq, reqId, reqT, connId, connT, closeId, closeT });
        reqId = [];
        reqT = [];
        connId = [];
        connT = [];
        closeId = [];
        closeT = [];
        break;
      }
      case 'stop': {
        for (const s of servers.values()) unlisten(s);
        process.exit(0);
      }
    }
  })();
});
process.on('disconnect', () => process.exit(0));
