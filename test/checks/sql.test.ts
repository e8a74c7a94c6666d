// checkMysql against a real MariaDB and checkPgsql against a real PostgreSQL 15.
import { checkMysql, checkPgsql, sqlQuery } from '../../src/checks/sql.js';
import type { CheckFn, ServiceName } from '../../src/checks/types.js';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { startPostgres, type Postgres } from '../support/postgres.js';
import { freePort, startHangServer, type HangServer } from '../support/net.js';
import { serviceOptions, targetPort, timed } from '../support/check-options.js';
import { expectSocketsBackTo, socketHandles } from '../support/daemon.js';

let maria: MariaDb;
let postgres: Postgres;
let hang: HangServer;

beforeAll(async () => {
  // One after the other, so afterAll can stop whatever did start when a later one fails.
  maria = await startMariaDb();
  postgres = await startPostgres();
  hang = await startHangServer();
}, 60000);

afterAll(async () => {
  await Promise.all([hang?.close(), maria?.stop(), postgres?.stop()]);
});

test('request: the leading "/" ldirectord adds is stripped, nothing else', () => {
  expect(sqlQuery('/SELECT 1')).toBe('SELECT 1');
  expect(sqlQuery('SELECT 1')).toBe('SELECT 1');
  expect(sqlQuery('/')).toBe('');
  expect(sqlQuery(undefined)).toBe('');
});

interface Case { service: ServiceName; check: CheckFn; label: string; server: () => MariaDb | Postgres; denied: RegExp }
const cases: Case[] = [
  { service: 'mysql', check: checkMysql, label: 'MySQL', server: () => maria, denied: /Access denied for user 'tslvs'/ },
  { service: 'pgsql', check: checkPgsql, label: 'PostgreSQL', server: () => postgres, denied: /password authentication failed for user "tslvs"/ },
];

describe.each(cases)('$service', ({ service, check, label, server, denied }) => {
  const opts = (extra = {}) => {
    const s = server();
    return serviceOptions(service, { login: s.user, passwd: s.passwd, database: s.database, request: '/SELECT name FROM real_status WHERE enabled = 1', ...extra });
  };

  test('up: the SELECT returns a row', async () => {
    const res = await check(targetPort(server().port), opts(), AbortSignal.timeout(2000));
    expect(res).toMatchObject({ up: true, message: `${label} 127.0.0.1:${server().port}: query returned 1 row` });
  });

  test('down: the SELECT returns no rows', async () => {
    const res = await check(targetPort(server().port), opts({ request: '/SELECT name FROM real_status WHERE enabled = 7' }), AbortSignal.timeout(2000));
    expect(res).toMatchObject({ up: false, message: `${label} 127.0.0.1:${server().port}: query returned no rows` });
  });

  test('down: wrong password, and the password is not in the message', async () => {
    const passwd = 'Not-The-Db-Password-5';
    const res = await check(targetPort(server().port), opts({ passwd }), AbortSignal.timeout(2000));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/connect as tslvs to chk failed: /);
    expect(res.message).toMatch(denied);
    expect(res.message).not.toContain(passwd);
  });

  test('down: the query fails (no such table)', async () => {
    const res = await check(targetPort(server().port), opts({ request: '/SELECT * FROM no_such_table' }), AbortSignal.timeout(2000));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/query failed: .*no_such_table/);
  });

  test('down without connecting: login and request are required, as in ldirectord', async () => {
    const noLogin = await check(targetPort(server().port), opts({ login: undefined }), AbortSignal.timeout(2000));
    const noRequest = await check(targetPort(server().port), opts({ request: '/' }), AbortSignal.timeout(2000));
    for (const res of [noLogin, noRequest]) {
      expect(res).toMatchObject({ up: false, message: `${label} 127.0.0.1:${server().port}: must specify a login and request string` });
    }
  });

  test('down: connection refused', async () => {
    const port = await freePort();
    const res = await check(targetPort(port), opts(), AbortSignal.timeout(1500));
    expect(res.up).toBe(false);
    expect(res.message).toMatch(new RegExp(`^${label} 127\\.0\\.0\\.1:${port}: connect as tslvs to chk failed: .*(refused|ECONNREFUSED)`));
  });

  test('down: accepts and never answers → one timeout, sockets closed', async () => {
    const before = socketHandles();
    const { res, wallMs } = await timed((s) => check(targetPort(hang.port), opts({ timeoutMs: 1000 }), s), 1000);
    expect(res.up).toBe(false);
    expect(res.message).toMatch(/connect as tslvs to chk failed: timed out$/);
    expect(wallMs).toBeLessThan(1500);
    await expectSocketsBackTo(before);
  });
});
