/* The abstract value of a register (or of a spilled stack slot): its type and, for numbers,
 * the number; for pointers, which object and the offset into it. A pointer's offset is
 * off + var: a fixed part and a variable part that is a scalar. Packet pointers that share
 * an id share the same unknown var, so a bound proven on one (range: var + range <= packet
 * length) holds for all of them, as in Linux. */
#ifndef BPFHOST_VERIFIER_VALUE_H
#define BPFHOST_VERIFIER_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verifier/scalar.h"

enum value_type {
    VALUE_UNINIT,              /* never written: reading it is an error */
    VALUE_SCALAR,              /* a number */
    VALUE_CTX,                 /* the program's context */
    VALUE_STACK,               /* a frame's stack; off is relative to that frame's r10 */
    VALUE_PACKET,              /* packet data */
    VALUE_PACKET_END,          /* one past the packet's last byte */
    VALUE_PACKET_META,         /* metadata before the packet data (XDP data_meta) */
    VALUE_MAP_PTR,             /* a map itself (map is the index in the verifier options) */
    VALUE_MAP_PTR_OR_NULL,     /* a lookup result in a map of maps, before its null check */
    VALUE_MAP_VALUE,           /* inside a map value */
    VALUE_MAP_VALUE_OR_NULL,   /* a lookup result before its null check */
    VALUE_RINGBUF_MEM,         /* a ring buffer reservation of mem_size bytes */
    VALUE_RINGBUF_MEM_OR_NULL,
    VALUE_SOCKET,              /* a struct bpf_sock */
    VALUE_SOCKET_OR_NULL,
    VALUE_FUNC,                /* address of a subprogram (callback); off is its pc */
    VALUE_MAP_KEY,             /* a key of map `map`, read-only (for_each_map_elem callbacks) */
    VALUE_MIXED,               /* different types on paths that were merged: unusable */
    VALUE_TYPE_COUNT
};

struct value {
    uint8_t type;        /* enum value_type */
    uint8_t frame;       /* VALUE_STACK: index of the frame whose stack it points into */
    uint32_t id;         /* *_OR_NULL: null-check id; VALUE_PACKET*: id of var (0: var == 0);
                          * VALUE_SCALAR: copies of one number share an id (0: none) */
    int32_t map;         /* VALUE_MAP_*: index of the map */
    uint32_t mem_size;   /* VALUE_RINGBUF_MEM*: size of the reservation */
    int64_t off;         /* fixed offset */
    int64_t range;       /* VALUE_PACKET*: var + range <= end of the region */
    struct scalar var;   /* VALUE_SCALAR: the number; pointers: variable offset */
};

/* A packet range that proves nothing: every access's fixed offset is above -2^29, so none
 * fits below it. Ranges never go lower (a weaker claim, and loops that move a pointer still
 * converge); they may not be rounded up to 0 either: with var > 0, "var + 0 <= end" is a claim
 * that nothing proved. */
#define VALUE_RANGE_NONE ((int64_t)INT32_MIN)

const char *value_type_name(enum value_type type);

struct value value_uninit(void);
struct value value_scalar(struct scalar s);
struct value value_const(uint64_t v);
struct value value_unknown_scalar(void);
/* A pointer of the given type at fixed offset 0 and variable offset 0. */
struct value value_pointer(enum value_type type);

static inline bool value_is_pointer(const struct value *v)
{
    return v->type != VALUE_UNINIT && v->type != VALUE_SCALAR && v->type != VALUE_MIXED;
}
static inline bool value_is_nullable(const struct value *v)
{
    return v->type == VALUE_MAP_VALUE_OR_NULL || v->type == VALUE_RINGBUF_MEM_OR_NULL ||
           v->type == VALUE_SOCKET_OR_NULL || v->type == VALUE_MAP_PTR_OR_NULL;
}
/* The type a nullable pointer has once it is known not to be null. */
enum value_type value_type_not_null(enum value_type type);

/* Smallest and largest offset of the pointer (off + var), saturating. */
int64_t value_min_offset(const struct value *v);
int64_t value_max_offset(const struct value *v);

/* Type and identity (without offsets) agree: the two may be joined without becoming mixed. */
bool value_same_kind(const struct value *a, const struct value *b);

/* The join of two values whose ids have already been matched. Values of different kinds
 * give VALUE_MIXED (or VALUE_UNINIT when either is uninitialised). */
struct value value_join(const struct value *a, const struct value *b, const int64_t *thresholds,
                        size_t threshold_count, bool widen);
/* Whether every concrete value of a is a concrete value of b (ids compared as given). */
bool value_leq(const struct value *a, const struct value *b);

/* "scalar [0, 20]", "packet off=14 var=[0, 20] range=34", "map_value(map 1) off=0". */
const char *value_format(const struct value *v, char *buf, size_t size);

#endif
