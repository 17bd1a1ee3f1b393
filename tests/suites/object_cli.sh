# bpfhost object show and prog dump: on the corpus and on the XDP example compiled here, the
# program and map listing compared with what libbpf (the system's libbpf 1.x, through a tiny
# checker) reports for every object it can open; bad input never crashes.
. tests/shell-lib.sh
B=build/bin/bpfhost
SHARED=${SHARED:-../shared}
CORPUS=$SHARED/corpus

expect "object --help" 0 "usage: bpfhost object show" $B object --help
expect "prog --help" 0 "usage: bpfhost prog dump" $B prog --help
expect "object without subcommand" 2 "usage: bpfhost object show" $B object
expect "object unknown subcommand" 2 "unknown subcommand 'list'" $B object list x.o
expect "prog unknown subcommand" 2 "unknown subcommand 'load'" $B prog load x.o
expect "object show without file" 2 "usage" $B object show
expect "object show bad option" 2 "unknown option '--frob'" $B object show --frob x.o
expect "prog dump bad option" 2 "unknown option '--frob'" $B prog dump --frob x.o

# --- the XDP example, compiled here -----------------------------------------------------------
fw=$tmp/xdp_firewall.o
if clang -O2 -g -target bpf -mcpu=v3 -Iinclude -I/usr/include/"$(uname -m)"-linux-gnu \
        -c examples/xdp/xdp_firewall.bpf.c -o "$fw" 2>"$tmp/clang.log"; then
    expect "show lists the program" 0 "^  xdp_firewall +xdp +xdp +xdp +[0-9]+ .*xdp_firewall\.bpf\.c$" $B object show "$fw"
    expect "show lists a hash map" 0 "^  blocked_v6 +hash +16 +1 +1024 +0x0 +none +- +btf$" $B object show "$fw"
    expect "show gives the license" 0 "license GPL" $B object show "$fw"
    expect "show -j parses" 0 "" sh -c "$B object show -j '$fw' | python3 -m json.tool"
    expect "show -p parses" 0 '"name": "xdp_firewall"' sh -c "$B object show -p '$fw' | python3 -m json.tool"
    expect "dump interleaves source lines" 0 "^; void \*data_end = .*xdp_firewall\.bpf\.c:[0-9]+$" $B prog dump "$fw"
    expect "dump names the function" 0 "^xdp_firewall:$" $B prog dump "$fw" xdp_firewall
    expect "dump names map references" 0 "^ +[0-9]+: r1 = map\[idx:[0-9]\]  # blocked_v4$" $B prog dump "$fw"
    expect "dump --raw shows bytes" 0 "^    0: 61 16 04 00 00 00 00 00 +r6 = \*\(u32 \*\)\(r1 \+ 4\)$" $B prog dump "$fw" --raw
    expect "dump --raw lddw is 16 bytes" 0 "^ +[0-9]+: 18 .1 (.. ){13}..  r1 = map\[idx" $B prog dump --raw "$fw"
    expect "unknown program lists the names" 2 "no program named 'nope'; the object's programs are: xdp_firewall$" $B prog dump "$fw" nope
else
    failed=$((failed + 1))
    echo "FAIL compiling examples/xdp/xdp_firewall.bpf.c:"
    sed 's/^/    /' "$tmp/clang.log" | head -n 10
fi

# --- subprograms and boundaries ---------------------------------------------------------------
b2b=$CORPUS/build/bpf2bpf.o
expect "subprograms are not listed" 0 "^programs: 1$" $B object show "$b2b"
expect "dump shows subprogram boundaries" 0 "^add1:$" $B prog dump "$b2b"
expect "dump names call targets" 0 "call pc\+[0-9]+  # add1$" $B prog dump "$b2b"
expect "dump counts linked code" 0 "^func: section test, type unspec, 58 insns \(37 own, 21 in subprograms\)$" $B prog dump "$b2b"
expect "dump of a subprogram by name" 0 "^add2:$" $B prog dump "$b2b" add2
expect "map in map shows the inner map" 0 "^  array_of_maps +array_of_maps .* array_of_maps\.inner +btf$" $B object show "$CORPUS/build/map_in_map.o"
expect "legacy map in map names the inner map" 0 "^  array_of_maps +array_of_maps .* inner_map +legacy$" $B object show "$CORPUS/build/map_in_map_legacy.o"

# --- bad input: status 2 and a message naming the file, never a crash --------------------------
expect "missing file" 2 "^bpfhost: /nonexistent\.o: No such file" $B object show /nonexistent.o
expect "dump missing file" 2 "^bpfhost: /nonexistent\.o: No such file" $B prog dump /nonexistent.o
expect "not an ELF file" 2 "README\.md: not an ELF file" $B object show "$CORPUS/README.md"
expect "empty file" 2 "null: not an ELF file" $B prog dump /dev/null
expect "invalid instruction refused by show" 2 "invalid-lddw\.o: program 'func' .*invalid code at insn 1" $B object show "$CORPUS/invalid/invalid-lddw.o"
expect "invalid instruction shown by dump" 1 "^    1: invalid: opcode 0x18 with src register 15" $B prog dump "$CORPUS/invalid/invalid-lddw.o"
# Files the corpus marks malformed (load-error) are refused; the others in invalid/ are valid
# ELF with unsafe or odd code: either way a clear outcome, never a signal.
for f in "$CORPUS"/invalid/*; do
    n=$(basename "$f")
    if grep -q "^invalid/$n	.*	load-error	" "$CORPUS/expectations.tsv" && [ "$n" != invalid-lddw.o ]; then
        expect "malformed $n: show" 2 "^bpfhost: $f: .{10,}" $B object show "$f"
        expect "malformed $n: dump" 2 "^bpfhost: $f: .{10,}" $B prog dump "$f"
    else
        for cmd in "object show" "object show -j" "prog dump" "prog dump --raw"; do
            # shellcheck disable=SC2086
            $B $cmd "$f" >"$tmp/out" 2>&1
            s=$?
            if [ $s -le 2 ] && { [ $s -eq 0 ] || grep -q "^bpfhost: $f" "$tmp/out"; }; then
                passed=$((passed + 1))
            else
                failed=$((failed + 1))
                echo "FAIL $cmd $n: status $s"
                head -n 5 "$tmp/out" | sed 's/^/    /'
            fi
        done
    fi
done
# Every prefix cut of a real object (and some byte flips) must give a clear result.
if [ -f "$fw" ]; then
    size=$(wc -c <"$fw")
    crashes=0
    for cut in 0 4 16 52 63 64 65 200 1000 2000 4000 $((size / 2)) $((size - 100)) $((size - 1)); do
        head -c "$cut" "$fw" >"$tmp/cut.o"
        for cmd in "object show -j" "prog dump"; do
            # shellcheck disable=SC2086
            $B $cmd "$tmp/cut.o" >"$tmp/out" 2>&1
            s=$?
            if [ $s -gt 2 ] || { [ $s -ne 0 ] && ! grep -q "^bpfhost: $tmp/cut.o: " "$tmp/out"; }; then
                crashes=$((crashes + 1))
                echo "    $cmd on $cut-byte prefix: status $s: $(head -n 1 "$tmp/out")"
            fi
        done
    done
    expect "truncated objects give clear errors" 0 "" test "$crashes" -eq 0
fi

# --- every corpus object: dump works, the JSON parses, the listing matches libbpf --------------
cat >"$tmp/chk.c" <<'C'
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap) { return 0; }
static const char *str(const char *s) { return s ? s : "unknown"; }
int main(int argc, char **argv)
{
    libbpf_set_print(quiet);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (libbpf_get_error(obj))
        return 1;
    struct bpf_program *p;
    struct bpf_map *m;
    bpf_object__for_each_program(p, obj)
        printf("prog %s %s %s %s %zu\n", bpf_program__name(p), bpf_program__section_name(p),
               str(libbpf_bpf_prog_type_str(bpf_program__type(p))),
               str(libbpf_bpf_attach_type_str(bpf_program__expected_attach_type(p))),
               bpf_program__insn_cnt(p));
    bpf_object__for_each_map(m, obj)
        printf("map %s %s %u %u %u 0x%x\n", bpf_map__name(m), str(libbpf_bpf_map_type_str(bpf_map__type(m))),
               bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m),
               bpf_map__map_flags(m));
    bpf_object__close(obj);
    return 0;
}
C
# The comparison, in one pass over what the loop below collects (fast: one interpreter).
cat >"$tmp/compare.py" <<'PY'
import json, os, re, sys
results, expectations = sys.argv[1], sys.argv[2]
load_errors = set()
for row in open(expectations):
    f = row.rstrip("\n").split("\t")
    if len(f) > 4 and f[4] == "load-error":
        load_errors.add(f[0])
passed = failed = compared = 0
unopenable = []

def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + detail if detail else ""))

def read(path):
    with open(path, errors="replace") as f:
        return f.read()

HOST_TYPE_BASE = 0x1000
for name in sorted(os.listdir(results)):
    d = os.path.join(results, name)
    n = read(os.path.join(d, "name")).strip()
    ours = int(read(os.path.join(d, "show.status")))
    doc = None
    if ours == 0:
        try:
            doc = json.loads(read(os.path.join(d, "show.json")))
            check(True, n + ": JSON parses")
        except ValueError as e:
            check(False, n + ": JSON parses", str(e))
        dump = read(os.path.join(d, "dump"))
        check(read(os.path.join(d, "dump.status")).strip() == "0", n + ": prog dump",
              dump[-300:])
        if doc:
            # One dump line per instruction; lddw (the "ll" and map/func/btf forms) is two slots.
            slots = 0
            for line in dump.splitlines():
                if re.match(r" *\d+: ", line):
                    slots += 2 if re.search(r"= .* ll$|= map\[|= btf_var|= func\[", line) else 1
            want = sum(p["linked_insn_count"] for p in doc["programs"])
            check(slots == want, n + ": dump shows every instruction", "%d of %d" % (slots, want))
    # bpftool's view of the BTF: the variables of the .maps section are the BTF-defined maps.
    btf_path = os.path.join(d, "btf")
    if doc and os.path.exists(btf_path):
        btf_maps, in_maps = [], False
        for line in read(btf_path).splitlines():
            if line.startswith("["):
                in_maps = re.match(r"\[\d+\] DATASEC '\.maps' ", line) is not None
            elif in_maps:
                v = re.search(r"\(VAR '([^']*)'\)", line)
                if v:
                    btf_maps.append(v.group(1))
        ours_btf = [m["name"] for m in doc["maps"] if m["origin"] == "btf"]
        check(sorted(btf_maps) == sorted(ours_btf), n + ": BTF maps as bpftool btf dump lists them",
              "bpftool %s, bpfhost %s" % (sorted(btf_maps), sorted(ours_btf)))
    if read(os.path.join(d, "libbpf.status")).strip() != "0":
        unopenable.append(os.path.basename(n))
        continue
    compared += 1
    if ours != 0:
        err = read(os.path.join(d, "show.err")).strip()
        if n in load_errors:
            print("NOTE %s: libbpf opens it, bpfhost refuses it as the corpus expects: %s" % (n, err))
        else:
            check(False, n + ": opens as in libbpf", "bpfhost refuses it: " + err)
        continue
    if not doc:
        continue
    libbpf = read(os.path.join(d, "libbpf")).splitlines()
    libbpf_sections = {l.split()[2] for l in libbpf if l.startswith("prog ")}
    mine, notes = [], []
    for p in doc["programs"]:
        # Sections without function symbols (old compilers) are one program named after the
        # section for bpfhost, as PREVAIL names them; libbpf 1.x ignores them.
        if p["name"] == p["section"] and p["section"] not in libbpf_sections:
            notes.append("%s (no function symbol: libbpf 1.x skips it)" % p["name"])
            continue
        ptype, attach, attach_id = p["type"], p["expected_attach_type"], p["expected_attach_type_id"]
        # eBPF for Windows sections (bind, xdp_test, ...) have bpfhost's own types; Linux
        # does not know them.
        if p["type_id"] >= HOST_TYPE_BASE:
            notes.append("%s (section %s: bpfhost type %s, libbpf unspec)" % (p["name"], p["section"], ptype))
            ptype, attach_id = "unspec", 0
        if attach_id == 0:
            attach = "cgroup_inet_ingress"  # libbpf's name for 0, even where it means none
        mine.append("prog %s %s %s %s %d" % (p["name"], p["section"], ptype, attach, p["insn_count"]))
    for m in doc["maps"]:
        mine.append("map %s %s %d %d %d 0x%x" % (m["name"], m["type"], m["key_size"],
                                                 m["value_size"], m["max_entries"], m["flags"]))
    if notes:
        print("NOTE %s: %s" % (n, "; ".join(notes[:3]) + (" and %d more" % (len(notes) - 3) if len(notes) > 3 else "")))
    diff = [("< " + l) for l in libbpf if l not in mine] + [("> " + l) for l in mine if l not in libbpf]
    if not diff and libbpf != mine:
        diff = ["order differs"]
    check(not diff, n + ": programs and maps as libbpf lists them",
          "(< libbpf, > bpfhost)\n    " + "\n    ".join(diff[:20]))
print("note: compared with libbpf on %d objects; libbpf 1.x cannot open: %s" % (compared, " ".join(unopenable)))
print("compared=%d" % compared)
print("compare: %d passed, %d failed" % (passed, failed))
PY
bpftool=$(command -v bpftool)
[ -n "$bpftool" ] || echo "note: no bpftool; BTF map names are not cross-checked"
if cc -o "$tmp/chk" "$tmp/chk.c" -lbpf 2>"$tmp/cc.log"; then
    i=0
    for f in "$CORPUS"/build/*.o "$CORPUS"/linux/*.o "$CORPUS"/prototype-kernel/*.o "$CORPUS"/invalid/* "$fw"; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        d=$tmp/results/$(printf %04d $i)
        mkdir -p "$d"
        echo "${f#"$CORPUS"/}" >"$d/name"
        $B object show -j "$f" >"$d/show.json" 2>"$d/show.err"
        echo $? >"$d/show.status"
        $B prog dump "$f" >"$d/dump" 2>&1
        echo $? >"$d/dump.status"
        "$tmp/chk" "$f" >"$d/libbpf" 2>/dev/null
        echo $? >"$d/libbpf.status"
        if [ -n "$bpftool" ]; then
            bpftool btf dump file "$f" >"$d/btf" 2>/dev/null || rm -f "$d/btf"
        fi
    done
    python3 "$tmp/compare.py" "$tmp/results" "$CORPUS/expectations.tsv" >"$tmp/compare.log" 2>&1
    grep -v '^compare\|^compared=' "$tmp/compare.log"
    p=$(sed -n 's/^compare: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$tmp/compare.log")
    f=$(sed -n 's/^compare: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$tmp/compare.log")
    compared=$(sed -n 's/^compared=//p' "$tmp/compare.log")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
    expect "libbpf compared on most of the corpus" 0 "" test "${compared:-0}" -ge 20
else
    failed=$((failed + 1))
    echo "FAIL building the libbpf checker:"
    sed 's/^/    /' "$tmp/cc.log" | head -n 10
fi
finish
