#!/bin/sh
# Prints ns per run for each bench program on native code, the interpreter (direct threaded,
# switch-dispatched, checked), the JIT and the kernel (when it loads eBPF here), with ratios;
# then array and hash map lookups through the runtime (bpf_maps.o).
set -u
B=build
printf '%-6s %10s %10s %8s %9s %10s %8s %10s %10s %8s %10s %8s\n' bench native interp ns/insn x_native \
    switch thr_gain checked jit jit/nat kernel kern/nat
for b in empty loop fnv parse sort bsort; do
    case $b in
    empty) it=2000000 ;; loop) it=20 ;; fnv) it=3000 ;; parse) it=300000 ;; sort) it=3000 ;; bsort) it=1000 ;;
    esac
    runs=7
    # Native and JIT alternate for ROUNDS rounds and keep their best median: on a shared
    # machine, load that comes and goes then skews the ratio less.
    nat=; j_ns=
    for round in $(seq ${ROUNDS:-3}); do
        n=$($B/nbench $b $((it * 20)) $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
        j=$($B/ibench $B/raw_$b.bin jit $((it * 10)) $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
        nat=$(awk -v a="$nat" -v b="$n" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
        j_ns=$(awk -v a="$j_ns" -v b="$j" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    done
    fast=$($B/ibench $B/raw_$b.bin interp $it $runs)
    fast_ns=$(echo "$fast" | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    per_insn=$(echo "$fast" | sed -n 's/.*ns_per_insn=\([0-9.]*\).*/\1/p')
    sw_ns=$($B/ibench $B/raw_$b.bin interp-switch $it $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    ck_ns=$($B/ibench $B/raw_$b.bin interp-checked $it $runs | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    k_ns=$($B/kbench $B/bpf_$b.o entry $it $runs 2>/dev/null | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p')
    [ -n "$k_ns" ] || k_ns=-
    awk -v b=$b -v n="$nat" -v f="$fast_ns" -v p="$per_insn" -v s="$sw_ns" -v c="$ck_ns" -v k="$k_ns" -v j="$j_ns" 'BEGIN {
        kr = (k == "-") ? "-" : sprintf("%.2f", k / n)
        printf "%-6s %10.1f %10.1f %8.2f %9.1f %10.1f %8.2f %10.1f %10.1f %8.2f %10s %8s\n", b, n, f, p, f / n, s, s / f, c, j, j / n, k, kr }'
done
echo "(ns per run, median of 7 (native and JIT: best of ${ROUNDS:-3} alternating rounds); x_native = interp/native; thr_gain = switch/threaded; jit/nat = JIT/native; kernel = Linux JIT via BPF_PROG_TEST_RUN)"
# Array map lookups (256 per run) through the runtime: the interpreter and the JIT calling
# the helper, the JIT inlining the lookup, and the kernel (which inlines it too).
printf '\n%-13s %10s %10s %10s %10s %9s\n' maps interp jit jit-inline kernel inl/kern
for p in base_loop array_lookup hash_lookup_hit; do
    ns() { echo "$1" | sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p'; }
    i=$(ns "$($B/ibench --object $B/bpf_maps.o $p interp 2000 7)")
    j=$(ns "$($B/ibench --object $B/bpf_maps.o $p jit 20000 7)")
    l=$(ns "$($B/ibench --object $B/bpf_maps.o $p jit-inline 20000 7)")
    k=$(ns "$($B/kbench $B/bpf_maps.o $p 20000 7 2>/dev/null)")
    [ -n "$k" ] || k=-
    awk -v p=$p -v i="$i" -v j="$j" -v l="$l" -v k="$k" 'BEGIN {
        kr = (k == "-") ? "-" : sprintf("%.2f", l / k)
        printf "%-13s %10.1f %10.1f %10.1f %10s %9s\n", p, i, j, l, k, kr }'
done
echo "(ns per run, median of 7; maps filled with value = key, the kernel's left empty)"
