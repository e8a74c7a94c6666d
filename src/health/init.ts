// Health at start-up and after a reload. ld_start() adopts the running table (a real already
// in its virtual at a weight above 0 counts as up); reread_config() builds new Perl objects and
// so forgets every counter. tslvs keeps the record of every check identity the new config still
// has (a deliberate improvement: a reload does not reset soft failures or combined counters,
// and does not take known-good reals out), and adopts only identities it has never seen.
import type { Config } from '../config/model.js';
import type { Table } from '../ipvs/types.js';
import { findReal, findService, forwardingOf, serviceIdOf, storedPort } from '../ipvs/keys.js';
import { freshHealth } from './machine.js';
import type { HealthState, RealHealth } from './types.js';

/**
 * The health to run `config` with.
 * @param observed the table as listed now (start-up adoption); leave out to adopt nothing.
 * @param previous the health under the previous config (reload); leave out at start-up.
 */
export function initHealth(config: Config, observed?: Table, previous?: HealthState): HealthState {
  const reals: Record<string, RealHealth> = {};
  for (const v of config.virtuals) {
    const service = observed ? findService(observed, serviceIdOf(v)) : undefined;
    for (const r of v.reals) {
      const known = previous?.reals[r.checkKey];
      const current = reals[r.checkKey] ?? (known ? { ...known, upIn: {} } : freshHealth(r.checkKey, v));
      if (current.upIn[v.id] !== undefined) {
        reals[r.checkKey] = current;
        continue;
      }
      // checktype=on needs no check to be up.
      const live = v.checktype === 'on'
        || (findReal(service, r.address, storedPort(serviceIdOf(v), forwardingOf(r.forward), r.port))?.weight ?? 0) > 0;
      // A virtual that newly shares a known identity takes the identity's verdict: the probe
      // that serves the others serves it too.
      const up = known ? (known.upIn[v.id] ?? (Object.values(known.upIn).some(Boolean) || live)) : live;
      reals[r.checkKey] = { ...current, upIn: { ...current.upIn, [v.id]: up } };
    }
  }
  return { reals };
}
