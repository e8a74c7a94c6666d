// The ipvsadm emulator behind its own door: the kernel table model, ipvsadm 1.31's command
// line over it, and the sim backend. The real backend (../backend.ts) imports nothing from here.
export { simBackend, InProcessRunner } from './backend.js';
export type { SimBackend } from './backend.js';
export { KernelTable, emptyState } from './kernel.js';
export type { KState } from './kernel.js';
export { Ipvsadm, runIpvsadm } from './ipvsadm.js';
