// Name resolution used by the config reader, injectable so tests never query the machine's
// resolver. The default mirrors ldirectord: getaddrinfo() for host names (Node's dns.lookup
// calls it, so /etc/hosts and nsswitch apply), /etc/services for port names.
import dns from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import type { Family } from './model.js';

export interface NameResolver {
  /** Numeric address (IPv6 without brackets) for `name` in `family`, or undefined. */
  lookupHost(name: string, family: Family): Promise<string | undefined>;
  /** getservbyname(name, protocol); protocol '' matches any. */
  lookupService(name: string, protocol: string): number | undefined;
  /** ldirectord's $HOSTNAME: the HOSTNAME environment variable, else uname's node name. */
  hostname(): string;
}

/** Canonical text of an IPv6 address (lower case, longest zero run compressed). */
export function canonicalIPv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Numeric literals need no lookup: getaddrinfo returns them as they are (canonicalised). */
export function literalAddress(name: string, family: Family): string | undefined | null {
  const kind = net.isIP(name);
  if (kind === 0) return null; // not a literal: ask the resolver
  if (kind !== family) return undefined; // getaddrinfo(AF_INET6) refuses a v4 literal and vice versa
  return family === 6 ? canonicalIPv6(name) : name;
}

interface ServiceEntry { name: string; port: number; protocol: string }

/** Parse services(5) text: "name port/proto [aliases...] [# comment]". */
export function parseServices(text: string): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/[ \t]+/);
    const m = /^(\d+)\/(\S+)$/.exec(portProto ?? '');
    if (!name || !m) continue;
    for (const n of [name, ...aliases]) out.push({ name: n, port: Number(m[1]), protocol: m[2] });
  }
  return out;
}

export class ServicesTable {
  constructor(private readonly entries: ServiceEntry[]) {}
  static fromFile(path = '/etc/services'): ServicesTable {
    let text = '';
    try { text = fs.readFileSync(path, 'latin1'); } catch { /* no services file: names don't resolve */ }
    return new ServicesTable(parseServices(text));
  }
  lookup(name: string, protocol: string): number | undefined {
    // First match in file order, like glibc's files backend.
    return this.entries.find((e) => e.name === name && (protocol === '' || e.protocol === protocol))?.port;
  }
}

let systemServices: ServicesTable | undefined;

export const systemResolver: NameResolver = {
  async lookupHost(name, family) {
    const literal = literalAddress(name, family);
    if (literal !== null) return literal;
    if (name === '') return undefined;
    try {
      const { address } = await dns.lookup(name, { family });
      return family === 6 ? canonicalIPv6(address) : address;
    } catch {
      return undefined;
    }
  },
  lookupService(name, protocol) {
    systemServices ??= ServicesTable.fromFile();
    return systemServices.lookup(name, protocol);
  },
  hostname() {
    return process.env.HOSTNAME ?? os.hostname();
  },
};

/** A resolver over fixed tables, for tests and for `--hosts` style offline validation. */
export function staticResolver(
  hosts: Record<string, { 4?: string; 6?: string }>, services: ServicesTable, hostname = 'director',
): NameResolver {
  return {
    async lookupHost(name, family) {
      const literal = literalAddress(name, family);
      if (literal !== null) return literal;
      return hosts[name]?.[family];
    },
    lookupService: (name, protocol) => services.lookup(name, protocol),
    hostname: () => hostname,
  };
}
