/* Calls of helpers: arguments against the prototype, then the effects on the state. */
#include "verifier/analysis.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "verifier/helper_protos.h"

/* Linux's BPF_MAX_VAR_SIZ: larger sizes are certainly outside every object. */
#define MAX_MEMORY_SIZE (1ull << 29)

struct call {
    struct analysis *a;
    struct state *s;
    size_t pc;
    const struct helper_proto *proto;
    int32_t map;           /* the ARG_MAP_PTR argument's map */
    uint64_t alloc_size;
    uint32_t released_id;  /* reference (reservation, socket) released by this call */
    struct value lock;     /* the ARG_SPIN_LOCK argument */
};

enum { HELPER_TAIL_CALL = 12, HELPER_SPIN_LOCK = 93, HELPER_SPIN_UNLOCK = 94 };

static int wrong_arg(struct call *c, int reg, const char *expected, const struct value *v)
{
    char buf[200];
    return analysis_fail(c->a, c->pc, -EACCES, "argument %d of %s must be %s, r%d is %s", reg,
                         c->proto->name, expected, reg, value_format(v, buf, sizeof buf));
}

static bool is_zero(const struct value *v)
{
    return v->type == VALUE_SCALAR && scalar_is_const(&v->var) && v->var.bits.value == 0;
}

static bool unmodified(const struct value *v) { return v->off == 0 && scalar_is_const(&v->var) && v->var.bits.value == 0; }

static int check_sized_memory(struct call *c, int reg, enum helper_arg kind, const struct value *ptr)
{
    struct value size;
    int err = analysis_read_reg(c->a, c->s, c->pc, reg + 1, &size);
    if (err)
        return err;
    bool zero_ok = c->proto->args[reg] == ARG_CONST_SIZE_OR_ZERO;
    if (size.type != VALUE_SCALAR)
        return wrong_arg(c, reg + 1, "a size", &size);
    char buf[160];
    if (size.var.umax >= MAX_MEMORY_SIZE)
        return analysis_fail(c->a, c->pc, -EACCES, "argument %d of %s is an unbounded size %s: bound it "
                             "with 'if (size > N)' or 'size &= N' first", reg + 1, c->proto->name,
                             scalar_format(&size.var, buf, sizeof buf));
    if (size.var.umin == 0 && !zero_ok)
        return analysis_fail(c->a, c->pc, -EACCES, "argument %d of %s may be 0 (%s), which is not a valid size",
                             reg + 1, c->proto->name, scalar_format(&size.var, buf, sizeof buf));
    if (kind == ARG_MEM_OR_NULL && is_zero(ptr)) {
        if (size.var.umax != 0)
            return analysis_fail(c->a, c->pc, -EACCES, "argument %d of %s is null but its size %s is not 0",
                                 reg, c->proto->name, scalar_format(&size.var, buf, sizeof buf));
        return 0;
    }
    char what[64];
    snprintf(what, sizeof what, "argument %d of %s", reg, c->proto->name);
    err = memory_region_access(c->a, c->s, c->pc, reg, size.var.umin, size.var.umax,
                               kind == ARG_MEM_UNINIT, what);
    if (!err && kind == ARG_MEM_RW)
        err = memory_region_access(c->a, c->s, c->pc, reg, size.var.umin, size.var.umax, true, what);
    return err;
}

static int check_arg(struct call *c, int reg, enum helper_arg kind, bool *skip_next)
{
    struct analysis *a = c->a;
    struct value v;
    int err = analysis_read_reg(a, c->s, c->pc, reg, &v);
    if (err)
        return err;
    char what[64];
    snprintf(what, sizeof what, "argument %d of %s", reg, c->proto->name);
    switch (kind) {
    case ARG_ANYTHING:
        return 0;
    case ARG_MAP_PTR:
        if (v.type != VALUE_MAP_PTR)
            return wrong_arg(c, reg, "a map", &v);
        if (c->proto->map_type != MAP_TYPE_ANY && a->opts->maps[v.map].type != c->proto->map_type)
            return analysis_fail(a, c->pc, -EACCES, "%s needs a map of type %u, map %d has type %u",
                                 c->proto->name, c->proto->map_type, v.map, a->opts->maps[v.map].type);
        c->map = v.map;
        return 0;
    case ARG_MAP_KEY:
    case ARG_MAP_VALUE:
    case ARG_MAP_VALUE_UNINIT: {
        if (c->map < 0)
            return analysis_fail(a, c->pc, -EINVAL, "%s: no map argument before the key", c->proto->name);
        const struct verifier_map *m = &a->opts->maps[c->map];
        uint32_t size = kind == ARG_MAP_KEY ? m->key_size : m->value_size;
        return memory_region_access(a, c->s, c->pc, reg, size, size, kind == ARG_MAP_VALUE_UNINIT, what);
    }
    case ARG_MEM:
    case ARG_MEM_OR_NULL:
    case ARG_MEM_UNINIT:
    case ARG_MEM_RW:
        *skip_next = true;
        return check_sized_memory(c, reg, kind, &v);
    case ARG_CONST_SIZE:
    case ARG_CONST_SIZE_OR_ZERO:
        if (v.type != VALUE_SCALAR)
            return wrong_arg(c, reg, "a size", &v);
        return 0;
    case ARG_CONST_ALLOC_SIZE:
        if (v.type != VALUE_SCALAR || !scalar_is_const(&v.var) || v.var.umin == 0 || v.var.umin >= MAX_MEMORY_SIZE)
            return wrong_arg(c, reg, "a constant size", &v);
        c->alloc_size = v.var.umin;
        return 0;
    case ARG_CTX:
        if (v.type != VALUE_CTX || !unmodified(&v))
            return wrong_arg(c, reg, "the context (unmodified)", &v);
        return 0;
    case ARG_SOCKET:
        if (v.type != VALUE_SOCKET)
            return wrong_arg(c, reg, value_is_nullable(&v) ? "a socket checked against 0" : "a socket", &v);
        if (c->proto->flags & HELPER_RELEASES_REF) {
            if (!v.id)
                return wrong_arg(c, reg, "a socket from a lookup", &v);
            c->released_id = v.id;
        }
        return 0;
    case ARG_SPIN_LOCK: {
        if (v.type != VALUE_MAP_VALUE || !scalar_is_const(&v.var))
            return wrong_arg(c, reg, "a lock inside a map value", &v);
        /* The maps copy values around this one word and take it for BPF_F_LOCK. */
        const struct verifier_map *m = &a->opts->maps[v.map];
        int64_t at = v.off + (int64_t)v.var.umin;
        if (!m->has_spin_lock)
            return analysis_fail(a, c->pc, -EINVAL, "argument %d of %s points into map %d, whose "
                                 "value has no struct bpf_spin_lock", reg, c->proto->name, v.map);
        if (at != m->spin_lock_offset)
            return analysis_fail(a, c->pc, -EINVAL, "argument %d of %s points to offset %" PRId64
                                 " of map %d's value; its struct bpf_spin_lock is at %u", reg,
                                 c->proto->name, at, v.map, m->spin_lock_offset);
        if ((uint64_t)at + 4 > m->value_size)
            return analysis_fail(a, c->pc, -EINVAL, "map %d's struct bpf_spin_lock at %" PRId64
                                 " is outside its %u-byte value", v.map, at, m->value_size);
        c->lock = v;
        return 0;
    }
    case ARG_RINGBUF_MEM:
        if (v.type != VALUE_RINGBUF_MEM || !unmodified(&v))
            return wrong_arg(c, reg, value_is_nullable(&v) ? "a reservation checked against 0"
                                                            : "a ring buffer reservation (unmodified)", &v);
        c->released_id = v.id;
        return 0;
    case ARG_FUNC:
        if (!(c->proto->flags & HELPER_CALLBACK_LOOP))
            return analysis_fail(a, c->pc, -EACCES, "%s takes a callback: its callbacks are not analysed yet",
                                 c->proto->name);
        if (v.type != VALUE_FUNC)
            return wrong_arg(c, reg, "a function (callback)", &v);
        return 0;
    case ARG_STACK_OR_NULL:
        if (!is_zero(&v) && v.type != VALUE_STACK)
            return wrong_arg(c, reg, "a stack pointer or 0", &v);
        return 0;
    case ARG_CONST_STR:
        if (v.type != VALUE_MAP_VALUE || !a->opts->maps[v.map].read_only || !scalar_is_const(&v.var))
            return wrong_arg(c, reg, "a constant string in a read-only map", &v);
        return memory_region_access(a, c->s, c->pc, reg, 1, 1, false, what);
    default:
        return 0;
    }
}

static void invalidate_packet(struct value *v, void *arg)
{
    (void)arg;
    if (v->type == VALUE_PACKET || v->type == VALUE_PACKET_END || v->type == VALUE_PACKET_META)
        *v = value_unknown_scalar();
}

static void forget_released(struct value *v, void *arg)
{
    const uint32_t *id = arg;
    if ((v->type == VALUE_RINGBUF_MEM || v->type == VALUE_SOCKET) && v->id == *id)
        *v = value_unknown_scalar();
}

int helper_check_available(struct analysis *a, size_t pc)
{
    int32_t id = a->insns[pc].imm;
    const struct helper_proto *proto = helper_proto(id);
    if (!proto) {
        const char *name = isa_helper_name(id);
        return analysis_fail(a, pc, -EACCES, "helper %d%s%s is not available", id, name ? " " : "",
                             name ? name : "");
    }
    if (!(proto->group & a->opts->prog_type->helper_groups))
        return analysis_fail(a, pc, -EACCES, "helper %s#%d is not available to %s programs", proto->name, id,
                             a->opts->prog_type->name);
    return 0;
}

int helper_call(struct analysis *a, struct state *s, size_t pc)
{
    int32_t id = a->insns[pc].imm;
    const struct helper_proto *proto = helper_proto(id);
    if (!proto) /* static_checks refused the program before the analysis */
        return analysis_fail(a, pc, -EINVAL, "helper %d has no prototype", id);
    if (id != HELPER_SPIN_LOCK && id != HELPER_SPIN_UNLOCK) {
        char what[120];
        snprintf(what, sizeof what, "calling bpf_%s: no helper but bpf_spin_unlock may be called while "
                 "holding a lock", proto->name);
        int err = spin_lock_check_free(a, s, pc, what);
        if (err)
            return err;
    }
    if (id == HELPER_TAIL_CALL && s->reference_count) /* a successful tail call would never release them */
        return analysis_fail(a, pc, -EACCES, "tail call while holding the %s result of insn %u",
                             isa_helper_name(a->insns[s->references[0].pc].imm), s->references[0].pc);
    struct call c = {a, s, pc, proto, -1, 0, 0, value_uninit()};
    for (int i = 0; i < 5 && proto->args[i] != ARG_NONE; i++) {
        bool skip_next = false;
        int err = check_arg(&c, i + 1, (enum helper_arg)proto->args[i], &skip_next);
        if (err)
            return err;
        i += skip_next;
    }
    int err = 0;
    if (id == HELPER_SPIN_LOCK)
        err = spin_lock_take(a, s, pc, c.lock.map, c.lock.id);
    else if (id == HELPER_SPIN_UNLOCK)
        err = spin_lock_release(a, s, pc, c.lock.map, c.lock.id);
    if (err)
        return err;
    if (proto->flags & HELPER_CHANGES_PACKET)
        state_for_each_value(s, invalidate_packet, NULL);
    if (c.released_id) {
        if (!state_release(s, c.released_id))
            return analysis_fail(a, pc, -EACCES, "%s releases something that is not held (released twice?)",
                                 proto->name);
        state_for_each_value(s, forget_released, &c.released_id);
    }
    struct frame *f = state_frame(s);
    for (int r = 1; r <= 5; r++) {
        f->regs[r] = value_uninit();
        loop_marks_clobber(f, r);
    }
    struct value r0;
    switch (proto->ret) {
    case RET_VOID:
        r0 = value_uninit();
        break;
    case RET_MAP_VALUE_OR_NULL: {
        const struct verifier_map *m = &a->opts->maps[c.map];
        bool of_maps = m->type == MAP_TYPE_ARRAY_OF_MAPS || m->type == MAP_TYPE_HASH_OF_MAPS;
        if (of_maps && m->inner_map >= a->opts->map_count)
            return analysis_fail(a, pc, -EINVAL, "map %d holds maps but its inner map %u is not provided",
                                 c.map, m->inner_map);
        r0 = value_pointer(of_maps ? VALUE_MAP_PTR_OR_NULL : VALUE_MAP_VALUE_OR_NULL);
        r0.map = of_maps ? (int32_t)m->inner_map : c.map;
        r0.id = s->next_id++;
        break;
    }
    case RET_RINGBUF_MEM_OR_NULL:
        r0 = value_pointer(VALUE_RINGBUF_MEM_OR_NULL);
        r0.mem_size = (uint32_t)c.alloc_size;
        r0.id = s->next_id++;
        break;
    case RET_SOCKET_OR_NULL:
        r0 = value_pointer(VALUE_SOCKET_OR_NULL);
        r0.id = s->next_id++;
        break;
    default:
        r0 = value_unknown_scalar();
        break;
    }
    f->regs[0] = r0;
    loop_marks_clobber(f, 0);
    if (proto->ret == RET_RINGBUF_MEM_OR_NULL || (proto->flags & HELPER_ACQUIRES_REF)) {
        if (!state_acquire(s, r0.id, (uint32_t)pc))
            return analysis_fail(a, pc, -EACCES, "more than %d reservations or sockets held at once",
                                 MAX_REFERENCES);
    }
    return 0;
}
