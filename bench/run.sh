#!/bin/sh
# Prints ns per run for each bench program on native code, the interpreter (direct threaded,
# switch-dispatched, checked) and the kernel (when it loads eBPF here), with ratios.
set -u
B=build
printf '%-6s %10s %10s %8s %9s %10s %8s %10s %10s %8s %10s %8s\n' bench native interp ns/insn x_native \
    switch thr_gain checked jit jit/nat kernel kern/nat
for b in empty loop fnv parse sort bsort; do
    case $b in
    empty) it=2000000 ;; loop) it=20 ;; fnv) it=3000 ;; parse) it=300000 ;; sort) it=3000 ;; bsort) it=1000 ;;
    esac
    runs=7
    nat=$($B/nbench $b $((it * 20)) $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    fast=$($B/ibench $B/raw_$b.bin interp $it $runs)
    fast_ns=$(echo "$fast" | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    per_insn=$(echo "$fast" | sed -n 's/.*ns_per_insn=\([0-9.]*\).*/\1/p')
    sw_ns=$($B/ibench $B/raw_$b.bin interp-switch $it $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    ck_ns=$($B/ibench $B/raw_$b.bin interp-checked $it $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    j_ns=$($B/ibench $B/raw_$b.bin jit $((it * 10)) $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    k_ns=$($B/kbench $B/bpf_$b.o entry $it $runs 2>/dev/null | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    [ -n "$k_ns" ] || k_ns=-
    awk -v b=$b -v n="$nat" -v f="$fast_ns" -v p="$per_insn" -v s="$sw_ns" -v c="$ck_ns" -v k="$k_ns" -v j="$j_ns" 'BEGIN {
        kr = (k == "-") ? "-" : sprintf("%.2f", k / n)
        printf "%-6s %10.1f %10.1f %8.2f %9.1f %10.1f %8.2f %10.1f %10.1f %8.2f %10s %8s\n", b, n, f, p, f / n, s, s / f, c, j, j / n, k, kr }'
done
echo "(ns per run, median of 7; x_native = interp/native; thr_gain = switch/threaded; jit/nat = JIT/native; kernel = Linux JIT via BPF_PROG_TEST_RUN)"
