// A private PostgreSQL 15 cluster: initdb into a temp dir as the postgres OS user (the server
// refuses to run as root), pg_ctl start on a loopback high port with its socket in the temp dir,
// scram-sha-256 password auth over TCP (the socket, used only for setup, trusts local users), then a user with a password and a table for the SELECT checks.
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import { requireFile, removeDir, run, tempDir } from './daemon.js';

const BIN = '/usr/lib/postgresql/15/bin';

export interface Postgres { port: number; user: string; passwd: string; database: string; stop(): Promise<void> }

function uidGid(user: string): [number, number] {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`user ${user} missing: install Debian package "postgresql"`);
  const f = line.split(':');
  return [Number(f[2]), Number(f[3])];
}

export async function startPostgres(user = 'tslvs', passwd = 'pg-Pw-31337', database = 'chk'): Promise<Postgres> {
  requireFile(`${BIN}/initdb`, 'postgresql-15');
  requireFile(`${BIN}/pg_ctl`, 'postgresql-15');
  requireFile('/usr/bin/psql', 'postgresql-client-15');
  const dir = tempDir('postgres');
  const [uid, gid] = uidGid('postgres');
  fs.chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const asPg = (cmd: string, args: string[], input?: string) => run('runuser', ['-u', 'postgres', '--', cmd, ...args], { input });
  let started = false;
  const stop = async () => {
    if (started) {
      try { asPg(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already down */ }
    }
    removeDir(dir);
  };
  try {
    asPg(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-N']);
    const port = await freePort();
    fs.appendFileSync(path.join(data, 'postgresql.conf'), [
      "listen_addresses = '127.0.0.1'", `port = ${port}`, `unix_socket_directories = '${dir}'`,
      'fsync = off', 'shared_buffers = 16MB', '',
    ].join('\n'));
    asPg(`${BIN}/pg_ctl`, ['-D', data, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '30', 'start']);
    started = true;
    const psql = (db: string, sql: string) => run('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-c', sql]);
    psql('postgres', `CREATE USER ${user} PASSWORD '${passwd}'`);
    psql('postgres', `CREATE DATABASE ${database} OWNER ${user}`);
    psql(database, `CREATE TABLE real_status (name text, enabled int); INSERT INTO real_status VALUES ('web1', 1), ('web2', 0); ALTER TABLE real_status OWNER TO ${user}`);
    return { port, user, passwd, database, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
