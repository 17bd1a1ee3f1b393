#!/bin/sh
# Installs the Debian packages bpfhost builds and tests with. Idempotent and quiet when
# everything is already there; run as root (or through sudo) on Debian 12.
set -eu
PACKAGES="make gcc clang llvm libelf-dev zlib1g-dev libbpf-dev libpcap-dev liburcu-dev \
libsodium-dev libclang-rt-14-dev linux-libc-dev iproute2 tcpdump bpftool iputils-ping python3"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
