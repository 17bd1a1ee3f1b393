/* Engine adapters for the conformance runner. */
#include "engine.h"

#include <string.h>

#include "jit/jit.h"

static int interp_load(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
                       void **prog, char *msg, size_t msg_size)
{
    return vm_load(insns, count, helpers, (struct vm_program **)prog, msg, msg_size);
}

static int interp_exec(void *prog, enum vm_mode mode, struct vm_run *run, uint64_t r1, uint64_t r2,
                       uint64_t *r0)
{
    return vm_exec(prog, mode, run, r1, r2, r0);
}

static void interp_unload(void *prog) { vm_unload(prog); }

/* The conformance vectors are not verified programs: the JIT is asked to compile them
 * anyway, as the runner's caller explicitly chose an engine for unverified code. */
static int jit_load(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
                    void **prog, char *msg, size_t msg_size)
{
    struct jit_options opts = {.allow_unverified = true};
    return jit_compile(insns, count, helpers, &opts, (struct jit_program **)prog, msg, msg_size);
}

static int jit_blinded_load(const struct ebpf_insn *insns, size_t count,
                            const struct vm_helpers *helpers, void **prog, char *msg, size_t msg_size)
{
    struct jit_options opts = {.allow_unverified = true, .constant_blinding = true};
    return jit_compile(insns, count, helpers, &opts, (struct jit_program **)prog, msg, msg_size);
}

/* Native code has no checked mode: memory safety is the verifier's to prove. */
static int jit_run(void *prog, enum vm_mode mode, struct vm_run *run, uint64_t r1, uint64_t r2,
                   uint64_t *r0)
{
    (void)mode;
    return jit_exec(prog, run, r1, r2, r0);
}

static void jit_unload(void *prog) { jit_free(prog); }

static const struct conformance_engine engines[] = {
    {"interp", interp_load, interp_exec, interp_unload},
    {"jit", jit_load, jit_run, jit_unload},
    {"jit-blinded", jit_blinded_load, jit_run, jit_unload},
};

const struct conformance_engine *conformance_engine_find(const char *name)
{
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (!strcmp(engines[i].name, name))
            return &engines[i];
    return NULL;
}

const char *conformance_engine_names(void) { return "interp, jit, jit-blinded"; }
