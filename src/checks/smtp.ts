// smtp / submission negotiate check, as ldirectord's check_smtp (Net::SMTP->new then quit):
// the greeting must be 2xx, then EHLO must be 2xx — or, when EHLO is refused with 5xx, HELO must
// be 2xx — then QUIT. Net::SMTP greets as "localhost.localdomain" when given no Hello name;
// we send the same. No STARTTLS, no AUTH: ldirectord does neither.
// Reads: options.service (label only). Timeout: the caller's deadline (ldirectord: negotiatetimeout).
import type { CheckFn } from './types.js';
import { LineClient } from './util/line-client.js';
import { describeError, hostPort, oneLine, result, startTimer, withRedaction } from './util/result.js';

export interface SmtpReply { code: number; text: string }

/** One (possibly multi-line "250-…" … "250 …") SMTP reply. A line that is not "NNN[ -]…" ends
 * the reply with code 0, which no caller accepts. */
export async function readSmtpReply(client: LineClient): Promise<SmtpReply> {
  const lines = await client.readUntil((l) => !/^\d{3}-/.test(l));
  const last = lines[lines.length - 1];
  const m = /^(\d{3})(?: |$)(.*)$/.exec(last);
  if (!m) return { code: 0, text: oneLine(last) };
  return { code: Number(m[1]), text: oneLine(lines.map((l) => l.slice(4)).join(' / ')) };
}

const is2xx = (r: SmtpReply) => r.code >= 200 && r.code < 300;
const show = (r: SmtpReply) => (r.code ? `${r.code} ${r.text}` : `unexpected reply "${r.text}"`);

export const checkSmtp: CheckFn = withRedaction(async (target, options, signal) => {
  const elapsed = startTimer();
  const label = `${options.service === 'submission' ? 'SUBMISSION' : 'SMTP'} ${hostPort(target.address, target.port)}`;
  let client: LineClient | undefined;
  try {
    client = await LineClient.connect({ host: target.address, port: target.port, signal });
    const greeting = await readSmtpReply(client);
    if (!is2xx(greeting)) return result(elapsed, false, `${label}: greeting ${show(greeting)}`);
    client.write('EHLO localhost.localdomain\r\n');
    let hello = await readSmtpReply(client);
    let verb = 'EHLO';
    if (hello.code >= 500 && hello.code < 600) {
      // Net::SMTP falls back to HELO only on a permanent (5xx) EHLO failure.
      client.write('HELO localhost.localdomain\r\n');
      hello = await readSmtpReply(client);
      verb = 'HELO';
    }
    if (!is2xx(hello)) return result(elapsed, false, `${label}: ${verb} ${show(hello)}`);
    // The QUIT reply does not change the verdict (ldirectord ignores it too): send and go.
    client.write('QUIT\r\n');
    return result(elapsed, true, `${label}: greeting ${greeting.code}, ${verb} ${hello.code}`);
  } catch (err) {
    return result(elapsed, false, `${label}: ${describeError(err, signal)}`);
  } finally {
    client?.close();
  }
});
