# XDP through the libbpf API on real interfaces: tests/suites/xdp_api_user.c, a loader written
# for libbpf, compiles against the system's libbpf headers and against bpfhost's include/,
# then (linked with libbpfhost) attaches the firewall example inline between two veth ends
# (bpfhost_xdp_attach_inline) and in observe mode (bpf_program__attach_xdp), in network
# namespaces this suite creates and always removes:
#
#   ns A: a0 198.18.9.1  --veth-- a1 \  ns M: the loader, inline between a1 and b1
#   ns B: b0 198.18.9.2  --veth-- b1 /
#   ns C: c1 198.18.10.2 --veth-- c0 198.18.10.1 (ns M, observed)
#
# Skips (SKIP line) where namespaces are not allowed.
. tests/shell-lib.sh
ldlibs=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
src=tests/suites/xdp_api_user.c
P=xa$$
A=${P}a BB=${P}b C=${P}c M=${P}m

cleanup() {
    for n in $A $BB $C $M; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

expect "the loader compiles against the system's libbpf headers" 0 "" \
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fsyntax-only "$src"
expect "and unchanged against bpfhost's include/, linked with libbpfhost" 0 "" \
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -o "$tmp/xdp_api_user" "$src" \
    build/lib/libbpfhost.a $ldlibs
clang -O2 -g -target bpf -mcpu=v3 -Iinclude -I/usr/include/$(uname -m)-linux-gnu \
    -c examples/xdp/xdp_firewall.bpf.c -o "$tmp/fw.o"

if [ "$(id -u)" != 0 ] || ! ip netns add "$M" 2>/dev/null; then
    echo "SKIP xdp_api: network namespaces are not available here (needs root and ip netns)"
    finish
    exit
fi
if ! command -v ping >/dev/null; then
    echo "SKIP xdp_api: ping is not installed (scripts/install-deps.sh)"
    finish
    exit
fi
for n in $A $BB $C; do ip netns add "$n"; done
for n in $A $BB $C $M; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$n" link set lo up
done
for side in a b; do
    ip link add "${P}${side}0" netns "${P}$side" type veth peer name "${P}${side}1" netns "$M"
    ip -n "${P}$side" link set "${P}${side}0" up
    ip -n "$M" link set "${P}${side}1" up
done
ip link add "${P}c1" netns "$C" type veth peer name "${P}c0" netns "$M"
ip -n $C link set ${P}c1 up
ip -n $M link set ${P}c0 up
ip -n $A addr add 198.18.9.1/24 dev ${P}a0
ip -n $BB addr add 198.18.9.2/24 dev ${P}b0
ip -n $C addr add 198.18.10.2/24 dev ${P}c1
ip -n $M addr add 198.18.10.1/24 dev ${P}c0

ip netns exec $M "$tmp/xdp_api_user" "$tmp/fw.o" ${P}a1 ${P}b1 $A ${P}c0 $C >"$tmp/run.out" 2>&1
status=$?
cat "$tmp/run.out"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/run.out" | tail -n 1)
if [ -z "$summary" ]; then
    echo "FAIL the loader ended without its summary (status $status)"
    failed=$((failed + 1))
else
    passed=$((passed + ${summary%% passed*}))
    run_failed=${summary#*, }
    failed=$((failed + ${run_failed%% failed}))
fi
finish
