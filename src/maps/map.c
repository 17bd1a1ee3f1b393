/* The generic map object: creation checks common to all types, reference counting, the
 * program-side and control-side entry points, and batch operations built on the ops. */
#include "maps/map.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/cpu_slot.h"

static const char *const type_names[MAP_TYPE_COUNT] = {
    [MAP_TYPE_UNSPEC] = "unspec",
    [MAP_TYPE_HASH] = "hash",
    [MAP_TYPE_ARRAY] = "array",
    [MAP_TYPE_PROG_ARRAY] = "prog_array",
    [MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
    [MAP_TYPE_PERCPU_HASH] = "percpu_hash",
    [MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
    [MAP_TYPE_STACK_TRACE] = "stack_trace",
    [MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
    [MAP_TYPE_LRU_HASH] = "lru_hash",
    [MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
    [MAP_TYPE_LPM_TRIE] = "lpm_trie",
    [MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
    [MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
    [MAP_TYPE_DEVMAP] = "devmap",
    [MAP_TYPE_SOCKMAP] = "sockmap",
    [MAP_TYPE_CPUMAP] = "cpumap",
    [MAP_TYPE_XSKMAP] = "xskmap",
    [MAP_TYPE_SOCKHASH] = "sockhash",
    [MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
    [MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
    [MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
    [MAP_TYPE_QUEUE] = "queue",
    [MAP_TYPE_STACK] = "stack",
    [MAP_TYPE_SK_STORAGE] = "sk_storage",
    [MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
    [MAP_TYPE_STRUCT_OPS] = "struct_ops",
    [MAP_TYPE_RINGBUF] = "ringbuf",
    [MAP_TYPE_INODE_STORAGE] = "inode_storage",
    [MAP_TYPE_TASK_STORAGE] = "task_storage",
    [MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
};

static const struct map_type_impl *const type_impls[MAP_TYPE_COUNT] = {
    [MAP_TYPE_HASH] = &map_hash_impl,
    [MAP_TYPE_ARRAY] = &map_array_impl,
    [MAP_TYPE_PROG_ARRAY] = &map_object_array_impl,
    [MAP_TYPE_PERF_EVENT_ARRAY] = &map_object_array_impl,
    [MAP_TYPE_PERCPU_HASH] = &map_hash_impl,
    [MAP_TYPE_PERCPU_ARRAY] = &map_array_impl,
    [MAP_TYPE_LRU_HASH] = &map_hash_impl,
    [MAP_TYPE_LRU_PERCPU_HASH] = &map_hash_impl,
    [MAP_TYPE_LPM_TRIE] = &map_lpm_trie_impl,
    [MAP_TYPE_ARRAY_OF_MAPS] = &map_object_array_impl,
    [MAP_TYPE_HASH_OF_MAPS] = &map_hash_impl,
    [MAP_TYPE_DEVMAP] = &map_object_array_impl,
    [MAP_TYPE_QUEUE] = &map_queue_impl,
    [MAP_TYPE_STACK] = &map_queue_impl,
    [MAP_TYPE_DEVMAP_HASH] = &map_hash_impl,
    [MAP_TYPE_RINGBUF] = &map_ringbuf_impl,
    [MAP_TYPE_BLOOM_FILTER] = &map_bloom_filter_impl,
};

const char *map_type_name(uint32_t map_type)
{
    return map_type < MAP_TYPE_COUNT && type_names[map_type] ? type_names[map_type] : "unknown";
}

int map_check_prealloc(const struct map_create_attr *attr, uint64_t count, uint64_t size,
                       char *msg, size_t msg_size)
{
    if (size && count > MAP_PREALLOC_MAX / size)
        return msg_error(-E2BIG, msg, msg_size,
                         "%s: %llu entries of %llu bytes exceed the %llu bytes a map may "
                         "preallocate",
                         map_type_name(attr->map_type), (unsigned long long)count,
                         (unsigned long long)size, (unsigned long long)MAP_PREALLOC_MAX);
    return 0;
}

static bool type_holds_objects(uint32_t type)
{
    return type == MAP_TYPE_PROG_ARRAY || type == MAP_TYPE_PERF_EVENT_ARRAY ||
           type == MAP_TYPE_ARRAY_OF_MAPS || type == MAP_TYPE_HASH_OF_MAPS;
}

static bool type_is_queue_like(uint32_t type)
{
    return type == MAP_TYPE_QUEUE || type == MAP_TYPE_STACK || type == MAP_TYPE_BLOOM_FILTER;
}

size_t map_sys_value_size(const struct bpfhost_map *map)
{
    if (map_type_is_percpu(map->map_type))
        return (size_t)map_round_up8(map->value_size) * platform_cpu_slot_count();
    if (type_holds_objects(map->map_type))
        return sizeof(uint32_t);
    return map->value_size;
}

/* Checks shared by every type, as Linux's map_create() does them. */
static int check_common(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    if (attr->map_type >= MAP_TYPE_COUNT || attr->map_type == MAP_TYPE_UNSPEC)
        return msg_error(-EINVAL, msg, msg_size, "unknown map type %u", attr->map_type);
    if (!type_impls[attr->map_type])
        return msg_error(-EOPNOTSUPP, msg, msg_size, "map type %s (%u) is not supported",
                         type_names[attr->map_type], attr->map_type);
    size_t len = strnlen(attr->name, MAP_NAME_LEN);
    if (len == MAP_NAME_LEN)
        return msg_error(-EINVAL, msg, msg_size, "map name is not NUL-terminated within %d bytes",
                         MAP_NAME_LEN);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)attr->name[i];
        if (!isalnum(c) && c != '_' && c != '.')
            return msg_error(-EINVAL, msg, msg_size,
                             "map name \"%s\": character 0x%02x is not a letter, digit, '_' or '.'",
                             attr->name, c);
    }
    if ((attr->map_flags & MAP_F_RDONLY) && (attr->map_flags & MAP_F_WRONLY))
        return msg_error(-EINVAL, msg, msg_size, "map flags: RDONLY and WRONLY together");
    if ((attr->map_flags & MAP_F_RDONLY_PROG) && (attr->map_flags & MAP_F_WRONLY_PROG))
        return msg_error(-EINVAL, msg, msg_size,
                         "map flags: RDONLY_PROG and WRONLY_PROG together");
    bool map_in_map =
        attr->map_type == MAP_TYPE_ARRAY_OF_MAPS || attr->map_type == MAP_TYPE_HASH_OF_MAPS;
    if (attr->inner_map && !map_in_map)
        return msg_error(-EINVAL, msg, msg_size, "an inner map is only for map-in-map types, not %s",
                         type_names[attr->map_type]);
    if (attr->map_extra && attr->map_type != MAP_TYPE_BLOOM_FILTER)
        return msg_error(-EINVAL, msg, msg_size, "map_extra is only for bloom filters");
    if (attr->has_spin_lock) {
        if (attr->map_type != MAP_TYPE_HASH && attr->map_type != MAP_TYPE_ARRAY)
            return msg_error(-EOPNOTSUPP, msg, msg_size,
                             "a spin lock in the value is only supported in hash and array maps, "
                             "not %s", type_names[attr->map_type]);
        if (attr->spin_lock_offset % 4 || attr->value_size < 4 ||
            attr->spin_lock_offset > attr->value_size - 4)
            return msg_error(-EINVAL, msg, msg_size,
                             "spin lock offset %u does not fit an aligned 4-byte lock in a "
                             "%u-byte value",
                             attr->spin_lock_offset, attr->value_size);
    }
    return 0;
}

int map_create(const struct map_create_attr *attr, struct bpfhost_map **out, char *msg,
               size_t msg_size)
{
    *out = NULL;
    if (msg && msg_size)
        msg[0] = '\0';
    int err = check_common(attr, msg, msg_size);
    if (err)
        return err;
    const struct map_type_impl *impl = type_impls[attr->map_type];
    err = impl->check(attr, msg, msg_size);
    if (err)
        return err;
    return impl->create(attr, out, msg, msg_size);
}

void map_init_common(struct bpfhost_map *map, const struct map_ops *ops,
                     const struct map_create_attr *attr)
{
    map->ops = ops;
    map->map_type = attr->map_type;
    map->key_size = attr->key_size;
    map->value_size = attr->value_size;
    map->max_entries = attr->max_entries;
    map->map_flags = attr->map_flags;
    map->map_extra = attr->map_extra;
    map->has_spin_lock = attr->has_spin_lock;
    map->spin_lock_offset = attr->spin_lock_offset;
    memcpy(map->name, attr->name, sizeof map->name);
    map->object_ops = attr->object_ops;
    map->inner_template = NULL;
    if (attr->inner_map) {
        map->inner_template = (struct bpfhost_map *)attr->inner_map;
        map_get(map->inner_template);
    }
    map->refcount = 1;
}

void map_get(struct bpfhost_map *map)
{
    map->refcount++;
}

static void reclaim_map(struct platform_epoch_entry *entry)
{
    struct bpfhost_map *map =
        (struct bpfhost_map *)((char *)entry - offsetof(struct bpfhost_map, reclaim));
    struct bpfhost_map *template_map = map->inner_template;
    map->ops->destroy(map);
    if (template_map)
        map_put(template_map);
}

void map_put(struct bpfhost_map *map)
{
    if (map && --map->refcount == 0)
        platform_epoch_defer(&map->reclaim, reclaim_map);
}

int map_check_inner_compatible(const struct bpfhost_map *template_map,
                               const struct bpfhost_map *inner)
{
    if (!template_map || !inner)
        return -EINVAL;
    /* Linux's bpf_map_meta_equal: same shape, and same size unless the template allows any. */
    if (inner->map_type != template_map->map_type ||
        inner->key_size != template_map->key_size ||
        inner->value_size != template_map->value_size ||
        inner->map_flags != template_map->map_flags ||
        inner->has_spin_lock != template_map->has_spin_lock)
        return -EINVAL;
    if (!(template_map->map_flags & MAP_F_INNER_MAP) &&
        inner->max_entries != template_map->max_entries)
        return -EINVAL;
    if (inner->map_type == MAP_TYPE_ARRAY_OF_MAPS || inner->map_type == MAP_TYPE_HASH_OF_MAPS)
        return -EINVAL; /* Linux allows one level of nesting only */
    return 0;
}

/* --- values and locks --------------------------------------------------------------------- */

void map_spin_lock(void *lock)
{
    _Atomic uint32_t *word = lock;
    for (unsigned spins = 0;; spins++) {
        uint32_t expected = 0;
        if (*word == 0 && atomic_compare_exchange_weak(word, &expected, 1))
            return;
        /* The holder may have been preempted: let it run rather than burn its CPU. */
        if (spins > 64)
            sched_yield();
    }
}

void map_spin_unlock(void *lock)
{
    _Atomic uint32_t *word = lock;
    atomic_store_explicit(word, 0, memory_order_release);
}

int map_check_update_flags(const struct bpfhost_map *map, uint64_t flags)
{
    if ((flags & ~(uint64_t)MAP_F_LOCK) > MAP_EXIST)
        return -EINVAL;
    if ((flags & MAP_F_LOCK) && !map->has_spin_lock)
        return -EINVAL;
    return 0;
}

/* --- program side --------------------------------------------------------------------------- */

void *map_lookup_elem(struct bpfhost_map *map, const void *key)
{
    if (!map->ops->lookup || (map->map_flags & MAP_F_WRONLY_PROG))
        return NULL;
    return map->ops->lookup(map, key);
}

void *map_lookup_percpu_elem(struct bpfhost_map *map, const void *key, uint32_t cpu)
{
    if (!map->ops->lookup_percpu || cpu >= platform_cpu_slot_count() ||
        (map->map_flags & MAP_F_WRONLY_PROG))
        return NULL;
    return map->ops->lookup_percpu(map, key, cpu);
}

long map_for_each_elem(struct bpfhost_map *map, map_for_each_fn fn, void *ctx, uint64_t flags)
{
    if (flags || !map->ops->for_each)
        return -EINVAL;
    return map->ops->for_each(map, fn, ctx);
}

long map_update_elem(struct bpfhost_map *map, const void *key, const void *value,
                     uint64_t flags)
{
    if (!map->ops->update)
        return -EOPNOTSUPP;
    if (map->map_flags & MAP_F_RDONLY_PROG)
        return -EPERM;
    return map->ops->update(map, key, value, flags);
}

long map_delete_elem(struct bpfhost_map *map, const void *key)
{
    if (!map->ops->delete_elem)
        return -EOPNOTSUPP;
    if (map->map_flags & MAP_F_RDONLY_PROG)
        return -EPERM;
    return map->ops->delete_elem(map, key);
}

long map_push_elem(struct bpfhost_map *map, const void *value, uint64_t flags)
{
    if (!map->ops->push)
        return -EOPNOTSUPP;
    if (map->map_flags & MAP_F_RDONLY_PROG)
        return -EPERM;
    return map->ops->push(map, value, flags);
}

long map_pop_elem(struct bpfhost_map *map, void *value)
{
    if (!map->ops->pop)
        return -EOPNOTSUPP;
    if (map->map_flags & MAP_F_RDONLY_PROG)
        return -EPERM;
    return map->ops->pop(map, value);
}

long map_peek_elem(struct bpfhost_map *map, void *value)
{
    if (!map->ops->peek)
        return -EOPNOTSUPP;
    if (map->map_flags & MAP_F_WRONLY_PROG)
        return -EPERM;
    return map->ops->peek(map, value);
}

/* --- control side --------------------------------------------------------------------------- */

static int sys_lookup_in_section(struct bpfhost_map *map, const void *key, void *value,
                                 uint64_t flags)
{
    if (type_is_queue_like(map->map_type))
        return map->ops->peek ? (int)map->ops->peek(map, value) : -EOPNOTSUPP;
    if (map->ops->sys_lookup)
        return map->ops->sys_lookup(map, key, value, flags);
    if (!map->ops->lookup)
        return -EOPNOTSUPP;
    void *found = map->ops->lookup(map, key);
    if (!found)
        return -ENOENT;
    if (flags & MAP_F_LOCK)
        map_copy_value_out_locked(map, value, found);
    else
        map_copy_value_out(map, value, found);
    return 0;
}

int map_sys_lookup_elem(struct bpfhost_map *map, const void *key, void *value, uint64_t flags)
{
    if (flags & ~(uint64_t)MAP_F_LOCK)
        return -EINVAL;
    if ((flags & MAP_F_LOCK) && !map->has_spin_lock)
        return -EINVAL;
    if (map->map_flags & MAP_F_WRONLY)
        return -EPERM;
    platform_epoch_enter();
    int err = sys_lookup_in_section(map, key, value, flags);
    platform_epoch_exit();
    return err;
}

int map_sys_update_elem(struct bpfhost_map *map, const void *key, const void *value,
                        uint64_t flags)
{
    if (map->map_flags & MAP_F_RDONLY)
        return -EPERM;
    if (type_holds_objects(map->map_type))
        return -EINVAL; /* the runtime resolves the fd and calls map_sys_update_object */
    int err;
    platform_epoch_enter();
    if (type_is_queue_like(map->map_type))
        err = map->ops->push ? (int)map->ops->push(map, value, flags) : -EOPNOTSUPP;
    else if (map->ops->sys_update)
        err = map->ops->sys_update(map, key, value, flags);
    else if (map->ops->update)
        err = (int)map->ops->update(map, key, value, flags);
    else
        err = -EOPNOTSUPP;
    platform_epoch_exit();
    return err;
}

int map_sys_update_object(struct bpfhost_map *map, const void *key, void *object,
                          uint64_t flags)
{
    if (map->map_flags & MAP_F_RDONLY)
        return -EPERM;
    if (!map->ops->update_object)
        return -EINVAL;
    platform_epoch_enter();
    int err = map->ops->update_object(map, key, object, flags);
    platform_epoch_exit();
    return err;
}

int map_sys_delete_elem(struct bpfhost_map *map, const void *key)
{
    if (map->map_flags & MAP_F_RDONLY)
        return -EPERM;
    if (!map->ops->delete_elem)
        return -EINVAL;
    platform_epoch_enter();
    int err = (int)map->ops->delete_elem(map, key);
    platform_epoch_exit();
    return err;
}

int map_sys_get_next_key(struct bpfhost_map *map, const void *key, void *next_key)
{
    if (!map->ops->get_next_key)
        return -EINVAL;
    platform_epoch_enter();
    int err = map->ops->get_next_key(map, key, next_key);
    platform_epoch_exit();
    return err;
}

static int lookup_and_delete_in_section(struct bpfhost_map *map, const void *key, void *value,
                                        uint64_t flags)
{
    if (map->map_type == MAP_TYPE_QUEUE || map->map_type == MAP_TYPE_STACK)
        return flags ? -EINVAL : (int)map->ops->pop(map, value);
    if (!map->ops->sys_lookup_and_delete)
        return -EOPNOTSUPP;
    return map->ops->sys_lookup_and_delete(map, key, value, flags);
}

int map_sys_lookup_and_delete_elem(struct bpfhost_map *map, const void *key, void *value,
                                   uint64_t flags)
{
    if (flags & ~(uint64_t)MAP_F_LOCK)
        return -EINVAL;
    if ((flags & MAP_F_LOCK) && !map->has_spin_lock)
        return -EINVAL;
    if (map->map_flags & (MAP_F_RDONLY | MAP_F_WRONLY))
        return -EPERM;
    platform_epoch_enter();
    int err = lookup_and_delete_in_section(map, key, value, flags);
    platform_epoch_exit();
    return err;
}

/* --- batches --------------------------------------------------------------------------------- */

static int check_batch(struct bpfhost_map *map, uint64_t elem_flags)
{
    if (!map->ops->get_next_key || type_is_queue_like(map->map_type))
        return -EINVAL;
    if (elem_flags & ~(uint64_t)MAP_F_LOCK)
        return -EINVAL;
    if ((elem_flags & MAP_F_LOCK) && !map->has_spin_lock)
        return -EINVAL;
    return 0;
}

/* Walks keys from the cursor and copies (and, when deleting, removes) up to *count entries.
 * After deleting, the walk restarts from the first key: what was before is gone. */
static int lookup_batch(struct bpfhost_map *map, const void *in_batch, void *out_batch,
                        void *keys, void *values, uint32_t *count, uint64_t elem_flags,
                        bool delete_after)
{
    int err = check_batch(map, elem_flags);
    uint32_t wanted = *count;
    *count = 0;
    if (err)
        return err;
    if (delete_after && !map->ops->sys_lookup_and_delete)
        return -EOPNOTSUPP;
    if (wanted == 0)
        return 0;
    size_t key_size = map->key_size, value_size = map_sys_value_size(map);
    unsigned char *key = malloc(key_size ? key_size * 2 : 1);
    if (!key)
        return -ENOMEM;
    unsigned char *next = key + key_size;
    platform_epoch_enter();
    const void *from = delete_after ? NULL : in_batch;
    uint32_t done = 0;
    int retries = 3; /* Linux's MAP_LOOKUP_RETRIES for keys deleted under the walk */
    err = 0;
    while (done < wanted) {
        err = map->ops->get_next_key(map, from, next);
        if (err)
            break;
        unsigned char *value_out = (unsigned char *)values + done * value_size;
        int found = delete_after
                        ? map->ops->sys_lookup_and_delete(map, next, value_out, elem_flags)
                        : sys_lookup_in_section(map, next, value_out, elem_flags);
        if (found == -ENOENT) {
            if (retries-- > 0)
                continue;
            err = -EINTR;
            break;
        }
        if (found) {
            err = found;
            break;
        }
        retries = 3;
        memcpy((unsigned char *)keys + done * key_size, next, key_size);
        memcpy(key, next, key_size);
        from = delete_after ? NULL : key;
        done++;
    }
    platform_epoch_exit();
    if (done && out_batch)
        memcpy(out_batch, (unsigned char *)keys + (done - 1) * key_size, key_size);
    free(key);
    *count = done;
    return err;
}

int map_sys_lookup_batch(struct bpfhost_map *map, const void *in_batch, void *out_batch,
                         void *keys, void *values, uint32_t *count, uint64_t elem_flags)
{
    if (map->map_flags & MAP_F_WRONLY) {
        *count = 0;
        return -EPERM;
    }
    return lookup_batch(map, in_batch, out_batch, keys, values, count, elem_flags, false);
}

int map_sys_lookup_and_delete_batch(struct bpfhost_map *map, const void *in_batch,
                                    void *out_batch, void *keys, void *values, uint32_t *count,
                                    uint64_t elem_flags)
{
    if (map->map_flags & (MAP_F_RDONLY | MAP_F_WRONLY)) {
        *count = 0;
        return -EPERM;
    }
    return lookup_batch(map, in_batch, out_batch, keys, values, count, elem_flags, true);
}

int map_sys_update_batch(struct bpfhost_map *map, const void *keys, const void *values,
                         uint32_t *count, uint64_t elem_flags)
{
    uint32_t wanted = *count;
    *count = 0;
    if (type_is_queue_like(map->map_type) || type_holds_objects(map->map_type))
        return -EINVAL;
    size_t value_size = map_sys_value_size(map);
    for (uint32_t i = 0; i < wanted; i++) {
        int err = map_sys_update_elem(map, (const unsigned char *)keys + i * map->key_size,
                                      (const unsigned char *)values + i * value_size,
                                      elem_flags);
        if (err)
            return err;
        *count = i + 1;
    }
    return 0;
}

int map_sys_delete_batch(struct bpfhost_map *map, const void *keys, uint32_t *count)
{
    uint32_t wanted = *count;
    *count = 0;
    if (type_is_queue_like(map->map_type))
        return -EINVAL;
    for (uint32_t i = 0; i < wanted; i++) {
        int err = map_sys_delete_elem(map, (const unsigned char *)keys + i * map->key_size);
        if (err)
            return err;
        *count = i + 1;
    }
    return 0;
}
