// A private dovecot: config, base_dir, state and mail in a temp dir, passwd-file user database,
// a self-signed certificate (or the one given), and imap/imaps/pop3/pop3s listeners on loopback high ports.
// auth_failure_delay = 0 and no auth penalty, so a wrong password is answered at once and does
// not slow the next login (by default dovecot waits 2 s, doubling per failure from one IP).
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import { requireFile, removeDir, spawnDaemon, tempDir, waitForPort, type Daemon } from './daemon.js';
import { makeSelfSigned } from './tls-cert.js';

export interface Dovecot {
  ports: { imap: number; imaps: number; pop3: number; pop3s: number };
  user: string;
  passwd: string;
  stop(): Promise<void>;
}

export async function startDovecot(
  user = 'alice', passwd = 'W0nder-land"pw\\', certificate?: { cert: string; key: string },
): Promise<Dovecot> {
  requireFile('/usr/sbin/dovecot', 'dovecot-core');
  requireFile('/usr/lib/dovecot/imap', 'dovecot-imapd');
  requireFile('/usr/lib/dovecot/pop3', 'dovecot-pop3d');
  const dir = tempDir('dovecot');
  let daemon: Daemon | undefined;
  try {
    const { cert, key } = certificate ?? makeSelfSigned(dir);
    const mail = path.join(dir, 'mail');
    fs.mkdirSync(mail, { mode: 0o777 });
    fs.chmodSync(mail, 0o777);
    fs.mkdirSync(path.join(dir, 'run'));
    fs.mkdirSync(path.join(dir, 'state'));
    // passwd-file line: user:{PLAIN}password — a password with '"' and '\' exercises IMAP quoting.
    fs.writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${passwd}\n`);
    const ports = { imap: await freePort(), imaps: await freePort(), pop3: await freePort(), pop3s: await freePort() };
    const conf = path.join(dir, 'dovecot.conf');
    fs.writeFileSync(conf, `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# No per-IP auth penalty (it delays every later login from 127.0.0.1 after one failure).
login_trusted_networks = 127.0.0.0/8
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
first_valid_uid = 1
mail_location = maildir:${mail}/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
`);
    daemon = spawnDaemon('/usr/sbin/dovecot', ['-F', '-c', conf], path.join(dir, 'dovecot.out'));
    for (const p of Object.values(ports)) await waitForPort(p, '127.0.0.1', 15000, daemon, 'dovecot');
    const d = daemon;
    return { ports, user, passwd, stop: async () => { await d.stop(); removeDir(dir); } };
  } catch (err) {
    await daemon?.stop();
    removeDir(dir);
    throw err;
  }
}
