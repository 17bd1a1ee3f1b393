/* Machine states: partitioning, order, join, id matching. */
#include "verifier/state.h"

#include <stdlib.h>
#include <string.h>

void frame_init(struct frame *f, uint32_t frame_index, uint32_t call_pc)
{
    for (int r = 0; r < EBPF_REG_COUNT; r++)
        f->regs[r] = value_uninit();
    f->regs[EBPF_REG_FP] = value_pointer(VALUE_STACK);
    f->regs[EBPF_REG_FP].frame = (uint8_t)frame_index;
    stack_init(&f->stack);
    f->call_pc = call_pc;
    f->callback = 0;
    f->mark_count = 0;
}

static bool spill_kind_equal(const struct stack *a, const struct stack *b, unsigned slot)
{
    bool pa = stack_slot_is_spill(a, slot) && value_is_pointer(&a->spills[slot]);
    bool pb = stack_slot_is_spill(b, slot) && value_is_pointer(&b->spills[slot]);
    if (pa != pb)
        return false;
    return !pa || value_same_kind(&a->spills[slot], &b->spills[slot]);
}

static bool same_lock_kind(const struct held_lock *a, const struct held_lock *b)
{
    return a->held == b->held && (!a->held || (a->pc == b->pc && a->map == b->map));
}

bool state_same_lock(const struct state *a, const struct state *b)
{
    return same_lock_kind(&a->lock, &b->lock);
}

bool state_same_references(const struct state *a, const struct state *b)
{
    if (a->reference_count != b->reference_count)
        return false;
    for (uint32_t i = 0; i < a->reference_count; i++)
        if (a->references[i].pc != b->references[i].pc)
            return false;
    return true;
}

bool state_same_partition(const struct state *a, const struct state *b)
{
    if (a->depth != b->depth || !state_same_references(a, b) || !same_lock_kind(&a->lock, &b->lock))
        return false;
    for (uint32_t i = 0; i < a->depth; i++) {
        const struct frame *fa = &a->frames[i], *fb = &b->frames[i];
        if (fa->call_pc != fb->call_pc)
            return false;
        for (int r = 0; r < EBPF_REG_COUNT; r++)
            if (!value_same_kind(&fa->regs[r], &fb->regs[r]))
                return false;
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if (!spill_kind_equal(&fa->stack, &fb->stack, slot))
                return false;
    }
    return true;
}

static bool same_range(const struct value *a, const struct value *b)
{
    bool packet = a->type == VALUE_PACKET || a->type == VALUE_PACKET_META;
    return !packet || a->range == b->range;
}

bool state_same_facts(const struct state *a, const struct state *b)
{
    for (uint32_t i = 0; i < a->depth; i++) {
        const struct frame *fa = &a->frames[i], *fb = &b->frames[i];
        for (int r = 0; r < EBPF_REG_COUNT; r++)
            if (!same_range(&fa->regs[r], &fb->regs[r]))
                return false;
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if (stack_slot_is_spill(&fa->stack, slot) && stack_slot_is_spill(&fb->stack, slot) &&
                !same_range(&fa->stack.spills[slot], &fb->stack.spills[slot]))
                return false;
    }
    return true;
}

/* --- ids ----------------------------------------------------------------------------------------- */

static bool has_id(const struct value *v)
{
    return v->type == VALUE_PACKET || v->type == VALUE_PACKET_META || value_is_nullable(v) ||
           (v->type == VALUE_SCALAR && v->id) || v->type == VALUE_MAP_VALUE;
}

enum { MAX_IDS = EBPF_MAX_CALL_DEPTH * (EBPF_REG_COUNT + STACK_SLOTS) + 1 };

/* b's ids must map to a's consistently: values sharing an id in b share one in a, and, for
 * packet pointers, the same difference between the fixed offsets (b's shared variable part
 * is then a's shifted by that difference). */
struct id_map {
    uint32_t from[MAX_IDS], to[MAX_IDS];
    int64_t delta[MAX_IDS];
    size_t count;
};

static bool id_map_consistent(struct id_map *m, uint32_t b_id, uint32_t a_id, int64_t delta)
{
    if (b_id == 0)
        return a_id == 0;
    for (size_t i = 0; i < m->count; i++)
        if (m->from[i] == b_id)
            return m->to[i] == a_id && m->delta[i] == delta;
    if (m->count < MAX_IDS) {
        m->from[m->count] = b_id;
        m->to[m->count] = a_id;
        m->delta[m->count++] = delta;
    }
    return true;
}

static bool value_leq_ids(const struct value *a, const struct value *b, struct id_map *m)
{
    if (b->type == VALUE_UNINIT || b->type == VALUE_MIXED || !has_id(b))
        return value_leq(a, b);
    bool packet = b->type == VALUE_PACKET || b->type == VALUE_PACKET_META;
    int64_t delta = packet ? a->off - b->off : 0;
    if (!value_same_kind(a, b) || !id_map_consistent(m, b->id, a->id, delta))
        return false;
    if (b->type == VALUE_SCALAR && !a->id) /* b knows an equality that a does not */
        return false;
    struct value a_renamed = *a;
    a_renamed.id = b->id;
    if (delta) { /* compare with a split the way b splits its offset */
        struct scalar shift = scalar_const((uint64_t)delta);
        a_renamed.off = b->off;
        a_renamed.var = scalar_alu(SCALAR_ADD, 64, &a->var, &shift);
        a_renamed.range = a->range - delta;
    }
    return value_leq(&a_renamed, b);
}

/* a's lock is b's: the same status and place, and b's lock id names a's in the id map (so
 * that a pointer b may unlock with is one a may unlock with). */
static bool lock_leq(const struct held_lock *a, const struct held_lock *b, struct id_map *m)
{
    return same_lock_kind(a, b) && (!a->held || id_map_consistent(m, b->id, a->id, 0));
}

static bool marks_leq(const struct frame *a, const struct frame *b)
{
    if (a->mark_count != b->mark_count)
        return false;
    for (uint32_t m = 0; m < a->mark_count; m++) {
        const struct loop_mark *x = &a->marks[m], *y = &b->marks[m];
        if (x->head != y->head)
            return false;
        for (int r = 0; r < EBPF_REG_COUNT; r++) {
            if ((x->delta_flags[r] & y->delta_flags[r]) != y->delta_flags[r])
                return false;
            if (y->delta_flags[r] && x->delta_base[r] != y->delta_base[r])
                return false;
            if (y->delta_flags[r] && (x->delta_min[r] < y->delta_min[r] || x->delta_max[r] > y->delta_max[r]))
                return false;
            if (x->start_umin[r] < y->start_umin[r] || x->start_umax[r] > y->start_umax[r] ||
                x->start_smin[r] < y->start_smin[r] || x->start_smax[r] > y->start_smax[r])
                return false;
        }
    }
    return true;
}

bool state_leq(const struct state *a, const struct state *b)
{
    if (a->depth != b->depth || a->reference_count != b->reference_count ||
        !same_lock_kind(&a->lock, &b->lock))
        return false;
    struct id_map *m = malloc(sizeof *m);
    if (!m)
        return false; /* "not contained" only costs more analysis */
    m->count = 0;
    bool leq = lock_leq(&a->lock, &b->lock, m);
    for (uint32_t i = 0; i < a->reference_count && leq; i++)
        leq = a->references[i].pc == b->references[i].pc &&
              id_map_consistent(m, b->references[i].id, a->references[i].id, 0);
    for (uint32_t i = 0; i < a->depth && leq; i++) {
        const struct frame *fa = &a->frames[i], *fb = &b->frames[i];
        if (fa->call_pc != fb->call_pc || !marks_leq(fa, fb)) {
            leq = false;
            break;
        }
        for (int r = 0; r < EBPF_REG_COUNT && leq; r++)
            leq = value_leq_ids(&fa->regs[r], &fb->regs[r], m);
        if (leq)
            leq = stack_leq(&fa->stack, &fb->stack);
        for (unsigned slot = 0; slot < STACK_SLOTS && leq; slot++)
            if (stack_slot_is_spill(&fb->stack, slot))
                leq = value_leq_ids(&fa->stack.spills[slot], &fb->stack.spills[slot], m);
    }
    free(m);
    return leq;
}

/* Joined values get ids by the pair of ids they had (and the pair of fixed offsets when those
 * differ, since the variable part then changes meaning). */
struct id_pairs {
    uint32_t a[MAX_IDS], b[MAX_IDS];
    int64_t off_a[MAX_IDS], off_b[MAX_IDS];
    size_t count;
};

static uint32_t pair_id(struct id_pairs *p, const struct value *a, const struct value *b)
{
    bool fold = a->off != b->off;
    if (!fold && a->id == 0 && b->id == 0)
        return 0;
    if (a->type == VALUE_SCALAR && (!a->id || !b->id)) /* equal on one path only */
        return 0;
    int64_t oa = fold ? a->off : INT64_MIN, ob = fold ? b->off : INT64_MIN;
    for (size_t i = 0; i < p->count; i++)
        if (p->a[i] == a->id && p->b[i] == b->id && p->off_a[i] == oa && p->off_b[i] == ob)
            return (uint32_t)i + 1;
    if (p->count == MAX_IDS)
        return 0; /* cannot happen: there are fewer values than MAX_IDS */
    p->a[p->count] = a->id;
    p->b[p->count] = b->id;
    p->off_a[p->count] = oa;
    p->off_b[p->count] = ob;
    return (uint32_t)++p->count;
}

static struct value join_ids(const struct value *a, const struct value *b, struct id_pairs *p,
                             const int64_t *t, size_t n, bool widen)
{
    bool scalars = a->type == VALUE_SCALAR && b->type == VALUE_SCALAR;
    if ((!has_id(a) && !scalars) || !value_same_kind(a, b))
        return value_join(a, b, t, n, widen);
    uint32_t id = pair_id(p, a, b);
    struct value x = *a, y = *b;
    x.id = y.id = id;
    struct value r = value_join(&x, &y, t, n, widen);
    r.id = id;
    return r;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static void mark_unknown(struct loop_mark *m)
{
    memset(m->delta_flags, 0, sizeof m->delta_flags);
    for (int r = 0; r < EBPF_REG_COUNT; r++) {
        m->start_umin[r] = 0;
        m->start_umax[r] = UINT64_MAX;
        m->start_smin[r] = INT64_MIN;
        m->start_smax[r] = INT64_MAX;
    }
}

static void mark_join(struct loop_mark *into, const struct loop_mark *o, bool widen)
{
    for (int r = 0; r < EBPF_REG_COUNT; r++) {
        into->delta_flags[r] &= o->delta_flags[r];
        if (into->delta_base[r] != o->delta_base[r])
            into->delta_flags[r] = 0;
        if (widen && (o->delta_min[r] < into->delta_min[r] || o->delta_max[r] > into->delta_max[r]))
            into->delta_flags[r] = 0;
        into->delta_min[r] = min64(into->delta_min[r], o->delta_min[r]);
        into->delta_max[r] = max64(into->delta_max[r], o->delta_max[r]);
        if (widen) {
            if (o->start_umin[r] < into->start_umin[r]) into->start_umin[r] = 0;
            if (o->start_umax[r] > into->start_umax[r]) into->start_umax[r] = UINT64_MAX;
            if (o->start_smin[r] < into->start_smin[r]) into->start_smin[r] = INT64_MIN;
            if (o->start_smax[r] > into->start_smax[r]) into->start_smax[r] = INT64_MAX;
        } else {
            into->start_umin[r] = into->start_umin[r] < o->start_umin[r] ? into->start_umin[r] : o->start_umin[r];
            into->start_umax[r] = into->start_umax[r] > o->start_umax[r] ? into->start_umax[r] : o->start_umax[r];
            into->start_smin[r] = min64(into->start_smin[r], o->start_smin[r]);
            into->start_smax[r] = max64(into->start_smax[r], o->start_smax[r]);
        }
    }
}

/* Loops entered on one path only keep their place, with nothing known of their progress,
 * so that their next head visit fails the termination check rather than skipping it. */
static void marks_join(struct frame *into, const struct frame *other, bool widen)
{
    uint32_t common = 0;
    while (common < into->mark_count && common < other->mark_count &&
           into->marks[common].head == other->marks[common].head) {
        mark_join(&into->marks[common], &other->marks[common], widen);
        common++;
    }
    for (uint32_t m = common; m < into->mark_count; m++)
        mark_unknown(&into->marks[m]);
    for (uint32_t m = common; m < other->mark_count; m++) {
        bool present = false;
        for (uint32_t k = 0; k < into->mark_count; k++)
            present |= into->marks[k].head == other->marks[m].head;
        if (present || into->mark_count == LOOP_MARKS)
            continue;
        into->marks[into->mark_count] = other->marks[m];
        mark_unknown(&into->marks[into->mark_count++]);
    }
}

void state_join(struct state *into, const struct state *other, const int64_t *thresholds,
                size_t threshold_count, bool widen)
{
    struct id_pairs *p = malloc(sizeof *p);
    if (p)
        p->count = 0;
    for (uint32_t i = 0; i < into->depth && i < other->depth; i++) {
        struct frame *fa = &into->frames[i];
        const struct frame *fb = &other->frames[i];
        for (int r = 0; r < EBPF_REG_COUNT; r++) {
            if (p)
                fa->regs[r] = join_ids(&fa->regs[r], &fb->regs[r], p, thresholds, threshold_count, widen);
            else
                fa->regs[r] = value_uninit();
        }
        struct stack joined = fa->stack;
        stack_join(&joined, &fb->stack, thresholds, threshold_count, widen);
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if (stack_slot_is_spill(&joined, slot) && p)
                joined.spills[slot] = join_ids(&fa->stack.spills[slot], &fb->stack.spills[slot], p,
                                               thresholds, threshold_count, widen);
        fa->stack = joined;
        marks_join(fa, fb, widen);
    }
    /* the same references, acquired at the same places (state_same_references) */
    for (uint32_t i = 0; p && i < into->reference_count && i < other->reference_count; i++) {
        struct value x = {.type = VALUE_RINGBUF_MEM, .id = into->references[i].id};
        struct value y = {.type = VALUE_RINGBUF_MEM, .id = other->references[i].id};
        into->references[i].id = pair_id(p, &x, &y);
    }
    if (p && into->lock.held && other->lock.held) { /* same lock: the same map and place */
        struct value x = {.type = VALUE_MAP_VALUE, .id = into->lock.id};
        struct value y = {.type = VALUE_MAP_VALUE, .id = other->lock.id};
        into->lock.id = pair_id(p, &x, &y);
    }
    into->next_id = (p ? (uint32_t)p->count : 0) + 1;
    free(p);
}

struct renumbering {
    uint32_t old[MAX_IDS];
    size_t count;
};

static void renumber(struct value *v, void *arg)
{
    struct renumbering *rn = arg;
    if (!has_id(v) || v->id == 0)
        return;
    for (size_t i = 0; i < rn->count; i++)
        if (rn->old[i] == v->id) {
            v->id = (uint32_t)i + 1;
            return;
        }
    if (rn->count < MAX_IDS)
        rn->old[rn->count++] = v->id;
    v->id = (uint32_t)rn->count;
}

void state_canonicalize_ids(struct state *s)
{
    struct renumbering *rn = malloc(sizeof *rn);
    if (!rn)
        return; /* ids stay valid, only less comparable */
    rn->count = 0;
    state_for_each_value(s, renumber, rn);
    for (uint32_t i = 0; i < s->reference_count; i++) {
        struct value held = {.type = VALUE_RINGBUF_MEM, .id = s->references[i].id};
        renumber(&held, rn);
        s->references[i].id = held.id;
    }
    if (s->lock.held) {
        struct value locked = {.type = VALUE_MAP_VALUE, .id = s->lock.id};
        renumber(&locked, rn);
        s->lock.id = locked.id;
    }
    s->next_id = (uint32_t)rn->count + 1;
    free(rn);
}

bool state_acquire(struct state *s, uint32_t id, uint32_t pc)
{
    if (s->reference_count == MAX_REFERENCES)
        return false;
    s->references[s->reference_count++] = (struct reference){id, pc};
    return true;
}

bool state_release(struct state *s, uint32_t id)
{
    for (uint32_t i = 0; i < s->reference_count; i++)
        if (s->references[i].id == id) {
            memmove(&s->references[i], &s->references[i + 1],
                    (s->reference_count - i - 1) * sizeof s->references[0]);
            s->reference_count--;
            return true;
        }
    return false;
}

struct packed_header {
    uint32_t depth, next_id, reference_count;
    struct reference references[MAX_REFERENCES];
    struct held_lock lock;
};

/* Per frame: the registers that hold something (reg_mask), the stack bytes at two bits each
 * (enum stack_byte), the loop marks in use and the spilled slots (spill_mask). */
struct packed_frame {
    uint32_t call_pc, callback, mark_count;
    uint16_t reg_mask;
    uint64_t spill_mask;
};

enum { PACKED_STACK_BYTES = EBPF_STACK_SIZE / 4 };

/* Four stack bytes (each 0-2) to one: byte i lands at bits 18 + 2i of the product, and the
 * other partial products stay below bit 18 (their sum is at most 172,674) or above bit 26. */
static void pack_stack_bytes(const uint8_t *bytes, uint8_t *out)
{
    for (unsigned b = 0; b < PACKED_STACK_BYTES; b++) {
        uint32_t four;
        memcpy(&four, &bytes[b * 4], 4);
        out[b] = (uint8_t)(((uint64_t)four * 0x41041u) >> 18);
    }
}

#define FOUR(c) ((uint32_t)((c) & 3) | (uint32_t)(((c) >> 2) & 3) << 8 | \
                 (uint32_t)(((c) >> 4) & 3) << 16 | (uint32_t)((c) >> 6) << 24)
#define FOUR4(c) FOUR(c), FOUR((c) + 1), FOUR((c) + 2), FOUR((c) + 3)
#define FOUR16(c) FOUR4(c), FOUR4((c) + 4), FOUR4((c) + 8), FOUR4((c) + 12)
#define FOUR64(c) FOUR16(c), FOUR16((c) + 16), FOUR16((c) + 32), FOUR16((c) + 48)
static const uint32_t unpacked_four[256] = {FOUR64(0), FOUR64(64), FOUR64(128), FOUR64(192)};

static void unpack_stack_bytes(const uint8_t *in, uint8_t *bytes)
{
    for (unsigned b = 0; b < PACKED_STACK_BYTES; b++)
        memcpy(&bytes[b * 4], &unpacked_four[in[b]], 4);
}

static uint64_t spill_mask(const struct stack *st)
{
    uint64_t mask = 0;
    for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
        if (stack_slot_is_spill(st, slot))
            mask |= 1ull << slot;
    return mask;
}

static uint16_t reg_mask(const struct frame *f)
{
    uint16_t mask = 0;
    for (int r = 0; r < EBPF_REG_COUNT; r++)
        if (f->regs[r].type != VALUE_UNINIT)
            mask |= (uint16_t)(1u << r);
    return mask;
}

size_t state_packed_size(const struct state *s)
{
    size_t size = sizeof(struct packed_header);
    for (uint32_t i = 0; i < s->depth; i++) {
        const struct frame *f = &s->frames[i];
        size += sizeof(struct packed_frame) + PACKED_STACK_BYTES + f->mark_count * sizeof f->marks[0] +
                (size_t)__builtin_popcount(reg_mask(f)) * sizeof(struct value) +
                (size_t)__builtin_popcountll(spill_mask(&f->stack)) * sizeof(struct value);
    }
    return size;
}

static uint8_t *put(uint8_t *out, const void *data, size_t size)
{
    memcpy(out, data, size);
    return out + size;
}

static const uint8_t *get(const uint8_t *in, void *data, size_t size)
{
    memcpy(data, in, size);
    return in + size;
}

void state_pack(const struct state *s, void *out)
{
    struct packed_header h = {s->depth, s->next_id, s->reference_count, {{0, 0}}, s->lock};
    memcpy(h.references, s->references, sizeof h.references);
    uint8_t *p = put(out, &h, sizeof h);
    for (uint32_t i = 0; i < s->depth; i++) {
        const struct frame *f = &s->frames[i];
        struct packed_frame pf;
        memset(&pf, 0, sizeof pf); /* padding too: packed states are plain bytes */
        pf.call_pc = f->call_pc;
        pf.callback = f->callback;
        pf.mark_count = f->mark_count;
        pf.reg_mask = reg_mask(f);
        pf.spill_mask = spill_mask(&f->stack);
        p = put(p, &pf, sizeof pf);
        pack_stack_bytes(f->stack.bytes, p);
        p += PACKED_STACK_BYTES;
        for (int r = 0; r < EBPF_REG_COUNT; r++)
            if ((pf.reg_mask >> r) & 1)
                p = put(p, &f->regs[r], sizeof f->regs[r]);
        p = put(p, f->marks, f->mark_count * sizeof f->marks[0]);
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if ((pf.spill_mask >> slot) & 1)
                p = put(p, &f->stack.spills[slot], sizeof f->stack.spills[slot]);
    }
}

/* Spill slots outside the mask are left as they are: every reader of spills[slot] checks
 * first that the slot's bytes say STACK_SPILL, so resetting 64 values per frame (6 KB) at
 * every unpack would only cost time. */
void state_unpack(const void *in, struct state *s)
{
    const struct value none = value_uninit();
    struct packed_header h;
    const uint8_t *p = get(in, &h, sizeof h);
    s->depth = h.depth;
    s->next_id = h.next_id;
    s->reference_count = h.reference_count;
    memcpy(s->references, h.references, sizeof h.references);
    s->lock = h.lock;
    for (uint32_t i = 0; i < s->depth; i++) {
        struct frame *f = &s->frames[i];
        struct packed_frame pf;
        p = get(p, &pf, sizeof pf);
        f->call_pc = pf.call_pc;
        f->callback = pf.callback;
        f->mark_count = pf.mark_count;
        unpack_stack_bytes(p, f->stack.bytes);
        p += PACKED_STACK_BYTES;
        for (int r = 0; r < EBPF_REG_COUNT; r++) {
            if ((pf.reg_mask >> r) & 1)
                p = get(p, &f->regs[r], sizeof f->regs[r]);
            else
                f->regs[r] = none;
        }
        p = get(p, f->marks, f->mark_count * sizeof f->marks[0]);
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if ((pf.spill_mask >> slot) & 1)
                p = get(p, &f->stack.spills[slot], sizeof f->stack.spills[slot]);
    }
}

/* state_leq(a, unpacked b) without unpacking b whole: registers are compared as they are
 * read, so that most failing comparisons stop before the stack is decoded. */
bool state_leq_packed(const struct state *a, const void *packed, struct frame *scratch)
{
    struct packed_header h;
    const uint8_t *p = get(packed, &h, sizeof h);
    if (a->depth != h.depth || a->reference_count != h.reference_count ||
        !same_lock_kind(&a->lock, &h.lock))
        return false;
    struct id_map *m = malloc(sizeof *m);
    if (!m)
        return false;
    m->count = 0;
    bool leq = lock_leq(&a->lock, &h.lock, m);
    for (uint32_t i = 0; i < a->reference_count && leq; i++)
        leq = a->references[i].pc == h.references[i].pc &&
              id_map_consistent(m, h.references[i].id, a->references[i].id, 0);
    for (uint32_t i = 0; i < a->depth && leq; i++) {
        const struct frame *fa = &a->frames[i];
        struct packed_frame pf;
        p = get(p, &pf, sizeof pf);
        if (fa->call_pc != pf.call_pc || fa->mark_count != pf.mark_count ||
            (pf.reg_mask & ~reg_mask(fa)) != 0) {
            leq = false;
            break;
        }
        const uint8_t *stack_bytes = p;
        p += PACKED_STACK_BYTES;
        for (int r = 0; r < EBPF_REG_COUNT && leq; r++) {
            if (!((pf.reg_mask >> r) & 1))
                continue; /* uninitialised in b: anything is contained */
            p = get(p, &scratch->regs[r], sizeof scratch->regs[r]);
            leq = value_leq_ids(&fa->regs[r], &scratch->regs[r], m);
        }
        if (!leq)
            break;
        scratch->mark_count = pf.mark_count;
        p = get(p, scratch->marks, pf.mark_count * sizeof scratch->marks[0]);
        if (!marks_leq(fa, scratch)) {
            leq = false;
            break;
        }
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if ((pf.spill_mask >> slot) & 1)
                p = get(p, &scratch->stack.spills[slot], sizeof scratch->stack.spills[slot]);
        /* equal stack bytes (the usual case) leave only the spilled values to compare */
        uint8_t a_bytes[PACKED_STACK_BYTES];
        pack_stack_bytes(fa->stack.bytes, a_bytes);
        if (memcmp(a_bytes, stack_bytes, PACKED_STACK_BYTES) != 0) {
            unpack_stack_bytes(stack_bytes, scratch->stack.bytes);
            leq = stack_leq(&fa->stack, &scratch->stack);
        }
        for (unsigned slot = 0; slot < STACK_SLOTS && leq; slot++)
            if ((pf.spill_mask >> slot) & 1)
                leq = value_leq_ids(&fa->stack.spills[slot], &scratch->stack.spills[slot], m);
    }
    free(m);
    return leq;
}

void state_for_each_value(struct state *s, void (*fn)(struct value *v, void *arg), void *arg)
{
    for (uint32_t i = 0; i < s->depth; i++) {
        struct frame *f = &s->frames[i];
        for (int r = 0; r < EBPF_REG_COUNT; r++)
            fn(&f->regs[r], arg);
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if (stack_slot_is_spill(&f->stack, slot))
                fn(&f->stack.spills[slot], arg);
    }
}
