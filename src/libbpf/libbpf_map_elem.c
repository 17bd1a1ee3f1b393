/* bpf_map__lookup_elem and friends: libbpf 1.x's element operations on an object's map.
 * They check the sizes the caller passes against the map's definition (libbpf's
 * validate_map_op) and then are the fd-based calls of <bpf/bpf.h> on the map's fd. */
#include "libbpf/libbpf_impl.h"

#include "bpf/bpf.h"

/* -ENOENT before the map exists, -EINVAL when a size is not the map's: per-CPU maps take
 * one value per possible CPU, each rounded up to 8 bytes. */
static int validate_map_op(const struct bpf_map *map, size_t key_sz, size_t value_sz,
                           bool check_value_sz)
{
    if (!map)
        return -EINVAL;
    if (map->fd < 0)
        return -ENOENT;
    const char *name = bpf_map__name(map);
    __u32 key_size = bpf_map__key_size(map), value_size = bpf_map__value_size(map);
    if (key_sz != key_size) {
        pr_warn("map '%s': unexpected key size %zu provided, expected %u\n", name, key_sz,
                key_size);
        return -EINVAL;
    }
    if (!check_value_sz)
        return 0;
    switch (bpf_map__type(map)) {
    case BPF_MAP_TYPE_PERCPU_ARRAY:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
    case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE: {
        size_t num_cpu = (size_t)libbpf_num_possible_cpus();
        size_t elem_sz = ((size_t)value_size + 7) & ~(size_t)7;
        if (value_sz != num_cpu * elem_sz) {
            pr_warn("map '%s': unexpected value size %zu provided for per-CPU map, expected "
                    "%zu * %zu = %zu\n", name, value_sz, num_cpu, elem_sz, num_cpu * elem_sz);
            return -EINVAL;
        }
        return 0;
    }
    default:
        if (value_sz != value_size) {
            pr_warn("map '%s': unexpected value size %zu provided, expected %u\n", name,
                    value_sz, value_size);
            return -EINVAL;
        }
        return 0;
    }
}

int bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz, void *value,
                         size_t value_sz, __u64 flags)
{
    int err = validate_map_op(map, key_sz, value_sz, true);
    if (err)
        return libbpf_err(err);
    return bpf_map_lookup_elem_flags(map->fd, key, value, flags);
}

int bpf_map__update_elem(const struct bpf_map *map, const void *key, size_t key_sz,
                         const void *value, size_t value_sz, __u64 flags)
{
    int err = validate_map_op(map, key_sz, value_sz, true);
    if (err)
        return libbpf_err(err);
    return bpf_map_update_elem(map->fd, key, value, flags);
}

int bpf_map__delete_elem(const struct bpf_map *map, const void *key, size_t key_sz, __u64 flags)
{
    int err = validate_map_op(map, key_sz, 0, false);
    if (err)
        return libbpf_err(err);
    /* Linux's BPF_MAP_DELETE_ELEM takes no flags. */
    if (flags)
        return libbpf_err(-EINVAL);
    return bpf_map_delete_elem(map->fd, key);
}

int bpf_map__lookup_and_delete_elem(const struct bpf_map *map, const void *key, size_t key_sz,
                                    void *value, size_t value_sz, __u64 flags)
{
    int err = validate_map_op(map, key_sz, value_sz, true);
    if (err)
        return libbpf_err(err);
    return bpf_map_lookup_and_delete_elem_flags(map->fd, key, value, flags);
}

int bpf_map__get_next_key(const struct bpf_map *map, const void *cur_key, void *next_key,
                          size_t key_sz)
{
    int err = validate_map_op(map, key_sz, 0, false);
    if (err)
        return libbpf_err(err);
    return bpf_map_get_next_key(map->fd, cur_key, next_key);
}
