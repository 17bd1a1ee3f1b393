#include "test.h"
#include "verifier/congruence.h"

/* Soundness by enumeration: congruences with small strides over a window of integers near
 * 0 and near 2^64 (where additions wrap), every member pair combined. */
static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static struct congruence random_congruence(void)
{
    switch (next_random() % 4) {
    case 0: return congruence_unknown();
    case 1: return congruence_exact(next_random() % 2 ? next_random() % 64 : UINT64_MAX - next_random() % 64);
    default: {
        uint64_t stride = 2 + next_random() % 11;
        return (struct congruence){stride, next_random() % stride};
    }
    }
}

/* Members of a in a window of 64 integers starting at base. */
static int members(struct congruence a, uint64_t base, uint64_t *out)
{
    int n = 0;
    for (uint64_t i = 0; i < 64; i++)
        if (congruence_has(a, base + i))
            out[n++] = base + i;
    return n;
}

static uint64_t window(void)
{
    return next_random() % 2 ? 0 : UINT64_MAX - 63;
}

TEST(arithmetic_is_sound)
{
    for (int round = 0; round < 3000; round++) {
        struct congruence a = random_congruence(), b = random_congruence();
        uint64_t xs[64], ys[64];
        int nx = members(a, window(), xs), ny = members(b, window(), ys);
        uint64_t k = next_random() % 13;
        struct congruence scaled = congruence_mul_const(a, k);
        for (int i = 0; i < nx; i++) {
            if (xs[i] <= UINT64_MAX / (k ? k : 1))
                CHECK(congruence_has(scaled, xs[i] * k));
            for (int j = 0; j < ny; j++) {
                uint64_t x = xs[i], y = ys[j];
                enum congruence_wrap add_wrap = x + y < x ? CONGRUENCE_WRAPS : CONGRUENCE_NO_WRAP;
                enum congruence_wrap sub_wrap = x < y ? CONGRUENCE_WRAPS : CONGRUENCE_NO_WRAP;
                CHECK(congruence_has(congruence_add(a, b, add_wrap), x + y));
                CHECK(congruence_has(congruence_add(a, b, CONGRUENCE_MAY_WRAP), x + y));
                CHECK(congruence_has(congruence_sub(a, b, sub_wrap), x - y));
                CHECK(congruence_has(congruence_sub(a, b, CONGRUENCE_MAY_WRAP), x - y));
            }
        }
    }
}

TEST(lattice_operations)
{
    for (int round = 0; round < 3000; round++) {
        struct congruence a = random_congruence(), b = random_congruence();
        struct congruence j = congruence_join(a, b);
        CHECK(congruence_leq(a, j));
        CHECK(congruence_leq(b, j));
        bool empty;
        struct congruence m = congruence_meet(a, b, &empty);
        uint64_t base = window(), xs[64];
        int n = members(a, base, xs);
        bool common = false;
        for (int i = 0; i < n; i++) {
            if (!congruence_has(b, xs[i]))
                continue;
            common = true;
            CHECK(!empty);
            CHECK(congruence_has(m, xs[i]));
        }
        if (empty)
            CHECK(!common);
        /* leq agrees with membership on the window */
        if (congruence_leq(a, b))
            for (int i = 0; i < n; i++)
                CHECK(congruence_has(b, xs[i]));
        /* tighten keeps every member and lands on members */
        uint64_t lo = base + next_random() % 32, hi = lo + next_random() % 32, tlo = lo, thi = hi;
        bool any = false;
        for (uint64_t v = lo; v <= hi; v++)
            any |= congruence_has(a, v);
        CHECK_EQ(congruence_tighten(a, &tlo, &thi), any);
        if (any) {
            CHECK(congruence_has(a, tlo) && congruence_has(a, thi));
            for (uint64_t v = lo; v < tlo; v++)
                CHECK(!congruence_has(a, v));
            for (uint64_t v = thi + 1; v <= hi; v++)
                CHECK(!congruence_has(a, v));
        }
    }
}

TEST(strides_from_joins_and_steps)
{
    struct congruence c = congruence_join(congruence_exact(0), congruence_exact(7));
    CHECK_EQ(c.stride, 7);
    CHECK_EQ(c.rem, 0);
    c = congruence_join(c, congruence_exact(21));
    CHECK_EQ(c.stride, 7);
    c = congruence_add(c, congruence_exact(7), CONGRUENCE_NO_WRAP);
    CHECK_EQ(c.stride, 7);
    CHECK_EQ(c.rem, 0);
    /* adding -7 as 2^64 - 7 wraps for every member >= 7 */
    c = congruence_add(c, congruence_exact(UINT64_MAX - 6), CONGRUENCE_WRAPS);
    CHECK_EQ(c.stride, 7);
    CHECK_EQ(c.rem, 0);
    CHECK(congruence_is_unknown(congruence_join(congruence_exact(4), congruence_exact(5))));
    c = congruence_join(congruence_exact(4), congruence_exact(16));
    CHECK_EQ(c.stride, 12);
    CHECK_EQ(c.rem, 4);
    uint64_t lo = 1, hi = 1791;
    CHECK(congruence_tighten((struct congruence){7, 0}, &lo, &hi));
    CHECK_EQ(lo, 7);
    CHECK_EQ(hi, 1785);
    lo = 1, hi = 6;
    CHECK(!congruence_tighten((struct congruence){7, 0}, &lo, &hi));
    lo = UINT64_MAX - 3, hi = UINT64_MAX;
    CHECK(!congruence_tighten((struct congruence){7, 3}, &lo, &hi)); /* the next member is past 2^64 */
    c = congruence_mul_const((struct congruence){7, 3}, 3);
    CHECK_EQ(c.stride, 21);
    CHECK_EQ(c.rem, 9);
}

TEST_MAIN
