/* The eBPF interpreter (exec layer). A program is validated and pre-decoded once by
 * vm_load, then run any number of times, from any number of threads, by vm_exec.
 *
 * Calling convention (shared with the JIT): r1 and r2 are the caller's arguments (context,
 * or memory and length), r10 points to the top of a 512-byte frame, r0 is the result.
 * Helpers are called by Linux id with r1-r5 and receive the vm_run of the invocation, through
 * which they reach the host's data, stop the program or request a tail call. */
#ifndef BPFHOST_VM_H
#define BPFHOST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"

struct vm_run;
struct vm_program;

typedef uint64_t (*vm_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                 struct vm_run *run);

/* An engine's way to call a function of the program it is running back from a helper (the
 * engine's half of vm_run_call_function). */
typedef int (*vm_function_caller)(struct vm_run *run, uint64_t fn, const uint64_t args[5],
                                  uint64_t *r0);

enum { VM_HELPER_MAX = 512 };

/* What a helper does with the memory one of its arguments points to (Linux's ARG_PTR_TO_MEM
 * and kin). Before the call the checked mode checks that memory as it checks the program's own
 * accesses: within the stack or the run's regions, writable where the helper writes, the stack
 * bytes read written before. After the call it counts the stack bytes filled as written,
 * whatever the helper returned, as the verifier does. */
enum vm_helper_arg {
    VM_ARG_NONE,       /* no memory the engine can check (a number, the context, a map, a string) */
    VM_ARG_READ,       /* reads r(n+1) bytes at rn (none when r(n+1) is 0) */
    VM_ARG_READ_WRITE, /* reads and writes r(n+1) bytes */
    VM_ARG_FILL,       /* writes r(n+1) bytes */
    VM_ARG_READ_KEY,   /* reads a key of the map in r1 (map_key_size) */
    VM_ARG_READ_VALUE, /* reads a value of the map in r1 (map_value_size) */
    VM_ARG_FILL_VALUE, /* writes a value of the map in r1 */
    VM_ARG_LOCK,       /* reads and writes a 4-byte lock */
};

/* Helper implementations indexed by Linux helper id; NULL where there is none. */
struct vm_helpers {
    vm_helper_fn fn[VM_HELPER_MAX];
    uint8_t args[VM_HELPER_MAX][5]; /* enum vm_helper_arg of r1-r5 */
    /* The key and value sizes of the map a program passes in r1 (the engine knows maps only
     * as numbers); required when a helper has a map-sized argument. */
    size_t (*map_key_size)(uint64_t map);
    size_t (*map_value_size)(uint64_t map);
};

enum vm_mode {
    VM_MODE_CHECKED, /* every memory access checked against the run's regions, every stack
                        read against the stack bytes written before; step budget */
    VM_MODE_FAST,    /* for verified programs: no checks */
};

/* A memory region a checked run may touch (context, packet, map value...). The stack is
 * always allowed, but only bytes written before may be read: each frame starts unwritten
 * (the entry, a bpf-to-bpf call, a called-back function, a tail call), and stores, atomics
 * and helpers' fills (VM_ARG_FILL) write it. */
struct vm_region {
    uintptr_t start;
    size_t size;
    bool writable;
};

enum { VM_MSG_SIZE = 256, VM_MAX_REGIONS = 4096 };

/* State of one invocation. Initialise with vm_run_init; the caller sets host, regions and
 * packet; helpers use the vm_run_* functions; the results are read after vm_exec. */
struct vm_run {
    void *host;                 /* the runtime's data for this invocation */
    const uint8_t *packet;      /* what LD_ABS / LD_IND read (legacy socket filters) */
    size_t packet_len;
    uint64_t max_steps;         /* checked mode: instructions before giving up, 0 = no limit */
    bool checked;               /* set by the engine: helpers register the memory they hand
                                   out (vm_run_add_region) only when it is true */

    struct vm_region *regions;  /* checked mode, in the order added (vm_run_add_region); a
                                   caller may forget the last ones by lowering region_count */
    size_t region_count;
    size_t region_capacity;
    /* The checked mode's index over regions[0, region_sorted): region numbers by start, with
     * the largest end up to each (an access finds its region by binary search); brought up to
     * region_count before each search. region_hit: the region of the last access. */
    uint32_t *region_by_start;
    uintptr_t *region_max_end;
    size_t region_sorted;
    size_t region_hit;

    /* Requests from helpers, acted on when the helper returns. */
    bool stop;                  /* end the program now with r0 = stop_value */
    uint64_t stop_value;
    const struct vm_program *tail_call_target;
    uint32_t tail_call_count;

    /* Set by the engine while it runs a program that takes function addresses (lddw src 4),
     * for vm_run_call_function. */
    vm_function_caller call_function;
    void *engine_frame; /* the engine's innermost activation */

    /* Results. */
    uint64_t steps;             /* instructions executed (checked mode) */
    int error;                  /* 0, or negative errno when the program faulted */
    size_t error_pc;
    char msg[VM_MSG_SIZE];
};

/* Validates insns (isa_validate_program plus: every called helper exists in helpers) and
 * pre-decodes them. helpers may be NULL for programs that call no helper; the table must
 * outlive the program. Returns 0 or a negative errno with a message naming the instruction. */
int vm_load(const struct ebpf_insn *insns, size_t count, const struct vm_helpers *helpers,
            struct vm_program **out, char *msg, size_t msg_size);
void vm_unload(struct vm_program *prog);

size_t vm_program_insn_count(const struct vm_program *prog);
const struct ebpf_insn *vm_program_insns(const struct vm_program *prog);

/* Runs prog with r1 and r2 as arguments. Returns 0 and the result in *r0, or a negative
 * errno (run->error) with run->msg and run->error_pc describing the fault. */
int vm_exec(const struct vm_program *prog, enum vm_mode mode, struct vm_run *run, uint64_t r1,
            uint64_t r2, uint64_t *r0);

void vm_run_init(struct vm_run *run);
void vm_run_release(struct vm_run *run); /* frees the region list */

/* Allows a checked run to access [ptr, ptr+size) (to write it too when writable: an access
 * is allowed when one region that contains it allows it). Returns 0 or -ENOMEM/-E2BIG. */
int vm_run_add_region(struct vm_run *run, const void *ptr, size_t size, bool writable);

/* From a helper: end the program when the helper returns, with r0 = value. */
void vm_run_stop(struct vm_run *run, uint64_t value);

/* From the tail_call helper: continue in target (same r1, fresh frame) when the helper
 * returns. Returns 0, or -E2BIG when the run already made EBPF_MAX_TAIL_CALLS tail calls
 * (then the program simply continues, as on Linux). */
int vm_run_tail_call(struct vm_run *run, const struct vm_program *target);

/* From a helper that takes a callback (bpf_loop, bpf_for_each_map_elem): calls the function
 * of the running program whose address fn the program loaded with lddw src 4
 * (BPF_PSEUDO_FUNC), with r1-r5 = args, on the engine running the program, in a new frame
 * below the caller's (the frames of a run stay at most EBPF_MAX_CALL_DEPTH). Returns 0 with
 * the function's r0 in *r0; or a negative errno when the run must end: the function faulted
 * (run->error, run->msg), a helper it called asked to stop (-ECANCELED), fn is not a
 * function of the program (-EINVAL) or there is no frame left (-E2BIG). The helper should
 * then return at once; whatever it returns, the engine ends the program (r0 = the stop
 * value, or the fault). A tail call from a called-back function is a fault. */
int vm_run_call_function(struct vm_run *run, uint64_t fn, const uint64_t args[5], uint64_t *r0);

/* For helpers that hand memory to called-back functions for the duration of one call (a map
 * element's key and value): the checked mode's region list is restored to an earlier length
 * (run->region_count before the regions were added). */
void vm_run_drop_regions(struct vm_run *run, size_t count);

#endif
