#!/bin/sh
# XDP datapath bench: packets per second and CPU per packet of bpfhost's user-space XDP
# datapath beside the Linux kernel's own (native veth) XDP running the same object on the
# same veth, in the same run. 64-byte UDP frames come from one generator thread (xdp_gen)
# in namespace G through veth g0 -> x1 (namespace M); bpfhost runs inline x1 -> p1.
#
#   none           nothing attached: the frames reach M's network stack, which drops them
#   kernel drop    ip link set x1 xdpdrv obj xdp_drop.bpf.o (return XDP_DROP)
#   kernel fw      the firewall example, every frame to a blocked UDP port (full parse,
#                  three map lookups, DROP)
#   bpfhost none   bpfhost xdp attach x1 --no-program --peer p1: the datapath alone, every
#                  frame forwarded out of p1
#   bpfhost drop   bpfhost with xdp_drop.bpf.o
#   bpfhost fw     bpfhost with the firewall, same traffic as kernel fw
#
# pps: frames the datapath handled per second (kernel: x1's rx_packets; bpfhost: its verdict
# counters); on a shared machine the generator's share of a CPU limits it. ns/frame: CPU
# time per frame handled of the generator (whose sends run the kernel's receive path and XDP
# in softirq context, charged to it without IRQ time accounting), plus bpfhost's process,
# plus the ksoftirqd threads: both sides pay for the same things, and other processes on
# the machine do not count. Quote ratios from one run. Needs root.
# usage: sh bench/xdp_bench.sh [SECONDS]   (from the top of the tree, after make)
set -u
SECONDS_PER_RUN=${1:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build/bin/bpfhost
OUT=$ROOT/bench/build
mkdir -p "$OUT"
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -o "$OUT/xdp_gen" "$ROOT/bench/xdp_gen.c" || exit 1
clang -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c "$ROOT/bench/xdp_drop.bpf.c" -o "$OUT/xdp_drop.o" || exit 1
clang -O2 -g -target bpf -mcpu=v3 -I"$ROOT/include" -I/usr/include/$(uname -m)-linux-gnu \
    -c "$ROOT/examples/xdp/xdp_firewall.bpf.c" -o "$OUT/xdp_fw.o" || exit 1
[ -x "$B" ] || { echo "build bpfhost first (make)"; exit 1; }

P=xb$$
G=${P}g M=${P}m Q=${P}p
export BPFHOST_RUN_DIR=$OUT/run.$$
cleanup() {
    for n in $G $M $Q; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$BPFHOST_RUN_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
for n in $G $M $Q; do
    ip netns add "$n" || { echo "SKIP xdp bench: no network namespaces here"; exit 0; }
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add ${P}g0 netns $G type veth peer name ${P}x1 netns $M
ip link add ${P}p0 netns $Q type veth peer name ${P}p1 netns $M
ip -n $G link set ${P}g0 up
ip -n $M link set ${P}x1 up
ip -n $M link set ${P}p1 up
ip -n $Q link set ${P}p0 up
X=${P}x1

# CPU ticks (utime + stime) of the given pids, and of every ksoftirqd thread.
ticks_of() { for pid in "$@"; do awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null; done | awk '{ n += $1 } END { print n + 0 }'; }
softirqd_ticks() { ticks_of $(ps -eo pid=,comm= | awk '$2 ~ /^ksoftirqd/ { print $1 }'); }
rx_packets() { ip -n $M -s link show $X | awk '/RX:/ { getline; print $2; exit }'; }
HZ=$(getconf CLK_TCK)

# measure NAME COUNT_CMD: runs the generator with DST_PORT set; COUNT_CMD prints frames handled.
report() { # report NAME FRAMES TICKS GENERATOR_CPU_NS
    awk -v name="$1" -v frames="$2" -v ticks="$3" -v gen="$4" -v hz="$HZ" -v s="$SECONDS_PER_RUN" 'BEGIN {
        ns = frames ? (ticks * 1e9 / hz + gen) / frames : 0
        printf "%-14s %12.0f %12.0f\n", name, frames / s, ns }' | tee -a "$OUT/xdp_bench.last"
}
run_generator() { # prints the generator's CPU ns
    ip netns exec $G "$OUT/xdp_gen" ${P}g0 "$SECONDS_PER_RUN" "$1" | awk '{ print $4 }'
}

kernel_case() { # kernel_case NAME OBJECT PORT
    if [ -n "$2" ] && ! ip -n $M link set dev $X xdpdrv obj "$2" sec xdp 2>"$OUT/kernel.err"; then
        printf '%-14s %12s %12s   (the kernel refused: %s)\n' "$1" - - "$(head -c 80 "$OUT/kernel.err")"
        return
    fi
    if [ "$2" = "$OUT/xdp_fw.o" ]; then
        prog=$(ip -n $M -d link show $X | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
        for map in $(bpftool prog show id "$prog" | sed -n 's/.*map_ids \([0-9,]*\).*/\1/p' | tr , ' '); do
            bpftool map show id "$map" | grep -q "name blocked_ports" &&
                bpftool map update id "$map" key hex 11 00 27 0f value hex 01
        done
    fi
    before=$(rx_packets)
    t0=$(softirqd_ticks)
    gen=$(run_generator "$3")
    t1=$(softirqd_ticks)
    sleep 0.1
    after=$(rx_packets)
    [ -n "$2" ] && ip -n $M link set dev $X xdpdrv off
    report "$1" $((after - before)) $((t1 - t0)) "$gen"
}

bpfhost_case() { # bpfhost_case NAME PORT ATTACH-ARGS...
    name=$1 port=$2
    shift 2
    ip netns exec $M "$B" xdp attach $X "$@" --peer ${P}p1 >"$OUT/attach.out" 2>&1 &
    pid=$!
    i=0
    until ip netns exec $M "$B" xdp show $X >/dev/null 2>&1 || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.05; done
    t0=$(($(softirqd_ticks) + $(ticks_of $pid)))
    gen=$(run_generator "$port")
    sleep 0.1
    t1=$(($(softirqd_ticks) + $(ticks_of $pid)))
    ip netns exec $M "$B" xdp detach $X >/dev/null
    wait $pid
    frames=$(awk '$1 ~ /^XDP_/ { n += $2 } END { print n + 0 }' "$OUT/attach.out")
    drops=$(awk '$1 == "ring_drops" { print $2 }' "$OUT/attach.out")
    report "$name" "$frames" $((t1 - t0)) "$gen"
    echo "               (ring drops: $drops; engine: $(sed -n 's/.*(\(.*\)) attached.*/\1/p' "$OUT/attach.out"))"
}

: >"$OUT/xdp_bench.last"
printf '%-14s %12s %12s\n' config pps ns/frame
kernel_case none "" 9999
kernel_case kernel_drop "$OUT/xdp_drop.o" 9999
kernel_case kernel_fw "$OUT/xdp_fw.o" 9999
bpfhost_case bpfhost_none 9999 --no-program
bpfhost_case bpfhost_drop 9999 "$OUT/xdp_drop.o"
bpfhost_case bpfhost_fw 9999 "$OUT/xdp_fw.o" --map-set blocked_ports 1100270f 01
awk '$2 != "-" { v[$1] = $3; p[$1] = $2 }
     function ratio(a, b) { return (a in v) && (b in v) && v[b] > 0 ? sprintf("%.2f", v[a] / v[b]) : "-" }
     END {
        printf "bpfhost / kernel, CPU ns per frame: drop %s, firewall %s\n", ratio("bpfhost_drop", "kernel_drop"),
            ratio("bpfhost_fw", "kernel_fw")
        printf "bpfhost drop / nothing attached: %s; bpfhost forwarding everything (no program) / nothing attached: %s\n",
            ratio("bpfhost_drop", "none"), ratio("bpfhost_none", "none")
     }' "$OUT/xdp_bench.last"
