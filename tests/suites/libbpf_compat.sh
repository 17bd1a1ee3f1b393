#!/bin/sh
# A program written for libbpf's <bpf/bpf.h> (tests/suites/libbpf_user.c) compiles against the
# system's libbpf headers and, unchanged, against bpfhost's include/; linked with libbpfhost
# it runs in user space (no kernel, no privileges).
. tests/shell-lib.sh
ldlibs=$(sed -n 's/^LDLIBS *:= *//p' Makefile)
src=tests/suites/libbpf_user.c

expect "compiles against the system's libbpf bpf.h" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -fsyntax-only "$src"
expect "compiles unchanged against bpfhost's include/" 0 "" \
    cc -std=c11 -Wall -Wextra -Werror -Iinclude -o "$tmp/libbpf_user" "$src" \
    build/lib/libbpfhost.a $ldlibs
expect "runs on bpfhost" 0 "^ok$" "$tmp/libbpf_user"
finish
