// pop / pops negotiate check, after ldirectord's check_pop (Mail::POP3Client):
// the greeting must be "+OK"; when `login` is set, USER must get "+…", PASS "+OK" and STAT "+OK"
// (Mail::POP3Client's Login_Pass), then QUIT. pops is POP3 inside TLS from the first byte.
// Deliberate difference: ldirectord without a login reports the server up whatever happens
// (Mail::POP3Client->new returns an object even when the connection fails); tslvs requires the
// +OK greeting. ldirectord may try APOP or CRAM-MD5 first when the server offers them; tslvs
// uses USER/PASS only.
// Reads: options.service, login, passwd, tlsVerify, virtualhost (tlsVerify=full only).
import type { CheckFn } from './types.js';
import type { LineClient } from './util/line-client.js';
import { describeError, hostPort, oneLine, result, startTimer, withRedaction } from './util/result.js';
import { openMailbox } from './util/mailbox.js';

export const checkPop: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const secure = options.service === 'pops';
  const label = `${secure ? 'POPS' : 'POP'} ${hostPort(target.address, target.port)}`;
  let client: LineClient | undefined;
  try {
    const opened = await openMailbox(target, options, secure, signal);
    client = opened.client;
    const greeting = opened.greeting;
    if (!/^\+OK/i.test(greeting)) return result(elapsed, false, `${label}: greeting "${oneLine(greeting)}"`);
    const login = options.login ?? '';
    if (login !== '') {
      if (/[\r\n]/.test(login + (options.passwd ?? ''))) {
        return result(elapsed, false, `${label}: login or passwd contains a line break`);
      }
      client.write(`USER ${login}\r\n`);
      const user = await client.readLine();
      if (!user.startsWith('+')) return result(elapsed, false, `${label}: USER ${login} refused: ${oneLine(user)}`);
      client.write(`PASS ${options.passwd ?? ''}\r\n`);
      const pass = await client.readLine();
      if (!/^\+OK/.test(pass)) return result(elapsed, false, `${label}: login as ${login} failed: ${oneLine(pass)}`);
      client.write('STAT\r\n');
      const stat = await client.readLine();
      if (!/^\+OK/.test(stat)) return result(elapsed, false, `${label}: STAT after login failed: ${oneLine(stat)}`);
    }
    client.write('QUIT\r\n');
    return result(elapsed, true, login !== '' ? `${label}: +OK, logged in as ${login}` : `${label}: +OK greeting`);
  } catch (err) {
    return result(elapsed, false, `${label}: ${describeError(err, signal)}`);
  } finally {
    client?.close();
  }
});
