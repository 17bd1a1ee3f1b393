/* Helper prototypes as data: what each Linux helper (by id) takes in r1-r5 and what it
 * returns in r0. The verifier checks calls against them; the runtime registers
 * implementations under the same ids. */
#ifndef BPFHOST_VERIFIER_HELPER_PROTOS_H
#define BPFHOST_VERIFIER_HELPER_PROTOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum helper_arg {
    ARG_NONE,                  /* unused: the register is not read */
    ARG_ANYTHING,              /* any initialised value (numbers; pointers are leaked as numbers) */
    ARG_MAP_PTR,               /* a map (lddw map) */
    ARG_MAP_KEY,               /* pointer to key_size readable bytes of the previous arg's map */
    ARG_MAP_VALUE,             /* pointer to value_size readable bytes */
    ARG_MAP_VALUE_UNINIT,      /* pointer to value_size writable bytes (filled by the helper) */
    ARG_MEM,                   /* pointer to readable bytes; their count is the next argument */
    ARG_MEM_OR_NULL,           /* same, or null (then the size must be 0) */
    ARG_MEM_UNINIT,            /* pointer to writable bytes, filled by the helper; size next */
    ARG_MEM_RW,                /* pointer to readable bytes that the helper also writes; size next */
    ARG_CONST_SIZE,            /* a number in [1, region]: the size of the previous argument */
    ARG_CONST_SIZE_OR_ZERO,    /* same, 0 allowed */
    ARG_CONST_ALLOC_SIZE,      /* a known constant: the size of the memory returned */
    ARG_CTX,                   /* the context pointer */
    ARG_SOCKET,                /* a socket pointer (non-null) */
    ARG_SPIN_LOCK,             /* a struct bpf_spin_lock inside a map value */
    ARG_RINGBUF_MEM,           /* a ring buffer reservation (non-null) */
    ARG_FUNC,                  /* a callback subprogram */
    ARG_STACK_OR_NULL,         /* pointer to the stack (callback context) or null */
    ARG_CONST_STR,             /* a NUL-terminated string in a read-only map value */
};

enum helper_ret {
    RET_INTEGER,               /* r0 is a number */
    RET_VOID,                  /* r0 is not defined */
    RET_MAP_VALUE_OR_NULL,     /* pointer to a value of the map in arg 1, or null */
    RET_SOCKET_OR_NULL,
    RET_RINGBUF_MEM_OR_NULL,   /* reservation of arg 2's constant size, or null */
};

enum {
    HELPER_CHANGES_PACKET = 1,  /* may move or resize the packet: packet pointers die */
    HELPER_ACQUIRES_REF = 2,    /* the result must be released (socket lookups) */
    HELPER_RELEASES_REF = 4,
    /* calls its ARG_FUNC repeatedly: bpf_loop with (u32 index, the stack arg),
     * for_each_map_elem with (map, key, value, the stack arg) */
    HELPER_CALLBACK_LOOP = 8,
};

/* Linux map types that prototypes require. */
enum {
    MAP_TYPE_ANY = 0, MAP_TYPE_PROG_ARRAY = 3, MAP_TYPE_PERF_EVENT_ARRAY = 4, MAP_TYPE_STACK_TRACE = 7,
    MAP_TYPE_CGROUP_ARRAY = 8,
    MAP_TYPE_ARRAY_OF_MAPS = 12, MAP_TYPE_HASH_OF_MAPS = 13, MAP_TYPE_DEVMAP = 14,
    MAP_TYPE_QUEUE = 22, MAP_TYPE_RINGBUF = 27,
};

/* Groups of helpers, which program types make available (prog_type_desc.helper_groups). */
enum {
    HELPERS_BASE = 1 << 0,         /* maps, time, random, tail calls, ring buffers, printk */
    HELPERS_CURRENT = 1 << 1,      /* the current task: pid, uid, comm */
    HELPERS_TRACING = 1 << 2,      /* kernel and user memory, stacks, perf counters */
    HELPERS_PERF_OUTPUT = 1 << 3,
    HELPERS_PACKET = 1 << 4,       /* checksums over memory */
    HELPERS_SKB_READ = 1 << 5,
    HELPERS_SKB_WRITE = 1 << 6,    /* change the packet or metadata of an skb (tc-side) */
    HELPERS_XDP = 1 << 7,          /* move the bounds of an XDP packet */
    HELPERS_REDIRECT = 1 << 8,     /* redirect, redirect_map, fib_lookup */
    HELPERS_SK_LOOKUP = 1 << 9,
    HELPERS_SOCKOPT = 1 << 10,
};

struct helper_proto {
    int32_t id;
    const char *name;
    uint8_t ret;            /* enum helper_ret */
    uint8_t args[5];        /* enum helper_arg for r1..r5 */
    uint8_t flags;          /* HELPER_* */
    uint32_t map_type;      /* required type of the ARG_MAP_PTR argument, MAP_TYPE_ANY for data maps */
    uint32_t group;         /* HELPERS_* */
};

/* Whether helper id runs a callback in a loop (bpf_loop, for_each_map_elem). */
bool helper_calls_back(int32_t id);

/* The prototype of helper id, or NULL if bpfhost does not know it. */
const struct helper_proto *helper_proto(int32_t id);
/* Every prototype, in id order. */
const struct helper_proto *helper_proto_at(size_t index);
size_t helper_proto_count(void);

#endif
