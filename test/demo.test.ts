// The README's first command: the demo runs the real daemon on the simulated table with local
// servers, and a newcomer sees ldirectord's lines and the table change. Its servers take free
// ports: the config's own 18081/18082/18089 being busy must not stop it.
import net from 'node:net';
import { runDemo } from '../src/demo/demo.js';

/** Occupies the config's fixed ports where they are free (others are busy already). */
async function occupy(ports: number[]): Promise<net.Server[]> {
  const held: net.Server[] = [];
  for (const port of ports) {
    const s = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) held.push(s);
  }
  return held;
}

test('tslvs demo: servers checked, one fails, the table follows, Ctrl-C stops cleanly (its fixed ports busy)', async () => {
  const held = await occupy([18081, 18082, 18089]);
  let out = '';
  let code: number;
  try {
    code = await runDemo({ seconds: 7, flapMs: 2500, write: (t) => { out += t; } });
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
  expect(code).toBe(0);
  const lines = out.split('\n').map((l) => l.replace(/^\[[^\]]*\] /, ''));
  // The banner names the servers in config order (the weight-2 real, the flapping weight-1 one,
  // the fallback); each real joins when its own first check passes, so in either order.
  const banner = /real servers on 127\.0\.0\.1:(\d+), 127\.0\.0\.1:(\d+), 127\.0\.0\.1:(\d+);/.exec(out);
  expect(banner).not.toBeNull();
  const ports = banner!.slice(1).map(Number);
  for (const p of ports) expect([18081, 18082, 18089]).not.toContain(p);
  const [p1, p2] = ports as [number, number];
  expect([...out.matchAll(/Added real server: /g)].length).toBeGreaterThanOrEqual(2);
  expect(lines).toEqual(expect.arrayContaining([
    'Added virtual server: 127.0.0.200:80',
    `Added real server: 127.0.0.1:${p1} (127.0.0.200:80) (Weight set to 2)`,
    `Added real server: 127.0.0.1:${p2} (127.0.0.200:80) (Weight set to 1)`,
    `Soft failure real server: 127.0.0.1:${p2} (tcp:127.0.0.200:80) failure 1/2`,
    'Purged virtual server (stop): 127.0.0.200:80',
    'Linux Director Daemon terminated on signal: TERM',
  ]));
  expect(out).toContain('TCP  127.0.0.200:80 wrr');
}, 30_000);
