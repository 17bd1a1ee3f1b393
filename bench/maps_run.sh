#!/bin/sh
# Prints ns per map operation from inside a program on bpfhost's engines (JIT, fast
# interpreter, checked interpreter), from C (the direct call: a floor), and on the Linux
# kernel (its JIT, BPF_PROG_TEST_RUN) when it lets us load eBPF, with ratios.
# Each figure: (ns per program run, the minimum of RUNS by default - the same engine's
# base_loop) / 256 calls.
set -u
cd "$(dirname "$0")"
B=build
RUNS=${MAPS_RUNS:-11}
# min by default: the machine is shared, and interference only ever adds time.
STAT=${MAPS_STAT:-min}
K=256

field() { sed -n "s/.* ${STAT}_ns=\([0-9.]*\).*/\1/p"; }
retval() { sed -n 's/.*retval=\(0x[0-9a-f]*\).*/\1/p'; }

# engine obj prog repeat -> "ns retval" or "- -"
measure() {
    if [ "$1" = kernel ]; then
        out=$($B/maps_kbench "$B/$2" "$3" "$4" "$RUNS" 2>/dev/null)
    else
        out=$($B/maps_bench "$B/$2" "$3" "$1" "$4" "$RUNS" 2>&1)
    fi
    ns=$(echo "$out" | field)
    if [ -z "$ns" ]; then
        [ "$1" = kernel ] || echo "maps_bench $1 $3: $out" >&2
        echo "- -"
    else
        case $1 in jit|fast) case $out in *verified=no*) ns="$ns*" ;; esac ;; esac
        echo "$ns $(echo "$out" | retval)"
    fi
}

ENGINES="kernel jit fast checked direct"
kernel_ok=1
if ! $B/maps_kbench $B/bpf_maps.o base_loop 1 1 >/dev/null 2>&1; then
    kernel_ok=0
    echo "(kernel column skipped: this process may not load eBPF programs into Linux; run as root)"
fi

base=""
for e in $ENGINES; do
    [ $e = kernel ] && [ $kernel_ok = 0 ] && { base="$base -"; continue; }
    base="$base $(measure $e bpf_maps.o base_loop 2000 | cut -d' ' -f1)"
done

printf '%-22s %8s %8s %8s %8s %8s | %8s %8s %8s | %8s %8s\n' op kernel jit fast checked direct \
    jit/kern fast/kern chk/kern jit/dir kern/dir
for spec in hash_lookup_hit:bpf_maps.o:2000 hash_lookup_miss:bpf_maps.o:2000 \
            hash_update_exist:bpf_maps.o:1000 array_lookup:bpf_maps.o:2000 \
            array_update:bpf_maps.o:2000 hash16_update_exist:maps_extra.o:500 \
            lru_update:maps_extra.o:500 \
            lpm_lookup:maps_extra.o:1000 ringbuf_reserve_submit:maps_extra.o:1000; do
    prog=${spec%%:*}
    rest=${spec#*:}
    obj=${rest%%:*}
    rep=${rest#*:}
    line=""
    rets=""
    for e in $ENGINES; do
        if [ $e = kernel ] && [ $kernel_ok = 0 ]; then
            line="$line -"
            continue
        fi
        set -- $(measure $e $obj $prog $rep)
        line="$line $1"
        [ "$2" = - ] || rets="$rets $2"
    done
    # Every engine must compute what the kernel computes.
    agree=$(echo $rets | tr ' ' '\n' | sort -u | wc -l)
    note=""
    [ "$agree" -le 1 ] || note="  RESULTS DIFFER:$rets"
    echo "$prog $base $line" | awk -v k=$K -v note="$note" '
        # "*" (ran unverified) marks a figure; it stays out of the arithmetic
        function per(t, b) { return (t == "-" || b == "-") ? "-" : (t + 0 - b) / k }
        function mark(t) { return t ~ /[*]$/ ? "*" : "" }
        function fmt(x, t) { return x == "-" ? "-" : sprintf("%.1f%s", x, mark(t)) }
        function ratio(a, b) { return (a == "-" || b == "-" || b <= 0) ? "-" : sprintf("%.2f", a / b) }
        {
            for (i = 0; i < 5; i++) v[i] = per($(7 + i), $(2 + i))
            printf "%-22s %8s %8s %8s %8s %8s | %8s %8s %8s | %8s %8s%s\n", $1, fmt(v[0], $7),
                fmt(v[1], $8), fmt(v[2], $9), fmt(v[3], $10), fmt(v[4], $11), ratio(v[1], v[0]), ratio(v[2], v[0]),
                ratio(v[3], v[0]), ratio(v[1], v[4]), ratio(v[0], v[4]), note
        }'
done
echo "(ns per operation, $STAT of $RUNS runs of 256 calls, minus each engine's empty loop; timers"
echo " stop while another process runs; kernel = Linux JIT via BPF_PROG_TEST_RUN; jit = bpfhost JIT"
echo " and fast = interpreter, VM_MODE_FAST, both through runtime_prog_run of the verified program;"
echo " * = bpfhost's verifier rejects the program (Linux's accepts it): run unverified on that engine;"
echo " checked = interpreter, VM_MODE_CHECKED, what unverified programs run on; direct = the"
echo " same calls from C: map_lookup_elem ...)"
