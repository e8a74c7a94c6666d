// A private MariaDB server: mariadb-install-db into a temp datadir, mariadbd on a loopback high
// port with its socket in the temp dir, then a real user with a password, a database and a table
// with one row (and an empty one) for the SELECT checks.
import path from 'node:path';
import { freePort } from './net.js';
import { requireFile, removeDir, run, spawnDaemon, tempDir, waitForPort, type Daemon } from './daemon.js';

export interface MariaDb { port: number; user: string; passwd: string; database: string; stop(): Promise<void> }

export async function startMariaDb(user = 'tslvs', passwd = 'my-Sql-Pw-77', database = 'chk'): Promise<MariaDb> {
  requireFile('/usr/sbin/mariadbd', 'mariadb-server');
  requireFile('/usr/bin/mariadb-install-db', 'mariadb-server');
  requireFile('/usr/bin/mariadb', 'mariadb-client');
  const dir = tempDir('mariadb');
  let daemon: Daemon | undefined;
  try {
    const data = path.join(dir, 'data');
    const sock = path.join(dir, 'mysqld.sock');
    run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal',
      '--skip-test-db', '--user=root']);
    const port = await freePort();
    daemon = spawnDaemon('/usr/sbin/mariadbd', [
      '--no-defaults', `--datadir=${data}`, `--socket=${sock}`, `--port=${port}`, '--bind-address=127.0.0.1',
      '--user=root', `--pid-file=${path.join(dir, 'mariadbd.pid')}`, '--skip-name-resolve', '--skip-log-bin',
      '--innodb-buffer-pool-size=16M', '--performance-schema=OFF',
    ], path.join(dir, 'mariadbd.log'));
    await waitForPort(port, '127.0.0.1', 30000, daemon, 'mariadbd');
    run('mariadb', ['--no-defaults', '-S', sock, '-u', 'root', '-e', [
      `CREATE USER '${user}'@'%' IDENTIFIED BY '${passwd}';`,
      `CREATE DATABASE ${database};`,
      `CREATE TABLE ${database}.real_status (name VARCHAR(32), enabled INT);`,
      `INSERT INTO ${database}.real_status VALUES ('web1', 1), ('web2', 0);`,
      `GRANT SELECT ON ${database}.* TO '${user}'@'%';`,
    ].join(' ')]);
    const d = daemon;
    return { port, user, passwd, database, stop: async () => { await d.stop(); removeDir(dir); } };
  } catch (err) {
    await daemon?.stop();
    removeDir(dir);
    throw err;
  }
}
