/* BPF maps with Linux semantics (runtime layer).
 *
 * A map is a struct bpfhost_map with an ops vtable, made by map_create() from Linux's
 * creation attributes. Two families of calls reach it:
 *
 *  - program side (what helpers 1-3, 87-89 and 130-134 call): map_lookup_elem() returns a
 *    pointer into the map that stays valid until the caller's read-side section ends. The
 *    caller must be inside platform_epoch_enter()/exit(): one engine run of a program is one
 *    read-side section. Per-CPU maps use the calling thread's platform_cpu_slot().
 *  - control side (the bpf() syscall commands, map_sys_*): values are copied in and out;
 *    per-CPU maps take and give one value per slot, each rounded up to 8 bytes; each call
 *    enters its own read-side section, so any thread may call them at any time.
 *
 * Lookups never lock. Writers lock a bucket (hash), the trie, the queue or the ring; an
 * element that is deleted or replaced is freed through platform_epoch_defer() once no
 * read-side section can still hold a pointer to it. Errors are negative errnos as Linux
 * returns them; map_create() also names the problem in msg.
 *
 * Numbers (map types, flags) are Linux's; the names carry a MAP_ prefix so that this header
 * coexists with <linux/bpf.h>. */
#ifndef BPFHOST_MAPS_MAP_H
#define BPFHOST_MAPS_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/message.h"
#include "platform/epoch.h"

/* enum bpf_map_type */
enum map_type {
    MAP_TYPE_UNSPEC = 0,
    MAP_TYPE_HASH = 1,
    MAP_TYPE_ARRAY = 2,
    MAP_TYPE_PROG_ARRAY = 3,
    MAP_TYPE_PERF_EVENT_ARRAY = 4,
    MAP_TYPE_PERCPU_HASH = 5,
    MAP_TYPE_PERCPU_ARRAY = 6,
    MAP_TYPE_STACK_TRACE = 7,
    MAP_TYPE_CGROUP_ARRAY = 8,
    MAP_TYPE_LRU_HASH = 9,
    MAP_TYPE_LRU_PERCPU_HASH = 10,
    MAP_TYPE_LPM_TRIE = 11,
    MAP_TYPE_ARRAY_OF_MAPS = 12,
    MAP_TYPE_HASH_OF_MAPS = 13,
    MAP_TYPE_DEVMAP = 14,
    MAP_TYPE_SOCKMAP = 15,
    MAP_TYPE_CPUMAP = 16,
    MAP_TYPE_XSKMAP = 17,
    MAP_TYPE_SOCKHASH = 18,
    MAP_TYPE_CGROUP_STORAGE = 19,
    MAP_TYPE_REUSEPORT_SOCKARRAY = 20,
    MAP_TYPE_PERCPU_CGROUP_STORAGE = 21,
    MAP_TYPE_QUEUE = 22,
    MAP_TYPE_STACK = 23,
    MAP_TYPE_SK_STORAGE = 24,
    MAP_TYPE_DEVMAP_HASH = 25,
    MAP_TYPE_STRUCT_OPS = 26,
    MAP_TYPE_RINGBUF = 27,
    MAP_TYPE_INODE_STORAGE = 28,
    MAP_TYPE_TASK_STORAGE = 29,
    MAP_TYPE_BLOOM_FILTER = 30,
    MAP_TYPE_COUNT
};

/* map_flags at creation (BPF_F_*) */
#define MAP_F_NO_PREALLOC 0x1u
#define MAP_F_NO_COMMON_LRU 0x2u
#define MAP_F_NUMA_NODE 0x4u
#define MAP_F_RDONLY 0x8u
#define MAP_F_WRONLY 0x10u
#define MAP_F_STACK_BUILD_ID 0x20u
#define MAP_F_ZERO_SEED 0x40u
#define MAP_F_RDONLY_PROG 0x80u
#define MAP_F_WRONLY_PROG 0x100u
#define MAP_F_CLONE 0x200u
#define MAP_F_MMAPABLE 0x400u
#define MAP_F_PRESERVE_ELEMS 0x800u
#define MAP_F_INNER_MAP 0x1000u

/* flags of update / lookup (BPF_ANY ...) */
#define MAP_ANY 0u
#define MAP_NOEXIST 1u
#define MAP_EXIST 2u
#define MAP_F_LOCK 4u

/* perf_event_output's flags: index mask and "this CPU" (BPF_F_INDEX_MASK, BPF_F_CURRENT_CPU) */
#define MAP_F_INDEX_MASK 0xffffffffull
#define MAP_F_CURRENT_CPU 0xffffffffull

/* ring buffer flags and query selectors (BPF_RB_*) */
#define MAP_RB_NO_WAKEUP 1u
#define MAP_RB_FORCE_WAKEUP 2u
#define MAP_RB_AVAIL_DATA 0u
#define MAP_RB_RING_SIZE 1u
#define MAP_RB_CONS_POS 2u
#define MAP_RB_PROD_POS 3u
/* ring buffer record header (struct bpf_ringbuf_hdr) */
#define MAP_RINGBUF_BUSY_BIT (1u << 31)
#define MAP_RINGBUF_DISCARD_BIT (1u << 30)
#define MAP_RINGBUF_HDR_SIZE 8u

enum {
    MAP_NAME_LEN = 16,        /* BPF_OBJ_NAME_LEN, with the terminating NUL */
    MAP_LPM_DATA_MAX = 256,   /* LPM_DATA_SIZE_MAX */
    MAP_VALUE_SIZE_MAX = 1u << 20,
    MAP_KEY_SIZE_MAX = 512,   /* Linux: MAX_BPF_STACK */
};

/* Most memory one map may preallocate (values of arrays, queues, slots): larger requests
 * are refused with -E2BIG rather than attempted. */
#define MAP_PREALLOC_MAX (1ull << 32)

struct bpfhost_map;

/* How a PROG_ARRAY or PERF_EVENT_ARRAY references the objects its slots hold (programs,
 * event outputs): the runtime owns those objects, the map only holds references. */
struct map_object_ops {
    void (*get)(void *object);                /* take a reference */
    void (*put)(void *object);                /* drop one; called after a grace period */
    uint32_t (*id)(const void *object);       /* what the control-side lookup returns */
};

struct map_create_attr {
    uint32_t map_type;    /* enum map_type */
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t map_flags;   /* MAP_F_* */
    uint64_t map_extra;   /* BLOOM_FILTER: number of hash functions in bits 0-3 (0 means 5) */
    const struct bpfhost_map *inner_map; /* ARRAY_OF_MAPS / HASH_OF_MAPS: the template */
    const struct map_object_ops *object_ops; /* PROG_ARRAY / PERF_EVENT_ARRAY: required */
    bool has_spin_lock;   /* the value holds a struct bpf_spin_lock (from BTF) */
    uint32_t spin_lock_offset;
    char name[MAP_NAME_LEN];
};

typedef long (*map_for_each_fn)(struct bpfhost_map *map, const void *key, void *value,
                                void *ctx);

struct map_ops {
    /* Program side. */
    void *(*lookup)(struct bpfhost_map *map, const void *key);
    void *(*lookup_percpu)(struct bpfhost_map *map, const void *key, uint32_t slot);
    long (*for_each)(struct bpfhost_map *map, map_for_each_fn fn, void *ctx);
    long (*update)(struct bpfhost_map *map, const void *key, const void *value, uint64_t flags);
    long (*delete_elem)(struct bpfhost_map *map, const void *key);
    long (*push)(struct bpfhost_map *map, const void *value, uint64_t flags);
    long (*pop)(struct bpfhost_map *map, void *value);
    long (*peek)(struct bpfhost_map *map, void *value);
    /* Control side; NULL where the program-side entry does the job. */
    int (*sys_lookup)(struct bpfhost_map *map, const void *key, void *value, uint64_t flags);
    int (*sys_update)(struct bpfhost_map *map, const void *key, const void *value,
                      uint64_t flags);
    int (*sys_lookup_and_delete)(struct bpfhost_map *map, const void *key, void *value,
                                 uint64_t flags);
    int (*get_next_key)(struct bpfhost_map *map, const void *key, void *next_key);
    /* Store an object (inner map, program, event output) in a slot. */
    int (*update_object)(struct bpfhost_map *map, const void *key, void *object,
                         uint64_t flags);
    /* Frees the map and whatever it still holds; no reader is left. */
    void (*destroy)(struct bpfhost_map *map);
};

struct bpfhost_map {
    const struct map_ops *ops;
    uint32_t map_type;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t map_flags;
    uint64_t map_extra;
    bool has_spin_lock;
    uint32_t spin_lock_offset;
    uint32_t id;                  /* the runtime's id for it; 0 until the runtime sets one */
    char name[MAP_NAME_LEN];
    const struct map_object_ops *object_ops;
    struct bpfhost_map *inner_template; /* map-in-map: a reference to attr.inner_map */
    _Atomic uint64_t refcount;
    struct platform_epoch_entry reclaim;
};

/* --- life cycle --------------------------------------------------------------------------- */

/* Checks attr as Linux does (-EINVAL naming the field, -E2BIG, -ENOMEM) and creates the map
 * with one reference. */
int map_create(const struct map_create_attr *attr, struct bpfhost_map **out, char *msg,
               size_t msg_size);
void map_get(struct bpfhost_map *map);
/* Drops a reference; the last one frees the map after a grace period. */
void map_put(struct bpfhost_map *map);

/* Name of a map type ("hash", "array"...; "unknown" otherwise). */
const char *map_type_name(uint32_t map_type);
/* Size of one value as the control side sees it: value_size, or per slot rounded up to 8
 * bytes times the slot count for per-CPU maps, or 4 (an id) for maps of objects. */
size_t map_sys_value_size(const struct bpfhost_map *map);

/* --- program side: caller inside a read-side section --------------------------------------- */

/* The value (this slot's, for per-CPU maps), or NULL. For ARRAY_OF_MAPS / HASH_OF_MAPS the
 * inner struct bpfhost_map itself, which the program then passes to map helpers; for
 * DEVMAP(_HASH) the device entry (u32 ifindex, optional u32 program fd). Returns int-valued
 * results as Linux helpers do: 0 or a negative errno. */
void *map_lookup_elem(struct bpfhost_map *map, const void *key);
long map_update_elem(struct bpfhost_map *map, const void *key, const void *value,
                     uint64_t flags);
long map_delete_elem(struct bpfhost_map *map, const void *key);
long map_push_elem(struct bpfhost_map *map, const void *value, uint64_t flags);
long map_pop_elem(struct bpfhost_map *map, void *value);
long map_peek_elem(struct bpfhost_map *map, void *value);

/* bpf_map_lookup_percpu_elem (195): the value of slot cpu in a per-CPU map; NULL when the
 * key is absent, cpu is not below platform_cpu_slot_count(), or the map is not per-CPU. */
void *map_lookup_percpu_elem(struct bpfhost_map *map, const void *key, uint32_t cpu);

/* bpf_for_each_map_elem (164): calls fn(map, key, value, ctx) for each element (for per-CPU
 * maps, the calling slot's value) until fn returns non-zero. Returns the number of elements
 * passed to fn, the stopping one included; -EINVAL when flags is not 0 or the type has no
 * elements to walk (Linux walks hash, LRU and array maps and their per-CPU variants). */
long map_for_each_elem(struct bpfhost_map *map, map_for_each_fn fn, void *ctx, uint64_t flags);

/* PROG_ARRAY (tail_call) and PERF_EVENT_ARRAY: the object in slot index, or NULL. For the
 * perf array, index MAP_F_CURRENT_CPU means the calling thread's slot. */
void *map_object_at(struct bpfhost_map *map, uint64_t index);

/* bpf_spin_lock / bpf_spin_unlock on a struct bpf_spin_lock (4 bytes) in a map value. */
void map_spin_lock(void *lock);
void map_spin_unlock(void *lock);

/* Ring buffer helpers (ids 130-134), Linux semantics: reserve returns NULL when the record
 * does not fit or flags is not 0; submit/discard take what reserve returned. */
void *map_ringbuf_reserve(struct bpfhost_map *map, uint64_t size, uint64_t flags);
void map_ringbuf_submit(void *sample, uint64_t flags);
void map_ringbuf_discard(void *sample, uint64_t flags);
long map_ringbuf_output(struct bpfhost_map *map, const void *data, uint64_t size,
                        uint64_t flags);
uint64_t map_ringbuf_query(struct bpfhost_map *map, uint64_t flags);

/* ARRAY: the values as one block (max_entries values of value_size rounded up to 8), for
 * direct access such as global variables; NULL for other types. Page-aligned. */
void *map_array_memory(struct bpfhost_map *map, size_t *size);

/* --- control side: any thread ------------------------------------------------------------- */

/* flags: MAP_F_LOCK or 0. Queue/stack: peek (key NULL). Maps of objects: the object's id. */
int map_sys_lookup_elem(struct bpfhost_map *map, const void *key, void *value, uint64_t flags);
/* flags: MAP_ANY / MAP_NOEXIST / MAP_EXIST, | MAP_F_LOCK. Queue/stack: push (key NULL). */
int map_sys_update_elem(struct bpfhost_map *map, const void *key, const void *value,
                        uint64_t flags);
int map_sys_delete_elem(struct bpfhost_map *map, const void *key);
/* key NULL, or a key that is not in the map: the first key. -ENOENT after the last. */
int map_sys_get_next_key(struct bpfhost_map *map, const void *key, void *next_key);
/* Queue/stack: pop (key NULL). Hash types: lookup then delete. */
int map_sys_lookup_and_delete_elem(struct bpfhost_map *map, const void *key, void *value,
                                   uint64_t flags);
/* Maps of programs, maps or event outputs: store object (which the runtime resolved from
 * the fd the user passed) in the slot key. The map takes its own reference. */
int map_sys_update_object(struct bpfhost_map *map, const void *key, void *object,
                          uint64_t flags);

/* Batch operations (BPF_MAP_*_BATCH). keys and values are arrays of *count entries of
 * key_size and map_sys_value_size() bytes. The cursor (in_batch, out_batch) is a key:
 * key_size bytes; in_batch NULL starts at the beginning. On return *count holds the number
 * of entries processed; -ENOENT means the end of the map was reached (the entries returned
 * are still valid). update/delete stop at the first failing entry and return its error. */
int map_sys_lookup_batch(struct bpfhost_map *map, const void *in_batch, void *out_batch,
                         void *keys, void *values, uint32_t *count, uint64_t elem_flags);
int map_sys_lookup_and_delete_batch(struct bpfhost_map *map, const void *in_batch,
                                    void *out_batch, void *keys, void *values, uint32_t *count,
                                    uint64_t elem_flags);
int map_sys_update_batch(struct bpfhost_map *map, const void *keys, const void *values,
                         uint32_t *count, uint64_t elem_flags);
int map_sys_delete_batch(struct bpfhost_map *map, const void *keys, uint32_t *count);

/* Ring buffer memory as libbpf maps it: consumer_pos (unsigned long at offset 0 of the
 * consumer page, written by the consumer), producer_pos (offset 0 of the producer page),
 * data of data_size bytes mapped twice in a row. memfd/notify_fd: for sharing and waiting
 * (notify_fd, an eventfd, becomes readable when a record is submitted). -EINVAL for other
 * map types. */
struct map_ringbuf_view {
    void *consumer_page;
    void *producer_page;
    void *data;
    size_t data_size;
    size_t page_size;
    int memfd;
    int notify_fd;
};
int map_ringbuf_view(struct bpfhost_map *map, struct map_ringbuf_view *view);
/* Consumes submitted records the way libbpf's ring_buffer__consume does: calls
 * sample(ctx, data, size) for each record not discarded, in order, and advances consumer_pos.
 * Stops early when sample returns non-zero (returns that value). Otherwise returns the
 * number of records passed to sample. One consumer at a time. */
long map_ringbuf_consume(struct bpfhost_map *map,
                         int (*sample)(void *ctx, void *data, size_t size), void *ctx);

/* --- for the map type implementations ----------------------------------------------------- */

/* Each type's checks and constructor; map_create() did the common ones (known type, name). */
struct map_type_impl {
    int (*check)(const struct map_create_attr *attr, char *msg, size_t msg_size);
    int (*create)(const struct map_create_attr *attr, struct bpfhost_map **out, char *msg,
                  size_t msg_size);
};

extern const struct map_type_impl map_array_impl;         /* ARRAY, PERCPU_ARRAY */
extern const struct map_type_impl map_hash_impl;          /* HASH, PERCPU_HASH, LRU_*,
                                                              HASH_OF_MAPS, DEVMAP_HASH */
extern const struct map_type_impl map_queue_impl;         /* QUEUE, STACK */
extern const struct map_type_impl map_ringbuf_impl;       /* RINGBUF */
extern const struct map_type_impl map_lpm_trie_impl;      /* LPM_TRIE */
extern const struct map_type_impl map_bloom_filter_impl;  /* BLOOM_FILTER */
extern const struct map_type_impl map_object_array_impl;  /* PROG_ARRAY, ARRAY_OF_MAPS,
                                                              PERF_EVENT_ARRAY, DEVMAP */

/* Fills the common fields of a new map from attr (refcount 1). */
void map_init_common(struct bpfhost_map *map, const struct map_ops *ops,
                     const struct map_create_attr *attr);
/* Values are shared memory: a program writes a value in place through the pointer a lookup
 * gave it, at any time, while the control side or an in-place update copies the same value.
 * Every copy of src/maps between a value in a map and anything else goes through these:
 * word by word as relaxed atomics (8 bytes where the map's side is aligned to 8, as values
 * are; then 4, 2, 1 bytes), so that such sharing is defined in C11 and visible to TSan as
 * intended; a reader may still see a torn value, one word from before a write and one from
 * after, as on Linux without BPF_F_LOCK. On x86-64 and arm64 these are plain moves. */
void map_value_load(void *dst, const void *value, size_t size);  /* out of the map */
void map_value_store(void *value, const void *src, size_t size); /* into the map */
/* A whole value out of or into the map, leaving out its spin lock as Linux's copy_map_value
 * does: the copy out holds zero where the lock is, the copy in leaves the map's lock alone. */
void map_copy_value_out(const struct bpfhost_map *map, void *dst, const void *value);
void map_copy_value_in(const struct bpfhost_map *map, void *value, const void *src);
/* The same while holding the value's spin lock (BPF_F_LOCK). */
void map_copy_value_out_locked(const struct bpfhost_map *map, void *dst, const void *value);
void map_copy_value_in_locked(const struct bpfhost_map *map, void *value, const void *src);
/* Checks update flags as Linux does: -EINVAL for unknown bits, or F_LOCK without a lock. */
int map_check_update_flags(const struct bpfhost_map *map, uint64_t flags);
/* -E2BIG with a message when a map would preallocate count * size bytes, more than
 * MAP_PREALLOC_MAX; 0 otherwise. */
int map_check_prealloc(const struct map_create_attr *attr, uint64_t count, uint64_t size,
                       char *msg, size_t msg_size);
/* Whether a map may be stored in a map-in-map created from template (-EINVAL if not). */
int map_check_inner_compatible(const struct bpfhost_map *template_map,
                               const struct bpfhost_map *inner);
static inline uint32_t map_round_up8(uint32_t n)
{
    return (n + 7u) & ~7u;
}
static inline bool map_type_is_percpu(uint32_t type)
{
    return type == MAP_TYPE_PERCPU_ARRAY || type == MAP_TYPE_PERCPU_HASH ||
           type == MAP_TYPE_LRU_PERCPU_HASH;
}

#endif
