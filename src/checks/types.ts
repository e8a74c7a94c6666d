// The one signature every health check has. Checks know nothing about IPVS, logging or
// the daemon: they get a numeric target, resolved options and a deadline, and say up/down.

/** The 21 service names ldirectord 4.12 accepts for `service=`. */
export const SERVICE_NAMES = [
  'dns', 'ftp', 'http', 'https', 'http_proxy', 'imap', 'imaps', 'ldap', 'ldaps', 'mysql',
  'nntp', 'none', 'oracle', 'pgsql', 'pop', 'pops', 'radius', 'simpletcp', 'sip', 'smtp',
  'submission',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export type CheckType =
  | 'connect' | 'negotiate' | 'ping' | 'external' | 'external-perl' | 'on' | 'off' | 'combined';

export type VirtualProtocol = 'tcp' | 'udp' | 'sctp' | 'fwm';

export interface CheckTarget {
  /** Real server address, numeric: dotted IPv4 or IPv6 without brackets. */
  address: string;
  /** Port to probe: `checkport` when set, else the real server's own port. */
  port: number;
  /** The real server's configured port (external checks pass it as RPORT). */
  realPort: number;
  /** The virtual service this check is for (external checks pass VIP VPORT, or the mark). */
  virtual: {
    protocol: VirtualProtocol;
    /** Numeric virtual address (absent for fwmark virtuals). */
    address?: string;
    port?: number;
    fwmark?: number;
  };
}

/** TLS certificate policy for https/ldaps/imaps/pops: see docs/COMPATIBILITY.md. */
export type TlsVerify = 'chain' | 'full' | 'none';

export interface CheckOptions {
  checktype: CheckType;
  service: ServiceName;
  /** The time this probe may take, in ms (checktimeout or negotiatetimeout as ldirectord picks). */
  timeoutMs: number;
  /** ping: number of echo requests (ldirectord's `checkcount`). */
  checkcount: number;
  request?: string;
  receive?: string;
  login?: string;
  /** Secret: never put it into a message. */
  passwd?: string;
  database?: string;
  /** Secret: never put it into a message. */
  secret?: string;
  virtualhost?: string;
  httpmethod: 'GET' | 'HEAD';
  /** external / external-perl: the command line from `checkcommand`. */
  checkcommand?: string;
  /** https and the other TLS services: default 'chain' as ldirectord on Debian. */
  tlsVerify: TlsVerify;
}

export interface CheckResult {
  up: boolean;
  /** Why, step by step ("HTTP GET http://127.0.0.1:8080/: 503 Service Unavailable"). No secrets. */
  message: string;
  /** Wall time the probe took. */
  durationMs: number;
}

/** Every check: resolves (never rejects) by the time `signal` aborts, having closed its sockets. */
export type CheckFn = (target: CheckTarget, options: CheckOptions, signal: AbortSignal) => Promise<CheckResult>;
