/* Map commands of the libbpf-compatible API: fds resolved through the object table, then the
 * control-side map functions (maps/map.h) do the work with Linux's semantics. */
#include <bpf/bpf.h>

#include <stdio.h>
#include <string.h>

#include "libbpf/bpf_support.h"
#include "runtime/handles.h"

_Static_assert(MAP_NAME_LEN == BPF_OBJ_NAME_LEN, "map names are as long as Linux's");
_Static_assert(MAP_ANY == BPF_ANY && MAP_NOEXIST == BPF_NOEXIST && MAP_EXIST == BPF_EXIST &&
                   MAP_F_LOCK == BPF_F_LOCK,
               "update flags are Linux's");

static bool is_map_of_maps(uint32_t type)
{
    return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

int bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size,
                   __u32 value_size, __u32 max_entries, const struct bpf_map_create_opts *opts)
{
    if (!libbpf_opts_valid(opts, sizeof *opts))
        return libbpf_err(-EINVAL);
    /* No BTF objects and no offload devices exist here. */
    if (LIBBPF_OPTS_GET(opts, btf_key_type_id, 0) || LIBBPF_OPTS_GET(opts, btf_value_type_id, 0) ||
        LIBBPF_OPTS_GET(opts, btf_vmlinux_value_type_id, 0) || LIBBPF_OPTS_GET(opts, map_ifindex, 0))
        return libbpf_err(-EOPNOTSUPP);
    struct map_create_attr attr = {
        .map_type = map_type,
        .key_size = key_size,
        .value_size = value_size,
        .max_entries = max_entries,
        .map_flags = LIBBPF_OPTS_GET(opts, map_flags, 0),
        .map_extra = LIBBPF_OPTS_GET(opts, map_extra, 0),
        .object_ops = map_type == BPF_MAP_TYPE_PROG_ARRAY ? &runtime_prog_object_ops : NULL,
    };
    /* libbpf truncates long names rather than failing. */
    snprintf(attr.name, sizeof attr.name, "%s", map_name ? map_name : "");
    struct bpfhost_map *inner = NULL;
    if (is_map_of_maps(map_type)) {
        int err = handles_map_from_fd((int)LIBBPF_OPTS_GET(opts, inner_map_fd, 0), &inner);
        if (err)
            return libbpf_err(err);
        attr.inner_map = inner;
    }
    struct bpfhost_map *map;
    char msg[256];
    int err = map_create(&attr, &map, msg, sizeof msg);
    map_put(inner);
    if (err)
        return libbpf_err(err);
    int fd = handles_map_fd(map);
    map_put(map);
    return libbpf_err(fd);
}

/* Linux copies the key from the caller: a missing one is a fault, unless the type has no
 * keys (queue, stack, bloom filter). */
static int check_key(const struct bpfhost_map *map, const void *key)
{
    return key || map->key_size == 0 ? 0 : -EFAULT;
}

/* The map behind fd for reading, with a reference. */
static int map_for_reading(int fd, struct bpfhost_map **map) { return handles_map_from_fd(fd, map); }

/* Maps of programs and maps store the object of an fd given as the value. */
static int update_object(struct bpfhost_map *map, const void *key, const void *value, __u64 flags)
{
    int object_fd;
    memcpy(&object_fd, value, sizeof object_fd);
    struct handle_object object;
    int err = handles_object_from_fd(object_fd, &object);
    if (err)
        return err;
    bool fits = map->map_type == BPF_MAP_TYPE_PROG_ARRAY ? object.kind == HANDLE_PROG
                                                         : object.kind == HANDLE_MAP;
    err = fits ? map_sys_update_object(map, key, object.any, flags) : -EINVAL;
    handle_object_put(&object);
    return err;
}

int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
    struct bpfhost_map *map;
    int err = handles_writable_map_from_fd(fd, &map);
    if (err)
        return libbpf_err(err);
    if (!value || check_key(map, key))
        err = -EFAULT;
    else if (map->map_type == BPF_MAP_TYPE_PROG_ARRAY || is_map_of_maps(map->map_type))
        err = update_object(map, key, value, flags);
    else
        err = map_sys_update_elem(map, key, value, flags);
    map_put(map);
    return libbpf_err(err);
}

int bpf_map_lookup_elem_flags(int fd, const void *key, void *value, __u64 flags)
{
    struct bpfhost_map *map;
    int err = map_for_reading(fd, &map);
    if (err)
        return libbpf_err(err);
    err = value && !check_key(map, key) ? map_sys_lookup_elem(map, key, value, flags) : -EFAULT;
    map_put(map);
    return libbpf_err(err);
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
    return bpf_map_lookup_elem_flags(fd, key, value, 0);
}

int bpf_map_lookup_and_delete_elem_flags(int fd, const void *key, void *value, __u64 flags)
{
    struct bpfhost_map *map;
    int err = handles_writable_map_from_fd(fd, &map);
    if (err)
        return libbpf_err(err);
    err = value && !check_key(map, key) ? map_sys_lookup_and_delete_elem(map, key, value, flags)
                                        : -EFAULT;
    map_put(map);
    return libbpf_err(err);
}

int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
    return bpf_map_lookup_and_delete_elem_flags(fd, key, value, 0);
}

int bpf_map_delete_elem(int fd, const void *key)
{
    struct bpfhost_map *map;
    int err = handles_writable_map_from_fd(fd, &map);
    if (err)
        return libbpf_err(err);
    err = check_key(map, key) ? -EFAULT : map_sys_delete_elem(map, key);
    map_put(map);
    return libbpf_err(err);
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
    struct bpfhost_map *map;
    int err = map_for_reading(fd, &map);
    if (err)
        return libbpf_err(err);
    err = next_key ? map_sys_get_next_key(map, key, next_key) : -EFAULT;
    map_put(map);
    return libbpf_err(err);
}

int bpf_map_freeze(int fd) { return libbpf_err(handles_map_freeze(fd)); }

/* --- batches -------------------------------------------------------------------------------- */

enum batch_op { BATCH_LOOKUP, BATCH_LOOKUP_AND_DELETE, BATCH_UPDATE, BATCH_DELETE };

struct batch_args {
    void *in_batch, *out_batch;
    const void *keys;
    const void *values;
    __u32 *count;
};

static int batch(int fd, enum batch_op op, const struct batch_args *args,
                 const struct bpf_map_batch_opts *opts)
{
    if (!libbpf_opts_valid(opts, sizeof *opts) || LIBBPF_OPTS_GET(opts, flags, 0))
        return libbpf_err(-EINVAL);
    if (!args->count || !args->keys || (op != BATCH_DELETE && !args->values) ||
        ((op == BATCH_LOOKUP || op == BATCH_LOOKUP_AND_DELETE) && !args->out_batch))
        return libbpf_err(-EFAULT);
    __u64 elem_flags = LIBBPF_OPTS_GET(opts, elem_flags, 0);
    struct bpfhost_map *map;
    int err = op == BATCH_LOOKUP ? map_for_reading(fd, &map) : handles_writable_map_from_fd(fd, &map);
    if (err) {
        *args->count = 0;
        return libbpf_err(err);
    }
    void *keys = (void *)(uintptr_t)args->keys, *values = (void *)(uintptr_t)args->values;
    switch (op) {
    case BATCH_LOOKUP:
        err = map_sys_lookup_batch(map, args->in_batch, args->out_batch, keys, values,
                                   args->count, elem_flags);
        break;
    case BATCH_LOOKUP_AND_DELETE:
        err = map_sys_lookup_and_delete_batch(map, args->in_batch, args->out_batch, keys, values,
                                              args->count, elem_flags);
        break;
    case BATCH_UPDATE:
        err = map_sys_update_batch(map, args->keys, args->values, args->count, elem_flags);
        break;
    case BATCH_DELETE:
        err = elem_flags ? -EINVAL : map_sys_delete_batch(map, args->keys, args->count);
        break;
    }
    map_put(map);
    return libbpf_err(err);
}

int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
                         __u32 *count, const struct bpf_map_batch_opts *opts)
{
    struct batch_args args = {in_batch, out_batch, keys, values, count};
    return batch(fd, BATCH_LOOKUP, &args, opts);
}

int bpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch, void *keys,
                                    void *values, __u32 *count,
                                    const struct bpf_map_batch_opts *opts)
{
    struct batch_args args = {in_batch, out_batch, keys, values, count};
    return batch(fd, BATCH_LOOKUP_AND_DELETE, &args, opts);
}

int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
                         const struct bpf_map_batch_opts *opts)
{
    struct batch_args args = {NULL, NULL, keys, values, count};
    return batch(fd, BATCH_UPDATE, &args, opts);
}

int bpf_map_delete_batch(int fd, const void *keys, __u32 *count,
                         const struct bpf_map_batch_opts *opts)
{
    struct batch_args args = {NULL, NULL, keys, NULL, count};
    return batch(fd, BATCH_DELETE, &args, opts);
}
