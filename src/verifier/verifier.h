/* The static verifier: proves that a program is safe to run (memory accesses in bounds,
 * no uninitialised reads, null checks before dereferences, helpers called with the right
 * arguments, loops that terminate, a return value of the right range) by abstract
 * interpretation over its control-flow graph. States are kept apart per program point
 * while their register types differ and joined when they agree; loop heads are widened,
 * so loops are not unrolled. A rejection names the instruction, the property that failed
 * and the abstract values involved. */
#ifndef BPFHOST_VERIFIER_H
#define BPFHOST_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "verifier/prog_types.h"

/* A map the program refers to. */
struct verifier_map {
    uint32_t type;           /* Linux map type (BPF_MAP_TYPE_*) */
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    bool read_only;          /* values may not be written by the program (.rodata, frozen) */
    uint32_t inner_map;      /* maps of maps (types 12, 13): index of the inner maps' template */
    bool has_spin_lock;      /* the value holds a struct bpf_spin_lock, at spin_lock_offset */
    uint32_t spin_lock_offset;
};

/* How one instruction touches the context, the same on every path that reaches it (the
 * verifier rejects an instruction that reaches the context on one path and other memory on
 * another, or two different context offsets, as Linux does). The runtime rewrites these
 * accesses to its own layout of the context (runtime/ctx_rewrite.h). */
struct verifier_ctx_access {
    uint16_t offset; /* byte offset in the context: the pointer's offset plus the instruction's */
    uint8_t size;    /* bytes accessed; 0 when the instruction never touches the context */
    uint8_t kind;    /* enum ctx_field_kind of the field (prog_types.h) */
};

/* Formats instruction pc ("r0 = *(u32 *)(r1 + 4)") for messages; returns buf. */
typedef const char *(*verifier_format_insn_fn)(const struct ebpf_insn *insns, size_t count,
                                               size_t pc, char *buf, size_t size);

struct verifier_options {
    const struct prog_type_desc *prog_type;   /* required */
    const struct verifier_map *maps;          /* by index */
    size_t map_count;
    /* lddw with src 1 or 2 carries a map fd: translated to an index into maps by this
     * callback (negative: no such map). Without it the fd is taken as the index. lddw with
     * src 5 or 6 carries the index itself. */
    int (*map_fd_to_index)(void *user, int32_t fd);
    void *user;
    uint64_t max_steps;             /* instructions analysed before giving up; 0: 1,000,000 */
    uint32_t max_states_per_point;  /* states kept apart per block; 0: 8 */
    uint32_t widen_after;           /* joins at a loop head before widening; 0: 3 */
    uint64_t max_loop_iterations;   /* bound a loop must be proven to respect; 0: 1 << 23 */
    verifier_format_insn_fn format_insn; /* NULL: disasm_insn (Linux syntax) */
    char *log;                      /* verbose mode: invariants at each block, or NULL */
    size_t log_size;
    bool log_every_insn;            /* with log: the invariant before every instruction */
    /* Raw programs with no context (bpfhost run, conformance vectors): r1 points to the value
     * of map 0, a memory block the program may address at any proven offset, and r2 holds
     * its size, as the engines call them. */
    bool entry_memory_block;
    /* Source position of instruction pc ("prog.c:12", text "  if (x > y)"), for messages
     * and the log; called with user. NULL, or returning false: none. */
    bool (*source_line)(void *user, size_t pc, char *where, size_t where_size, char *text,
                        size_t text_size);
    /* When not NULL: one entry per instruction (the count passed to verifier_verify), filled
     * when the program is accepted with the context access of each instruction. */
    struct verifier_ctx_access *ctx_accesses;
};

struct verifier_stats {
    uint64_t steps;            /* instructions analysed */
    uint64_t blocks;           /* block analyses */
    uint64_t joins;
    uint64_t widenings;
    uint64_t states;           /* states stored at the end */
    uint32_t max_states_at_point;
    uint32_t contexts;         /* call contexts (entry + one per call site chain) */
    double seconds;
};

enum { VERIFIER_MSG_SIZE = 512 };

struct verifier_result {
    bool accepted;
    int64_t error_pc;          /* failing instruction, -1 when none */
    char message[VERIFIER_MSG_SIZE];
    char source_line[VERIFIER_MSG_SIZE / 2]; /* text of error_pc's source line, "" when unknown */
    struct verifier_stats stats;
};

/* Verifies a program. Returns 0 when accepted; -EINVAL for malformed programs or options,
 * -EACCES when a safety property may fail, -E2BIG when the analysis budget runs out,
 * -ENOMEM. result->message says why. */
int verifier_verify(const struct ebpf_insn *insns, size_t count, const struct verifier_options *opts,
                    struct verifier_result *result);

#endif
