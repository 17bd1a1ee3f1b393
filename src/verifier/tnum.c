/* Known-bits arithmetic. The add/sub/mul algorithms are the ones proved sound for Linux's
 * tnum.c (Vishwanathan et al., CGO 2022). */
#include "verifier/tnum.h"

#include <inttypes.h>
#include <stdio.h>

struct tnum tnum_range(uint64_t min, uint64_t max)
{
    uint64_t chi = min ^ max;
    if (chi == 0)
        return tnum_const(min);
    unsigned bits = 64 - (unsigned)__builtin_clzll(chi);
    if (bits >= 64)
        return tnum_unknown();
    uint64_t delta = (1ull << bits) - 1;
    return (struct tnum){min & ~delta, delta};
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
    uint64_t sm = a.mask + b.mask;
    uint64_t sv = a.value + b.value;
    uint64_t sigma = sm + sv;
    uint64_t chi = sigma ^ sv;
    uint64_t mu = chi | a.mask | b.mask;
    return (struct tnum){sv & ~mu, mu};
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
    uint64_t dv = a.value - b.value;
    uint64_t alpha = dv + a.mask;
    uint64_t beta = dv - b.mask;
    uint64_t chi = alpha ^ beta;
    uint64_t mu = chi | a.mask | b.mask;
    return (struct tnum){dv & ~mu, mu};
}

struct tnum tnum_neg(struct tnum a) { return tnum_sub(tnum_const(0), a); }

struct tnum tnum_mul(struct tnum a, struct tnum b)
{
    struct tnum acc_v = tnum_const(a.value * b.value);
    struct tnum acc_m = tnum_const(0);
    while (a.value || a.mask) {
        if (a.value & 1)
            acc_m = tnum_add(acc_m, (struct tnum){0, b.mask});
        else if (a.mask & 1)
            acc_m = tnum_add(acc_m, (struct tnum){0, b.value | b.mask});
        a = tnum_rshift(a, 1);
        b = tnum_lshift(b, 1);
    }
    return tnum_add(acc_v, acc_m);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
    uint64_t alpha = a.value | a.mask, beta = b.value | b.mask;
    uint64_t v = a.value & b.value;
    return (struct tnum){v, alpha & beta & ~v};
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
    uint64_t v = a.value | b.value;
    uint64_t mu = a.mask | b.mask;
    return (struct tnum){v, mu & ~v};
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
    uint64_t v = a.value ^ b.value;
    uint64_t mu = a.mask | b.mask;
    return (struct tnum){v & ~mu, mu};
}

struct tnum tnum_lshift(struct tnum a, unsigned shift)
{
    return (struct tnum){a.value << shift, a.mask << shift};
}

struct tnum tnum_rshift(struct tnum a, unsigned shift)
{
    return (struct tnum){a.value >> shift, a.mask >> shift};
}

struct tnum tnum_arshift(struct tnum a, unsigned shift, unsigned bits)
{
    if (bits == 32)
        return (struct tnum){(uint32_t)((int32_t)(uint32_t)a.value >> shift),
                             (uint32_t)((int32_t)(uint32_t)a.mask >> shift)};
    return (struct tnum){(uint64_t)((int64_t)a.value >> shift),
                         (uint64_t)((int64_t)a.mask >> shift)};
}

struct tnum tnum_intersect(struct tnum a, struct tnum b, bool *empty)
{
    uint64_t known_both = ~a.mask & ~b.mask;
    if (empty)
        *empty = ((a.value ^ b.value) & known_both) != 0;
    uint64_t v = a.value | b.value;
    uint64_t mu = a.mask & b.mask;
    return (struct tnum){v & ~mu, mu};
}

struct tnum tnum_union(struct tnum a, struct tnum b)
{
    uint64_t mu = a.mask | b.mask | (a.value ^ b.value);
    return (struct tnum){a.value & ~mu, mu};
}

/* Members of a differ from each other only in unknown bits, so they are ordered like the
 * numbers formed by those bits: above the highest known bit where x disagrees with a, a
 * member can copy x; at that bit it either already exceeds x (then the rest is the
 * smallest filling) or must carry into the lowest unknown bit above where x has a 0. */
bool tnum_ceil(struct tnum a, uint64_t x, uint64_t *out)
{
    uint64_t diff = (x ^ a.value) & ~a.mask;
    if (!diff) {
        *out = x;
        return true;
    }
    uint64_t top = 1ull << (63 - __builtin_clzll(diff));
    uint64_t from_top = (top << 1) - 1; /* top and the bits below it */
    if (a.value & top) {
        *out = (x & ~from_top & a.mask) | a.value;
        return true;
    }
    uint64_t carry = a.mask & ~x & ~from_top;
    if (!carry)
        return false;
    uint64_t bit = carry & -carry;
    *out = (x & ~((bit << 1) - 1) & a.mask) | bit | a.value;
    return true;
}

bool tnum_floor(struct tnum a, uint64_t x, uint64_t *out)
{
    uint64_t diff = (x ^ a.value) & ~a.mask;
    if (!diff) {
        *out = x;
        return true;
    }
    uint64_t top = 1ull << (63 - __builtin_clzll(diff));
    uint64_t from_top = (top << 1) - 1;
    if (!(a.value & top)) {
        *out = (x & ~from_top & a.mask) | (a.mask & (top - 1)) | a.value;
        return true;
    }
    uint64_t borrow = a.mask & x & ~from_top;
    if (!borrow)
        return false;
    uint64_t bit = borrow & -borrow;
    *out = (x & ~((bit << 1) - 1) & a.mask) | (a.mask & (bit - 1)) | a.value;
    return true;
}

bool tnum_contains(struct tnum a, struct tnum b)
{
    if (b.mask & ~a.mask)
        return false;
    return (b.value & ~a.mask) == a.value;
}

struct tnum tnum_cast(struct tnum a, unsigned size)
{
    if (size >= 8)
        return a;
    uint64_t keep = (1ull << (size * 8)) - 1;
    return (struct tnum){a.value & keep, a.mask & keep};
}

struct tnum tnum_with_subreg(struct tnum a, struct tnum sub)
{
    uint64_t high = 0xffffffff00000000ull;
    return (struct tnum){(a.value & high) | (uint32_t)sub.value, (a.mask & high) | (uint32_t)sub.mask};
}

static uint64_t bswap_bytes(uint64_t x, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)x);
    case 4: return __builtin_bswap32((uint32_t)x);
    default: return __builtin_bswap64(x);
    }
}

struct tnum tnum_bswap(struct tnum a, unsigned size)
{
    return (struct tnum){bswap_bytes(a.value, size), bswap_bytes(a.mask, size)};
}

const char *tnum_format(struct tnum a, char *buf, size_t size)
{
    if (tnum_is_const(a))
        snprintf(buf, size, "const %" PRIu64, a.value);
    else if (tnum_is_unknown(a))
        snprintf(buf, size, "unknown");
    else
        snprintf(buf, size, "(value=0x%" PRIx64 ", mask=0x%" PRIx64 ")", a.value, a.mask);
    return buf;
}
