// Health state of real servers, one record per check identity (RealServer.checkKey), as plain
// immutable data. ldirectord keeps this on its Perl hashes: the failure counter and the
// combined-check counter on the real object that is probed, and the up/down flag per virtual
// (`$v->{real_status}`), which is why one record carries a flag for every virtual sharing it.

/** What one round learned about a check identity. */
export type Outcome =
  | {
    kind: 'up' | 'down';
    /** The check's own words (for monitorfile and status). */
    message: string;
    /**
     * For checktype=N (combined): which of the two probes ran. Left out, the one
     * probeChoice() would pick from the state is assumed.
     */
    probe?: 'connect' | 'negotiate';
  }
  /** A file in maintenancedir names the real: ldirectord forces it down ("Server in maintenance"). */
  | { kind: 'maintenance'; message?: string };

export interface RealHealth {
  readonly checkKey: string;
  /**
   * ldirectord's `$r->{failcount}`: one counter for the probed real object, bumped once for
   * every virtual that shares the real and still has it up (service_set loops over them).
   */
  readonly failcount: number;
  /**
   * ldirectord's `$r->{num_connects}` for checktype=N: connect checks passed since the last
   * negotiate check; FORCE_NEGOTIATE makes the next probe a negotiate check. -1 otherwise.
   */
  readonly numConnects: number;
  /** `$v->{real_status}{real}` per virtual id: the real counts as up in that virtual. */
  readonly upIn: Readonly<Record<string, boolean>>;
  /** The last outcome recorded, for status pages. */
  readonly last?: { readonly kind: Outcome['kind']; readonly message: string };
}

export interface HealthState {
  /** By checkKey. */
  readonly reals: Readonly<Record<string, RealHealth>>;
}

/** ldirectord's "negotiate next" marker for combined checks (ld_setup and _check_real). */
export const FORCE_NEGOTIATE = 999999;

/** A log line the health machine produces, in ldirectord's words. */
export interface HealthEvent {
  readonly kind: 'softFailure' | 'resetSoftFailure';
  readonly virtualId: string;
  readonly checkKey: string;
  /** "RIP:PORT" as ldirectord prints the real. */
  readonly real: string;
  readonly message: string;
}

/** The up/down verdict for one virtual after an outcome. */
export interface Verdict {
  readonly virtualId: string;
  readonly up: boolean;
  /** The verdict differs from the one before the outcome. */
  readonly changed: boolean;
}

export const EMPTY_HEALTH: HealthState = { reals: {} };
