// maintenancedir (_check_real_for_maintenance): a real is in maintenance when the directory
// holds a file named, in ldirectord's order, IP:PORT, IP, FQDN:PORT, FQDN, SHORT:PORT or SHORT.
// ldirectord stats six paths per real per round and does a reverse lookup for every real every
// round. tslvs reads the directory once per round and looks names up only when the directory
// holds a name that is not an address form, so an empty or numeric-only directory costs no
// lookup at all (and never a DNS query).
import dns from 'node:dns/promises';
import fs from 'node:fs/promises';
import { bracketed } from '../ipvs/keys.js';

/** Reverse lookup (getnameinfo with NI_NAMEREQD): the name, or undefined. */
export type ReverseResolver = (address: string) => Promise<string | undefined>;

export const systemReverseResolver: ReverseResolver = async (address) => {
  try {
    const { hostname } = await dns.lookupService(address, 0);
    // getnameinfo falls back to the numeric form where NI_NAMEREQD would fail.
    return hostname && hostname !== address ? hostname : undefined;
  } catch {
    return undefined;
  }
};

export interface MaintenanceView {
  /** The file that puts this real into maintenance, or undefined. */
  fileFor(address: string, port: number): Promise<string | undefined>;
}

/**
 * One round's view of the directory; undefined when nothing can be in maintenance (no
 * directory, unreadable, or empty), so the round skips the per-real lookups altogether.
 */
export async function readMaintenance(
  dir: string | undefined, reverse: ReverseResolver = systemReverseResolver,
): Promise<MaintenanceView | undefined> {
  if (!dir) return undefined;
  let names: Set<string>;
  try {
    names = new Set(await fs.readdir(dir));
  } catch {
    return undefined;
  }
  if (names.size === 0) return undefined;
  const cache = new Map<string, Promise<string | undefined>>();
  return {
    async fileFor(address, port) {
      const server = bracketed(address);
      for (const n of [`${server}:${port}`, server]) if (names.has(n)) return n;
      if (![...names].some((n) => !looksNumeric(n))) return undefined;
      let lookup = cache.get(address);
      if (!lookup) { lookup = reverse(address); cache.set(address, lookup); }
      const fqdn = await lookup;
      if (!fqdn) return undefined;
      const short = /^([a-z][a-z0-9-]+)\./.exec(fqdn)?.[1];
      const candidates = [`${fqdn}:${port}`, fqdn, ...(short ? [`${short}:${port}`, short] : [])];
      return candidates.find((n) => names.has(n));
    },
  };
}

/** "10.0.0.1", "10.0.0.1:80", "[::1]", "[::1]:80": names that never need a lookup. */
function looksNumeric(name: string): boolean {
  return /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\])(:\d+)?$/.test(name);
}
