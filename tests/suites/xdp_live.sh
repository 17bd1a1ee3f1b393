# bpfhost xdp attach on real interfaces, with real traffic between network namespaces that
# this suite creates (and always removes):
#
#   ns A: a0 198.18.7.1 (+ .11) --veth-- a1 \
#                                            ns M: bpfhost xdp attach a1 --peer b1 (inline)
#   ns B: b0 198.18.7.2         --veth-- b1 /      and c1 for REDIRECT
#   ns C: c0 198.18.7.3         --veth-- c1
#
# Ping, UDP and TCP cross the user-space datapath; the firewall example drops exactly the
# blocked flows (its counters equal what a capture on B sees); an XDP_TX program reflects;
# REDIRECT through a DEVMAP reaches C; observe mode counts without stealing; show, detach,
# stale state and bad input behave. Skips (SKIP line) where namespaces are not allowed.
. tests/shell-lib.sh
B=$PWD/build/bin/bpfhost
T="python3 $PWD/tests/suites/xdp_live_traffic.py"
P=bx$$
A=${P}a BB=${P}b C=${P}c M=${P}m
RUN_DIR="$tmp/run"
export BPFHOST_RUN_DIR="$RUN_DIR"
started_pids=""

cleanup() {
    for pid in $started_pids; do kill "$pid" 2>/dev/null; done
    for n in $A $BB $C $M; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" != 0 ] || ! ip netns add "$M" 2>/dev/null; then
    echo "SKIP xdp_live: network namespaces are not available here (needs root and ip netns)"
    finish
    exit 0
fi
for tool in tcpdump ping python3; do
    if ! command -v $tool >/dev/null; then
        echo "SKIP xdp_live: $tool is not installed (scripts/install-deps.sh)"
        finish
        exit 0
    fi
done
for n in $A $BB $C; do ip netns add "$n"; done
for n in $A $BB $C $M; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$n" link set lo up
done
for side in a b c; do
    ns=${P}$side
    ip link add "${P}${side}0" netns "$ns" type veth peer name "${P}${side}1" netns "$M"
    # A local sender hands veth unsegmented TCP (GSO) that no interface would carry; Linux's
    # own XDP on veth turns GSO off on the peer for the same reason.
    ip -n "$ns" link set "${P}${side}0" gso_max_segs 1 up
    ip -n "$M" link set "${P}${side}1" up
done
ip -n $A addr add 198.18.7.1/24 dev ${P}a0
ip -n $A addr add 198.18.7.11/24 dev ${P}a0
ip -n $BB addr add 198.18.7.2/24 dev ${P}b0
ip -n $C addr add 198.18.7.3/24 dev ${P}c0
IN=${P}a1 OUT=${P}b1 THIRD=${P}c1

# wait_for FILE PATTERN: until FILE has a line matching PATTERN (5 s at most).
wait_for() {
    i=0
    while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && return 1
        sleep 0.05
    done
}

# attach NAME ARGS...: starts bpfhost xdp attach in ns M, in the background, output in
# $tmp/NAME.out; returns once it is published (xdp show finds it).
attach() {
    name=$1
    shift
    ip netns exec $M "$B" xdp attach "$@" >"$tmp/$name.out" 2>&1 &
    eval "pid_$name=$!"
    started_pids="$started_pids $!"
    i=0
    until ip netns exec $M "$B" xdp show "$1" >/dev/null 2>&1 || [ $i -gt 100 ]; do
        i=$((i + 1))
        sleep 0.05
    done
}

# detach NAME IFACE: stops it and waits for its final report.
detach() {
    ip netns exec $M "$B" xdp detach "$2" >/dev/null 2>&1
    eval "wait \$pid_$1"
}

# capture NAME NS IFACE: tcpdump of the frames IFACE receives, in $tmp/NAME.pcap.
capture() {
    ip netns exec "$2" tcpdump -i "$3" -Q in -n -U --immediate-mode -w "$tmp/$1.pcap" >"$tmp/$1.tcpdump" 2>&1 &
    eval "cap_$1=$!"
    started_pids="$started_pids $!"
    wait_for "$tmp/$1.tcpdump" "listening on"
}
stop_capture() {
    sleep 0.2
    eval "kill -INT \$cap_$1; wait \$cap_$1"
}
frames() { # frames NAME [FILTER]: frames in the capture that match FILTER
    name=$1
    shift
    tcpdump -r "$tmp/$name.pcap" -n "$@" 2>/dev/null | wc -l
}
counter() { # counter FILE NAME: a counter from an attach report
    awk -v n="$2" '$1 == n { print $2 }' "$1"
}

# --- forwarding without a program: ping, UDP, TCP ----------------------------------------
attach plain $IN --no-program --peer $OUT
expect "show lists the attachment" 0 "^$IN: program \(none\) \(no program\), inline to $OUT, pid [0-9]+" \
    ip netns exec $M "$B" xdp show
expect "ping crosses the datapath" 0 " 0% packet loss" ip netns exec $A ping -c 3 -i 0.1 -W 2 198.18.7.2
rm -f "$tmp/recv" # a background redirection truncates it too late: an old "ready" must not count
ip netns exec $BB $T udp-recv 198.18.7.2 5000 20 3 >"$tmp/recv" 2>&1 &
wait_for "$tmp/recv" ready
ip netns exec $A $T udp-send "" 198.18.7.2 5000 20 >/dev/null
wait $!
expect "UDP crosses the datapath" 0 "^received 20$" cat "$tmp/recv"
ip netns exec $BB $T tcp-server 198.18.7.2 5001 >"$tmp/tcp" 2>&1 &
tcp_server=$!
wait_for "$tmp/tcp" ready
expect "TCP (200 KB echoed) crosses the datapath" 0 "^tcp echo ok$" \
    ip netns exec $A $T tcp-client 198.18.7.2 5001 200000
wait $tcp_server
# VLAN: veth hands the tag over out of band (TP_STATUS_VLAN_VALID); the datapath must put it
# back in the frame, or the tagged ping cannot cross.
if ip -n $A link add link ${P}a0 name ${P}a0.5 type vlan id 5 2>/dev/null; then
    ip -n $BB link add link ${P}b0 name ${P}b0.5 type vlan id 5
    ip -n $A addr add 198.18.8.1/24 dev ${P}a0.5
    ip -n $BB addr add 198.18.8.2/24 dev ${P}b0.5
    ip -n $A link set ${P}a0.5 up
    ip -n $BB link set ${P}b0.5 up
    expect "a VLAN-tagged ping keeps its tag across the datapath" 0 " 0% packet loss" \
        ip netns exec $A ping -c 2 -i 0.1 -W 2 198.18.8.2
else
    echo "SKIP xdp_live VLAN: this kernel cannot create 802.1Q interfaces"
fi
expect "show --maps without a program" 0 "no maps" ip netns exec $M "$B" xdp show $IN --maps
detach plain $IN
expect "final report counts frames both ways" 0 "^  peer_frames +[1-9]" cat "$tmp/plain.out"
expect "no oversize frames or transmit errors" 0 "" \
    sh -c "grep -Eq '^  (oversize|tx_errors) +0\$' $tmp/plain.out && ! grep -Eq '^  (oversize|tx_errors) +[1-9]' $tmp/plain.out"
expect "detached: show lists nothing" 0 "^no XDP programs attached$" ip netns exec $M "$B" xdp show

# --- the firewall drops exactly the blocked flows ------------------------------------------
clang -O2 -g -target bpf -mcpu=v3 -Iinclude -I/usr/include/$(uname -m)-linux-gnu \
    -c examples/xdp/xdp_firewall.bpf.c -o "$tmp/fw.o"
# blocked: source 198.18.7.11 (c6 12 07 0b) and UDP port 9999 (proto 17, port 0x270f)
capture fw $BB ${P}b0
attach fw $IN "$tmp/fw.o" --peer $OUT --map-set blocked_v4 c612070b 01 --map-set blocked_ports 1100270f 01
rm -f "$tmp/recv" # a background redirection truncates it too late: an old "ready" must not count
ip netns exec $BB $T udp-recv 198.18.7.2 9998 10 3 >"$tmp/recv" 2>&1 &
wait_for "$tmp/recv" ready
ip netns exec $A ping -c 3 -i 0.1 -W 2 198.18.7.2 >/dev/null
ip netns exec $A $T udp-send 198.18.7.1 198.18.7.2 9998 10 >/dev/null
ip netns exec $A $T udp-send 198.18.7.1 198.18.7.2 9999 10 >/dev/null
ip netns exec $A $T udp-send 198.18.7.11 198.18.7.2 9998 5 >/dev/null
wait $!
expect "firewall passes the allowed UDP flow" 0 "^received 10$" cat "$tmp/recv"
expect "firewall maps are readable while it runs (15 drops)" 0 "^  01000000 = 0f00000000000000 \(15\)$" \
    ip netns exec $M "$B" xdp show $IN --maps
expect "map dump xdp IFACE reads them too" 0 "^  01000000 = 0f00000000000000 \(15\)$" \
    ip netns exec $M "$B" map dump xdp $IN
expect "show has the live counters" 0 "^  XDP_DROP +15$" ip netns exec $M "$B" xdp show $IN
expect "the verified firewall runs on a fast engine" 0 "^$IN: program xdp_firewall \((jit|interpreter)\)" \
    ip netns exec $M "$B" xdp show $IN
detach fw $IN
stop_capture fw
expect "firewall dropped exactly the 15 blocked datagrams" 0 "^  XDP_DROP +15$" cat "$tmp/fw.out"
passed_frames=$(counter "$tmp/fw.out" XDP_PASS)
captured=$(frames fw)
expect "XDP_PASS ($passed_frames) = frames captured on B ($captured)" 0 "" test "$passed_frames" = "$captured"
expect "no blocked port reached B" 0 "" test "$(frames fw udp port 9999)" = 0
expect "no blocked address reached B" 0 "" test "$(frames fw src host 198.18.7.11)" = 0
expect "all allowed datagrams reached B" 0 "" test "$(frames fw udp port 9998)" = 10

# --- XDP_TX reflects ----------------------------------------------------------------------
attach reflect $IN build/bpf/xdp_reflect.bpf.o --peer $OUT
expect "XDP_TX reflects UDP echo requests" 0 "^echoes 8$" ip netns exec $A $T udp-echo 198.18.7.2 7 8
detach reflect $IN
expect "reflector counted 8 XDP_TX" 0 "^  XDP_TX +8$" cat "$tmp/reflect.out"
attach reflect $IN build/bpf/xdp_reflect.bpf.o --peer $OUT --unverified
expect "--unverified: the checked interpreter runs it" 0 "^$IN: program xdp_reflect \(checked interpreter\)" \
    ip netns exec $M "$B" xdp show $IN
expect "--unverified: XDP_TX reflects all the same" 0 "^echoes 3$" ip netns exec $A $T udp-echo 198.18.7.2 7 3
detach reflect $IN

# --- XDP_REDIRECT via a DEVMAP reaches the third namespace ----------------------------------
third=$(ip -n $M -o link show $THIRD | cut -d: -f1)
third_le=$(printf '%02x%02x%02x%02x' $((third & 255)) $((third >> 8 & 255)) $((third >> 16 & 255)) $((third >> 24)))
capture redirect $C ${P}c0
attach redirect $IN build/bpf/xdp_redirect_devmap.bpf.o --peer $OUT --map-set egress 00000000 "$third_le"
ip netns exec $A ping -c 1 -W 2 198.18.7.2 >/dev/null # ARP, which passes to B
ip netns exec $A $T udp-send "" 198.18.7.2 9000 7 >/dev/null
detach redirect $IN
stop_capture redirect
expect "REDIRECT counted 7" 0 "^  XDP_REDIRECT +7$" cat "$tmp/redirect.out"
expect "the 7 redirected datagrams reached C" 0 "" test "$(frames redirect udp port 9000)" = 7

# --- observe mode: counted, not stolen -------------------------------------------------------
attach plain $IN --no-program --peer $OUT
ip netns exec $BB "$B" xdp attach ${P}b0 "$tmp/fw.o" --mode observe --map-set blocked_ports 1100270f 01 \
    >"$tmp/observe.out" 2>&1 &
observer=$!
started_pids="$started_pids $!"
i=0
until ip netns exec $BB "$B" xdp show ${P}b0 >/dev/null 2>&1 || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.05; done
rm -f "$tmp/recv" # a background redirection truncates it too late: an old "ready" must not count
ip netns exec $BB $T udp-recv 198.18.7.2 9999 6 3 >"$tmp/recv" 2>&1 &
wait_for "$tmp/recv" ready
ip netns exec $A $T udp-send "" 198.18.7.2 9999 6 >/dev/null
wait $!
expect "observe mode does not steal frames" 0 "^received 6$" cat "$tmp/recv"
ip netns exec $BB "$B" xdp detach ${P}b0 >/dev/null
wait $observer
detach plain $IN
expect "observe mode counted the 6 would-be drops" 0 "^  XDP_DROP +6$" cat "$tmp/observe.out"

# --- two workers share the interface through a fanout group ---------------------------------
capture fanout $BB ${P}b0
attach fanout $IN --no-program --peer $OUT --workers 2
expect "show counts 2 workers" 0 ", 2 workers," ip netns exec $M "$B" xdp show $IN
expect "ping crosses a two-worker datapath" 0 " 0% packet loss" ip netns exec $A ping -c 3 -i 0.1 -W 2 198.18.7.2
detach fanout $IN
stop_capture fanout
passed_frames=$(counter "$tmp/fanout.out" XDP_PASS)
expect "two workers: each frame once (XDP_PASS $passed_frames = frames on B)" 0 "" test "$passed_frames" = "$(frames fanout)"
expect "two workers: 3 echo requests reached B, not duplicated" 0 "" test "$(frames fanout icmp)" = 3

# --- --count stops by itself ---------------------------------------------------------------
ip netns exec $M "$B" xdp attach $IN --no-program --peer $OUT --count 3 >"$tmp/count.out" 2>&1 &
counted=$!
started_pids="$started_pids $!"
sleep 0.3
ip netns exec $A ping -c 6 -i 0.1 -W 1 198.18.7.2 >/dev/null
i=0
while kill -0 $counted 2>/dev/null && [ $i -lt 60 ]; do i=$((i + 1)); sleep 0.05; done
wait $counted
expect "--count 3 stops after 3 frames" 0 "3 frames in" cat "$tmp/count.out"

# --- registry: one attachment per interface, stale state ----------------------------------
attach busy $IN --no-program --peer $OUT
expect "a second attach is refused" 2 "already runs XDP program '\(none\)' \(pid [0-9]+\)" \
    ip netns exec $M "$B" xdp attach $IN --no-program --peer $OUT
kill -KILL $pid_busy
wait $pid_busy 2>/dev/null
expect "a dead attachment shows as stale" 0 "^$IN: stale: process $pid_busy .* is gone" ip netns exec $M "$B" xdp show
expect "and is gone after that" 0 "^no XDP programs attached$" ip netns exec $M "$B" xdp show
attach again $IN --no-program --peer $OUT
expect "attaching again after a stale state works" 0 "^$IN: program" ip netns exec $M "$B" xdp show $IN
detach again $IN

# --- bad input ------------------------------------------------------------------------------
expect "unknown interface" 2 "no interface named 'nope0'" "$B" xdp attach nope0 "$tmp/fw.o" --mode observe
expect "inline without a peer" 2 "inline mode needs --peer" ip netns exec $M "$B" xdp attach $IN "$tmp/fw.o"
expect "peer in observe mode" 2 "--peer is for inline mode" \
    ip netns exec $M "$B" xdp attach $IN "$tmp/fw.o" --mode observe --peer $OUT
expect "bad mode" 2 "inline or observe" ip netns exec $M "$B" xdp attach $IN "$tmp/fw.o" --mode sideways
expect "bad map-set" 2 "xdp attach: --map-set: the object has no map named 'nope'" \
    ip netns exec $M "$B" xdp attach $IN "$tmp/fw.o" --peer $OUT --map-set nope 00 00
expect "not an object" 2 "ELF|elf" ip netns exec $M "$B" xdp attach $IN "$tmp/fw.pcap" --peer $OUT
expect "a program the verifier rejects is not attached" 2 "rejected by the verifier" \
    ip netns exec $M "$B" xdp attach $IN build/bpf/runtime_unsafe.bpf.o --program unchecked_read --peer $OUT
expect "bad engine" 2 "unknown engine 'warp'" ip netns exec $M "$B" xdp attach $IN "$tmp/fw.o" --peer $OUT --engine warp
expect "show of an idle interface" 2 "no XDP program is attached to $IN" ip netns exec $M "$B" xdp show $IN
expect "detach of an idle interface" 2 "no XDP program is attached to $IN" ip netns exec $M "$B" xdp detach $IN
expect "show --maps needs an interface" 2 "needs an interface" "$B" xdp show --maps
expect "map dump xdp: nothing attached" 2 "map dump xdp: " "$B" map dump xdp nosuchif0
expect "map: only dump for attached programs" 2 "can only be dumped" "$B" map show xdp $IN
# An interface that goes away ends the attachment with a message (the C pair is not needed
# any more).
attach lost $IN --no-program --peer $THIRD
ip -n $M link del $THIRD
i=0
while kill -0 $pid_lost 2>/dev/null && [ $i -lt 60 ]; do i=$((i + 1)); sleep 0.05; done
kill $pid_lost 2>/dev/null
wait $pid_lost
lost_status=$?
expect "a removed peer ends the attachment" 0 "interface [0-9]+ \(the peer\) went away while attached" cat "$tmp/lost.out"
expect "with exit status 1" 0 "" test "$lost_status" = 1
expect "nothing left running" 0 "^no XDP programs attached$" ip netns exec $M "$B" xdp show
finish
