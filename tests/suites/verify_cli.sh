# bpfhost verify: verdicts per program, source lines, program types, JSON, verbose mode and
# every exit status (0 all pass, 1 a program fails, 2 unloadable file or bad arguments).
. tests/shell-lib.sh
B=build/bin/bpfhost
O=build/bpf/verify_cases.bpf.o
CORPUS=${SHARED:-../shared}/corpus

expect "help" 0 "usage: bpfhost verify" $B verify --help
expect "listed in bpfhost --help" 0 "verify" $B --help

# Status 1: one program fails; the reason names the instruction, the source line and the fact.
expect "a failing program makes status 1" 1 "^FAIL unbounded_read \(section xdp, type xdp\): insn 1 .* at verify_cases.bpf.c:38: packet access" $B verify $O
expect "the source text is shown" 1 "source: return data\[12\] == 0x08" $B verify $O
expect "passing programs are listed too" 1 "^PASS bounded_read \(section xdp, type xdp\): 20 instructions" $B verify $O
expect "summary line with time and memory" 1 "^3 passed, 1 failed \(analysis [0-9.]+ ms in total, slowest [0-9.]+ ms; peak memory [0-9.]+ MB\)$" $B verify $O

# Status 0: the selection passes.
expect "--program selects one program" 0 "^PASS looped" $B verify $O --program looped
expect "--section selects a section" 0 "^PASS set_mark \(section mark_setter, type tc\)" $B verify $O --section mark_setter
expect "an unnamed section's type is inferred and explained" 0 "type inferred: insn 2 compares the value of context offset 0" $B verify $O --section mark_setter
expect "a subprogram is verified within its callers" 0 "^PASS bump .*verified within its callers: bounded_read" $B verify $O --program bump
expect "--section and --program together" 0 "^1 passed, 0 failed" $B verify $O --section xdp --program bounded_read
expect "--type overrides the section" 1 "^FAIL set_mark \(section mark_setter, type xdp\): .*struct xdp_md" $B verify $O --program set_mark --type xdp
expect "--type with a matching type" 0 "^PASS set_mark \(section mark_setter, type tc\)" $B verify $O --program set_mark --type tc

# JSON
expect "-j is one JSON document" 1 '^\{"file":".*","programs":\[.*"verdict":"fail".*\],"passed":3,"failed":1,"microseconds":[0-9]+\}$' $B verify $O -j
expect "-j names the failing insn and source" 1 '"error":\{"insn":1,"message":"insn 1 .*","source":"return data\[12\]' $B verify $O -j
if command -v python3 >/dev/null; then
    expect "-j parses" 0 "^ok$" sh -c "$B verify $O -j -v | python3 -c 'import json,sys; d=json.load(sys.stdin); print(\"ok\" if len(d[\"programs\"])==4 and \"log\" in d[\"programs\"][0] else \"bad\")'"
fi

# -v: the invariant before every instruction, with the source lines.
expect "-v prints the state before each instruction" 1 "^context 0 insn 1: r1=packet off=0 range=0 r10=stack off=0$" $B verify $O --program unbounded_read -v
expect "-v shows the instructions" 1 "^    1: r1 = \*\(u8 \*\)\(r1 \+ 12\)$" $B verify $O --program unbounded_read -v
expect "-v shows source lines" 1 "^; return data\[12\].*verify_cases.bpf.c:38$" $B verify $O --program unbounded_read -v

# eBPF for Windows objects: Windows' sock_addr layout and verdicts, Linux's on request.
W=build/bpf/verify_windows.bpf.o
expect "windows object" 0 "^PASS authorize_connect4 \(section cgroup/connect4, type windows/sock_addr\)" $B verify $W
expect "windows object as Linux sock_addr" 1 "^FAIL authorize_connect4 .*field msg_src_ip4 .* cannot be written with 2 bytes" $B verify $W --type cgroup/sock_addr

# Real objects of the shared corpus: tc programs in sections named after the function, an
# eBPF for Windows object (its own sock_addr layout and verdicts), an uncalled function.
if [ -d "$CORPUS" ]; then
    expect "tc program in an unnamed section" 0 "^PASS redirect_xmit \(section redirect_xmit, type tc\)" $B verify $CORPUS/linux/tcbpf1_kern.o --program redirect_xmit
    expect "lwt program reading skb->len" 0 "^PASS len_hist \(section len_hist, type tc\)" $B verify $CORPUS/linux/lwt_len_hist_kern.o
    expect "eBPF for Windows sock_addr" 0 "^PASS authorize_connect4 \(section cgroup/connect4, type windows/sock_addr\)" $B verify $CORPUS/invalid/58087ea4ff41695f3186d628a3250b26dc8d237a --section cgroup/connect4
    expect "Linux's sock_addr checks the verdict range" 1 "must return a value in \[0, 1\]" $B verify $CORPUS/invalid/58087ea4ff41695f3186d628a3250b26dc8d237a --section cgroup/connect4 --type cgroup/sock_addr
    expect "uncalled function with arguments" 0 "^PASS .text .*reads argument r2: a function, not a program" $B verify $CORPUS/prototype-kernel/xdp_ddos01_blacklist_kern.o --section .text
    expect "unsafe corpus program" 1 "leaks it" $B verify $CORPUS/build/exposeptr.o --program func
fi

# Status 2: bad arguments and files that cannot be loaded.
expect "no file" 2 "usage: bpfhost verify" $B verify
expect "missing file" 2 "No such file" $B verify "$tmp/none.o"
printf 'not an elf' >"$tmp/junk.o"
expect "not an ELF file" 2 "verify: .*junk.o" $B verify "$tmp/junk.o"
expect "unknown option" 2 "unknown option '--frob'" $B verify $O --frob
expect "unknown type" 2 "unknown program type 'quantum' \(one of: xdp, " $B verify $O --type quantum
expect "option without value" 2 "--section needs a value" $B verify $O --section
expect "two files" 2 "more than one object file" $B verify $O $O
expect "no such program" 2 "has no program named nothere" $B verify $O --program nothere
expect "no such section" 2 "has no program in section nosuch" $B verify $O --section nosuch
finish
