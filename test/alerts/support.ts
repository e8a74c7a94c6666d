// Test fixtures for the alert modules: a loopback SMTP sink, a fake sendmail, a hanging
// server, and ldirectord's own alert code run through ldirectord-alerts.pl.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { SMTPServer } from 'smtp-server';
import { bracketed } from '../../src/ipvs/keys.js';
import type { EmailStatus, VirtualService } from '../../src/config/model.js';

export interface Received {
  from: string;
  to: string[];
  ehlo: string;
  secure: boolean;
  /** DATA as received (CRLF line ends, dot-stuffing undone), latin1. */
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: Received[];
  close(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 (or `host`) that keeps every message; STARTTLS is offered (and must be ignored). */
export async function smtpSink(opts: { rejectRcpt?: string; host?: '127.0.0.1' | '::1' } = {}): Promise<SmtpSink> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    disableReverseLookup: true, // no DNS query for the client's address
    onRcptTo(address, _session, cb) {
      cb(address.address === opts.rejectRcpt ? Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        mails.push({
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ehlo: session.hostNameAppearsAs,
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('latin1'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => { server.listen(0, opts.host ?? '127.0.0.1', () => resolve()); });
  const port = (server.server.address() as net.AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => { server.close(() => resolve()); }) };
}

/** Accepts connections and never says a word. */
export async function hangingServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => { server.close(() => resolve()); });
  return port;
}

export interface FakeSendmail {
  path: string;
  /** One entry per run, in order. */
  runs(): Array<{ argv: string[]; stdin: string }>;
}

/** A sendmail that records argv and stdin of each run in its directory, prints `stderr`, then exits `exit`. */
export function fakeSendmail(exit = 0, stderr = ''): FakeSendmail {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tslvs-sendmail-'));
  const file = path.join(dir, 'sendmail');
  fs.writeFileSync(file, [
    '#!/bin/sh',
    'dir=$(dirname "$0")',
    'n=$(ls "$dir" | grep -c "^stdin\\.")',
    'printf "%s\\n" "$@" > "$dir/argv.$n"',
    'cat > "$dir/stdin.$n"',
    ...(stderr !== '' ? [`printf '%s\\n' '${stderr.replace(/'/g, '')}' >&2`] : []),
    `exit ${exit}`,
    '',
  ].join('\n'), { mode: 0o755 });
  return {
    path: file,
    runs() {
      const n = fs.readdirSync(dir).filter((f) => f.startsWith('stdin.')).length;
      return Array.from({ length: n }, (_, i) => ({
        argv: fs.readFileSync(path.join(dir, `argv.${i}`), 'latin1').split('\n').slice(0, -1),
        stdin: fs.readFileSync(path.join(dir, `stdin.${i}`), 'latin1'),
      }));
    },
  };
}

const HARNESS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ldirectord-alerts.pl');

/** ldirectord's hash for a virtual, with the fields its alert code reads. */
export function perlVirtual(v: VirtualService): Record<string, unknown> {
  const out: Record<string, unknown> = v.protocol === 'fwm'
    ? { protocol: 'fwm', fwm: v.fwmark }
    : { protocol: v.protocol, server: bracketed(v.address ?? ''), port: v.port };
  for (const k of ['emailalert', 'emailalertfreq', 'emailalertstatus', 'smtp', 'servicename', 'comment'] as const) {
    if (v[k] !== undefined) out[k] = v[k];
  }
  return out;
}

export type PerlOp =
  | { op: 'send'; subject: string; v: string; fields: Record<string, unknown>; server: string; time: number; status?: EmailStatus }
  | { op: 'resend'; time: number; status?: EmailStatus }
  | { op: 'monitor'; fields: Record<string, unknown>; real: Record<string, unknown>; state: 'up' | 'down'; msg?: string; localtime: string };

export interface PerlGlobals {
  emailalert?: string; emailalertfreq?: number; emailalertfrom?: string; emailalertstatus?: EmailStatus[]; smtp?: string;
}

/** Runs the ops with ldirectord's own subs; returns what it ld_log()ged, the real ids, its pid. */
export async function ldirectordAlerts(globals: PerlGlobals, ops: PerlOp[], env: NodeJS.ProcessEnv = {}):
Promise<{ log: string[]; ids: string[]; pid: number }> {
  const r = await execa('perl', [HARNESS, JSON.stringify({ globals, ops })], { env, timeout: 60_000 });
  return JSON.parse(r.stdout) as { log: string[]; ids: string[]; pid: number };
}
