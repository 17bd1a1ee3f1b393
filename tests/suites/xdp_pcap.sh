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
