#!/usr/bin/env bash
# Debian packages the check suites for http, dns, ldap, nntp, sip, ping (test/checks/) start as real
# servers on loopback. Idempotent: only missing packages are installed.
# Installing a daemon package must not leave a system-wide daemon running (it would hold the
# default ports and outlive the tests), so while we install, a policy-rc.d that refuses every
# service start is in place - only if none exists already, and removed again afterwards.
set -euo pipefail

PKGS=(
  nginx            # http / https real server
  tinyproxy        # http_proxy real server
  dnsmasq-base     # dns real server (the binary only, no service)
  slapd ldap-utils # ldap / ldaps real server (+ ldapadd/slapadd for the fixture)
  leafnode         # nntp real server (an inetd-style daemon: the test spawns it per connection)
  kamailio         # sip real server
  iputils-ping     # the ping check runs iputils ping
  openssl          # throw-away certificates in the tests
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Refresh the lists only when a package cannot be installed from what apt knows now.
for p in "${missing[@]}"; do
  cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
    $SUDO apt-get -o DPkg::Lock::Timeout=900 update
    break
  fi
done

policy=/usr/sbin/policy-rc.d
mark='# tslvs servers-web-dns-ldap-sip-nntp temporary policy'
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n%s\nexit 101\n' "$mark" | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  created_policy=1
fi
# Remove the policy only if it is still the one this script wrote (another install may share it).
cleanup() { if [ "$created_policy" = 1 ] && grep -qF "$mark" "$policy" 2>/dev/null; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"

# Belt and braces: if a postinst started a daemon anyway (no policy-rc.d honoured), stop it so
# it does not hold ports 80/389/5060/8888 while the suites run.
for svc in nginx tinyproxy slapd kamailio; do
  if command -v service >/dev/null 2>&1 && [ -e "/etc/init.d/$svc" ]; then
    $SUDO service "$svc" stop >/dev/null 2>&1 || true
  fi
done
