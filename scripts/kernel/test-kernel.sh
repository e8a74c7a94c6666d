#!/usr/bin/env bash
# npm run test:kernel — the kernel tier: boots a VM with Debian's 6.1 kernel (IPVS modules),
# then runs test/kernel/ (backend contract against the real ipvsadm in the VM, and the
# stand-in's byte-for-byte fidelity against it). Needs root and scripts/kernel/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
export KVM_IPVS_VM=${KVM_IPVS_VM:-tslvs-kernel}
VM=scripts/kernel/kvm/vm.sh
bash scripts/kernel/install-deps.sh
npx tsc -p tsconfig.build.json
# a VM left over from an interrupted run would hold stale state
"$VM" stop >/dev/null 2>&1 || true
"$VM" start --timeout 3600
trap '"$VM" stop >/dev/null 2>&1 || true' EXIT
results=$(mktemp)
status=0
NODE_OPTIONS=--experimental-vm-modules npx jest -c test/kernel/jest.config.js --json --outputFile="$results" "$@" || status=$?
# A plain closing line any CI can read.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`kernel tests: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
' "$results" || true
rm -f "$results"
exit "$status"
