/* Shared between the interpreter's loader (vm.c) and its execution loop (vm_interp.c). */
#ifndef BPFHOST_VM_INTERNAL_H
#define BPFHOST_VM_INTERNAL_H

#include "vm/vm.h"

/* A pre-decoded instruction: the form id replaces the opcode byte, so the loop dispatches
 * with one table load and never decodes. Slots map 1:1 to instructions (lddw uses two). */
struct vm_slot {
    uint8_t op;    /* enum isa_form_id */
    uint8_t regs;  /* dst | src << 4 */
    int16_t off;
    int32_t imm;
};

struct vm_program {
    struct vm_slot *slots;
    struct ebpf_insn *insns; /* the original, for messages and for other engines */
    size_t count;
    const struct vm_helpers *helpers;
    uint16_t *reg_reads;  /* per instruction, for the checked mode's use-before-write check */
    uint16_t *reg_writes;
};

enum {
    VM_REGS_ARGS = 0x3e,                            /* r1-r5 */
    VM_REG_FP = 1 << EBPF_REG_FP,
    VM_REGS_AT_ENTRY = (1 << 1) | (1 << 2) | VM_REG_FP, /* r1, r2 (the arguments) and r10 */
};

enum { VM_STACK_BYTES = EBPF_STACK_SIZE * EBPF_MAX_CALL_DEPTH };

uint64_t vm_interp_checked(const struct vm_program *prog, struct vm_run *run, uint64_t r1, uint64_t r2);
uint64_t vm_interp_fast(const struct vm_program *prog, struct vm_run *run, uint64_t r1, uint64_t r2);
/* Unchecked, switch-dispatched (no computed goto): for hosts without GNU C, tests and bench. */
uint64_t vm_interp_portable(const struct vm_program *prog, struct vm_run *run, uint64_t r1, uint64_t r2);

/* Records a fault in run (first one wins) with a message naming the instruction. */
void vm_fault(struct vm_run *run, const struct vm_program *prog, size_t pc, int error,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
