#!/bin/sh
# A short, bounded libFuzzer run of the ELF loader (tests/fuzz/fuzz_elf_object.c, ASan+UBSan)
# seeded with the shared corpus and build/bpf objects: no crash, leak, hang or huge
# allocation. Longer runs: build/fuzz/fuzz_elf_object -max_total_time=600 DIR SEEDS.
set -u
SHARED=${SHARED:-../shared}
seconds=${FUZZ_SECONDS:-15}
make --no-print-directory build/fuzz/fuzz_elf_object >/dev/null ||
    { echo "FAIL cannot build the fuzz target"; echo "0 passed, 1 failed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seeds" "$work/new"
for f in "$SHARED"/corpus/build/*.o "$SHARED"/corpus/linux/*.o "$SHARED"/corpus/prototype-kernel/*.o \
    "$SHARED"/corpus/invalid/* build/bpf/*.bpf.o; do
    [ -f "$f" ] && cp "$f" "$work/seeds/"
done
if build/fuzz/fuzz_elf_object -max_total_time="$seconds" -max_len=80000 -rss_limit_mb=1024 \
    -timeout=5 -print_final_stats=1 -artifact_prefix="$work/" "$work/new" "$work/seeds" >"$work/log" 2>&1; then
    echo "PASS fuzz_elf_object: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/log" ||
        tail -n 1 "$work/log")"
    echo "1 passed, 0 failed"
else
    echo "FAIL fuzz_elf_object:"
    grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$work/log" | head -n 30
    mkdir -p build/fuzz/crashes && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
        "$work"/oom-* build/fuzz/crashes/ 2>/dev/null
    echo "0 passed, 1 failed"
    exit 1
fi
