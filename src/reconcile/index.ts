// diff(desired, observed) → IpvsOps + ldirectord's transition lines: see docs/DAEMON-CORE.md.
export * from './types.js';
export { reconcile, reconcileStop } from './reconcile.js';
export { realDifferences, realMatches, serviceDifferences, serviceMatches } from './compare.js';
export * as messages from './messages.js';
