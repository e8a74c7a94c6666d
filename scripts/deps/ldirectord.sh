#!/usr/bin/env bash
# The reference programs: real ldirectord 4.12 (its config reader is compared with ours in
# test/compat/, its checks in test/checks/vs-ldirectord-*.test.ts) and real ipvsadm 1.31, plus
# the Perl modules ldirectord's checks load at run time: the mysql and pgsql checks need the DBI
# drivers, which ldirectord's package does not pull in (the rest come with its Depends, listed
# here so a partial install is repaired). Idempotent: installs only what is missing.
set -euo pipefail
PKGS=(ldirectord ipvsadm libnet-inet6glue-perl libdbd-mysql-perl libdbd-pg-perl
      libauthen-radius-perl libnet-ldap-perl libmail-pop3client-perl libnet-imap-simple-perl
      libnet-imap-simple-ssl-perl libnet-dns-perl libio-socket-inet6-perl libwww-perl
      liblwp-protocol-https-perl libdbi-perl)
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
