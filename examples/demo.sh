#!/bin/sh
# The demo: the XDP firewall in examples/xdp, compiled for Linux, verified by bpfhost's verifier,
# run on the JIT over a bundled capture of mixed traffic with a blocklist, and its verdicts
# checked against the expectation.
set -eu
bin=build/bin/bpfhost
out=build/demo
mkdir -p "$out"
arch_inc=/usr/include/$(uname -m)-linux-gnu

echo "== 1. compile examples/xdp/xdp_firewall.bpf.c for Linux (clang -target bpf, bpfhost headers)"
clang -O2 -g -target bpf -mcpu=v3 -Iinclude -I"$arch_inc" -c examples/xdp/xdp_firewall.bpf.c -o "$out/xdp_firewall.bpf.o"
echo "   $(llvm-objdump -d "$out/xdp_firewall.bpf.o" | grep -c '^ *[0-9]*:') instructions"

if [ "$(uname -m)" = x86_64 ]; then engine=jit; else engine=interp; fi
echo "== 2. verify it, then run it on the $engine over examples/xdp/traffic.pcap with the blocklist"
echo "   blocked: 10.0.0.66, 2001:db8::66, tcp port 23, udp port 53"
"$bin" xdp run "$out/xdp_firewall.bpf.o" --pcap examples/xdp/traffic.pcap --out "$out/passed.pcap" \
    --map-set blocked_v4 0a000042 01 \
    --map-set blocked_v6 20010db8000000000000000000000066 01 \
    --map-set blocked_ports 06000017 01 \
    --map-set blocked_ports 11000035 01 \
    --engine "$engine" --dump-maps >"$out/report.txt"
how=$(sed -n '1s/.*(\(verified in [^)]*\)).*/\1/p' "$out/report.txt")
echo "   ${how:-NOT VERIFIED}"
sed -n '1,6p' "$out/report.txt" | sed 's/^/   /'
echo "   per protocol (the program's 'protocols' map):"
awk '/^map / { in_map = ($2 == "protocols") } in_map && /^  / { gsub(/[()]/, "", $4); print $4 }' "$out/report.txt" |
    paste -d' ' - - - - - - | awk '{ printf "     other %s  ipv4 %s  ipv6 %s  tcp %s  udp %s  icmp %s\n", $1, $2, $3, $4, $5, $6 }'
echo "   frames that passed: $out/passed.pcap"

echo "== 3. check against examples/xdp/traffic.expected (verdicts the Linux kernel also gives)"
fail=0
case $how in
"verified in"*) echo "   the verifier accepted it; it ran on the $engine" ;;
*) echo "   the program was not verified"; fail=1 ;;
esac
for v in 1:XDP_DROP 2:XDP_PASS; do
    key=${v%%:*} name=${v#*:}
    want=$(awk -v k="$key" '$1 == "verdicts" && $2 == k { print $4 }' examples/xdp/traffic.expected)
    got=$(awk -v n="$name" '$1 == n { print $2 }' "$out/report.txt")
    if [ "$want" = "$got" ]; then echo "   $name $got: as expected"; else echo "   $name $got, expected $want"; fail=1; fi
done
exit $fail
