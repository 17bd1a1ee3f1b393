/* Internals of the analyzer shared by its files: verifier.c (fixpoint driver), transfer.c
 * (instruction semantics and checks), memory.c (memory access checks) and helper_call.c
 * (helper calls). Not for use outside src/verifier. */
#ifndef BPFHOST_VERIFIER_ANALYSIS_H
#define BPFHOST_VERIFIER_ANALYSIS_H

#include "verifier/cfg.h"
#include "verifier/state.h"
#include "verifier/verifier.h"

struct analysis {
    const struct ebpf_insn *insns;
    size_t count;
    const struct verifier_options *opts;
    struct verifier_result *result;
    struct verifier_ctx_access *ctx_accesses; /* per pc (ctx_access.c) */
    uint8_t *ctx_access_seen;    /* per pc: which kinds of memory the instruction reached */
    struct cfg cfg;
    uint16_t *live_in;           /* per block: registers live at entry (liveness.h) */
    int64_t *thresholds;         /* widening thresholds: the program's comparison constants */
    size_t threshold_count;
    /* The idiom "r <<= k; r >>= k" (clang's zero extension, or sign extension with s>>=)
     * leaves r unchanged when r fits in 64 - k bits: the shift left records r's value here
     * for the shift right that follows it in the same block, which restores it with its id,
     * so a bound proven on the result holds for r's copies (a loop counter compared
     * through its low half). */
    struct {
        uint64_t step;           /* the shift left's step (stats.steps) */
        size_t pc;               /* the shift right */
        struct value before;
    } extension;
    size_t log_used;
    char log_where[128];         /* source position last written to the log */
};

/* Records a rejection at pc ("insn 12 (ldxw ...): <message>") and returns err. */
int analysis_fail(struct analysis *a, size_t pc, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Text of instruction pc for messages. */
const char *analysis_insn_text(const struct analysis *a, size_t pc, char *buf, size_t size);

/* "r3 (packet off=14 range=0)" */
const char *analysis_reg_text(const struct value *v, int reg, char *buf, size_t size);

/* Reads register reg, which must be initialised and of one type. */
int analysis_read_reg(struct analysis *a, struct state *s, size_t pc, int reg, struct value *out);

/* Where a jump sends states. */
struct branch_out {
    bool fall_feasible, jump_feasible;
};

/* Executes the non-branching instruction at pc on s. Returns 0 or a negative error (with
 * the message recorded). */
int transfer_insn(struct analysis *a, struct state *s, size_t pc);
/* Splits s at the conditional jump at pc: s becomes the fall-through state and jump the
 * taken one; out says which of them can happen. */
int transfer_branch(struct analysis *a, struct state *s, struct state *jump, size_t pc,
                    struct branch_out *out);
/* Checks the state at an exit of the entry frame. */
int transfer_check_exit(struct analysis *a, const struct state *s, size_t pc);

/* Checks a load (write=false) or store of size bytes at reg + off and, for loads, returns
 * the value read in *loaded. stored is the value stored (NULL: an immediate). */
int memory_access(struct analysis *a, struct state *s, size_t pc, int reg, int64_t off,
                  unsigned size, bool write, bool sign_extend, const struct value *stored,
                  struct value *loaded);
/* Checks that [ptr, ptr + size) with size in [size_min, size_max] may be read (or written,
 * then marking stack bytes written) by a helper. */
int memory_region_access(struct analysis *a, struct state *s, size_t pc, int reg,
                         uint64_t size_min, uint64_t size_max, bool write, const char *what);

int helper_call(struct analysis *a, struct state *s, size_t pc);
/* Whether the helper called at pc exists and belongs to the program type. */
int helper_check_available(struct analysis *a, size_t pc);

/* bpf_spin_lock (spin_lock.c), as Linux rules it: one lock held at a time, released by
 * bpf_spin_unlock on the same map value (same map, same pointer id) before any exit, function
 * call, tail call or other helper call; the lock word is only touched by the two helpers. */
int spin_lock_take(struct analysis *a, struct state *s, size_t pc, int32_t map, uint32_t id);
int spin_lock_release(struct analysis *a, struct state *s, size_t pc, int32_t map, uint32_t id);
/* Fails when a lock is held at pc, which is about to do what (an exit, a call...). */
int spin_lock_check_free(struct analysis *a, const struct state *s, size_t pc, const char *what);
/* Fails when bytes [lo, hi + size) of map's value, already found in bounds, overlap the
 * value's bpf_spin_lock. */
int spin_lock_check_access(struct analysis *a, size_t pc, int32_t map, int64_t lo, int64_t hi,
                           uint64_t size);

/* lddw's map operand (an fd or an index, imm) as an index into the options' maps. */
int transfer_resolve_map(struct analysis *a, size_t pc, int32_t imm, bool by_fd, int32_t *index);

/* Checks every instruction, reachable or not, for what no state can make valid (a helper
 * the program type lacks, a kfunc, a map the loader did not provide), before the analysis:
 * unreachable code is still code the engines load (static_checks.c). */
int static_checks(struct analysis *a);

/* Records that the load or store at pc reached memory through p (the pointer register reg,
 * whose access at off was just found safe). Rejects an instruction that reaches the context
 * at two offsets, or the context on one path and other memory on another: the runtime
 * rewrites context accesses one instruction at a time (ctx_access.c). */
int ctx_access_record(struct analysis *a, size_t pc, int reg, const struct value *p, int64_t off,
                      unsigned size);

/* Loop progress (termination.c). A register written with anything but "r += k", "r -= k"
 * or a copy forgets its progress. */
void loop_marks_clobber(struct frame *f, int reg);
void loop_marks_add(struct frame *f, int reg, const struct scalar *before,
                    const struct scalar *addend, unsigned bits, bool subtract);
void loop_marks_copy(struct frame *f, int dst, int src);
/* At the entry of block, which heads a loop: checks the progress since the last visit of
 * the same head, then restarts counting. Also forgets loops that block is outside of. */
int loop_marks_enter(struct analysis *a, struct state *s, uint32_t block, size_t from_pc);
void loop_marks_leave_outside(struct analysis *a, struct state *s, uint32_t block);

#endif
