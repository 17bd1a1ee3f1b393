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
    if (ctx->in_callback) {
        fail(run, -EINVAL, 0);
        snprintf(run->msg, sizeof(run->msg), "tail call from a function called back by a helper");
        return NULL;
    }
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
    if (next->has_callbacks) {
        /* What next's entry would have set up; a run's entry context is its own exit_rsp. */
        ctx->exit_rsp = (uint64_t)(uintptr_t)ctx;
        ctx->prog = next;
        run->engine_frame = ctx;
        run->call_function = jit_support_call_function;
    }
    return next->body;
}

static bool is_callback(const struct jit_program *prog, uint64_t fn)
{
    size_t lo = 0, hi = prog->callback_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (prog->callbacks[mid] == fn)
            return true;
        if (prog->callbacks[mid] < fn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

int jit_support_call_function(struct vm_run *run, uint64_t fn, const uint64_t args[5],
                              uint64_t *r0)
{
    struct jit_context *outer = run->engine_frame;
    const struct jit_program *prog = outer->prog;
    if (!is_callback(prog, fn)) {
        fail(run, -EINVAL, 0);
        snprintf(run->msg, sizeof(run->msg),
                 "the helper calls back 0x%" PRIx64 ", which is not a function of the program", fn);
        return -EINVAL;
    }
    if (outer->depth + 1 >= EBPF_MAX_CALL_DEPTH) {
        fail(run, -E2BIG, 0);
        snprintf(run->msg, sizeof(run->msg), "the helper's callback exceeds %d frames",
                 EBPF_MAX_CALL_DEPTH);
        return -E2BIG;
    }
    struct jit_context inner = {
        .run = run,
        .depth = outer->depth + 1,
        .tail_calls = outer->tail_calls,
        .steps_left = outer->steps_left,
        .prog = prog,
        .callback_fn = fn,
        .in_callback = true,
    };
    run->engine_frame = &inner;
    *r0 = prog->callback_entry(args[0], args[1], args[2], args[3], args[4], &inner);
    run->engine_frame = outer;
    outer->steps_left = inner.steps_left;
    return run->error;
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
