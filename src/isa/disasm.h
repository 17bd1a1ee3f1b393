/* Disassembler driven by the form table, in two syntaxes: the Linux/llvm-objdump one
 * (each form's linux_fmt: "r0 = *(u16 *)(r1 + 2)", "if r1 > r2 goto +3", "call
 * bpf_map_lookup_elem#1") and the conformance-suite assembler syntax that asm_assemble
 * reads back to the same encoding ("ldxh %r0, [%r1+2]", "jgt %r1, %r2, +3", "call 1"). */
#ifndef BPFHOST_DISASM_H
#define BPFHOST_DISASM_H

#include <stddef.h>

#include "isa/isa.h"

/* Writes the instruction at insns[pc] in the Linux syntax into buf (always terminated,
 * truncated to size) and returns the number of slots it takes (2 for lddw, else 1). An
 * instruction that no form describes exactly (unknown opcode, reserved field set, register
 * above r10, truncated lddw) gives -EINVAL and buf "invalid: <reason>". Writing r10 is not
 * an encoding error and prints normally: rejecting it is the validator's job. */
int disasm_insn(const struct ebpf_insn *insns, size_t count, size_t pc, char *buf, size_t size);

/* The same in the assembler syntax. Also -EINVAL for the one encoding that syntax cannot
 * write: a kfunc call with a nonzero offset (module BTF index). */
int disasm_insn_asm(const struct ebpf_insn *insns, size_t count, size_t pc, char *buf,
                    size_t size);

#endif
