// imap / imaps negotiate check, after ldirectord's check_imap/check_imaps (Net::IMAP::Simple):
// the greeting must be "* OK" or "* PREAUTH"; when `login` is set, LOGIN must end in a tagged OK;
// then LOGOUT. imaps is IMAP inside TLS from the first byte.
// Deliberate difference: ldirectord's imap check always connects to port 143 (Net::IMAP::Simple
// ignores its port option for a numeric address; imaps likewise always uses 993); tslvs uses the
// target's port (checkport, else the real's port).
// Reads: options.service, login, passwd, tlsVerify, virtualhost (tlsVerify=full only).
import type { CheckFn } from './types.js';
import type { LineClient } from './util/line-client.js';
import { describeError, hostPort, oneLine, result, startTimer, withRedaction } from './util/result.js';
import { openMailbox } from './util/mailbox.js';

/** An IMAP quoted string (RFC 3501): backslash and double quote escaped. */
function quoted(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export const checkImap: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const secure = options.service === 'imaps';
  const label = `${secure ? 'IMAPS' : 'IMAP'} ${hostPort(target.address, target.port)}`;
  let client: LineClient | undefined;
  try {
    const opened = await openMailbox(target, options, secure, signal);
    client = opened.client;
    const greeting = opened.greeting;
    if (!/^\*\s+(?:OK|PREAUTH)/i.test(greeting)) {
      return result(elapsed, false, `${label}: greeting "${oneLine(greeting)}"`);
    }
    const login = options.login ?? '';
    if (login !== '') {
      if (/[\r\n]/.test(login + (options.passwd ?? ''))) {
        return result(elapsed, false, `${label}: login or passwd contains a line break`);
      }
      client.write(`L1 LOGIN ${quoted(login)} ${quoted(options.passwd ?? '')}\r\n`);
      // Untagged lines (capabilities, alerts) may come first; the tagged one decides.
      const lines = await client.readUntil((l) => /^L1 /i.test(l));
      const tagged = lines[lines.length - 1];
      if (!/^L1 OK/i.test(tagged)) {
        return result(elapsed, false, `${label}: login as ${login} failed: ${oneLine(tagged.slice(3))}`);
      }
    }
    client.write('L2 LOGOUT\r\n');
    return result(elapsed, true, login !== '' ? `${label}: OK, logged in as ${login}` : `${label}: OK greeting`);
  } catch (err) {
    return result(elapsed, false, `${label}: ${describeError(err, signal)}`);
  } finally {
    client?.close();
  }
});
