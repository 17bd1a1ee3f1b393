#!/bin/sh
# The libbpf-compatible object API against the system's libbpf (Debian libbpf-dev):
#  - the example programs compile against bpfhost's headers and against libbpf's, and both
#    objects open through bpfhost's API with the same programs and maps as libbpf sees;
#  - the same lister source (tests/suites/libbpf_list.c) built against either library lists
#    the same programs and maps for every object libbpf opens (build/bpf and the corpus);
#  - section-name lookups and libbpf_strerror answer as libbpf does;
#  - a libbpf-style loader compiles unchanged against both header sets and runs on bpfhost.
. tests/shell-lib.sh
SHARED=${SHARED:-../shared}
ldlibs=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
ARCH_INC=/usr/include/$(uname -m)-linux-gnu
lib=build/lib/libbpfhost.a

expect "lister builds against bpfhost's include/" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -Iinclude -o "$tmp/list_ours" tests/suites/libbpf_list.c $lib $ldlibs
expect "lister builds against the system libbpf" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -o "$tmp/list_libbpf" tests/suites/libbpf_list.c -lbpf
expect "name lister builds against bpfhost's include/" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -Iinclude -o "$tmp/names_ours" tests/suites/libbpf_object_names.c $lib $ldlibs
expect "name lister builds against the system libbpf" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -o "$tmp/names_libbpf" tests/suites/libbpf_object_names.c -lbpf
expect "loader compiles and links against the system libbpf" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -o "$tmp/loader_libbpf" tests/suites/libbpf_object_loader.c -lbpf
expect "loader compiles unchanged against bpfhost's include/" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -Iinclude -o "$tmp/loader_ours" tests/suites/libbpf_object_loader.c $lib $ldlibs

# Every function bpfhost's libbpf.h declares, redeclared after the system's libbpf.h: any
# difference in a parameter or return type is a conflicting declaration. Likewise the
# callback typedefs, and the open options' fields exist in libbpf's struct.
{
    echo '#include <bpf/libbpf.h>'
    grep -h '^typedef' include/bpf/libbpf.h
    awk '/^LIBBPF_API/ { decl = ""; on = 1 } on { decl = decl " " $0 } on && /;/ { print decl; on = 0 }' \
        include/bpf/libbpf.h | sed 's/LIBBPF_API//'
    echo 'void fields(struct bpf_object_open_opts *o);'
    echo 'void fields(struct bpf_object_open_opts *o) {'
    sed -n '/^struct bpf_object_open_opts {/,/^};/p' include/bpf/libbpf.h |
        sed -n 's/^ *[a-z0-9_ ]*[ *]\([a-z_]*\);.*/    (void)o->\1;/p'
    echo '}'
} >"$tmp/signatures.c"
expect "$(grep -c '^LIBBPF_API' include/bpf/libbpf.h) declarations have libbpf's exact signatures" 0 "" \
    cc -std=c11 -Wall -Werror -fsyntax-only "$tmp/signatures.c"

# same_listing NAME FILE: bpfhost's API and libbpf list FILE alike (when libbpf opens it).
same_listing() {
    if ! "$tmp/list_libbpf" "$2" >"$tmp/theirs_all" 2>/dev/null; then
        echo "SKIP $1: libbpf does not open it"
        return
    fi
    grep -Ev "$host_sections" "$tmp/theirs_all" >"$tmp/theirs"
    expect "$1: bpfhost's API lists what libbpf lists" 0 "" \
        sh -c "'$tmp/list_ours' '$2' 2>&1 | grep -Ev '$host_sections' | diff '$tmp/theirs' -"
}
# eBPF for Windows sections, which bpfhost types and libbpf does not.
host_sections='^prog [^ ]+ (bind|xdp_test|sample_ext|process) '

for src in examples/xdp/*.bpf.c; do
    name=$(basename "$src" .bpf.c)
    expect "$name builds with bpfhost headers" 0 "" \
        clang -O2 -g -target bpf -Iinclude -I"$ARCH_INC" -c "$src" -o "$tmp/$name.ours.o"
    expect "$name builds with libbpf headers" 0 "" \
        clang -O2 -g -target bpf -I"$ARCH_INC" -c "$src" -o "$tmp/$name.libbpf.o"
    expect "$name: both objects open with the same programs and maps" 0 "" \
        sh -c "'$tmp/list_ours' '$tmp/$name.ours.o' >'$tmp/a' && '$tmp/list_ours' '$tmp/$name.libbpf.o' >'$tmp/b' &&
               sed 's/^map $name.ours/map OBJ/' '$tmp/a' >'$tmp/a2' && sed 's/^map $name.libbpf/map OBJ/' '$tmp/b' >'$tmp/b2' &&
               grep -q '^prog ' '$tmp/a' && cmp '$tmp/a2' '$tmp/b2'"
    same_listing "$name (bpfhost headers)" "$tmp/$name.ours.o"
    same_listing "$name (libbpf headers)" "$tmp/$name.libbpf.o"
done
expect "the loader runs on bpfhost (firewall built with bpfhost headers)" 0 "^ok$" \
    "$tmp/loader_ours" "$tmp/xdp_firewall.ours.o"
expect "the loader runs on bpfhost (firewall built with libbpf headers)" 0 "^ok$" \
    "$tmp/loader_ours" "$tmp/xdp_firewall.libbpf.o"

for obj in build/bpf/*.o; do
    same_listing "$obj" "$obj"
done

# The corpus, in one check: every object libbpf opens lists alike.
if [ -d "$SHARED/corpus" ]; then
    : >"$tmp/corpus_diff"
    count=0
    for obj in $(find "$SHARED/corpus" -name '*.o' -not -path '*/invalid/*' | sort); do
        "$tmp/list_libbpf" "$obj" >"$tmp/theirs_all" 2>/dev/null || continue
        grep -Ev "$host_sections" "$tmp/theirs_all" >"$tmp/theirs"
        count=$((count + 1))
        "$tmp/list_ours" "$obj" >"$tmp/ours" 2>&1
        grep -Ev "$host_sections" "$tmp/ours" | diff "$tmp/theirs" - >/dev/null ||
            echo "$obj" >>"$tmp/corpus_diff"
    done
    expect "corpus: the $count objects libbpf opens list alike through bpfhost's API" 0 "" \
        sh -c "! test -s '$tmp/corpus_diff' || { cat '$tmp/corpus_diff'; false; }"
else
    echo "SKIP corpus: $SHARED/corpus not found"
fi

names="socket sk_reuseport sk_reuseport/migrate kprobe/x uprobe/x kretprobe/x tc classifier action
tracepoint/a/b raw_tracepoint/x raw_tp.w/x tp_btf/x fentry/x fexit/x fmod_ret/x freplace/x lsm/x
lsm_cgroup/x iter/x syscall xdp.frags/devmap xdp/devmap xdp.frags/cpumap xdp/cpumap xdp.frags xdp
perf_event lwt_in lwt_xmit sockops sk_skb/stream_parser sk_skb/stream_verdict sk_skb sk_msg
lirc_mode2 flow_dissector cgroup_skb/ingress cgroup_skb/egress cgroup/skb cgroup/sock_create
cgroup/sock_release cgroup/sock cgroup/post_bind4 cgroup/post_bind6 cgroup/bind4 cgroup/bind6
cgroup/connect4 cgroup/connect6 cgroup/sendmsg4 cgroup/recvmsg6 cgroup/getpeername4
cgroup/getsockname6 cgroup/sysctl cgroup/getsockopt cgroup/setsockopt cgroup/dev struct_ops
sk_lookup xdp_prog xdp/foo kprobex .text"
# shellcheck disable=SC2086
"$tmp/names_libbpf" $names >"$tmp/names.libbpf"
expect "section names and libbpf_strerror answer as libbpf does" 0 "" \
    sh -c "'$tmp/names_ours' $(echo $names) | diff '$tmp/names.libbpf' -"
finish
