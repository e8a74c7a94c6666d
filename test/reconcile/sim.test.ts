// The core against the in-process IPVS simulator (src/ipvs sim backend: ipvsadm's own
// parsing and kernel rules, listed back through -S/-L like the real thing): every round's ops
// apply cleanly, and the table listed afterwards needs no further op.
import { expect, test } from '@jest/globals';
import type { Config } from '../../src/config/model.js';
import { desiredState, desiredTable } from '../../src/desired/build.js';
import { initHealth } from '../../src/health/init.js';
import { recordOutcome } from '../../src/health/machine.js';
import type { HealthState } from '../../src/health/types.js';
import { simBackend } from '../../src/ipvs/sim/backend.js';
import type { IpvsBackend, Table } from '../../src/ipvs/types.js';
import { reconcile, reconcileStop } from '../../src/reconcile/reconcile.js';
import type { FallbackCommandStatus, Phase } from '../../src/reconcile/types.js';
import { cfg, tableText, tcp } from './support.js';

const CONFIG = `
|fallback=127.0.0.2 gate
|fallbackcommand=/bin/fb
|virtual=10.0.0.1:80
    real=10.0.0.2:8080 gate 3 l:1 u:10
    real=10.0.0.3:8080 masq 2
    real=10.0.0.4:8081 ipip
    fallback=127.0.0.1:8000 masq
    scheduler=wlc
    persistent=300
    netmask=255.255.255.0
|virtual=10.0.0.1:53
    protocol=udp
    real=10.0.0.2:53 gate
    real=10.0.0.3:53 gate 2
    ops=yes
    scheduler=sh
    schedflags=sh-port,sh-fallback
    quiescent=yes
|virtual=5
    real=10.0.0.2:0 gate
    real=10.0.0.5:0 masq 2
|virtual6=[2001:db8::1]:443
    real6=[2001:db8::2]:443 gate
    persistent=60
    netmask=64
|virtual=10.0.0.1:81
    real=10.0.0.2:81 gate
    checktype=off
`;

async function list(b: IpvsBackend): Promise<Table> {
  const r = await b.list();
  if (!r.ok) throw new Error(r.error);
  return r.table;
}

function record(c: Config, h: HealthState, up: boolean | ((vi: number, ri: number) => boolean)): HealthState {
  c.virtuals.forEach((v, vi) => v.reals.forEach((r, ri) => {
    const isUp = typeof up === 'function' ? up(vi, ri) : up;
    h = recordOutcome(h, c, r.checkKey, { kind: isUp ? 'up' : 'down', message: '' }).health;
  }));
  return h;
}

const managedText = (c: Config, t: Table, h: HealthState) => {
  const keys = new Set(desiredState(c, h, t).virtuals.map((v) => JSON.stringify(v.service.id)));
  return tableText({ services: t.services.filter((s) => keys.has(JSON.stringify(s.id))) });
};

test('rounds of start, checks, drift and stop apply cleanly and converge', async () => {
  const c = await cfg(CONFIG);
  const backend = simBackend();
  // someone else's service, present before we start
  const foreign = await backend.apply([{ kind: 'addService', service: { id: tcp('192.168.0.1', 80), scheduler: 'rr' } }]);
  expect(foreign.ok).toBe(true);

  let observed = await list(backend);
  let health = initHealth(c, observed);
  let status: Record<string, FallbackCommandStatus> | undefined;
  let lastSeen: Table | undefined;
  let phase: Phase = 'start';
  const lines: string[][] = [];

  async function round(): Promise<void> {
    observed = await list(backend);
    const desired = desiredState(c, health, observed);
    const r = reconcile({ desired, observed, phase, lastSeen, fallbackCommandStatus: status });
    const applied = await backend.apply(r.ops);
    expect(applied.results.filter((x) => !x.ok)).toEqual([]);
    expect(applied.ok).toBe(true);
    lines.push(r.events.map((e) => e.message));
    status = r.fallbackCommandStatus;
    lastSeen = applied.table;
    phase = 'round';
    // converged: the listed table is the desired one, and nothing is left to do
    const now = await list(backend);
    expect(managedText(c, now, health)).toEqual(tableText(desiredTable(desiredState(c, health, now))));
    const again = reconcile({ desired: desiredState(c, health, now), observed: now, phase: 'round', lastSeen: now, fallbackCommandStatus: status });
    expect(again.ops).toEqual([]);
  }

  await round(); // start: services and fallbacks
  health = record(c, health, true);
  await round(); // all up
  health = record(c, health, (vi, ri) => !(vi === 0 && ri === 0) && !(vi === 1) && !(vi === 2));
  await round(); // some down: quiescent udp reals at weight 0, fwmark virtual falls back to nothing
  // drift: someone deletes a real and edits another by hand
  const hand = await backend.apply([
    { kind: 'deleteReal', service: tcp('10.0.0.1', 80), address: '10.0.0.3', port: 8080 },
    { kind: 'editReal', service: tcp('10.0.0.1', 80), real: { address: '10.0.0.4', port: 80, forwarding: 'Masq', weight: 9 } },
  ]);
  expect(hand.ok).toBe(true);
  await round();
  health = record(c, health, true);
  await round();

  expect(lines).toEqual([
    [
      'Added virtual server: 10.0.0.1:80',
      'Added fallback server: 127.0.0.1:8000 (10.0.0.1:80) (Weight set to 1)',
      'Added virtual server: 10.0.0.1:53',
      'Added fallback server: 127.0.0.2:53 (10.0.0.1:53) (Weight set to 1)',
      'Added virtual server: 5',
      'Added virtual server: [2001:db8::1]:443',
      'Added virtual server: 10.0.0.1:81',
      'Added fallback server: 127.0.0.2:81 (10.0.0.1:81) (Weight set to 1)',
    ],
    [
      'Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 3)',
      'Added real server: 10.0.0.3:8080 (10.0.0.1:80) (Weight set to 2)',
      'Added real server: 10.0.0.4:8081 (10.0.0.1:80) (Weight set to 1)',
      'Deleted fallback server: 127.0.0.1:8000 (10.0.0.1:80)',
      'Added real server: 10.0.0.2:53 (10.0.0.1:53) (Weight set to 1)',
      'Added real server: 10.0.0.3:53 (10.0.0.1:53) (Weight set to 2)',
      'Deleted fallback server: 127.0.0.2:53 (10.0.0.1:53)',
      'Added real server: 10.0.0.2:0 (5) (Weight set to 1)',
      'Added real server: 10.0.0.5:0 (5) (Weight set to 2)',
      'Added real server: [2001:db8::2]:443 ([2001:db8::1]:443) (Weight set to 1)',
    ],
    [
      'Deleted real server: 10.0.0.2:80 mapped from 10.0.0.2:8080 (10.0.0.1:80)',
      'Added fallback server: 127.0.0.2:53 (10.0.0.1:53) (Weight set to 1)',
      'Quiescent real server: 10.0.0.2:53 (10.0.0.1:53) (Weight set to 0)',
      'Quiescent real server: 10.0.0.3:53 (10.0.0.1:53) (Weight set to 0)',
      'Deleted real server: 10.0.0.2:0 (5)',
      'Deleted real server: 10.0.0.5:0 (5)',
    ],
    [
      'Repaired real server: 10.0.0.3:8080 (10.0.0.1:80) (Weight set to 2) (was missing)',
      'Repaired real server: 10.0.0.4:8081 (10.0.0.1:80) (Weight set to 1) (was changed: forwarding Masq, weight 9)',
    ],
    [
      'Added real server: 10.0.0.2:8080 (10.0.0.1:80) (Weight set to 3)',
      'Restored real server: 10.0.0.2:53 (10.0.0.1:53) (Weight set to 1)',
      'Restored real server: 10.0.0.3:53 (10.0.0.1:53) (Weight set to 2)',
      'Deleted fallback server: 127.0.0.2:53 (10.0.0.1:53)',
      'Added real server: 10.0.0.2:0 (5) (Weight set to 1)',
      'Added real server: 10.0.0.5:0 (5) (Weight set to 2)',
    ],
  ]);

  observed = await list(backend);
  const stop = reconcileStop({ desired: desiredState(c, health, observed), observed });
  expect((await backend.apply(stop.ops)).ok).toBe(true);
  expect(tableText(await list(backend))).toEqual(['tcp 192.168.0.1:80 rr []']);
});
