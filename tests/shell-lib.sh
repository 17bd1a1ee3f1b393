# Helpers for shell test suites: each check prints PASS/FAIL; finish prints the summary.
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS PATTERN CMD...: CMD exits with STATUS and its output matches PATTERN (grep -E).
expect() {
    name=$1 status=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" -eq "$status" ] && grep -Eq -- "$pattern" "$tmp/out"; then
        passed=$((passed + 1))
        echo "PASS $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name: status $got (wanted $status), output:"
        sed 's/^/    /' "$tmp/out" | head -n 20
        echo "    (wanted a line matching: $pattern)"
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
