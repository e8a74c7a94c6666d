// A private postfix instance: its own config, queue and data dirs in a temp dir, master(8) in the
// foreground (-d) with three smtpd listeners on loopback high ports:
//  ok        — greets 220 and accepts EHLO
//  rejectAll — greets 554 (client restrictions: reject, evaluated at connect)
//  rejectHelo — greets 220 but answers 554 to EHLO and HELO
// postfix(1) itself refuses a config dir not listed in the system main.cf, so we create the
// queue layout it would and start master directly.
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import { requireFile, removeDir, spawnDaemon, tempDir, waitForPort, type Daemon } from './daemon.js';

const MASTER = '/usr/lib/postfix/sbin/master';

export interface Postfix { ports: { ok: number; rejectAll: number; rejectHelo: number }; dir: string; stop(): Promise<void> }

function uidOf(user: string): number {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} missing: reinstall Debian package "postfix"`);
  return Number(line.split(':')[2]);
}
function gidOf(group: string): number {
  const line = fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${group}:`));
  if (!line) throw new Error(`group ${group} missing: reinstall Debian package "postfix"`);
  return Number(line.split(':')[2]);
}

export async function startPostfix(): Promise<Postfix> {
  requireFile(MASTER, 'postfix');
  const dir = tempDir('postfix');
  let daemon: Daemon | undefined;
  try {
    const conf = path.join(dir, 'conf');
    const queue = path.join(dir, 'queue');
    const data = path.join(dir, 'data');
    fs.mkdirSync(conf);
    const owner = uidOf('postfix');
    const postdrop = gidOf('postdrop');
    for (const d of ['pid', 'public', 'private', 'incoming', 'active', 'deferred', 'bounce', 'defer', 'flush', 'hold', 'maildrop', 'corrupt', 'saved', 'trace']) {
      fs.mkdirSync(path.join(queue, d), { recursive: true });
      if (d !== 'pid') fs.chownSync(path.join(queue, d), owner, d === 'public' || d === 'maildrop' ? postdrop : -1);
    }
    fs.mkdirSync(data);
    fs.chownSync(data, owner, -1);
    const ports = { ok: await freePort(), rejectAll: await freePort(), rejectHelo: await freePort() };
    fs.writeFileSync(path.join(conf, 'main.cf'), [
      'compatibility_level = 3.6',
      `queue_directory = ${queue}`,
      `data_directory = ${data}`,
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = tslvs-test.localdomain',
      'mydestination =',
      'alias_maps =',
      'alias_database =',
      'smtpd_banner = $myhostname ESMTP tslvs-test',
      'maillog_file = /dev/stdout',
      '',
    ].join('\n'));
    // Keep the internal services of the stock master.cf, replace its public listeners with ours.
    const stock = fs.readFileSync('/etc/postfix/master.cf', 'utf8')
      .split('\n').filter((l) => !/^smtp\s+inet\b/.test(l)).join('\n');
    fs.writeFileSync(path.join(conf, 'master.cf'), `${stock}
127.0.0.1:${ports.ok} inet n - n - - smtpd
127.0.0.1:${ports.rejectAll} inet n - n - - smtpd
  -o smtpd_client_restrictions=reject
  -o smtpd_delay_reject=no
127.0.0.1:${ports.rejectHelo} inet n - n - - smtpd
  -o smtpd_helo_required=yes
  -o smtpd_helo_restrictions=reject
  -o smtpd_delay_reject=no
`);
    daemon = spawnDaemon(MASTER, ['-c', conf, '-d'], path.join(dir, 'master.log'));
    for (const p of Object.values(ports)) await waitForPort(p, '127.0.0.1', 15000, daemon, 'postfix master');
    const d = daemon;
    return { ports, dir, stop: async () => { await d.stop(); removeDir(dir); } };
  } catch (err) {
    await daemon?.stop();
    removeDir(dir);
    throw err;
  }
}
