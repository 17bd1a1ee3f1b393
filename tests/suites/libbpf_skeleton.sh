#!/bin/sh
# A loader built on a skeleton that `bpftool gen skeleton` generates (at test time, from
# build/bpf/libbpf_skeleton.bpf.o) compiles against the system's libbpf headers and,
# unchanged, against bpfhost's include/; linked with libbpfhost it opens, loads and runs
# the object and shares its global variables (tests/suites/libbpf_skeleton_user.c).
. tests/shell-lib.sh
if ! command -v bpftool >/dev/null 2>&1; then
    echo "SKIP libbpf_skeleton: bpftool is not installed (Debian package bpftool)"
    finish
    exit 0
fi
ldlibs=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
src=tests/suites/libbpf_skeleton_user.c
obj=build/bpf/libbpf_skeleton.bpf.o

expect "bpftool generates the skeleton" 0 "" \
    sh -c "bpftool gen skeleton $obj > $tmp/libbpf_skeleton.skel.h"
expect "compiles against the system's libbpf headers" 0 "" \
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$tmp" -fsyntax-only "$src"
expect "compiles unchanged against bpfhost's include/" 0 "" \
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -I"$tmp" -o "$tmp/skeleton_user" \
    "$src" build/lib/libbpfhost.a $ldlibs
for scenario in globals readonly attach errors; do
    expect "skeleton $scenario" 0 "^ok$" "$tmp/skeleton_user" $scenario
done
finish
