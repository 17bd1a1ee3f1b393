/* Loading (validation, pre-decoding) and running programs on the interpreter. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"
#include "isa/disasm.h"
#include "vm/vm_internal.h"

/* What the interpreter cannot run even though the ISA defines it. */
static int check_executable(const struct ebpf_insn *insn, enum isa_form_id id,
                            const struct vm_helpers *helpers, char *msg, size_t msg_size)
{
    switch (id) {
    case ISA_CALL_HELPER:
        if (insn->imm < 0 || insn->imm >= VM_HELPER_MAX || !helpers || !helpers->fn[insn->imm]) {
            const char *name = isa_helper_name(insn->imm);
            msg_set(msg, msg_size, "call to helper %d%s%s%s, which this host does not provide",
                    insn->imm, name ? " (bpf_" : "", name ? name : "", name ? ")" : "");
            return -EINVAL;
        }
        return 0;
    case ISA_CALL_KFUNC:
        msg_set(msg, msg_size, "kernel function calls (kfunc BTF id %d) are not supported", insn->imm);
        return -EOPNOTSUPP;
    case ISA_LDDW_MAP_FD:
    case ISA_LDDW_MAP_VALUE:
    case ISA_LDDW_BTF_ID:
    case ISA_LDDW_MAP_IDX:
    case ISA_LDDW_MAP_IDX_VALUE:
        msg_set(msg, msg_size, "unresolved %s: the loader must relocate it before execution",
                isa_forms[id].name);
        return -EINVAL;
    default:
        return 0;
    }
}

int vm_load(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
            struct vm_program **out, char *msg, size_t msg_size)
{
    *out = NULL;
    size_t bad_pc = 0;
    char why[VM_MSG_SIZE];
    int err = isa_validate_program(insns, count, &bad_pc, why, sizeof why);
    if (err) {
        msg_set(msg, msg_size, "insn %zu: %s", bad_pc, why);
        return err;
    }
    struct vm_program *prog = calloc(1, sizeof *prog);
    if (prog) {
        prog->slots = calloc(count, sizeof *prog->slots);
        prog->insns = malloc(count * sizeof *prog->insns);
        prog->reg_reads = calloc(count, sizeof *prog->reg_reads);
        prog->reg_writes = calloc(count, sizeof *prog->reg_writes);
        prog->callable = calloc(count, 1);
    }
    if (!prog || !prog->slots || !prog->insns || !prog->reg_reads || !prog->reg_writes ||
        !prog->callable) {
        vm_unload(prog);
        msg_set(msg, msg_size, "out of memory loading %zu instructions", count);
        return -ENOMEM;
    }
    memcpy(prog->insns, insns, count * sizeof *insns);
    prog->count = count;
    prog->helpers = helpers;
    for (size_t pc = 0; pc < count; pc++) {
        const struct ebpf_insn *insn = &insns[pc];
        enum isa_form_id id = isa_decode(insn);
        err = check_executable(insn, id, helpers, why, sizeof why);
        if (err) {
            msg_set(msg, msg_size, "insn %zu: %s", pc, why);
            vm_unload(prog);
            return err;
        }
        prog->slots[pc] = (struct vm_slot){.op = (uint8_t)id,
                                           .regs = (uint8_t)(insn->dst | insn->src << 4),
                                           .off = insn->off,
                                           .imm = insn->imm};
        isa_insn_regs(insn, &prog->reg_reads[pc], &prog->reg_writes[pc]);
        if (id == ISA_LDDW_FUNC)
            prog->callable[pc + 1 + (size_t)(int64_t)insn->imm] = 1; /* in range: validated */
        if (isa_forms[id].operands == ISA_OPS_LDDW) {
            pc++;
            prog->slots[pc] = (struct vm_slot){.op = ISA_FORM_INVALID, .imm = insns[pc].imm};
        }
    }
    *out = prog;
    return 0;
}

void vm_unload(struct vm_program *prog)
{
    if (!prog)
        return;
    free(prog->slots);
    free(prog->insns);
    free(prog->reg_reads);
    free(prog->reg_writes);
    free(prog->callable);
    free(prog);
}

size_t vm_program_insn_count(const struct vm_program *prog) { return prog->count; }
const struct ebpf_insn *vm_program_insns(const struct vm_program *prog) { return prog->insns; }

int vm_exec(const struct vm_program *prog, enum vm_mode mode, struct vm_run *run, uint64_t r1,
            uint64_t r2, uint64_t *r0)
{
    run->error = 0;
    run->msg[0] = '\0';
    run->stop = false;
    run->tail_call_target = NULL;
    run->tail_call_count = 0;
    run->checked = mode == VM_MODE_CHECKED;
    uint64_t result = vm_interp_start(prog, mode == VM_MODE_CHECKED ? vm_interp_checked : vm_interp_fast,
                                      run, r1, r2);
    if (run->error)
        return run->error;
    *r0 = result;
    return 0;
}

/* The interpreter's vm_function_caller: a nested activation of the same loop, its frame
 * below the helper's caller's on the run's stack, so that pointers into the caller's frame
 * (a callback's context) stay valid and checked. */
static int interp_call_function(struct vm_run *run, uint64_t fn, const uint64_t args[5],
                                uint64_t *r0)
{
    struct vm_activation *outer = run->engine_frame;
    const struct vm_program *prog = outer->prog;
    uintptr_t first = (uintptr_t)prog->slots;
    size_t pc = (size_t)((fn - first) / sizeof *prog->slots);
    if (fn < first || (fn - first) % sizeof *prog->slots || pc >= prog->count ||
        !prog->callable[pc]) {
        vm_fault(run, prog, outer->pc, -EINVAL,
                 "the helper calls back 0x%llx, which is not a function of the program",
                 (unsigned long long)fn);
        return -EINVAL;
    }
    if (outer->depth + 1 >= EBPF_MAX_CALL_DEPTH) {
        vm_fault(run, prog, outer->pc, -E2BIG, "the helper's callback exceeds %d frames",
                 EBPF_MAX_CALL_DEPTH);
        return -E2BIG;
    }
    struct vm_activation inner = {
        .prog = prog,
        .loop = outer->loop,
        .stack = outer->stack,
        .stack_written = outer->stack_written,
        .fp = outer->fp - EBPF_STACK_SIZE,
        .depth = outer->depth + 1,
        .pc = pc,
        .callback = true,
    };
    uint64_t frame_offset = inner.fp - EBPF_STACK_SIZE - (uint64_t)(uintptr_t)inner.stack;
    if (inner.stack_written)
        vm_stack_forget_frame(inner.stack_written, frame_offset);
    run->engine_frame = &inner;
    *r0 = outer->loop(&inner, run, pc, args);
    run->engine_frame = outer;
    if (inner.stack_written) /* pointers into the frame see nothing written */
        vm_stack_forget_frame(inner.stack_written, frame_offset);
    return 0;
}

uint64_t vm_interp_start(const struct vm_program *prog, vm_interp_fn loop, struct vm_run *run,
                         uint64_t r1, uint64_t r2)
{
    uint64_t stack_words[VM_STACK_BYTES / 8];
    uint8_t stack_written[VM_STACK_BITMAP_BYTES];
    bool checked = loop == vm_interp_checked;
    if (checked) {
        /* Reproducible results for unverified code even where a helper reads what the
         * program never wrote. */
        memset(stack_words, 0, sizeof stack_words);
        memset(stack_written, 0, sizeof stack_written);
    }
    struct vm_activation act = {
        .prog = prog,
        .loop = loop,
        .stack = (uint8_t *)stack_words,
        .stack_written = checked ? stack_written : NULL,
        .fp = (uint64_t)(uintptr_t)stack_words + VM_STACK_BYTES,
    };
    run->engine_frame = &act;
    run->call_function = interp_call_function;
    run->steps = 0;
    const uint64_t args[5] = {r1, r2, 0, 0, 0};
    return loop(&act, run, 0, args);
}

int vm_run_call_function(struct vm_run *run, uint64_t fn, const uint64_t args[5], uint64_t *r0)
{
    *r0 = 0;
    if (run->error)
        return run->error;
    if (run->stop)
        return -ECANCELED;
    int err;
    if (run->call_function) {
        err = run->call_function(run, fn, args, r0);
    } else {
        err = -EINVAL;
        run->error = err;
        run->error_pc = 0;
        msg_set(run->msg, sizeof run->msg, "a helper calls back 0x%llx, which is not a function "
                "of the program (it takes no function addresses)", (unsigned long long)fn);
    }
    if (!err && run->error)
        err = run->error;
    if (err) {
        /* Every engine ends the program when the helper returns. */
        run->stop = true;
        run->stop_value = 0;
        return err;
    }
    return run->stop ? -ECANCELED : 0;
}

void vm_fault(struct vm_run *run, const struct vm_program *prog, size_t pc, int error,
              const char *fmt, ...)
{
    if (run->error)
        return;
    run->error = error;
    run->error_pc = pc;
    char text[96];
    if (disasm_insn(prog->insns, prog->count, pc, text, sizeof text) < 0)
        text[0] = '\0';
    int n = snprintf(run->msg, sizeof run->msg, "insn %zu (%s): ", pc, text);
    if (n < 0 || (size_t)n >= sizeof run->msg)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->msg + n, sizeof run->msg - (size_t)n, fmt, ap);
    va_end(ap);
}

void vm_run_init(struct vm_run *run) { memset(run, 0, sizeof *run); }

void vm_run_stop(struct vm_run *run, uint64_t value)
{
    run->stop = true;
    run->stop_value = value;
}

int vm_run_tail_call(struct vm_run *run, const struct vm_program *target)
{
    if (run->tail_call_count >= EBPF_MAX_TAIL_CALLS)
        return -E2BIG;
    run->tail_call_count++;
    run->tail_call_target = target;
    return 0;
}
