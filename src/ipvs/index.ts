// Public face of the IPVS backend: the table model, ops, keys and the real ipvsadm backend.
// The emulator and the sim backend are behind their own door, ./sim/index.ts.
export type * from './types.js';
export * from './keys.js';
export { validateOp, opArgs } from './ops.js';
export { ipvsadmBackend, findIpvsadm, RunnerBackend, DEFAULT_TIMEOUT_MS } from './backend.js';
export type { Runner, RunOutcome, IpvsadmBackendOptions } from './backend.js';
export { parseListing, parseSave, readListOutput } from './parse.js';
