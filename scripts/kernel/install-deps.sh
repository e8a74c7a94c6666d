#!/usr/bin/env bash
# Packages the kernel tier needs (idempotent; installs only what is missing):
# qemu and the initramfs tools for scripts/kernel/kvm, and ipvsadm itself (the guest runs
# the host's binaries). The kernel image is fetched on first use into /var/cache/kvm-ipvs.
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
command -v depmod >/dev/null 2>&1 || need+=(kmod)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
[ -x /usr/sbin/ipvsadm ] || need+=(ipvsadm)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "scripts/kernel/install-deps.sh: need root to install: ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${need[@]}" \
  || { apt-get -o DPkg::Lock::Timeout=900 update && apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${need[@]}"; }
