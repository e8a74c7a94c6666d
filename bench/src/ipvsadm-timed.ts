// Timestamping wrapper around the stand-in ipvsadm (dist/ipvs/sim/standin-main.js).
// Runs the stand-in in this same process (no extra exec), then appends one JSON line
// {pid, t0, t1, code} to $BENCH_TIMED_LOG: t0 = process start, t1 = after the table was
// written. The stand-in's own exec log ($TSLVS_IPVS_EXEC_LOG) has args and stdin of the same
// call; the harness pairs the two logs by pid, in order.
import { appendFileSync } from 'node:fs';
import { now } from './common.js';

const log = process.env['BENCH_TIMED_LOG'];
const standin = process.env['BENCH_STANDIN_MAIN'];
if (!standin) {
  process.stderr.write('ipvsadm-timed: BENCH_STANDIN_MAIN is not set\n');
  process.exit(2);
}
const t0 = performance.timeOrigin;
process.on('exit', (code) => {
  if (log) appendFileSync(log, JSON.stringify({ pid: process.pid, t0, t1: now(), code }) + '\n');
});
await import(standin);
