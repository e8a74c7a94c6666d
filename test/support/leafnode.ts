// leafnode, a real NNTP server, is an inetd-style daemon (one process per connection on
// stdin/stdout) with its configuration and spool at fixed paths. This stands in for inetd: a
// loopback listener that hands each accepted socket to a fresh leafnode, run in a private
// mount namespace (unshare -m) where a temp dir is bind-mounted over /etc/news/leafnode and
// /var/spool/news, and /etc/hosts + /etc/nsswitch.conf are private copies that resolve from
// files only - nothing global is touched and leafnode cannot ask the machine's DNS.
// `hostname` decides the greeting: a name leafnode accepts gives "200 Leafnode NNTP Daemon ...";
// a name it refuses as not unique (*.example.org) gives "503 ... fully-qualified domain name".
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { requireBinary, tempDir } from './foreground.js';

export async function startLeafnode(hostname: string): Promise<{ port: number; stop(): Promise<void> }> {
  const leafnode = requireBinary('/usr/sbin/leafnode', 'leafnode');
  const unshare = requireBinary('/usr/bin/unshare', 'util-linux');
  if (process.getuid?.() !== 0) throw new Error('the leafnode suite needs root (mount namespace with bind mounts)');
  const tmp = tempDir('leafnode');
  const d = tmp.dir;
  for (const sub of ['etc', 'spool', 'spool/leaf.node', 'spool/interesting.groups', 'spool/out.going', 'spool/message.id']) mkdirSync(path.join(d, sub), { recursive: true });
  writeFileSync(path.join(d, 'etc', 'config'), `server = 127.0.0.1\nhostname = ${hostname}\nexpire = 20\n`);
  writeFileSync(path.join(d, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n127.0.1.1 ${execFileSync('hostname').toString().trim()}\n`);
  writeFileSync(path.join(d, 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files\n');
  const news = execFileSync('id', ['-u', 'news']).toString().trim();
  const newsGid = execFileSync('id', ['-g', 'news']).toString().trim();
  for (const sub of ['etc', 'spool', 'spool/leaf.node', 'spool/interesting.groups', 'spool/out.going', 'spool/message.id']) {
    chownSync(path.join(d, sub), Number(news), Number(newsGid));
  }
  const script = [
    `mount --bind ${d}/etc /etc/news/leafnode`,
    `mount --bind ${d}/spool /var/spool/news`,
    `mount --bind ${d}/hosts /etc/hosts`,
    `mount --bind ${d}/nsswitch.conf /etc/nsswitch.conf`,
    `exec ${leafnode}`,
  ].join(' && ');
  const children = new Set<ChildProcess>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // The socket itself is leafnode's stdin and stdout, as inetd does it; we stop reading it.
    socket.pause();
    const child = spawn(unshare, ['-m', 'sh', '-c', script], { stdio: [socket, socket, 'ignore'] });
    children.add(child);
    child.on('exit', () => { children.delete(child); socket.destroy(); });
    child.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    stop: async () => {
      for (const c of children) c.kill('SIGKILL');
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      tmp.remove();
    },
  };
}
