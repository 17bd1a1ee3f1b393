/* The JIT's public face: the verified-only policy, validation against the helper table,
 * program objects and running them. Translation is the back end's (x86_64/). */
#include "jit/jit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "jit/jit_backend.h"
#include "platform/random.h"

bool jit_supported(void)
{
#if defined(__x86_64__)
    return jit_backend_available();
#else
    return false;
#endif
}

static int check_executable(const struct ebpf_insn *insns, size_t count,
                       const struct vm_helpers *helpers, char *msg, size_t msg_size)
{
    for (size_t pc = 0; pc < count; pc++) {
        enum isa_form_id id = isa_decode(&insns[pc]);
        if (id == ISA_CALL_KFUNC) {
            snprintf(msg, msg_size, "pc %zu: kfunc calls are not supported", pc);
            return -ENOTSUP;
        }
        if (isa_is_lddw(&insns[pc]) && id != ISA_LDDW && id != ISA_LDDW_FUNC) {
            snprintf(msg, msg_size, "pc %zu: unresolved %s: the loader must relocate it first", pc,
                     isa_forms[id].name);
            return -EINVAL;
        }
        if (id == ISA_CALL_HELPER) {
            int32_t helper = insns[pc].imm;
            if (helper < 0 || helper >= VM_HELPER_MAX || !helpers || !helpers->fn[helper]) {
                const char *name = isa_helper_name(helper);
                snprintf(msg, msg_size, "pc %zu: call to helper %d%s%s%s, which this host does not provide",
                         pc, helper, name ? " (" : "", name ? name : "", name ? ")" : "");
                return -EINVAL;
            }
        }
        if (isa_is_lddw(&insns[pc]))
            pc++;
    }
    return 0;
}

int jit_compile(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
                const struct jit_options *opts, struct jit_program **out, char *msg,
                size_t msg_size)
{
    static const struct jit_options defaults;
    if (!opts)
        opts = &defaults;
    *out = NULL;
    if (!opts->verified && !opts->allow_unverified) {
        snprintf(msg, msg_size,
                 "program was not accepted by the verifier (set jit_options.allow_unverified to "
                 "compile it anyway)");
        return -EPERM;
    }
    if (!jit_supported()) {
        snprintf(msg, msg_size, "no JIT back end for this host architecture");
        return -ENOTSUP;
    }
    if (!insns) {
        snprintf(msg, msg_size, "program is missing");
        return -EINVAL;
    }
    size_t bad_pc;
    char why[200] = "";
    int err = isa_validate_program(insns, count, &bad_pc, why, sizeof(why));
    if (err) {
        snprintf(msg, msg_size, "pc %zu: %s", bad_pc, why);
        return err;
    }
    err = check_executable(insns, count, helpers, msg, msg_size);
    if (err)
        return err;
    uint64_t seed = 0;
    if (opts->constant_blinding) {
        err = platform_random_bytes(&seed, sizeof(seed));
        if (err) {
            snprintf(msg, msg_size, "no random key for constant blinding");
            return err;
        }
    }
    struct jit_program *prog = calloc(1, sizeof(*prog));
    if (!prog) {
        snprintf(msg, msg_size, "out of memory");
        return -ENOMEM;
    }
    prog->helpers = helpers;
    prog->resolve_tail_call = opts->resolve_tail_call;
#if defined(__x86_64__)
    err = jit_backend_compile(prog, insns, count, opts, seed, msg, msg_size);
#endif
    if (err) {
        free(prog);
        return err;
    }
    *out = prog;
    return 0;
}

void jit_free(struct jit_program *prog)
{
    if (!prog)
        return;
    exec_memory_release(&prog->code);
    free(prog->callbacks);
    free(prog);
}

int jit_exec(const struct jit_program *prog, struct vm_run *run, uint64_t r1, uint64_t r2,
             uint64_t *r0)
{
    run->stop = false;
    run->stop_value = 0;
    run->tail_call_target = NULL;
    run->tail_call_count = 0;
    run->error = 0;
    run->error_pc = 0;
    run->msg[0] = '\0';
    run->call_function = NULL; /* the entry of a program with callbacks sets it */
    uint64_t result = prog->entry(r1, r2, run);
    if (run->error)
        return run->error;
    *r0 = result;
    return 0;
}

jit_entry_fn jit_entry(const struct jit_program *prog) { return prog->entry; }

size_t jit_code_size(const struct jit_program *prog) { return prog->code_size; }

const void *jit_code(const struct jit_program *prog) { return prog->code.base; }
