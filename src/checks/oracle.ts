// oracle negotiate check, after ldirectord's check_oracle → check_sql(DBD::Oracle, "sid"):
// connect to SID `database` on the real's host and port as `login`/`passwd`, run `request`,
// up when at least one row comes back. Same rules as sql.ts (login and request required,
// leading "/" stripped, statement run once, bounded by the deadline).
// Uses node-oracledb in thin mode (pure JavaScript, no Oracle client libraries).
// The connect descriptor names the SID, as DBI's "dbi:Oracle:sid=…;host=…;port=…" does.
// Verified only against a scripted TNS listener (see docs/CHECKS.md): no Oracle server here.
// Reads: options.login, passwd, database, request.
import oracledb from 'oracledb';
import type { CheckFn, CheckTarget, CheckOptions } from './types.js';
import { runSqlCheck, type SqlSession } from './sql.js';
import { withRedaction } from './util/result.js';

/** Characters that would break out of a TNS descriptor value. */
const TNS_UNSAFE = /[()=\s"'\\]/;

export function oracleDescriptor(target: CheckTarget, sid: string, timeoutMs?: number): string {
  const host = target.address;
  // oracledb's connectTimeout option takes whole seconds only; the descriptor's value may be
  // fractional (the thin driver multiplies it by 1000), so the driver's own socket timer fires
  // with our deadline.
  const timeouts = timeoutMs === undefined ? ''
    : `(CONNECT_TIMEOUT=${timeoutMs / 1000})(TRANSPORT_CONNECT_TIMEOUT=${timeoutMs / 1000})`;
  return `(DESCRIPTION=${timeouts}(ADDRESS=(PROTOCOL=TCP)(HOST=${host})(PORT=${target.port}))(CONNECT_DATA=(SID=${sid})))`;
}

function oracleSession(target: CheckTarget, options: CheckOptions): SqlSession {
  let conn: oracledb.Connection | undefined;
  let destroyed = false;
  const closeQuietly = (c: oracledb.Connection) => { c.close().catch(() => {}); };
  return {
    connect: async () => {
      const sid = options.database ?? '';
      if (TNS_UNSAFE.test(sid)) throw new Error('database (SID) contains characters not allowed in a TNS descriptor');
      // The descriptor carries the (fractional) timeouts: oracledb tears its own socket down at
      // the same moment our deadline fires. retryCount 0: one attempt, like DBI.
      const c = await oracledb.getConnection({
        user: options.login,
        password: options.passwd ?? '',
        connectString: oracleDescriptor(target, sid, options.timeoutMs),
        retryCount: 0,
      });
      if (destroyed) { closeQuietly(c); throw new Error('timed out'); }
      c.callTimeout = Math.max(1, Math.floor(options.timeoutMs));
      conn = c;
    },
    rows: async (sql) => {
      if (!conn) throw new Error('not connected');
      const res = await conn.execute(sql, [], { maxRows: 1 });
      return res.rows ? res.rows.length : (res.rowsAffected ?? 0);
    },
    destroy: () => {
      destroyed = true;
      if (conn) { closeQuietly(conn); conn = undefined; }
    },
  };
}

export const checkOracle: CheckFn = withRedaction((target, options, signal) =>
  runSqlCheck('Oracle', target, options, signal, () => oracleSession(target, options)));
