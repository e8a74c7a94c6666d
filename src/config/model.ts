// The resolved configuration: what ldirectord 4.12 holds after read_config() + ld_setup(),
// as plain immutable data. Strings are "byte strings" (the file is read as latin1) so that
// request/receive texts reach the wire and the terminal exactly as written.
import type { CheckType, ServiceName } from '../checks/types.js';

export type Family = 4 | 6;
export type Forward = 'gate' | 'masq' | 'ipip';
export type VirtualProtocol = 'tcp' | 'udp' | 'fwm';
export type YesNo = 'yes' | 'no';

/** ldirectord's daemon states for `emailalertstatus`. */
export const EMAIL_STATUSES = ['starting', 'running', 'stopping', 'reloading'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

export interface Fallback {
  /** Numeric address (IPv6 without brackets). */
  address: string;
  family: Family;
  /** Port; 0 when none was given (fwmark virtuals, global fallback without port). */
  port: number;
  forward: Forward;
  line: number;
}

export interface RealServer {
  address: string;
  family: Family;
  port: number;
  forward: Forward;
  weight: number;
  /** Effective request/receive for this real (its own pair, else the virtual's). */
  request: string;
  receive: string;
  /** True when the real line carried its own "request", "receive" pair. */
  ownRequest: boolean;
  /** URL ldirectord builds for http-family checks (ld_setup). */
  url: string;
  /** IPVS thresholds (0 = none). */
  upperThreshold: number;
  lowerThreshold: number;
  line: number;
  /** ldirectord's get_real_id_str(): probes with the same id are shared by ldirectord. */
  ldirectordId: string;
  /**
   * tslvs's probe key: ldirectord's id plus the credentials and http method, hashed so the
   * key can be logged. ldirectord leaves credentials out and so shares results between
   * virtuals that log in differently (a fault we fix on purpose, docs/COMPATIBILITY.md).
   */
  checkKey: string;
}

export interface VirtualService {
  /** ldirectord's get_virtual_id_str(): "tcp:10.0.0.1:80", "tcp:[2001:db8::1]:80", "fwm:5", "fwm6:5". */
  id: string;
  line: number;
  family: Family;
  protocol: VirtualProtocol;
  /** Numeric address without brackets (absent for fwmark). */
  address?: string;
  port: number;
  fwmark?: number;
  service: ServiceName;
  checktype: CheckType;
  /** checktype=N: the number of connect checks before a negotiate check. */
  combinedConnects?: number;
  scheduler: string;
  persistent?: number;
  netmask?: string;
  schedflags?: string;
  ops: boolean;
  request: string;
  receive: string;
  login: string;
  passwd: string;
  database: string;
  secret: string;
  load?: string;
  httpmethod: 'GET' | 'HEAD';
  virtualhost?: string;
  checkcommand: string;
  checkport?: number;
  /** Effective values after ldirectord's mutual defaulting (seconds / counts). */
  checktimeout: number;
  negotiatetimeout: number;
  checkcount: number;
  failurecount: number;
  /** Effective check interval: this virtual's when fork=yes and set, else the global one. */
  checkinterval: number;
  /** The virtual's own checkinterval line, if any (ignored when fork=no, with a warning). */
  ownCheckinterval?: number;
  fallback?: Fallback;
  fallbackcommand?: string;
  /** Effective quiescent (the virtual's setting, else the global one). */
  quiescent: boolean;
  emailalert?: string;
  emailalertfreq?: number;
  emailalertstatus?: EmailStatus[];
  monitorfile?: string;
  /** Effective cleanstop (the virtual's, else the global one). */
  cleanstop: boolean;
  smtp?: string;
  servicename?: string;
  comment?: string;
  /**
   * tslvs extension (`tlsverify = chain|full|none`): certificate policy of TLS checks.
   * Unset: each service keeps ldirectord's own policy (see checks/registry.ts).
   */
  tlsVerify?: 'chain' | 'full' | 'none';
  reals: RealServer[];
}

export interface GlobalConfig {
  /** Raw global timeouts (undefined = not set; the per-virtual values are effective). */
  checktimeout?: number;
  negotiatetimeout?: number;
  checkinterval: number;
  checkcount: number;
  failurecount: number;
  fallback?: { tcp: Fallback; udp: Fallback };
  fallback6?: { tcp: Fallback; udp: Fallback };
  fallbackcommand?: string;
  autoreload: boolean;
  callback?: string;
  /** An absolute path, or a syslog facility name. */
  logfile: string;
  execute: string[];
  fork: boolean;
  supervised: boolean;
  quiescent: boolean;
  readdquiescent: boolean;
  emailalert?: string;
  emailalertfreq: number;
  emailalertstatus: EmailStatus[];
  emailalertfrom?: string;
  cleanstop: boolean;
  smtp?: string;
  maintenancedir?: string;
}

export interface ConfigWarning {
  /** Line number, or undefined for whole-file warnings. */
  line?: number;
  message: string;
}

export interface Config {
  /** The path that was read (after /etc/ha.d lookup). */
  path: string;
  global: GlobalConfig;
  virtuals: VirtualService[];
  /** ldirectord's @REAL: each distinct real id and the virtual ids that share it. */
  sharedChecks: Array<{ ldirectordId: string; checkKey: string; virtuals: string[] }>;
  warnings: ConfigWarning[];
}
