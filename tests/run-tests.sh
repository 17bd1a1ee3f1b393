#!/bin/sh
# Runs every test suite and adds up their closing "N passed, N failed" lines.
# Suites: unit tests (plain and ASan+UBSan), the conformance suite on every engine and mode,
# and the scripts in tests/suites/ (each prints its own closing line).
set -u
SHARED=${SHARED:-../shared}
export SHARED
# Out-of-memory paths are tested on purpose: let ASan return NULL instead of aborting.
ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1}
export ASAN_OPTIONS
log_dir=build/test-logs
mkdir -p "$log_dir"
total_pass=0
total_fail=0
failed_suites=""

run_suite() { # name command...
    name=$1
    shift
    log="$log_dir/$(echo "$name" | tr ' /' '__').log"
    start=$(date +%s)
    "$@" >"$log" 2>&1
    status=$?
    summary=$(grep -E '^[A-Za-z]*:? ?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    pass=$(echo "$summary" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
    fail=$(echo "$summary" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
    [ -n "$pass" ] || pass=0
    [ -n "$fail" ] || fail=0
    if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
        fail=1 # the suite died or said nothing: count it as one failure
    fi
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    secs=$(($(date +%s) - start))
    printf '%-44s %5d passed, %3d failed  (%ss)\n' "$name" "$pass" "$fail" "$secs"
    if [ "$fail" -ne 0 ]; then
        failed_suites="$failed_suites $name"
        grep -E '^(FAIL|  )|rror' "$log" | head -n 40 | sed 's/^/    /'
    fi
    grep '^SKIP' "$log" | sed 's/^/    /'
}

for t in build/tests/test_*; do
    [ -x "$t" ] && run_suite "unit $(basename "$t")" "$t"
done
for t in build/asan/tests/test_*; do
    [ -x "$t" ] && run_suite "asan $(basename "$t")" "$t"
done
# ThreadSanitizer builds (make tsan), when the toolchain built them. liburcu's own
# synchronization is invisible to TSan: tests/tsan.supp says what that suppresses and why.
TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$(pwd)/tests/tsan.supp}
export TSAN_OPTIONS
for t in build/tsan/tests/test_*; do
    [ -x "$t" ] || continue
    run_suite "tsan $(basename "$t")" "$t"
done
for mode in checked fast; do
    run_suite "conformance interp $mode" build/bin/bpfhost-conformance --engine interp --mode "$mode" "$SHARED/conformance/tests"
done
for engine in jit jit-blinded; do
    run_suite "conformance $engine" build/bin/bpfhost-conformance --engine $engine "$SHARED/conformance/tests"
done
run_suite "conformance negative" build/bin/bpfhost-conformance --negative "$SHARED/conformance/negative"
for s in tests/suites/*.sh; do
    [ -f "$s" ] && run_suite "suite $(basename "$s" .sh)" sh "$s"
done

[ -z "$failed_suites" ] || echo "failed suites:$failed_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
