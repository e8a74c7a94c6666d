// Config × health × observed table → the desired IPVS table: see docs/DAEMON-CORE.md.
// Table identity (keys, stored ports, netmasks, scheduler flags) lives in ../ipvs/keys.ts.
export * from './build.js';
