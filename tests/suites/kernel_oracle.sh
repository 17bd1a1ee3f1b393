# The Linux kernel of this machine as a differential oracle (docs/oracle.md): every clang-built
# object of tests/bpf and examples/ is loaded program by program into the kernel (Debian's
# libbpf) and into bpfhost (its libbpf-compatible API), by the same runner source
# (tests/oracle/oracle_runner.c) built twice. The verifiers' verdicts go into a table; every
# program both accept and both can test-run gets the same inputs (the bundled capture plus
# seeded random and mutated frames), and the return values, output data, output contexts and
# map contents must be the same. Skips (and counts nothing) where the kernel refuses to load.
# ORACLE_SEED (default 1) and ORACLE_COUNT (default 300 generated frames) change the inputs.
. tests/shell-lib.sh
B=build/bin/bpfhost
SEED=${ORACLE_SEED:-1}
COUNT=${ORACLE_COUNT:-300}
CFLAGS_ORACLE="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter"
ldlibs=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
ARCH_INC=/usr/include/$(uname -m)-linux-gnu

skip_all() {
    echo "SKIP kernel oracle: $1"
    finish
    exit 0
}

# Differences that are not bpfhost bugs, or bugs routed elsewhere: OBJECT:PROGRAM REASON.
# The program is still loaded and its verdicts compared; its runs are not.
KNOWN_RUN_DIFFERENCES='
oracle_packet:oracle_meta_large bpfhost difference: XDP metadata up to 32 bytes and -EINVAL for a bad length; Linux 6.18 takes up to 252 bytes and says -EACCES (docs/oracle.md)
callbacks:loop_prog Linux inlines bpf_loop and its inlined -E2BIG is a 32-bit move (0x00000000fffffff9); the helper, and bpfhost, return it sign-extended
'
# Programs bpfhost accepts and the kernel's verifier rejects (-EACCES), explained in docs/oracle.md.
KNOWN_VERIFIER_DIFFERENCES='
verify_windows:authorize_connect4 eBPF for Windows program: it reads the Windows layout of struct bpf_sock_addr, which Linux checks against its own
verify_windows_hooks:count_connections eBPF for Windows program: it reads the Windows layout of struct bpf_sock_ops, which Linux checks against its own
'

[ "$(id -u)" = 0 ] || skip_all "needs root to load programs into the kernel"
command -v cc >/dev/null || skip_all "no C compiler"
# shellcheck disable=SC2086
cc $CFLAGS_ORACLE -o "$tmp/runner-kernel" tests/oracle/oracle_runner.c -lbpf >"$tmp/cc.log" 2>&1 ||
    skip_all "the runner does not build against the system's libbpf (libbpf-dev): $(head -n 3 "$tmp/cc.log")"
"$tmp/runner-kernel" probe >"$tmp/probe" 2>&1 || skip_all "the kernel refuses: $(cat "$tmp/probe")"
# shellcheck disable=SC2086
expect "the same runner builds unchanged against bpfhost's include/" 0 "" \
    cc $CFLAGS_ORACLE -Iinclude -o "$tmp/runner-bpfhost" tests/oracle/oracle_runner.c build/lib/libbpfhost.a $ldlibs
[ -x "$tmp/runner-bpfhost" ] || { finish; exit 1; }

inputs=$tmp/inputs
"$tmp/runner-kernel" gen "$SEED" "$COUNT" examples/xdp/traffic.pcap >"$inputs"
echo "inputs: $(wc -l <"$inputs") frames (seed $SEED)"

objects=""
for o in build/bpf/*.bpf.o; do objects="$objects $o"; done
for src in examples/xdp/*.bpf.c; do
    o=$tmp/$(basename "$src" .c).o
    clang -O2 -g -target bpf -mcpu=v3 -I"$ARCH_INC" -c "$src" -o "$o" && objects="$objects $o"
done

table=$tmp/table
printf '%-42s %-9s %-8s %-7s %-7s %s\n' "program" "type" "kernel" "verify" "libbpf" "note" >"$table"
gaps=0
runs_total=0
programs_compared=0
for o in $objects; do
    obj=$(basename "$o" .bpf.o)
    k=$tmp/$obj.kernel h=$tmp/$obj.bpfhost
    "$tmp/runner-kernel" run "$o" "$inputs" >"$k" 2>/dev/null
    "$tmp/runner-bpfhost" run "$o" "$inputs" >"$h" 2>/dev/null
    # bpfhost's own verifier verdicts, as `bpfhost verify -j` gives them
    $B verify "$o" -j 2>/dev/null | tr '{' '\n' |
        sed -n 's/^"name":"\([^"]*\)".*"verdict":"\([a-z]*\)".*/\1 \2/p' >"$tmp/$obj.verify"
    if grep -q '^skip \* ' "$k"; then
        printf '%-42s %-9s %-8s %-7s %-7s %s\n' "$obj:*" "-" "no open" "-" "-" \
            "libbpf cannot open it: $(sed -n 's/^skip \* //p' "$k")" >>"$table"
        continue
    fi
    grep '^load ' "$k" | while read -r _ prog type verdict err _; do
        key=$obj:$prog
        bverdict=$(awk -v p="$prog" '$1==p{print $2}' "$tmp/$obj.verify")
        [ -n "$bverdict" ] || bverdict=none
        lverdict=$(awk -v p="$prog" '$1=="load" && $2==p{print $4}' "$h")
        kv=$verdict
        [ "$verdict" = fail ] && kv="fail$err"
        note=""
        if [ "$verdict" = ok ] && [ "$bverdict" = pass ]; then
            echo "PASS verifier agreement: $key (both accept)"
        elif [ "$verdict" = fail ] && [ "$bverdict" = fail ]; then
            echo "PASS verifier agreement: $key (both reject)"
        elif [ "$verdict" = ok ] && [ "$lverdict" = ok ]; then
            note="bpfhost verify (object-level type inference) rejects; loaded with Linux's type it passes"
            echo "NOTE $key: $note"
        elif [ "$verdict" = ok ]; then
            note="precision gap: the kernel accepts, bpfhost does not"
            echo "GAP $key: $note"
        elif [ "$err" != -13 ]; then
            note="not a verifier question: the kernel's loader says $err"
        else
            known=$(echo "$KNOWN_VERIFIER_DIFFERENCES" | awk -v k="$key" '$1==k{$1="";print substr($0,2)}')
            if [ -n "$known" ]; then
                note="explained: $known"
                echo "KNOWN $key: $known"
            else
                note="bpfhost accepts what the kernel's verifier rejects"
                echo "FAIL verifier agreement: $key: $note (unexplained; see docs/oracle.md)"
            fi
        fi
        printf '%-42s %-9s %-8s %-7s %-7s %s\n' "$key" "$type" "$kv" "$bverdict" "${lverdict:-none}" "$note" >>"$table"
    done >"$tmp/$obj.verdicts"
    cat "$tmp/$obj.verdicts"
    # the same outcome lines feed the counts (a pipeline runs in a subshell)
    passed=$((passed + $(grep -c '^PASS' "$tmp/$obj.verdicts")))
    failed=$((failed + $(grep -c '^FAIL' "$tmp/$obj.verdicts")))
    gaps=$((gaps + $(grep -c '^GAP' "$tmp/$obj.verdicts")))

    grep '^skip ' "$k" | while read -r _ prog reason; do echo "SKIP $obj:$prog: $reason"; done
    for prog in $(sed -n 's/^run \([^ ]*\) .*/\1/p' "$k" | uniq); do
        key=$obj:$prog
        grep -q "^run $prog " "$h" || continue # bpfhost did not load it: in the table
        known=$(echo "$KNOWN_RUN_DIFFERENCES" | awk -v k="$key" '$1==k{$1="";print substr($0,2)}')
        if [ -n "$known" ]; then
            echo "SKIP $key runs: $known"
            continue
        fi
        grep "^run $prog " "$k" >"$tmp/a"
        grep "^run $prog " "$h" >"$tmp/b"
        n=$(wc -l <"$tmp/a")
        programs_compared=$((programs_compared + 1))
        runs_total=$((runs_total + n))
        if cmp -s "$tmp/a" "$tmp/b"; then
            grep "^map $prog " "$k" >"$tmp/ma"
            grep "^map $prog " "$h" >"$tmp/mb"
            if cmp -s "$tmp/ma" "$tmp/mb"; then
                passed=$((passed + 1))
                echo "PASS $key: $n runs give the same return values, data, contexts and maps"
            else
                failed=$((failed + 1))
                echo "FAIL $key: the maps differ after the last input (< kernel, > bpfhost):"
                diff "$tmp/ma" "$tmp/mb" | grep '^[<>]' | head -n 10 | sed 's/^/    /'
            fi
            continue
        fi
        failed=$((failed + 1))
        ndiff=$(diff "$tmp/a" "$tmp/b" | grep -c '^<')
        first=$(diff "$tmp/a" "$tmp/b" | sed -n 's/^< //p' | head -n 1)
        idx=$(echo "$first" | cut -d' ' -f3)
        variant=$(echo "$first" | cut -d' ' -f4)
        echo "FAIL $key: $ndiff of $n runs differ; the first: input $idx (context variant $variant)"
        echo "    input: $(awk -v i="$idx" '$2==i{print $3}' "$inputs")"
        echo "    kernel:  $(echo "$first" | cut -d' ' -f5-)"
        echo "    bpfhost: $(grep "^run $prog $idx $variant " "$h" | cut -d' ' -f5-)"
    done
done
echo
echo "verifier verdicts (kernel: libbpf load of the program alone; verify: bpfhost verify -j;"
echo "libbpf: bpfhost's libbpf load of the program alone, the one the runs use):"
cat "$table"
echo
echo "coverage: $programs_compared programs compared on $runs_total runs; $gaps precision gaps"
finish
