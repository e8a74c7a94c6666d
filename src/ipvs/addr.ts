// Address parsing and printing with the C library's rules, because ipvsadm's output and its
// accepted input are defined by inet_aton / inet_pton / inet_ntop, not by Node's net module.

/** IPv4 as an unsigned 32-bit number (host order). */
export type V4 = number;
/** IPv6 as eight 16-bit words. */
export type V6 = number[];

function strtoulBase0(s: string): number | null {
  // inet_aton's per-part parse: 0x.. hex, 0.. octal, else decimal.
  if (s === '') return null;
  let m: RegExpExecArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]*)$/.exec(s))) return m[1] === '' ? 0 : parseInt(m[1]!, 16);
  if (/^0[0-7]*$/.test(s)) return parseInt(s, 8);
  if (/^[1-9][0-9]*$/.test(s)) return parseInt(s, 10);
  return null;
}

/** glibc inet_aton: 1 to 4 parts ("10.1" = 10.0.0.1, "010.1.1.1" = 8.1.1.1). */
export function inetAton(s: string): V4 | null {
  const parts = s.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = strtoulBase0(p);
    if (n === null || n > 0xffffffff) return null;
    nums.push(n);
  }
  const last = nums[nums.length - 1]!;
  const lead = nums.slice(0, -1);
  if (lead.some((n) => n > 255)) return null;
  const maxLast = [0xffffffff, 0xffffff, 0xffff, 0xff][lead.length]!;
  if (last > maxLast) return null;
  let v = 0;
  lead.forEach((n, i) => {
    v += n * 2 ** (24 - 8 * i);
  });
  return v + last;
}

/**
 * Parsing is memoised: the table model and the sort comparators parse the same few thousand
 * addresses over and over (profiled: most of a 10,000-real round). Bounded, so a long-running
 * daemon with changing configs cannot grow it without limit.
 */
function memo<T>(fn: (s: string) => T): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined && !cache.has(s)) {
      if (cache.size >= 200_000) cache.clear();
      v = fn(s);
      cache.set(s, v);
    }
    return v as T;
  };
}

/** Strict dotted quad (inet_pton AF_INET): four decimal parts, no leading zeros. */
export const inetPton4 = memo(inetPton4Uncached);

function inetPton4Uncached(s: string): V4 | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

/** The eight 16-bit groups; the array is shared (memoised): do not modify it. */
export const inetPton6: (s: string) => V6 | null = memo((s) => {
  const v = inetPton6Uncached(s);
  return v ? Object.freeze(v) as V6 : null;
});

function inetPton6Uncached(s: string): V6 | null {
  if (s.length === 0 || /[^0-9a-fA-F:.]/.test(s)) return null;
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const parseGroups = (part: string, allowV4: boolean): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = inetPton4(g);
        if (v4 === null) return null;
        out.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  if (dbl < 0) {
    const all = parseGroups(s, true);
    return all && all.length === 8 ? all : null;
  }
  const h = parseGroups(head, false);
  const t = parseGroups(tail, true);
  if (!h || !t) return null;
  if (h.length + t.length > 7) return null;
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

export function ntop4(v: V4): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** glibc inet_ntop(AF_INET6): longest (first) zero run of >= 2 words becomes "::"; v4-mapped/compat tails dotted. */
export function ntop6(w: V6): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      out += ntop4(w[6]! * 65536 + w[7]!);
      break;
    }
    out += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The four network-order 32-bit words ipvsadm's comparators read (v4 = [ip, 0, 0, 0]). */
export function words32(af: 4 | 6, addr: string): number[] {
  if (af === 4) return [inetPton4(addr) ?? 0, 0, 0, 0];
  const w = inetPton6(addr) ?? new Array<number>(8).fill(0);
  return [0, 1, 2, 3].map((i) => w[2 * i]! * 65536 + w[2 * i + 1]!);
}

/** Canonical text of an address as ipvsadm prints it, or null if it is not an IP literal. */
export const canonicalAddress = memo(canonicalAddressUncached);

function canonicalAddressUncached(s: string): { af: 4 | 6; addr: string } | null {
  const v6 = inetPton6(s);
  if (v6 && s.includes(':')) return { af: 6, addr: ntop6(v6) };
  const v4 = inetPton4(s);
  if (v4 !== null) return { af: 4, addr: ntop4(v4) };
  return null;
}
