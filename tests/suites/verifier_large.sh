#!/bin/sh
# Large programs (tests/bpf/large: load balancer, policy datapath, L7 parser, flow stats,
# generated 4,000-11,000 instruction programs, a call-heavy one) must verify within a time
# limit, so that the verifier's cost cannot grow unnoticed. The limit is generous: LIMIT_MS
# (2 s) per object, at least 10x what `bench/verifier/run.sh` measured (53 ms at most), and
# 6 s for gen_calls_40_8, which takes 0.3-0.5 s (docs/verifier-scale.md says why).
# Programs bpfhost does not accept yet are listed below with the reason (a precision gap:
# the Linux kernel accepts all of them) and printed as SKIP lines; when one starts to pass,
# the suite says so and it should leave the list. Every program still has to finish its
# analysis within the limit, accepted or not.
set -u
. tests/shell-lib.sh
LIMIT_MS=${LIMIT_MS:-2000}
out=build/bpf/large
mkdir -p "$out"
arch_inc=/usr/include/$(cc -dumpmachine)

# object/program  reason (see docs/verifier-scale.md)
known_gaps='l4lb/balancer_ingress more than 8 states joined at insn 219: the range proven for data + off (off in [34, 62]) is lost when data + off is computed again
policy_dp/tail_handle_ipv4 helper bpf_get_hash_recalc (34): the runtime (src/helpers) does not implement it, so the verifier has no prototype'

limit_for() { # object
    case "$1" in
    gen_calls_40_8) echo 6000 ;;
    *) echo "$LIMIT_MS" ;;
    esac
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

for src in tests/bpf/large/*.bpf.c; do
    name=$(basename "$src" .bpf.c)
    obj="$out/$name.bpf.o"
    if ! clang -O2 -g -target bpf -I"$arch_inc" -c "$src" -o "$obj" 2>"$tmp/clang"; then
        failed=$((failed + 1))
        echo "FAIL $name: clang failed"
        sed 's/^/    /' "$tmp/clang" | head -n 5
        continue
    fi
    limit=$(limit_for "$name")
    start=$(now_ms)
    timeout $((limit / 1000 + 5)) build/bin/bpfhost verify "$obj" >"$tmp/verify" 2>&1
    status=$?
    elapsed=$(($(now_ms) - start))
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        failed=$((failed + 1))
        echo "FAIL $name: bpfhost verify ended with status $status after $elapsed ms"
        sed 's/^/    /' "$tmp/verify" | head -n 5
        continue
    fi
    if [ "$elapsed" -gt "$limit" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: verification took $elapsed ms, the limit is $limit ms"
    else
        passed=$((passed + 1))
        echo "PASS $name: all programs analysed in $elapsed ms (limit $limit ms)"
    fi
    grep -E '^(PASS|FAIL) ' "$tmp/verify" | while read -r verdict prog rest; do
        gap=$(echo "$known_gaps" | grep "^$name/$prog " | cut -d' ' -f2-)
        case "$verdict" in
        PASS) [ -n "$gap" ] && echo "NOTE $name/$prog now passes: remove it from the known gaps" ;;
        FAIL) [ -n "$gap" ] && echo "SKIP $name/$prog: $gap" ;;
        esac
    done
    # Every program outside the known gaps must pass.
    grep -E '^FAIL ' "$tmp/verify" | while read -r _ prog rest; do
        echo "$known_gaps" | grep -q "^$name/$prog " || echo "$name/$prog $rest"
    done >"$tmp/unexpected"
    if [ -s "$tmp/unexpected" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: rejected a program the kernel accepts:"
        sed 's/^/    /' "$tmp/unexpected"
    else
        passed=$((passed + 1))
        echo "PASS $name: every program outside the known gaps accepted"
    fi
done
finish
