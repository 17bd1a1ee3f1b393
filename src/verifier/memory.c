/* Memory access checks: stack, context, packet, map values, ring buffer reservations and
 * sockets, for instructions and for helper arguments. */
#include "verifier/analysis.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* Linux's MAX_PACKET_OFF: packets are shorter than 64 KiB, so larger offsets never fit. */
#define MAX_PACKET_OFFSET 0xffff

static struct value unknown_of_size(unsigned size, bool sign_extend)
{
    if (size >= 8)
        return value_unknown_scalar();
    if (sign_extend) {
        int64_t half = (int64_t)1 << (size * 8 - 1);
        return value_scalar(scalar_srange(-half, half - 1));
    }
    return value_scalar(scalar_urange(0, (1ull << (size * 8)) - 1));
}

static int64_t add_sat(int64_t x, int64_t y)
{
    int64_t r;
    if (__builtin_add_overflow(x, y, &r))
        return y > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* The accessed bytes span [lo, hi + size) in the object's offsets. */
struct span {
    int64_t lo, hi;
};

static struct span span_of(const struct value *p, int64_t off)
{
    return (struct span){add_sat(value_min_offset(p), off), add_sat(value_max_offset(p), off)};
}

static const char *span_text(struct span sp, char *buf, size_t size)
{
    if (sp.lo == sp.hi)
        snprintf(buf, size, "%" PRId64, sp.lo);
    else
        snprintf(buf, size, "[%" PRId64 ", %" PRId64 "]", sp.lo, sp.hi);
    return buf;
}

static int check_bounds(struct analysis *a, size_t pc, int reg, const struct value *p, struct span sp,
                        uint64_t size, int64_t limit, const char *object)
{
    char bs[64], bp[200];
    if (sp.lo < 0 || sp.hi > limit || (uint64_t)(limit - sp.hi) < size)
        return analysis_fail(a, pc, -EACCES, "%s access at offset %s size %" PRIu64 " is outside the %" PRId64
                             "-byte %s (r%d is %s)", object, span_text(sp, bs, sizeof bs), size, limit,
                             object, reg, value_format(p, bp, sizeof bp));
    return 0;
}

static int stack_access(struct analysis *a, struct state *s, size_t pc, int reg, const struct value *p,
                        struct span sp, uint64_t size, bool write, uint64_t written,
                        bool sign_extend, const struct value *stored, struct value *loaded)
{
    char bs[64], bp[200];
    if (p->frame >= s->depth)
        return analysis_fail(a, pc, -EACCES, "r%d points into the stack of a function that has returned", reg);
    if (sp.lo < -EBPF_STACK_SIZE || sp.hi >= 0 || (uint64_t)(-sp.hi) < size)
        return analysis_fail(a, pc, -EACCES, "stack access at offset %s size %" PRIu64
                             " is outside the frame [-512, 0) (r%d is %s)",
                             span_text(sp, bs, sizeof bs), size, reg, value_format(p, bp, sizeof bp));
    struct stack *st = &s->frames[p->frame].stack;
    if (write) {
        if (sp.lo != sp.hi || written < size)
            stack_write_variable(st, sp.lo, sp.hi, (unsigned)size);
        if (sp.lo == sp.hi && written)
            stack_write(st, sp.lo, (unsigned)written, stored && written == 8 ? stored : NULL);
        return 0;
    }
    int64_t first = stack_first_uninit(st, sp.lo, (unsigned)(sp.hi - sp.lo + (int64_t)size));
    if (first != INT64_MIN)
        return analysis_fail(a, pc, -EACCES, "stack byte at offset %" PRId64 " is read before it is written "
                             "(access at %s size %" PRIu64 ")", first, span_text(sp, bs, sizeof bs), size);
    if (loaded)
        *loaded = sp.lo == sp.hi ? stack_read(st, sp.lo, (unsigned)size, sign_extend)
                                 : unknown_of_size((unsigned)size, sign_extend);
    return 0;
}

static int packet_access(struct analysis *a, size_t pc, int reg, const struct value *p, int64_t off,
                         uint64_t size)
{
    char bp[200], bv[160];
    const char *end = p->type == VALUE_PACKET ? "data_end" : "data";
    if (p->var.smin < 0 || p->var.umax > MAX_PACKET_OFFSET)
        return analysis_fail(a, pc, -EACCES, "packet pointer r%d has an unbounded variable offset %s: "
                             "bound it to [0, %d] first", reg, scalar_format(&p->var, bv, sizeof bv),
                             MAX_PACKET_OFFSET);
    int64_t fixed = add_sat(p->off, off);
    if (add_sat(fixed, p->var.smin) < 0)
        return analysis_fail(a, pc, -EACCES, "packet access before the start of the packet (r%d is %s, offset %" PRId64 ")",
                             reg, value_format(p, bp, sizeof bp), off);
    int64_t needed = add_sat(fixed, (int64_t)size);
    if (needed > p->range)
        return analysis_fail(a, pc, -EACCES, "packet access r%d%+" PRId64 " size %" PRIu64 " needs %" PRId64
                             " bytes but only %" PRId64 " are proven (r%d is %s): check r%d + %" PRId64
                             " <= %s first", reg, off, size, needed, p->range > 0 ? p->range : 0, reg,
                             value_format(p, bp, sizeof bp), reg, needed - p->off, end);
    return 0;
}

static struct value ctx_field_value(const struct ctx_field *f, unsigned size, bool sign_extend)
{
    switch (f->kind) {
    case CTX_PACKET: return value_pointer(VALUE_PACKET);
    case CTX_PACKET_END: return value_pointer(VALUE_PACKET_END);
    case CTX_PACKET_META: return value_pointer(VALUE_PACKET_META);
    case CTX_SOCKET: return value_pointer(VALUE_SOCKET);
    case CTX_SOCKET_OR_NULL: return value_pointer(VALUE_SOCKET_OR_NULL);
    default: return unknown_of_size(size, sign_extend);
    }
}

static int object_access(struct analysis *a, struct state *s, size_t pc, int reg, const struct value *p,
                         int64_t off, uint64_t size_min, uint64_t size, bool write, bool sign_extend,
                         const struct value *stored, struct value *loaded, bool helper)
{
    char bp[200], msg[256];
    struct span sp = span_of(p, off);
    if (write && stored && value_is_pointer(stored) && p->type != VALUE_STACK)
        return analysis_fail(a, pc, -EACCES, "storing a pointer into %s memory leaks it: %s",
                             value_type_name((enum value_type)p->type), value_format(stored, bp, sizeof bp));
    if (loaded)
        *loaded = unknown_of_size((unsigned)size, sign_extend);
    switch (p->type) {
    case VALUE_STACK:
        return stack_access(a, s, pc, reg, p, sp, size, write, write ? size_min : 0, sign_extend, stored, loaded);
    case VALUE_CTX: {
        if (helper)
            return analysis_fail(a, pc, -EACCES, "the context cannot be passed as memory (r%d)", reg);
        if (!scalar_is_const(&p->var))
            return analysis_fail(a, pc, -EACCES, "context access with a variable offset: r%d is %s", reg,
                                 value_format(p, bp, sizeof bp));
        const struct ctx_field *field;
        if (!prog_type_access_ok(a->opts->prog_type, sp.lo, (unsigned)size, write, &field, msg, sizeof msg))
            return analysis_fail(a, pc, -EACCES, "%s", msg);
        if (!write && loaded)
            *loaded = ctx_field_value(field, (unsigned)size, sign_extend);
        if (field->kind != CTX_SCALAR && sign_extend)
            return analysis_fail(a, pc, -EACCES, "sign-extending load of pointer field %s", field->name);
        return 0;
    }
    case VALUE_PACKET:
    case VALUE_PACKET_META:
        return packet_access(a, pc, reg, p, off, size);
    case VALUE_MAP_VALUE: {
        const struct verifier_map *m = &a->opts->maps[p->map];
        if (write && m->read_only)
            return analysis_fail(a, pc, -EACCES, "map %d is read-only: its values cannot be written", p->map);
        char object[48];
        snprintf(object, sizeof object, "map %d value", p->map);
        int err = check_bounds(a, pc, reg, p, sp, size, m->value_size, object);
        return err ? err : spin_lock_check_access(a, pc, p->map, sp.lo, sp.hi, size);
    }
    case VALUE_MAP_KEY: {
        if (write)
            return analysis_fail(a, pc, -EACCES, "map %d's keys are read-only (r%d is %s)", p->map, reg,
                                 value_format(p, bp, sizeof bp));
        char object[48];
        snprintf(object, sizeof object, "map %d key", p->map);
        return check_bounds(a, pc, reg, p, sp, size, a->opts->maps[p->map].key_size, object);
    }
    case VALUE_RINGBUF_MEM:
        return check_bounds(a, pc, reg, p, sp, size, p->mem_size, "ring buffer reservation");
    case VALUE_SOCKET: {
        const struct prog_type_desc *sock = prog_type_by_linux_type(PROG_TYPE_CGROUP_SOCK);
        const struct ctx_field *field;
        if (helper || write || !scalar_is_const(&p->var) ||
            !prog_type_access_ok(sock, sp.lo, (unsigned)size, false, &field, msg, sizeof msg))
            return analysis_fail(a, pc, -EACCES, "invalid socket access at offset %" PRId64 " size %" PRIu64 "%s%s",
                                 sp.lo, size, write ? ": sockets are read-only" : "", "");
        return 0;
    }
    case VALUE_SCALAR:
        return analysis_fail(a, pc, -EACCES, "r%d is a number, not a pointer: %s", reg, value_format(p, bp, sizeof bp));
    default:
        if (value_is_nullable(p))
            return analysis_fail(a, pc, -EACCES, "r%d may be null (%s): compare it with 0 before using it",
                                 reg, value_format(p, bp, sizeof bp));
        return analysis_fail(a, pc, -EACCES, "r%d (%s) cannot be dereferenced", reg, value_format(p, bp, sizeof bp));
    }
}

int memory_access(struct analysis *a, struct state *s, size_t pc, int reg, int64_t off, unsigned size,
                  bool write, bool sign_extend, const struct value *stored, struct value *loaded)
{
    struct value p;
    int err = analysis_read_reg(a, s, pc, reg, &p);
    if (err)
        return err;
    err = object_access(a, s, pc, reg, &p, off, size, size, write, sign_extend, stored, loaded, false);
    return err ? err : ctx_access_record(a, pc, reg, &p, off, size);
}

/* A helper that reads stack memory holding a spilled pointer would pass the pointer on (into
 * a map, an event...) as data. */
static int check_no_spilled_pointer(struct analysis *a, struct state *s, size_t pc, int reg,
                                    const struct value *p, uint64_t size, const char *what)
{
    struct span sp = span_of(p, 0);
    const struct stack *st = &s->frames[p->frame].stack;
    int64_t end = add_sat(sp.hi, (int64_t)size);
    for (int64_t slot_off = sp.lo & ~7ll; slot_off < end; slot_off += 8) {
        unsigned slot = (unsigned)(slot_off + EBPF_STACK_SIZE) / 8;
        if (stack_slot_is_spill(st, slot) && value_is_pointer(&st->spills[slot])) {
            char bv[200];
            return analysis_fail(a, pc, -EACCES, "%s (r%d) holds a pointer at stack offset %" PRId64
                                 " (%s): passing it to the helper leaks it", what, reg, slot_off,
                                 value_format(&st->spills[slot], bv, sizeof bv));
        }
    }
    return 0;
}

int memory_region_access(struct analysis *a, struct state *s, size_t pc, int reg, uint64_t size_min,
                         uint64_t size_max, bool write, const char *what)
{
    struct value p;
    int err = analysis_read_reg(a, s, pc, reg, &p);
    if (err)
        return err;
    if (size_max == 0)
        return 0;
    err = object_access(a, s, pc, reg, &p, 0, size_min, size_max, write, false, NULL, NULL, true);
    if (!err && !write && p.type == VALUE_STACK)
        err = check_no_spilled_pointer(a, s, pc, reg, &p, size_max, what);
    return err;
}
