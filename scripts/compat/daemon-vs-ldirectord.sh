#!/usr/bin/env bash
# The daemon differential test (docs/DAEMON-DIFF.md): every scenario against the real
# ldirectord 4.12 and tslvs, both daemonized on the stand-in ipvsadm in private mount
# namespaces; prints an agree/differ table per scenario and the differences. Needs root and
# /usr/sbin/ldirectord (bash scripts/deps/ldirectord.sh). Exit status: jest's.
# Options go to the test through the environment: TSLVS_DIFF_ONLY=basic,reload
# TSLVS_DIFF_DIRECTORS=ldirectord|both TSLVS_DIFF_CONCURRENCY=N TSLVS_DIFF_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "needs root (unshare -m, bind mounts)" >&2; exit 2; }
[ -x /usr/sbin/ldirectord ] || { echo "ldirectord is not installed (bash scripts/deps/ldirectord.sh)" >&2; exit 2; }
npx tsc -p tsconfig.build.json
report=$(mktemp /tmp/tslvs-daemon-diff-XXXXXX.json)
status=0
TSLVS_DIFF_REPORT="$report" NODE_OPTIONS=--experimental-vm-modules npx jest --verbose test/daemon-diff/ldirectord-diff.test.ts || status=$?
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const both = r.kinds.includes("tslvs") && r.kinds.includes("ldirectord");
console.log(`\ndirectors: ${r.kinds.join(" + ")}${r.tslvsReady ? "" : " (tslvs has no daemon: ldirectord side only)"}`);
const rows = [["scenario", "ldirectord side", "tslvs vs ldirectord", "rules fired (ldirectord)", "s"]];
for (const s of r.results) {
  const fired = Object.entries(s.fired.ldirectord ?? {}).map(([k, n]) => `${k}×${n}`).join(" ");
  rows.push([s.id, s.ldirectordProblems.length ? "PROBLEM" : "ok", both ? (s.differences.length ? "DIFFER" : "agree") : "-", fired, String(s.seconds)]);
}
const w = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
for (const x of rows) console.log(x.map((c, i) => c.padEnd(w[i])).join("  "));
for (const s of r.results) {
  for (const p of s.ldirectordProblems) console.log(`\n[${s.id}] ldirectord: ${p}`);
  for (const d of s.differences) console.log(`\n[${s.id}] ${d}`);
}
' "$report"
echo "full report (logs, normalised events, tables): $report"
exit "$status"
