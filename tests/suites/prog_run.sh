# bpfhost prog run: test-runs clang-compiled programs of each type (tests/bpf/test_run.bpf.c)
# on data and context files and checks the return values, output data and contexts, then
# refuses bad arguments with exit status 2. Programs pass the verifier and run on the JIT
# (or the interpreter); --unverified runs them on the checked interpreter.
. tests/shell-lib.sh
B=build/bin/bpfhost
O="$tmp/test_run.o"
clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c tests/bpf/test_run.bpf.c -o "$O"

# bytes FILE FORMAT VALUES...: a binary file from Python struct.pack (little-endian unless
# the format says otherwise).
bytes() {
    _file=$1
    shift
    python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack(sys.argv[1], *[int(v, 0) for v in sys.argv[2:]]))' \
        "$@" >"$_file"
}
# hexof FILE OFFSET LEN: those bytes as hex.
hexof() { python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); o = int(sys.argv[2]); print(d[o:o + int(sys.argv[3])].hex())' "$@"; }

# An Ethernet + IPv4 + TCP frame, 10.0.0.1 -> 10.0.0.2, valid header checksum.
python3 - "$tmp/tcp.bin" <<'PY'
import struct, sys
eth = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0])
ip = bytearray([0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2])
s = sum(struct.unpack("!10H", bytes(ip)))
while s >> 16:
    s = (s & 0xffff) + (s >> 16)
ip[10:12] = struct.pack("!H", ~s & 0xffff)
open(sys.argv[1], "wb").write(eth + bytes(ip) + bytes(20))
PY

# XDP
expect "xdp: reflected frame is XDP_TX" 0 "^retval: 3 \(0x3\) XDP_TX$" \
    $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin"
cp "$tmp/out" "$tmp/run"
expect "xdp: addresses swapped in data_out" 0 "^  0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00" cat "$tmp/run"
expect "xdp: duration printed" 0 "^duration: [0-9]+ ns$" cat "$tmp/run"
bytes "$tmp/xdp_ctx.bin" "<6I" 0 54 0 7 0 0
expect "xdp: ctx ingress_ifindex 7 passes" 0 "XDP_PASS" \
    $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin" --ctx "$tmp/xdp_ctx.bin"
cp "$tmp/out" "$tmp/run"
expect "xdp: ctx_out printed" 0 "^ctx_out: 24 bytes$" cat "$tmp/run"
expect "xdp: add_meta puts the length in front" 0 "^data_out: 58 bytes" \
    $B prog run "$O" --program xdp_add_meta --data "$tmp/tcp.bin"
cp "$tmp/out" "$tmp/run"
expect "xdp: metadata is the frame length" 0 "^  0000  36 00 00 00 02 00" cat "$tmp/run"
expect "xdp: every frame of a capture" 0 "^207 frames, 1 not run$" \
    $B prog run "$O" --program xdp_reflect --pcap examples/xdp/traffic.pcap --data-out "$tmp/out.pcap"
cp "$tmp/out" "$tmp/run"
expect "xdp: one line per frame" 0 "^frame 0: retval [0-9]+ XDP_" cat "$tmp/run"
expect "xdp: a runt frame is reported, not run" 0 "^frame 163: XDP frame of 10 bytes" cat "$tmp/run"
expect "xdp: output capture has every frame that ran" 0 "^206$" \
    sh -c "python3 tests/pcap_frames.py '$tmp/out.pcap' | wc -l"
expect "xdp: capture as JSON" 0 "^207 frames, first retval [0-4] True$" sh -c "$B prog run '$O' --program xdp_reflect \
    --pcap examples/xdp/traffic.pcap -j | python3 -c 'import json,sys; d=json.load(sys.stdin); \
print(len(d[\"frames\"]), \"frames, first retval\", d[\"frames\"][0][\"retval\"], \"error\" in d[\"frames\"][163])'"

# Socket filter and tc
expect "socket filter: TCP kept whole from the IP header" 0 "^retval: 40 \(0x28\) keep$" \
    $B prog run "$O" --program socket_tcp_only --data "$tmp/tcp.bin" --ctx-out "$tmp/skb_out.bin" --repeat 3
expect "socket filter: cb[0] counted three runs" 0 "^03000000$" hexof "$tmp/skb_out.bin" 48 4
expect "socket filter: JSON" 0 "^40 192$" sh -c "$B prog run '$O' --program socket_tcp_only \
    --data '$tmp/tcp.bin' --ctx-out '$tmp/x' -j | python3 -c 'import json,sys; d=json.load(sys.stdin); \
print(d[\"retval\"], len(d[\"ctx_out\"]) // 2)'"
bytes "$tmp/skb_ctx.bin" "<12I5I" 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5 0 0
expect "tc: rewrite passes (TC_ACT_OK)" 0 "TC_ACT_OK" \
    $B prog run "$O" --program tc_redirect_dst --data "$tmp/tcp.bin" --ctx "$tmp/skb_ctx.bin" \
    --data-out "$tmp/tc_out.bin" --ctx-out "$tmp/tc_ctx_out.bin"
expect "tc: destination is 10.0.0.99" 0 "^0a000063$" hexof "$tmp/tc_out.bin" 30 4
expect "tc: mark 42" 0 "^2a000000$" hexof "$tmp/tc_ctx_out.bin" 8 4
expect "tc: priority from cb[2]" 0 "^05000000$" hexof "$tmp/tc_ctx_out.bin" 32 4
expect "tc: header checksum still valid" 0 "^ok$" python3 -c "
import struct; d = open('$tmp/tc_out.bin', 'rb').read()[14:34]; s = sum(struct.unpack('!10H', d))
while s >> 16: s = (s & 0xffff) + (s >> 16)
print('ok' if s == 0xffff else hex(s))"

# cgroup/connect4, sendmsg4, sock_create
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I4s16sHH", 2, bytes([10,0,0,1]), bytes(16), 0x5000, 0))' >"$tmp/addr.bin"
expect "connect4: 10.0.0.1:80 allowed" 0 "^retval: 1 \(0x1\) allow$" \
    $B prog run "$O" --program connect4_redirect --ctx "$tmp/addr.bin" --ctx-out "$tmp/addr_out.bin"
expect "connect4: rewritten to 127.0.0.1" 0 "^7f000001$" hexof "$tmp/addr_out.bin" 4 4
expect "connect4: rewritten to port 8080" 0 "^1f900000$" hexof "$tmp/addr_out.bin" 24 4
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I4s16sHH", 2, bytes([10,0,0,1]), bytes(16), 0x1700, 0))' >"$tmp/telnet.bin"
expect "connect4: port 23 denied" 0 "^retval: 0 \(0x0\) deny$" \
    $B prog run "$O" --program connect4_redirect --ctx "$tmp/telnet.bin"
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I4s16sHH", 2, bytes([8,8,8,8]), bytes(16), 0x3500, 0))' >"$tmp/dns.bin"
expect "sendmsg4: DNS leaves from 192.168.1.1" 0 "" \
    $B prog run "$O" --program sendmsg4_source --ctx "$tmp/dns.bin" --ctx-out "$tmp/dns_out.bin"
expect "sendmsg4: msg_src_ip4 set" 0 "^c0a80101$" hexof "$tmp/dns_out.bin" 40 4
bytes "$tmp/sock.bin" "<4I" 0 2 2 17
expect "sock_create: allowed" 0 "allow" $B prog run "$O" --program sock_create_mark --ctx "$tmp/sock.bin" \
    --ctx-out "$tmp/sock_out.bin"
expect "sock_create: mark 7, priority 17" 0 "^0700000011000000$" hexof "$tmp/sock_out.bin" 16 8

# sockops
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I4II", 1, 0,0,0,0, 2) + bytes(40) + bytes(2) + struct.pack(">H", 443))' >"$tmp/ops.bin"
expect "sockops: timeout init" 0 "^retval: 1 " $B prog run "$O" --program sockops_tune --ctx "$tmp/ops.bin" \
    --ctx-out "$tmp/ops_out.bin"
expect "sockops: 10 jiffies for port 443" 0 "^0a000000$" hexof "$tmp/ops_out.bin" 4 4

# process
printf 'ls\000-l\000/tmp\000' >"$tmp/cmdline.bin"
expect "process: three arguments" 0 "^retval: 3 " $B prog run "$O" --program process_watch --data "$tmp/cmdline.bin"
python3 -c 'import struct,sys; sys.stdout.buffer.write(bytes(80) + b"evil\0" + bytes(11))' >"$tmp/evil.bin"
expect "process: evil refused" 0 "^retval: 4294967295 " $B prog run "$O" --program process_watch \
    --data "$tmp/cmdline.bin" --ctx "$tmp/evil.bin"
python3 -c 'import struct,sys; sys.stdout.buffer.write(bytes(64) + struct.pack("<4I", 3, 1, 2, 0) + bytes(16))' >"$tmp/exit.bin"
expect "process: exit code and uid" 0 "^retval: 2003 " $B prog run "$O" --program process_watch --ctx "$tmp/exit.bin"

# perf_event_output: the records come after the run
expect "perf event printed" 0 "^perf event \(slot 0\): 8 bytes$" \
    $B prog run "$O" --program xdp_report --data "$tmp/tcp.bin" --repeat 3
cp "$tmp/out" "$tmp/run"
expect "perf event holds length and interface" 0 "^  0000  36 00 00 00 01 00 00 00$" cat "$tmp/run"
expect "perf events as JSON" 0 "^3 36000000010000000$" sh -c "$B prog run '$O' --program xdp_report \
    --data '$tmp/tcp.bin' --repeat 3 -j | python3 -c 'import json,sys; d=json.load(sys.stdin); \
print(len(d[\"perf_events\"]), d[\"perf_events\"][0][\"data\"] + str(d[\"perf_events_lost\"]))'"

# repeat
expect "repeat 1000" 0 "^retval: 3 " $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin" --repeat 1000

# A program that writes a field its attach type may not: the verifier refuses it (exit 2);
# unverified, the checked interpreter stops it at the store (exit 1).
expect "forbidden context write refused by the verifier" 2 "rejected by the verifier.*msg_src_ip4" \
    $B prog run "$O" --program connect4_bad_write
expect "forbidden context write stopped when unverified" 1 "faulted" \
    $B prog run "$O" --program connect4_bad_write --unverified

# Every engine gives the same answer.
for engine in interp jit; do
    expect "engine $engine: XDP_TX" 0 "XDP_TX" $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin" \
        --engine $engine
    cp "$tmp/out" "$tmp/run"
    expect "engine $engine: named" 0 "program xdp_reflect \(xdp, $engine" cat "$tmp/run"
    expect "engine $engine: socket filter" 0 "^retval: 40 " $B prog run "$O" --program socket_tcp_only \
        --data "$tmp/tcp.bin" --engine $engine
    expect "engine $engine: tc rewrite" 0 "TC_ACT_OK" $B prog run "$O" --program tc_redirect_dst \
        --data "$tmp/tcp.bin" --engine $engine --data-out "$tmp/tc_$engine.bin"
    expect "engine $engine: process" 0 "^retval: 3 " $B prog run "$O" --program process_watch \
        --data "$tmp/cmdline.bin" --engine $engine
done
expect "engines agree on the tc output" 0 "" cmp "$tmp/tc_interp.bin" "$tmp/tc_jit.bin"
expect "unverified: checked interpreter" 0 "unverified, checked interpreter" \
    $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin" --unverified

# Bad arguments and input: exit 2 with a clear message.
expect "no arguments" 2 "usage" $B prog run
expect "several programs" 2 "choose one with --program" $B prog run "$O" --data "$tmp/tcp.bin"
expect "unknown program" 2 "no program named 'nope'" $B prog run "$O" --program nope
expect "unknown option" 2 "unknown option '--bogus'" $B prog run "$O" --bogus 1
expect "option without value" 2 "needs a value" $B prog run "$O" --data
expect "bad repeat" 2 "--repeat 'x'" $B prog run "$O" --program xdp_reflect --repeat x
expect "negative repeat" 2 "--repeat '-1'" $B prog run "$O" --program xdp_reflect --repeat -1
expect "bad engine" 2 "choose interp or jit" $B prog run "$O" --program xdp_reflect --engine fast
expect "data and pcap" 2 "exclude each other" $B prog run "$O" --data "$tmp/tcp.bin" --pcap x.pcap
expect "missing data file" 2 "cannot read data file" $B prog run "$O" --program xdp_reflect --data /nonexistent
expect "missing ctx file" 2 "cannot read context file" $B prog run "$O" --program xdp_reflect --ctx /nonexistent
expect "missing object" 2 "nonexistent" $B prog run /nonexistent.o
expect "not an object" 2 "ELF|elf" $B prog run "$tmp/tcp.bin"
expect "frame too short" 2 "14 to" $B prog run "$O" --program xdp_reflect --data "$tmp/cmdline.bin"
bytes "$tmp/bad_xdp_ctx.bin" "<6I" 0 53 0 0 0 0
expect "xdp ctx data_end wrong" 2 "data_end" \
    $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin" --ctx "$tmp/bad_xdp_ctx.bin"
bytes "$tmp/bad_skb_ctx.bin" "<I" 5
expect "skb ctx len set" 2 "len.*cannot be set" \
    $B prog run "$O" --program socket_tcp_only --data "$tmp/tcp.bin" --ctx "$tmp/bad_skb_ctx.bin"
expect "data for connect4" 2 "no data_in" $B prog run "$O" --program connect4_redirect --data "$tmp/tcp.bin"
expect "jit refuses unverified programs" 2 "checked interpreter only" \
    $B prog run "$O" --program xdp_reflect --data "$tmp/tcp.bin" --engine jit --unverified
expect "bad capture" 2 "tcp.bin" $B prog run "$O" --program xdp_reflect --pcap "$tmp/tcp.bin"
expect "prog --help shows run" 0 "usage: bpfhost prog run" $B prog --help
finish
