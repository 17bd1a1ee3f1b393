/* Run-time services of generated code: the slow paths of tail calls and faults, written once
 * in C for every back end. */
#include "jit/jit_backend.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

static void fail(struct vm_run *run, int error, size_t pc)
{
    run->error = error;
    run->error_pc = pc;
}

const void *jit_support_tail_call(struct jit_context *ctx, const struct jit_program *current)
{
    struct vm_run *run = ctx->run;
    const struct vm_program *target = run->tail_call_target;
    run->tail_call_target = NULL;
    if (ctx->tail_calls >= EBPF_MAX_TAIL_CALLS) {
        fail(run, -E2BIG, 0);
        snprintf(run->msg, sizeof(run->msg), "more than %d tail calls", EBPF_MAX_TAIL_CALLS);
        return NULL;
    }
    const struct jit_program *next =
        current->resolve_tail_call ? current->resolve_tail_call(target, run) : NULL;
    if (!next) {
        fail(run, -ENOEXEC, 0);
        snprintf(run->msg, sizeof(run->msg), "tail call target has no jitted code");
        return NULL;
    }
    ctx->tail_calls++;
    return next->body;
}

void jit_support_fault(struct jit_context *ctx, int fault, uint32_t pc, uint64_t detail)
{
    struct vm_run *run = ctx->run;
    switch (fault) {
    case JIT_FAULT_CALL_DEPTH:
        fail(run, -E2BIG, pc);
        snprintf(run->msg, sizeof(run->msg), "pc %" PRIu32 ": call exceeds %d frames", pc,
                 EBPF_MAX_CALL_DEPTH);
        break;
    case JIT_FAULT_STEP_BUDGET:
        fail(run, -E2BIG, pc);
        snprintf(run->msg, sizeof(run->msg),
                 "pc %" PRIu32 ": step budget of %" PRIu64 " instructions exhausted", pc,
                 run->max_steps);
        break;
    default:
        fail(run, -EINVAL, pc);
        snprintf(run->msg, sizeof(run->msg), "pc %" PRIu32 ": callx to unknown helper %" PRIu64,
                 pc, detail);
        break;
    }
}
