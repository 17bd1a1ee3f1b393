# Example eBPF programs compile unchanged against bpfhost's headers and against libbpf's, the
# Linux verifier (where this machine lets root load programs) and bpfhost's accept them, and
# every engine gives the same results: verdict counts, output frames byte for byte and map
# contents for the XDP examples, r0 for the assembler ones.
. tests/shell-lib.sh
. tests/engine-compare.sh
B=build/bin/bpfhost
ARCH_INC=/usr/include/$(uname -m)-linux-gnu
for src in examples/xdp/*.bpf.c; do
    name=$(basename "$src" .bpf.c)
    expect "$name builds with bpfhost headers" 0 "" \
        clang -O2 -g -target bpf -mcpu=v3 -Iinclude -I"$ARCH_INC" -c "$src" -o "$tmp/$name.ours.o"
    expect "$name builds with libbpf headers" 0 "" \
        clang -O2 -g -target bpf -mcpu=v3 -I"$ARCH_INC" -c "$src" -o "$tmp/$name.libbpf.o"
    expect "$name: the same code either way" 0 "" \
        sh -c "llvm-objdump -d --no-show-raw-insn $tmp/$name.ours.o | tail -n +4 > $tmp/a &&
               llvm-objdump -d --no-show-raw-insn $tmp/$name.libbpf.o | tail -n +4 > $tmp/b && cmp $tmp/a $tmp/b"
    if [ "$(id -u)" = 0 ] && command -v bpftool >/dev/null && mount | grep -q /sys/fs/bpf; then
        pin=/sys/fs/bpf/bpfhost_test_$$_$name
        if bpftool prog load "$tmp/$name.ours.o" "$pin" >"$tmp/kload" 2>&1; then
            rm -f "$pin"
            expect "$name: accepted by the Linux verifier" 0 "" true
        elif grep -q "Operation not permitted" "$tmp/kload"; then
            echo "SKIP $name: the kernel does not let this process load eBPF"
        else
            expect "$name: accepted by the Linux verifier" 0 "" sh -c "cat $tmp/kload; false"
        fi
    else
        echo "SKIP $name: kernel oracle needs root, bpftool and /sys/fs/bpf"
    fi
    expect "$name: accepted by bpfhost's verifier" 0 "\(verified in" \
        $B xdp run "$tmp/$name.ours.o" --pcap examples/xdp/traffic.pcap
    for engine in jit interp unverified; do
        case $engine in unverified) opt=--unverified ;; *) opt="--engine $engine" ;; esac
        # shellcheck disable=SC2086
        $B xdp run "$tmp/$name.ours.o" --pcap examples/xdp/traffic.pcap --out "$tmp/$name.$engine.pcap" \
            --dump-maps $opt >"$tmp/$name.$engine.report" 2>&1
        normalise_report "$tmp/$name.$engine.report" >"$tmp/$name.$engine.norm"
    done
    for engine in interp unverified; do
        expect "$name: $engine and jit give the same verdicts and maps" 0 "" cmp "$tmp/$name.jit.norm" "$tmp/$name.$engine.norm"
        expect "$name: $engine and jit pass the same bytes" 0 "" cmp "$tmp/$name.jit.pcap" "$tmp/$name.$engine.pcap"
    done
done

# Assembler examples: raw instructions, verified on their memory block (r1 = the block,
# r2 = its size) and run on every engine: the same r0 everywhere.
for src in examples/asm/*.s; do
    name=$(basename "$src" .s)
    mem=examples/asm/$name.mem
    [ -f "$mem" ] && memopt="--mem $mem" || memopt=
    $B asm "$src" -o "$tmp/$name.bin" >/dev/null 2>&1
    # shellcheck disable=SC2086
    $B run "$tmp/$name.bin" $memopt --unverified >"$tmp/$name.checked" 2>&1
    expect "$name runs on the checked interpreter" 0 "^r0 = " cat "$tmp/$name.checked"
    for engine in interp jit; do
        # shellcheck disable=SC2086
        $B run "$tmp/$name.bin" $memopt --engine $engine >"$tmp/$name.$engine" 2>"$tmp/$name.$engine.err"
        expect "$name is verified for $engine" 0 "verified" cat "$tmp/$name.$engine.err"
        expect "$name: $engine gives the checked interpreter's r0" 0 "" cmp "$tmp/$name.checked" "$tmp/$name.$engine"
    done
done
finish
