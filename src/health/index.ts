// Pure health state per check identity: see docs/DAEMON-CORE.md.
export * from './types.js';
export { freshHealth, isUpIn, probeChoice, probeTasks, realName, recordInto, recordOutcome, recordOutcomes, sharingIndex, sharingVirtuals } from './machine.js';
export type { ProbeChoice, ProbeTask, RecordResult } from './machine.js';
export { initHealth } from './init.js';
