// The README's first command: the demo runs the real daemon on the simulated table with local
// servers, and a newcomer sees ldirectord's lines and the table change.
import { runDemo } from '../src/demo/demo.js';

test('tslvs demo: servers checked, one fails, the table follows, Ctrl-C stops cleanly', async () => {
  let out = '';
  const code = await runDemo({ seconds: 7, flapMs: 2500, write: (t) => { out += t; } });
  expect(code).toBe(0);
  const lines = out.split('\n').map((l) => l.replace(/^\[[^\]]*\] /, ''));
  expect(lines).toEqual(expect.arrayContaining([
    'Added virtual server: 127.0.0.200:80',
    'Added real server: 127.0.0.1:18081 (127.0.0.200:80) (Weight set to 2)',
    'Added real server: 127.0.0.1:18082 (127.0.0.200:80) (Weight set to 1)',
    'Soft failure real server: 127.0.0.1:18082 (tcp:127.0.0.200:80) failure 1/2',
    'Purged virtual server (stop): 127.0.0.200:80',
    'Linux Director Daemon terminated on signal: TERM',
  ]));
  expect(out).toContain('TCP  127.0.0.200:80 wrr');
}, 30_000);
