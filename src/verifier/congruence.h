/* Congruences of 64-bit numbers: value = rem (mod stride), the values taken as integers in
 * [0, 2^64). A counter that starts at 0 and steps by 7 is 0 mod 7; with intervals, that
 * proves "i != 1792" ends the loop (1792 is the first multiple of 7 the counter reaches)
 * and turns "i < 1790" into "i <= 1785". Known bits (tnum) already hold power-of-two
 * strides; congruences add the others.
 *
 * stride 0: the value is exactly rem. stride 1: nothing is known (rem 0). Otherwise
 * rem < stride. Arithmetic is on integers, so wrap-around must be said by the caller,
 * who knows it from the intervals. */
#ifndef BPFHOST_VERIFIER_CONGRUENCE_H
#define BPFHOST_VERIFIER_CONGRUENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct congruence {
    uint64_t stride;
    uint64_t rem;
};

static inline struct congruence congruence_unknown(void) { return (struct congruence){1, 0}; }
static inline struct congruence congruence_exact(uint64_t v) { return (struct congruence){0, v}; }
static inline bool congruence_is_unknown(struct congruence a) { return a.stride == 1; }
static inline bool congruence_equals(struct congruence a, struct congruence b)
{
    return a.stride == b.stride && a.rem == b.rem;
}
bool congruence_has(struct congruence a, uint64_t v);

/* How the integer result of an addition or subtraction relates to the 64-bit one. */
enum congruence_wrap {
    CONGRUENCE_NO_WRAP,     /* no member pair wraps */
    CONGRUENCE_WRAPS,       /* every member pair wraps once (past 2^64, or below 0) */
    CONGRUENCE_MAY_WRAP,    /* some do: only power-of-two strides survive */
};
struct congruence congruence_add(struct congruence a, struct congruence b, enum congruence_wrap wrap);
struct congruence congruence_sub(struct congruence a, struct congruence b, enum congruence_wrap wrap);
/* a * k, for a caller that knows the product does not overflow 64 bits. */
struct congruence congruence_mul_const(struct congruence a, uint64_t k);

struct congruence congruence_join(struct congruence a, struct congruence b);
/* A congruence every common member satisfies (the tighter of the two when one implies
 * the other); *empty when they have no member in common. */
struct congruence congruence_meet(struct congruence a, struct congruence b, bool *empty);
/* Whether every member of a is a member of b. */
bool congruence_leq(struct congruence a, struct congruence b);

/* Moves [*lo, *hi] inwards to the nearest members; false when no member lies between. */
bool congruence_tighten(struct congruence a, uint64_t *lo, uint64_t *hi);

#endif
