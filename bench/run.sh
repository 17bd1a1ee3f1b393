#!/bin/sh
# Prints ns per run for each bench program on native code, the interpreter (direct threaded,
# switch-dispatched, checked), the JIT and the kernel (when it loads eBPF here), with ratios;
# then array and hash map lookups through the runtime (bpf_maps.o).
set -u
B=build
printf '%-6s %10s %10s %8s %9s %10s %8s %10s %10s %8s %10s %8s %8s\n' bench native interp ns/insn x_native \
    switch thr_gain checked jit jit/nat kernel kern/nat jit/kern
# best NEW OLD: the smaller of two medians (OLD empty at first).
best() { awk -v a="$2" -v b="$1" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
# median of the whitespace-separated numbers given.
median() { echo "$@" | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ns() { sed -n 's/.* median_ns=\([0-9.]*\).*/\1/p'; }
least() { sed -n 's/.* min_ns=\([0-9.]*\).*/\1/p'; }
# The kernel takes part when it loads eBPF here (root, BPF_PROG_TEST_RUN).
kernel=no
$B/kbench $B/bpf_empty.o entry 1 1 >/dev/null 2>&1 && kernel=yes
for b in empty loop fnv parse sort bsort; do
    case $b in
    empty) it=2000000 ;; loop) it=20 ;; fnv) it=3000 ;; parse) it=300000 ;; sort) it=3000 ;; bsort) it=1000 ;;
    esac
    runs=7
    # Native, the JIT and the kernel's JIT alternate for ROUNDS rounds, so that load which
    # comes and goes on a shared machine skews the comparison less. Native and the JIT take
    # the least of many short samples (wall clock: some of them ran undisturbed), and
    # JIT/native is the ratio of the least over all rounds. The kernel's clock stops while
    # the test run yields the CPU, so JIT/kernel is the median over rounds of the ratio of
    # the JIT's CPU time to the kernel's: both leave out the time others ran.
    many=${RUNS:-31}
    nat=; j_ns=; k_ns=; jk_r=
    for round in $(seq ${ROUNDS:-3}); do
        n=$($B/nbench $b $it $many | least)
        jit_out=$($B/ibench $B/raw_$b.bin jit $it $many)
        j=$(echo "$jit_out" | least)
        j_cpu=$(echo "$jit_out" | sed -n 's/.*cpu_median_ns=\([0-9.]*\).*/\1/p')
        nat=$(best "$n" "$nat"); j_ns=$(best "$j" "$j_ns")
        if [ $kernel = yes ]; then
            # Empty when the kernel's verifier refuses the program (sort: over 1M insns).
            k=$($B/kbench $B/bpf_$b.o entry $it $many 2>/dev/null | ns)
            if [ -n "$k" ]; then
                k_ns=$(best "$k" "$k_ns")
                jk_r="$jk_r $(awk -v j="$j_cpu" -v k="$k" 'BEGIN { print j / k }')"
            fi
        fi
    done
    fast=$($B/ibench $B/raw_$b.bin interp $it $runs)
    fast_ns=$(echo "$fast" | ns)
    per_insn=$(echo "$fast" | sed -n 's/.*ns_per_insn=\([0-9.]*\).*/\1/p')
    sw_ns=$($B/ibench $B/raw_$b.bin interp-switch $it $runs | ns)
    ck_ns=$($B/ibench $B/raw_$b.bin interp-checked $it $runs | ns)
    jn=$(awk -v j="$j_ns" -v n="$nat" 'BEGIN { print j / n }')
    if [ -n "$k_ns" ]; then jk=$(median $jk_r); kn=$(awk -v k="$k_ns" -v n="$nat" 'BEGIN { print k / n }'); else k_ns=-; jk=-; kn=-; fi
    awk -v b=$b -v n="$nat" -v f="$fast_ns" -v p="$per_insn" -v s="$sw_ns" -v c="$ck_ns" -v k="$k_ns" -v j="$j_ns" \
        -v jn="$jn" -v jk="$jk" -v kn="$kn" 'BEGIN {
        printf "%-6s %10.1f %10.1f %8.2f %9.1f %10.1f %8.2f %10.1f %10.1f %8.2f %10s %8s %8s\n", b, n, f, p, f / n, s, s / f, c, j, jn, k,
            (kn == "-") ? "-" : sprintf("%.2f", kn), (jk == "-") ? "-" : sprintf("%.2f", jk) }'
done
echo "(ns per run, median of 7 (native and JIT: least of ${RUNS:-31}, kernel: median of ${RUNS:-31}; best of ${ROUNDS:-3} interleaved rounds); x_native = interp/native; thr_gain = switch/threaded; jit/nat, kern/nat: of the best times; jit/kern: median over the rounds of JIT CPU time / kernel within a round; kernel = Linux JIT via BPF_PROG_TEST_RUN)"
# Array map lookups (256 per run) through the runtime: the interpreter and the JIT calling
# the helper, the JIT inlining the lookup, and the kernel (which inlines it too).
printf '\n%-13s %10s %10s %10s %10s %9s\n' maps interp jit jit-inline kernel inl/kern
for p in base_loop array_lookup hash_lookup_hit; do
    i=$($B/ibench --object $B/bpf_maps.o $p interp 2000 7 | ns)
    j=$($B/ibench --object $B/bpf_maps.o $p jit 20000 7 | ns)
    l=$($B/ibench --object $B/bpf_maps.o $p jit-inline 20000 7 | ns)
    k=$($B/kbench $B/bpf_maps.o $p 20000 7 2>/dev/null | ns)
    [ -n "$k" ] || k=-
    awk -v p=$p -v i="$i" -v j="$j" -v l="$l" -v k="$k" 'BEGIN {
        kr = (k == "-") ? "-" : sprintf("%.2f", l / k)
        printf "%-13s %10.1f %10.1f %10.1f %10s %9s\n", p, i, j, l, k, kr }'
done
echo "(ns per run, median of 7; maps filled with value = key, the kernel's left empty)"
