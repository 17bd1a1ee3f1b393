# Helpers for shell test suites: each check prints PASS/FAIL; finish prints the summary.
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME STATUS PATTERN CMD...: CMD exits with STATUS and, unless PATTERN is empty, its
# output has a line matching PATTERN (grep -E).
expect() {
    _name=$1 _status=$2 _pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>&1
    _got=$?
    if [ "$_got" -eq "$_status" ] && { [ -z "$_pattern" ] || grep -Eq -- "$_pattern" "$tmp/out"; }; then
        passed=$((passed + 1))
        echo "PASS $_name"
    else
        failed=$((failed + 1))
        echo "FAIL $_name: status $_got (wanted $_status), output:"
        sed 's/^/    /' "$tmp/out" | head -n 20
        echo "    (wanted a line matching: $_pattern)"
    fi
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
