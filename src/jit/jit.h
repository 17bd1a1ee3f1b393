/* The eBPF JIT (exec layer): translates a program to host machine code once, then runs it any
 * number of times, from any number of threads. x86-64 is the first back end; on other hosts
 * jit_compile returns -ENOTSUP.
 *
 * Calling convention and helper ABI are the interpreter's (vm/vm.h): r1 and r2 are the
 * caller's arguments, r10 is the top of a 512-byte frame, every bpf-to-bpf call (up to
 * EBPF_MAX_CALL_DEPTH frames) gets its own frame, helpers are called by Linux id as
 * fn(r1, r2, r3, r4, r5, run) and may stop the program or request a tail call through run.
 *
 * Generated code does no memory checks: only programs the verifier accepted should run, so
 * jit_compile refuses a program unless the caller says it was verified or explicitly allows
 * unverified code (tests, trusted conformance vectors). */
#ifndef BPFHOST_JIT_H
#define BPFHOST_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "vm/vm.h"

struct jit_program;

/* Maps the target of a tail call (run->tail_call_target, set by vm_run_tail_call) to the
 * jitted code to continue in. Returns NULL when the target has none: the run then faults
 * with -ENOEXEC. The runtime, which owns program arrays, provides it. */
typedef const struct jit_program *(*jit_tail_call_resolver)(const struct vm_program *target,
                                                            struct vm_run *run);

/* An array map whose lookups the JIT may inline: the program's map_lookup_elem calls whose
 * map argument is an lddw of handle become an index check and an address computation. The
 * runtime, which owns maps, describes them (runtime_prog_jit_array_maps). */
struct jit_array_map {
    uint64_t handle;       /* what the program's lddw loads for this map */
    void *values;          /* the value of key 0 */
    uint32_t value_stride; /* bytes from one value to the next */
    uint32_t max_entries;  /* keys from 0 to max_entries - 1 */
};

struct jit_options {
    bool verified;          /* the verifier accepted this program */
    bool allow_unverified;  /* compile it even though it was not verified */
    bool constant_blinding; /* no program-chosen immediate appears in the code (untrusted code) */
    /* Enforce run->max_steps (0 = no limit), for code that may loop forever: every backward
     * jump charges the instructions of the loop it closes, and a run that exceeds the budget
     * faults with -E2BIG. Costs a memory decrement per loop iteration. */
    bool count_steps;
    jit_tail_call_resolver resolve_tail_call; /* NULL: any tail call faults with -ENOEXEC */
    const struct jit_array_map *array_maps;   /* may be NULL; read during jit_compile only */
    size_t array_map_count;
};

/* Entry point of a compiled program with the C calling convention: the zero-cost way to run it
 * from a hook. run must be initialised (vm_run_init) and not reused without resetting stop,
 * tail_call_target and error. Returns r0; on a fault returns 0 and sets run->error,
 * run->error_pc and run->msg. run->steps is not maintained. */
typedef uint64_t (*jit_entry_fn)(uint64_t r1, uint64_t r2, struct vm_run *run);

/* Validates insns (isa_validate_program, every called helper present in helpers, the
 * verified/allow_unverified policy of opts) and translates them. helpers may be NULL for
 * programs that call no helper; the table must outlive the program. opts NULL means all
 * defaults (which refuse the program: it is not known to be verified). Returns 0, or a
 * negative errno with a message naming the instruction: -EPERM (not verified), -EINVAL
 * (invalid program), -ENOTSUP (kfunc calls; a host without a back end), -ENOMEM. */
int jit_compile(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
                const struct jit_options *opts, struct jit_program **out, char *msg,
                size_t msg_size);

void jit_free(struct jit_program *prog);

/* Resets run's requests and results, runs prog with r1 and r2, and returns 0 with the result
 * in *r0, or the negative errno of a fault (run->error) with run->msg and run->error_pc. */
int jit_exec(const struct jit_program *prog, struct vm_run *run, uint64_t r1, uint64_t r2,
             uint64_t *r0);

jit_entry_fn jit_entry(const struct jit_program *prog);

/* Bytes of machine code generated (for statistics and tests). */
size_t jit_code_size(const struct jit_program *prog);

/* The machine code itself (jit_code_size bytes, read-only), for disassembly when tuning the
 * back end: `ibench PROG jit 1 1` with IBENCH_DUMP=FILE writes it to FILE. */
const void *jit_code(const struct jit_program *prog);

/* Whether this host has a JIT back end. */
bool jit_supported(void);

#endif
