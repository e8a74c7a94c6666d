// The detached daemon's V8 heap flags (src/daemon/heap-flags.ts): sized by the config, and never
// over an operator's own setting.
import { daemonHeapFlags, oldSpaceMb } from '../../src/daemon/heap-flags.js';

describe('daemonHeapFlags', () => {
  it('grows the old-space limit with the number of real servers', () => {
    expect(oldSpaceMb(0)).toBe(512);
    expect(oldSpaceMb(10_000)).toBe(669);
    expect(oldSpaceMb(100_000)).toBe(2075);
    expect(daemonHeapFlags(10_000, [])).toEqual(['--max-old-space-size=669', '--max-semi-space-size=2']);
  });
  it("leaves out what node's options or NODE_OPTIONS already set, in either spelling", () => {
    expect(daemonHeapFlags(10, ['--max-old-space-size=2048'])).toEqual(['--max-semi-space-size=2']);
    expect(daemonHeapFlags(10, ['--cpu-prof'], '--max_semi_space_size=16')).toEqual(['--max-old-space-size=513']);
    expect(daemonHeapFlags(10, [], '--max-old-space-size=300  --max-semi-space-size=1')).toEqual([]);
    expect(daemonHeapFlags(10, ['--max-old-space-size', '100'])).toEqual(['--max-semi-space-size=2']);
  });
});
