/* Known bits ("tristate numbers", as in Linux's tnum.c): a 64-bit value of which the bits set
 * in mask are unknown and the others equal value's. Invariant: value & mask == 0.
 * The 32-bit subregister view is the low half; ALU32 results are zero-extended. */
#ifndef BPFHOST_VERIFIER_TNUM_H
#define BPFHOST_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tnum {
    uint64_t value;
    uint64_t mask;
};

static inline struct tnum tnum_const(uint64_t value) { return (struct tnum){value, 0}; }
static inline struct tnum tnum_unknown(void) { return (struct tnum){0, UINT64_MAX}; }
static inline bool tnum_is_const(struct tnum a) { return a.mask == 0; }
static inline bool tnum_is_unknown(struct tnum a) { return a.mask == UINT64_MAX; }
static inline bool tnum_equals(struct tnum a, struct tnum b)
{
    return a.value == b.value && a.mask == b.mask;
}
/* Smallest and largest values as unsigned numbers. */
static inline uint64_t tnum_umin(struct tnum a) { return a.value; }
static inline uint64_t tnum_umax(struct tnum a) { return a.value | a.mask; }
/* Smallest and largest values as signed numbers: an unknown sign bit may be either. */
static inline int64_t tnum_smin(struct tnum a) { return (int64_t)(a.value | (a.mask & (1ull << 63))); }
static inline int64_t tnum_smax(struct tnum a) { return (int64_t)(a.value | (a.mask & ~(1ull << 63))); }

/* The tightest tnum containing every value of [min, max] (unsigned). */
struct tnum tnum_range(uint64_t min, uint64_t max);

struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
/* Shifts by a known amount (< 64). arshift sign-extends from bit 31 when bits == 32
 * (the result is then zero-extended to 64 bits, like ALU32). */
struct tnum tnum_lshift(struct tnum a, unsigned shift);
struct tnum tnum_rshift(struct tnum a, unsigned shift);
struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits);

/* Values both describe; *empty is set when no value satisfies both. */
struct tnum tnum_intersect(struct tnum a, struct tnum b, bool *empty);
/* Smallest tnum containing every value of either (the join). */
struct tnum tnum_union(struct tnum a, struct tnum b);
/* Whether every value of b is a value of a. */
bool tnum_contains(struct tnum a, struct tnum b);
/* The smallest member of a that is >= x (tnum_ceil) or the largest that is <= x
 * (tnum_floor), as unsigned numbers; false when there is none. They let interval bounds
 * shrink to the values the known bits allow: [0, 19] with bit 0 known clear is [0, 18]. */
bool tnum_ceil(struct tnum a, uint64_t x, uint64_t *out);
bool tnum_floor(struct tnum a, uint64_t x, uint64_t *out);
/* a whose known bits from bit `from` up become unknown (from < 64): what a widening keeps
 * of the known bits when a higher bit has changed, so that chains of joins stay short. */
static inline struct tnum tnum_forget_from(struct tnum a, unsigned from)
{
    uint64_t upper = ~((1ull << from) - 1);
    return (struct tnum){a.value & ~upper, a.mask | upper};
}
/* Whether value v is described by a. */
static inline bool tnum_has(struct tnum a, uint64_t v) { return (v & ~a.mask) == a.value; }

/* Truncation to the low size bytes (zero-extended). */
struct tnum tnum_cast(struct tnum a, unsigned size);
/* The 32-bit subregister (low half, zero-extended). */
static inline struct tnum tnum_subreg(struct tnum a) { return tnum_cast(a, 4); }
/* a with its low half replaced by the low half of sub. */
struct tnum tnum_with_subreg(struct tnum a, struct tnum sub);
/* Byte swap of the low size bytes (2, 4, 8); the result is zero-extended. */
struct tnum tnum_bswap(struct tnum a, unsigned size);

/* "0x1x0..." style is unreadable for 64 bits: prints "const 5", "unknown" or
 * "(value=0x.., mask=0x..)". Returns buf. */
const char *tnum_format(struct tnum a, char *buf, size_t size);

#endif
