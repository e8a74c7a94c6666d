// Config × health × observed table → the desired IPVS table: see docs/DAEMON-CORE.md.
export * from './build.js';
export * from './table-keys.js';
