// A throw-away dnsmasq answering only from its own records on 127.0.0.1 (no upstream, no
// /etc/hosts, no resolv.conf): www.tslvs.test A 10.9.8.7 (+PTR), v6.tslvs.test AAAA/PTR.
import { freePort } from './net.js';
import { requireBinary, spawnDaemon, tempDir } from './foreground.js';
import dgram from 'node:dgram';

async function freeUdpPort(): Promise<number> {
  // A port free for TCP and UDP alike (dnsmasq binds both).
  for (;;) {
    const port = await freePort();
    const ok = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => { s.close(); resolve(false); });
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

export async function startDnsmasq(): Promise<{ port: number; stop(): Promise<void> }> {
  const bin = requireBinary('/usr/sbin/dnsmasq', 'dnsmasq-base');
  const tmp = tempDir('dnsmasq');
  const port = await freeUdpPort();
  const args = [
    '--keep-in-foreground', '--conf-file=/dev/null', `--port=${port}`, '--listen-address=127.0.0.1',
    '--bind-interfaces', '--no-resolv', '--no-hosts', '--no-poll', `--pid-file=${tmp.dir}/dnsmasq.pid`,
    '--log-facility=-', '--host-record=www.tslvs.test,10.9.8.7', '--host-record=v6.tslvs.test,2001:db8::53',
    '--address=/alias.tslvs.test/10.9.8.8',
  ];
  if (process.getuid?.() === 0) args.push('--user=root');
  const daemon = spawnDaemon(bin, args);
  // Ready when it answers a query (polled with a raw question for www.tslvs.test).
  const query = Buffer.from('abcd01000001000000000000037777770574736c7673047465737400000100 01'.replace(/ /g, ''), 'hex');
  const until = Date.now() + 10000;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      const t = setTimeout(() => { s.close(); resolve(false); }, 200);
      s.once('message', () => { clearTimeout(t); s.close(); resolve(true); });
      s.once('error', () => { clearTimeout(t); s.close(); resolve(false); });
      s.send(query, port, '127.0.0.1');
    });
    if (answered) break;
    if (daemon.child.exitCode !== null || Date.now() > until) {
      await daemon.stop();
      tmp.remove();
      throw new Error(`dnsmasq did not answer on 127.0.0.1:${port}:\n${daemon.output()}`);
    }
  }
  return { port, stop: async () => { await daemon.stop(); tmp.remove(); } };
}
