#!/usr/bin/env bash
# Debian daemons the mail, ftp, sql and radius check suites start on loopback (test/checks/{smtp,pop-imap,ftp,sql,radius}):
# postfix, dovecot, pure-ftpd, mariadb, postgresql, freeradius, plus openssl for test certificates.
# Idempotent: installs only what `dpkg -s` reports missing. Package postinst scripts must not
# leave system-wide daemons running (they would hold the default ports other suites may use), so
# during OUR install a policy-rc.d that refuses every start is in place; a pre-existing
# policy-rc.d (e.g. Docker's) is left alone. Afterwards the system copies are disabled again in
# case something started anyway.
set -euo pipefail

PKGS=(postfix dovecot-core dovecot-imapd dovecot-pop3d pure-ftpd mariadb-server mariadb-client
      postgresql postgresql-contrib freeradius freeradius-utils openssl ssl-cert)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then missing+=("$p"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "servers-mail-ftp-sql-radius.sh: need root to install: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# postfix asks two questions; answer them so the install never waits for a terminal.
debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string localhost
SEL

POLICY=/usr/sbin/policy-rc.d
MARK='# tslvs servers-mail-ftp-sql-radius temporary policy'
created_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n%s\nexit 101\n' "$MARK" > "$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
cleanup() {
  # Remove the policy only if it is still the one this script wrote.
  if [ "$created_policy" = 1 ] && grep -qF "$MARK" "$POLICY" 2>/dev/null; then rm -f "$POLICY"; fi
}
trap cleanup EXIT

need_update=1
# Package lists younger than a day are good enough; otherwise refresh once.
if [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  need_update=0
fi
install() {
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${missing[@]}"
}
if [ "$need_update" = 1 ] || ! install; then
  apt-get -o DPkg::Lock::Timeout=900 update
  install
fi

# Belt and braces: if an init script started a system copy anyway, stop it (the suites run their
# own instances in temp dirs on high ports).
for svc in postfix dovecot pure-ftpd mariadb freeradius; do
  if [ -x "/etc/init.d/$svc" ]; then /etc/init.d/$svc stop >/dev/null 2>&1 || true; fi
done
