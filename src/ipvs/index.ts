// Public face of the IPVS backend: the table model, ops, keys and the two backends.
export type * from './types.js';
export { serviceKey, realKey, realKeyOf, effectiveRealPort, validateOp } from './ops.js';
export { ipvsadmBackend, simBackend, findIpvsadm, findService, RunnerBackend, DEFAULT_TIMEOUT_MS } from './backend.js';
export type { Runner, RunOutcome, IpvsadmBackendOptions, SimBackend } from './backend.js';
export { parseListing, parseSave } from './parse.js';
