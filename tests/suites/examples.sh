# Example eBPF programs compile unchanged against bpfhost's headers and against libbpf's, and
# the Linux verifier (where this machine lets root load programs) accepts them.
. tests/shell-lib.sh
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
done
finish
