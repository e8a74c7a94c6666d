// Turning the load generator's events into rounds, from the servers' side.
import type { Mode } from './common.js';
import type { Events } from './harness.js';

export interface Pass {
  start: number;
  end: number;
  span: number;
  servers: number;
  /** every server of the set was checked in it and every hanging check of it has ended */
  complete: boolean;
}

/**
 * Passes by ordinal: every director checks every server once per round, so counting from the
 * director's start (no server had a request before it), the k-th request of each server in
 * `ids` belongs to pass k. A pass runs from its first request to its last activity (the answer,
 * or the client closing a hanging connection). Works whether or not passes leave a quiet gap.
 * Returns the complete passes and the one in progress (with the share of servers it reached).
 */
export function ordinalPasses(ev: Events, modes: (id: number) => Mode, ids: Iterable<number>, to: number): { done: Pass[]; current: Pass | null; coverage: number } {
  const req = new Map<number, number[]>();
  const cls = new Map<number, number[]>();
  const idList = [...ids];
  for (const id of idList) {
    req.set(id, []);
    cls.set(id, []);
  }
  for (let i = 0; i < ev.reqId.length; i++) req.get(ev.reqId[i]!)?.push(ev.reqT[i]!);
  for (let i = 0; i < ev.closeId.length; i++) cls.get(ev.closeId[i]!)?.push(ev.closeT[i]!);
  const ends = new Map<number, number[]>();
  let maxK = 0;
  for (const id of idList) {
    const r = req.get(id)!.sort((a, b) => a - b);
    maxK = Math.max(maxK, r.length);
    if (modes(id) !== 'hang') {
      ends.set(id, r);
      continue;
    }
    const c = cls.get(id)!.sort((a, b) => a - b);
    const e: number[] = [];
    let j = 0;
    for (const t of r) {
      while (j < c.length && c[j]! < t) j++;
      e.push(j < c.length ? c[j++]! : NaN);
    }
    ends.set(id, e);
  }
  const done: Pass[] = [];
  let current: Pass | null = null;
  let coverage = 0;
  for (let k = 0; k < maxK; k++) {
    let start = Infinity, end = -Infinity, have = 0, open = false;
    for (const id of idList) {
      const t = req.get(id)![k];
      if (t === undefined) continue;
      have++;
      start = Math.min(start, t);
      const e = ends.get(id)![k]!;
      if (Number.isNaN(e)) open = true;
      else end = Math.max(end, e);
    }
    if (have === idList.length && !open) done.push({ start, end, span: end - start, servers: have, complete: true });
    else {
      current = { start, end: to, span: to - start, servers: have, complete: false };
      coverage = have / idList.length;
      break;
    }
  }
  return { done, current, coverage };
}

/** Per-server time between successive checks (ms), all servers pooled, in [from, to]. */
export function checkIntervals(ev: Events, from: number, to: number): number[] {
  const by = new Map<number, number[]>();
  for (let i = 0; i < ev.reqT.length; i++) {
    const t = ev.reqT[i]!;
    if (t < from || t > to) continue;
    const l = by.get(ev.reqId[i]!) ?? [];
    l.push(t);
    by.set(ev.reqId[i]!, l);
  }
  const out: number[] = [];
  for (const l of by.values()) {
    l.sort((a, b) => a - b);
    for (let k = 1; k < l.length; k++) out.push(l[k]! - l[k - 1]!);
  }
  return out.sort((a, b) => a - b);
}

export function countIn(ts: number[], from: number, to: number): number {
  let c = 0;
  for (const t of ts) if (t >= from && t <= to) c++;
  return c;
}
