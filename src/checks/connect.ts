// checktype=connect: ldirectord's check_connect opens a socket to RIP:checkport within
// checktimeout and closes it at once. Nothing is read, so a server that accepts and never
// answers counts as up. For a UDP virtual ldirectord pings instead (_check_real), and so do we.
// Reads: timeoutMs (checktimeout), and for UDP virtuals what checkPing reads (checkcount).
import net from 'node:net';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';
import { checkPing } from './ping.js';

export const checkConnect: CheckFn = withRedaction(async (target, options, signal) => {
  if (target.virtual.protocol === 'udp') return checkPing(target, options, signal);
  const elapsed = startTimer();
  const where = `TCP connect to ${hostPort(target.address, target.port)}`;
  if (target.virtual.protocol === 'sctp') {
    // ldirectord opens an SCTP stream socket here; Node has no SCTP sockets.
    return result(elapsed, false, `${where.replace('TCP', 'SCTP')}: SCTP connect checks are not supported`);
  }
  if (signal.aborted) return result(elapsed, false, `${where}: timed out`);
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port });
    const finish = (up: boolean, why: string) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result(elapsed, up, `${where}: ${why}`));
    };
    const onAbort = () => finish(false, 'timed out');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true, 'connected'));
    socket.once('error', (err) => finish(false, describeError(err, signal)));
  });
});
