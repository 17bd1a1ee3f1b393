/* What the architecture-neutral JIT front (jit.c) shares with a back end (x86_64/) and with
 * the run-time services that generated code calls (jit_support.c). Internal to src/jit. */
#ifndef BPFHOST_JIT_BACKEND_H
#define BPFHOST_JIT_BACKEND_H

#include <stdint.h>

#include "jit/jit.h"
#include "platform/exec_memory.h"

struct jit_context;

/* Generated entry for calling a function back from a helper: runs the function at
 * ctx->callback_fn with r1-r5 in a frame below ctx's and returns its r0 (or 0 after a fault,
 * recorded in ctx->run, or a stop). */
typedef uint64_t (*jit_callback_entry_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                          uint64_t r5, struct jit_context *ctx);

struct jit_program {
    struct exec_memory code;
    size_t code_size;
    jit_entry_fn entry;       /* C entry: sets up a jit_context and calls body */
    const void *body;         /* the program's first frame; where tail calls continue */
    const struct vm_helpers *helpers;
    jit_tail_call_resolver resolve_tail_call;
    /* Programs that take function addresses (lddw src 4): where a helper calls one back. */
    bool has_callbacks;
    jit_callback_entry_fn callback_entry;
    uintptr_t *callbacks;     /* the addresses lddw src 4 yields, sorted */
    size_t callback_count;
};

/* State of one activation (a run's entry, or a function a helper calls back), kept on the
 * host stack and addressed by a reserved host register in generated code. Offsets are part of
 * the generated code's contract. */
struct jit_context {
    struct vm_run *run;
    uint64_t r1, r2;      /* at the latest helper call: what a tail-called program receives */
    uint32_t depth;       /* bpf-to-bpf frames beyond the run's entry frame */
    uint16_t tail_calls;
    bool in_callback;     /* a called-back activation: a tail call is a fault */
    uint64_t steps_left;  /* with jit_options.count_steps: run->max_steps - 1, wrapping */
    /* Kept only by programs with callbacks (the others unwind to the context itself): */
    uint64_t exit_rsp;    /* host rsp to restore when a stop or fault unwinds the activation */
    const struct jit_program *prog; /* running now (a tail call replaces it) */
    uint64_t callback_fn; /* a called-back activation: the function it runs */
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

/* The JIT's vm_function_caller (run->call_function, set by the entry of programs with
 * callbacks): a nested activation through prog->callback_entry. */
int jit_support_call_function(struct vm_run *run, uint64_t fn, const uint64_t args[5],
                              uint64_t *r0);

/* Called by generated code at a fault site: records the fault in ctx->run. */
void jit_support_fault(struct jit_context *ctx, int fault, uint32_t pc, uint64_t detail);

#endif
