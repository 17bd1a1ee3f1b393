/* Engine adapters for the conformance runner. */
#include "engine.h"

#include <string.h>

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

static const struct conformance_engine engines[] = {
    {"interp", interp_load, interp_exec, interp_unload},
};

const struct conformance_engine *conformance_engine_find(const char *name)
{
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        if (!strcmp(engines[i].name, name))
            return &engines[i];
    return NULL;
}

const char *conformance_engine_names(void) { return "interp"; }
