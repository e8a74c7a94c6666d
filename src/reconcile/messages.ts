// The transition lines, in ldirectord 4.12's exact words (sub names cited), plus tslvs's own
// "Repaired …" lines for drift, which ldirectord has no equivalent of.
// V = get_virtual(): "VIP:PORT", "[v6]:PORT" or the fwmark; R = "RIP:PORT".
import type { DesiredRole } from '../desired/build.js';

/** ld_start(): a service that was not in the table. */
export const addedVirtual = (v: string): string => `Added virtual server: ${v}`;
/** ld_start(): a service that was in the table (tslvs: only when -E changes something). */
export const changedVirtual = (v: string): string => `Changed virtual server: ${v}`;
/** purge_virtual(): tag "start" (ld_start, retired on reload) or "stop" (ld_stop). */
export const purgedVirtual = (tag: string, v: string): string => `Purged virtual server (${tag}): ${v}`;

/** _restore_service(): the entry was missing. */
export const addedReal = (role: DesiredRole, r: string, v: string, weight: number): string =>
  `Added ${role} server: ${r} (${v}) (Weight set to ${weight})`;
/** _restore_service(): the entry was there with another weight, forwarding or thresholds. */
export const restoredReal = (role: DesiredRole, r: string, v: string, weight: number): string =>
  `Restored ${role} server: ${r} (${v}) (Weight set to ${weight})`;

/** _remove_service()'s "$tag server: R [mapped from R0 ](V)". */
function removed(role: DesiredRole, stored: string, configured: string, v: string): string {
  return `${role} server: ${stored} ${stored !== configured ? `mapped from ${configured} ` : ''}(${v})`;
}
/** _remove_service(), quiescent and in the table. */
export const quiescentReal = (stored: string, configured: string, v: string): string =>
  `Quiescent ${removed('real', stored, configured, v)} (Weight set to 0)`;
/** _remove_service(), quiescent, missing, readdquiescent=yes (never mapped: nothing was found). */
export const readdQuiescentReal = (r: string, v: string): string => `Readd Quiescent real server: ${r} (${v}) (Weight set to 0)`;
/** The subject _remove_service() mails for a re-added quiescent real (it drops "Readd"). */
export const readdQuiescentAlert = (r: string, v: string): string => `Quiescent real server: ${r} (${v}) (Weight set to 0)`;
/** _remove_service(), not quiescent (fallbacks never are). */
export const deletedReal = (role: DesiredRole, stored: string, configured: string, v: string): string =>
  `Deleted ${removed(role, stored, configured, v)}`;
/** purge_untracked_service() / purge_service(): tag "start", "stop", or tslvs's "repair". */
export const purgedReal = (tag: string, r: string, v: string): string => `Purged real server (${tag}): ${r} (${v})`;

/** tslvs: a managed service was deleted or changed outside tslvs and is put back. */
export const repairedVirtual = (v: string, was: string[] | 'missing'): string =>
  `Repaired virtual server: ${v} (${wasText(was)})`;
/** tslvs: a real or fallback tslvs had set was deleted or changed outside tslvs and is put back. */
export const repairedReal = (role: DesiredRole, r: string, v: string, weight: number, was: string[] | 'missing'): string =>
  `Repaired ${role} server: ${r} (${v}) (Weight set to ${weight}) (${wasText(was)})`;

function wasText(was: string[] | 'missing'): string {
  return was === 'missing' ? 'was missing' : `was changed: ${was.join(', ')}`;
}
