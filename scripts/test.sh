#!/usr/bin/env bash
# The whole test suite: install the Debian packages the suites need (idempotent), build, run jest.
# Each scripts/deps/*.sh installs one group of packages only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
for dep in scripts/deps/*.sh; do
  [ -e "$dep" ] || continue
  bash "$dep"
done
npx tsc -p tsconfig.build.json
results=$(mktemp)
status=0
NODE_OPTIONS=--experimental-vm-modules npx jest --json --outputFile="$results" "$@" || status=$?
# A plain closing line any CI can read: "tests: N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
' "$results" || true
rm -f "$results"
exit "$status"
