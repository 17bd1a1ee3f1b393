#include "test.h"
#include "verifier/tnum.h"

/* Soundness by enumeration: random tnums with at most a few unknown bits, every concrete
 * member combined, each result must be a member of the abstract result. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static struct tnum random_tnum(void)
{
    uint64_t mask = 0;
    int unknown = (int)(next_random() % 4);
    for (int i = 0; i < unknown; i++)
        mask |= 1ull << (next_random() % 64);
    if (next_random() % 3 == 0)
        mask = (mask & 0xffff) | (mask >> 48); /* low bits, where carries happen */
    uint64_t value = next_random();
    if (next_random() % 2)
        value &= 0xff;
    return (struct tnum){value & ~mask, mask};
}

/* The n-th member of a: unknown bits filled from n's bits. */
static uint64_t member(struct tnum a, unsigned n)
{
    uint64_t v = a.value;
    for (unsigned bit = 0; bit < 64; bit++)
        if (a.mask & (1ull << bit)) {
            if (n & 1)
                v |= 1ull << bit;
            n >>= 1;
        }
    return v;
}

static unsigned member_count(struct tnum a)
{
    int n = __builtin_popcountll(a.mask);
    return n > 4 ? 16 : 1u << n;
}

enum op { OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_COUNT };

static uint64_t concrete(enum op op, uint64_t x, uint64_t y)
{
    switch (op) {
    case OP_ADD: return x + y;
    case OP_SUB: return x - y;
    case OP_MUL: return x * y;
    case OP_AND: return x & y;
    case OP_OR: return x | y;
    default: return x ^ y;
    }
}

static struct tnum abstract(enum op op, struct tnum a, struct tnum b)
{
    switch (op) {
    case OP_ADD: return tnum_add(a, b);
    case OP_SUB: return tnum_sub(a, b);
    case OP_MUL: return tnum_mul(a, b);
    case OP_AND: return tnum_and(a, b);
    case OP_OR: return tnum_or(a, b);
    default: return tnum_xor(a, b);
    }
}

TEST(binary_operations_are_sound)
{
    for (int round = 0; round < 3000; round++) {
        struct tnum a = random_tnum(), b = random_tnum();
        for (int op = 0; op < OP_COUNT; op++) {
            struct tnum r = abstract((enum op)op, a, b);
            CHECK((r.value & r.mask) == 0);
            for (unsigned i = 0; i < member_count(a); i++)
                for (unsigned j = 0; j < member_count(b); j++)
                    if (!tnum_has(r, concrete((enum op)op, member(a, i), member(b, j)))) {
                        CHECK(!"unsound");
                        return;
                    }
        }
    }
}

TEST(shifts_are_sound)
{
    for (int round = 0; round < 2000; round++) {
        struct tnum a = random_tnum();
        unsigned s = (unsigned)(next_random() % 64), s32 = s % 32;
        for (unsigned i = 0; i < member_count(a); i++) {
            uint64_t x = member(a, i);
            CHECK(tnum_has(tnum_lshift(a, s), x << s));
            CHECK(tnum_has(tnum_rshift(a, s), x >> s));
            CHECK(tnum_has(tnum_arshift(a, s, 64), (uint64_t)((int64_t)x >> s)));
            CHECK(tnum_has(tnum_arshift(tnum_subreg(a), s32, 32),
                           (uint32_t)((int32_t)(uint32_t)x >> s32)));
            CHECK(tnum_has(tnum_neg(a), 0 - x));
            CHECK(tnum_has(tnum_bswap(a, 2), __builtin_bswap16((uint16_t)x)));
            CHECK(tnum_has(tnum_bswap(a, 4), __builtin_bswap32((uint32_t)x)));
            CHECK(tnum_has(tnum_bswap(a, 8), __builtin_bswap64(x)));
        }
    }
}

TEST(constants_stay_exact)
{
    struct tnum a = tnum_const(12), b = tnum_const(5);
    CHECK(tnum_equals(tnum_add(a, b), tnum_const(17)));
    CHECK(tnum_equals(tnum_sub(b, a), tnum_const((uint64_t)-7)));
    CHECK(tnum_equals(tnum_mul(a, b), tnum_const(60)));
    CHECK(tnum_equals(tnum_and(a, b), tnum_const(4)));
    CHECK(tnum_equals(tnum_or(a, b), tnum_const(13)));
    CHECK(tnum_equals(tnum_xor(a, b), tnum_const(9)));
    CHECK(tnum_equals(tnum_arshift(tnum_const(0x80000000u), 4, 32), tnum_const(0xf8000000u)));
    CHECK(tnum_equals(tnum_arshift(tnum_const(1ull << 63), 63, 64), tnum_const(UINT64_MAX)));
}

TEST(and_with_mask_bounds_the_value)
{
    struct tnum r = tnum_and(tnum_unknown(), tnum_const(0xff));
    CHECK_EQ(tnum_umin(r), 0);
    CHECK_EQ(tnum_umax(r), 0xff);
}

TEST(range_covers_interval)
{
    struct tnum r = tnum_range(16, 31);
    CHECK_EQ(r.value, 16);
    CHECK_EQ(r.mask, 15);
    CHECK(tnum_is_unknown(tnum_range(0, UINT64_MAX)));
    CHECK(tnum_equals(tnum_range(7, 7), tnum_const(7)));
    r = tnum_range(5, 9);
    for (uint64_t v = 5; v <= 9; v++)
        CHECK(tnum_has(r, v));
}

TEST(intersect_union_contains)
{
    bool empty;
    struct tnum low_unknown = {0x10, 0x0f}, even = {0, ~1ull};
    struct tnum both = tnum_intersect(low_unknown, even, &empty);
    CHECK(!empty);
    CHECK_EQ(both.value, 0x10);
    CHECK_EQ(both.mask, 0x0e);
    tnum_intersect(tnum_const(1), tnum_const(2), &empty);
    CHECK(empty);
    struct tnum u = tnum_union(tnum_const(4), tnum_const(6));
    CHECK_EQ(u.value, 4);
    CHECK_EQ(u.mask, 2);
    CHECK(tnum_contains(u, tnum_const(6)));
    CHECK(!tnum_contains(u, tnum_const(5)));
    CHECK(tnum_contains(tnum_unknown(), u));
    CHECK(!tnum_contains(u, tnum_unknown()));
}

TEST(signed_and_unsigned_extremes)
{
    struct tnum sign_unknown = {1, 1ull << 63};
    CHECK_EQ(tnum_smin(sign_unknown), (uint64_t)(INT64_MIN + 1));
    CHECK_EQ(tnum_smax(sign_unknown), 1);
    CHECK_EQ(tnum_umax(sign_unknown), (1ull << 63) | 1);
}

TEST(subregister_views)
{
    struct tnum a = {0x1234567800000000ull, 0xffull};
    CHECK(tnum_equals(tnum_subreg(a), (struct tnum){0, 0xff}));
    struct tnum b = tnum_with_subreg(a, tnum_const(0xabcd));
    CHECK_EQ(b.value, 0x123456780000abcdull);
    CHECK_EQ(b.mask, 0);
    CHECK(tnum_equals(tnum_cast(tnum_const(0x1ff), 1), tnum_const(0xff)));
}

/* Against brute force: tnums with at most 4 unknown bits have all their members listed. */
TEST(ceil_and_floor_find_the_nearest_members)
{
    for (int round = 0; round < 20000; round++) {
        struct tnum a = random_tnum();
        unsigned n = member_count(a);
        uint64_t x;
        switch (next_random() % 3) {
        case 0: x = next_random(); break;
        case 1: x = member(a, (unsigned)next_random() % n) + (uint64_t)((int)(next_random() % 5) - 2); break;
        default: x = next_random() & 0xff; break;
        }
        bool has_ceil = false, has_floor = false;
        uint64_t want_ceil = 0, want_floor = 0;
        for (unsigned i = 0; i < n; i++) {
            uint64_t m = member(a, i);
            if (m >= x && (!has_ceil || m < want_ceil))
                want_ceil = m, has_ceil = true;
            if (m <= x && (!has_floor || m > want_floor))
                want_floor = m, has_floor = true;
        }
        uint64_t got = 0;
        CHECK_EQ(tnum_ceil(a, x, &got), has_ceil);
        if (has_ceil)
            CHECK_EQ(got, want_ceil);
        CHECK_EQ(tnum_floor(a, x, &got), has_floor);
        if (has_floor)
            CHECK_EQ(got, want_floor);
    }
    uint64_t r = 0;
    struct tnum even = {0, ~1ull};
    CHECK(tnum_floor(even, 19, &r));
    CHECK_EQ(r, 18);
    CHECK(tnum_ceil(even, 19, &r));
    CHECK_EQ(r, 20);
    CHECK(!tnum_ceil(even, UINT64_MAX, &r));
    CHECK(!tnum_floor(tnum_const(8), 7, &r));
    CHECK(tnum_ceil((struct tnum){0x10, 0x0f}, 3, &r));
    CHECK_EQ(r, 0x10);
}

TEST(forgetting_keeps_the_low_known_bits)
{
    struct tnum a = tnum_forget_from((struct tnum){0x4, 0x2}, 3);
    CHECK_EQ(a.value, 0x4);
    CHECK_EQ(a.mask, ~7ull | 0x2);
    CHECK(tnum_is_unknown(tnum_forget_from(tnum_const(5), 0)));
}

TEST(format_is_readable)
{
    char buf[64];
    CHECK_STR(tnum_format(tnum_const(5), buf, sizeof buf), "const 5");
    CHECK_STR(tnum_format(tnum_unknown(), buf, sizeof buf), "unknown");
    CHECK_STR(tnum_format((struct tnum){0x10, 0xf}, buf, sizeof buf), "(value=0x10, mask=0xf)");
}

TEST_MAIN
