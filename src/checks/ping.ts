// checktype=ping (and checktype=connect on UDP virtuals): ldirectord's check_ping sends up to
// `checkcount` ICMP echo requests and calls the real up at the first reply.
//
// Why iputils `ping` and not a socket: Node has no raw or ICMP datagram sockets, so sending
// echo requests ourselves would need a native addon (and CAP_NET_RAW); iputils ping is on
// every Debian host, already privileged (file capability or ping_group_range), handles IPv4
// and IPv6, and is run here with explicit argv (no shell) and `-n` (never a reverse lookup).
//
// Difference: ldirectord gives each attempt its own checktimeout (worst case
// checkcount x checktimeout); tslvs spreads the attempts over the one deadline `timeoutMs`, so a
// probe never outlives its round slot. Reads: timeoutMs, checkcount.
import { execa } from 'execa';
import type { CheckFn } from './types.js';
import { result, startTimer, withRedaction } from './util/result.js';

export const checkPing: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const count = Math.max(1, Math.floor(options.checkcount || 1));
  const where = `ICMP echo to ${target.address} (${count} request${count === 1 ? '' : 's'})`;
  if (signal.aborted) return result(elapsed, false, `${where}: timed out`);
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  // iputils lets any user use intervals >= 0.2 s; spread the requests over the deadline.
  const interval = Math.max(0.2, options.timeoutMs / 1000 / count).toFixed(1);
  const args = ['-n', '-c', String(count), '-i', interval, '-w', String(seconds), target.address];
  return new Promise((resolve) => {
    let settled = false;
    let output = '';
    const child = execa('ping', args, {
      reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false,
      env: { LC_ALL: 'C' }, extendEnv: true,
    });
    const finish = (up: boolean, why: string) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve(result(elapsed, up, `${where}: ${why}`));
    };
    const onAbort = () => finish(false, 'timed out');
    signal.addEventListener('abort', onAbort, { once: true });
    const onData = (chunk: Buffer) => {
      output += chunk.toString('latin1');
      if (output.length > 8192) output = output.slice(-8192);
      // "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.03 ms": the first pong is enough.
      const reply = output.split('\n').find((l) => /bytes from .*icmp_seq=/.test(l));
      if (reply) finish(true, `reply: ${reply.trim()}`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish(false, err.code === 'ENOENT' ? 'ping (iputils-ping) is not installed' : `cannot run ping: ${err.message}`);
    });
    child.on('close', () => {
      const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
      const why = lines.find((l) => /unreachable|unknown|invalid|not permitted|usage/i.test(l))
        ?? lines.find((l) => /packets transmitted/.test(l)) ?? 'no reply';
      finish(false, why);
    });
    // execa also returns a promise; its result is read through the events above.
    child.catch(() => undefined);
  });
});
