// mysql and pgsql negotiate checks, after ldirectord's check_sql (DBI): both need `login` and a
// `request` (the SQL, with the leading "/" ldirectord's config adds stripped); they connect to
// `database` as `login`/`passwd`, run the request, and are up when it returns at least one row
// (or, for a statement that is not a SELECT, affects at least one). `receive` is not used.
// Deliberate differences: ldirectord runs the statement twice (execute, then execute again
// before counting rows) and has no timeout at all on connect or query; tslvs runs it once and
// is bounded by the check's deadline. ldirectord connects without TLS; so do we.
// Reads: options.login, passwd, database, request.
import net from 'node:net';
import mysql from 'mysql2';
import pg from 'pg';
import type { CheckFn, CheckOptions, CheckResult, CheckTarget } from './types.js';
import { describeError, hostPort, oneLine, result, startTimer, withRedaction } from './util/result.js';
import { untilAbort } from './util/deadline.js';

/** The SQL to run: `request` with one leading "/" removed (ldirectord's s#^/##). */
export function sqlQuery(request: string | undefined): string {
  return (request ?? '').replace(/^\//, '').trim();
}

/** A database session reduced to what the check needs. */
export interface SqlSession {
  /** Connects; rejects with the server's reason. */
  connect(): Promise<void>;
  /** Runs the statement; resolves with rows returned (SELECT) or affected (other statements). */
  rows(sql: string): Promise<number>;
  /** Closes the connection now, whatever state it is in. Must not throw. */
  destroy(): void;
}

/** The shared SELECT logic for mysql, pgsql and oracle. */
export async function runSqlCheck(
  name: string, target: CheckTarget, options: CheckOptions, signal: AbortSignal,
  open: () => SqlSession,
): Promise<CheckResult> {
  const elapsed = startTimer();
  const label = `${name} ${hostPort(target.address, target.port)}`;
  const sql = sqlQuery(options.request);
  if (!options.login || !sql) {
    // ldirectord: "Must specify a login and request string for MySQL, Oracle and PostgreSQL checks."
    return result(elapsed, false, `${label}: must specify a login and request string`);
  }
  let session: SqlSession | undefined;
  const onAbort = () => session?.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  let step = `connect as ${options.login}${options.database ? ` to ${options.database}` : ''}`;
  try {
    session = open();
    await untilAbort(session.connect(), signal);
    step = 'query';
    const n = await untilAbort(session.rows(sql), signal);
    if (n > 0) return result(elapsed, true, `${label}: query returned ${n} row${n === 1 ? '' : 's'}`);
    return result(elapsed, false, `${label}: query returned no rows`);
  } catch (err) {
    return result(elapsed, false, `${label}: ${step} failed: ${oneLine(describeError(err, signal))}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    session?.destroy();
  }
}

function mysqlSession(target: CheckTarget, options: CheckOptions): SqlSession {
  const conn = mysql.createConnection({
    host: target.address,
    port: target.port,
    user: options.login,
    password: options.passwd ?? '',
    database: options.database || undefined,
    connectTimeout: options.timeoutMs,
    multipleStatements: false,
  });
  // Errors also reach the pending callbacks; this keeps a late fatal error from being unhandled.
  conn.on('error', () => {});
  return {
    connect: () => new Promise((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve()))),
    rows: (sql) => new Promise((resolve, reject) => {
      conn.query(sql, (err, res) => {
        if (err) { reject(err); return; }
        if (Array.isArray(res)) {
          // A SELECT gives its rows; a multi-result reply gives one array per statement.
          const last = res.length > 0 && Array.isArray(res[res.length - 1]) ? res[res.length - 1] as unknown[] : res;
          resolve(last.length);
        } else {
          resolve((res as mysql.ResultSetHeader).affectedRows ?? 0);
        }
      });
    }),
    destroy: () => { try { conn.destroy(); } catch { /* already gone */ } },
  };
}

function pgSession(target: CheckTarget, options: CheckOptions): SqlSession {
  const client = new pg.Client({
    host: target.address,
    port: target.port,
    user: options.login,
    password: options.passwd ?? '',
    database: options.database || undefined,
    connectionTimeoutMillis: options.timeoutMs,
  });
  client.on('error', () => {});
  return {
    connect: async () => { await client.connect(); },
    rows: async (sql) => {
      const res = await client.query(sql);
      // The simple protocol returns one result per statement; the last one counts.
      const last = Array.isArray(res) ? (res as pg.QueryResult[])[(res as pg.QueryResult[]).length - 1] : res;
      return last?.rowCount ?? last?.rows.length ?? 0;
    },
    destroy: () => {
      client.end().catch(() => {});
      // end() only half-closes a connection still in its handshake; a server that never answers
      // would keep the socket open, so destroy the stream (pg exposes it only internally).
      const stream = (client as unknown as { connection?: { stream?: net.Socket } }).connection?.stream;
      stream?.destroy();
    },
  };
}

export const checkMysql: CheckFn = withRedaction((target, options, signal) =>
  runSqlCheck('MySQL', target, options, signal, () => mysqlSession(target, options)));

export const checkPgsql: CheckFn = withRedaction((target, options, signal) =>
  runSqlCheck('PostgreSQL', target, options, signal, () => pgSession(target, options)));
