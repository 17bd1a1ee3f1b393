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

enum {
    VM_STACK_BYTES = EBPF_STACK_SIZE * EBPF_MAX_CALL_DEPTH,
    /* One spare byte: the bits of an access of up to 8 bytes lie in two adjacent bytes. */
    VM_STACK_BITMAP_BYTES = VM_STACK_BYTES / 8 + 1,
};

/* The bits of a small (1-8 byte) stack access at offset (from the stack's start), within the
 * two bitmap bytes from offset / 8. */
static inline unsigned vm_stack_bits(uint64_t offset, uint64_t size)
{
    return ((1u << size) - 1) << (offset & 7);
}

static inline bool vm_stack_is_written(const uint8_t *written, uint64_t offset, uint64_t size)
{
    unsigned bits = vm_stack_bits(offset, size);
    unsigned have = written[offset >> 3] | (unsigned)written[(offset >> 3) + 1] << 8;
    return (have & bits) == bits;
}

static inline void vm_stack_mark_small(uint8_t *written, uint64_t offset, uint64_t size)
{
    unsigned bits = vm_stack_bits(offset, size);
    written[offset >> 3] |= (uint8_t)bits;
    written[(offset >> 3) + 1] |= (uint8_t)(bits >> 8);
}

/* Any range within the stack (helpers' fills). */
void vm_stack_mark(uint8_t *written, uint64_t offset, uint64_t size);
/* A frame (EBPF_STACK_SIZE bytes from a multiple of 8) becomes unwritten. */
void vm_stack_forget_frame(uint8_t *written, uint64_t frame_offset);
/* The first unwritten byte of [offset, offset + size), or offset + size. */
uint64_t vm_stack_first_unwritten(const uint8_t *written, uint64_t offset, uint64_t size);
/* A stack byte's frame (0: the entry's) and offset from that frame's r10. */
void vm_stack_position(uint64_t offset, unsigned *frame, long long *from_fp);
/* Before helper id runs: whether the memory its arguments (r1-r5) point to may be read and
 * written as its prototype says (vm_helper_arg). Returns 1 when the helper fills memory, 0
 * when it does not, or -1 after recording the fault at pc. */
int vm_helper_memory_check(struct vm_run *run, const struct vm_program *prog, size_t pc,
                           const uint8_t *stack, const uint8_t *written, uint64_t id,
                           const uint64_t args[5]);
/* True when helper id's arguments point to no memory: nothing to check before or after. */
static inline bool vm_helper_touches_no_memory(const struct vm_helpers *helpers, uint64_t id)
{
    const uint8_t *k = helpers->args[id];
    return !(k[0] | k[1] | k[2] | k[3] | k[4]);
}
/* After it returned: the stack bytes it filled count as written. */
void vm_helper_mark_fills(uint8_t *written, const uint8_t *stack, const struct vm_helpers *helpers,
                          uint64_t id, const uint64_t args[5]);
/* The fault of a read of unwritten stack bytes: names the first one by its frame and offset. */
void vm_stack_unwritten_fault(struct vm_run *run, const struct vm_program *prog, size_t pc,
                              const uint8_t *written, uint64_t offset, uint64_t size);

/* Whether a region of the run allows the access (the slow path after the last hit). */
bool vm_run_region_allows(struct vm_run *run, uint64_t addr, uint64_t size, bool write);

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
    uint8_t *stack_written;        /* checked mode: bit n of byte n / 8 set when stack[n] was
                                      written in its frame's life (VM_STACK_BITMAP_BYTES) */
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
