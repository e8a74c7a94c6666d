// reconcile(): ops and ldirectord's transition lines. Each expected line is the string the
// cited Perl sub passes to ld_log(); "Repaired …" and "(repair)" are tslvs's own.
import { describe, expect, test } from '@jest/globals';
import type { Config } from '../../src/config/model.js';
import { desiredState, retiredServices } from '../../src/desired/build.js';
import { EMPTY_HEALTH } from '../../src/health/types.js';
import { initHealth } from '../../src/health/init.js';
import { recordOutcome } from '../../src/health/machine.js';
import type { HealthState } from '../../src/health/types.js';
import type { Table } from '../../src/ipvs/types.js';
import { reconcile, reconcileStop } from '../../src/reconcile/reconcile.js';
import type { Phase, ReconcileInput } from '../../src/reconcile/types.js';
import { applyOps, cfg, fwm, real, svc, table, tableText, tcp, udp } from './support.js';

function setHealth(c: Config, h: HealthState, states: Record<string, 'up' | 'down'>): HealthState {
  // keys: "VI/RI"
  for (const [at, kind] of Object.entries(states)) {
    const [vi, ri] = at.split('/').map(Number) as [number, number];
    h = recordOutcome(h, c, c.virtuals[vi]!.reals[ri]!.checkKey, { kind, message: '' }).health;
  }
  return h;
}

function diff(c: Config, h: HealthState, observed: Table, phase: Phase = 'round', extra: Partial<ReconcileInput> = {}) {
  const r = reconcile({ desired: desiredState(c, h, observed), observed, phase, ...extra });
  return { ...r, messages: r.events.map((e) => e.message), after: applyOps(observed, r.ops) };
}

const V = tcp('10.0.0.1', 80);

describe('start-up (ld_start)', () => {
  test('an empty table: "Added virtual server", the fallback, and nothing for unchecked reals', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    fallback=127.0.0.1:80 gate`);
    const r = diff(c, initHealth(c, table()), table(), 'start');
    expect(r.messages).toEqual([
      'Added virtual server: 10.0.0.1:80',
      'Added fallback server: 127.0.0.1:80 (10.0.0.1:80) (Weight set to 1)',
    ]);
    expect(r.ops.map((o) => o.kind)).toEqual(['addService', 'addReal']);
  });

  test('live reals are kept, untracked ones purged, an identical service is not touched', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    real=10.0.0.3:80 gate`);
    const observed = table(svc(V, [real('10.0.0.2', 80), real('10.0.0.3', 80, 0), real('10.0.0.99', 80)]),
      svc(tcp('10.9.9.9', 80), [real('10.0.0.98', 80)]));
    const r = diff(c, initHealth(c, observed), observed, 'start');
    // ldirectord would first restore 10.0.0.3 at weight 1 and then delete it (ld_start's
    // server_down dance); tslvs never adds a real that is not known to be up.
    expect(r.messages).toEqual(['Deleted real server: 10.0.0.3:80 (10.0.0.1:80)', 'Purged real server (start): 10.0.0.99:80 (10.0.0.1:80)']);
    expect(tableText(r.after)).toEqual(['tcp 10.0.0.1:80 wrr []\n  10.0.0.2:80 Route w1 u0 l0', 'tcp 10.9.9.9:80 wrr []\n  10.0.0.98:80 Route w1 u0 l0']);
  });

  test('a service with other settings: "Changed virtual server" and an edit passing every field', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    scheduler=wlc\n    persistent=300`);
    const observed = table(svc(V, [], { scheduler: 'rr', pe: 'sip' }));
    const r = diff(c, EMPTY_HEALTH, observed, 'start');
    expect(r.messages).toEqual(['Changed virtual server: 10.0.0.1:80']);
    expect(r.ops).toEqual([{ kind: 'editService', service: { id: V, scheduler: 'wlc', schedFlags: [], persistent: 300, netmask: undefined, pe: undefined, ops: false } }]);
    expect(Object.keys((r.ops[0] as { service: object }).service).sort()).toEqual(['id', 'netmask', 'ops', 'pe', 'persistent', 'schedFlags', 'scheduler']);
  });

  test('an adopted real whose configured weight changed is restored (_restore_service)', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate 4 l:1 u:9`);
    const observed = table(svc(V, [real('10.0.0.2', 80, 1)]));
    const r = diff(c, initHealth(c, observed), observed, 'start');
    expect(r.messages).toEqual(['Restored real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 4)']);
    expect(r.ops).toEqual([{ kind: 'editReal', service: V, real: { address: '10.0.0.2', port: 80, forwarding: 'Route', weight: 4, upperThreshold: 9, lowerThreshold: 1 } }]);
  });

  test('alias sched flags, default masks and the kernel\'s Local verdict compare equal', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=127.0.0.1:80 masq\n    scheduler=sh\n    schedflags=flag-2,flag-1\n    persistent=10\n    netmask=255.255.255.255`);
    const observed = table(svc(V, [real('127.0.0.1', 80, 1, 'Local')], { scheduler: 'sh', schedFlags: ['sh-fallback', 'sh-port'], persistent: 10 }));
    expect(diff(c, initHealth(c, observed), observed, 'start').ops).toEqual([]);
  });
});

describe('rounds: transitions (_service_up/_service_down → _restore_service/_remove_service)', () => {
  const base = `|virtual=10.0.0.1:80\n    real=10.0.0.2:8080 gate 3\n    real=10.0.0.3:8080 masq 2\n    fallback=127.0.0.1:8000 gate`;

  const cases: Array<{ name: string; extra?: string; observed: Table; states: Record<string, 'up' | 'down'>; ops: string[]; messages: string[] }> = [
    {
      name: 'first real up: added, fallback deleted (mapped from: IPVS stored it at the virtual port)',
      observed: table(svc(V, [real('127.0.0.1', 80, 1)])),
      states: { '0/0': 'up' },
      ops: ['addReal', 'deleteReal'],
      messages: ['Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 3)',
        'Deleted fallback server: 127.0.0.1:80 mapped from 127.0.0.1:8000 (10.0.0.1:80)'],
    },
    {
      name: 'last real down: fallback added before the real is deleted',
      observed: table(svc(V, [real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/1': 'down' },
      ops: ['addReal', 'deleteReal'],
      messages: ['Added fallback server: 127.0.0.1:8000 (10.0.0.1:80) (Weight set to 1)',
        'Deleted real server: 10.0.0.3:8080 (10.0.0.1:80)'],
    },
    {
      name: 'a gate real on another port goes down: mapped from',
      observed: table(svc(V, [real('10.0.0.2', 80, 3), real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/0': 'down', '0/1': 'up' },
      ops: ['deleteReal'],
      messages: ['Deleted real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80)'],
    },
    {
      name: 'quiescent: weight 0 instead of deletion, mapped as _remove_service words it',
      extra: '    quiescent=yes',
      observed: table(svc(V, [real('10.0.0.2', 80, 3), real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/0': 'down', '0/1': 'up' },
      ops: ['editReal'],
      messages: ['Quiescent real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 0)'],
    },
    {
      name: 'quiescent masq real keeps its port: no mapping; fallback comes in when it was the last',
      extra: '    quiescent=yes',
      observed: table(svc(V, [real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/1': 'down' },
      ops: ['addReal', 'editReal'],
      messages: ['Added fallback server: 127.0.0.1:8000 (10.0.0.1:80) (Weight set to 1)',
        'Quiescent real server: 10.0.0.3:8080 (10.0.0.1:80) (Weight set to 0)'],
    },
    {
      name: 'quiescent real comes back: restored',
      extra: '    quiescent=yes',
      observed: table(svc(V, [real('10.0.0.2', 80, 0), real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/0': 'up', '0/1': 'up' },
      ops: ['editReal'],
      messages: ['Restored real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 3)'],
    },
    {
      name: 'quiescent real missing without readdquiescent: left out, nothing said',
      extra: '    quiescent=yes',
      observed: table(svc(V, [real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/0': 'down', '0/1': 'up' },
      ops: [],
      messages: [],
    },
    {
      name: 'a fallback with another weight or forwarding is restored (fallback_on → _restore_service)',
      observed: table(svc(V, [real('127.0.0.1', 80, 5, 'Masq')])),
      states: { '0/0': 'down', '0/1': 'down' },
      ops: ['editReal'],
      messages: ['Restored fallback server: 127.0.0.1:8000 (10.0.0.1:80) (Weight set to 1)'],
    },
    {
      name: 'no real, no change: nothing to do',
      observed: table(svc(V, [real('10.0.0.2', 80, 3), real('10.0.0.3', 8080, 2, 'Masq')])),
      states: { '0/0': 'up', '0/1': 'up' },
      ops: [],
      messages: [],
    },
  ];

  test.each(cases)('$name', async ({ extra, observed, states, ops, messages }) => {
    const c = await cfg(extra ? `${base}\n${extra}` : base);
    const r = diff(c, setHealth(c, initHealth(c), states), observed);
    expect(r.ops.map((o) => o.kind)).toEqual(ops);
    expect(r.messages).toEqual(messages);
  });

  test('readdquiescent: a missing quiescent real is put back at weight 0 ("Readd Quiescent", never mapped)', async () => {
    const c = await cfg(`|readdquiescent=yes\n${base}\n    quiescent=yes`);
    const observed = table(svc(V, [real('10.0.0.3', 8080, 2, 'Masq')]));
    const r = diff(c, setHealth(c, initHealth(c), { '0/0': 'down', '0/1': 'up' }), observed);
    expect(r.messages).toEqual(['Readd Quiescent real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 0)']);
    expect(r.ops).toEqual([{ kind: 'addReal', service: V, real: { address: '10.0.0.2', port: 80, forwarding: 'Route', weight: 0, upperThreshold: 0, lowerThreshold: 0 } }]);
    expect(r.events[0]!.alert).toEqual({ subject: 'Quiescent real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 0)', server: '10.0.0.2:8080', inaccessible: true });
  });

  test('IPv6 and fwmark virtuals are named [v6]:PORT and by their mark', async () => {
    const c = await cfg(`
|virtual6=[2001:db8::1]:80
    real6=[2001:db8::2]:80 gate
|virtual=5
    real=10.0.0.2:0 ipip 2
|virtual6=6
    real6=[2001:db8::3]:0 masq
`);
    const h = setHealth(c, initHealth(c), { '0/0': 'up', '1/0': 'up', '2/0': 'up' });
    expect(diff(c, h, table(), 'start').messages).toEqual([
      'Added virtual server: [2001:db8::1]:80',
      'Added real server: [2001:db8::2]:80 ([2001:db8::1]:80) (Weight set to 1)',
      'Added virtual server: 5',
      'Added real server: 10.0.0.2:0 (5) (Weight set to 2)',
      'Added virtual server: 6',
      'Added real server: [2001:db8::3]:0 (6) (Weight set to 1)',
    ]);
    const observed = table(svc(tcp('2001:db8::1', 80), [real('2001:db8::2', 80)]), svc(fwm(5), [real('10.0.0.2', 0, 2, 'Tunnel')]),
      svc(fwm(6, 'inet6'), [real('2001:db8::3', 0, 1, 'Masq')]));
    const down = setHealth(c, h, { '0/0': 'down', '1/0': 'down', '2/0': 'down' });
    expect(diff(c, down, observed).messages).toEqual([
      'Deleted real server: [2001:db8::2]:80 ([2001:db8::1]:80)',
      'Deleted real server: 10.0.0.2:0 (5)',
      'Deleted real server: [2001:db8::3]:0 (6)',
    ]);
  });

  test('a real shared by two virtuals: one result changes both', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.5:80 gate\n|virtual=10.0.0.9:80\n    real=10.0.0.5:80 gate`);
    const observed = table(svc(V, []), svc(tcp('10.0.0.9', 80), []));
    const h = recordOutcome(initHealth(c, observed), c, c.virtuals[0]!.reals[0]!.checkKey, { kind: 'up', message: '' }).health;
    expect(diff(c, h, observed).messages).toEqual([
      'Added real server: 10.0.0.5:80 (10.0.0.1:80) (Weight set to 1)',
      'Added real server: 10.0.0.5:80 (10.0.0.9:80) (Weight set to 1)',
    ]);
  });

  test('alerts follow ld_emailalert_send(): removals of reals start the resend timer, fallbacks and additions clear it', async () => {
    const c = await cfg(base);
    const r = diff(c, setHealth(c, initHealth(c), { '0/0': 'down' }), table(svc(V, [real('10.0.0.2', 80, 3)])));
    expect(r.events.map((e) => [e.kind, e.role, e.alert?.inaccessible, e.alert?.server])).toEqual([
      ['added', 'fallback', false, '127.0.0.1:8000'],
      ['deleted', 'real', true, '10.0.0.2:80'],
    ]);
    const back = diff(c, setHealth(c, initHealth(c), { '0/0': 'up' }), r.after);
    expect(back.events.map((e) => [e.kind, e.role, e.alert?.inaccessible])).toEqual([['added', 'real', false], ['deleted', 'fallback', false]]);
  });
});

describe('drift repair (tslvs; ldirectord never notices)', () => {
  const text = `|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate 3\n    real=10.0.0.3:80 masq 2\n    fallback=127.0.0.1:80 gate`;
  const good = table(svc(V, [real('10.0.0.2', 80, 3), real('10.0.0.3', 80, 2, 'Masq')]));

  async function repaired(observed: Table) {
    const c = await cfg(text);
    const h = setHealth(c, initHealth(c), { '0/0': 'up', '0/1': 'up' });
    return diff(c, h, observed, 'round', { lastSeen: good });
  }

  test('a real deleted by hand is put back', async () => {
    const r = await repaired(table(svc(V, [real('10.0.0.3', 80, 2, 'Masq')])));
    expect(r.messages).toEqual(['Repaired real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 3) (was missing)']);
    expect(tableText(r.after)).toEqual(tableText(good));
  });

  test('a real changed by hand is set back, and the line says what it was', async () => {
    const r = await repaired(table(svc(V, [real('10.0.0.2', 80, 7, 'Tunnel'), real('10.0.0.3', 80, 2, 'Masq', { upperThreshold: 5 })])));
    expect(r.messages).toEqual([
      'Repaired real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 3) (was changed: forwarding Tunnel, weight 7)',
      'Repaired real server: 10.0.0.3:80 (10.0.0.1:80) (Weight set to 2) (was changed: u-threshold 5)',
    ]);
    expect(r.ops.map((o) => o.kind)).toEqual(['editReal', 'editReal']);
  });

  test('a service deleted by hand comes back with its reals', async () => {
    const r = await repaired(table());
    expect(r.messages).toEqual([
      'Repaired virtual server: 10.0.0.1:80 (was missing)',
      'Repaired real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 3) (was missing)',
      'Repaired real server: 10.0.0.3:80 (10.0.0.1:80) (Weight set to 2) (was missing)',
    ]);
    expect(tableText(r.after)).toEqual(tableText(good));
  });

  test('a service edited by hand is set back', async () => {
    const r = await repaired(table(svc(V, good.services[0]!.reals, { scheduler: 'rr', persistent: 30 })));
    expect(r.messages).toEqual(['Repaired virtual server: 10.0.0.1:80 (was changed: scheduler rr, persistent 30, mask default)']);
  });

  test('a fallback deleted by hand is put back', async () => {
    const c = await cfg(text);
    const h = setHealth(c, initHealth(c), { '0/0': 'down', '0/1': 'down' });
    const withFallback = table(svc(V, [real('127.0.0.1', 80, 1)]));
    const r = diff(c, h, table(svc(V, [])), 'round', { lastSeen: withFallback });
    expect(r.messages).toEqual(['Repaired fallback server: 127.0.0.1:80 (10.0.0.1:80) (Weight set to 1) (was missing)']);
    expect(tableText(r.after)).toEqual(tableText(withFallback));
  });

  test('a real added by hand to a managed service is purged with tag "repair"', async () => {
    const r = await repaired(table(svc(V, [...good.services[0]!.reals, real('10.0.0.77', 80)])));
    expect(r.messages).toEqual(['Purged real server (repair): 10.0.0.77:80 (10.0.0.1:80)']);
  });

  test('a change that is also a transition is worded as the transition', async () => {
    const c = await cfg(`${text}\n    quiescent=yes`);
    const h = setHealth(c, initHealth(c), { '0/0': 'down', '0/1': 'up' });
    const observed = table(svc(V, [real('10.0.0.2', 80, 9), real('10.0.0.3', 80, 2, 'Masq')]));
    const r = diff(c, h, observed, 'round', { lastSeen: good });
    expect(r.messages).toEqual(['Quiescent real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 0)']);
  });

  test('without lastSeen nothing is called a repair', async () => {
    const c = await cfg(text);
    const h = setHealth(c, initHealth(c), { '0/0': 'up', '0/1': 'up' });
    expect(diff(c, h, table(svc(V, [real('10.0.0.3', 80, 2, 'Masq')]))).messages)
      .toEqual(['Added real server: 10.0.0.2:80 (10.0.0.1:80) (Weight set to 3)']);
  });
});

describe('reload (reread_config + ld_start)', () => {
  test('dropped virtuals are purged, new ones added, changed ones edited; other services untouched', async () => {
    const old = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:81\n    real=10.0.0.2:81 gate\n|virtual=5`);
    const next = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n    scheduler=rr\n|virtual=10.0.0.1:82\n    real=10.0.0.2:82 gate`);
    const observed = table(
      svc(V, [real('10.0.0.2', 80)]), svc(tcp('10.0.0.1', 81), [real('10.0.0.2', 81)]),
      svc(tcp('192.168.0.1', 80), [real('192.168.0.2', 80)]),
    );
    let h = initHealth(old, observed);
    h = initHealth(next, observed, h);
    const r = diff(next, h, observed, 'reload', { lastSeen: observed, retired: retiredServices(old, next) });
    expect(r.messages).toEqual([
      'Changed virtual server: 10.0.0.1:80',
      'Added virtual server: 10.0.0.1:82',
      'Purged virtual server (start): 10.0.0.1:81',
    ]);
    expect(tableText(r.after)).toEqual([
      'tcp 10.0.0.1:80 rr []\n  10.0.0.2:80 Route w1 u0 l0',
      'tcp 10.0.0.1:82 wrr []',
      'tcp 192.168.0.1:80 wrr []\n  192.168.0.2:80 Route w1 u0 l0',
    ]);
  });

  test('untracked reals are purged with "(start)" on reload', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate`);
    const observed = table(svc(V, [real('10.0.0.2', 80), real('10.0.0.50', 80)]));
    const h = initHealth(c, observed, initHealth(c, observed));
    expect(diff(c, h, observed, 'reload', { lastSeen: observed }).messages).toEqual(['Purged real server (start): 10.0.0.50:80 (10.0.0.1:80)']);
  });
});

describe('fallbackcommand (do_fallback_command): once per change, per virtual', () => {
  test('start when nothing is up, stop when something is, nothing while unchanged', async () => {
    const c = await cfg(`|fallbackcommand=/usr/local/sbin/fb\n|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:53\n    real=10.0.0.2:53 gate\n    fallbackcommand=/bin/dns-fb`);
    const script: Array<Record<string, 'up' | 'down'>> = [{}, {}, { '0/0': 'up' }, { '0/0': 'up', '1/0': 'up' }, { '0/0': 'down' }, {}];
    let h = initHealth(c, table());
    let status: Record<string, 'start' | 'stop'> | undefined;
    let observed = table();
    const runs: string[][] = [];
    for (const states of script) {
      h = setHealth(c, h, states);
      const r = diff(c, h, observed, 'round', { fallbackCommandStatus: status });
      status = r.fallbackCommandStatus;
      observed = r.after;
      runs.push(r.commands.map((x) => x.line));
    }
    expect(runs).toEqual([
      ['/usr/local/sbin/fb start 10.0.0.1:80 tcp', '/bin/dns-fb start 10.0.0.1:53 udp'],
      [],
      ['/usr/local/sbin/fb stop 10.0.0.1:80 tcp'],
      ['/bin/dns-fb stop 10.0.0.1:53 udp'],
      ['/usr/local/sbin/fb start 10.0.0.1:80 tcp'],
      [],
    ]);
  });

  test('argv form and the status memory even without a command', async () => {
    const c = await cfg(`|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:81\n    fallbackcommand=/x`);
    const r = diff(c, initHealth(c), table());
    expect(r.commands).toEqual([{ virtualId: 'tcp:10.0.0.1:81', status: 'start', command: '/x', args: ['start', '10.0.0.1:81', 'tcp'], line: '/x start 10.0.0.1:81 tcp' }]);
    expect(r.fallbackCommandStatus).toEqual({ 'tcp:10.0.0.1:80': 'start', 'tcp:10.0.0.1:81': 'start' });
  });
});

describe('stop (ld_stop with cleanstop)', () => {
  test('cleanstop=yes purges the up reals and the virtual; cleanstop=no leaves the virtual', async () => {
    const c = await cfg(`
|virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate
    real=10.0.0.3:80 gate
    real=10.0.0.4:80 gate
    quiescent=yes
|virtual=10.0.0.1:81
    real=10.0.0.2:81 gate
    cleanstop=no
|virtual=10.0.0.1:82
`);
    const observed = table(
      svc(V, [real('10.0.0.2', 80), real('10.0.0.3', 80, 0)]),
      svc(tcp('10.0.0.1', 81), [real('10.0.0.2', 81)]),
      svc(udp('10.0.0.1', 82), []),
    );
    const h = setHealth(c, initHealth(c, observed), { '0/0': 'up', '0/1': 'down', '1/0': 'up' });
    const desired = desiredState(c, h, observed);
    const r = reconcileStop({ desired, observed });
    expect(r.events.map((e) => e.message)).toEqual([
      'Purged real server (stop): 10.0.0.2:8080 (10.0.0.1:80)',
      'Purged virtual server (stop): 10.0.0.1:80',
    ]);
    expect(r.ops).toEqual([{ kind: 'deleteService', id: V }]);
    expect(tableText(applyOps(observed, r.ops))).toEqual([
      'tcp 10.0.0.1:81 wrr []\n  10.0.0.2:81 Route w1 u0 l0',
      'udp 10.0.0.1:82 wrr []',
    ]);
  });

  test('global cleanstop=no, virtual cleanstop=yes', async () => {
    const c = await cfg(`|cleanstop=no\n|virtual=10.0.0.1:80\n    real=10.0.0.2:80 gate\n|virtual=10.0.0.1:81\n    cleanstop=yes`);
    const observed = table(svc(V, [real('10.0.0.2', 80)]), svc(tcp('10.0.0.1', 81)));
    const r = reconcileStop({ desired: desiredState(c, initHealth(c, observed), observed), observed });
    expect(r.events.map((e) => e.message)).toEqual(['Purged virtual server (stop): 10.0.0.1:81']);
  });
});
