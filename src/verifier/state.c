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

bool state_same_partition(const struct state *a, const struct state *b)
{
    if (a->depth != b->depth)
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

/* --- ids ----------------------------------------------------------------------------------------- */

static bool has_id(const struct value *v)
{
    return v->type == VALUE_PACKET || v->type == VALUE_PACKET_META || value_is_nullable(v);
}

enum { MAX_IDS = EBPF_MAX_CALL_DEPTH * (EBPF_REG_COUNT + STACK_SLOTS) + 1 };

/* b's ids must map to a's consistently: values sharing an id in b share one in a. */
struct id_map {
    uint32_t from[MAX_IDS], to[MAX_IDS];
    size_t count;
};

static bool id_map_consistent(struct id_map *m, uint32_t b_id, uint32_t a_id)
{
    if (b_id == 0)
        return a_id == 0;
    for (size_t i = 0; i < m->count; i++)
        if (m->from[i] == b_id)
            return m->to[i] == a_id;
    if (m->count < MAX_IDS) {
        m->from[m->count] = b_id;
        m->to[m->count++] = a_id;
    }
    return true;
}

static bool value_leq_ids(const struct value *a, const struct value *b, struct id_map *m)
{
    if (b->type == VALUE_UNINIT || b->type == VALUE_MIXED || !has_id(b))
        return value_leq(a, b);
    if (!value_same_kind(a, b) || !id_map_consistent(m, b->id, a->id))
        return false;
    struct value a_renamed = *a;
    a_renamed.id = b->id;
    return value_leq(&a_renamed, b);
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
    if (a->depth != b->depth)
        return false;
    struct id_map *m = malloc(sizeof *m);
    if (!m)
        return false; /* "not contained" only costs more analysis */
    m->count = 0;
    bool leq = true;
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
    if (!has_id(a) || !value_same_kind(a, b))
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
    s->next_id = (uint32_t)rn->count + 1;
    free(rn);
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
