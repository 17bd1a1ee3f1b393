# Shared by the suites that compare engines: an `xdp run --dump-maps` report without its first
# line (which names the engine), with each map entry prefixed by its map's name and sorted, so
# that reports of different runs compare equal exactly when verdicts and map contents agree.
normalise_report() {
    tail -n +2 "$1" | awk '/^map / { map = $2; print; next } /^  [0-9a-f]+ = / { print map $0; next } { print }' |
        sort
}
