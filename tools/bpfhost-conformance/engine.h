/* The execution engines the conformance runner can drive, behind one interface. */
#ifndef BPFHOST_CONFORMANCE_ENGINE_H
#define BPFHOST_CONFORMANCE_ENGINE_H

#include "vm/vm.h"

struct conformance_engine {
    const char *name;
    int (*load)(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
                void **prog, char *msg, size_t msg_size);
    int (*exec)(void *prog, enum vm_mode mode, struct vm_run *run, uint64_t r1, uint64_t r2,
                uint64_t *r0);
    void (*unload)(void *prog);
};

const struct conformance_engine *conformance_engine_find(const char *name);
const char *conformance_engine_names(void);

#endif
