# The bpfhost CLI's asm, disasm and run commands, on good and bad input.
. tests/shell-lib.sh
B=build/bin/bpfhost
C=$SHARED/conformance

expect "help lists commands" 0 "disasm" $B --help
expect "no command is a usage error" 2 "usage" $B
expect "unknown command" 2 "unknown command 'frobnicate'" $B frobnicate
for cmd in asm disasm run; do
    expect "$cmd --help" 0 "usage: bpfhost $cmd" $B $cmd --help
done

expect "run a vector" 0 "r0 = 0x1 " $B run $C/tests/prime.data
expect "raw programs run unverified by default, and say so" 0 "not verified .*checked interpreter" $B run $C/tests/prime.data
expect "--unverified: checked, no note" 0 "^r0 = 0x1 \(1\)$" sh -c "$B run --unverified $C/tests/prime.data 2>&1 | wc -l | grep -qx 1 && $B run --unverified $C/tests/prime.data"
for engine in interp jit; do
    expect "--engine $engine verifies, then runs" 0 "verified \([0-9]+ steps" $B run --engine $engine $C/tests/ldxh.data
    expect "--engine $engine result" 0 "r0 = 0x2211 " $B run --engine $engine $C/tests/ldxh.data
    expect "--engine $engine: rejected programs do not run" 1 "rejected by the verifier: insn 0 .*r3 is read before it is written" \
        sh -c "printf 'mov %%r0, %%r3\nexit\n' >$tmp/uninit.s && $B run $tmp/uninit.s --engine $engine"
    expect "--engine $engine: out-of-bounds access refused before running" 1 "rejected by the verifier" \
        sh -c "printf 'ldxdw %%r0, [%%r1+8]\nexit\n' >$tmp/oob2.s && printf '01 02 03 04\n' >$tmp/oob2.mem && $B run $tmp/oob2.s --mem $tmp/oob2.mem --engine $engine"
done
expect "asm then run on the jit" 0 "r0 = 0x37 " sh -c "$B asm examples/asm/call_and_atomics.s -o $tmp/a.bin && $B run $tmp/a.bin --engine jit"
expect "run with memory" 0 "r0 = 0x2211 " $B run $C/tests/ldxh.data
expect "asm then run" 0 "r0 = 0x37 " sh -c "$B asm examples/asm/call_and_atomics.s -o $tmp/a.bin && $B run $tmp/a.bin"
expect "--mem file" 0 "r0 = 0x1 " sh -c "$B asm examples/asm/ipv4_checksum.s -o $tmp/c.bin && $B run $tmp/c.bin --mem examples/asm/ipv4_checksum.mem"
expect "disasm linux syntax" 0 "r0 = \*\(u16 \*\)\(r1 \+ 2\)" $B disasm $C/tests/ldxh.data
expect "disasm asm syntax round-trips" 0 "r0 = 0x2211" sh -c "$B disasm --asm $C/tests/ldxh.data | sed 's/^ *[0-9]*: //' > $tmp/r.s && $B asm $tmp/r.s -o $tmp/r.bin && $B run $tmp/r.bin --mem /dev/stdin <<X
aa bb 11 22
X"

# Bad input: a clear message and status 2 (input) or 1 (program fault), never a crash.
expect "missing file" 2 "cannot read /nonexistent" $B run /nonexistent
printf 'abc' >"$tmp/odd.bin"
expect "raw file not a multiple of 8" 2 "multiple of 8 bytes" $B run "$tmp/odd.bin"
printf '\377\000\000\000\000\000\000\000' >"$tmp/badop.bin"
expect "unknown opcode at load" 2 "insn 0: unknown opcode 0xff" $B run "$tmp/badop.bin"
expect "disasm flags invalid instruction" 1 "invalid" $B disasm "$tmp/badop.bin"
printf 'mov %%r0, 0\n' >"$tmp/fall.s"
expect "asm refuses falling off the end" 2 "fall off the end" $B asm "$tmp/fall.s" -o "$tmp/fall.bin"
printf 'or %%r0, %%r50\nexit\n' >"$tmp/reg.s"
expect "asm names the bad register" 2 "line 1: invalid register %r50" $B asm "$tmp/reg.s" -o "$tmp/reg.bin"
expect "asm without -o" 2 "usage" $B asm "$tmp/reg.s"
expect "uninitialised register read faults" 1 "r0 is read before it is written" $B run $C/negative/error.data
printf 'ldxdw %%r0, [%%r1+8]\nexit\n' >"$tmp/oob.s"
printf '01 02 03 04\n' >"$tmp/oob.mem"
expect "out-of-bounds read faults" 1 "insn 0 \(r0 = \*\(u64 \*\)\(r1 \+ 8\)\): read of 8 bytes" $B run "$tmp/oob.s" --mem "$tmp/oob.mem"
printf 'zz\n' >"$tmp/bad.mem"
expect "bad hex memory" 2 "expected hex bytes" $B run "$tmp/oob.s" --mem "$tmp/bad.mem"
printf 'mov %%r0, 0\nloop:\nja loop\nexit\n' >"$tmp/inf.s"
expect "infinite loop stops at the step budget" 1 "step budget" $B run "$tmp/inf.s"
expect "--mode is gone" 2 "--mode is gone" $B run --mode fast $C/tests/prime.data
expect "bad engine" 2 "unknown engine 'turbo'" $B run --engine turbo $C/tests/prime.data
expect "--unverified with --engine" 2 "checked interpreter only" $B run --unverified --engine jit $C/tests/prime.data
expect "bad option" 2 "unknown option '--frob'" $B run --frob $C/tests/prime.data
finish
