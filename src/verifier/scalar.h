/* The abstract value of a 64-bit number: signed and unsigned 64-bit intervals, signed and
 * unsigned intervals of its low 32 bits, its known bits and a congruence (value mod k), kept
 * consistent with each other by scalar_sync (Linux's reg_bounds_sync, plus congruences). Every operation returns a value that contains
 * every concrete result (soundness) and is synced. */
#ifndef BPFHOST_VERIFIER_SCALAR_H
#define BPFHOST_VERIFIER_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verifier/congruence.h"
#include "verifier/tnum.h"

struct scalar {
    int64_t smin, smax;
    uint64_t umin, umax;
    int32_t s32_min, s32_max;
    uint32_t u32_min, u32_max;
    struct tnum bits;
    struct congruence mod;
};

/* Binary ALU operations, in the order of the opcode's operation nibble. */
enum scalar_op {
    SCALAR_ADD, SCALAR_SUB, SCALAR_MUL, SCALAR_DIV, SCALAR_OR, SCALAR_AND, SCALAR_LSH,
    SCALAR_RSH, SCALAR_NEG, SCALAR_MOD, SCALAR_XOR, SCALAR_MOV, SCALAR_ARSH,
    SCALAR_SDIV, SCALAR_SMOD, /* div and mod with off == 1 */
};

/* Conditions of conditional jumps; the comparison is "a OP b". */
enum scalar_cond {
    SCALAR_EQ, SCALAR_NE, SCALAR_GT, SCALAR_GE, SCALAR_LT, SCALAR_LE,
    SCALAR_SGT, SCALAR_SGE, SCALAR_SLT, SCALAR_SLE,
    SCALAR_SET,   /* a & b != 0 */
    SCALAR_NSET,  /* a & b == 0 */
};

struct scalar scalar_const(uint64_t value);
struct scalar scalar_unknown(void);
/* Unsigned interval [min, max] (for loads of 1, 2, 4 bytes and the like). */
struct scalar scalar_urange(uint64_t min, uint64_t max);
struct scalar scalar_srange(int64_t min, int64_t max);

/* Tightens every component from the others (bounds move to the nearest values the known
 * bits allow: [1, 19] and even is [2, 18]). Returns false when the value is empty (a path
 * that cannot happen). */
bool scalar_sync(struct scalar *s);

static inline bool scalar_is_const(const struct scalar *s) { return tnum_is_const(s->bits); }
static inline bool scalar_is_unknown(const struct scalar *s)
{
    return s->umin == 0 && s->umax == UINT64_MAX && s->smin == INT64_MIN &&
           s->smax == INT64_MAX && tnum_is_unknown(s->bits) && s->u32_min == 0 &&
           s->u32_max == UINT32_MAX && s->s32_min == INT32_MIN && s->s32_max == INT32_MAX &&
           congruence_is_unknown(s->mod);
}
static inline bool scalar_equals(const struct scalar *a, const struct scalar *b)
{
    return a->smin == b->smin && a->smax == b->smax && a->umin == b->umin &&
           a->umax == b->umax && a->s32_min == b->s32_min && a->s32_max == b->s32_max &&
           a->u32_min == b->u32_min && a->u32_max == b->u32_max && tnum_equals(a->bits, b->bits) &&
           congruence_equals(a->mod, b->mod);
}

/* dst OP src on bits 64 or 32 (ALU32: operands are the low halves, the result is
 * zero-extended). Division by zero follows the ISA (quotient 0, remainder dst). */
struct scalar scalar_alu(enum scalar_op op, unsigned bits, const struct scalar *dst,
                         const struct scalar *src);
/* Low size bytes (1, 2, 4, 8), zero-extended: le16/le32/le64, ALU32 results, narrow loads. */
struct scalar scalar_truncate(const struct scalar *s, unsigned size);
/* Low size bytes, sign-extended to 64 bits: movsx, sign-extending loads. */
struct scalar scalar_sign_extend(const struct scalar *s, unsigned size);
/* Byte swap of the low size bytes, zero-extended: be16/be32/be64 and bswap. */
struct scalar scalar_bswap(const struct scalar *s, unsigned size);

/* Narrows a and b to the values for which "a COND b" holds on bits 64 or 32 (JMP32
 * compares low halves). Returns false when no values satisfy it; a and b are then
 * meaningless. */
bool scalar_refine(enum scalar_cond cond, unsigned bits, struct scalar *a, struct scalar *b);
/* The condition that holds when "a COND b" does not. */
enum scalar_cond scalar_cond_negate(enum scalar_cond cond);
/* The condition c with b COND' a equivalent to a COND b. */
enum scalar_cond scalar_cond_swap(enum scalar_cond cond);

/* Values of a or b. */
struct scalar scalar_join(const struct scalar *a, const struct scalar *b);
/* Values of both; false when there are none. */
bool scalar_meet(struct scalar *a, const struct scalar *b);
/* Whether every value of a is a value of b. */
bool scalar_leq(const struct scalar *a, const struct scalar *b);
/* Join that moves each bound that grew to the next threshold (sorted ascending as
 * signed numbers) or to the extreme, so that chains of widenings are finite. Known bits
 * are kept (a counter stepping by 2 stays even) except above the lowest bit the join
 * forgot; the result is synced, so bounds stop at the last value the known bits allow. */
struct scalar scalar_widen(const struct scalar *old, const struct scalar *grown,
                           const int64_t *thresholds, size_t threshold_count);

/* "5", "[0, 20]", "s[-4, 10]", "unknown", with known bits when they add information. */
const char *scalar_format(const struct scalar *s, char *buf, size_t size);

#endif
