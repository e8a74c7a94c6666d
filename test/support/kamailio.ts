// A throw-away kamailio on loopback (UDP and TCP on one high port) answering OPTIONS:
// 200 OK for sip:alive@..., 404 for any other user.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import dgram from 'node:dgram';
import { freePort } from './net.js';
import { requireBinary, spawnDaemon, tempDir, waitForTcp } from './foreground.js';

export async function startKamailio(): Promise<{ port: number; stop(): Promise<void> }> {
  const bin = requireBinary('/usr/sbin/kamailio', 'kamailio');
  const tmp = tempDir('kamailio');
  let port = await freePort();
  // The port must be free for UDP too.
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => { s.close(); resolve(false); });
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) break;
    port = await freePort();
  }
  const cfg = path.join(tmp.dir, 'kamailio.cfg');
  writeFileSync(cfg, `#!KAMAILIO
debug=1
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "sl.so"
loadmodule "pv.so"
request_route {
  if ($rm == "OPTIONS") {
    if ($rU == "alive") {
      sl_send_reply("200", "OK");
      exit;
    }
    sl_send_reply("404", "Not Found");
    exit;
  }
  sl_send_reply("501", "Not Implemented");
}
`);
  const daemon = spawnDaemon(bin, ['-f', cfg, '-DD', '-E', '-m', '32', '-M', '4', '-P', path.join(tmp.dir, 'kamailio.pid'), '-w', tmp.dir]);
  try {
    await waitForTcp('127.0.0.1', port, daemon, 15000);
  } catch (e) {
    await daemon.stop();
    tmp.remove();
    throw e;
  }
  return { port, stop: async () => { await daemon.stop(); tmp.remove(); } };
}
