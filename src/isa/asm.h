/* Assembler for the syntax of the BPF conformance suite (bpf_conformance), driven by the
 * form table: a form's name is its mnemonic and its operand kind says what follows.
 *
 *   mov32 %r0, 0            ldxh %r0, [%r1+2]          stxdw [%r10-8], %r1
 *   stw [%r1+4], 5          lock fetch add [%r10-8], %r1
 *   jeq %r1, 5, label       jne32 %r1, %r2, +1         ja label / ja +3 / ja32 L2
 *   call 5 (helper)         call local func1           call kfunc 7      call %r2 (callx)
 *   lddw %r0, 0x123456789abcdef0     lddw.map_fd %r1, 3 (low 32 bits in the first slot,
 *                                    high 32 bits in the second)
 *   label:                  # comments anywhere
 *
 * Aliases: NAME64 for a 64-bit ALU form NAME (add64, neg64, mov64, ...), swapN for bswapN,
 * "call %rN" for callx. A jump to the undefined label "exit" goes to the first exit
 * instruction, as in the suite. Immediates are decimal (must fit int32) or hex up to
 * 0xffffffff (the bit pattern); lddw takes any 64-bit value; offsets must fit int16. */
#ifndef BPFHOST_ASM_H
#define BPFHOST_ASM_H

#include <stddef.h>

#include "isa/isa.h"

/* Assembles text into a newly allocated array of instructions (the caller frees *insns).
 * Returns 0, or -EINVAL (-ENOMEM, -E2BIG) with *insns NULL, *count 0 and a message naming
 * the line and the problem ("line 3: invalid register %r50"). The result is encoded as
 * written: whether it is a valid program is isa_validate_program's question. */
int asm_assemble(const char *text, struct ebpf_insn **insns, size_t *count, char *msg,
                 size_t msg_size);

#endif
