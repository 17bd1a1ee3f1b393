/* bpf_map: a map of an object, its definition before load and its contents after. */
#include "libbpf/libbpf_impl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "platform/ring_memory.h"

static const struct elf_map *def_of(const struct bpf_map *map)
{
    return &map->obj->map_defs[map->index];
}

/* libbpf refuses to change a map once it exists: created at load, or reused. */
static int check_changeable(const struct bpf_map *map)
{
    if (!map)
        return -EINVAL;
    return map->fd >= 0 || map->reused || map->obj->loaded ? -EBUSY : 0;
}

int bpf_map__fd(const struct bpf_map *map)
{
    return map ? map->fd : libbpf_err(-EINVAL);
}

const char *bpf_map__name(const struct bpf_map *map)
{
    return map ? def_of(map)->name : libbpf_err_ptr(-EINVAL);
}

enum bpf_map_type bpf_map__type(const struct bpf_map *map)
{
    if (!map)
        return libbpf_err(-EINVAL), BPF_MAP_TYPE_UNSPEC;
    return (enum bpf_map_type)def_of(map)->type;
}

#define MAP_GETTER(field)                                                                          \
    __u32 bpf_map__##field(const struct bpf_map *map)                                              \
    {                                                                                              \
        if (!map)                                                                                  \
            return libbpf_err(-EINVAL), 0;                                                         \
        return def_of(map)->field;                                                                 \
    }
MAP_GETTER(key_size)
MAP_GETTER(value_size)
MAP_GETTER(max_entries)
MAP_GETTER(map_flags)

/* A ring buffer's size must be a power of two number of pages: round up as libbpf does,
 * and leave what cannot be rounded for map creation to refuse. */
static __u32 ringbuf_size(__u32 size)
{
    size_t page = platform_page_size();
    if (size == 0 || (size % page == 0 && !((size / page) & (size / page - 1))))
        return size;
    for (uint64_t pages = 1; pages * page <= UINT_MAX; pages <<= 1) {
        if (pages * page > size)
            return (__u32)(pages * page);
    }
    return size;
}

int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)
{
    int err = check_changeable(map);
    if (err)
        return libbpf_err(err);
    struct elf_map *def = &map->obj->map_defs[map->index];
    def->max_entries = def->type == BPF_MAP_TYPE_RINGBUF ? ringbuf_size(max_entries) : max_entries;
    return 0;
}

int bpf_map__set_value_size(struct bpf_map *map, __u32 size)
{
    int err = check_changeable(map);
    if (err)
        return libbpf_err(err);
    struct elf_map *def = &map->obj->map_defs[map->index];
    if (map->initial_value) {
        uint8_t *resized = realloc(map->initial_value, size ? size : 1);
        if (!resized)
            return libbpf_err(-ENOMEM);
        if (size > def->value_size)
            memset(resized + def->value_size, 0, size - def->value_size);
        map->initial_value = resized;
        def->initial_value = resized;
    }
    def->value_size = size;
    return 0;
}

int bpf_map__set_initial_value(struct bpf_map *map, const void *data, size_t size)
{
    int err = check_changeable(map);
    if (err)
        return libbpf_err(err);
    const struct elf_map *def = def_of(map);
    if (!map->initial_value || def->origin == ELF_MAP_KCONFIG || size != def->value_size || !data)
        return libbpf_err(-EINVAL);
    memcpy(map->initial_value, data, size);
    return 0;
}

const void *bpf_map__initial_value(struct bpf_map *map, size_t *psize)
{
    if (!map || !psize)
        return libbpf_err_ptr(-EINVAL);
    if (!map->initial_value)
        return NULL;
    const struct runtime_object *runtime = map->obj->runtime;
    if (runtime && map->index < runtime->map_count) {
        /* As libbpf maps the created map: the variables the programs read and write. */
        size_t size;
        void *live = map_array_memory(runtime->maps[map->index], &size);
        if (live) {
            *psize = def_of(map)->value_size;
            return live;
        }
    }
    *psize = def_of(map)->value_size;
    return map->initial_value;
}
