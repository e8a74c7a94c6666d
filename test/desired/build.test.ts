// The desired table: ld_setup()'s -A flags, reals by health, quiescent/readdquiescent
// (_remove_service), the fallback (fallback_find/fallback_on/fallback_off), checktype on/off.
import { describe, expect, test } from '@jest/globals';
import type { Config } from '../../src/config/model.js';
import { desiredState, desiredTable, retiredServices } from '../../src/desired/build.js';
import { EMPTY_HEALTH } from '../../src/health/types.js';
import { initHealth } from '../../src/health/init.js';
import { recordOutcome } from '../../src/health/machine.js';
import type { HealthState } from '../../src/health/types.js';
import type { Table } from '../../src/ipvs/types.js';
import { cfg, fwm, real, svc, table, tableText, tcp } from '../reconcile/support.js';

/** Health with the listed reals ("VIRTUALINDEX/REALINDEX") up, every other real down. */
function healthWith(c: Config, up: string[]): HealthState {
  let h = initHealth(c);
  c.virtuals.forEach((v, vi) => v.reals.forEach((r, ri) => {
    h = recordOutcome(h, c, r.checkKey, { kind: up.includes(`${vi}/${ri}`) ? 'up' : 'down', message: '' }).health;
  }));
  return h;
}

function lines(c: Config, up: string[], observed: Table = table()): string[] {
  return tableText(desiredTable(desiredState(c, healthWith(c, up), observed)));
}

describe('virtual services as ld_setup() builds the -A flags', () => {
  test('scheduler, persistence, netmask only with -p, sched flags, -o only for udp', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:443
    scheduler=wlc
    persistent=300
    netmask=255.255.255.0
    schedflags=flag-1,flag-2
|virtual=10.0.0.1:53
    protocol=udp
    scheduler=sh
    ops=yes
    netmask=255.255.0.0
|virtual=10.0.0.1:80
    ops=yes
    persistent=60
    netmask=255.255.255.255
|virtual=5
    scheduler=rr
|virtual6=6
|virtual6=[2001:DB8::1]:80
    persistent=100
    netmask=64
`);
    const d = desiredState(c, EMPTY_HEALTH, table());
    expect(d.virtuals.map((v) => v.service)).toEqual([
      { id: tcp('10.0.0.1', 443), scheduler: 'wlc', schedFlags: ['flag-1', 'flag-2'], persistent: 300, netmask: '255.255.255.0', pe: undefined, ops: false },
      { id: { kind: 'addr', protocol: 'udp', address: '10.0.0.1', port: 53 }, scheduler: 'sh', schedFlags: [], persistent: undefined, netmask: undefined, pe: undefined, ops: true },
      { id: tcp('10.0.0.1', 80), scheduler: 'wrr', schedFlags: [], persistent: 60, netmask: undefined, pe: undefined, ops: false },
      { id: fwm(5), scheduler: 'rr', schedFlags: [], persistent: undefined, netmask: undefined, pe: undefined, ops: false },
      { id: fwm(6, 'inet6'), scheduler: 'wrr', schedFlags: [], persistent: undefined, netmask: undefined, pe: undefined, ops: false },
      { id: tcp('2001:db8::1', 80), scheduler: 'wrr', schedFlags: [], persistent: 100, netmask: '64', pe: undefined, ops: false },
    ]);
    expect(d.virtuals.map((v) => [v.virtualId, v.name])).toEqual([
      ['tcp:10.0.0.1:443', '10.0.0.1:443'], ['udp:10.0.0.1:53', '10.0.0.1:53'], ['tcp:10.0.0.1:80', '10.0.0.1:80'],
      ['fwm:5', '5'], ['fwm6:6', '6'], ['tcp:[2001:db8::1]:80', '[2001:db8::1]:80'],
    ]);
  });
});

describe('reals', () => {
  const text = `
|virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate 3 l:5 u:10
    real=10.0.0.3:8080 masq 2
    real=10.0.0.4:8080 ipip
    real=10.0.0.5:80 gate 0
|virtual=9
    real=10.0.0.2:8080 gate
    real=10.0.0.3 masq
`;

  test('an up real is in at its weight, thresholds and forwarding; gate/ipip take the virtual port', async () => {
    const c = await cfg(text);
    expect(lines(c, ['0/0', '0/1', '0/2', '0/3', '1/0', '1/1'])).toEqual([
      'FWM 9 inet wrr []\n  10.0.0.2:8080 Route w1 u0 l0\n  10.0.0.3:0 Masq w1 u0 l0',
      ['tcp 10.0.0.1:80 wrr []', '  10.0.0.2:80 Route w3 u10 l5', '  10.0.0.3:8080 Masq w2 u0 l0',
        '  10.0.0.4:80 Tunnel w1 u0 l0', '  10.0.0.5:80 Route w0 u0 l0'].join('\n'),
    ]);
    const d = desiredState(c, healthWith(c, ['0/0']), table());
    expect(d.virtuals[0]!.reals[0]).toMatchObject({ state: 'up', name: '10.0.0.2:8080', storedName: '10.0.0.2:80', role: 'real' });
  });

  test('a real is added only once its check passed: down or unchecked reals are left out', async () => {
    const c = await cfg(text);
    expect(lines(c, ['0/1'])).toEqual(['FWM 9 inet wrr []', 'tcp 10.0.0.1:80 wrr []\n  10.0.0.3:8080 Masq w2 u0 l0']);
    expect(tableText(desiredTable(desiredState(c, initHealth(c), table())))).toEqual(['FWM 9 inet wrr []', 'tcp 10.0.0.1:80 wrr []']);
  });

  test('quiescent: a down real in the table stays at weight 0; a missing one is re-added only with readdquiescent', async () => {
    const body = `
|virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate 3
    real=10.0.0.3:80 gate 2
    quiescent=yes
`;
    const observed = table(svc(tcp('10.0.0.1', 80), [real('10.0.0.2', 80, 3)]));
    const c = await cfg(body);
    expect(lines(c, [], observed)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w0 u0 l0']);
    const readd = await cfg(`|readdquiescent=yes\n${body}`);
    expect(lines(readd, [], observed)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w0 u0 l0\n  10.0.0.3:80 Route w0 u0 l0']);
    expect(desiredState(readd, healthWith(readd, []), observed).virtuals[0]!.reals.map((r) => r.state)).toEqual(['quiescent', 'quiescent']);
    const global = await cfg(`|quiescent=yes\n|virtual=10.0.0.1:80\n    real=10.0.0.2:8080 gate 3`);
    expect(lines(global, [], observed)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w0 u0 l0']);
    const overridden = await cfg(`|quiescent=yes\n|virtual=10.0.0.1:80\n    real=10.0.0.2:8080 gate 3\n    quiescent=no`);
    expect(lines(overridden, [], observed)).toEqual(['tcp 10.0.0.1:80 wrr []']);
  });
});

describe('fallback (fallback_find, fallback_on, fallback_off)', () => {
  test('the virtual fallback is in at weight 1 when no real is up, out when one is', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    real=10.0.0.3:80 gate
    fallback=127.0.0.1:8080 masq
`);
    expect(lines(c, [])).toEqual(['tcp 10.0.0.1:80 wrr []\n  127.0.0.1:8080 Masq w1 u0 l0']);
    expect(lines(c, ['0/1'])).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.3:80 Route w1 u0 l0']);
    const d = desiredState(c, healthWith(c, []), table());
    expect(d.virtuals[0]).toMatchObject({ anyRealUp: false });
    expect(d.virtuals[0]!.reals[0]).toMatchObject({ role: 'fallback', state: 'fallback', name: '127.0.0.1:8080' });
  });

  test('a quiescent real at weight 0 does not count as up', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    fallback=127.0.0.1 gate
    quiescent=yes
`);
    const observed = table(svc(tcp('10.0.0.1', 80), [real('10.0.0.2', 80, 1)]));
    expect(lines(c, [], observed)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w0 u0 l0\n  127.0.0.1:80 Route w1 u0 l0']);
  });

  test('global fallbacks: with a port as is; without one it takes the virtual port; fallback6 for IPv6', async () => {
    const withPort = await cfg(`|fallback=127.0.0.1:81 masq\n|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:53\n    real=10.0.0.2:53 gate`);
    expect(lines(withPort, [])).toEqual([
      'tcp 10.0.0.1:80 wrr []\n  127.0.0.1:81 Masq w1 u0 l0',
      'udp 10.0.0.1:53 wrr []\n  127.0.0.1:81 Masq w1 u0 l0',
    ]);
    const anon = await cfg(`|fallback=127.0.0.1 masq\n|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:443\n    real=10.0.0.2:443 gate`);
    expect(lines(anon, [])).toEqual([
      'tcp 10.0.0.1:443 wrr []\n  127.0.0.1:443 Masq w1 u0 l0',
      'tcp 10.0.0.1:80 wrr []\n  127.0.0.1:80 Masq w1 u0 l0',
    ]);
    const v6 = await cfg(`|fallback=127.0.0.1 masq\n|fallback6=[::1] masq\n|virtual6=[2001:db8::1]:80\n    real6=[2001:db8::2]:80 gate`);
    expect(lines(v6, [])).toEqual(['tcp 2001:db8::1:80 wrr []\n  ::1:80 Masq w1 u0 l0']);
    const noV6 = await cfg(`|fallback=127.0.0.1 masq\n|virtual6=[2001:db8::1]:80\n    real6=[2001:db8::2]:80 gate`);
    expect(lines(noV6, [])).toEqual(['tcp 2001:db8::1:80 wrr []']);
  });

  test('a gate fallback on another port is stored at the virtual port; fwmark virtuals use only their own fallback', async () => {
    const c = await cfg(`
|fallback=127.0.0.1:81 gate
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
|virtual=5
    real=10.0.0.2 gate
|virtual=6
    real=10.0.0.2 gate
    fallback=127.0.0.2 gate
`);
    expect(lines(c, [])).toEqual([
      'FWM 5 inet wrr []',
      'FWM 6 inet wrr []\n  127.0.0.2:0 Route w1 u0 l0',
      'tcp 10.0.0.1:80 wrr []\n  127.0.0.1:80 Route w1 u0 l0',
    ]);
    expect(desiredState(c, EMPTY_HEALTH, table()).virtuals[0]!.reals[0]).toMatchObject({ name: '127.0.0.1:81', storedName: '127.0.0.1:80' });
  });
});

describe('checktype on/off', () => {
  test('off: no real is ever up, the fallback stays; on: every real is up', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
    fallback=127.0.0.1:80 gate
    checktype=off
|virtual=10.0.0.1:81
    real=10.0.0.2:81 gate
    fallback=127.0.0.1:81 gate
    checktype=on
`);
    // even a health record claiming "up" does not bring an off real in
    let h = initHealth(c, table(svc(tcp('10.0.0.1', 80), [real('10.0.0.2', 80)])));
    expect(h.reals[c.virtuals[0]!.reals[0]!.checkKey]!.upIn['tcp:10.0.0.1:80']).toBe(true);
    expect(tableText(desiredTable(desiredState(c, h, table())))).toEqual([
      'tcp 10.0.0.1:80 wrr []\n  127.0.0.1:80 Route w1 u0 l0',
      'tcp 10.0.0.1:81 wrr []\n  10.0.0.2:81 Route w1 u0 l0',
    ]);
    // maintenance takes an "on" real out like any other
    h = recordOutcome(h, c, c.virtuals[1]!.reals[0]!.checkKey, { kind: 'maintenance' }).health;
    expect(tableText(desiredTable(desiredState(c, h, table())))[1]).toBe('tcp 10.0.0.1:81 wrr []\n  127.0.0.1:81 Route w1 u0 l0');
  });
});

describe('shared reals and extras', () => {
  test('one result for a real shared by two virtuals puts it into both', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.5:80 gate\n|virtual=10.0.0.9:80\n    real=10.0.0.5:80 gate`);
    const h = recordOutcome(initHealth(c), c, c.virtuals[0]!.reals[0]!.checkKey, { kind: 'up', message: '' }).health;
    expect(tableText(desiredTable(desiredState(c, h, table())))).toEqual([
      'tcp 10.0.0.1:80 wrr []\n  10.0.0.5:80 Route w1 u0 l0',
      'tcp 10.0.0.9:80 wrr []\n  10.0.0.5:80 Route w1 u0 l0',
    ]);
  });

  test('two gate reals that differ only in port share one IPVS entry; the up one wins', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:8080 gate 2\n    real=10.0.0.2:8081 gate 5\n    quiescent=yes`);
    const observed = table(svc(tcp('10.0.0.1', 80), [real('10.0.0.2', 80, 2)]));
    expect(lines(c, ['0/1'], observed)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w5 u0 l0']);
    expect(lines(c, [], observed)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w0 u0 l0']);
  });

  test('fallbackcommand: the virtual one, else the global one, with VIP:VPORT PROTO as ldirectord passes them', async () => {
    const c = await cfg(`
|fallbackcommand=/usr/local/bin/fb
|virtual=10.0.0.1:80
    real=10.0.0.2:80 gate
|virtual=10.0.0.1:53
    real=10.0.0.2:53 gate
    fallbackcommand=/bin/other
|virtual6=[2001:db8::1]:80
    real6=[2001:db8::2]:80 gate
|virtual=5
    real=10.0.0.2 gate
`);
    expect(desiredState(c, EMPTY_HEALTH, table()).virtuals.map((v) => v.fallbackCommand)).toEqual([
      { command: '/usr/local/bin/fb', target: '10.0.0.1:80', protocol: 'tcp' },
      { command: '/bin/other', target: '10.0.0.1:53', protocol: 'udp' },
      { command: '/usr/local/bin/fb', target: '[2001:db8::1]:80', protocol: 'tcp' },
      // $v->{server} is not set for fwmark virtuals and their port is 0
      { command: '/usr/local/bin/fb', target: ':0', protocol: 'fwm' },
    ]);
    const none = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate`);
    expect(desiredState(none, EMPTY_HEALTH, table()).virtuals[0]!.fallbackCommand).toBeUndefined();
  });

  test('cleanstop: the virtual setting, else the global one', async () => {
    const c = await cfg(`|cleanstop=no\n|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:81\n    cleanstop=yes`);
    expect(desiredState(c, EMPTY_HEALTH, table()).virtuals.map((v) => v.cleanstop)).toEqual([false, true]);
  });

  test('retiredServices lists the old virtuals the new config no longer has', async () => {
    const old = await cfg(`|virtual=10.0.0.1:80\n|virtual=10.0.0.1:81\n|virtual=5`);
    const next = await cfg(`|virtual=10.0.0.1:80\n|virtual=6`);
    expect(retiredServices(old, next)).toEqual([
      { id: tcp('10.0.0.1', 81), name: '10.0.0.1:81', virtualId: 'tcp:10.0.0.1:81' },
      { id: fwm(5), name: '5', virtualId: 'fwm:5' },
    ]);
  });
});
