// A throw-away tinyproxy on loopback: a plain HTTP forward proxy (the http_proxy real server).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './net.js';
import { requireBinary, spawnDaemon, tempDir, waitForTcp } from './foreground.js';

export async function startTinyproxy(): Promise<{ port: number; stop(): Promise<void> }> {
  const bin = requireBinary('/usr/bin/tinyproxy', 'tinyproxy');
  const tmp = tempDir('tinyproxy');
  const port = await freePort();
  const conf = path.join(tmp.dir, 'tinyproxy.conf');
  const user = process.getuid?.() === 0 ? 'User root\nGroup root\n' : '';
  writeFileSync(conf, `${user}Port ${port}\nListen 127.0.0.1\nTimeout 10\nMaxClients 20\nAllow 127.0.0.1\nLogLevel Warning\nDisableViaHeader Yes\nPidFile "${tmp.dir}/tinyproxy.pid"\n`);
  const daemon = spawnDaemon(bin, ['-d', '-c', conf]);
  try {
    await waitForTcp('127.0.0.1', port, daemon);
  } catch (e) {
    await daemon.stop();
    tmp.remove();
    throw e;
  }
  return { port, stop: async () => { await daemon.stop(); tmp.remove(); } };
}
