/* Register values: constructors, lattice operations and formatting. */
#include "verifier/value.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const type_names[VALUE_TYPE_COUNT] = {
    [VALUE_UNINIT] = "uninitialized",
    [VALUE_SCALAR] = "scalar",
    [VALUE_CTX] = "ctx",
    [VALUE_STACK] = "stack",
    [VALUE_PACKET] = "packet",
    [VALUE_PACKET_END] = "packet_end",
    [VALUE_PACKET_META] = "packet_meta",
    [VALUE_MAP_PTR] = "map_ptr",
    [VALUE_MAP_PTR_OR_NULL] = "map_ptr_or_null",
    [VALUE_MAP_VALUE] = "map_value",
    [VALUE_MAP_VALUE_OR_NULL] = "map_value_or_null",
    [VALUE_RINGBUF_MEM] = "ringbuf_mem",
    [VALUE_RINGBUF_MEM_OR_NULL] = "ringbuf_mem_or_null",
    [VALUE_SOCKET] = "socket",
    [VALUE_SOCKET_OR_NULL] = "socket_or_null",
    [VALUE_FUNC] = "func",
    [VALUE_MAP_KEY] = "map_key",
    [VALUE_MIXED] = "mixed types",
};

const char *value_type_name(enum value_type type)
{
    return type < VALUE_TYPE_COUNT ? type_names[type] : "invalid";
}

struct value value_uninit(void)
{
    return (struct value){.type = VALUE_UNINIT, .var = scalar_unknown()};
}

struct value value_scalar(struct scalar s) { return (struct value){.type = VALUE_SCALAR, .var = s}; }
struct value value_const(uint64_t v) { return value_scalar(scalar_const(v)); }
struct value value_unknown_scalar(void) { return value_scalar(scalar_unknown()); }

struct value value_pointer(enum value_type type)
{
    return (struct value){.type = (uint8_t)type, .map = -1, .var = scalar_const(0)};
}

enum value_type value_type_not_null(enum value_type type)
{
    switch (type) {
    case VALUE_MAP_VALUE_OR_NULL: return VALUE_MAP_VALUE;
    case VALUE_MAP_PTR_OR_NULL: return VALUE_MAP_PTR;
    case VALUE_RINGBUF_MEM_OR_NULL: return VALUE_RINGBUF_MEM;
    case VALUE_SOCKET_OR_NULL: return VALUE_SOCKET;
    default: return type;
    }
}

static int64_t saturating_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

int64_t value_min_offset(const struct value *v) { return saturating_add(v->off, v->var.smin); }
int64_t value_max_offset(const struct value *v) { return saturating_add(v->off, v->var.smax); }

bool value_same_kind(const struct value *a, const struct value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case VALUE_STACK: return a->frame == b->frame;
    case VALUE_MAP_PTR:
    case VALUE_MAP_PTR_OR_NULL:
    case VALUE_MAP_VALUE:
    case VALUE_MAP_KEY:
    case VALUE_MAP_VALUE_OR_NULL: return a->map == b->map;
    case VALUE_RINGBUF_MEM:
    case VALUE_RINGBUF_MEM_OR_NULL: return a->mem_size == b->mem_size;
    case VALUE_FUNC: return a->off == b->off;
    default: return true;
    }
}

static struct scalar join_scalar(const struct scalar *a, const struct scalar *b,
                                 const int64_t *thresholds, size_t n, bool widen)
{
    return widen ? scalar_widen(a, b, thresholds, n) : scalar_join(a, b);
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

struct value value_join(const struct value *a, const struct value *b, const int64_t *thresholds,
                        size_t threshold_count, bool widen)
{
    if (a->type == VALUE_UNINIT || b->type == VALUE_UNINIT)
        return value_uninit();
    if (!value_same_kind(a, b)) {
        struct value mixed = value_uninit();
        mixed.type = VALUE_MIXED;
        return mixed;
    }
    struct value r = *a;
    if (a->type == VALUE_SCALAR) {
        r.var = join_scalar(&a->var, &b->var, thresholds, threshold_count, widen);
        return r;
    }
    if (a->off == b->off && a->id == b->id) {
        r.var = join_scalar(&a->var, &b->var, thresholds, threshold_count, widen);
        r.range = min64(a->range, b->range);
        return r;
    }
    /* Different fixed offsets (or different variable parts): fold the fixed offsets into the
     * variable part. The result's var is new, so a packet range relative to the old ones only
     * survives where both paths proved it; the caller gives the result a fresh id. */
    struct scalar off_a = scalar_const((uint64_t)a->off), off_b = scalar_const((uint64_t)b->off);
    struct scalar full_a = scalar_alu(SCALAR_ADD, 64, &a->var, &off_a);
    struct scalar full_b = scalar_alu(SCALAR_ADD, 64, &b->var, &off_b);
    r.off = 0;
    r.var = join_scalar(&full_a, &full_b, thresholds, threshold_count, widen);
    int64_t range_a = a->range - a->off, range_b = b->range - b->off;
    r.range = min64(range_a, range_b);
    if (r.range < VALUE_RANGE_NONE)
        r.range = VALUE_RANGE_NONE;
    return r;
}

bool value_leq(const struct value *a, const struct value *b)
{
    if (b->type == VALUE_UNINIT)
        return true;
    if (b->type == VALUE_MIXED)
        return a->type != VALUE_UNINIT;
    if (!value_same_kind(a, b))
        return false;
    if (a->type == VALUE_SCALAR)
        return scalar_leq(&a->var, &b->var);
    if (a->id != b->id || a->range < b->range)
        return false;
    if (a->off == b->off)
        return scalar_leq(&a->var, &b->var);
    /* Same object, different split between fixed and variable offset: compare full offsets
     * only where no range depends on the split. */
    if (a->type == VALUE_PACKET || a->type == VALUE_PACKET_META)
        return false;
    return value_min_offset(a) >= value_min_offset(b) && value_max_offset(a) <= value_max_offset(b);
}

const char *value_format(const struct value *v, char *buf, size_t size)
{
    char var[160];
    scalar_format(&v->var, var, sizeof var);
    switch (v->type) {
    case VALUE_SCALAR:
        snprintf(buf, size, "scalar %s", var);
        break;
    case VALUE_UNINIT:
    case VALUE_MIXED:
    case VALUE_PACKET_END:
    case VALUE_CTX:
        if (v->type == VALUE_CTX && (v->off || !scalar_is_const(&v->var)))
            snprintf(buf, size, "ctx off=%" PRId64 "%s%s", v->off,
                     scalar_is_const(&v->var) ? "" : " var=", scalar_is_const(&v->var) ? "" : var);
        else
            snprintf(buf, size, "%s", value_type_name((enum value_type)v->type));
        break;
    default: {
        int n = snprintf(buf, size, "%s", value_type_name((enum value_type)v->type));
        if (v->type == VALUE_MAP_PTR || v->type == VALUE_MAP_PTR_OR_NULL || v->type == VALUE_MAP_VALUE ||
            v->type == VALUE_MAP_VALUE_OR_NULL || v->type == VALUE_MAP_KEY)
            n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(map %d)", v->map);
        if (v->type == VALUE_STACK && v->frame)
            n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(frame %u)", v->frame);
        if (v->type != VALUE_MAP_PTR && v->type != VALUE_MAP_PTR_OR_NULL)
            n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, " off=%" PRId64, v->off);
        if (!(scalar_is_const(&v->var) && v->var.umin == 0))
            n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, " var=%s", var);
        if (v->type == VALUE_PACKET || v->type == VALUE_PACKET_META)
            n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, " range=%" PRId64, v->range);
        if (v->type == VALUE_RINGBUF_MEM || v->type == VALUE_RINGBUF_MEM_OR_NULL)
            snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, " size=%u", v->mem_size);
        break;
    }
    }
    return buf;
}
