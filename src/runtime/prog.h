/* A loaded program: relocated instructions, the maps it references, and its executable form
 * (runtime layer). Programs are reference counted; tail calls reach them through PROG_ARRAY
 * maps, which hold references. */
#ifndef BPFHOST_RUNTIME_PROG_H
#define BPFHOST_RUNTIME_PROG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "jit/jit.h"
#include "maps/map.h"
#include "verifier/verifier.h"
#include "vm/vm.h"

/* What runs a program. Verified programs run without checks: DEFAULT is the JIT where the
 * host has one and it takes the program, else the fast interpreter; INTERP is the fast
 * interpreter; JIT is the JIT or a load error. Unverified programs (allow_unverified) run
 * on the checked interpreter whatever is asked, and the JIT is refused for them. */
enum runtime_engine {
    RUNTIME_ENGINE_DEFAULT,
    RUNTIME_ENGINE_INTERP,
    RUNTIME_ENGINE_JIT,
    RUNTIME_ENGINE_CHECKED, /* what an unverified program runs on; not a choice in attr */
};

struct runtime_prog_attr {
    const char *name;
    uint32_t prog_type, expected_attach_type;
    const struct ebpf_insn *insns;
    size_t insn_count;
    /* The maps that "map index" lddw forms (src 5 and 6) refer to, by index. */
    struct bpfhost_map *const *maps;
    size_t map_count;
    enum runtime_engine engine;
    /* Skip the verifier: the program runs only on the checked interpreter (every memory
     * access bounds-checked, a step budget), and only when the caller asks for it. */
    bool allow_unverified;
    /* The verifier's log (invariants at each block), when the caller wants it; else NULL. */
    char *log;
    size_t log_size;
};

struct runtime_prog {
    char name[64];
    uint32_t prog_type, expected_attach_type;
    struct ebpf_insn *insns; /* relocated: map handles in place of map indexes */
    size_t insn_count;
    struct bpfhost_map **maps; /* one reference each */
    size_t map_count;
    enum runtime_engine engine; /* what runs it: INTERP, JIT or CHECKED */
    bool verified;
    struct verifier_stats verifier_stats; /* zero when unverified */
    struct vm_program *vm;
    struct jit_program *jit;
    uint32_t id;
    _Atomic uint32_t refcount;
};

int runtime_prog_load(const struct runtime_prog_attr *attr, struct runtime_prog **out, char *msg,
                      size_t msg_size);
void runtime_prog_get(struct runtime_prog *prog);
void runtime_prog_put(struct runtime_prog *prog);

/* Runs prog once with r1 (the context) and r2. run->host and the checked-mode regions of the
 * context are the caller's; the regions of global data are added here. Returns 0 and *r0, or
 * the engine's negative errno with run->msg. */
int runtime_prog_run(const struct runtime_prog *prog, struct vm_run *run, uint64_t r1, uint64_t r2,
                     uint64_t *r0);

/* For jit_compile (jit_options.array_maps): the array maps of prog whose lookups the JIT may
 * inline, in a malloc'ed array the caller frees once it has compiled (NULL and 0 when there
 * is none). Returns 0 or -ENOMEM. The program's references keep the maps alive as long as
 * its code. */
int runtime_prog_jit_array_maps(const struct runtime_prog *prog, struct jit_array_map **out,
                                size_t *count);

/* The tail_call helper's way into target: refused (-ENOENT, the program goes on as after an
 * empty slot) when a run without checks would continue in an unverified program, or when
 * target is of another program type than the program running (it would misread r1). */
int runtime_prog_tail_call(struct vm_run *run, const struct runtime_prog *target);

/* The name of the program running on the calling thread (the innermost, after tail calls),
 * or NULL outside any: for helpers that report who called them (bpf_trace_printk). */
const char *runtime_prog_running_name(void);

/* "interpreter", "jit" or "checked interpreter". */
const char *runtime_engine_name(enum runtime_engine engine);

/* How PROG_ARRAY maps hold programs. */
extern const struct map_object_ops runtime_prog_object_ops;

/* The helper table every program is loaded with. */
const struct vm_helpers *runtime_helpers(void);

#endif
