/* Congruence arithmetic (Granger's domain on unsigned 64-bit integers). */
#include "verifier/congruence.h"

/* gcd(0, x) = x: an exact value has "stride 0", and joins derive strides from gcds. */
static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static struct congruence make(uint64_t stride, __int128 value)
{
    if (stride == 0)
        return congruence_exact((uint64_t)value);
    if (stride == 1)
        return congruence_unknown();
    __int128 r = value % (__int128)stride;
    if (r < 0)
        r += stride;
    return (struct congruence){stride, (uint64_t)r};
}

bool congruence_has(struct congruence a, uint64_t v)
{
    if (a.stride == 0)
        return v == a.rem;
    return v % a.stride == a.rem;
}

static struct congruence combine(struct congruence a, struct congruence b, bool subtract,
                                 enum congruence_wrap wrap)
{
    uint64_t g = gcd(a.stride, b.stride);
    __int128 value = subtract ? (__int128)a.rem - (__int128)b.rem : (__int128)a.rem + (__int128)b.rem;
    if (wrap == CONGRUENCE_MAY_WRAP) {
        if (g == 0) /* two exact values wrap or not, never both: the caller had no intervals */
            return congruence_unknown();
        return make(g & -g, value); /* 2^64 = 0 modulo a power of two */
    }
    if (wrap == CONGRUENCE_WRAPS)
        value += subtract ? ((__int128)1 << 64) : -((__int128)1 << 64);
    return make(g, value);
}

struct congruence congruence_add(struct congruence a, struct congruence b, enum congruence_wrap wrap)
{
    return combine(a, b, false, wrap);
}

struct congruence congruence_sub(struct congruence a, struct congruence b, enum congruence_wrap wrap)
{
    return combine(a, b, true, wrap);
}

struct congruence congruence_mul_const(struct congruence a, uint64_t k)
{
    if (a.stride == 0)
        return congruence_exact(a.rem * k);
    if (k == 0)
        return congruence_exact(0);
    if (a.stride == 1)
        return make(k, 0);
    /* a = stride * q + rem, so a * k = (stride * k) * q + rem * k; when stride * k does not
     * fit, the product is still rem * k modulo stride, and 0 modulo k: keep the larger. */
    uint64_t stride;
    if (__builtin_mul_overflow(a.stride, k, &stride))
        return a.stride >= k ? make(a.stride, (__int128)(((unsigned __int128)a.rem * k) % a.stride))
                             : make(k, 0);
    return make(stride, (__int128)a.rem * k); /* rem < stride, so rem * k < stride * k < 2^64 */
}

struct congruence congruence_join(struct congruence a, struct congruence b)
{
    uint64_t diff = a.rem > b.rem ? a.rem - b.rem : b.rem - a.rem;
    return make(gcd(gcd(a.stride, b.stride), diff), a.rem);
}

bool congruence_leq(struct congruence a, struct congruence b)
{
    if (b.stride == 1)
        return true;
    if (a.stride == 0)
        return congruence_has(b, a.rem);
    if (b.stride == 0 || a.stride == 1)
        return false;
    return a.stride % b.stride == 0 && a.rem % b.stride == b.rem;
}

struct congruence congruence_meet(struct congruence a, struct congruence b, bool *empty)
{
    *empty = false;
    if (congruence_leq(a, b))
        return a;
    if (congruence_leq(b, a))
        return b;
    if (a.stride == 0 || b.stride == 0) { /* an exact value outside the other */
        *empty = true;
        return a;
    }
    /* Both proper strides, neither implying the other: common members exist exactly when
     * the remainders agree modulo the gcd (Chinese remainder theorem); keep one side. */
    uint64_t g = gcd(a.stride, b.stride);
    *empty = a.rem % g != b.rem % g;
    return a.stride >= b.stride ? a : b;
}

bool congruence_tighten(struct congruence a, uint64_t *lo, uint64_t *hi)
{
    if (a.stride == 1)
        return *lo <= *hi;
    if (a.stride == 0) {
        if (a.rem < *lo || a.rem > *hi)
            return false;
        *lo = *hi = a.rem;
        return true;
    }
    uint64_t up = (a.rem + a.stride - *lo % a.stride) % a.stride;
    uint64_t down = (*hi % a.stride + a.stride - a.rem) % a.stride;
    if (__builtin_add_overflow(*lo, up, lo) || *hi < down)
        return false;
    *hi -= down;
    return *lo <= *hi;
}
