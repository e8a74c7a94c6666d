// Summarise a V8 .cpuprofile (node --cpu-prof): top functions by self time and by inclusive
// time (project code only for the latter). `node bench/.out/prof-summary.js FILE [TOP]`
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 20);
if (!file) {
  process.stderr.write('usage: prof-summary FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: Node): string => {
  const f = n.callFrame;
  const url = f.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '');
  return `${f.functionName || '(anonymous)'} ${url}${url ? `:${f.lineNumber + 1}` : ''}`;
};
const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  total += dt;
  const n = byId.get(id)!;
  self.set(name(n), (self.get(name(n)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + dt);
  }
});
const ms = (us: number): string => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nself time:');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms ${pct(v)}  ${k}`);
console.log('\ninclusive time, project code (dist/):');
for (const [k, v] of [...incl].filter(([k]) => k.includes(' dist/')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ms ${pct(v)}  ${k}`);
