/* Arrays whose slots hold something other than plain values: PROG_ARRAY (programs, for
 * tail calls), PERF_EVENT_ARRAY (event outputs), ARRAY_OF_MAPS (inner maps) and DEVMAP
 * (device entries: an ifindex, optionally followed by a program fd).
 *
 * Each slot is one pointer, swapped atomically; what it pointed to is released after a
 * grace period, so a reader that fetched it (a tail call in progress, a program using an
 * inner map) keeps a valid object until its read-side section ends. The control side
 * fills slots with objects the runtime resolved from fds (map_sys_update_object); only
 * DEVMAP takes plain values. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "platform/cpu_slot.h"

struct object_array {
    struct bpfhost_map map;
    void *_Atomic *slots;
};

/* An object waiting for its grace period before its reference is dropped. */
struct deferred_release {
    struct platform_epoch_entry reclaim;
    void *object;
    const struct map_object_ops *ops; /* NULL: object is a struct bpfhost_map */
};

/* DEVMAP slot contents. */
struct devmap_entry {
    struct platform_epoch_entry reclaim;
    _Alignas(8) unsigned char value[8];
};

static struct object_array *object_array_of(struct bpfhost_map *map)
{
    return (struct object_array *)map;
}

static bool read_index(const struct bpfhost_map *map, const void *key, uint32_t *index)
{
    memcpy(index, key, sizeof *index);
    return *index < map->max_entries;
}

static void release_now(const struct bpfhost_map *map, void *object)
{
    if (map->map_type == MAP_TYPE_DEVMAP)
        free(object);
    else if (map->map_type == MAP_TYPE_ARRAY_OF_MAPS)
        map_put(object);
    else
        map->object_ops->put(object);
}

static void run_release(struct platform_epoch_entry *entry)
{
    struct deferred_release *r = (struct deferred_release *)entry;
    if (r->ops)
        r->ops->put(r->object);
    else
        map_put(r->object);
    free(r);
}

static void reclaim_devmap_entry(struct platform_epoch_entry *entry)
{
    free(entry);
}

/* Releases what a slot held once readers are done. record was allocated by the caller
 * beforehand so that this cannot fail (unused for devmap entries, which carry their own). */
static void release_later(struct bpfhost_map *map, void *old, struct deferred_release *record)
{
    if (!old) {
        free(record);
        return;
    }
    if (map->map_type == MAP_TYPE_DEVMAP) {
        free(record);
        struct devmap_entry *entry = old;
        platform_epoch_defer(&entry->reclaim, reclaim_devmap_entry);
        return;
    }
    if (map->map_type == MAP_TYPE_ARRAY_OF_MAPS) {
        /* map_put itself waits for a grace period before freeing. */
        free(record);
        map_put(old);
        return;
    }
    record->object = old;
    record->ops = map->object_ops;
    platform_epoch_defer(&record->reclaim, run_release);
}

static void *swap_slot(struct object_array *array, uint32_t index, void *object)
{
    return atomic_exchange_explicit(&array->slots[index], object, memory_order_acq_rel);
}

void *map_object_at(struct bpfhost_map *map, uint64_t index)
{
    if (map->map_type != MAP_TYPE_PROG_ARRAY && map->map_type != MAP_TYPE_PERF_EVENT_ARRAY)
        return NULL;
    if (map->map_type == MAP_TYPE_PERF_EVENT_ARRAY && index == MAP_F_CURRENT_CPU)
        index = platform_cpu_slot();
    if (index >= map->max_entries)
        return NULL;
    return atomic_load_explicit(&object_array_of(map)->slots[index], memory_order_acquire);
}

static void *inner_map_lookup(struct bpfhost_map *map, const void *key)
{
    uint32_t index;
    if (!read_index(map, key, &index))
        return NULL;
    return atomic_load_explicit(&object_array_of(map)->slots[index], memory_order_acquire);
}

static void *devmap_lookup(struct bpfhost_map *map, const void *key)
{
    struct devmap_entry *entry = inner_map_lookup(map, key);
    return entry ? entry->value : NULL;
}

static int object_update(struct bpfhost_map *map, const void *key, void *object,
                         uint64_t flags)
{
    uint32_t index;
    if (flags != MAP_ANY)
        return -EINVAL;
    if (!read_index(map, key, &index))
        return -E2BIG;
    if (!object)
        return -EBADF;
    if (map->map_type == MAP_TYPE_ARRAY_OF_MAPS) {
        int err = map_check_inner_compatible(map->inner_template, object);
        if (err)
            return err;
    }
    struct deferred_release *record = malloc(sizeof *record);
    if (!record)
        return -ENOMEM;
    if (map->map_type == MAP_TYPE_ARRAY_OF_MAPS)
        map_get(object);
    else
        map->object_ops->get(object);
    release_later(map, swap_slot(object_array_of(map), index, object), record);
    return 0;
}

static int devmap_sys_update(struct bpfhost_map *map, const void *key, const void *value,
                             uint64_t flags)
{
    uint32_t index;
    if (flags > MAP_EXIST)
        return -EINVAL;
    if (!read_index(map, key, &index))
        return -E2BIG;
    if (flags == MAP_NOEXIST)
        return -EEXIST; /* as for arrays: every index exists */
    if (map->value_size == 8) {
        int32_t prog_fd;
        memcpy(&prog_fd, (const unsigned char *)value + 4, sizeof prog_fd);
        if (prog_fd > 0)
            return -EOPNOTSUPP; /* programs attached to devmap entries are not supported */
    }
    struct devmap_entry *entry = calloc(1, sizeof *entry);
    if (!entry)
        return -ENOMEM;
    memcpy(entry->value, value, map->value_size);
    release_later(map, swap_slot(object_array_of(map), index, entry), NULL);
    return 0;
}

static long object_delete(struct bpfhost_map *map, const void *key)
{
    uint32_t index;
    if (!read_index(map, key, &index))
        return -E2BIG;
    struct deferred_release *record = NULL;
    if (map->map_type != MAP_TYPE_DEVMAP && !(record = malloc(sizeof *record)))
        return -ENOMEM;
    void *old = swap_slot(object_array_of(map), index, NULL);
    release_later(map, old, record);
    if (!old && map->map_type != MAP_TYPE_DEVMAP)
        return -ENOENT;
    return 0;
}

static int object_sys_lookup(struct bpfhost_map *map, const void *key, void *value,
                             uint64_t flags)
{
    uint32_t index;
    if (flags)
        return -EINVAL;
    if (!read_index(map, key, &index))
        return -ENOENT;
    void *object = atomic_load_explicit(&object_array_of(map)->slots[index],
                                        memory_order_acquire);
    if (!object)
        return -ENOENT;
    if (map->map_type == MAP_TYPE_DEVMAP) {
        memcpy(value, ((struct devmap_entry *)object)->value, map->value_size);
        return 0;
    }
    uint32_t id = map->map_type == MAP_TYPE_ARRAY_OF_MAPS ? ((struct bpfhost_map *)object)->id
                                                          : map->object_ops->id(object);
    memcpy(value, &id, sizeof id);
    return 0;
}

static int object_get_next_key(struct bpfhost_map *map, const void *key, void *next_key)
{
    uint32_t index = 0, next = 0;
    if (key && read_index(map, key, &index)) {
        if (index == map->max_entries - 1)
            return -ENOENT;
        next = index + 1;
    }
    memcpy(next_key, &next, sizeof next);
    return 0;
}

static void object_array_destroy(struct bpfhost_map *map)
{
    struct object_array *array = object_array_of(map);
    for (uint32_t i = 0; i < map->max_entries; i++)
        if (array->slots[i])
            release_now(map, array->slots[i]);
    free(array->slots);
    free(array);
}

static const struct map_ops prog_array_ops = {
    .delete_elem = object_delete,
    .sys_lookup = object_sys_lookup,
    .get_next_key = object_get_next_key,
    .update_object = object_update,
    .destroy = object_array_destroy,
};

static const struct map_ops array_of_maps_ops = {
    .lookup = inner_map_lookup,
    .delete_elem = object_delete,
    .sys_lookup = object_sys_lookup,
    .get_next_key = object_get_next_key,
    .update_object = object_update,
    .destroy = object_array_destroy,
};

static const struct map_ops devmap_ops = {
    .lookup = devmap_lookup,
    .delete_elem = object_delete,
    .sys_lookup = object_sys_lookup,
    .sys_update = devmap_sys_update,
    .get_next_key = object_get_next_key,
    .destroy = object_array_destroy,
};

static int object_array_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    uint32_t type = attr->map_type;
    const char *name = map_type_name(type);
    uint32_t allowed = MAP_F_NUMA_NODE | MAP_F_RDONLY | MAP_F_WRONLY | MAP_F_RDONLY_PROG |
                       MAP_F_WRONLY_PROG;
    if (type == MAP_TYPE_PERF_EVENT_ARRAY)
        allowed |= MAP_F_PRESERVE_ELEMS;
    if (type == MAP_TYPE_DEVMAP)
        allowed = MAP_F_NUMA_NODE | MAP_F_RDONLY_PROG | MAP_F_WRONLY_PROG;
    if (attr->key_size != 4)
        return msg_error(-EINVAL, msg, msg_size, "%s: key_size %u, must be 4", name,
                         attr->key_size);
    if (type == MAP_TYPE_DEVMAP) {
        if (attr->value_size != 4 && attr->value_size != 8)
            return msg_error(-EINVAL, msg, msg_size, "%s: value_size %u, must be 4 or 8", name,
                             attr->value_size);
    } else if (attr->value_size != 4) {
        return msg_error(-EINVAL, msg, msg_size, "%s: value_size %u, must be 4 (an fd)", name,
                         attr->value_size);
    }
    if (attr->max_entries == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: max_entries 0", name);
    if (attr->map_flags & ~allowed)
        return msg_error(-EINVAL, msg, msg_size, "%s: unsupported map flags 0x%x", name,
                         attr->map_flags & ~allowed);
    if (type == MAP_TYPE_ARRAY_OF_MAPS) {
        if (!attr->inner_map)
            return msg_error(-EINVAL, msg, msg_size, "%s: needs an inner map", name);
        if (attr->inner_map->map_type == MAP_TYPE_ARRAY_OF_MAPS ||
            attr->inner_map->map_type == MAP_TYPE_HASH_OF_MAPS)
            return msg_error(-EINVAL, msg, msg_size, "%s: the inner map cannot hold maps", name);
    }
    if ((type == MAP_TYPE_PROG_ARRAY || type == MAP_TYPE_PERF_EVENT_ARRAY) &&
        (!attr->object_ops || !attr->object_ops->get || !attr->object_ops->put ||
         !attr->object_ops->id))
        return msg_error(-EINVAL, msg, msg_size,
                         "%s: needs object_ops (get, put, id) from the runtime", name);
    return 0;
}

static int object_array_create(const struct map_create_attr *attr, struct bpfhost_map **out,
                               char *msg, size_t msg_size)
{
    int err = map_check_prealloc(attr, attr->max_entries, sizeof(void *), msg, msg_size);
    if (err)
        return err;
    struct object_array *array = calloc(1, sizeof *array);
    void *_Atomic *slots = array ? calloc(attr->max_entries, sizeof *slots) : NULL;
    if (!slots) {
        free(array);
        return msg_error(-ENOMEM, msg, msg_size, "%s: cannot allocate %u slots",
                         map_type_name(attr->map_type), attr->max_entries);
    }
    array->slots = slots;
    const struct map_ops *ops = &prog_array_ops;
    if (attr->map_type == MAP_TYPE_ARRAY_OF_MAPS)
        ops = &array_of_maps_ops;
    else if (attr->map_type == MAP_TYPE_DEVMAP)
        ops = &devmap_ops;
    map_init_common(&array->map, ops, attr);
    *out = &array->map;
    return 0;
}

const struct map_type_impl map_object_array_impl = {.check = object_array_check,
                                                    .create = object_array_create};
