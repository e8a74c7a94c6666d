// The backend contract: one suite, run against the stand-in (test/ipvs), the sim
// (test/ipvs) and the real kernel through ipvsadm in a VM (test/kernel).

import { describe, expect, test, beforeEach } from '@jest/globals';
import { serviceKey, serviceRealKey } from '../../src/ipvs/keys.js';
import type { IpvsBackend, IpvsOp, RealSpec, ServiceId, ServiceSpec, Table } from '../../src/ipvs/types.js';

export interface ContractTarget {
  backend: IpvsBackend;
  /** Clear the table behind the backend's back (an operator running ipvsadm -C). */
  reset(): Promise<void>;
  /** Run ipvsadm outside the backend (drift). */
  raw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

const tcp = (address: string, port: number): ServiceId => ({ kind: 'addr', protocol: 'tcp', address, port });
const udp = (address: string, port: number): ServiceId => ({ kind: 'addr', protocol: 'udp', address, port });
const sctp = (address: string, port: number): ServiceId => ({ kind: 'addr', protocol: 'sctp', address, port });
const fwm = (fwmark: number, family: 'inet' | 'inet6' = 'inet'): ServiceId => ({ kind: 'fwmark', fwmark, family });

const svc = (id: ServiceId, scheduler: string, more: Partial<ServiceSpec> = {}): ServiceSpec => ({ id, scheduler, ...more });
const real = (address: string, port: number, forwarding: RealSpec['forwarding'], weight: number, more: Partial<RealSpec> = {}): RealSpec => ({
  address,
  port,
  forwarding,
  weight,
  ...more,
});

function summary(t: Table): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of t.services) {
    const reals: Record<string, unknown> = {};
    for (const r of s.reals) {
      reals[serviceRealKey(s.id, r.address, r.port)] = [r.forwarding, r.weight, r.upperThreshold, r.lowerThreshold, r.tunnel ?? null];
    }
    out[serviceKey(s.id)] = {
      sched: s.scheduler,
      flags: s.schedFlags.join(','),
      persistent: s.persistent ?? null,
      netmask: s.netmask ?? null,
      pe: s.pe ?? null,
      ops: s.ops,
      reals,
    };
  }
  return out;
}

export function backendContract(targetName: string, make: () => Promise<ContractTarget> | ContractTarget): void {
  describe(`IPVS backend contract: ${targetName}`, () => {
    let t: ContractTarget;
    beforeEach(async () => {
      t = await make();
      await t.reset();
    });

    async function listOk(): Promise<Table> {
      const l = await t.backend.list();
      if (!l.ok) throw new Error(`list failed: ${l.error}`);
      expect(l.execs).toBe(1);
      return l.table;
    }

    test('an empty table lists as no services, in one exec', async () => {
      const table = await listOk();
      expect(table.services).toEqual([]);
    });

    test('every kind of service and forwarding round-trips through apply and list', async () => {
      const v6 = tcp('2001:db8::1', 80);
      const ops: IpvsOp[] = [
        { kind: 'addService', service: svc(tcp('10.1.1.1', 80), 'wlc') },
        { kind: 'addReal', service: tcp('10.1.1.1', 80), real: real('10.1.1.2', 80, 'Route', 3, { upperThreshold: 100, lowerThreshold: 50 }) },
        { kind: 'addReal', service: tcp('10.1.1.1', 80), real: real('10.1.1.3', 8080, 'Masq', 0) },
        { kind: 'addReal', service: tcp('10.1.1.1', 80), real: real('10.1.1.4', 80, 'Tunnel', 2) },
        { kind: 'addReal', service: tcp('10.1.1.1', 80), real: real('10.1.1.5', 80, 'Tunnel', 2, { tunnel: { type: 'gue', port: 6080, csum: 'csum' } }) },
        { kind: 'addReal', service: tcp('10.1.1.1', 80), real: real('10.1.1.6', 80, 'Tunnel', 2, { tunnel: { type: 'gre' } }) },
        { kind: 'addReal', service: tcp('10.1.1.1', 80), real: real('2001:db8::99', 80, 'Tunnel', 1) },
        { kind: 'addService', service: svc(udp('10.1.1.1', 123), 'sh', { ops: true, schedFlags: ['sh-fallback', 'sh-port'] }) },
        { kind: 'addService', service: svc(udp('10.1.1.1', 5060), 'rr', { persistent: 60, pe: 'sip' }) },
        { kind: 'addService', service: svc(sctp('10.1.1.1', 3868), 'rr') },
        { kind: 'addReal', service: sctp('10.1.1.1', 3868), real: real('10.1.1.2', 3868, 'Masq', 1) },
        { kind: 'addService', service: svc(tcp('10.1.1.1', 443), 'wlc', { persistent: 300, netmask: '255.255.255.0' }) },
        { kind: 'addService', service: svc(v6, 'rr', { persistent: 100, netmask: '64' }) },
        { kind: 'addReal', service: v6, real: real('2001:DB8:0:0:0:0:0:2', 80, 'Masq', 1) },
        { kind: 'addReal', service: v6, real: real('2001:db8::3', 8080, 'Masq', 2147483647) },
        { kind: 'addService', service: svc(fwm(5), 'wrr', { persistent: 360, netmask: '255.255.0.0' }) },
        { kind: 'addReal', service: fwm(5), real: real('10.1.1.2', 0, 'Route', 1) },
        { kind: 'addReal', service: fwm(5), real: real('10.1.1.3', 8080, 'Masq', 1) },
        { kind: 'addService', service: svc(fwm(6, 'inet6'), 'mh', { schedFlags: ['mh-port'] }) },
        { kind: 'addReal', service: fwm(6, 'inet6'), real: real('2001:db8::4', 80, 'Route', 1) },
      ];
      const res = await t.backend.apply(ops);
      expect(res.error).toBeUndefined();
      expect(res.results.filter((r) => !r.ok)).toEqual([]);
      expect(res.ok).toBe(true);
      expect(res.execs).toBe(1);
      const table = await listOk();
      expect(summary(table)).toEqual({
        'tcp 10.1.1.1:80': {
          sched: 'wlc', flags: '', persistent: null, netmask: null, pe: null, ops: false,
          reals: {
            'tcp 10.1.1.1:80 -> 10.1.1.2:80': ['Route', 3, 100, 50, null],
            'tcp 10.1.1.1:80 -> 10.1.1.3:8080': ['Masq', 0, 0, 0, null],
            'tcp 10.1.1.1:80 -> 10.1.1.4:80': ['Tunnel', 2, 0, 0, { type: 'ipip' }],
            'tcp 10.1.1.1:80 -> 10.1.1.5:80': ['Tunnel', 2, 0, 0, { type: 'gue', port: 6080, csum: 'csum' }],
            'tcp 10.1.1.1:80 -> 10.1.1.6:80': ['Tunnel', 2, 0, 0, { type: 'gre', csum: 'nocsum' }],
            'tcp 10.1.1.1:80 -> [2001:db8::99]:80': ['Tunnel', 1, 0, 0, { type: 'ipip' }],
          },
        },
        'udp 10.1.1.1:123': { sched: 'sh', flags: 'sh-fallback,sh-port', persistent: null, netmask: null, pe: null, ops: true, reals: {} },
        'udp 10.1.1.1:5060': { sched: 'rr', flags: '', persistent: 60, netmask: null, pe: 'sip', ops: false, reals: {} },
        'sctp 10.1.1.1:3868': {
          sched: 'rr', flags: '', persistent: null, netmask: null, pe: null, ops: false,
          reals: { 'sctp 10.1.1.1:3868 -> 10.1.1.2:3868': ['Masq', 1, 0, 0, null] },
        },
        'tcp 10.1.1.1:443': { sched: 'wlc', flags: '', persistent: 300, netmask: '255.255.255.0', pe: null, ops: false, reals: {} },
        'tcp [2001:db8::1]:80': {
          sched: 'rr', flags: '', persistent: 100, netmask: '64', pe: null, ops: false,
          reals: {
            'tcp [2001:db8::1]:80 -> [2001:db8::2]:80': ['Masq', 1, 0, 0, null],
            'tcp [2001:db8::1]:80 -> [2001:db8::3]:8080': ['Masq', 2147483647, 0, 0, null],
          },
        },
        'fwm 5': {
          sched: 'wrr', flags: '', persistent: 360, netmask: '255.255.0.0', pe: null, ops: false,
          reals: { 'fwm 5 -> 10.1.1.2:0': ['Route', 1, 0, 0, null], 'fwm 5 -> 10.1.1.3:8080': ['Masq', 1, 0, 0, null] },
        },
        'fwm6 6': {
          sched: 'mh', flags: 'mh-port', persistent: null, netmask: null, pe: null, ops: false,
          reals: { 'fwm6 6 -> [2001:db8::4]:80': ['Route', 1, 0, 0, null] },
        },
      });
      // the observed table returned by apply is the same as a fresh list
      expect(summary(res.table!)).toEqual(summary(table));
    });

    test('quiesce (weight 0), restore, edit service, delete: every field is passed', async () => {
      const id = tcp('10.2.2.1', 80);
      const r1 = real('10.2.2.2', 80, 'Masq', 5, { upperThreshold: 10, lowerThreshold: 2 });
      let res = await t.backend.apply([
        { kind: 'addService', service: svc(id, 'rr', { persistent: 100 }) },
        { kind: 'addReal', service: id, real: r1 },
      ]);
      expect(res.ok).toBe(true);
      res = await t.backend.apply([{ kind: 'editReal', service: id, real: { ...r1, weight: 0 } }]);
      expect(res.ok).toBe(true);
      let table = await listOk();
      expect(summary(table)['tcp 10.2.2.1:80']).toMatchObject({ persistent: 100, reals: { 'tcp 10.2.2.1:80 -> 10.2.2.2:80': ['Masq', 0, 10, 2, null] } });
      res = await t.backend.apply([
        { kind: 'editService', service: svc(id, 'wlc') },
        { kind: 'editReal', service: id, real: { ...r1, weight: 7 } },
      ]);
      expect(res.ok).toBe(true);
      table = await listOk();
      expect(summary(table)['tcp 10.2.2.1:80']).toMatchObject({ sched: 'wlc', persistent: null, reals: { 'tcp 10.2.2.1:80 -> 10.2.2.2:80': ['Masq', 7, 10, 2, null] } });
      res = await t.backend.apply([
        { kind: 'deleteReal', service: id, address: '10.2.2.2', port: 80 },
        { kind: 'deleteService', id },
      ]);
      expect(res.ok).toBe(true);
      expect((await listOk()).services).toEqual([]);
    });

    test('gatewaying and tunnelling take the service port; the key follows the kernel', async () => {
      const id = tcp('10.3.3.1', 8001);
      const res = await t.backend.apply([
        { kind: 'addService', service: svc(id, 'rr') },
        { kind: 'addReal', service: id, real: real('10.3.3.5', 9000, 'Route', 1) },
        { kind: 'addReal', service: id, real: real('10.3.3.6', 9000, 'Masq', 1) },
      ]);
      expect(res.ok).toBe(true);
      const table = await listOk();
      expect(Object.keys((summary(table)['tcp 10.3.3.1:8001'] as { reals: object }).reals).sort()).toEqual([
        'tcp 10.3.3.1:8001 -> 10.3.3.5:8001',
        'tcp 10.3.3.1:8001 -> 10.3.3.6:9000',
      ]);
    });

    test('a partly failing batch is reported op by op, and the good ops still take', async () => {
      const id = tcp('10.4.4.1', 80);
      await t.backend.apply([{ kind: 'addService', service: svc(id, 'rr') }]);
      const ops: IpvsOp[] = [
        { kind: 'addReal', service: tcp('10.9.9.9', 80), real: real('10.4.4.3', 80, 'Masq', 1) }, // no such service
        { kind: 'addReal', service: id, real: real('10.4.4.2', 80, 'Masq', 1) }, // ok
        { kind: 'addService', service: svc(tcp('10.4.4.5', 80), 'bogus') }, // unknown scheduler
        { kind: 'addReal', service: id, real: real('10.4.4.6', 80, 'Masq', -1) }, // rejected before sending
        { kind: 'addReal', service: id, real: real('10.4.4.7', 80, 'Masq', 1, { upperThreshold: 5, lowerThreshold: 10 }) }, // ERANGE
        { kind: 'editReal', service: id, real: real('10.4.4.99', 80, 'Masq', 1) }, // no such destination
        { kind: 'addService', service: svc(id, 'wrr') }, // exists, with another scheduler
        { kind: 'addReal', service: id, real: real('2001:db8::7', 80, 'Masq', 1) }, // other family, not tunnel: rejected
        { kind: 'addReal', service: id, real: real('10.4.4.8', 80, 'Masq', 4) }, // ok, after the failures
      ];
      const res = await t.backend.apply(ops);
      expect(res.ok).toBe(false);
      expect(res.error).toBeUndefined();
      expect(res.execs).toBe(1);
      expect(res.results.map((r) => r.ok)).toEqual([false, true, false, false, false, false, false, false, true]);
      // ipvsadm's error line, tied to the op that caused it (one line per refused op, in order)
      expect(res.results[0]!.reason).toBe('ipvsadm: Service not defined; service not in the table');
      expect(res.results[2]!.reason).toBe('ipvsadm: Scheduler or persistence engine not found; service not in the table');
      expect(res.results[4]!.reason).toBe('ipvsadm: Numerical result out of range; real server not in the table');
      expect(res.results[5]!.reason).toBe('ipvsadm: No such destination; real server not in the table');
      expect(res.results[6]!.reason).toBe('ipvsadm: Service already exists; scheduler rr (wanted wrr)');
      expect(res.results[3]!.reason).toMatch(/^not sent: bad weight/);
      expect(res.results[7]!.reason).toMatch(/^not sent: .*tunnel/);
      expect(res.stderr).toEqual([
        'Service not defined',
        'Scheduler or persistence engine not found',
        'Numerical result out of range',
        'No such destination',
        'Service already exists',
      ]);
      const table = await listOk();
      expect(Object.keys((summary(table)['tcp 10.4.4.1:80'] as { reals: object }).reals).sort()).toEqual([
        'tcp 10.4.4.1:80 -> 10.4.4.2:80',
        'tcp 10.4.4.1:80 -> 10.4.4.8:80',
      ]);
    });

    test('ops on the same key in one batch: the earlier one is marked superseded', async () => {
      const id = tcp('10.5.5.1', 80);
      const res = await t.backend.apply([
        { kind: 'addService', service: svc(id, 'rr') },
        { kind: 'addReal', service: id, real: real('10.5.5.2', 80, 'Masq', 1) },
        { kind: 'deleteReal', service: id, address: '10.5.5.2', port: 80 },
        { kind: 'addReal', service: id, real: real('10.5.5.3', 80, 'Masq', 1) },
        { kind: 'deleteService', id },
      ]);
      expect(res.results.map((r) => [r.ok, r.superseded ?? false])).toEqual([
        [true, true],
        [true, true],
        [true, true],
        [true, true],
        [true, false],
      ]);
      expect((await listOk()).services).toEqual([]);
    });

    test('changes made behind the backend are seen by the next list', async () => {
      const id = tcp('10.6.6.1', 80);
      await t.backend.apply([
        { kind: 'addService', service: svc(id, 'rr') },
        { kind: 'addReal', service: id, real: real('10.6.6.2', 80, 'Masq', 1) },
      ]);
      const r = await t.raw(['-d', '-t', '10.6.6.1:80', '-r', '10.6.6.2:80']);
      expect(r.code).toBe(0);
      const table = await listOk();
      expect((summary(table)['tcp 10.6.6.1:80'] as { reals: object }).reals).toEqual({});
    });

    test('an empty batch costs nothing', async () => {
      const res = await t.backend.apply([]);
      expect(res).toMatchObject({ ok: true, results: [], execs: 0 });
    });
  });
}
