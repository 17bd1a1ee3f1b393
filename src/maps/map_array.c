/* ARRAY and PERCPU_ARRAY: max_entries values, preallocated and zeroed, indexed by a u32 key.
 * Values are updated in place (as on Linux, a reader may see a half-written value unless
 * both sides use the value's spin lock). Per-CPU values are stored slot-major so that each
 * slot's values share cache lines only with each other. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "platform/cpu_slot.h"
#include "platform/ring_memory.h"

struct array_map {
    struct bpfhost_map map;
    uint32_t stride;   /* value_size rounded up to 8 */
    uint32_t slots;    /* 1, or the slot count for per-CPU arrays */
    size_t size;       /* bytes at values */
    unsigned char *values; /* page-aligned, inside block */
    unsigned char *block;
};

static struct array_map *array_of(struct bpfhost_map *map)
{
    return (struct array_map *)map;
}

static unsigned char *value_at(struct array_map *array, uint32_t index, uint32_t slot)
{
    return array->values + ((size_t)slot * array->map.max_entries + index) * array->stride;
}

static void *array_lookup(struct bpfhost_map *map, const void *key)
{
    uint32_t index;
    memcpy(&index, key, sizeof index);
    if (index >= map->max_entries)
        return NULL;
    struct array_map *array = array_of(map);
    return value_at(array, index, array->slots > 1 ? platform_cpu_slot() : 0);
}

static void *percpu_array_lookup_slot(struct bpfhost_map *map, const void *key, uint32_t slot)
{
    uint32_t index;
    memcpy(&index, key, sizeof index);
    if (index >= map->max_entries)
        return NULL;
    return value_at(array_of(map), index, slot);
}

static long array_for_each(struct bpfhost_map *map, map_for_each_fn fn, void *ctx)
{
    struct array_map *array = array_of(map);
    uint32_t slot = array->slots > 1 ? platform_cpu_slot() : 0;
    long visited = 0;
    for (uint32_t index = 0; index < map->max_entries; index++) {
        visited++;
        if (fn(map, &index, value_at(array, index, slot), ctx))
            break;
    }
    return visited;
}

static int check_array_update(struct bpfhost_map *map, const void *key, uint64_t flags,
                              uint32_t *index)
{
    int err = map_check_update_flags(map, flags);
    if (err)
        return err;
    memcpy(index, key, sizeof *index);
    if (*index >= map->max_entries)
        return -E2BIG;
    if ((flags & ~(uint64_t)MAP_F_LOCK) == MAP_NOEXIST)
        return -EEXIST; /* every element of an array exists */
    return 0;
}

static long array_update(struct bpfhost_map *map, const void *key, const void *value,
                         uint64_t flags)
{
    uint32_t index;
    int err = check_array_update(map, key, flags, &index);
    if (err)
        return err;
    struct array_map *array = array_of(map);
    void *dst = value_at(array, index, array->slots > 1 ? platform_cpu_slot() : 0);
    if (flags & MAP_F_LOCK)
        map_copy_value_in_locked(map, dst, value);
    else
        map_copy_value_in(map, dst, value);
    return 0;
}

static int percpu_array_sys_lookup(struct bpfhost_map *map, const void *key, void *value,
                                   uint64_t flags)
{
    uint32_t index;
    memcpy(&index, key, sizeof index);
    if (index >= map->max_entries)
        return -ENOENT;
    struct array_map *array = array_of(map);
    for (uint32_t slot = 0; slot < array->slots; slot++) {
        unsigned char *out = (unsigned char *)value + (size_t)slot * array->stride;
        map_value_load(out, value_at(array, index, slot), map->value_size);
        memset(out + map->value_size, 0, array->stride - map->value_size);
    }
    return 0;
}

static int percpu_array_sys_update(struct bpfhost_map *map, const void *key, const void *value,
                                   uint64_t flags)
{
    uint32_t index;
    int err = check_array_update(map, key, flags, &index);
    if (err)
        return err;
    struct array_map *array = array_of(map);
    for (uint32_t slot = 0; slot < array->slots; slot++)
        map_value_store(value_at(array, index, slot),
                        (const unsigned char *)value + (size_t)slot * array->stride,
                        map->value_size);
    return 0;
}

static long array_delete(struct bpfhost_map *map, const void *key)
{
    return -EINVAL; /* array elements cannot be deleted */
}

static int array_get_next_key(struct bpfhost_map *map, const void *key, void *next_key)
{
    uint32_t index = 0, next = 0;
    if (key) {
        memcpy(&index, key, sizeof index);
        if (index < map->max_entries) {
            if (index == map->max_entries - 1)
                return -ENOENT;
            next = index + 1;
        }
    }
    memcpy(next_key, &next, sizeof next);
    return 0;
}

static void array_destroy(struct bpfhost_map *map)
{
    struct array_map *array = array_of(map);
    free(array->block);
    free(array);
}

static const struct map_ops array_ops = {
    .lookup = array_lookup,
    .for_each = array_for_each,
    .update = array_update,
    .delete_elem = array_delete,
    .get_next_key = array_get_next_key,
    .destroy = array_destroy,
};

static const struct map_ops percpu_array_ops = {
    .lookup = array_lookup,
    .lookup_percpu = percpu_array_lookup_slot,
    .for_each = array_for_each,
    .update = array_update,
    .delete_elem = array_delete,
    .sys_lookup = percpu_array_sys_lookup,
    .sys_update = percpu_array_sys_update,
    .get_next_key = array_get_next_key,
    .destroy = array_destroy,
};

static int array_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    bool percpu = attr->map_type == MAP_TYPE_PERCPU_ARRAY;
    const char *type = map_type_name(attr->map_type);
    uint32_t allowed = MAP_F_NUMA_NODE | MAP_F_RDONLY | MAP_F_WRONLY | MAP_F_RDONLY_PROG |
                       MAP_F_WRONLY_PROG | MAP_F_INNER_MAP | (percpu ? 0 : MAP_F_MMAPABLE);
    if (attr->key_size != 4)
        return msg_error(-EINVAL, msg, msg_size, "%s: key_size %u, must be 4", type,
                         attr->key_size);
    if (attr->value_size == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: value_size 0", type);
    if (attr->max_entries == 0)
        return msg_error(-EINVAL, msg, msg_size, "%s: max_entries 0", type);
    if (attr->map_flags & ~allowed)
        return msg_error(-EINVAL, msg, msg_size, "%s: unsupported map flags 0x%x", type,
                         attr->map_flags & ~allowed);
    uint32_t value_max = percpu ? 32768 : MAP_VALUE_SIZE_MAX; /* PCPU_MIN_UNIT_SIZE */
    if (attr->value_size > value_max)
        return msg_error(-E2BIG, msg, msg_size, "%s: value_size %u, at most %u", type,
                         attr->value_size, value_max);
    return 0;
}

static int array_create(const struct map_create_attr *attr, struct bpfhost_map **out,
                        char *msg, size_t msg_size)
{
    bool percpu = attr->map_type == MAP_TYPE_PERCPU_ARRAY;
    uint32_t stride = map_round_up8(attr->value_size);
    uint32_t slots = percpu ? platform_cpu_slot_count() : 1;
    size_t page = platform_page_size();
    uint64_t count = (uint64_t)attr->max_entries * slots;
    int err = map_check_prealloc(attr, count, stride, msg, msg_size);
    if (err)
        return err;
    size_t size = (count * stride + page - 1) / page * page;
    struct array_map *array = calloc(1, sizeof *array);
    /* calloc: large blocks come zeroed from the kernel, touched only when used. */
    unsigned char *block = array ? calloc(1, size + page) : NULL;
    if (!block) {
        free(array);
        return msg_error(-ENOMEM, msg, msg_size, "%s: cannot allocate %zu bytes",
                         map_type_name(attr->map_type), size);
    }
    array->block = block;
    array->values = block + (page - (uintptr_t)block % page) % page;
    map_init_common(&array->map, percpu ? &percpu_array_ops : &array_ops, attr);
    array->stride = stride;
    array->slots = slots;
    array->size = size;
    *out = &array->map;
    return 0;
}

void *map_array_memory(struct bpfhost_map *map, size_t *size)
{
    if (map->map_type != MAP_TYPE_ARRAY)
        return NULL;
    struct array_map *array = array_of(map);
    if (size)
        *size = array->size;
    return array->values;
}

const struct map_type_impl map_array_impl = {.check = array_check, .create = array_create};
