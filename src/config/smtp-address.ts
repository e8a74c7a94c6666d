// The `smtp=` value. ldirectord 4.12 keeps the leading run of [0-9A-Za-z._+-] and silently drops
// the rest, so `smtp=mail:2525` sends to port 25 (Net::SMTP would honour "host:port", but never
// sees it). tslvs keeps a port after that run and accepts `[v6]` / `[v6]:port`; a ":" that does
// not start a valid port is an error rather than a silent port 25 (docs/COMPATIBILITY.md).
import net from 'node:net';

const NAME = /^[0-9A-Za-z._+-]+/;
const PORT = /^:(\d{1,5})(?=\s|$)/;
const BRACKETED = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?(?=\s|$)/;

const validPort = (digits: string | undefined) => digits === undefined || (Number(digits) >= 1 && Number(digits) <= 65535);

/** `host`, `host:port`, `[v6]` or `[v6]:port` as written, or undefined ("invalid SMTP server address"). */
export function smtpAddress(value: string): string | undefined {
  const v6 = BRACKETED.exec(value);
  if (v6) return net.isIPv6(v6[1]!) && validPort(v6[2]) ? v6[0] : undefined;
  const name = NAME.exec(value)?.[0];
  if (name === undefined) return undefined;
  const rest = value.slice(name.length);
  if (!rest.startsWith(':')) return name; // ldirectord's prefix match: trailing text is ignored
  const port = PORT.exec(rest)?.[1];
  return port !== undefined && validPort(port) ? `${name}:${port}` : undefined;
}
