// Fast stand-in ipvsadm for the bench: one process per director run keeps the stand-in's
// table in memory and answers bench/.out/ipvsadm-client over a unix socket, so a call costs
// about a millisecond instead of a node start-up plus a parse of the whole state file.
// Every call runs the stand-in's own Ipvsadm on the table, like dist/ipvs/sim/standin-main.js,
// and leaves the same traces: the state file (written before the reply, the harness polls
// it), the exec log line {pid, args, stdin, code} and the timed line {pid, t0, t1, code}.
// env: BENCH_IPVSADM_SOCK (socket to create), TSLVS_IPVS_STATE, TSLVS_IPVS_EXEC_LOG,
// BENCH_TIMED_LOG; BENCH_IPVSADM_CACHE=0 turns off the listing cache (see replyCache).
// Exits when its stdin (a pipe from the harness) closes, so it never outlives the harness.
import { closeSync, existsSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { now } from './common.js';

// dist/ has no .d.ts files: the few members used here, typed locally
interface KStateLike {
  version: number;
  services: unknown[];
}
interface TableLike {
  state: KStateLike;
}
interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}
interface KernelModule {
  KernelTable: new (state: KStateLike) => TableLike;
  emptyState: () => KStateLike;
}
interface CliModule {
  Ipvsadm: new (table: TableLike, ctx: { argv0: string; stdin: () => string }) => { run(args: string[]): CliResult };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (f: string): string => pathToFileURL(path.join(ROOT, 'dist', 'ipvs', 'sim', f)).href;
const { KernelTable, emptyState } = (await import(dist('kernel.js'))) as KernelModule;
const { Ipvsadm } = (await import(dist('ipvsadm.js'))) as CliModule;

const sockPath = process.env['BENCH_IPVSADM_SOCK'];
const statePath = process.env['TSLVS_IPVS_STATE'];
if (!sockPath || !statePath) {
  process.stderr.write('ipvsadm-server: BENCH_IPVSADM_SOCK and TSLVS_IPVS_STATE must be set\n');
  process.exit(2);
}
const openLog = (p: string | undefined): number | null => (p ? openSync(p, 'a') : null);
const execLogFd = openLog(process.env['TSLVS_IPVS_EXEC_LOG']);
const timedLogFd = openLog(process.env['BENCH_TIMED_LOG']);
const useCache = process.env['BENCH_IPVSADM_CACHE'] !== '0';

function loadState(p: string): KStateLike {
  try {
    const s = JSON.parse(readFileSync(p, 'utf8')) as KStateLike;
    if (s && s.version === 1 && Array.isArray(s.services)) return s;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return emptyState();
}

const table = new KernelTable(loadState(statePath));
/** the table as the exec stand-in would find it in the file: compared after each call */
let saved = JSON.stringify(table.state);
/**
 * Results of calls that neither changed the table nor read stdin, by argv0+args, valid until
 * the table changes: the output is a function of table, argv0 and args only (plus the static
 * /etc/hosts and /etc/services), so a repeated `-L -n` is answered without re-printing
 * 10,000 entries (the real ipvsadm lists them in a few ms, the stand-in needs ~35 ms).
 */
const replyCache = new Map<string, CliResult>();

interface Request {
  pid: number;
  t0: number;
  argv0: string;
  args: string[];
  stdin: string | null;
}

/** payload: u32 pid, f64 t0, u32 count, count × (u32 len, bytes) = argv0 then args, u8 has-stdin, [u32 len, bytes] */
function decode(b: Buffer): Request {
  let o = 0;
  const u32 = (): number => {
    const v = b.readUInt32LE(o);
    o += 4;
    return v;
  };
  const str = (): string => {
    const n = u32();
    const s = b.toString('utf8', o, o + n);
    o += n;
    return s;
  };
  const pid = u32();
  const t0 = b.readDoubleLE(o);
  o += 8;
  const count = u32();
  const strs: string[] = [];
  for (let i = 0; i < count; i++) strs.push(str());
  const hasStdin = b.readUInt8(o++) === 1;
  return { pid, t0, argv0: strs[0] ?? 'ipvsadm', args: strs.slice(1), stdin: hasStdin ? str() : null };
}

function encode(r: CliResult): Buffer {
  const out = Buffer.from(r.stdout, 'utf8');
  const err = Buffer.from(r.stderr, 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32LE(r.code >>> 0, 0);
  head.writeUInt32LE(out.length, 4);
  const mid = Buffer.alloc(4);
  mid.writeUInt32LE(err.length, 0);
  return Buffer.concat([head, out, mid, err]);
}

function saveState(s: string): void {
  const tmp = `${statePath}.tmp.${process.pid}`;
  writeFileSync(tmp, s);
  renameSync(tmp, statePath!);
}

/** One call, synchronously start to end: calls never interleave (the exec stand-in's lock). */
function handle(req: Request, sock: net.Socket): void {
  let stdinRead: string | null = null;
  const stdin = (): string => (stdinRead ??= req.stdin ?? '');
  const key = req.stdin === null ? `${req.argv0}\0${req.args.join('\0')}` : null;
  let result = key !== null ? replyCache.get(key) : undefined;
  let logged = true;
  if (!result) {
    try {
      result = new Ipvsadm(table, { argv0: req.argv0, stdin }).run(req.args);
      const after = JSON.stringify(table.state);
      if (after !== saved) {
        saveState(after);
        saved = after;
        // continue from the file's content, as the next exec stand-in call would
        table.state = JSON.parse(after) as KStateLike;
        replyCache.clear();
      } else if (key !== null && stdinRead === null && useCache) {
        if (replyCache.size >= 32) replyCache.clear();
        replyCache.set(key, result);
      }
    } catch (e) {
      // the exec stand-in would die here (node prints the stack, exit 1, no exec log line)
      table.state = JSON.parse(saved) as KStateLike;
      result = { code: 1, stdout: '', stderr: `${e instanceof Error ? e.stack : String(e)}\n` };
      logged = false;
    }
  }
  if (logged && execLogFd !== null) writeSync(execLogFd, JSON.stringify({ pid: req.pid, args: req.args, stdin: stdinRead, code: result.code }) + '\n');
  const t1 = now();
  sock.end(encode(result));
  if (timedLogFd !== null) writeSync(timedLogFd, JSON.stringify({ pid: req.pid, t0: req.t0, t1, code: result.code }) + '\n');
}

const server = net.createServer((sock) => {
  let buf: Buffer = Buffer.alloc(0);
  let done = false;
  sock.on('error', () => undefined); // a client that died: nothing to answer
  sock.on('data', (d: Buffer) => {
    if (done) return;
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    if (buf.length < 4) return;
    const len = buf.readUInt32LE(0);
    if (buf.length < 4 + len) return;
    done = true;
    let req: Request;
    try {
      req = decode(buf.subarray(4, 4 + len));
    } catch {
      sock.destroy();
      return;
    }
    handle(req, sock);
  });
});

if (existsSync(sockPath)) unlinkSync(sockPath);
const cleanup = (): void => {
  try {
    unlinkSync(sockPath);
  } catch {
    /* gone */
  }
  for (const fd of [execLogFd, timedLogFd]) if (fd !== null) closeSync(fd);
};
for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(0);
  });
}
// a ^C reaches the whole process group: stay up until the harness has stopped the director
process.on('SIGINT', () => undefined);
process.stdin.on('end', () => {
  cleanup();
  process.exit(0);
});
process.stdin.resume();
server.listen(sockPath, () => process.stdout.write('ready\n'));
