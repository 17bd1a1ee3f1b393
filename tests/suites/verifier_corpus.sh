#!/bin/sh
# The verifier on the shared corpus (through the ELF loader): every program expected to be
# unsafe must be rejected, and the number of safe programs accepted must not fall below
# what the verifier already reaches (raise ACCEPT_FLOOR when it improves). Misses are
# listed as SKIP lines: they are the verifier's to-do list, not failures.
set -u
SHARED=${SHARED:-../shared}
ACCEPT_FLOOR=191
out=build/suites
mkdir -p "$out"
tool=build/bin/bpfhost-verify
[ -x "$tool" ] || { echo "FAIL $tool is missing (run make first)"; echo "0 passed, 1 failed"; exit 1; }
"$tool" --corpus "$SHARED/corpus" >"$out/verifier_corpus.txt" 2>&1
status=$?
grep 'MISSED' "$out/verifier_corpus.txt" | sed 's/^/SKIP /'
grep 'UNSAFE ACCEPTED' "$out/verifier_corpus.txt" | sed 's/^/FAIL /'
grep -E '^(safe|unsafe|objects|analysis|peak)' "$out/verifier_corpus.txt"
summary=$(tail -n 1 "$out/verifier_corpus.txt")
pass=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
fail=$(echo "$summary" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
[ -n "$pass" ] || { echo "FAIL the tool ended with status $status and no summary"; echo "0 passed, 1 failed"; exit 1; }
accepted=$(sed -n 's/^safe programs accepted: \([0-9]*\) of.*/\1/p' "$out/verifier_corpus.txt")
if [ "${accepted:-0}" -lt "$ACCEPT_FLOOR" ]; then
    echo "FAIL only $accepted safe programs accepted, fewer than the $ACCEPT_FLOOR reached before"
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
