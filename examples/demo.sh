#!/bin/sh
# The demo until the XDP hook lands: assembles each program in examples/asm, disassembles it,
# and runs it on the interpreter (checked mode) with its memory block.
set -eu
bin=build/bin/bpfhost
out=build/examples
mkdir -p "$out"
for src in examples/asm/*.s; do
    name=$(basename "$src" .s)
    echo "== $name: $(sed -n '1s/^# //p' "$src")"
    "$bin" asm "$src" -o "$out/$name.bin"
    "$bin" disasm "$out/$name.bin" | sed 's/^/    /'
    if [ -f "examples/asm/$name.mem" ]; then
        printf '  result: '
        "$bin" run "$out/$name.bin" --mem "examples/asm/$name.mem"
    else
        printf '  result: '
        "$bin" run "$out/$name.bin"
    fi
done
