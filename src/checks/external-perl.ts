// checktype=external-perl lives beside external (same contract); this file gives it its own
// module name for the registry. Reads: timeoutMs (checktimeout), checkcommand.
export { checkExternalPerl } from './external.js';
