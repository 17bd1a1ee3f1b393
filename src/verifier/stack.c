/* The byte-by-byte stack. */
#include "verifier/stack.h"

#include <string.h>

void stack_init(struct stack *s)
{
    memset(s->bytes, STACK_UNINIT, sizeof s->bytes);
    for (unsigned i = 0; i < STACK_SLOTS; i++)
        s->spills[i] = value_uninit();
}

static unsigned index_of(int64_t offset) { return (unsigned)(offset + EBPF_STACK_SIZE); }

/* A slot that is partly overwritten keeps only the knowledge that its bytes hold data; the
 * remains of a pointer may not be read at all (they would leak it as a number). */
static void break_spill(struct stack *s, unsigned slot)
{
    if (s->bytes[slot * 8] != STACK_SPILL)
        return;
    bool pointer = value_is_pointer(&s->spills[slot]);
    memset(&s->bytes[slot * 8], pointer ? STACK_UNINIT : STACK_DATA, 8);
    s->spills[slot] = value_uninit();
}

void stack_write(struct stack *s, int64_t offset, unsigned size, const struct value *value)
{
    unsigned first = index_of(offset);
    if (size == 8 && first % 8 == 0 && value && value->type != VALUE_UNINIT) {
        memset(&s->bytes[first], STACK_SPILL, 8);
        s->spills[first / 8] = *value;
        return;
    }
    for (unsigned slot = first / 8; slot <= (first + size - 1) / 8; slot++)
        break_spill(s, slot);
    memset(&s->bytes[first], STACK_DATA, size);
}

void stack_write_variable(struct stack *s, int64_t min, int64_t max, unsigned size)
{
    unsigned first = index_of(min), last = index_of(max) + size - 1;
    for (unsigned slot = first / 8; slot <= last / 8; slot++)
        break_spill(s, slot);
}

void stack_fill(struct stack *s, int64_t offset, unsigned size)
{
    stack_write(s, offset, size, NULL);
}

int64_t stack_first_uninit(const struct stack *s, int64_t offset, unsigned size)
{
    unsigned first = index_of(offset);
    for (unsigned i = 0; i < size; i++)
        if (s->bytes[first + i] == STACK_UNINIT)
            return offset + i;
    return INT64_MIN;
}

static struct value unknown_of_size(unsigned size, bool sign_extend)
{
    if (size == 8)
        return value_unknown_scalar();
    if (sign_extend) {
        int64_t half = (int64_t)1 << (size * 8 - 1);
        return value_scalar(scalar_srange(-half, half - 1));
    }
    return value_scalar(scalar_urange(0, (1ull << (size * 8)) - 1));
}

struct value stack_read(const struct stack *s, int64_t offset, unsigned size, bool sign_extend)
{
    unsigned first = index_of(offset), slot = first / 8;
    if (s->bytes[first] != STACK_SPILL || (first + size - 1) / 8 != slot)
        return unknown_of_size(size, sign_extend);
    const struct value *spilled = &s->spills[slot];
    if (size == 8 && first % 8 == 0)
        return *spilled;
    /* Narrow read of a spilled number: the low bytes (little-endian) are its truncation. */
    if (spilled->type == VALUE_SCALAR && first % 8 == 0) {
        struct scalar low = sign_extend ? scalar_sign_extend(&spilled->var, size)
                                        : scalar_truncate(&spilled->var, size);
        return value_scalar(low);
    }
    return unknown_of_size(size, sign_extend);
}

void stack_join(struct stack *into, const struct stack *other, const int64_t *thresholds,
                size_t threshold_count, bool widen)
{
    for (unsigned slot = 0; slot < STACK_SLOTS; slot++) {
        uint8_t *a = &into->bytes[slot * 8];
        const uint8_t *b = &other->bytes[slot * 8];
        if (a[0] == STACK_SPILL && b[0] == STACK_SPILL) {
            struct value j = value_join(&into->spills[slot], &other->spills[slot], thresholds,
                                        threshold_count, widen);
            if (j.type == VALUE_SCALAR || value_is_pointer(&j)) {
                into->spills[slot] = j;
                continue;
            }
        }
        bool pointer = (a[0] == STACK_SPILL && value_is_pointer(&into->spills[slot])) ||
                       (b[0] == STACK_SPILL && value_is_pointer(&other->spills[slot]));
        if (a[0] == STACK_SPILL)
            into->spills[slot] = value_uninit();
        if (pointer) { /* a pointer on one path: unreadable, like the remains of a pointer */
            memset(a, STACK_UNINIT, 8);
            continue;
        }
        for (unsigned i = 0; i < 8; i++) {
            uint8_t x = a[i] == STACK_SPILL ? STACK_DATA : a[i];
            uint8_t y = b[i] == STACK_SPILL ? STACK_DATA : b[i];
            a[i] = (x == STACK_UNINIT || y == STACK_UNINIT) ? STACK_UNINIT : STACK_DATA;
        }
    }
}

bool stack_leq(const struct stack *a, const struct stack *b)
{
    for (unsigned slot = 0; slot < STACK_SLOTS; slot++) {
        const uint8_t *x = &a->bytes[slot * 8], *y = &b->bytes[slot * 8];
        if (y[0] == STACK_SPILL) {
            if (x[0] != STACK_SPILL || !value_leq(&a->spills[slot], &b->spills[slot]))
                return false;
            continue;
        }
        /* A spilled pointer read back as data would become a number in b but a pointer in a. */
        bool pointer = x[0] == STACK_SPILL && a->spills[slot].type != VALUE_SCALAR;
        for (unsigned i = 0; i < 8; i++)
            if (y[i] == STACK_DATA && (x[i] == STACK_UNINIT || pointer))
                return false;
    }
    return true;
}
