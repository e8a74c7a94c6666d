// service=nntp: ldirectord's check_nntp connects to RIP:checkport, waits for the greeting,
// reads (up to 64 bytes of) it and calls the server up when it starts with "2" (200 posting
// allowed, 201 no posting), down on anything else (400 service unavailable, 502 no permission),
// on a refused connection, or when nothing arrives. Nothing is sent: the connection is closed
// right after the greeting. Timeout: negotiatetimeout (ldirectord applies it to the connect and
// again to the wait; tslvs bounds both together).
// Reads: timeoutMs.
import net from 'node:net';
import type { CheckFn } from './types.js';
import { describeError, hostPort, result, startTimer, withRedaction } from './util/result.js';

export const checkNntp: CheckFn = withRedaction(async (target, _options, signal) => {
  const elapsed = startTimer();
  const where = `NNTP ${hostPort(target.address, target.port)}`;
  if (signal.aborted) return result(elapsed, false, `${where}: timed out`);
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.address, port: target.port });
    let settled = false;
    const finish = (up: boolean, why: string) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result(elapsed, up, `${where}: ${why}`));
    };
    const onAbort = () => finish(false, 'timed out waiting for the greeting');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('data', (chunk: Buffer) => {
      const greeting = chunk.subarray(0, 64).toString('latin1');
      const first = greeting.split(/\r?\n/)[0]!.slice(0, 80);
      finish(greeting.startsWith('2'), `greeting ${JSON.stringify(first)}`);
    });
    socket.once('end', () => finish(false, 'closed without a greeting'));
    socket.once('error', (err) => finish(false, describeError(err, signal)));
  });
});
