/* The fixpoint driver: call contexts, states per program point, the worklist, joins and
 * widening, and the verifier's public entry point. */
#include "verifier/verifier.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isa/disasm.h"
#include "verifier/analysis.h"
#include "verifier/helper_protos.h"
#include "verifier/liveness.h"

enum { DEFAULT_MAX_STATES = 8, DEFAULT_WIDEN_AFTER = 3, MAX_CONTEXTS = 4096 };
#define DEFAULT_MAX_STEPS ((uint64_t)EBPF_MAX_INSNS)
#define DEFAULT_MAX_LOOP_ITERATIONS (1ull << 23)

struct stored {
    void *packed;            /* state_pack form */
    uint32_t joins;
    bool dirty;
};

struct point {
    struct stored *states;   /* max_states_per_point entries */
    uint32_t count;
    bool queued;
};

/* A call context: the chain of call sites that leads to a function's frame. Each context
 * analyses its function separately, like Linux's verification per call site. */
struct context {
    uint32_t parent;
    uint32_t call_pc;        /* UINT32_MAX for the entry */
    uint32_t entry_pc;
    struct point *points;    /* per block, allocated on first use */
};

struct work_item {
    uint64_t key;
    uint32_t context, block;
};

/* A state on its way into a block that keeps no states (see needs_store). */
struct pending {
    uint32_t context, block;
    void *packed;            /* state_pack form */
};

struct driver {
    struct analysis a;
    uint8_t *store_at;              /* per block: whether its entry keeps states */
    struct pending *pending;
    size_t pending_len, pending_capacity;
    struct verifier_options opts;   /* with defaults filled in */
    struct context *contexts;
    uint32_t context_count, context_capacity;
    struct work_item *heap;
    size_t heap_len, heap_capacity;
    struct state *work, *branch;    /* scratch states of the largest depth */
    struct state *previous;         /* a stored state before a join */
    struct state *callee;           /* the state entering a callback */
    struct state **unpacked;        /* the states of one point, max_states_per_point of them */
};

/* --- messages ------------------------------------------------------------------------------------ */

const char *analysis_reg_text(const struct value *v, int reg, char *buf, size_t size)
{
    char text[200];
    snprintf(buf, size, "r%d (%s)", reg, value_format(v, text, sizeof text));
    return buf;
}

const char *analysis_insn_text(const struct analysis *a, size_t pc, char *buf, size_t size)
{
    if (a->opts->format_insn)
        return a->opts->format_insn(a->insns, a->count, pc, buf, size);
    disasm_insn(a->insns, a->count, pc, buf, size);
    return buf;
}

int analysis_fail(struct analysis *a, size_t pc, int err, const char *fmt, ...)
{
    struct verifier_result *r = a->result;
    char text[128], detail[VERIFIER_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    char where[128] = "", at[160] = "";
    r->source_line[0] = 0;
    if (a->opts->source_line &&
        a->opts->source_line(a->opts->user, pc, where, sizeof where, r->source_line, sizeof r->source_line))
        snprintf(at, sizeof at, " at %s", where);
    else
        r->source_line[0] = 0;
    /* long messages are cut: the start names the instruction and the property */
    if (snprintf(r->message, sizeof r->message, "insn %zu (%s)%s: %s", pc,
                 analysis_insn_text(a, pc, text, sizeof text), at, detail) < 0)
        r->message[0] = 0;
    r->error_pc = (int64_t)pc;
    return err;
}

static void log_append(struct analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_append(struct analysis *a, const char *fmt, ...)
{
    if (!a->opts->log || a->log_used + 1 >= a->opts->log_size)
        return;
    size_t room = a->opts->log_size - a->log_used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(a->opts->log + a->log_used, room, fmt, ap);
    va_end(ap);
    a->log_used += n > 0 && (size_t)n < room ? (size_t)n : room - 1;
}

/* The invariant at pc: the registers of the current frame (stack slots in use follow). */
static void log_state(struct driver *d, uint32_t context, size_t pc, const struct state *s, bool with_insn)
{
    struct analysis *a = &d->a;
    if (!a->opts->log || a->log_used + 1 >= a->opts->log_size)
        return;
    char text[160], where[128], line[256];
    if (with_insn) {
        if (a->opts->source_line &&
            a->opts->source_line(a->opts->user, pc, where, sizeof where, line, sizeof line) &&
            strcmp(where, a->log_where)) { /* each source line once per run of instructions */
            log_append(a, "; %s  %s\n", line, where);
            snprintf(a->log_where, sizeof a->log_where, "%s", where);
        }
    }
    log_append(a, "context %u insn %zu:", context, pc);
    const struct frame *f = &s->frames[s->depth - 1];
    for (int r = 0; r < EBPF_REG_COUNT; r++) {
        if (f->regs[r].type == VALUE_UNINIT)
            continue;
        char v[200];
        log_append(a, " r%d=%s", r, value_format(&f->regs[r], v, sizeof v));
    }
    for (unsigned slot = 0; slot < STACK_SLOTS; slot++) { /* written stack slots, by offset */
        int offset = (int)slot * 8 - EBPF_STACK_SIZE;
        unsigned written = 0;
        for (unsigned b = 0; b < 8; b++)
            written |= (f->stack.bytes[slot * 8 + b] != STACK_UNINIT) << b;
        char v[200];
        if (stack_slot_is_spill(&f->stack, slot))
            log_append(a, " fp%d=%s", offset, value_format(&f->stack.spills[slot], v, sizeof v));
        else if (written == 0xff)
            log_append(a, " fp%d=data", offset);
        else if (written) /* bit b: byte offset + b */
            log_append(a, " fp%d=data(bytes 0x%02x)", offset, written);
    }
    if (with_insn)
        log_append(a, "\n    %zu: %s\n", pc, analysis_insn_text(a, pc, text, sizeof text));
    else
        log_append(a, "\n");
}

/* --- worklist ------------------------------------------------------------------------------------- */

static bool heap_less(const struct work_item *x, const struct work_item *y) { return x->key < y->key; }

static int heap_push(struct driver *d, struct work_item item)
{
    if (d->heap_len == d->heap_capacity) {
        size_t cap = d->heap_capacity ? d->heap_capacity * 2 : 64;
        struct work_item *h = realloc(d->heap, cap * sizeof *h);
        if (!h)
            return -ENOMEM;
        d->heap = h;
        d->heap_capacity = cap;
    }
    size_t i = d->heap_len++;
    d->heap[i] = item;
    while (i && heap_less(&d->heap[i], &d->heap[(i - 1) / 2])) {
        struct work_item t = d->heap[i];
        d->heap[i] = d->heap[(i - 1) / 2];
        d->heap[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static struct work_item heap_pop(struct driver *d)
{
    struct work_item top = d->heap[0];
    d->heap[0] = d->heap[--d->heap_len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < d->heap_len && heap_less(&d->heap[l], &d->heap[m]))
            m = l;
        if (r < d->heap_len && heap_less(&d->heap[r], &d->heap[m]))
            m = r;
        if (m == i)
            break;
        struct work_item t = d->heap[i];
        d->heap[i] = d->heap[m];
        d->heap[m] = t;
        i = m;
    }
    return top;
}

/* --- contexts and points -------------------------------------------------------------------------- */

static int context_for_call(struct driver *d, uint32_t parent, size_t call_pc, size_t entry_pc,
                            uint32_t *out)
{
    for (uint32_t c = 0; c < d->context_count; c++)
        if (d->contexts[c].parent == parent && d->contexts[c].call_pc == call_pc) {
            *out = c;
            return 0;
        }
    if (d->context_count == MAX_CONTEXTS)
        return analysis_fail(&d->a, call_pc, -E2BIG, "more than %d call sites to analyse", MAX_CONTEXTS);
    if (d->context_count == d->context_capacity) {
        uint32_t cap = d->context_capacity ? d->context_capacity * 2 : 8;
        struct context *c = realloc(d->contexts, cap * sizeof *c);
        if (!c)
            return -ENOMEM;
        d->contexts = c;
        d->context_capacity = cap;
    }
    d->contexts[d->context_count] = (struct context){parent, (uint32_t)call_pc, (uint32_t)entry_pc, NULL};
    *out = d->context_count++;
    return 0;
}

static struct point *point_at(struct driver *d, uint32_t context, uint32_t block)
{
    struct context *c = &d->contexts[context];
    if (!c->points) {
        c->points = calloc(d->a.cfg.block_count, sizeof *c->points);
        if (!c->points)
            return NULL;
    }
    struct point *p = &c->points[block];
    if (!p->states) {
        p->states = calloc(d->opts.max_states_per_point, sizeof *p->states);
        if (!p->states)
            return NULL;
    }
    return p;
}

static int enqueue(struct driver *d, struct point *p, uint32_t context, uint32_t block)
{
    if (p->queued)
        return 0;
    p->queued = true;
    uint64_t key = ((uint64_t)context << 32) | d->a.cfg.blocks[block].order;
    return heap_push(d, (struct work_item){key, context, block});
}

static void forget_dead_registers(struct frame *f, uint16_t live)
{
    for (int r = 0; r < EBPF_REG_FP; r++)
        if (!(live & (1u << r)) && f->regs[r].type != VALUE_UNINIT) {
            f->regs[r] = value_uninit();
            loop_marks_clobber(f, r);
        }
}

static int push_pending(struct driver *d, uint32_t context, uint32_t block, const struct state *s)
{
    if (d->pending_len == d->pending_capacity) {
        size_t cap = d->pending_capacity ? d->pending_capacity * 2 : 16;
        struct pending *p = realloc(d->pending, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        d->pending = p;
        d->pending_capacity = cap;
    }
    void *packed = malloc(state_packed_size(s));
    if (!packed)
        return -ENOMEM;
    state_pack(s, packed);
    d->pending[d->pending_len++] = (struct pending){context, block, packed};
    return 0;
}

/* A map value that serves for both maps: the smaller value (a tie goes to the read-only
 * one, then to the lower index), provided it is read-only if either is; -1 if none. */
static int32_t common_map(const struct verifier_map *maps, int32_t x, int32_t y)
{
    const struct verifier_map *mx = &maps[x], *my = &maps[y];
    bool x_first = mx->value_size != my->value_size ? mx->value_size < my->value_size
                   : mx->read_only != my->read_only ? mx->read_only
                   : x < y;
    int32_t chosen = x_first ? x : y;
    if (!maps[chosen].read_only && (mx->read_only || my->read_only))
        return -1;
    return chosen;
}

static void unify_map_value(const struct verifier_map *maps, struct value *x, struct value *y)
{
    if (x->type != VALUE_MAP_VALUE || y->type != VALUE_MAP_VALUE || x->map == y->map)
        return;
    /* The common value would not know where the other map's lock is, nor which lock it holds. */
    if (maps[x->map].has_spin_lock || maps[y->map].has_spin_lock)
        return;
    int32_t m = common_map(maps, x->map, y->map);
    if (m >= 0)
        x->map = y->map = m;
}

/* Before a join of states that disagree on which map a pointer is into: a pointer into
 * map A's value is also a pointer into the smaller (and no less read-only) value of map B,
 * so both are weakened to that, instead of becoming mixed (as PREVAIL joins regions).
 * clang shares the tail "*(u64 *)(r0 + 0) += 1" between counters of different maps. */
static void unify_map_values(const struct verifier_map *maps, struct state *x, struct state *y)
{
    for (uint32_t i = 0; i < x->depth && i < y->depth; i++) {
        struct frame *fx = &x->frames[i], *fy = &y->frames[i];
        for (int r = 0; r < EBPF_REG_COUNT; r++)
            unify_map_value(maps, &fx->regs[r], &fy->regs[r]);
        for (unsigned slot = 0; slot < STACK_SLOTS; slot++)
            if (stack_slot_is_spill(&fx->stack, slot) && stack_slot_is_spill(&fy->stack, slot))
                unify_map_value(maps, &fx->stack.spills[slot], &fy->stack.spills[slot]);
    }
}

/* Adds state s (which the caller no longer needs) to the entry of block in context. */
static int propagate(struct driver *d, uint32_t context, uint32_t block, struct state *s, size_t from_pc)
{
    struct analysis *a = &d->a;
    const struct cfg_block *b = &a->cfg.blocks[block];
    forget_dead_registers(state_frame(s), a->live_in[block]);
    loop_marks_leave_outside(a, s, block);
    if (b->loop_head) {
        int err = loop_marks_enter(a, s, block, from_pc);
        if (err)
            return err;
    }
    if (!d->store_at[block]) /* reached from one place only: nothing to join or compare */
        return push_pending(d, context, block, s);
    state_canonicalize_ids(s);
    struct point *p = point_at(d, context, block);
    if (!p)
        return -ENOMEM;
    /* Forward merges keep paths apart while there is room (a bounded disjunction), so that
     * correlations between registers, stack contents and packet bounds survive; loop heads
     * join states of the same kind at once, to converge quickly. */
    for (uint32_t i = 0; i < p->count; i++)
        if (state_leq_packed(s, p->states[i].packed, &d->previous->frames[0]))
            return 0;
    /* the stored states are unpacked only where a join may follow */
    bool must_join = p->count == d->opts.max_states_per_point;
    struct state **stored = d->unpacked;
    if (b->loop_head || b->callback_site || must_join)
        for (uint32_t i = 0; i < p->count; i++)
            state_unpack(p->states[i].packed, stored[i]);
    int target = -1;
    for (uint32_t i = 0; i < p->count && target < 0 && (b->loop_head || b->callback_site); i++)
        if (state_same_partition(stored[i], s) && state_same_facts(stored[i], s))
            target = (int)i;
    if (target < 0 && !must_join) {
        void *packed = malloc(state_packed_size(s));
        if (!packed)
            return -ENOMEM;
        state_pack(s, packed);
        p->states[p->count++] = (struct stored){packed, 0, true};
        a->result->stats.states++;
        if (p->count > a->result->stats.max_states_at_point)
            a->result->stats.max_states_at_point = p->count;
        return enqueue(d, p, context, block);
    }
    for (uint32_t i = 0; i < p->count && target < 0; i++) /* no room: join the most alike */
        if (state_same_partition(stored[i], s) && state_same_facts(stored[i], s))
            target = (int)i;
    for (uint32_t i = 0; i < p->count && target < 0; i++)
        if (state_same_partition(stored[i], s))
            target = (int)i;
    /* merge, possibly into mixed types, but never forgetting a lock or reference held */
    bool lock_agrees = false;
    for (uint32_t i = 0; i < p->count && target < 0; i++) {
        lock_agrees |= state_same_lock(stored[i], s);
        if (state_same_lock(stored[i], s) && state_same_references(stored[i], s))
            target = (int)i;
    }
    if (target < 0 && !lock_agrees)
        return analysis_fail(a, b->start, -EACCES, "paths that disagree on the bpf_spin_lock held meet "
                             "here, more kinds than the %" PRIu32 " states kept apart: take and release "
                             "the lock on the same paths", d->opts.max_states_per_point);
    if (target < 0)
        return analysis_fail(a, b->start, -EACCES, "paths that disagree on the references held (ring "
                             "buffer reservations, sockets) meet here, more kinds than the %" PRIu32
                             " states kept apart: acquire and release them on the same paths",
                             d->opts.max_states_per_point);
    struct stored *t = &p->states[target];
    struct state *joined = stored[target];
    if (joined->depth != s->depth)
        return analysis_fail(a, b->start, -EACCES, "paths with different call depths meet here");
    bool widen = (b->loop_head || b->callback_site) && t->joins >= d->opts.widen_after;
    memcpy(d->previous, joined, state_size(joined->depth));
    unify_map_values(a->opts->maps, joined, s);
    state_join(joined, s, a->thresholds, a->threshold_count, widen);
    state_canonicalize_ids(joined);
    if (state_leq(joined, d->previous)) /* nothing new: do not analyse it again */
        return 0;
    void *packed = realloc(t->packed, state_packed_size(joined));
    if (!packed)
        return -ENOMEM;
    state_pack(joined, packed);
    t->packed = packed;
    t->joins++;
    t->dirty = true;
    a->result->stats.joins++;
    a->result->stats.widenings += widen;
    return enqueue(d, p, context, block);
}

/* --- calls and exits ----------------------------------------------------------------------------- */

static void forget_dead_stack(struct value *v, void *arg)
{
    const uint32_t *depth = arg;
    if (v->type == VALUE_STACK && v->frame >= *depth)
        *v = value_unknown_scalar();
}

static int enter_call(struct driver *d, uint32_t context, size_t pc, struct state *s)
{
    struct analysis *a = &d->a;
    size_t target = pc + 1 + (int64_t)a->insns[pc].imm;
    int err = spin_lock_check_free(a, s, pc, "calling a function");
    if (err)
        return err;
    if (s->depth == EBPF_MAX_CALL_DEPTH)
        return analysis_fail(a, pc, -EACCES, "calls nest more than %d frames deep", EBPF_MAX_CALL_DEPTH);
    for (uint32_t c = context;; c = d->contexts[c].parent) {
        if (d->contexts[c].entry_pc == target)
            return analysis_fail(a, pc, -EACCES, "recursive call of the function at insn %zu", target);
        if (c == 0)
            break;
    }
    uint32_t callee;
    err = context_for_call(d, context, pc, target, &callee);
    if (err)
        return err;
    struct frame *caller = state_frame(s);
    struct frame *f = &s->frames[s->depth];
    frame_init(f, s->depth, (uint32_t)pc);
    for (int r = 1; r <= 5; r++)
        f->regs[r] = caller->regs[r];
    /* what the caller reads after the call: r6-r9 as live there (r0-r5 are overwritten) */
    forget_dead_registers(caller, a->live_in[a->cfg.block_at[pc + 1]] & ~0x3fu);
    s->depth++;
    return propagate(d, callee, a->cfg.block_at[target], s, pc);
}

static int leave_call(struct driver *d, uint32_t context, size_t pc, struct state *s)
{
    struct analysis *a = &d->a;
    struct frame *callee = state_frame(s);
    const struct value *r0 = &callee->regs[0];
    char buf[200];
    int err = spin_lock_check_free(a, s, pc, callee->callback ? "the callback returns" : "the function returns");
    if (err)
        return err;
    /* A function may leave r0 unset (clang makes functions whose result no caller uses
     * return nothing): the caller's r0 is then unset too, and reading it fails there. */
    if (r0->type == VALUE_UNINIT && callee->callback)
        return analysis_fail(a, pc, -EACCES, "r0 is not set when the callback returns");
    if (r0->type == VALUE_STACK && r0->frame == s->depth - 1)
        return analysis_fail(a, pc, -EACCES, "the function returns a pointer to its own stack: %s",
                             analysis_reg_text(r0, 0, buf, sizeof buf));
    size_t call_pc = callee->call_pc;
    if (callee->callback) { /* back to the helper's call, the caller's registers untouched */
        if (r0->type != VALUE_SCALAR || r0->var.umax > 1)
            return analysis_fail(a, pc, -EACCES, "a callback must return 0 (go on) or 1 (stop), r0 is %s",
                                 value_format(r0, buf, sizeof buf));
        s->depth--;
        uint32_t depth = s->depth;
        state_for_each_value(s, forget_dead_stack, &depth);
        return propagate(d, d->contexts[context].parent, a->cfg.block_at[call_pc], s, pc);
    }
    struct frame *caller = &s->frames[s->depth - 2];
    caller->regs[0] = *r0;
    for (int r = 0; r <= 5; r++) {
        if (r)
            caller->regs[r] = value_uninit();
        loop_marks_clobber(caller, r);
    }
    s->depth--;
    uint32_t depth = s->depth;
    state_for_each_value(s, forget_dead_stack, &depth);
    return propagate(d, d->contexts[context].parent, a->cfg.block_at[call_pc + 1], s, pc);
}

/* Maps whose elements for_each_map_elem can visit (Linux: hash, array and their per-CPU and
 * LRU variants). */
static bool map_iterable(uint32_t type)
{
    switch (type) {
    case 1: case 2: case 5: case 6: case 9: case 10: /* hash, array, percpu_*, lru_* */
        return true;
    default:
        return false;
    }
}

/* A helper that loops over a callback (bpf_loop, for_each_map_elem): the call's block is
 * a loop head whose body is the callback, analysed in a context of its own. Each run of the callback returns
 * to the call with the caller's registers as they were; the state after the call is the
 * one of any number of runs (the call block's joined state). */
static int call_with_callback(struct driver *d, uint32_t context, size_t pc, struct state *s)
{
    struct analysis *a = &d->a;
    const struct helper_proto *proto = helper_proto(a->insns[pc].imm);
    int func_arg = 0, ctx_arg = 0;
    for (int i = 0; i < 5; i++) {
        if (proto->args[i] == ARG_FUNC)
            func_arg = i + 1;
        if (proto->args[i] == ARG_STACK_OR_NULL)
            ctx_arg = i + 1;
    }
    struct state *callee = d->callee;
    memcpy(callee, s, state_size(s->depth));
    int err = helper_call(a, s, pc); /* checks the arguments, including the callback */
    if (!err)
        err = propagate(d, context, a->cfg.block_at[pc + 1], s, pc);
    if (err)
        return err;
    const struct frame *caller = state_frame(callee);
    int64_t target = caller->regs[func_arg].off;
    if (target < 0 || (size_t)target >= a->count || a->cfg.block_at[target] == CFG_NONE)
        return analysis_fail(a, pc, -EINVAL, "the callback of %s (insn %" PRId64 ") is not a function",
                             proto->name, target);
    if (callee->depth == EBPF_MAX_CALL_DEPTH)
        return analysis_fail(a, pc, -EACCES, "calls nest more than %d frames deep", EBPF_MAX_CALL_DEPTH);
    for (uint32_t c = context;; c = d->contexts[c].parent) {
        if (d->contexts[c].entry_pc == (size_t)target)
            return analysis_fail(a, pc, -EACCES, "recursive call of the function at insn %" PRId64, target);
        if (c == 0)
            break;
    }
    uint32_t callback_context;
    if ((err = context_for_call(d, context, pc, (size_t)target, &callback_context)))
        return err;
    struct frame *f = &callee->frames[callee->depth];
    frame_init(f, callee->depth, (uint32_t)pc);
    f->callback = 1;
    if (proto->args[0] == ARG_MAP_PTR) { /* for_each_map_elem: (map, key, value, ctx) of each element */
        const struct value *map = &caller->regs[1];
        uint32_t type = a->opts->maps[map->map].type;
        if (!map_iterable(type))
            return analysis_fail(a, pc, -EACCES, "%s cannot walk map %d: its type %" PRIu32
                                 " is not a hash or array map", proto->name, map->map, type);
        f->regs[1] = *map;
        f->regs[2] = value_pointer(VALUE_MAP_KEY);
        f->regs[2].map = map->map;
        f->regs[3] = value_pointer(VALUE_MAP_VALUE);
        f->regs[3].map = map->map;
        f->regs[3].id = callee->next_id++; /* not the value lddw addresses: a lock tells them apart */
        f->regs[4] = caller->regs[ctx_arg];
    } else {
        f->regs[1] = value_scalar(scalar_urange(0, UINT32_MAX)); /* the iteration */
        f->regs[2] = caller->regs[ctx_arg];
    }
    callee->depth++;
    return propagate(d, callback_context, a->cfg.block_at[target], callee, pc);
}

/* --- block analysis ------------------------------------------------------------------------------ */

static int run_block(struct driver *d, uint32_t context, uint32_t block, struct state *s)
{
    struct analysis *a = &d->a;
    const struct cfg_block *b = &a->cfg.blocks[block];
    a->result->stats.blocks++;
    if (!d->opts.log_every_insn)
        log_state(d, context, b->start, s, false);
    a->log_where[0] = 0; /* blocks run in worklist order: name the source again */
    for (size_t pc = b->start; pc < b->end;) {
        const struct ebpf_insn *insn = &a->insns[pc];
        if (d->opts.log_every_insn)
            log_state(d, context, pc, s, true);
        size_t next = pc + (isa_is_lddw(insn) ? 2 : 1);
        if (++a->result->stats.steps > d->opts.max_steps)
            return analysis_fail(a, pc, -E2BIG, "the program is too complex: %" PRIu64
                                 " instructions analysed, the limit is %" PRIu64,
                                 a->result->stats.steps - 1, d->opts.max_steps);
        enum isa_form_id form = isa_decode(insn);
        enum isa_operands ops = isa_forms[form].operands;
        int err;
        if (ops == ISA_OPS_COND_IMM || ops == ISA_OPS_COND_REG) {
            struct branch_out out;
            if ((err = transfer_branch(a, s, d->branch, pc, &out)))
                return err;
            if (out.jump_feasible &&
                (err = propagate(d, context, a->cfg.block_at[isa_jump_target(insn, pc)], d->branch, pc)))
                return err;
            if (out.fall_feasible)
                return propagate(d, context, a->cfg.block_at[next], s, pc);
            return 0;
        }
        if (ops == ISA_OPS_JUMP || ops == ISA_OPS_JUMP32)
            return propagate(d, context, a->cfg.block_at[isa_jump_target(insn, pc)], s, pc);
        if (form == ISA_EXIT)
            return s->depth == 1 ? transfer_check_exit(a, s, pc) : leave_call(d, context, pc, s);
        if (form == ISA_CALL_LOCAL)
            return enter_call(d, context, pc, s);
        if (b->callback_site)
            return call_with_callback(d, context, pc, s);
        if ((err = transfer_insn(a, s, pc)))
            return err;
        pc = next;
    }
    return propagate(d, context, a->cfg.block_at[b->end], s, b->end - 1);
}

static int analyse(struct driver *d)
{
    uint32_t entry;
    int err = context_for_call(d, 0, UINT32_MAX, 0, &entry);
    if (err)
        return err;
    struct state *s = d->work;
    s->depth = 1;
    s->next_id = 1;
    s->reference_count = 0;
    s->lock = (struct held_lock){0, 0, 0, 0};
    frame_init(&s->frames[0], 0, UINT32_MAX);
    if (d->a.opts->entry_memory_block) {
        s->frames[0].regs[1] = value_pointer(VALUE_MAP_VALUE);
        s->frames[0].regs[1].map = 0;
        s->frames[0].regs[2] = value_const(d->a.opts->maps[0].value_size);
    } else {
        s->frames[0].regs[1] = value_pointer(VALUE_CTX);
    }
    if ((err = propagate(d, entry, 0, s, 0)))
        return err;
    while (d->heap_len || d->pending_len) {
        if (d->pending_len) {
            struct pending next = d->pending[--d->pending_len];
            state_unpack(next.packed, d->work);
            free(next.packed);
            if ((err = run_block(d, next.context, next.block, d->work)))
                return err;
            continue;
        }
        struct work_item item = heap_pop(d);
        struct point *p = &d->contexts[item.context].points[item.block];
        p->queued = false;
        for (uint32_t i = 0; i < p->count; i++) {
            if (!p->states[i].dirty)
                continue;
            p->states[i].dirty = false;
            state_unpack(p->states[i].packed, d->work);
            if ((err = run_block(d, item.context, item.block, d->work)))
                return err;
        }
    }
    return 0;
}

/* --- setup --------------------------------------------------------------------------------------- */

static int compare_int64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Bounds a loop is likely to stop at: the constants the program compares with, and their
 * neighbours. */
static int collect_thresholds(struct analysis *a)
{
    size_t n = 0;
    a->thresholds = malloc((a->count * 3 + 1) * sizeof *a->thresholds);
    if (!a->thresholds)
        return -ENOMEM;
    a->thresholds[n++] = 0;
    for (size_t pc = 0; pc < a->count; pc++) {
        enum isa_form_id form = isa_decode(&a->insns[pc]);
        if (isa_forms[form].operands != ISA_OPS_COND_IMM || isa_is_lddw(&a->insns[pc]))
            continue;
        int64_t k = a->insns[pc].imm;
        a->thresholds[n++] = k - 1;
        a->thresholds[n++] = k;
        a->thresholds[n++] = k + 1;
    }
    qsort(a->thresholds, n, sizeof *a->thresholds, compare_int64);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        if (!unique || a->thresholds[unique - 1] != a->thresholds[i])
            a->thresholds[unique++] = a->thresholds[i];
    a->threshold_count = unique;
    return 0;
}

/* Blocks whose entry keeps states: merge points, loop heads, function entries and call
 * continuations (reached from every exit of the callee). Elsewhere a state goes straight
 * into the block, which halves the memory of typical programs. */
static int compute_store_at(struct driver *d)
{
    const struct cfg *cfg = &d->a.cfg;
    d->store_at = calloc(cfg->block_count, 1);
    uint32_t *preds = calloc(cfg->block_count, sizeof *preds);
    if (!d->store_at || !preds) {
        free(preds);
        return -ENOMEM;
    }
    for (uint32_t b = 0; b < cfg->block_count; b++) {
        const struct cfg_block *block = &cfg->blocks[b];
        for (int s = 0; s < block->succ_count; s++) {
            preds[block->succ[s]]++;
            if (block->callee != CFG_NONE)
                d->store_at[block->succ[s]] = 1;
        }
        if (block->callee != CFG_NONE)
            d->store_at[block->callee] = 1;
    }
    for (uint32_t b = 0; b < cfg->block_count; b++)
        if (preds[b] != 1 || cfg->blocks[b].loop_head || cfg->blocks[b].callback_site || b == 0)
            d->store_at[b] = 1;
    free(preds);
    return 0;
}

static void driver_free(struct driver *d)
{
    for (size_t i = 0; i < d->pending_len; i++)
        free(d->pending[i].packed);
    free(d->pending);
    free(d->store_at);
    for (uint32_t c = 0; c < d->context_count; c++) {
        struct point *points = d->contexts[c].points;
        for (uint32_t b = 0; points && b < d->a.cfg.block_count; b++) {
            for (uint32_t i = 0; i < points[b].count; i++)
                free(points[b].states[i].packed);
            free(points[b].states);
        }
        free(points);
    }
    free(d->contexts);
    free(d->heap);
    free(d->work);
    free(d->branch);
    free(d->previous);
    free(d->callee);
    for (uint32_t i = 0; d->unpacked && i < d->opts.max_states_per_point; i++)
        free(d->unpacked[i]);
    free(d->unpacked);
    free(d->a.ctx_accesses);
    free(d->a.ctx_access_seen);
    free(d->a.thresholds);
    free(d->a.live_in);
    cfg_free(&d->a.cfg);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int verifier_verify(const struct ebpf_insn *insns, size_t count, const struct verifier_options *opts,
                    struct verifier_result *result)
{
    memset(result, 0, sizeof *result);
    result->error_pc = -1;
    if (!opts || !opts->prog_type || (!insns && count) || (opts->map_count && !opts->maps)) {
        snprintf(result->message, sizeof result->message, "verifier options need a program type");
        return -EINVAL;
    }
    if (opts->entry_memory_block && !opts->map_count) {
        snprintf(result->message, sizeof result->message,
                 "verifier options: a memory block entry needs map 0 to describe the block");
        return -EINVAL;
    }
    size_t bad_pc = 0;
    int err = isa_validate_program(insns, count, &bad_pc, result->message, sizeof result->message);
    if (err) {
        char detail[VERIFIER_MSG_SIZE];
        snprintf(detail, sizeof detail, "%s", result->message);
        if (snprintf(result->message, sizeof result->message, "insn %zu: %s", bad_pc, detail) < 0)
            result->message[0] = 0;
        result->error_pc = (int64_t)bad_pc;
        return err;
    }
    double start = now_seconds();
    struct driver d = {0};
    d.opts = *opts;
    if (!d.opts.max_steps)
        d.opts.max_steps = DEFAULT_MAX_STEPS;
    if (!d.opts.max_states_per_point)
        d.opts.max_states_per_point = DEFAULT_MAX_STATES;
    if (!d.opts.widen_after)
        d.opts.widen_after = DEFAULT_WIDEN_AFTER;
    if (!d.opts.max_loop_iterations)
        d.opts.max_loop_iterations = DEFAULT_MAX_LOOP_ITERATIONS;
    if (d.opts.log && d.opts.log_size)
        d.opts.log[0] = 0;
    d.a = (struct analysis){.insns = insns, .count = count, .opts = &d.opts, .result = result,
                            .extension.pc = SIZE_MAX};
    err = cfg_build(insns, count, &d.a.cfg);
    if (!err)
        err = static_checks(&d.a);
    if (!err)
        err = collect_thresholds(&d.a);
    if (!err) {
        d.a.live_in = malloc(d.a.cfg.block_count * sizeof *d.a.live_in);
        if (d.a.live_in)
            liveness_compute(insns, &d.a.cfg, d.a.live_in);
        else
            err = -ENOMEM;
    }
    if (!err)
        err = compute_store_at(&d);
    if (!err) {
        d.a.ctx_accesses = calloc(count ? count : 1, sizeof *d.a.ctx_accesses);
        d.a.ctx_access_seen = calloc(count ? count : 1, 1);
        if (!d.a.ctx_accesses || !d.a.ctx_access_seen)
            err = -ENOMEM;
    }
    if (!err) {
        d.work = malloc(state_size(EBPF_MAX_CALL_DEPTH));
        d.branch = malloc(state_size(EBPF_MAX_CALL_DEPTH));
        d.previous = malloc(state_size(EBPF_MAX_CALL_DEPTH));
        d.callee = malloc(state_size(EBPF_MAX_CALL_DEPTH));
        d.unpacked = calloc(d.opts.max_states_per_point, sizeof *d.unpacked);
        bool ok = d.work && d.branch && d.previous && d.callee && d.unpacked;
        for (uint32_t i = 0; ok && i < d.opts.max_states_per_point; i++)
            ok = (d.unpacked[i] = malloc(state_size(EBPF_MAX_CALL_DEPTH))) != NULL;
        err = ok ? analyse(&d) : -ENOMEM;
    }
    if (err == -ENOMEM && !result->message[0])
        snprintf(result->message, sizeof result->message, "out of memory while verifying");
    result->stats.contexts = d.context_count;
    if (!err && opts->ctx_accesses)
        memcpy(opts->ctx_accesses, d.a.ctx_accesses, count * sizeof *opts->ctx_accesses);
    driver_free(&d);
    result->stats.seconds = now_seconds() - start;
    result->accepted = err == 0;
    return err;
}
