#!/usr/bin/env bash
# Runs the differential check suite (test/checks/vs-ldirectord-checks.test.ts): every check, on
# the same loopback real servers in the same states, by real ldirectord 4.12's own code and by
# tslvs, from one ldirectord.cf. Prints the agreement table (service x state -> ldirectord's
# verdict, tslvs's verdict, agree?). Exit status: jest's (non-zero when any verdict is not the
# one the suite expects, including a documented difference that went away).
# Usage: scripts/compat/checks-vs-ldirectord.sh [TABLE_FILE]   (also: npm run compat:checks)
set -euo pipefail
cd "$(dirname "$0")/../.."
for dep in scripts/deps/servers-web-dns-ldap-sip-nntp.sh scripts/deps/servers-mail-ftp-sql-radius.sh scripts/deps/ldirectord.sh; do
  bash "$dep"
done
out=${1:-$(mktemp)}
rm -f "$out"
status=0
CHECKS_AGREEMENT_OUT="$out" NODE_OPTIONS=--experimental-vm-modules \
  npx jest --verbose test/checks/vs-ldirectord-checks.test.ts || status=$?
if [ -s "$out" ]; then
  echo
  echo "Agreement table (ldirectord $(dpkg-query -W -f='${Version}' ldirectord 2>/dev/null || echo '?') vs tslvs):"
  cat "$out"
  total=$(( $(grep -c '^| ' "$out" || true) - 1 ))
  same=$(grep -c '| yes |$' "$out" || true)
  deliberate=$(grep -c '| no, deliberate |$' "$out" || true)
  echo
  echo "cases: $total, agree: $same, deliberate differences: $deliberate, unexpected: $((total - same - deliberate))"
else
  echo "no table written (the suite did not get to run both sides)" >&2
  [ "$status" -ne 0 ] || status=1
fi
[ -n "${1:-}" ] || rm -f "$out"
exit "$status"
