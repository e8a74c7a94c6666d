#!/usr/bin/env bash
# The reference programs: real ldirectord 4.12 (its config reader is compared with ours in
# test/compat/) and real ipvsadm 1.31. Idempotent: installs only what is missing.
set -euo pipefail
PKGS=(ldirectord ipvsadm libnet-inet6glue-perl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
cand=$(apt-cache policy ldirectord 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update
fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
