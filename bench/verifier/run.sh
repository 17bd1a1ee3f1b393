#!/bin/sh
# Verifier scale bench: every program of tests/bpf/large/*.bpf.c verified by bpfhost and
# loaded into the Linux kernel in the same run, side by side, then the shared corpus.
#   sh bench/verifier/run.sh            (from the repository's top; `make` first)
# Environment: REPEAT (default 3; the minimum of the runs is kept), SHARED (../shared),
# OUT (build/vbench). The kernel columns need root; without it they read "-".
# Columns: instructions (bpfhost's count, subprograms included), kernel verified_insns,
# kernel verification time (its own "verification time", log level 4) and load wall time
# (map creation included), bpfhost analysis time (result.stats), kernel/bpfhost ratio
# (> 1: bpfhost is faster), bpfhost steps (instructions analysed), peak memory of the
# `bpfhost verify` process for the object (maxrss), verdicts.
set -u
REPEAT=${REPEAT:-3}
SHARED=${SHARED:-../shared}
OUT=${OUT:-build/vbench}
CLANG=${CLANG:-clang}
bpfhost=build/bin/bpfhost
[ -x "$bpfhost" ] || { echo "$bpfhost is missing: run make first" >&2; exit 2; }
mkdir -p "$OUT"
arch_inc=/usr/include/$(cc -dumpmachine)

kload=""
if [ "$(id -u)" -eq 0 ] && cc -O2 -Wall -o "$OUT/kload" bench/verifier/kload.c -lbpf 2>"$OUT/kload.err"; then
    kload="$OUT/kload"
else
    echo "note: kernel columns skipped (needs root and libbpf-dev)" >&2
fi

: >"$OUT/kernel.tsv"
: >"$OUT/bpfhost.tsv"
for src in tests/bpf/large/*.bpf.c; do
    name=$(basename "$src" .c)
    obj="$OUT/$name.o"
    "$CLANG" -O2 -g -target bpf -I"$arch_inc" -c "$src" -o "$obj" || { echo "$src: clang failed" >&2; continue; }
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        i=$((i + 1))
        if [ -n "$kload" ]; then
            "$kload" "$obj" | sed "s|^|$name\t|" >>"$OUT/kernel.tsv"
        fi
        /usr/bin/time -f 'maxrss %M' -o "$OUT/time.txt" "$bpfhost" verify "$obj" -j >"$OUT/verify.json" 2>/dev/null
        rss=$(sed -n 's/^maxrss //p' "$OUT/time.txt")
        python3 - "$name" "$rss" "$OUT/verify.json" >>"$OUT/bpfhost.tsv" <<'EOF'
import json, sys
name, rss, path = sys.argv[1], sys.argv[2], sys.argv[3]
for p in json.load(open(path))["programs"]:
    reason = p.get("error", {}).get("message", "-").replace("\t", " ")
    print("\t".join([name, p["name"], str(p["instructions"]), str(p.get("steps", 0)),
                     str(p["microseconds"]), rss, p["verdict"], reason]))
EOF
    done
done

python3 - "$OUT/kernel.tsv" "$OUT/bpfhost.tsv" <<'EOF'
import sys
kernel, host = {}, {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    key = (f[0], f[1])
    best = kernel.get(key)
    if f[6] == "ok":
        row = {"verified": int(f[3]), "verify_us": int(f[4]), "load_us": float(f[5]), "status": "ok", "msg": ""}
        if not best or best["status"] != "ok" or row["verify_us"] < best["verify_us"]:
            if best and best["status"] == "ok":
                row["load_us"] = min(row["load_us"], best["load_us"])
            kernel[key] = row
    elif not best:
        kernel[key] = {"status": "rejected", "msg": f[7], "load_us": float(f[5])}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    key = (f[0], f[1])
    row = {"insns": int(f[2]), "steps": int(f[3]), "us": int(f[4]), "rss_kb": int(f[5] or 0),
           "verdict": f[6], "msg": f[7]}
    best = host.get(key)
    if not best or row["us"] < best["us"]:
        if best:
            row["rss_kb"] = max(row["rss_kb"], best["rss_kb"])
        host[key] = row
    else:
        best["rss_kb"] = max(best["rss_kb"], row["rss_kb"])

def ms(us):
    return "%.2f" % (us / 1000.0)

print("| object | program | insns | kernel verified_insns | kernel verify ms | kernel load ms | bpfhost ms | kernel/bpfhost | bpfhost steps | bpfhost peak MB | kernel | bpfhost |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
tot_k = tot_h = 0
max_k = max_h = 0
max_rss = 0
both = 0
for key in sorted(host):
    h = host[key]
    k = kernel.get(key, {"status": "-"})
    kv = k.get("verify_us")
    ratio = "-"
    if kv is not None and h["us"] > 0:
        ratio = "%.1f" % (kv / h["us"])
        if h["verdict"] == "pass":
            tot_k += kv
            tot_h += h["us"]
            both += 1
        else:
            ratio += " (stopped)"  # bpfhost stopped at the first failure: not comparable
    if kv is not None:
        max_k = max(max_k, kv)
    max_h = max(max_h, h["us"])
    max_rss = max(max_rss, h["rss_kb"])
    print("| %s | %s | %d | %s | %s | %s | %s | %s | %d | %.1f | %s | %s |" % (
        key[0], key[1], h["insns"], k.get("verified", "-"), ms(kv) if kv is not None else "-",
        ms(k["load_us"]) if "load_us" in k else "-", ms(h["us"]), ratio, h["steps"],
        h["rss_kb"] / 1024.0, k["status"], h["verdict"]))
print()
print("programs: %d; accepted by both (the totals): %d; kernel verify total %s ms (max %s ms); bpfhost total %s ms (max %s ms); "
      "ratio of totals %s; bpfhost peak %.1f MB" % (
          len(host), both, ms(tot_k), ms(max_k), ms(tot_h), ms(max_h),
          "%.1f" % (tot_k / tot_h) if tot_h else "-", max_rss / 1024.0))
for key in sorted(host):
    if host[key]["verdict"] != "pass":
        print("bpfhost rejects %s/%s: %s" % (key[0], key[1], host[key]["msg"]))
for key in sorted(kernel):
    if kernel[key]["status"] != "ok":
        print("kernel rejects %s/%s: %s" % (key[0], key[1], kernel[key]["msg"]))
EOF

echo
echo "shared corpus (tools/bpfhost-verify --corpus $SHARED/corpus):"
/usr/bin/time -f 'whole run: %e s wall, maxrss %M KB' build/bin/bpfhost-verify --corpus "$SHARED/corpus" 2>&1 |
    grep -E '^(safe|unsafe|objects|analysis|peak|whole run)|passed, .* failed'
