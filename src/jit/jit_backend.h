/* What the architecture-neutral JIT front (jit.c) shares with a back end (x86_64/) and with
 * the run-time services that generated code calls (jit_support.c). Internal to src/jit. */
#ifndef BPFHOST_JIT_BACKEND_H
#define BPFHOST_JIT_BACKEND_H

#include <stdint.h>

#include "jit/jit.h"
#include "platform/exec_memory.h"

struct jit_program {
    struct exec_memory code;
    size_t code_size;
    jit_entry_fn entry;       /* C entry: sets up a jit_context and calls body */
    const void *body;         /* the program's first frame; where tail calls continue */
    const struct vm_helpers *helpers;
    jit_tail_call_resolver resolve_tail_call;
};

/* State of one run, kept on the host stack by the C entry and addressed by a reserved host
 * register in generated code. Offsets are part of the generated code's contract. */
struct jit_context {
    struct vm_run *run;
    uint64_t r1, r2;      /* at the latest helper call: what a tail-called program receives */
    uint32_t depth;       /* bpf-to-bpf frames beyond the entry frame */
    uint32_t tail_calls;
    uint64_t steps_left;  /* with jit_options.count_steps: run->max_steps - 1, wrapping */
};

enum jit_fault {
    JIT_FAULT_CALL_DEPTH,      /* a bpf-to-bpf call beyond EBPF_MAX_CALL_DEPTH frames */
    JIT_FAULT_UNKNOWN_HELPER,  /* callx with an id that has no helper; detail = the id */
    JIT_FAULT_STEP_BUDGET,     /* run->max_steps exhausted (jit_options.count_steps) */
};

/* Translates a validated program into prog (code, entry, body) as opts asks. With constant
 * blinding, immediates are hidden with keys drawn from blinding_seed. */
int jit_backend_compile(struct jit_program *prog, const struct ebpf_insn *insns, size_t count,
                        const struct jit_options *opts, uint64_t blinding_seed, char *msg,
                        size_t msg_size);
bool jit_backend_available(void);

/* Called by generated code after a helper requested a tail call: clears the request and
 * returns the body of the target (which replaces the calling function's frame), or records a
 * fault in ctx->run and returns NULL. */
const void *jit_support_tail_call(struct jit_context *ctx, const struct jit_program *current);

/* Called by generated code at a fault site: records the fault in ctx->run. */
void jit_support_fault(struct jit_context *ctx, int fault, uint32_t pc, uint64_t detail);

#endif
