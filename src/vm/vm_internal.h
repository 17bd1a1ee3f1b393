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
    uint8_t *callable;    /* per instruction: 1 where an lddw src 4 points (a callback) */
};

enum {
    VM_REGS_ARGS = 0x3e,                            /* r1-r5 */
    VM_REG_FP = 1 << EBPF_REG_FP,
    VM_REGS_AT_ENTRY = (1 << 1) | (1 << 2) | VM_REG_FP, /* r1, r2 (the arguments) and r10 */
};

enum { VM_STACK_BYTES = EBPF_STACK_SIZE * EBPF_MAX_CALL_DEPTH };

struct vm_activation;

/* An interpreter loop: runs act->prog from instruction pc with r1-r5 = args in the frame
 * below act->fp, and returns r0 when that frame exits. */
typedef uint64_t (*vm_interp_fn)(struct vm_activation *act, struct vm_run *run, size_t pc,
                                 const uint64_t args[5]);

/* One activation of an interpreter loop: the program's entry, or a function a helper called
 * back (vm_run_call_function). run->engine_frame points to the innermost one, whose depth,
 * fp and pc the loop keeps current at every helper call. */
struct vm_activation {
    const struct vm_program *prog; /* running now (a tail call replaces it) */
    vm_interp_fn loop;             /* the loop a called-back function runs on */
    uint8_t *stack;                /* VM_STACK_BYTES for every frame of the run */
    uint64_t fp;                   /* r10 of the first frame; at a helper call, the caller's */
    unsigned depth;                /* frames below the entry frame, likewise */
    size_t pc;                     /* the helper call, for messages */
    bool callback;                 /* called back by a helper: a tail call is a fault */
};

uint64_t vm_interp_checked(struct vm_activation *act, struct vm_run *run, size_t pc,
                           const uint64_t args[5]);
uint64_t vm_interp_fast(struct vm_activation *act, struct vm_run *run, size_t pc,
                        const uint64_t args[5]);
/* Unchecked, switch-dispatched (no computed goto): for hosts without GNU C, tests and bench. */
uint64_t vm_interp_portable(struct vm_activation *act, struct vm_run *run, size_t pc,
                            const uint64_t args[5]);

/* vm_exec on a chosen loop, without resetting run (bench). */
uint64_t vm_interp_start(const struct vm_program *prog, vm_interp_fn loop, struct vm_run *run,
                         uint64_t r1, uint64_t r2);

/* Records a fault in run (first one wins) with a message naming the instruction. */
void vm_fault(struct vm_run *run, const struct vm_program *prog, size_t pc, int error,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
