#!/bin/sh
# The ELF loader on real objects: every well-formed object of the shared corpus and of
# build/bpf opens (under ASan), every malformed one is refused with a message, every program
# of expectations.tsv is found, and the program and map listing equals libbpf's wherever
# libbpf opens the file. Also compares the section-name table with libbpf's.
set -u
SHARED=${SHARED:-../shared}
corpus=$SHARED/corpus
out=build/suites
mkdir -p "$out"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

cc -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=address,undefined -fno-sanitize-recover=all \
    -o "$out/elf_list" tests/suites/elf_list.c build/asan/lib/libbpfhost.a -lelf -lz -lm ||
    { echo "FAIL cannot build elf_list (run make asan first)"; echo "0 passed, 1 failed"; exit 1; }
cc -std=c11 -O1 -o "$out/libbpf_list" tests/suites/libbpf_list.c -lbpf ||
    { echo "FAIL cannot build libbpf_list"; echo "0 passed, 1 failed"; exit 1; }

# Section names: ours and libbpf's types must agree (host sections are bpfhost's own).
names="socket sk_reuseport sk_reuseport/migrate kprobe kprobe/x uprobe/x uprobe.s/x kretprobe/x
uretprobe/x uretprobe.s/x kprobe.multi/x kretprobe.multi/x ksyscall/x kretsyscall/x usdt/x tc
classifier action tracepoint/a/b tp/a/b raw_tracepoint/x raw_tp/x raw_tracepoint.w/x raw_tp.w/x
tp_btf/x fentry/x fmod_ret/x fexit/x fentry.s/x fmod_ret.s/x fexit.s/x freplace/x lsm/x lsm.s/x
lsm_cgroup/x iter/x iter.s/x syscall xdp.frags/devmap xdp/devmap xdp.frags/cpumap xdp/cpumap
xdp.frags xdp perf_event lwt_in lwt_out lwt_xmit lwt_seg6local sockops sk_skb/stream_parser
sk_skb/stream_verdict sk_skb sk_msg lirc_mode2 flow_dissector cgroup_skb/ingress
cgroup_skb/egress cgroup/skb cgroup/sock_create cgroup/sock_release cgroup/sock
cgroup/post_bind4 cgroup/post_bind6 cgroup/bind4 cgroup/bind6 cgroup/connect4 cgroup/connect6
cgroup/sendmsg4 cgroup/sendmsg6 cgroup/recvmsg4 cgroup/recvmsg6 cgroup/getpeername4
cgroup/getpeername6 cgroup/getsockname4 cgroup/getsockname6 cgroup/sysctl cgroup/getsockopt
cgroup/setsockopt cgroup/dev struct_ops struct_ops/x sk_lookup socket1 xdp_prog xdp/foo kprobex
cgroup/sock1 .text maps"
# shellcheck disable=SC2086
"$out/elf_list" --sections $names >"$out/sections.ours"
# shellcheck disable=SC2086
"$out/libbpf_list" --sections $names >"$out/sections.libbpf" 2>/dev/null
if cmp -s "$out/sections.ours" "$out/sections.libbpf"; then ok; else
    bad "section table differs from libbpf's:"; diff "$out/sections.ours" "$out/sections.libbpf"
fi

# Verdicts that belong to the verifier, not the loader: these open, as in libbpf.
verifier_level="build/wronghelper.o build/badmapptr.o"
# Files the loader refuses although expectations.tsv has no load-error row, and why.
also_refused="build/externalfunction.o" # calls an undefined extern function (a kfunc)

is_in() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

check_file() { # path-in-corpus-or-build, display name
    path=$1
    name=$2
    refuse=no
    if is_in "$name" "$also_refused"; then refuse=yes; fi
    if [ -f "$corpus/expectations.tsv" ] &&
        awk -F'\t' -v f="$name" '$1 == f && $5 == "load-error" { found = 1 } END { exit !found }' \
            "$corpus/expectations.tsv" && ! is_in "$name" "$verifier_level"; then
        refuse=yes
    fi
    "$out/elf_list" -v "$path" >"$out/ours.txt" 2>"$out/ours.err"
    status=$?
    if grep -q 'ERROR: AddressSanitizer\|runtime error' "$out/ours.err"; then
        bad "$name: sanitizer report"; head -5 "$out/ours.err"; return
    fi
    if [ "$refuse" = yes ]; then
        if [ $status -eq 1 ] && grep -q '^error -[0-9]* .*: ..' "$out/ours.txt"; then
            ok; echo "refused $name: $(cut -d' ' -f3- "$out/ours.txt")"
        else
            bad "$name: malformed but opened"
        fi
        return
    fi
    if [ $status -ne 0 ]; then
        # A refusal is a fine answer for a file whose every program must be rejected.
        if [ -f "$corpus/expectations.tsv" ] && awk -F'\t' -v f="$name" \
            '$1 == f { n++; if ($5 != "reject") other = 1 } END { exit !(n && !other) }' \
            "$corpus/expectations.tsv"; then
            ok; echo "refused $name (its programs must be rejected): $(cut -d' ' -f3- "$out/ours.txt")"
        else
            bad "$name: $(cat "$out/ours.txt")"
        fi
        return
    fi
    ok
    # Every program that expectations.tsv names is there, in its section.
    if [ -f "$corpus/expectations.tsv" ]; then
        awk -F'\t' -v f="$name" '$1 == f && $3 != "-" && $5 != "load-error" { print $2 "\t" $3 }' \
            "$corpus/expectations.tsv" >"$out/rows.txt"
        while IFS="$(printf '\t')" read -r sec prog; do
            if grep -qF "prog $prog $sec " "$out/ours.txt"; then ok; else
                bad "$name: program '$prog' in section '$sec' not found"
            fi
        done <"$out/rows.txt"
    fi
    # Same listing as libbpf where libbpf opens the file.
    if "$out/libbpf_list" "$path" >"$out/libbpf.txt" 2>/dev/null; then
        "$out/elf_list" "$path" | awk '$1 == "prog" && $4 >= 4096 { $4 = 0; $5 = 0 } { print }' \
            >"$out/ours.plain"
        if cmp -s "$out/ours.plain" "$out/libbpf.txt"; then ok; else
            bad "$name: listing differs from libbpf's"; diff "$out/ours.plain" "$out/libbpf.txt" | head
        fi
    else
        echo "libbpf refuses $name: $(head -c 160 "$out/libbpf.txt")"
    fi
}

if [ -d "$corpus" ]; then
    for f in "$corpus"/build/*.o "$corpus"/linux/*.o "$corpus"/prototype-kernel/*.o "$corpus"/invalid/*; do
        check_file "$f" "${f#"$corpus"/}"
    done
else
    echo "SKIP corpus: $corpus not found"
fi
for f in build/bpf/*.bpf.o; do
    check_file "$f" "$f"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
