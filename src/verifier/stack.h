/* One frame's 512-byte stack, byte by byte: never written, holding data (a number we know
 * nothing more of), or part of an 8-byte aligned slot holding a spilled register, whose
 * value (scalar or pointer) is kept whole. Offsets are relative to r10: -512 .. -1. */
#ifndef BPFHOST_VERIFIER_STACK_H
#define BPFHOST_VERIFIER_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "verifier/value.h"

enum stack_byte { STACK_UNINIT, STACK_DATA, STACK_SPILL };

enum { STACK_SLOTS = EBPF_STACK_SIZE / 8 };

struct stack {
    uint8_t bytes[EBPF_STACK_SIZE];        /* enum stack_byte; index = offset + 512 */
    struct value spills[STACK_SLOTS];      /* slot i covers bytes 8i .. 8i+7 */
};

void stack_init(struct stack *s);

/* Writes size bytes at a constant offset. A register stored whole into an aligned slot is
 * spilled (value may be NULL for data of no known value, e.g. stores of narrow immediates). */
void stack_write(struct stack *s, int64_t offset, unsigned size, const struct value *value);
/* A store whose offset is only known to lie in [min, max]: bytes that may be written lose
 * their spilled value; bytes never written stay so (the store might not reach them). */
void stack_write_variable(struct stack *s, int64_t min, int64_t max, unsigned size);
/* Marks bytes as written by a helper (data). */
void stack_fill(struct stack *s, int64_t offset, unsigned size);

/* Offset of the first uninitialised byte in [offset, offset + size), or INT64_MIN if all
 * are initialised. */
int64_t stack_first_uninit(const struct stack *s, int64_t offset, unsigned size);
/* Value read by a size-byte load at a constant offset (all bytes initialised). sign_extend
 * selects ldsx. */
struct value stack_read(const struct stack *s, int64_t offset, unsigned size, bool sign_extend);

/* Stack joins and order, byte by byte; spilled values with value_join/value_leq. */
void stack_join(struct stack *into, const struct stack *other, const int64_t *thresholds,
                size_t threshold_count, bool widen);
bool stack_leq(const struct stack *a, const struct stack *b);

static inline bool stack_slot_is_spill(const struct stack *s, unsigned slot)
{
    return s->bytes[slot * 8] == STACK_SPILL;
}

#endif
