/* Difference-bound matrices, kept closed (Miné, "A New Numerical Abstract Domain Based on
 * Difference-Bound Matrices", 2001). */
#include "verifier/zone.h"

enum { NODES = ZONE_VARS + 1 };

/* a + b with ZONE_NONE absorbing; sums below INT64_MIN become INT64_MIN, a weaker bound
 * than the true one, which is sound. */
static int64_t plus(int64_t a, int64_t b)
{
    if (a == ZONE_NONE || b == ZONE_NONE)
        return ZONE_NONE;
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return a > 0 ? ZONE_NONE : INT64_MIN;
    return r;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static void set_empty(struct zone *z)
{
    z->empty = true;
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            z->m[i][j] = i == j ? 0 : INT64_MIN;
}

void zone_init(struct zone *z)
{
    z->empty = false;
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            z->m[i][j] = i == j ? 0 : ZONE_NONE;
}

void zone_forget(struct zone *z, unsigned x)
{
    if (z->empty)
        return;
    for (unsigned i = 0; i < NODES; i++)
        if (i != x)
            z->m[x][i] = z->m[i][x] = ZONE_NONE;
}

/* Floyd-Warshall: every entry becomes the shortest path; a negative cycle means no state. */
static void close_fully(struct zone *z)
{
    for (unsigned k = 0; k < NODES; k++)
        for (unsigned i = 0; i < NODES; i++)
            for (unsigned j = 0; j < NODES; j++)
                z->m[i][j] = min64(z->m[i][j], plus(z->m[i][k], z->m[k][j]));
    for (unsigned i = 0; i < NODES; i++)
        if (z->m[i][i] < 0) {
            set_empty(z);
            return;
        }
}

bool zone_add(struct zone *z, unsigned x, unsigned y, int64_t c)
{
    if (z->empty)
        return false;
    if (c >= z->m[x][y])
        return true;
    if (plus(c, z->m[y][x]) < 0) { /* x - y <= c and y - x <= m[y][x] contradict */
        set_empty(z);
        return false;
    }
    /* A closed matrix with one tighter edge: paths through it are the only new ones. */
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            z->m[i][j] = min64(z->m[i][j], plus(plus(z->m[i][x], c), z->m[y][j]));
    for (unsigned i = 0; i < NODES; i++)
        if (z->m[i][i] < 0) {
            set_empty(z);
            return false;
        }
    return true;
}

void zone_assign(struct zone *z, unsigned x, unsigned y, int64_t c)
{
    if (z->empty || x == ZONE_ZERO)
        return;
    if (c == INT64_MIN) { /* -c does not fit: forget rather than guess */
        zone_forget(z, x);
        return;
    }
    if (x == y) { /* (x + c) - v <= m + c and v - (x + c) <= m - c: still closed */
        for (unsigned i = 0; i < NODES; i++) {
            if (i == x)
                continue;
            z->m[x][i] = plus(z->m[x][i], c);
            z->m[i][x] = plus(z->m[i][x], -c);
        }
        return;
    }
    zone_forget(z, x);
    zone_add(z, x, y, c);
    zone_add(z, y, x, -c);
}

void zone_assign_range(struct zone *z, unsigned x, int64_t lo, int64_t hi)
{
    if (z->empty)
        return;
    zone_forget(z, x);
    zone_add(z, x, ZONE_ZERO, hi);
    if (lo != INT64_MIN)
        zone_add(z, ZONE_ZERO, x, -lo);
}

int64_t zone_max_difference(const struct zone *z, unsigned x, unsigned y) { return z->m[x][y]; }

bool zone_upper(const struct zone *z, unsigned x, int64_t *hi)
{
    if (z->m[x][ZONE_ZERO] == ZONE_NONE)
        return false;
    *hi = z->m[x][ZONE_ZERO];
    return true;
}

bool zone_lower(const struct zone *z, unsigned x, int64_t *lo)
{
    int64_t below = z->m[ZONE_ZERO][x]; /* 0 - x <= below */
    if (below == ZONE_NONE || below == INT64_MIN)
        return false;
    *lo = -below;
    return true;
}

void zone_join(struct zone *into, const struct zone *other)
{
    if (other->empty)
        return;
    if (into->empty) {
        *into = *other;
        return;
    }
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            into->m[i][j] = max64(into->m[i][j], other->m[i][j]);
}

void zone_widen(struct zone *into, const struct zone *grown)
{
    if (grown->empty)
        return;
    if (into->empty) {
        *into = *grown;
        return;
    }
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            if (grown->m[i][j] > into->m[i][j])
                into->m[i][j] = ZONE_NONE;
}

bool zone_meet(struct zone *into, const struct zone *other)
{
    if (into->empty || other->empty) {
        set_empty(into);
        return false;
    }
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            into->m[i][j] = min64(into->m[i][j], other->m[i][j]);
    close_fully(into);
    return !into->empty;
}

bool zone_leq(const struct zone *a, const struct zone *b)
{
    if (a->empty)
        return true;
    if (b->empty)
        return false;
    for (unsigned i = 0; i < NODES; i++)
        for (unsigned j = 0; j < NODES; j++)
            if (a->m[i][j] > b->m[i][j])
                return false;
    return true;
}
