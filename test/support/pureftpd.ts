// A private pure-ftpd: virtual users in a puredb built in a temp dir (no system account is
// created), no anonymous login (-E), passive ports in a small high range, a file to retrieve.
// The user's hash is SHA-512 crypt: pure-pw's default argon2id costs seconds per login.
// pure-ftpd always sleeps a few seconds (3–6 s seen here) before answering a failed login; it
// cannot be turned off, so the wrong-credential tests give the check a longer deadline.
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import { requireFile, removeDir, run, spawnDaemon, tempDir, waitForPort, type Daemon } from './daemon.js';

export interface PureFtpd { port: number; user: string; passwd: string; file: string; content: string; stop(): Promise<void> }

export async function startPureFtpd(user = 'ldir', passwd = 'ftp-Pw-1234'): Promise<PureFtpd> {
  requireFile('/usr/sbin/pure-ftpd', 'pure-ftpd');
  requireFile('/usr/bin/pure-pw', 'pure-ftpd-common');
  const dir = tempDir('pureftpd');
  let daemon: Daemon | undefined;
  try {
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const content = 'tslvs ftp check: all systems nominal\n';
    fs.writeFileSync(path.join(home, 'check.txt'), content);
    fs.chownSync(home, 65534, 65534);
    fs.chownSync(path.join(home, 'check.txt'), 65534, 65534);
    const hash = run('openssl', ['passwd', '-6', '-stdin'], { input: `${passwd}\n` }).trim();
    const passwdFile = path.join(dir, 'pureftpd.passwd');
    // name:hash:uid:gid:gecos:home/./ then the quota/limit fields, empty.
    fs.writeFileSync(passwdFile, `${user}:${hash}:65534:65534::${home}/./::::::::::::\n`);
    const pdb = path.join(dir, 'pureftpd.pdb');
    run('pure-pw', ['mkdb', pdb, '-f', passwdFile]);
    const port = await freePort();
    const pasv = 40000 + Math.floor(Math.random() * 20000);
    daemon = spawnDaemon('/usr/sbin/pure-ftpd', [
      '-S', `127.0.0.1,${port}`, '-l', `puredb:${pdb}`, '-E', '-H', '-A', '-p', `${pasv}:${pasv + 50}`,
    ], path.join(dir, 'pure-ftpd.log'));
    await waitForPort(port, '127.0.0.1', 15000, daemon, 'pure-ftpd');
    const d = daemon;
    return { port, user, passwd, file: '/check.txt', content, stop: async () => { await d.stop(); removeDir(dir); } };
  } catch (err) {
    await daemon?.stop();
    removeDir(dir);
    throw err;
  }
}
