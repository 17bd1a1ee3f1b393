# bpfhost xdp run: the firewall example over the bundled capture gives the verdicts and map
# counters of traffic.expected (which the Linux kernel agrees with), writes exactly the passed
# frames, and refuses bad input clearly.
. tests/shell-lib.sh
B=build/bin/bpfhost
X=examples/xdp
clang -O2 -g -target bpf -mcpu=v3 -Iinclude -I/usr/include/$(uname -m)-linux-gnu -c $X/xdp_firewall.bpf.c -o "$tmp/fw.o"
BLOCK="--map-set blocked_v4 0a000042 01 --map-set blocked_v6 20010db8000000000000000000000066 01
       --map-set blocked_ports 06000017 01 --map-set blocked_ports 11000035 01"

# shellcheck disable=SC2086
expect "firewall over the capture" 0 "207 frames" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap \
    --out "$tmp/out.pcap" --dump-maps $BLOCK
cp "$tmp/out" "$tmp/report"
if [ "$(uname -m)" = x86_64 ]; then default_engine=jit; else default_engine=interpreter; fi
expect "verified, then run on the $default_engine by default" 0 \
    "program xdp_firewall \(verified in [0-9.]+ ms, [0-9]+ steps; engine $default_engine\), 207 frames" cat "$tmp/report"
for key in 0 1 2 3 4; do
    name=$(awk -v k=$key '$1 == "verdicts" && $2 == k { print $3 }' $X/traffic.expected)
    want=$(awk -v k=$key '$1 == "verdicts" && $2 == k { print $4 }' $X/traffic.expected)
    expect "verdict count $name = $want" 0 "^  $name +$want\$" cat "$tmp/report"
done
for key in 0 1 2 3 4 5; do
    name=$(awk -v k=$key '$1 == "protocols" && $2 == k { print $3 }' $X/traffic.expected)
    want=$(awk -v k=$key '$1 == "protocols" && $2 == k { print $4 }' $X/traffic.expected)
    expect "protocol counter $name = $want" 0 "^  0${key}000000 = .* \($want\)\$" \
        sh -c "sed -n '/^map protocols/,/^map [^p]/p' $tmp/report"
done
awk '$2 == "PASS" { print $1 }' $X/traffic.expected >"$tmp/pass_index"
python3 tests/pcap_frames.py --select "$tmp/pass_index" $X/traffic.pcap >"$tmp/want_frames"
python3 tests/pcap_frames.py "$tmp/out.pcap" >"$tmp/got_frames"
expect "output pcap holds exactly the passed frames, byte for byte" 0 "" cmp "$tmp/want_frames" "$tmp/got_frames"

# Every engine gives the same verdicts, output bytes and map contents.
. tests/engine-compare.sh
normalise_report "$tmp/report" >"$tmp/want_report"
for engine in "--engine interp" "--engine jit" "--unverified"; do
    # shellcheck disable=SC2086
    $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap --out "$tmp/engine.pcap" --dump-maps $BLOCK $engine >"$tmp/engine_report" 2>&1
    expect "$engine: says what ran it" 0 "engine (interpreter|jit|checked interpreter)\)" cat "$tmp/engine_report"
    normalise_report "$tmp/engine_report" >"$tmp/got_report"
    expect "$engine: the same verdicts and map contents" 0 "" cmp "$tmp/want_report" "$tmp/got_report"
    expect "$engine: the same output pcap, byte for byte" 0 "" cmp "$tmp/out.pcap" "$tmp/engine.pcap"
done

# Programs the verifier rejects do not run, and the message says where and why.
clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -c tests/bpf/runtime_unsafe.bpf.c -o "$tmp/unsafe.o"
expect "unsafe program refused" 2 "program 'unchecked_read' \(section xdp\): rejected by the verifier: insn 1 .*check r1 \+ 21 <= data_end first" \
    $B xdp run "$tmp/unsafe.o" --program unchecked_read --pcap $X/traffic.pcap
expect "unsafe program, --unverified: the checked interpreter stops the bad reads" 0 "unverified; engine checked interpreter" \
    $B xdp run "$tmp/unsafe.o" --program unchecked_read --pcap $X/traffic.pcap --unverified
expect "bad engine" 2 "unknown engine 'turbo'" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap --engine turbo
expect "--unverified with --engine" 2 "checked interpreter only" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap --engine jit --unverified

# Without a blocklist, only malformed and non-matching frames drop.
expect "no blocklist: fewer drops" 0 "XDP_DROP +1[0-9]\$" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap

# Bad input.
expect "missing capture" 2 "No such file|cannot open|nonexistent" $B xdp run "$tmp/fw.o" --pcap /nonexistent.pcap
printf 'not a capture' >"$tmp/bad.pcap"
expect "not a capture file" 2 "bad.pcap" $B xdp run "$tmp/fw.o" --pcap "$tmp/bad.pcap"
expect "unknown map" 2 "no map named 'nope'" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap --map-set nope 00 00
expect "wrong key size" 2 "must be 4 hex bytes" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap --map-set blocked_v4 0a00 01
expect "unknown program" 2 "no program named 'nope'" $B xdp run "$tmp/fw.o" --pcap $X/traffic.pcap --program nope
expect "not an object" 2 "ELF|elf" $B xdp run $X/traffic.pcap --pcap $X/traffic.pcap
expect "missing --pcap" 2 "usage" $B xdp run "$tmp/fw.o"
expect "xdp --help" 0 "usage: bpfhost xdp run" $B xdp --help
finish
