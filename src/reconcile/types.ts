// What one reconcile produces: the ops, the log lines that describe them, and the
// fallbackcommand runs — all as data; nothing here runs or writes anything.
import type { DesiredRole, DesiredState, RetiredService } from '../desired/build.js';
import type { IpvsOp, Table } from '../ipvs/types.js';

export type TransitionKind =
  | 'addedVirtual' | 'changedVirtual' | 'repairedVirtual' | 'purgedVirtual'
  | 'added' | 'restored' | 'quiescent' | 'readdQuiescent' | 'deleted' | 'repaired' | 'purged';

export interface TransitionEvent {
  readonly kind: TransitionKind;
  /** get_virtual_id_str() of the virtual the line is about. */
  readonly virtualId: string;
  /** For real-level lines: the configured real or the fallback; absent for untracked reals. */
  readonly role?: DesiredRole;
  /** The log line, in ldirectord's words. */
  readonly message: string;
  /**
   * What ldirectord hands to ld_emailalert_send() with this line: the subject, the server
   * string that keys its resend table, and whether it starts the emailalertfreq resend
   * ("Inaccessible real server: …") or clears it. Absent: ldirectord mails nothing.
   */
  readonly alert?: { readonly subject: string; readonly server: string; readonly inaccessible: boolean };
  /** Index in `ops` of the op that makes the change (several lines can share one op at stop). */
  readonly op: number;
}

export type FallbackCommandStatus = 'start' | 'stop';

/** do_fallback_command(): `CMD start|stop VIP:VPORT PROTO`, split into argv (tslvs runs no shell). */
export interface FallbackCommandRun {
  readonly virtualId: string;
  readonly status: FallbackCommandStatus;
  /** The configured command text (to be split into argv by the runner). */
  readonly command: string;
  /** The three arguments ldirectord appends: status, "VIP:VPORT", protocol. */
  readonly args: readonly [FallbackCommandStatus, string, string];
  /** The whole line as ldirectord would hand it to /bin/sh (for logs). */
  readonly line: string;
}

/**
 * start: the first round after the daemon started (ld_start adoption: untracked reals in
 * managed virtuals are purged with "(start)"); reload: the first round under a new config
 * (the same, and `retired` services are purged); round: every other round (untracked reals are
 * purged with "(repair)").
 */
export type Phase = 'start' | 'reload' | 'round';

export interface ReconcileInput {
  readonly desired: DesiredState;
  /** The table as listed at the start of this round. */
  readonly observed: Table;
  readonly phase: Phase;
  /**
   * The table as it stood after tslvs's previous apply (ApplyResult.table, else the previous
   * observed table). A difference between it and `observed` was made by someone else: such an
   * entry is put back with a "Repaired …" line. Leave out when unknown (no drift detection).
   */
  readonly lastSeen?: Table;
  /** Services of the previous config that the new one dropped (reload): purged if present. */
  readonly retired?: readonly RetiredService[];
  /** do_fallback_command()'s memory per virtual id, from the previous result. */
  readonly fallbackCommandStatus?: Readonly<Record<string, FallbackCommandStatus>>;
}

export interface ReconcileResult {
  readonly ops: IpvsOp[];
  readonly events: TransitionEvent[];
  readonly commands: FallbackCommandRun[];
  /** Pass to the next reconcile. */
  readonly fallbackCommandStatus: Record<string, FallbackCommandStatus>;
}
