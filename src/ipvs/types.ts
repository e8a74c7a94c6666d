// The IPVS table as the rest of tslvs sees it, the typed operations that change it, and the
// backend interface. Nothing outside src/ipvs/ builds ipvsadm arguments: it builds IpvsOps.

export type Protocol = 'tcp' | 'udp' | 'sctp';
export type Family = 'inet' | 'inet6';
export type Forwarding = 'Route' | 'Masq' | 'Tunnel' | 'Local';
export type TunnelType = 'ipip' | 'gue' | 'gre';
export type TunnelCsum = 'nocsum' | 'csum' | 'remcsum';

/** A virtual service's identity: protocol+address+port, or firewall mark (+ family). */
export type ServiceId =
  | { kind: 'addr'; protocol: Protocol; address: string; port: number }
  | { kind: 'fwmark'; fwmark: number; family: Family };

export interface ServiceSettings {
  /** Scheduler name, e.g. "wlc". */
  scheduler: string;
  /** Scheduler flags as ipvsadm names them for this scheduler (sh-port, mh-fallback, flag-1, ...). */
  schedFlags: string[];
  /** Persistence timeout in seconds; undefined = not persistent. */
  persistent?: number;
  /** Persistence granularity: dotted mask for IPv4 ("255.255.255.0"), prefix length for IPv6 ("64").
   *  undefined = the default (/32 or /128). Only meaningful when persistent. */
  netmask?: string;
  /** Persistence engine ("sip"). */
  pe?: string;
  /** One-packet scheduling (UDP and fwmark only). */
  ops: boolean;
}

export interface Service extends ServiceSettings {
  id: ServiceId;
  reals: Real[];
}

export interface TunnelSettings {
  type: TunnelType;
  /** gue only */
  port?: number;
  /** gue/gre only; default nocsum */
  csum?: TunnelCsum;
}

export interface RealSettings {
  forwarding: Forwarding;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  /** Tunnel details; only for forwarding Tunnel (undefined = ipip). */
  tunnel?: TunnelSettings;
}

export interface Real extends RealSettings {
  address: string;
  port: number;
  activeConns: number;
  inactiveConns: number;
}

export interface Table {
  services: Service[];
}

/** What a caller wants a service to be (add/edit pass every field: -E resets what is left out). */
export interface ServiceSpec extends Partial<ServiceSettings> {
  id: ServiceId;
  scheduler: string;
}

export interface RealSpec {
  address: string;
  port: number;
  /** Route, Masq or Tunnel ("Local" is a kernel verdict, not something one asks for). */
  forwarding: Exclude<Forwarding, 'Local'>;
  weight: number;
  upperThreshold?: number;
  lowerThreshold?: number;
  tunnel?: TunnelSettings;
}

export type IpvsOp =
  | { kind: 'addService'; service: ServiceSpec }
  | { kind: 'editService'; service: ServiceSpec }
  | { kind: 'deleteService'; id: ServiceId }
  | { kind: 'addReal'; service: ServiceId; real: RealSpec }
  | { kind: 'editReal'; service: ServiceId; real: RealSpec }
  | { kind: 'deleteReal'; service: ServiceId; address: string; port: number };

export interface OpResult {
  op: IpvsOp;
  /** true when the table after the round shows what the op asked for. */
  ok: boolean;
  /** A later op in the same batch touched the same key; ok then reflects that later op's outcome. */
  superseded?: boolean;
  /** Why it is not ok: rejected before sending, or what the table shows instead. */
  reason?: string;
}

export type ListResult =
  | { ok: true; table: Table; warnings: string[]; execs: number }
  | { ok: false; error: string; warnings: string[]; execs: number };

export interface ApplyResult {
  /** every op ok */
  ok: boolean;
  results: OpResult[];
  /** The table observed after the write, when it could be read. */
  table?: Table;
  /** ipvsadm's own error lines (no line numbers: ipvsadm -R gives none). */
  stderr: string[];
  warnings: string[];
  /** Set when the whole round failed (timeout, spawn error, unreadable output). */
  error?: string;
  /** Number of processes spawned for this apply (1 normally; 2 when the verification had to re-list). */
  execs: number;
}

export interface IpvsBackend {
  readonly name: string;
  list(): Promise<ListResult>;
  apply(ops: readonly IpvsOp[]): Promise<ApplyResult>;
}
