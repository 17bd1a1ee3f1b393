/* An abstract machine state: the call frames (registers, stack, loop progress), plus the
 * id counter for pointers that share facts. States are compared and joined frame by frame;
 * ids are matched between the two states, not compared as numbers. */
#ifndef BPFHOST_VERIFIER_STATE_H
#define BPFHOST_VERIFIER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "verifier/stack.h"
#include "verifier/value.h"

enum { LOOP_MARKS = 4, MAX_REFERENCES = 8 };

/* A resource the program holds and must give back (a ring buffer reservation, a socket
 * from a lookup): the id of the pointers to it and the instruction that acquired it. */
struct reference {
    uint32_t id;
    uint32_t pc;
};

/* The bpf_spin_lock a program holds (Linux allows one at a time): the map value it sits in,
 * by map and by the id its pointers share (0 for a value addressed without a lookup, of
 * which the map has one), and the instruction that took it. States holding different locks,
 * or a lock and none, are never merged. */
struct held_lock {
    uint32_t held;             /* 0 or 1 */
    uint32_t pc;
    int32_t map;
    uint32_t id;
};

enum { DELTA_UNSIGNED = 1, DELTA_SIGNED = 2 }; /* the delta is exact without wrapping in that view */

/* Progress of each register since the last visit of a loop head: value now = value of
 * register delta_base then + delta, exactly, in the views flagged. The termination check at the next visit of the
 * head needs one register that moved strictly towards a bound. */
struct loop_mark {
    uint32_t head;                                 /* block */
    int64_t delta_min[EBPF_REG_COUNT], delta_max[EBPF_REG_COUNT];
    uint8_t delta_flags[EBPF_REG_COUNT];
    uint8_t delta_base[EBPF_REG_COUNT];            /* register whose value at the visit it is relative to */
    uint64_t start_umin[EBPF_REG_COUNT], start_umax[EBPF_REG_COUNT];
    int64_t start_smin[EBPF_REG_COUNT], start_smax[EBPF_REG_COUNT];
};

struct frame {
    struct value regs[EBPF_REG_COUNT];
    struct stack stack;
    uint32_t call_pc;          /* the call that created this frame; UINT32_MAX for the entry */
    uint32_t callback;         /* 1: a callback run by the helper called at call_pc */
    uint32_t mark_count;
    struct loop_mark marks[LOOP_MARKS];
};

struct state {
    uint32_t depth;            /* frames in use; frames[depth - 1] is the current one */
    uint32_t next_id;
    uint32_t reference_count;
    struct reference references[MAX_REFERENCES]; /* in order of acquisition */
    struct held_lock lock;
    struct frame frames[];
};

static inline size_t state_size(uint32_t depth)
{
    return sizeof(struct state) + (size_t)depth * sizeof(struct frame);
}
static inline struct frame *state_frame(struct state *s) { return &s->frames[s->depth - 1]; }

/* A fresh frame: registers uninitialised, stack unwritten, r10 the frame pointer. */
void frame_init(struct frame *f, uint32_t frame_index, uint32_t call_pc);

/* The same frames, calls and register/spill types: states that may be joined without
 * losing what a pointer is. */
bool state_same_partition(const struct state *a, const struct state *b);
/* The same lock status: none held by either, or both hold a lock of the same map taken at
 * the same instruction (pointer ids are matched by state_leq and state_join). States are only
 * joined when this holds: a join may not forget that a lock is held. */
bool state_same_lock(const struct state *a, const struct state *b);
/* The same references held (ring buffer reservations, sockets), acquired at the same
 * instructions in the same order. States are only joined when this holds: a join may not
 * forget a reference that one path has not released. */
bool state_same_references(const struct state *a, const struct state *b);
/* Within a partition: the same proven packet ranges. States that differ in them are kept
 * apart while there is room, so that a bound proven on one path is not lost by a join with
 * a path that did not prove it. */
bool state_same_facts(const struct state *a, const struct state *b);
/* Whether every concrete state of a is one of b (then a needs no further analysis). */
bool state_leq(const struct state *a, const struct state *b);
/* into := into joined with other (same depth, lock and references), widening if asked. */
void state_join(struct state *into, const struct state *other, const int64_t *thresholds,
                size_t threshold_count, bool widen);
/* Renumbers ids 1..n in order of appearance so that equal states compare equal. */
void state_canonicalize_ids(struct state *s);

/* Records a reference to a resource acquired at pc; false when too many are held. */
bool state_acquire(struct state *s, uint32_t id, uint32_t pc);
/* Forgets the reference with this id (released, or found to be null); false if not held. */
bool state_release(struct state *s, uint32_t id);

/* Compact copies for storage: the registers that hold something, the stack bytes at two
 * bits each, and only the spill slots and loop marks in use (a stored frame is a few hundred
 * bytes where a working one is 10 KB). state_pack writes state_packed_size(s) bytes;
 * state_unpack needs room for the depth and leaves the spill values of slots that hold no
 * spill as they were (nothing reads them). */
size_t state_packed_size(const struct state *s);
void state_pack(const struct state *s, void *out);
void state_unpack(const void *in, struct state *s);

/* state_leq(a, b) for b in state_pack form, without unpacking b (scratch: a frame to decode
 * into, whose contents are then meaningless). */
bool state_leq_packed(const struct state *a, const void *packed, struct frame *scratch);
/* Calls fn on every value of the state: registers, then spilled slots, frame by frame. */
void state_for_each_value(struct state *s, void (*fn)(struct value *v, void *arg), void *arg);

#endif
