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
NODE_OPTIONS=--experimental-vm-modules npx jest "$@"
