// The common start of pop and imap: connect (TLS for pops/imaps, under the checks' one TLS
// policy) and read the greeting.
import type { CheckOptions, CheckTarget } from '../types.js';
import { LineClient } from './line-client.js';

export async function openMailbox(
  target: CheckTarget, options: CheckOptions, secure: boolean, signal: AbortSignal,
): Promise<{ client: LineClient; greeting: string }> {
  const client = await LineClient.connect({
    host: target.address, port: target.port, signal,
    ...(secure ? { tls: { verify: options.tlsVerify, name: options.virtualhost || target.address } } : {}),
  });
  try {
    return { client, greeting: await client.readLine() };
  } catch (err) {
    client.close();
    throw err;
  }
}
