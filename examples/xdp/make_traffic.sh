#!/bin/sh
# Regenerates traffic.pcap and traffic.expected (committed) from make_traffic.c.
# Run from anywhere; needs cc and libpcap-dev.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
    -o "$tmp/make_traffic" "$dir/make_traffic.c" -lpcap
"$tmp/make_traffic" "$dir/traffic.pcap" "$dir/traffic.expected"
