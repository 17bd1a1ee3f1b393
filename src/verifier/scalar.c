/* Interval and known-bits arithmetic on 64-bit numbers and their 32-bit subregisters. */
#include "verifier/scalar.h"

#include <inttypes.h>
#include <stdio.h>

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static struct scalar synced(struct scalar s);

struct scalar scalar_unknown(void)
{
    return (struct scalar){INT64_MIN, INT64_MAX, 0, UINT64_MAX, INT32_MIN, INT32_MAX,
                           0, UINT32_MAX, tnum_unknown(), congruence_unknown()};
}

struct scalar scalar_const(uint64_t value)
{
    return (struct scalar){(int64_t)value, (int64_t)value, value, value,
                           (int32_t)(uint32_t)value, (int32_t)(uint32_t)value,
                           (uint32_t)value, (uint32_t)value, tnum_const(value),
                           congruence_exact(value)};
}

struct scalar scalar_urange(uint64_t min, uint64_t max)
{
    struct scalar s = scalar_unknown();
    s.umin = min;
    s.umax = max;
    return synced(s);
}

struct scalar scalar_srange(int64_t min, int64_t max)
{
    struct scalar s = scalar_unknown();
    s.smin = min;
    s.smax = max;
    return synced(s);
}

/* --- sync ------------------------------------------------------------------------------------ */

/* Signed order is unsigned order with the sign bit flipped, in the tnum and in the bound. */
static struct tnum flip_sign(struct tnum a, uint64_t sign)
{
    return (struct tnum){a.value ^ (sign & ~a.mask), a.mask};
}

/* Moves [*lo, *hi] inwards to the nearest members of t (the reduced product of intervals
 * and known bits); false when no member lies between them. */
static bool bounds_to_members(struct tnum t, uint64_t *lo, uint64_t *hi)
{
    return tnum_ceil(t, *lo, lo) && tnum_floor(t, *hi, hi) && *lo <= *hi;
}

static bool signed_bounds_to_members(struct tnum t, uint64_t sign, int64_t *lo, int64_t *hi)
{
    uint64_t ulo = (uint64_t)*lo ^ sign, uhi = (uint64_t)*hi ^ sign;
    if (sign == 0x80000000u) { /* 32-bit view: the bound is sign-extended, the tnum is not */
        ulo = (uint32_t)ulo;
        uhi = (uint32_t)uhi;
    }
    if (!bounds_to_members(flip_sign(t, sign), &ulo, &uhi))
        return false;
    ulo ^= sign;
    uhi ^= sign;
    *lo = sign == 0x80000000u ? (int32_t)(uint32_t)ulo : (int64_t)ulo;
    *hi = sign == 0x80000000u ? (int32_t)(uint32_t)uhi : (int64_t)uhi;
    return true;
}

static bool bounds_from_tnum(struct scalar *s)
{
    struct tnum sub = tnum_subreg(s->bits);
    uint64_t u32_lo = s->u32_min, u32_hi = s->u32_max;
    int64_t s32_lo = s->s32_min, s32_hi = s->s32_max;
    if (!bounds_to_members(s->bits, &s->umin, &s->umax) ||
        !signed_bounds_to_members(s->bits, 1ull << 63, &s->smin, &s->smax) ||
        !bounds_to_members(sub, &u32_lo, &u32_hi) ||
        !signed_bounds_to_members(sub, 0x80000000u, &s32_lo, &s32_hi))
        return false;
    s->u32_min = (uint32_t)u32_lo;
    s->u32_max = (uint32_t)u32_hi;
    s->s32_min = (int32_t)s32_lo;
    s->s32_max = (int32_t)s32_hi;
    return true;
}

/* Where a signed range does not cross the sign boundary, it is also an unsigned range, and
 * the other way round. */
static void signed_unsigned_64(struct scalar *s)
{
    if ((s->smin >= 0) == (s->smax >= 0)) {
        s->umin = MAX(s->umin, (uint64_t)s->smin);
        s->umax = MIN(s->umax, (uint64_t)s->smax);
    }
    if ((int64_t)s->umin <= (int64_t)s->umax) { /* same half */
        s->smin = MAX(s->smin, (int64_t)s->umin);
        s->smax = MIN(s->smax, (int64_t)s->umax);
    }
}

static void signed_unsigned_32(struct scalar *s)
{
    if ((s->s32_min >= 0) == (s->s32_max >= 0)) {
        s->u32_min = MAX(s->u32_min, (uint32_t)s->s32_min);
        s->u32_max = MIN(s->u32_max, (uint32_t)s->s32_max);
    }
    if ((int32_t)s->u32_min <= (int32_t)s->u32_max) {
        s->s32_min = MAX(s->s32_min, (int32_t)s->u32_min);
        s->s32_max = MIN(s->s32_max, (int32_t)s->u32_max);
    }
}

/* When the high halves of the 64-bit bounds agree, the low halves bound the subregister,
 * and the subregister bounds tighten the 64-bit bounds. */
static void mix_32_and_64(struct scalar *s)
{
    if ((s->umin >> 32) == (s->umax >> 32)) {
        s->u32_min = MAX(s->u32_min, (uint32_t)s->umin);
        s->u32_max = MIN(s->u32_max, (uint32_t)s->umax);
        if ((int32_t)(uint32_t)s->umin <= (int32_t)(uint32_t)s->umax) {
            s->s32_min = MAX(s->s32_min, (int32_t)(uint32_t)s->umin);
            s->s32_max = MIN(s->s32_max, (int32_t)(uint32_t)s->umax);
        }
        uint64_t high = s->umin & 0xffffffff00000000ull;
        s->umin = MAX(s->umin, high | s->u32_min);
        s->umax = MIN(s->umax, high | s->u32_max);
    }
    if ((s->smin >> 32) == (s->smax >> 32)) {
        if ((int32_t)(uint32_t)s->smin <= (int32_t)(uint32_t)s->smax) {
            s->s32_min = MAX(s->s32_min, (int32_t)(uint32_t)s->smin);
            s->s32_max = MIN(s->s32_max, (int32_t)(uint32_t)s->smax);
        }
        if ((uint32_t)s->smin <= (uint32_t)s->smax) {
            s->u32_min = MAX(s->u32_min, (uint32_t)s->smin);
            s->u32_max = MIN(s->u32_max, (uint32_t)s->smax);
        }
    }
    /* A 64-bit value in [INT32_MIN, INT32_MAX] is the sign extension of its subregister. */
    if (s->smin >= INT32_MIN && s->smax <= INT32_MAX) {
        s->s32_min = (int32_t)MAX((int64_t)s->s32_min, s->smin);
        s->s32_max = (int32_t)MIN((int64_t)s->s32_max, s->smax);
        s->smin = MAX(s->smin, (int64_t)s->s32_min);
        s->smax = MIN(s->smax, (int64_t)s->s32_max);
    }
}

static bool is_empty(const struct scalar *s)
{
    return s->smin > s->smax || s->umin > s->umax || s->s32_min > s->s32_max ||
           s->u32_min > s->u32_max;
}

bool scalar_sync(struct scalar *s)
{
    for (int round = 0; round < 3; round++) {
        if (!bounds_from_tnum(s) || !congruence_tighten(s->mod, &s->umin, &s->umax))
            return false;
        signed_unsigned_64(s);
        signed_unsigned_32(s);
        mix_32_and_64(s);
        if (is_empty(s))
            return false;
        bool empty;
        s->bits = tnum_intersect(s->bits, tnum_range(s->umin, s->umax), &empty);
        if (empty)
            return false;
        struct tnum sub = tnum_intersect(tnum_subreg(s->bits),
                                         tnum_range(s->u32_min, s->u32_max), &empty);
        if (empty)
            return false;
        s->bits = tnum_with_subreg(s->bits, sub);
    }
    if (!bounds_from_tnum(s) || is_empty(s))
        return false;
    if (s->umin == s->umax)
        s->mod = congruence_exact(s->umin);
    return true;
}


/* Sync for results that cannot be empty: an empty result would come from inconsistent
 * inputs, and the sound answer to those is "unknown". */
static struct scalar synced(struct scalar s)
{
    if (!scalar_sync(&s))
        return scalar_unknown(); /* unreachable for sound inputs; never claim emptiness here */
    return s;
}

/* --- interval helpers --------------------------------------------------------------------------- */

/* [alo, ahi] + [blo, bhi] modulo 2^64: exact when the sum's width does not wrap and both ends
 * wrap alike. */
static bool add_unsigned(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi, uint64_t *lo,
                         uint64_t *hi)
{
    uint64_t width;
    if (__builtin_add_overflow(ahi - alo, bhi - blo, &width))
        return false;
    bool lo_wraps = __builtin_add_overflow(alo, blo, lo);
    bool hi_wraps = __builtin_add_overflow(ahi, bhi, hi);
    return lo_wraps == hi_wraps;
}

static bool sub_unsigned(uint64_t alo, uint64_t ahi, uint64_t blo, uint64_t bhi, uint64_t *lo,
                         uint64_t *hi)
{
    uint64_t width;
    if (__builtin_add_overflow(ahi - alo, bhi - blo, &width))
        return false;
    bool lo_wraps = __builtin_sub_overflow(alo, bhi, lo);
    bool hi_wraps = __builtin_sub_overflow(ahi, blo, hi);
    return lo_wraps == hi_wraps;
}

static bool add_signed(int64_t alo, int64_t ahi, int64_t blo, int64_t bhi, int64_t *lo,
                       int64_t *hi)
{
    return !__builtin_add_overflow(alo, blo, lo) && !__builtin_add_overflow(ahi, bhi, hi);
}

static bool sub_signed(int64_t alo, int64_t ahi, int64_t blo, int64_t bhi, int64_t *lo,
                       int64_t *hi)
{
    return !__builtin_sub_overflow(alo, bhi, lo) && !__builtin_sub_overflow(ahi, blo, hi);
}

static void set_u32_from_u64(struct scalar *r, uint64_t lo, uint64_t hi)
{
    if (hi - lo <= UINT32_MAX && (lo >> 32) == (hi >> 32)) {
        r->u32_min = (uint32_t)lo;
        r->u32_max = (uint32_t)hi;
    }
}

static void set_s32_from_s64(struct scalar *r, int64_t lo, int64_t hi)
{
    if (lo >= INT32_MIN && hi <= INT32_MAX) {
        r->s32_min = (int32_t)lo;
        r->s32_max = (int32_t)hi;
    }
}

/* --- 64-bit operations --------------------------------------------------------------------------- */

/* Whether a + b (or a - b) wraps around 2^64 for no member pair, every pair, or some. */
static enum congruence_wrap add_wrap(const struct scalar *a, const struct scalar *b, bool subtract)
{
    uint64_t ignored;
    if (subtract)
        return a->umin >= b->umax ? CONGRUENCE_NO_WRAP
               : a->umax < b->umin ? CONGRUENCE_WRAPS : CONGRUENCE_MAY_WRAP;
    if (!__builtin_add_overflow(a->umax, b->umax, &ignored))
        return CONGRUENCE_NO_WRAP;
    return __builtin_add_overflow(a->umin, b->umin, &ignored) ? CONGRUENCE_WRAPS : CONGRUENCE_MAY_WRAP;
}

static struct scalar alu_add(const struct scalar *a, const struct scalar *b, bool subtract)
{
    struct scalar r = scalar_unknown();
    uint64_t ulo, uhi;
    int64_t slo, shi;
    enum congruence_wrap wrap = add_wrap(a, b, subtract);
    r.mod = subtract ? congruence_sub(a->mod, b->mod, wrap) : congruence_add(a->mod, b->mod, wrap);
    if (subtract) {
        r.bits = tnum_sub(a->bits, b->bits);
        if (sub_unsigned(a->umin, a->umax, b->umin, b->umax, &ulo, &uhi))
            r.umin = ulo, r.umax = uhi;
        if (sub_signed(a->smin, a->smax, b->smin, b->smax, &slo, &shi))
            r.smin = slo, r.smax = shi;
        set_u32_from_u64(&r, (uint64_t)a->u32_min - b->u32_max + (1ull << 32),
                         (uint64_t)a->u32_max - b->u32_min + (1ull << 32));
        set_s32_from_s64(&r, (int64_t)a->s32_min - b->s32_max, (int64_t)a->s32_max - b->s32_min);
    } else {
        r.bits = tnum_add(a->bits, b->bits);
        if (add_unsigned(a->umin, a->umax, b->umin, b->umax, &ulo, &uhi))
            r.umin = ulo, r.umax = uhi;
        if (add_signed(a->smin, a->smax, b->smin, b->smax, &slo, &shi))
            r.smin = slo, r.smax = shi;
        set_u32_from_u64(&r, (uint64_t)a->u32_min + b->u32_min, (uint64_t)a->u32_max + b->u32_max);
        set_s32_from_s64(&r, (int64_t)a->s32_min + b->s32_min, (int64_t)a->s32_max + b->s32_max);
    }
    return synced(r);
}

static struct scalar alu_mul(const struct scalar *a, const struct scalar *b)
{
    struct scalar r = scalar_unknown();
    r.bits = tnum_mul(a->bits, b->bits);
    uint64_t ulo, uhi;
    if (!__builtin_mul_overflow(a->umax, b->umax, &uhi)) {
        ulo = a->umin * b->umin;
        r.umin = ulo, r.umax = uhi;
        if (scalar_is_const(b))
            r.mod = congruence_mul_const(a->mod, b->bits.value);
        else if (scalar_is_const(a))
            r.mod = congruence_mul_const(b->mod, a->bits.value);
    }
    int64_t p[4];
    if (!__builtin_mul_overflow(a->smin, b->smin, &p[0]) &&
        !__builtin_mul_overflow(a->smin, b->smax, &p[1]) &&
        !__builtin_mul_overflow(a->smax, b->smin, &p[2]) &&
        !__builtin_mul_overflow(a->smax, b->smax, &p[3])) {
        r.smin = MIN(MIN(p[0], p[1]), MIN(p[2], p[3]));
        r.smax = MAX(MAX(p[0], p[1]), MAX(p[2], p[3]));
    }
    return synced(r);
}

static struct scalar alu_bitwise(enum scalar_op op, const struct scalar *a, const struct scalar *b)
{
    struct scalar r = scalar_unknown();
    switch (op) {
    case SCALAR_AND:
        r.bits = tnum_and(a->bits, b->bits);
        r.umax = MIN(a->umax, b->umax);
        break;
    case SCALAR_OR:
        r.bits = tnum_or(a->bits, b->bits);
        r.umin = MAX(a->umin, b->umin);
        break;
    default:
        r.bits = tnum_xor(a->bits, b->bits);
        break;
    }
    return synced(r);
}

/* Shift amounts are masked to the operand width by the ISA. */
static void shift_range(const struct scalar *b, unsigned bits, unsigned *lo, unsigned *hi)
{
    if (b->umax < bits) {
        *lo = (unsigned)b->umin;
        *hi = (unsigned)b->umax;
    } else {
        *lo = 0;
        *hi = bits - 1;
    }
}

static struct scalar alu_shift(enum scalar_op op, const struct scalar *a, const struct scalar *b)
{
    unsigned lo, hi;
    shift_range(b, 64, &lo, &hi);
    struct scalar r = scalar_unknown();
    bool constant = lo == hi;
    switch (op) {
    case SCALAR_LSH:
        if (constant)
            r.bits = tnum_lshift(a->bits, lo);
        if (a->umax <= (UINT64_MAX >> hi)) {
            r.umin = a->umin << lo, r.umax = a->umax << hi;
            if (constant)
                r.mod = congruence_mul_const(a->mod, 1ull << lo);
        }
        break;
    case SCALAR_RSH:
        if (constant)
            r.bits = tnum_rshift(a->bits, lo);
        r.umin = a->umin >> hi;
        r.umax = a->umax >> lo;
        break;
    default: /* arsh: moves every value towards 0 or -1 */
        if (constant)
            r.bits = tnum_arshift(a->bits, lo, 64);
        r.smin = MIN(a->smin >> lo, a->smin >> hi);
        r.smax = MAX(a->smax >> lo, a->smax >> hi);
        break;
    }
    return synced(r);
}

static uint64_t sdiv64(int64_t x, int64_t y)
{
    if (y == 0)
        return 0;
    if (x == INT64_MIN && y == -1)
        return (uint64_t)x;
    return (uint64_t)(x / y);
}

static uint64_t smod64(int64_t x, int64_t y)
{
    if (y == 0)
        return (uint64_t)x;
    if (y == -1)
        return 0;
    return (uint64_t)(x % y);
}

static struct scalar alu_division(enum scalar_op op, const struct scalar *a, const struct scalar *b)
{
    if (scalar_is_const(a) && scalar_is_const(b)) {
        uint64_t x = a->bits.value, y = b->bits.value;
        switch (op) {
        case SCALAR_DIV: return scalar_const(y ? x / y : 0);
        case SCALAR_MOD: return scalar_const(y ? x % y : x);
        case SCALAR_SDIV: return scalar_const(sdiv64((int64_t)x, (int64_t)y));
        default: return scalar_const(smod64((int64_t)x, (int64_t)y));
        }
    }
    struct scalar r = scalar_unknown();
    switch (op) {
    case SCALAR_DIV:
        r.umin = b->umin == 0 ? 0 : a->umin / b->umax;
        r.umax = a->umax / MAX(b->umin, 1);
        break;
    case SCALAR_MOD:
        if (a->umax < b->umin)
            return *a;
        r.umax = b->umin == 0 ? a->umax : MIN(a->umax, b->umax - 1);
        break;
    case SCALAR_SDIV:
        if (a->smin >= 0 && b->smin > 0) {
            r.umin = a->umin / b->umax;
            r.umax = a->umax / MAX(b->umin, 1);
        }
        break;
    default: /* smod: the remainder has the dividend's sign and is smaller than |divisor| */
        if (b->smin > 0 || b->smax < 0) {
            uint64_t limit = b->smin > 0 ? (uint64_t)b->smax - 1 : (uint64_t)0 - (uint64_t)b->smin - 1;
            if (limit <= INT64_MAX) {
                r.smin = a->smin >= 0 ? 0 : -(int64_t)limit;
                r.smax = a->smax <= 0 ? 0 : (int64_t)limit;
                if (a->smin >= 0)
                    r.smax = MIN(r.smax, a->smax);
            }
        }
        break;
    }
    return synced(r);
}

static struct scalar alu64(enum scalar_op op, const struct scalar *a, const struct scalar *b)
{
    switch (op) {
    case SCALAR_ADD: return alu_add(a, b, false);
    case SCALAR_SUB: return alu_add(a, b, true);
    case SCALAR_MUL: return alu_mul(a, b);
    case SCALAR_AND:
    case SCALAR_OR:
    case SCALAR_XOR: return alu_bitwise(op, a, b);
    case SCALAR_LSH:
    case SCALAR_RSH:
    case SCALAR_ARSH: return alu_shift(op, a, b);
    case SCALAR_DIV:
    case SCALAR_MOD:
    case SCALAR_SDIV:
    case SCALAR_SMOD: return alu_division(op, a, b);
    case SCALAR_MOV: return *b;
    case SCALAR_NEG: {
        struct scalar zero = scalar_const(0);
        return alu_add(&zero, a, true);
    }
    }
    return scalar_unknown();
}

/* --- 32-bit operations: computed on 64-bit views of the subregisters ---------------------------- */

static struct scalar zero_extended_subreg(const struct scalar *s)
{
    if (s->umax <= UINT32_MAX)
        return *s;
    struct scalar r = scalar_unknown();
    r.umin = s->u32_min;
    r.umax = s->u32_max;
    r.bits = tnum_subreg(s->bits);
    r.s32_min = s->s32_min;
    r.s32_max = s->s32_max;
    r.u32_min = s->u32_min;
    r.u32_max = s->u32_max;
    return synced(r);
}

static struct scalar sign_extended_subreg(const struct scalar *s)
{
    if (s->umax <= INT32_MAX)
        return *s;
    struct scalar r = scalar_unknown();
    r.smin = s->s32_min;
    r.smax = s->s32_max;
    r.s32_min = s->s32_min;
    r.s32_max = s->s32_max;
    r.u32_min = s->u32_min;
    r.u32_max = s->u32_max;
    struct tnum sub = tnum_subreg(s->bits);
    if (!(sub.mask & 0x80000000u)) /* sign known: the high half copies it */
        r.bits = (sub.value & 0x80000000u) ? (struct tnum){sub.value | 0xffffffff00000000ull, sub.mask}
                                           : sub;
    else
        r.bits = (struct tnum){sub.value, sub.mask | 0xffffffff00000000ull};
    return synced(r);
}

/* Operations whose low 32 result bits depend only on the operands' low 32 bits. */
static bool congruent_mod_2_32(enum scalar_op op)
{
    switch (op) {
    case SCALAR_ADD: case SCALAR_SUB: case SCALAR_MUL: case SCALAR_AND: case SCALAR_OR:
    case SCALAR_XOR: case SCALAR_LSH: case SCALAR_NEG: case SCALAR_MOV:
        return true;
    default:
        return false;
    }
}

static struct scalar mask_shift_32(const struct scalar *b)
{
    if (b->umax < 32)
        return *b;
    struct scalar r = scalar_urange(0, 31);
    if (scalar_is_const(b))
        r = scalar_const(b->bits.value & 31);
    return r;
}

static struct scalar alu32(enum scalar_op op, const struct scalar *a, const struct scalar *b)
{
    struct scalar za = zero_extended_subreg(a), zb = zero_extended_subreg(b);
    struct scalar sa = sign_extended_subreg(a), sb = sign_extended_subreg(b);
    if (op == SCALAR_LSH || op == SCALAR_RSH || op == SCALAR_ARSH) {
        zb = mask_shift_32(&zb);
        sb = zb;
    }
    struct scalar result;
    if (congruent_mod_2_32(op)) {
        struct scalar from_zero = alu64(op, &za, &zb), from_sign = alu64(op, &sa, &sb);
        struct scalar z = scalar_truncate(&from_zero, 4), s = scalar_truncate(&from_sign, 4);
        result = z;
        if (!scalar_meet(&result, &s))
            result = z;
    } else if (op == SCALAR_ARSH || op == SCALAR_SDIV || op == SCALAR_SMOD) {
        struct scalar wide = alu64(op, &sa, &sb);
        result = scalar_truncate(&wide, 4);
    } else {
        struct scalar wide = alu64(op, &za, &zb);
        result = scalar_truncate(&wide, 4);
    }
    return result;
}

struct scalar scalar_alu(enum scalar_op op, unsigned bits, const struct scalar *dst,
                         const struct scalar *src)
{
    if (bits == 32)
        return alu32(op, dst, src);
    return alu64(op, dst, src);
}

/* --- width changes --------------------------------------------------------------------------------- */

struct scalar scalar_truncate(const struct scalar *s, unsigned size)
{
    if (size >= 8)
        return *s;
    unsigned nbits = size * 8;
    uint64_t keep = (1ull << nbits) - 1;
    if (s->umax <= keep)
        return *s;
    struct scalar r = scalar_urange(0, keep);
    r.bits = tnum_cast(s->bits, size);
    if ((s->umin >> nbits) == (s->umax >> nbits)) {
        r.umin = s->umin & keep;
        r.umax = s->umax & keep;
    } else if ((s->smin >> nbits) == (s->smax >> nbits)) {
        r.umin = (uint64_t)s->smin & keep;
        r.umax = (uint64_t)s->smax & keep;
    }
    if (size == 4) {
        r.umin = MAX(r.umin, s->u32_min);
        r.umax = MIN(r.umax, s->u32_max);
        r.u32_min = s->u32_min;
        r.u32_max = s->u32_max;
        r.s32_min = s->s32_min;
        r.s32_max = s->s32_max;
    }
    r.smin = 0;
    r.smax = (int64_t)keep;
    return synced(r);
}

struct scalar scalar_sign_extend(const struct scalar *s, unsigned size)
{
    if (size >= 8)
        return *s;
    unsigned nbits = size * 8;
    int64_t low = -(int64_t)(1ull << (nbits - 1)), high = (int64_t)(1ull << (nbits - 1)) - 1;
    if (s->umax <= (uint64_t)high)
        return *s;
    struct scalar r = scalar_srange(low, high);
    struct tnum cut = tnum_cast(s->bits, size);
    uint64_t sign = 1ull << (nbits - 1), upper = ~((1ull << nbits) - 1);
    if (!(cut.mask & sign))
        r.bits = (cut.value & sign) ? (struct tnum){cut.value | upper, cut.mask} : cut;
    else
        r.bits = (struct tnum){cut.value, cut.mask | upper};
    if (s->smin >= low && s->smax <= high) {
        r.smin = s->smin;
        r.smax = s->smax;
    } else if (size == 4) {
        r.smin = s->s32_min;
        r.smax = s->s32_max;
    } else {
        struct scalar z = scalar_truncate(s, size);
        if (z.umax <= (uint64_t)high) {
            r.smin = (int64_t)z.umin;
            r.smax = (int64_t)z.umax;
        }
    }
    r.umin = 0;
    r.umax = UINT64_MAX;
    return synced(r);
}

struct scalar scalar_bswap(const struct scalar *s, unsigned size)
{
    struct scalar r = size >= 8 ? scalar_unknown() : scalar_urange(0, (1ull << (size * 8)) - 1);
    r.bits = tnum_bswap(s->bits, size);
    return synced(r);
}

/* --- conditions --------------------------------------------------------------------------------- */

enum scalar_cond scalar_cond_negate(enum scalar_cond cond)
{
    static const enum scalar_cond negation[] = {
        [SCALAR_EQ] = SCALAR_NE, [SCALAR_NE] = SCALAR_EQ, [SCALAR_GT] = SCALAR_LE,
        [SCALAR_GE] = SCALAR_LT, [SCALAR_LT] = SCALAR_GE, [SCALAR_LE] = SCALAR_GT,
        [SCALAR_SGT] = SCALAR_SLE, [SCALAR_SGE] = SCALAR_SLT, [SCALAR_SLT] = SCALAR_SGE,
        [SCALAR_SLE] = SCALAR_SGT, [SCALAR_SET] = SCALAR_NSET, [SCALAR_NSET] = SCALAR_SET,
    };
    return negation[cond];
}

enum scalar_cond scalar_cond_swap(enum scalar_cond cond)
{
    static const enum scalar_cond swapped[] = {
        [SCALAR_EQ] = SCALAR_EQ, [SCALAR_NE] = SCALAR_NE, [SCALAR_GT] = SCALAR_LT,
        [SCALAR_GE] = SCALAR_LE, [SCALAR_LT] = SCALAR_GT, [SCALAR_LE] = SCALAR_GE,
        [SCALAR_SGT] = SCALAR_SLT, [SCALAR_SGE] = SCALAR_SLE, [SCALAR_SLT] = SCALAR_SGT,
        [SCALAR_SLE] = SCALAR_SGE, [SCALAR_SET] = SCALAR_SET, [SCALAR_NSET] = SCALAR_NSET,
    };
    return swapped[cond];
}

static bool less_u64(struct scalar *a, struct scalar *b, bool strict)
{
    if (strict && (b->umax == 0 || a->umin == UINT64_MAX))
        return false;
    a->umax = MIN(a->umax, b->umax - strict);
    b->umin = MAX(b->umin, a->umin + strict);
    return true;
}

static bool less_s64(struct scalar *a, struct scalar *b, bool strict)
{
    if (strict && (b->smax == INT64_MIN || a->smin == INT64_MAX))
        return false;
    a->smax = MIN(a->smax, b->smax - strict);
    b->smin = MAX(b->smin, a->smin + strict);
    return true;
}

static bool less_u32(struct scalar *a, struct scalar *b, bool strict)
{
    if (strict && (b->u32_max == 0 || a->u32_min == UINT32_MAX))
        return false;
    a->u32_max = MIN(a->u32_max, b->u32_max - strict);
    b->u32_min = MAX(b->u32_min, a->u32_min + strict);
    return true;
}

static bool less_s32(struct scalar *a, struct scalar *b, bool strict)
{
    if (strict && (b->s32_max == INT32_MIN || a->s32_min == INT32_MAX))
        return false;
    a->s32_max = MIN(a->s32_max, b->s32_max - strict);
    b->s32_min = MAX(b->s32_min, a->s32_min + strict);
    return true;
}

static bool less(struct scalar *a, struct scalar *b, bool is_signed, unsigned bits, bool strict)
{
    if (bits == 32)
        return is_signed ? less_s32(a, b, strict) : less_u32(a, b, strict);
    return is_signed ? less_s64(a, b, strict) : less_u64(a, b, strict);
}

static bool meet_subreg(struct scalar *a, struct scalar *b)
{
    a->u32_min = b->u32_min = MAX(a->u32_min, b->u32_min);
    a->u32_max = b->u32_max = MIN(a->u32_max, b->u32_max);
    a->s32_min = b->s32_min = MAX(a->s32_min, b->s32_min);
    a->s32_max = b->s32_max = MIN(a->s32_max, b->s32_max);
    bool empty;
    struct tnum sub = tnum_intersect(tnum_subreg(a->bits), tnum_subreg(b->bits), &empty);
    a->bits = tnum_with_subreg(a->bits, sub);
    b->bits = tnum_with_subreg(b->bits, sub);
    return !empty;
}

/* a != c for a constant c: only a bound equal to c can move. */
static bool exclude_const(struct scalar *a, uint64_t c, unsigned bits)
{
    if (bits == 32) {
        uint32_t c32 = (uint32_t)c;
        if (a->u32_min == c32 && a->u32_max == c32)
            return false;
        if (a->u32_min == c32)
            a->u32_min++;
        else if (a->u32_max == c32)
            a->u32_max--;
        if (a->s32_min == (int32_t)c32)
            a->s32_min++;
        else if (a->s32_max == (int32_t)c32)
            a->s32_max--;
        return true;
    }
    if (scalar_is_const(a) && a->bits.value == c)
        return false;
    if (a->umin == c)
        a->umin++;
    else if (a->umax == c)
        a->umax--;
    if (a->smin == (int64_t)c)
        a->smin++;
    else if (a->smax == (int64_t)c)
        a->smax--;
    return true;
}

static bool subreg_is_const(const struct scalar *s) { return (uint32_t)s->bits.mask == 0; }

static bool refine_bit_test(enum scalar_cond cond, unsigned bits, struct scalar *a, struct scalar *b)
{
    struct tnum both = tnum_and(a->bits, b->bits);
    if (bits == 32)
        both = tnum_subreg(both);
    if (cond == SCALAR_SET) {
        if (tnum_is_const(both) && both.value == 0)
            return false;
        /* a single tested bit must be set */
        if (subreg_is_const(b) && (bits == 32 || tnum_is_const(b->bits))) {
            uint64_t c = bits == 32 ? (uint32_t)b->bits.value : b->bits.value;
            if (c && !(c & (c - 1))) {
                a->bits.value |= c;
                a->bits.mask &= ~c;
            }
        }
        return true;
    }
    if (both.value != 0)
        return false;
    if (subreg_is_const(b) && (bits == 32 || tnum_is_const(b->bits))) {
        uint64_t c = bits == 32 ? (uint32_t)b->bits.value : b->bits.value;
        a->bits.value &= ~c;
        a->bits.mask &= ~c;
    }
    return true;
}

static bool refine_unsynced(enum scalar_cond cond, unsigned bits, struct scalar *a, struct scalar *b)
{
    switch (cond) {
    case SCALAR_EQ:
        if (bits == 32)
            return meet_subreg(a, b);
        if (!scalar_meet(a, b))
            return false;
        *b = *a;
        return true;
    case SCALAR_NE:
        if (bits == 32 ? subreg_is_const(b) : scalar_is_const(b))
            return exclude_const(a, b->bits.value, bits);
        if (bits == 32 ? subreg_is_const(a) : scalar_is_const(a))
            return exclude_const(b, a->bits.value, bits);
        return true;
    case SCALAR_LT: return less(a, b, false, bits, true);
    case SCALAR_LE: return less(a, b, false, bits, false);
    case SCALAR_GT: return less(b, a, false, bits, true);
    case SCALAR_GE: return less(b, a, false, bits, false);
    case SCALAR_SLT: return less(a, b, true, bits, true);
    case SCALAR_SLE: return less(a, b, true, bits, false);
    case SCALAR_SGT: return less(b, a, true, bits, true);
    case SCALAR_SGE: return less(b, a, true, bits, false);
    case SCALAR_SET:
    case SCALAR_NSET: {
        if (!refine_bit_test(cond, bits, a, b))
            return false;
        return refine_bit_test(cond, bits, b, a);
    }
    }
    return true;
}

bool scalar_refine(enum scalar_cond cond, unsigned bits, struct scalar *a, struct scalar *b)
{
    if (!refine_unsynced(cond, bits, a, b))
        return false;
    return scalar_sync(a) && scalar_sync(b);
}

/* --- lattice ------------------------------------------------------------------------------------ */

struct scalar scalar_join(const struct scalar *a, const struct scalar *b)
{
    struct scalar r = {
        MIN(a->smin, b->smin), MAX(a->smax, b->smax), MIN(a->umin, b->umin), MAX(a->umax, b->umax),
        MIN(a->s32_min, b->s32_min), MAX(a->s32_max, b->s32_max),
        MIN(a->u32_min, b->u32_min), MAX(a->u32_max, b->u32_max), tnum_union(a->bits, b->bits),
        congruence_join(a->mod, b->mod),
    };
    return synced(r);
}

bool scalar_meet(struct scalar *a, const struct scalar *b)
{
    a->smin = MAX(a->smin, b->smin);
    a->smax = MIN(a->smax, b->smax);
    a->umin = MAX(a->umin, b->umin);
    a->umax = MIN(a->umax, b->umax);
    a->s32_min = MAX(a->s32_min, b->s32_min);
    a->s32_max = MIN(a->s32_max, b->s32_max);
    a->u32_min = MAX(a->u32_min, b->u32_min);
    a->u32_max = MIN(a->u32_max, b->u32_max);
    bool empty, no_common;
    a->bits = tnum_intersect(a->bits, b->bits, &empty);
    a->mod = congruence_meet(a->mod, b->mod, &no_common);
    return !empty && !no_common && scalar_sync(a);
}

bool scalar_leq(const struct scalar *a, const struct scalar *b)
{
    return a->smin >= b->smin && a->smax <= b->smax && a->umin >= b->umin && a->umax <= b->umax &&
           a->s32_min >= b->s32_min && a->s32_max <= b->s32_max && a->u32_min >= b->u32_min &&
           a->u32_max <= b->u32_max && tnum_contains(b->bits, a->bits) &&
           congruence_leq(a->mod, b->mod);
}

static int64_t threshold_above(int64_t v, const int64_t *t, size_t n, int64_t extreme)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] >= v)
            return t[i];
    return extreme;
}

static int64_t threshold_below(int64_t v, const int64_t *t, size_t n, int64_t extreme)
{
    for (size_t i = n; i-- > 0;)
        if (t[i] <= v)
            return t[i];
    return extreme;
}

/* Unsigned bounds use the non-negative thresholds. */
static uint64_t uthreshold_above(uint64_t v, const int64_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] >= 0 && (uint64_t)t[i] >= v)
            return (uint64_t)t[i];
    return UINT64_MAX;
}

static uint64_t uthreshold_below(uint64_t v, const int64_t *t, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (t[i] >= 0 && (uint64_t)t[i] <= v)
            return (uint64_t)t[i];
    return 0;
}

struct scalar scalar_widen(const struct scalar *old, const struct scalar *grown,
                           const int64_t *thresholds, size_t threshold_count)
{
    struct scalar j = scalar_join(old, grown);
    struct scalar r = j;
    const int64_t *t = thresholds;
    size_t n = threshold_count;
    if (j.smin < old->smin)
        r.smin = threshold_below(j.smin, t, n, INT64_MIN);
    if (j.smax > old->smax)
        r.smax = threshold_above(j.smax, t, n, INT64_MAX);
    if (j.umin < old->umin)
        r.umin = uthreshold_below(j.umin, t, n);
    if (j.umax > old->umax)
        r.umax = uthreshold_above(j.umax, t, n);
    if (j.s32_min < old->s32_min)
        r.s32_min = (int32_t)MAX(threshold_below(j.s32_min, t, n, INT32_MIN), INT32_MIN);
    if (j.s32_max > old->s32_max)
        r.s32_max = (int32_t)MIN(threshold_above(j.s32_max, t, n, INT32_MAX), INT32_MAX);
    if (j.u32_min < old->u32_min)
        r.u32_min = (uint32_t)MIN(uthreshold_below(j.u32_min, t, n), UINT32_MAX);
    if (j.u32_max > old->u32_max)
        r.u32_max = (uint32_t)MIN(uthreshold_above(j.u32_max, t, n), UINT32_MAX);
    /* Known bits are kept through widening (parity and alignment of loop counters live
     * there): joins only ever forget bits, so they are a finite chain. To keep that chain
     * short, a widening that forgets a bit forgets every bit above it too; the low known
     * bits survive. Bounds widened past what the known bits allow are pulled back by
     * sync, which is sound (the known bits hold for every joined value) and cannot repeat
     * without the known bits shrinking. The result is synced so that the next widening
     * compares with bounds that mean something. */
    uint64_t forgotten = j.bits.mask & ~old->bits.mask;
    if (forgotten)
        r.bits = tnum_forget_from(j.bits, (unsigned)__builtin_ctzll(forgotten));
    return synced(r);
}

const char *scalar_format(const struct scalar *s, char *buf, size_t size)
{
    if (scalar_is_const(s)) {
        if (s->smin < 0 && s->smin > -4096)
            snprintf(buf, size, "%" PRId64, s->smin);
        else
            snprintf(buf, size, "%" PRIu64, s->umin);
        return buf;
    }
    if (scalar_is_unknown(s)) {
        snprintf(buf, size, "unknown");
        return buf;
    }
    int n;
    if (s->smin >= 0 || (s->umax <= INT64_MAX))
        n = snprintf(buf, size, "[%" PRIu64 ", %" PRIu64 "]", s->umin, s->umax);
    else if (s->smin != INT64_MIN || s->smax != INT64_MAX)
        n = snprintf(buf, size, "s[%" PRId64 ", %" PRId64 "]", s->smin, s->smax);
    else
        n = snprintf(buf, size, "[%" PRIu64 ", %" PRIu64 "]", s->umin, s->umax);
    struct tnum implied = tnum_range(s->umin, s->umax);
    if (n > 0 && (size_t)n < size && !tnum_equals(implied, s->bits)) {
        char bits[64];
        int more = snprintf(buf + n, size - (size_t)n, " bits %s", tnum_format(s->bits, bits, sizeof bits));
        n = more > 0 ? n + more : n;
    }
    /* power-of-two strides are in the known bits already */
    uint64_t stride = s->mod.stride;
    if (n > 0 && (size_t)n < size && stride > 1 && (stride & (stride - 1)))
        snprintf(buf + n, size - (size_t)n, " mod %" PRIu64 " = %" PRIu64, stride, s->mod.rem);
    return buf;
}
