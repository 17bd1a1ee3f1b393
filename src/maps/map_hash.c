/* HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, HASH_OF_MAPS and DEVMAP_HASH: chained
 * buckets read without locks and written under striped bucket locks.
 *
 * An update allocates a new element and swaps it into the chain in place of the old one,
 * so a reader sees the old value or the new one, never a mix; the old element is freed
 * after a grace period. Values of at most 8 bytes are one aligned word, which a single
 * atomic store replaces in place with the same guarantee for any one load (a pointer taken
 * before the update then reads the new value, as with array maps), at a fraction of the
 * cost: no allocation, no grace period. As on Linux, per-CPU values and BPF_F_LOCK updates
 * are written in place too. Elements are allocated on demand (BPF_F_NO_PREALLOC is accepted and
 * changes nothing); max_entries is enforced with a counter, so a full map gives -E2BIG.
 *
 * LRU types evict when full, by second chance: elements sit on one list, newest first; a
 * program lookup sets the element's referenced bit without locking; eviction takes the
 * oldest element, but one that was referenced since it last came round loses its bit and
 * goes back to the front instead. Updating an existing key never evicts. The list has its
 * own lock, taken after a bucket lock or alone, never the other way round. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "platform/cpu_slot.h"
#include "platform/random.h"

/* What a lookup reads (next, hash, the key) sits together at the end of the header, next to
 * the key, so that a probe usually touches one cache line. */
struct htab_elem {
    struct htab_elem *lru_prev, *lru_next; /* under lru_lock */
    void *object; /* HASH_OF_MAPS: the inner map (a reference) */
    struct platform_epoch_entry reclaim;
    bool on_lru;                           /* under lru_lock */
    atomic_bool referenced;
    uint32_t hash;
    struct htab_elem *_Atomic next;
    _Alignas(8) unsigned char data[]; /* key, then one value per slot */
};

struct htab {
    struct bpfhost_map map;
    struct htab_elem *_Atomic *buckets;
    pthread_mutex_t *locks;
    uint32_t bucket_mask;
    uint32_t lock_mask;
    uint32_t key_stride;
    uint32_t value_stride;
    uint32_t slots;
    bool lru;
    bool percpu;
    bool word_values; /* one value fits a word: updated in place, atomically */
    uint64_t seed;
    _Atomic uint32_t count;
    pthread_mutex_t lru_lock;
    struct htab_elem *lru_head, *lru_tail; /* newest, oldest */
};

enum fill { FILL_PROG, FILL_SYS, FILL_OBJECT };

static struct htab *htab_of(struct bpfhost_map *map)
{
    return (struct htab *)map;
}

static unsigned char *elem_value(const struct htab *h, struct htab_elem *e, uint32_t slot)
{
    return e->data + h->key_stride + (size_t)slot * h->value_stride;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static uint32_t hash_key(const struct htab *h, const void *key)
{
    const unsigned char *p = key;
    /* Keys of one word (u32 ids, IPv4 addresses, u64 cookies) are the common case: one
     * round of mix, which is a bijection, needs no length tag. */
    if (h->map.key_size == 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        return (uint32_t)mix(h->seed ^ w);
    }
    if (h->map.key_size == 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        return (uint32_t)mix(h->seed ^ w);
    }
    uint64_t acc = h->seed ^ h->map.key_size;
    size_t n = h->map.key_size;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        acc = mix(acc ^ w) + 0x9e3779b97f4a7c15ull;
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++) /* a loop, not a variable-length memcpy: no libc call */
        tail |= (uint64_t)p[i] << (8 * i);
    return (uint32_t)mix(acc ^ tail ^ ((uint64_t)n << 56));
}

static struct htab_elem *_Atomic *bucket_of(struct htab *h, uint32_t hash)
{
    return &h->buckets[hash & h->bucket_mask];
}

static pthread_mutex_t *lock_of(struct htab *h, uint32_t hash)
{
    return &h->locks[hash & h->lock_mask];
}

static struct htab_elem *find(struct htab *h, struct htab_elem *_Atomic *bucket, uint32_t hash,
                              const void *key)
{
    struct htab_elem *e = atomic_load_explicit(bucket, memory_order_acquire);
    /* One-word keys compare as integers, and equal keys imply equal hashes. */
    if (h->map.key_size == 4) {
        uint32_t want, have;
        memcpy(&want, key, 4);
        for (; e; e = atomic_load_explicit(&e->next, memory_order_acquire)) {
            memcpy(&have, e->data, 4);
            if (have == want)
                return e;
        }
        return NULL;
    }
    if (h->map.key_size == 8) {
        uint64_t want, have;
        memcpy(&want, key, 8);
        for (; e; e = atomic_load_explicit(&e->next, memory_order_acquire)) {
            memcpy(&have, e->data, 8);
            if (have == want)
                return e;
        }
        return NULL;
    }
    for (; e; e = atomic_load_explicit(&e->next, memory_order_acquire))
        if (e->hash == hash && memcmp(e->data, key, h->map.key_size) == 0)
            return e;
    return NULL;
}

/* Under the bucket lock: the link that points at e, or NULL when e is not in the chain. */
static struct htab_elem *_Atomic *link_to(struct htab_elem *_Atomic *bucket, struct htab_elem *e)
{
    for (struct htab_elem *_Atomic *link = bucket; *link; link = &(*link)->next)
        if (*link == e)
            return link;
    return NULL;
}

static void reclaim_elem(struct platform_epoch_entry *entry)
{
    struct htab_elem *e = (struct htab_elem *)((char *)entry - offsetof(struct htab_elem, reclaim));
    if (e->object)
        map_put(e->object);
    free(e);
}

/* --- LRU list (lru_lock held) ------------------------------------------------------------- */

static void lru_unlink(struct htab *h, struct htab_elem *e)
{
    if (!e->on_lru)
        return;
    if (e->lru_prev)
        e->lru_prev->lru_next = e->lru_next;
    else
        h->lru_head = e->lru_next;
    if (e->lru_next)
        e->lru_next->lru_prev = e->lru_prev;
    else
        h->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
    e->on_lru = false;
}

static void lru_push_front(struct htab *h, struct htab_elem *e)
{
    e->lru_prev = NULL;
    e->lru_next = h->lru_head;
    if (h->lru_head)
        h->lru_head->lru_prev = e;
    else
        h->lru_tail = e;
    h->lru_head = e;
    e->on_lru = true;
}

/* Takes one element out of the map to make room. False when there is nothing to take. */
static bool lru_evict_one(struct htab *h)
{
    pthread_mutex_lock(&h->lru_lock);
    struct htab_elem *victim = h->lru_tail;
    /* Each referenced element is passed over once, so this ends within two rounds; the
     * bound only matters when lookups keep setting bits while we clear them. */
    uint64_t passes = 2 * (uint64_t)h->map.max_entries;
    while (victim && passes-- &&
           atomic_load_explicit(&victim->referenced, memory_order_relaxed)) {
        atomic_store_explicit(&victim->referenced, false, memory_order_relaxed);
        lru_unlink(h, victim);
        lru_push_front(h, victim);
        victim = h->lru_tail;
    }
    if (victim)
        lru_unlink(h, victim);
    pthread_mutex_unlock(&h->lru_lock);
    if (!victim)
        return false;
    /* The victim stays allocated until our read-side section ends even if a concurrent
     * delete wins the race below: whoever unlinks it from its chain frees it. */
    pthread_mutex_t *lock = lock_of(h, victim->hash);
    pthread_mutex_lock(lock);
    struct htab_elem *_Atomic *link = link_to(bucket_of(h, victim->hash), victim);
    if (link) {
        atomic_store_explicit(link, victim->next, memory_order_release);
        h->count--;
    }
    pthread_mutex_unlock(lock);
    if (link)
        platform_epoch_defer(&victim->reclaim, reclaim_elem);
    return true;
}

/* Counts one more element, evicting (LRU) or failing with -E2BIG when the map is full. */
static int reserve_slot(struct htab *h)
{
    for (;;) {
        uint32_t n = atomic_load(&h->count);
        if (n < h->map.max_entries) {
            if (atomic_compare_exchange_weak(&h->count, &n, n + 1))
                return 0;
            continue;
        }
        if (!h->lru)
            return -E2BIG;
        if (!lru_evict_one(h))
            return -ENOMEM; /* every element is being inserted right now */
    }
}

/* --- operations --------------------------------------------------------------------------- */

static void *htab_lookup_elem(struct bpfhost_map *map, const void *key, struct htab_elem **out)
{
    struct htab *h = htab_of(map);
    uint32_t hash = hash_key(h, key);
    struct htab_elem *e = find(h, bucket_of(h, hash), hash, key);
    *out = e;
    if (!e)
        return NULL;
    if (h->lru && !atomic_load_explicit(&e->referenced, memory_order_relaxed))
        atomic_store_explicit(&e->referenced, true, memory_order_relaxed);
    return elem_value(h, e, h->percpu ? platform_cpu_slot() : 0);
}

static void *htab_lookup(struct bpfhost_map *map, const void *key)
{
    struct htab_elem *e;
    return htab_lookup_elem(map, key, &e);
}

static void *htab_of_maps_lookup(struct bpfhost_map *map, const void *key)
{
    struct htab_elem *e;
    return htab_lookup_elem(map, key, &e) ? e->object : NULL;
}

static void *htab_lookup_percpu(struct bpfhost_map *map, const void *key, uint32_t slot)
{
    struct htab *h = htab_of(map);
    uint32_t hash = hash_key(h, key);
    struct htab_elem *e = find(h, bucket_of(h, hash), hash, key);
    return e && h->percpu ? elem_value(h, e, slot) : NULL;
}

static long htab_for_each(struct bpfhost_map *map, map_for_each_fn fn, void *ctx)
{
    struct htab *h = htab_of(map);
    uint32_t slot = h->percpu ? platform_cpu_slot() : 0;
    long visited = 0;
    for (uint64_t b = 0; b <= h->bucket_mask; b++)
        for (struct htab_elem *e = atomic_load_explicit(&h->buckets[b], memory_order_acquire); e;
             e = atomic_load_explicit(&e->next, memory_order_acquire)) {
            visited++;
            if (fn(map, e->data, elem_value(h, e, slot), ctx))
                return visited;
        }
    return visited;
}

static void fill_values(struct htab *h, struct htab_elem *e, const void *value, enum fill fill)
{
    if (fill == FILL_OBJECT) {
        e->object = (void *)(uintptr_t)value;
    } else if (!h->percpu) {
        map_copy_value_in(&h->map, elem_value(h, e, 0), value);
    } else if (fill == FILL_PROG) {
        map_value_store(elem_value(h, e, platform_cpu_slot()), value, h->map.value_size);
    } else {
        for (uint32_t slot = 0; slot < h->slots; slot++)
            map_value_store(elem_value(h, e, slot),
                            (const unsigned char *)value + (size_t)slot * h->value_stride,
                            h->map.value_size);
    }
}

static void store_word_value(struct htab *h, struct htab_elem *e, const void *value)
{
    uint64_t word = 0;
    memcpy(&word, value, h->map.value_size);
    atomic_store_explicit((_Atomic uint64_t *)(void *)elem_value(h, e, 0), word,
                          memory_order_release);
}

static int htab_update_impl(struct htab *h, const void *key, const void *value, uint64_t flags,
                            enum fill fill)
{
    int err = map_check_update_flags(&h->map, flags);
    if (err)
        return err;
    uint64_t op = flags & ~(uint64_t)MAP_F_LOCK;
    uint32_t hash = hash_key(h, key);
    struct htab_elem *_Atomic *bucket = bucket_of(h, hash);
    pthread_mutex_t *lock = lock_of(h, hash);
    bool reserved = false;

    for (;;) {
        pthread_mutex_lock(lock);
        struct htab_elem *old = find(h, bucket, hash, key);
        if ((op == MAP_NOEXIST && old) || (op == MAP_EXIST && !old)) {
            err = old ? -EEXIST : -ENOENT;
            break;
        }
        if (old && (flags & MAP_F_LOCK)) {
            map_copy_value_in_locked(&h->map, elem_value(h, old, 0), value);
            break;
        }
        if (old && h->percpu) {
            fill_values(h, old, value, fill);
            if (h->lru)
                atomic_store_explicit(&old->referenced, true, memory_order_relaxed);
            break;
        }
        if (old && h->word_values) {
            store_word_value(h, old, value);
            if (h->lru) { /* as a replacement would: newest, not referenced */
                pthread_mutex_lock(&h->lru_lock);
                lru_unlink(h, old);
                atomic_store_explicit(&old->referenced, false, memory_order_relaxed);
                lru_push_front(h, old);
                pthread_mutex_unlock(&h->lru_lock);
            }
            break;
        }
        if (!old && !reserved) {
            /* LRU eviction takes other bucket locks: never while holding this one. */
            if (h->lru)
                pthread_mutex_unlock(lock);
            err = reserve_slot(h);
            if (err) {
                if (!h->lru)
                    pthread_mutex_unlock(lock);
                return err;
            }
            reserved = true;
            if (h->lru)
                continue;
        }
        struct htab_elem *e =
            calloc(1, sizeof *e + h->key_stride + (size_t)h->value_stride * h->slots);
        if (!e) {
            err = -ENOMEM;
            break;
        }
        e->hash = hash;
        memcpy(e->data, key, h->map.key_size);
        fill_values(h, e, value, fill);
        if (old) {
            atomic_store_explicit(&e->next, old->next, memory_order_relaxed);
            atomic_store_explicit(link_to(bucket, old), e, memory_order_release);
        } else {
            atomic_store_explicit(&e->next, *bucket, memory_order_relaxed);
            atomic_store_explicit(bucket, e, memory_order_release);
            reserved = false;
        }
        if (h->lru) {
            pthread_mutex_lock(&h->lru_lock);
            if (old)
                lru_unlink(h, old);
            lru_push_front(h, e);
            pthread_mutex_unlock(&h->lru_lock);
        }
        pthread_mutex_unlock(lock);
        if (old)
            platform_epoch_defer(&old->reclaim, reclaim_elem);
        if (reserved)
            h->count--;
        return 0;
    }
    pthread_mutex_unlock(lock);
    if (reserved)
        h->count--;
    return err;
}

static long htab_update(struct bpfhost_map *map, const void *key, const void *value,
                        uint64_t flags)
{
    return htab_update_impl(htab_of(map), key, value, flags, FILL_PROG);
}

static int htab_sys_update(struct bpfhost_map *map, const void *key, const void *value,
                           uint64_t flags)
{
    return htab_update_impl(htab_of(map), key, value, flags, FILL_SYS);
}

static int devmap_hash_sys_update(struct bpfhost_map *map, const void *key, const void *value,
                                  uint64_t flags)
{
    if (map->value_size == 8) {
        int32_t prog_fd;
        memcpy(&prog_fd, (const unsigned char *)value + 4, sizeof prog_fd);
        if (prog_fd > 0)
            return -EOPNOTSUPP; /* programs attached to devmap entries are not supported */
    }
    return htab_sys_update(map, key, value, flags);
}

static int htab_of_maps_update_object(struct bpfhost_map *map, const void *key, void *object,
                                      uint64_t flags)
{
    struct bpfhost_map *inner = object;
    int err = map_check_inner_compatible(map->inner_template, inner);
    if (err)
        return err;
    if (flags & MAP_F_LOCK)
        return -EINVAL;
    map_get(inner);
    err = htab_update_impl(htab_of(map), key, inner, flags, FILL_OBJECT);
    if (err)
        map_put(inner);
    return err;
}

/* Unlinks the element with key; copies its value(s) out first when value is not NULL. */
static int remove_elem(struct htab *h, const void *key, void *value, uint64_t flags)
{
    uint32_t hash = hash_key(h, key);
    struct htab_elem *_Atomic *bucket = bucket_of(h, hash);
    pthread_mutex_t *lock = lock_of(h, hash);
    pthread_mutex_lock(lock);
    struct htab_elem *e = find(h, bucket, hash, key);
    if (!e) {
        pthread_mutex_unlock(lock);
        return -ENOENT;
    }
    if (value) {
        if (e->object) {
            uint32_t id = ((struct bpfhost_map *)e->object)->id;
            memcpy(value, &id, sizeof id);
        } else if (h->percpu) {
            for (uint32_t slot = 0; slot < h->slots; slot++) {
                unsigned char *out = (unsigned char *)value + (size_t)slot * h->value_stride;
                map_value_load(out, elem_value(h, e, slot), h->map.value_size);
                memset(out + h->map.value_size, 0, h->value_stride - h->map.value_size);
            }
        } else if (flags & MAP_F_LOCK) {
            map_copy_value_out_locked(&h->map, value, elem_value(h, e, 0));
        } else {
            map_copy_value_out(&h->map, value, elem_value(h, e, 0));
        }
    }
    atomic_store_explicit(link_to(bucket, e), e->next, memory_order_release);
    if (h->lru) {
        pthread_mutex_lock(&h->lru_lock);
        lru_unlink(h, e);
        pthread_mutex_unlock(&h->lru_lock);
    }
    h->count--;
    pthread_mutex_unlock(lock);
    platform_epoch_defer(&e->reclaim, reclaim_elem);
    return 0;
}

static long htab_delete(struct bpfhost_map *map, const void *key)
{
    return remove_elem(htab_of(map), key, NULL, 0);
}

static int htab_sys_lookup_and_delete(struct bpfhost_map *map, const void *key, void *value,
                                      uint64_t flags)
{
    return remove_elem(htab_of(map), key, value, flags);
}

static int htab_sys_lookup(struct bpfhost_map *map, const void *key, void *value,
                           uint64_t flags)
{
    struct htab *h = htab_of(map);
    uint32_t hash = hash_key(h, key);
    struct htab_elem *e = find(h, bucket_of(h, hash), hash, key);
    if (!e)
        return -ENOENT;
    if (map->map_type == MAP_TYPE_HASH_OF_MAPS) {
        uint32_t id = ((struct bpfhost_map *)e->object)->id;
        memcpy(value, &id, sizeof id);
    } else if (h->percpu) {
        for (uint32_t slot = 0; slot < h->slots; slot++) {
            unsigned char *out = (unsigned char *)value + (size_t)slot * h->value_stride;
            map_value_load(out, elem_value(h, e, slot), map->value_size);
            memset(out + map->value_size, 0, h->value_stride - map->value_size);
        }
    } else if (flags & MAP_F_LOCK) {
        map_copy_value_out_locked(map, value, elem_value(h, e, 0));
    } else {
        map_copy_value_out(map, value, elem_value(h, e, 0));
    }
    return 0;
}

static int htab_get_next_key(struct bpfhost_map *map, const void *key, void *next_key)
{
    struct htab *h = htab_of(map);
    uint32_t first_bucket = 0;
    if (key) {
        uint32_t hash = hash_key(h, key);
        struct htab_elem *e = find(h, bucket_of(h, hash), hash, key);
        if (e) {
            struct htab_elem *next = atomic_load_explicit(&e->next, memory_order_acquire);
            if (next) {
                memcpy(next_key, next->data, map->key_size);
                return 0;
            }
            first_bucket = (hash & h->bucket_mask) + 1;
        }
    }
    for (uint64_t b = first_bucket; b <= h->bucket_mask; b++) {
        struct htab_elem *e = atomic_load_explicit(&h->buckets[b], memory_order_acquire);
        if (e) {
            memcpy(next_key, e->data, map->key_size);
            return 0;
        }
    }
    return -ENOENT;
}

static void htab_destroy(struct bpfhost_map *map)
{
    struct htab *h = htab_of(map);
    for (uint64_t b = 0; b <= h->bucket_mask; b++) {
        struct htab_elem *e = h->buckets[b];
        while (e) {
            struct htab_elem *next = e->next;
            if (e->object)
                map_put(e->object);
            free(e);
            e = next;
        }
    }
    for (uint32_t i = 0; i <= h->lock_mask; i++)
        pthread_mutex_destroy(&h->locks[i]);
    pthread_mutex_destroy(&h->lru_lock);
    free(h->locks);
    free(h->buckets);
    free(h);
}

static const struct map_ops htab_ops = {
    .lookup = htab_lookup,
    .lookup_percpu = htab_lookup_percpu,
    .for_each = htab_for_each,
    .update = htab_update,
    .delete_elem = htab_delete,
    .sys_lookup = htab_sys_lookup,
    .sys_update = htab_sys_update,
    .sys_lookup_and_delete = htab_sys_lookup_and_delete,
    .get_next_key = htab_get_next_key,
    .destroy = htab_destroy,
};

/* Programs only read maps of maps and device maps; the control side writes them. */
static const struct map_ops htab_of_maps_ops = {
    .lookup = htab_of_maps_lookup,
    .delete_elem = htab_delete,
    .sys_lookup = htab_sys_lookup,
    .sys_lookup_and_delete = htab_sys_lookup_and_delete,
    .get_next_key = htab_get_next_key,
    .update_object = htab_of_maps_update_object,
    .destroy = htab_destroy,
};

static const struct map_ops devmap_hash_ops = {
    .lookup = htab_lookup,
    .delete_elem = htab_delete,
    .sys_lookup = htab_sys_lookup,
    .sys_update = devmap_hash_sys_update,
    .get_next_key = htab_get_next_key,
    .destroy = htab_destroy,
};

static int htab_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    uint32_t type = attr->map_type;
    const char *name = map_type_name(type);
    bool lru = type == MAP_TYPE_LRU_HASH || type == MAP_TYPE_LRU_PERCPU_HASH;
    uint32_t allowed = MAP_F_NO_PREALLOC | MAP_F_NO_COMMON_LRU | MAP_F_NUMA_NODE | MAP_F_RDONLY |
                       MAP_F_WRONLY | MAP_F_RDONLY_PROG | MAP_F_WRONLY_PROG | MAP_F_ZERO_SEED;
    if (type == MAP_TYPE_DEVMAP_HASH)
        allowed = MAP_F_NUMA_NODE | MAP_F_RDONLY_PROG | MAP_F_WRONLY_PROG;
    if (attr->map_flags & ~allowed)
        return msg_error(-EINVAL, msg, msg_size, "%s: unsupported map flags 0x%x", name,
                         attr->map_flags & ~allowed);
    if (lru && (attr->map_flags & MAP_F_NO_PREALLOC))
        return msg_error(-EOPNOTSUPP, msg, msg_size, "%s: NO_PREALLOC is not supported for LRU maps",
                         name);
    if (!lru && (attr->map_flags & MAP_F_NO_COMMON_LRU))
        return msg_error(-EINVAL, msg, msg_size, "%s: NO_COMMON_LRU is only for LRU maps", name);
    if (attr->max_entries == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: max_entries 0", name);
    if (attr->key_size == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: key_size 0", name);
    if (attr->value_size == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: value_size 0", name);
    if (attr->key_size > MAP_KEY_SIZE_MAX)
        return msg_error(-E2BIG, msg, msg_size, "%s: key_size %u, at most %u", name,
                         attr->key_size, MAP_KEY_SIZE_MAX);
    uint32_t value_max = map_type_is_percpu(type) ? 32768 : MAP_VALUE_SIZE_MAX;
    if (attr->value_size > value_max)
        return msg_error(-E2BIG, msg, msg_size, "%s: value_size %u, at most %u", name,
                         attr->value_size, value_max);
    if (type == MAP_TYPE_HASH_OF_MAPS) {
        if (attr->value_size != 4)
            return msg_error(-EINVAL, msg, msg_size, "%s: value_size %u, must be 4 (a map fd)",
                             name, attr->value_size);
        if (!attr->inner_map)
            return msg_error(-EINVAL, msg, msg_size, "%s: needs an inner map", name);
        if (attr->inner_map->map_type == MAP_TYPE_ARRAY_OF_MAPS ||
            attr->inner_map->map_type == MAP_TYPE_HASH_OF_MAPS)
            return msg_error(-EINVAL, msg, msg_size, "%s: the inner map cannot hold maps", name);
    }
    if (type == MAP_TYPE_DEVMAP_HASH) {
        if (attr->key_size != 4)
            return msg_error(-EINVAL, msg, msg_size, "%s: key_size %u, must be 4", name,
                             attr->key_size);
        if (attr->value_size != 4 && attr->value_size != 8)
            return msg_error(-EINVAL, msg, msg_size, "%s: value_size %u, must be 4 or 8", name,
                             attr->value_size);
    }
    return 0;
}

static uint32_t round_up_pow2(uint32_t n)
{
    uint32_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static int htab_create(const struct map_create_attr *attr, struct bpfhost_map **out, char *msg,
                       size_t msg_size)
{
    enum { MAX_BUCKETS = 1u << 22, MAX_LOCKS = 256 };
    uint32_t type = attr->map_type;
    struct htab *h = calloc(1, sizeof *h);
    if (!h)
        return msg_error(-ENOMEM, msg, msg_size, "%s: out of memory", map_type_name(type));
    const struct map_ops *ops = &htab_ops;
    if (type == MAP_TYPE_HASH_OF_MAPS)
        ops = &htab_of_maps_ops;
    else if (type == MAP_TYPE_DEVMAP_HASH)
        ops = &devmap_hash_ops;
    uint32_t buckets = round_up_pow2(attr->max_entries > MAX_BUCKETS ? MAX_BUCKETS
                                                                      : attr->max_entries);
    uint32_t locks = buckets < MAX_LOCKS ? buckets : MAX_LOCKS;
    h->bucket_mask = buckets - 1;
    h->lock_mask = locks - 1;
    h->key_stride = map_round_up8(attr->key_size);
    h->value_stride = map_round_up8(attr->value_size);
    h->percpu = map_type_is_percpu(type);
    h->lru = type == MAP_TYPE_LRU_HASH || type == MAP_TYPE_LRU_PERCPU_HASH;
    h->slots = h->percpu ? platform_cpu_slot_count() : 1;
    h->word_values = attr->value_size <= 8 && !h->percpu && !attr->has_spin_lock &&
                     type != MAP_TYPE_HASH_OF_MAPS;
    /* A random seed keeps programs fed with chosen keys from piling them into one bucket;
     * ZERO_SEED makes the bucket order reproducible, as on Linux. */
    h->seed = 0;
    if (!(attr->map_flags & MAP_F_ZERO_SEED) && platform_random_bytes(&h->seed, sizeof h->seed))
        h->seed = mix((uintptr_t)h); /* no entropy source: spread keys all the same */
    h->buckets = calloc(buckets, sizeof *h->buckets);
    h->locks = calloc(locks, sizeof *h->locks);
    if (!h->buckets || !h->locks) {
        free(h->buckets);
        free(h->locks);
        free(h);
        return msg_error(-ENOMEM, msg, msg_size, "%s: cannot allocate %u buckets",
                         map_type_name(type), buckets);
    }
    for (uint32_t i = 0; i < locks; i++)
        pthread_mutex_init(&h->locks[i], NULL);
    pthread_mutex_init(&h->lru_lock, NULL);
    map_init_common(&h->map, ops, attr);
    *out = &h->map;
    return 0;
}

const struct map_type_impl map_hash_impl = {.check = htab_check, .create = htab_create};
