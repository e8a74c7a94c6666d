// A private freeradius 3: a copy of the Debian raddb in a temp dir, trimmed to the files + pap
// modules and one virtual server listening for auth on a loopback high UDP port, a client entry
// for 127.0.0.1 with a secret, and one user with a Cleartext-Password. Runs in the foreground,
// as root, logging to stdout.
import fs from 'node:fs';
import path from 'node:path';
import { freeUdpPort, requireFile, removeDir, run, spawnDaemon, tempDir, waitForLog, type Daemon } from './daemon.js';

const RADDB = '/etc/freeradius/3.0';

export interface FreeRadius { port: number; secret: string; user: string; passwd: string; stop(): Promise<void> }

export async function startFreeRadius(secret = 'rad-Secret-8', user = 'alice', passwd = 'rad-Pw-404'): Promise<FreeRadius> {
  requireFile('/usr/sbin/freeradius', 'freeradius');
  requireFile(`${RADDB}/radiusd.conf`, 'freeradius-config');
  const dir = tempDir('freeradius');
  let daemon: Daemon | undefined;
  try {
    const raddb = path.join(dir, 'raddb');
    run('cp', ['-a', RADDB, raddb]);
    for (const sub of ['mods-enabled', 'sites-enabled']) {
      for (const f of fs.readdirSync(path.join(raddb, sub))) fs.rmSync(path.join(raddb, sub, f));
    }
    for (const m of ['files', 'pap', 'always', 'expr']) {
      fs.symlinkSync(`../mods-available/${m}`, path.join(raddb, 'mods-enabled', m));
    }
    fs.mkdirSync(path.join(dir, 'log'));
    fs.mkdirSync(path.join(dir, 'run'));
    const conf = path.join(raddb, 'radiusd.conf');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8')
      .replace(/^logdir = .*$/m, `logdir = ${dir}/log`)
      .replace(/^run_dir = .*$/m, `run_dir = ${dir}/run`));
    fs.writeFileSync(path.join(raddb, 'clients.conf'), `client tslvs {\n  ipaddr = 127.0.0.1\n  secret = ${secret}\n}\n`);
    fs.writeFileSync(path.join(raddb, 'mods-config', 'files', 'authorize'), `${user} Cleartext-Password := "${passwd}"\n`);
    const port = await freeUdpPort();
    fs.writeFileSync(path.join(raddb, 'sites-enabled', 'tslvs'), `
server tslvs {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
}
`);
    daemon = spawnDaemon('/usr/sbin/freeradius', ['-f', '-l', 'stdout', '-d', raddb], path.join(dir, 'freeradius.log'));
    await waitForLog(daemon, /Ready to process requests/, 20000, 'freeradius');
    const d = daemon;
    return { port, secret, user, passwd, stop: async () => { await d.stop(); removeDir(dir); } };
  } catch (err) {
    await daemon?.stop();
    removeDir(dir);
    throw err;
  }
}
