// V8 heap settings for the detached daemon. Node's defaults suit a short-lived process on a
// big machine: with no old-space limit set, V8 sizes it from RAM (4 GB here) and then lets the
// heap grow 4x past what survived the last full GC before collecting again. A daemon that
// checks 10,000 real servers every few seconds keeps about 60 MB alive and churns through
// short-lived check state, so it sat at 370 MB RSS. A moderate limit makes V8 grow the heap by
// about 1.4x instead (its growth factor shrinks with the limit), and a small young generation
// suits probes that live a few milliseconds: 138-143 MB at 10,000 reals with a 2 MB semi-space
// (4 MB: 144-153 MB, 10 % less CPU; docs/PERFORMANCE.md).
//
// The limit is not meant to bind: it is 512 MB plus 16 KB per real server, at least 2.5 times
// what the daemon keeps alive at any size (about 6 KB per real). An operator's own setting
// (node's options or NODE_OPTIONS) always wins.

/** Old space limit (MB) for a config with this many real server entries. */
export function oldSpaceMb(reals: number): number {
  return 512 + Math.ceil((reals * 16) / 1024);
}

const SEMI_SPACE_MB = 2;

/**
 * The node flags to add when re-spawning the daemon: each one only if neither `execArgv` nor
 * NODE_OPTIONS sets it already.
 */
export function daemonHeapFlags(reals: number, execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  // node takes --max_old_space_size as well as --max-old-space-size.
  const has = (flag: string) => given.some((a) => {
    const norm = a.replace(/_/g, '-');
    return norm === flag || norm.startsWith(`${flag}=`);
  });
  const flags: string[] = [];
  if (!has('--max-old-space-size')) flags.push(`--max-old-space-size=${oldSpaceMb(reals)}`);
  if (!has('--max-semi-space-size')) flags.push(`--max-semi-space-size=${SEMI_SPACE_MB}`);
  return flags;
}
