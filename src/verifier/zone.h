/* The zone (difference-bound) domain: constraints "x - y <= c" between a few variables (the
 * registers, the packet size, stack cells: the client numbers them 1..ZONE_VARS) and a zero
 * node (ZONE_ZERO, so that "x <= c" is "x - 0 <= c"). It keeps what intervals lose: a loop
 * counter below its bound ("i - n <= -1") after both are widened, a packet offset below the
 * proven packet size. PREVAIL found it the best precision/cost trade-off for eBPF.
 *
 * Variables are mathematical integers: the client forgets a variable (zone_forget) when an
 * operation may wrap around. The matrix is kept closed (every implied difference explicit,
 * by shortest paths), so joins are entry-wise and queries are lookups. Not yet used by the
 * analysis (see docs/verifier.md). */
#ifndef BPFHOST_VERIFIER_ZONE_H
#define BPFHOST_VERIFIER_ZONE_H

#include <stdbool.h>
#include <stdint.h>

enum { ZONE_VARS = 12, ZONE_ZERO = 0 };
#define ZONE_NONE INT64_MAX /* no bound */

struct zone {
    bool empty;                                    /* no concrete state satisfies it */
    int64_t m[ZONE_VARS + 1][ZONE_VARS + 1];       /* m[x][y]: x - y <= m[x][y] */
};

/* No constraint at all. */
void zone_init(struct zone *z);
/* Forgets every constraint on x (x was overwritten by something unknown). */
void zone_forget(struct zone *z, unsigned x);
/* Adds x - y <= c (x or y may be ZONE_ZERO); false when the zone becomes empty. */
bool zone_add(struct zone *z, unsigned x, unsigned y, int64_t c);
/* x := y + c (y may be x itself, or ZONE_ZERO for a constant). */
void zone_assign(struct zone *z, unsigned x, unsigned y, int64_t c);
/* x := a value in [lo, hi], unrelated to the others. */
void zone_assign_range(struct zone *z, unsigned x, int64_t lo, int64_t hi);
/* The largest value of x - y (ZONE_NONE: unbounded). */
int64_t zone_max_difference(const struct zone *z, unsigned x, unsigned y);
/* Bounds of x: false when unbounded on that side (lo or hi is then untouched). */
bool zone_upper(const struct zone *z, unsigned x, int64_t *hi);
bool zone_lower(const struct zone *z, unsigned x, int64_t *lo);

/* into := the states of either. */
void zone_join(struct zone *into, const struct zone *other);
/* into := into widened by grown: every bound that grew is dropped (not closed again, so
 * that chains of widenings are finite). */
void zone_widen(struct zone *into, const struct zone *grown);
/* into := the states of both; false when there are none. */
bool zone_meet(struct zone *into, const struct zone *other);
/* Whether every state of a is a state of b. */
bool zone_leq(const struct zone *a, const struct zone *b);

#endif
