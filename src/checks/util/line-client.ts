// A small line-oriented TCP/TLS client for banner protocols (smtp, pop, imap, nntp, ftp, simpletcp).
// It honours an AbortSignal: when the deadline fires every pending read rejects and the socket
// is destroyed, so a server that accepts and never answers costs exactly one timeout.
import net from 'node:net';
import tls from 'node:tls';
import type { TlsVerify } from '../types.js';
import { tlsConnectOptions } from './trust.js';

export interface LineClientOptions {
  host: string;
  port: number;
  signal: AbortSignal;
  /** Wrap in TLS from the start (pops, imaps) under the checks' one policy (trust.ts):
   * `verify` as tlsverify= says, `name` the identity 'full' checks (virtualhost or address). */
  tls?: { verify: TlsVerify; name: string };
}

export class LineClient {
  /** A banner server sending more than this without the reply awaited is not one; failing at
   * once keeps an endless answer from filling memory until the deadline. */
  static readonly MAX_RECEIVED = 1024 * 1024;
  private buffer = '';
  private received = 0;
  private waiters: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  private ended: Error | null = null;
  private readonly onAbort = () => this.fail(new Error('timed out'));

  private constructor(private socket: net.Socket, private readonly signal: AbortSignal) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.received += chunk.length;
      if (this.received > LineClient.MAX_RECEIVED) {
        this.fail(new Error(`more than ${LineClient.MAX_RECEIVED} bytes from the server`));
        return;
      }
      this.buffer += chunk;
      this.drain();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by server')));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  static connect(opts: LineClientOptions): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      if (opts.signal.aborted) { reject(new Error('timed out')); return; }
      const socket = opts.tls
        ? tls.connect({ host: opts.host, port: opts.port, ...tlsConnectOptions(opts.tls.verify, opts.host, opts.tls.name) })
        : net.connect({ host: opts.host, port: opts.port });
      const onAbort = () => { socket.destroy(); reject(new Error('timed out')); };
      opts.signal.addEventListener('abort', onAbort, { once: true });
      const ready = opts.tls ? 'secureConnect' : 'connect';
      socket.once(ready, () => {
        opts.signal.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        resolve(new LineClient(socket, opts.signal));
      });
      const onError = (err: Error) => { opts.signal.removeEventListener('abort', onAbort); socket.destroy(); reject(err); };
      socket.once('error', onError);
    });
  }

  /** Next line without its CR LF. */
  readLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.drain();
    });
  }

  /** Read lines until `isLast(line)` is true; returns them all (multi-line replies). */
  async readUntil(isLast: (line: string) => boolean): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine();
      lines.push(line);
      if (isLast(line)) return lines;
    }
  }

  /** Everything the server sends until it closes the connection (simpletcp-style reads). */
  readAll(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.ended) { resolve(this.buffer); return; }
      this.socket.once('close', () => resolve(this.buffer));
      this.signal.addEventListener('abort', () => reject(new Error('timed out')), { once: true });
    });
  }

  write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) break;
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.waiters.shift()!.resolve(line);
    }
    if (this.ended) {
      for (const w of this.waiters.splice(0)) w.reject(this.ended);
    }
  }

  private fail(err: Error): void {
    if (!this.ended) this.ended = err;
    this.socket.destroy();
    this.drain();
  }
}
