#include "test.h"
#include "verifier/scalar.h"

/* Soundness: every operation on abstract values must contain the concrete results of all
 * the members it describes. Members are sampled from random abstract values. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool has(const struct scalar *s, uint64_t v)
{
    return v >= s->umin && v <= s->umax && (int64_t)v >= s->smin && (int64_t)v <= s->smax &&
           (uint32_t)v >= s->u32_min && (uint32_t)v <= s->u32_max &&
           (int32_t)(uint32_t)v >= s->s32_min && (int32_t)(uint32_t)v <= s->s32_max &&
           tnum_has(s->bits, v) && congruence_has(s->mod, v);
}

static uint64_t interesting(void)
{
    static const uint64_t bases[] = {0, 1, 7, 31, 32, 63, 255, 0x7fffffff, 0x80000000,
                                     0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
                                     0x8000000000000000ull, UINT64_MAX, UINT64_MAX - 5};
    uint64_t r = next_random();
    if (r % 4 == 0)
        return next_random();
    return bases[r % (sizeof bases / sizeof bases[0])] + (uint64_t)(int64_t)((int)(next_random() % 9) - 4);
}

static struct scalar random_scalar(void)
{
    uint64_t kind = next_random() % 6, lo = interesting();
    uint64_t width = next_random() % 3 == 0 ? 0 : (next_random() % 2 ? next_random() % 20 : next_random() >> (next_random() % 64));
    struct scalar s;
    if (kind == 0)
        s = scalar_const(lo);
    else if (kind == 1)
        s = scalar_unknown();
    else if (kind == 2) {
        int64_t hi;
        if (__builtin_add_overflow((int64_t)lo, (int64_t)(width & 0xffff), &hi))
            hi = INT64_MAX;
        s = scalar_srange((int64_t)lo, hi);
    }
    else
        s = scalar_urange(lo, lo + width < lo ? UINT64_MAX : lo + width);
    if (next_random() % 4 == 0) {
        struct scalar masked = s;
        struct scalar mask = scalar_const(next_random() % 2 ? 0xff0 : ~0xfull);
        masked = scalar_alu(SCALAR_AND, 64, &masked, &mask);
        s = masked;
    }
    if (next_random() % 4 == 0) { /* a stride that is not a power of two: s * k + c */
        static const uint64_t strides[] = {3, 7, 12, 1000003};
        struct scalar k = scalar_const(strides[next_random() % 4]), c = scalar_const(interesting());
        s = scalar_alu(SCALAR_MUL, 64, &s, &k);
        s = scalar_alu(SCALAR_ADD, next_random() % 2 ? 64 : 32, &s, &c);
    }
    if (next_random() % 8 == 0) { /* joins of constants give strides too */
        struct scalar a = scalar_const(lo), b = scalar_const(lo + 7 * (next_random() % 5));
        s = scalar_join(&a, &b);
    }
    return s;
}

/* Up to 8 members of s. */
static int members(const struct scalar *s, uint64_t *out)
{
    uint64_t candidates[16] = {s->umin, s->umax, (uint64_t)s->smin, (uint64_t)s->smax,
                               s->bits.value, s->bits.value | s->bits.mask};
    for (int i = 6; i < 16; i++) {
        uint64_t r = next_random();
        candidates[i] = i < 11 ? s->umin + r % 64 : (s->bits.value | (r & s->bits.mask));
    }
    int n = 0;
    for (int i = 0; i < 16 && n < 8; i++)
        if (has(s, candidates[i]))
            out[n++] = candidates[i];
    return n;
}

static uint64_t concrete64(enum scalar_op op, uint64_t x, uint64_t y)
{
    switch (op) {
    case SCALAR_ADD: return x + y;
    case SCALAR_SUB: return x - y;
    case SCALAR_MUL: return x * y;
    case SCALAR_DIV: return y ? x / y : 0;
    case SCALAR_MOD: return y ? x % y : x;
    case SCALAR_OR: return x | y;
    case SCALAR_AND: return x & y;
    case SCALAR_XOR: return x ^ y;
    case SCALAR_LSH: return x << (y & 63);
    case SCALAR_RSH: return x >> (y & 63);
    case SCALAR_ARSH: return (uint64_t)((int64_t)x >> (y & 63));
    case SCALAR_NEG: return 0 - x;
    case SCALAR_MOV: return y;
    case SCALAR_SDIV:
        if (!y) return 0;
        if ((int64_t)x == INT64_MIN && (int64_t)y == -1) return x;
        return (uint64_t)((int64_t)x / (int64_t)y);
    case SCALAR_SMOD:
        if (!y) return x;
        if ((int64_t)y == -1) return 0;
        return (uint64_t)((int64_t)x % (int64_t)y);
    }
    return 0;
}

static uint64_t concrete32(enum scalar_op op, uint64_t x64, uint64_t y64)
{
    uint32_t x = (uint32_t)x64, y = (uint32_t)y64;
    switch (op) {
    case SCALAR_LSH: return (uint32_t)(x << (y & 31));
    case SCALAR_RSH: return x >> (y & 31);
    case SCALAR_ARSH: return (uint32_t)((int32_t)x >> (y & 31));
    case SCALAR_SDIV:
        if (!y) return 0;
        if ((int32_t)x == INT32_MIN && (int32_t)y == -1) return x;
        return (uint32_t)((int32_t)x / (int32_t)y);
    case SCALAR_SMOD:
        if (!y) return x;
        if ((int32_t)y == -1) return 0;
        return (uint32_t)((int32_t)x % (int32_t)y);
    default: return (uint32_t)concrete64(op, x, y);
    }
}

static const enum scalar_op all_ops[] = {
    SCALAR_ADD, SCALAR_SUB, SCALAR_MUL, SCALAR_DIV, SCALAR_OR, SCALAR_AND, SCALAR_LSH,
    SCALAR_RSH, SCALAR_NEG, SCALAR_MOD, SCALAR_XOR, SCALAR_MOV, SCALAR_ARSH, SCALAR_SDIV,
    SCALAR_SMOD,
};

static bool report(const char *what, const struct scalar *r, uint64_t v)
{
    char buf[160];
    fprintf(stderr, "  %s: 0x%llx not in %s\n", what, (unsigned long long)v,
            scalar_format(r, buf, sizeof buf));
    return false;
}

TEST(alu_is_sound_64_and_32)
{
    int failures = 0;
    for (int round = 0; round < 4000 && failures < 5; round++) {
        struct scalar a = random_scalar(), b = random_scalar();
        uint64_t xs[8], ys[8];
        int nx = members(&a, xs), ny = members(&b, ys);
        for (size_t k = 0; k < sizeof all_ops / sizeof all_ops[0]; k++) {
            enum scalar_op op = all_ops[k];
            struct scalar r64 = scalar_alu(op, 64, &a, &b), r32 = scalar_alu(op, 32, &a, &b);
            for (int i = 0; i < nx; i++)
                for (int j = 0; j < ny; j++) {
                    if (!has(&r64, concrete64(op, xs[i], ys[j])) &&
                        !report("alu64", &r64, concrete64(op, xs[i], ys[j])))
                        failures++, fprintf(stderr, "  op %d x=0x%llx y=0x%llx\n", op, (unsigned long long)xs[i], (unsigned long long)ys[j]);
                    if (!has(&r32, concrete32(op, xs[i], ys[j])) &&
                        !report("alu32", &r32, concrete32(op, xs[i], ys[j])))
                        failures++, fprintf(stderr, "  op %d x=0x%llx y=0x%llx\n", op, (unsigned long long)xs[i], (unsigned long long)ys[j]);
                }
        }
    }
    CHECK_EQ(failures, 0);
}

TEST(width_changes_are_sound)
{
    int failures = 0;
    for (int round = 0; round < 4000 && failures < 5; round++) {
        struct scalar a = random_scalar();
        uint64_t xs[8];
        int nx = members(&a, xs);
        static const unsigned sizes[] = {1, 2, 4, 8};
        for (int k = 0; k < 4; k++) {
            unsigned size = sizes[k];
            struct scalar t = scalar_truncate(&a, size), s = scalar_sign_extend(&a, size),
                          w = scalar_bswap(&a, size);
            for (int i = 0; i < nx; i++) {
                uint64_t x = xs[i];
                uint64_t cut = size == 8 ? x : x & ((1ull << (size * 8)) - 1);
                uint64_t sext = size == 1 ? (uint64_t)(int8_t)x : size == 2 ? (uint64_t)(int16_t)x
                                : size == 4 ? (uint64_t)(int32_t)x : x;
                uint64_t swapped = size == 1 ? (uint8_t)x : size == 2 ? __builtin_bswap16((uint16_t)x)
                                   : size == 4 ? __builtin_bswap32((uint32_t)x) : __builtin_bswap64(x);
                if (!has(&t, cut) && !report("truncate", &t, cut)) failures++;
                if (!has(&s, sext) && !report("sign_extend", &s, sext)) failures++;
                if (size > 1 && !has(&w, swapped) && !report("bswap", &w, swapped)) failures++;
            }
        }
    }
    CHECK_EQ(failures, 0);
}

static bool holds(enum scalar_cond cond, unsigned bits, uint64_t x, uint64_t y)
{
    if (bits == 32)
        x = (uint32_t)x, y = (uint32_t)y;
    int64_t sx = bits == 32 ? (int32_t)(uint32_t)x : (int64_t)x;
    int64_t sy = bits == 32 ? (int32_t)(uint32_t)y : (int64_t)y;
    switch (cond) {
    case SCALAR_EQ: return x == y;
    case SCALAR_NE: return x != y;
    case SCALAR_GT: return x > y;
    case SCALAR_GE: return x >= y;
    case SCALAR_LT: return x < y;
    case SCALAR_LE: return x <= y;
    case SCALAR_SGT: return sx > sy;
    case SCALAR_SGE: return sx >= sy;
    case SCALAR_SLT: return sx < sy;
    case SCALAR_SLE: return sx <= sy;
    case SCALAR_SET: return (x & y) != 0;
    case SCALAR_NSET: return (x & y) == 0;
    }
    return false;
}

TEST(refinement_keeps_every_pair_that_satisfies_the_condition)
{
    int failures = 0;
    for (int round = 0; round < 4000 && failures < 5; round++) {
        struct scalar a = random_scalar(), b = next_random() % 2 ? random_scalar() : scalar_const(interesting());
        uint64_t xs[8], ys[8];
        int nx = members(&a, xs), ny = members(&b, ys);
        for (int c = SCALAR_EQ; c <= SCALAR_NSET; c++)
            for (unsigned bits = 32; bits <= 64; bits += 32) {
                struct scalar ra = a, rb = b;
                bool feasible = scalar_refine((enum scalar_cond)c, bits, &ra, &rb);
                for (int i = 0; i < nx; i++)
                    for (int j = 0; j < ny; j++) {
                        if (!holds((enum scalar_cond)c, bits, xs[i], ys[j]))
                            continue;
                        if (!feasible || !has(&ra, xs[i]) || !has(&rb, ys[j])) {
                            failures++;
                            fprintf(stderr, "  cond %d bits %u x=0x%llx y=0x%llx feasible=%d\n", c,
                                    bits, (unsigned long long)xs[i], (unsigned long long)ys[j], feasible);
                        }
                    }
            }
    }
    CHECK_EQ(failures, 0);
}

TEST(join_and_widen_contain_both)
{
    static const int64_t thresholds[] = {-1, 0, 9, 10, 11};
    for (int round = 0; round < 2000; round++) {
        struct scalar a = random_scalar(), b = random_scalar();
        struct scalar j = scalar_join(&a, &b), w = scalar_widen(&a, &b, thresholds, 5);
        CHECK(scalar_leq(&a, &j));
        CHECK(scalar_leq(&b, &j));
        CHECK(scalar_leq(&a, &w));
        CHECK(scalar_leq(&b, &w));
    }
}

TEST(widening_reaches_thresholds_then_infinity)
{
    static const int64_t thresholds[] = {9, 10, 11};
    struct scalar zero = scalar_const(0), one = scalar_const(1);
    struct scalar w = scalar_widen(&zero, &one, thresholds, 3);
    CHECK_EQ(w.umin, 0);
    CHECK_EQ(w.umax, 9);
    /* 12 still fits the known bits of [0, 9] (bits 4 and up clear): the bound stops at 15 */
    struct scalar twelve = scalar_const(12), sixteen = scalar_const(16);
    w = scalar_widen(&w, &twelve, thresholds, 3);
    CHECK_EQ(w.umax, 15);
    w = scalar_widen(&w, &sixteen, thresholds, 3);
    CHECK(w.umax > (1ull << 62)); /* past every threshold; the sign bits stay known clear */
    CHECK_EQ(w.umin, 0);
}

TEST(precise_results)
{
    char buf[128];
    struct scalar a = scalar_urange(0, 10), five = scalar_const(5);
    struct scalar r = scalar_alu(SCALAR_ADD, 64, &a, &five);
    CHECK_STR(scalar_format(&r, buf, sizeof buf), "[5, 15]");
    struct scalar any = scalar_unknown(), mask = scalar_const(0xff);
    r = scalar_alu(SCALAR_AND, 64, &any, &mask);
    CHECK_STR(scalar_format(&r, buf, sizeof buf), "[0, 255]");
    struct scalar minus_one = scalar_const(UINT64_MAX), one = scalar_const(1);
    r = scalar_alu(SCALAR_ADD, 32, &minus_one, &one);
    CHECK_STR(scalar_format(&r, buf, sizeof buf), "0");
    r = scalar_alu(SCALAR_MOV, 32, &any, &minus_one);
    CHECK_EQ(r.umin, 0xffffffffu);
    CHECK(scalar_is_const(&r));
    struct scalar zero = scalar_const(0), seven = scalar_const(7);
    r = scalar_alu(SCALAR_DIV, 64, &seven, &zero);
    CHECK(scalar_is_const(&r) && r.umin == 0);
    r = scalar_alu(SCALAR_MOD, 64, &seven, &zero);
    CHECK(scalar_is_const(&r) && r.umin == 7);
    r = scalar_alu(SCALAR_MOD, 64, &any, &seven);
    CHECK_STR(scalar_format(&r, buf, sizeof buf), "[0, 6]");
    struct scalar shift = scalar_const(60);
    r = scalar_alu(SCALAR_RSH, 64, &any, &shift);
    CHECK_STR(scalar_format(&r, buf, sizeof buf), "[0, 15]");
    struct scalar small = scalar_srange(-4, 3);
    r = scalar_alu(SCALAR_MUL, 64, &small, &small);
    CHECK_EQ(r.smin, -12);
    CHECK_EQ(r.smax, 16);
    struct scalar byte = scalar_const(0x80);
    r = scalar_sign_extend(&byte, 1);
    CHECK_EQ(r.smin, -128);
    CHECK(scalar_is_const(&r));
    struct scalar half = scalar_const(0x1234);
    r = scalar_bswap(&half, 2);
    CHECK_EQ(r.umin, 0x3412);
    struct scalar neg = scalar_srange(-5, 5);
    r = scalar_alu(SCALAR_SUB, 32, &neg, &one);
    CHECK_EQ(r.s32_min, -6);
    CHECK_EQ(r.s32_max, 4);
    r = scalar_alu(SCALAR_NEG, 64, &a, &a);
    CHECK_EQ(r.smin, -10);
    CHECK_EQ(r.smax, 0);
}

TEST(refinement_precision)
{
    struct scalar x = scalar_unknown(), ten = scalar_const(10);
    CHECK(scalar_refine(SCALAR_LT, 64, &x, &ten));
    CHECK_EQ(x.umin, 0);
    CHECK_EQ(x.umax, 9);
    CHECK_EQ(x.smin, 0); /* unsigned bound implies the signed one */
    x = scalar_unknown();
    CHECK(scalar_refine(SCALAR_SGT, 64, &x, &ten));
    CHECK_EQ(x.smin, 11);
    CHECK_EQ(x.umin, 11);
    /* jmp32: w1 < 10 says nothing of the high half */
    x = scalar_unknown();
    CHECK(scalar_refine(SCALAR_LT, 32, &x, &ten));
    CHECK_EQ(x.u32_max, 9);
    CHECK_EQ(x.umax, 0xffffffff0000000full);
    /* but with a zero high half it bounds everything */
    x = scalar_urange(0, UINT32_MAX);
    CHECK(scalar_refine(SCALAR_LT, 32, &x, &ten));
    CHECK_EQ(x.umax, 9);
    /* signed/unsigned mixing: s< 10 alone leaves the unsigned range open */
    x = scalar_unknown();
    CHECK(scalar_refine(SCALAR_SLT, 64, &x, &ten));
    CHECK_EQ(x.umax, UINT64_MAX);
    struct scalar zero = scalar_const(0);
    CHECK(scalar_refine(SCALAR_SGE, 64, &x, &zero));
    CHECK_EQ(x.umax, 9);
    /* impossible branches (which leave their operands unspecified) */
    struct scalar five = scalar_const(5);
    x = scalar_urange(0, 3);
    CHECK(!scalar_refine(SCALAR_GT, 64, &x, &five));
    five = scalar_const(5);
    x = scalar_const(5);
    struct scalar y = scalar_const(5);
    CHECK(!scalar_refine(SCALAR_NE, 64, &x, &y));
    x = scalar_urange(5, 9);
    five = scalar_const(5);
    CHECK(scalar_refine(SCALAR_NE, 64, &x, &five));
    CHECK_EQ(x.umin, 6);
    /* equality transfers the constant */
    x = scalar_unknown();
    CHECK(scalar_refine(SCALAR_EQ, 64, &x, &five));
    CHECK(scalar_is_const(&x) && x.umin == 5);
    /* jset with one bit */
    struct scalar bit = scalar_const(4);
    x = scalar_urange(0, 7);
    CHECK(scalar_refine(SCALAR_SET, 64, &x, &bit));
    CHECK_EQ(x.umin, 4);
    x = scalar_urange(0, 7);
    CHECK(scalar_refine(SCALAR_NSET, 64, &x, &bit));
    CHECK_EQ(x.umax, 3);
    x = scalar_const(3);
    CHECK(!scalar_refine(SCALAR_SET, 64, &x, &bit));
}

TEST(sync_deduces_across_views)
{
    struct scalar s = scalar_unknown();
    s.smin = 0;
    s.smax = 100;
    CHECK(scalar_sync(&s));
    CHECK_EQ(s.umax, 100);
    CHECK_EQ(s.u32_max, 100);
    CHECK_EQ(s.bits.mask, 127);
    s = scalar_unknown();
    s.umin = 10;
    s.umax = 5;
    CHECK(!scalar_sync(&s));
    s = scalar_unknown();
    s.bits = tnum_const(3);
    s.umin = 4;
    CHECK(!scalar_sync(&s));
}

/* The reduced product: bounds move to the nearest values the known bits allow, in every
 * view, and sync keeps every member (checked by brute force over small ranges). */
TEST(sync_moves_bounds_to_values_the_known_bits_allow)
{
    struct scalar s = scalar_unknown();
    s.umin = 1;
    s.umax = 19;
    s.bits = (struct tnum){0, ~1ull}; /* even */
    CHECK(scalar_sync(&s));
    CHECK_EQ(s.umin, 2);
    CHECK_EQ(s.umax, 18);
    CHECK_EQ(s.u32_max, 18);
    CHECK_EQ(s.smax, 18);
    s = scalar_srange(-7, 7);
    s.bits = (struct tnum){0, ~3ull}; /* a multiple of 4 */
    CHECK(scalar_sync(&s));
    CHECK_EQ(s.smin, -4);
    CHECK_EQ(s.smax, 4);
    CHECK_EQ(s.s32_min, -4);
    CHECK_EQ(s.s32_max, 4);
    s = scalar_urange(0x10, 0x1f);
    s.bits = (struct tnum){0x8, ~0xfull | 0x7}; /* bit 3 set */
    CHECK(scalar_sync(&s));
    CHECK_EQ(s.umin, 0x18);
    s = scalar_urange(5, 7);
    s.bits = (struct tnum){0, ~7ull}; /* a multiple of 8: none in [5, 7] */
    CHECK(!scalar_sync(&s));
    for (int round = 0; round < 5000; round++) {
        uint64_t lo = next_random() % 300, width = next_random() % 40;
        struct scalar r = round % 2 ? scalar_urange(lo - 150, lo - 150 + width)
                                    : scalar_urange(lo, lo + width);
        uint64_t align = (1ull << (next_random() % 4)) - 1;
        bool conflict;
        r.bits = tnum_intersect(r.bits, (struct tnum){next_random() & align & ~(align >> 1), ~align | (align >> 1)}, &conflict);
        if (conflict || r.umax - r.umin > 64)
            continue; /* wrapped ranges become unknown: too many members to list */
        struct scalar before = r;
        bool nonempty = scalar_sync(&r);
        bool any = false;
        for (uint64_t v = before.umin; v != before.umax + 1; v++)
            if (has(&before, v)) {
                any = true;
                if (!nonempty || !has(&r, v)) {
                    report("sync lost", &r, v);
                    CHECK(0);
                    return;
                }
            }
        CHECK_EQ(nonempty, any);
    }
}

/* A counter stepping by 2 from 0: widening keeps it even, and the chain ends. */
TEST(widening_keeps_low_known_bits_and_ends)
{
    static const int64_t thresholds[] = {0, 20};
    struct scalar head = scalar_const(0), two = scalar_const(2), bound = scalar_const(20);
    int rounds = 0;
    for (; rounds < 100; rounds++) {
        struct scalar body = head;
        if (!scalar_refine(SCALAR_LT, 64, &body, &bound))
            break;
        body = scalar_alu(SCALAR_ADD, 64, &body, &two);
        struct scalar next = scalar_widen(&head, &body, thresholds, 2);
        CHECK(scalar_sync(&next));
        if (scalar_leq(&next, &head))
            break;
        head = next;
        bound = scalar_const(20);
    }
    CHECK(rounds < 6);
    CHECK_EQ(head.umin, 0);
    CHECK_EQ(head.umax, 20);
    CHECK_EQ(head.bits.mask & 1, 0);
    CHECK_EQ(head.bits.value & 1, 0);
    /* In the body (head < 19 as ipv4_checksum compares), the largest even value is 18. */
    struct scalar body = head, nineteen = scalar_const(19);
    CHECK(scalar_refine(SCALAR_LT, 64, &body, &nineteen));
    CHECK_EQ(body.umax, 18);
    /* A counter stepping by 1 to an unknown bound reaches the extreme in few rounds. */
    struct scalar up = scalar_const(0), one = scalar_const(1);
    for (rounds = 0; rounds < 100; rounds++) {
        struct scalar body1 = scalar_alu(SCALAR_ADD, 64, &up, &one);
        struct scalar next = scalar_widen(&up, &body1, thresholds, 2);
        CHECK(scalar_sync(&next));
        if (scalar_leq(&next, &up))
            break;
        up = next;
    }
    CHECK(rounds < 6);
}

TEST(format)
{
    char buf[128];
    struct scalar s = scalar_srange(-4, 10);
    CHECK_STR(scalar_format(&s, buf, sizeof buf), "s[-4, 10]");
    s = scalar_const((uint64_t)-3);
    CHECK_STR(scalar_format(&s, buf, sizeof buf), "-3");
    s = scalar_unknown();
    CHECK_STR(scalar_format(&s, buf, sizeof buf), "unknown");
    struct scalar four = scalar_const(4);
    s = scalar_urange(0, 3);
    s = scalar_alu(SCALAR_MUL, 64, &s, &four);
    CHECK_STR(scalar_format(&s, buf, sizeof buf), "[0, 12] bits (value=0x0, mask=0xc)");
}

TEST_MAIN
