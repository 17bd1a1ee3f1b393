/* The fds and pins of an object's maps and programs (the runtime's object table,
 * runtime/handles.h): created at load, closed with the object, pinned by name or on
 * request, and maps reused from an fd or a pin instead of being created. */
#include "libbpf/libbpf_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/handles.h"

/* libbpf's default directory of maps pinned by name. */
#define DEFAULT_PIN_ROOT "/sys/fs/bpf"

int libbpf_init_pin_paths(struct bpf_object *obj, const char *pin_root_path)
{
    const char *root = pin_root_path ? pin_root_path : DEFAULT_PIN_ROOT;
    for (size_t i = 0; i < obj->map_count; i++) {
        const struct elf_map *def = &obj->map_defs[i];
        if (def->pinning != EBPF_PIN_BY_NAME)
            continue;
        size_t len = strlen(root) + 1 + strlen(def->name) + 1;
        if (len > HANDLES_PATH_MAX) {
            pr_warn("map '%s': pin path under '%s' is too long\n", def->name, root);
            return -ENAMETOOLONG;
        }
        obj->maps[i].pin_path = malloc(len);
        if (!obj->maps[i].pin_path)
            return -ENOMEM;
        snprintf(obj->maps[i].pin_path, len, "%s/%s", root, def->name);
    }
    return 0;
}

/* Uses the map behind fd from now on: a reference to it, an fd of our own, and its
 * definition in place of the object's. */
static int reuse_map(struct bpf_map *map, int fd)
{
    struct bpfhost_map *existing;
    int err = handles_map_from_fd(fd, &existing);
    if (err)
        return err;
    int own_fd = handles_map_fd(existing);
    if (own_fd < 0) {
        map_put(existing);
        return own_fd;
    }
    if (map->fd >= 0)
        handles_close(map->fd);
    if (map->reused)
        map_put(map->reused);
    map->reused = existing;
    map->fd = own_fd;
    map->obj->reused_maps[map->index] = existing;
    struct elf_map *def = &map->obj->map_defs[map->index];
    def->type = existing->map_type;
    def->key_size = existing->key_size;
    def->value_size = existing->value_size;
    def->max_entries = existing->max_entries;
    def->map_flags = existing->map_flags;
    def->map_extra = existing->map_extra;
    return 0;
}

int bpf_map__reuse_fd(struct bpf_map *map, int fd)
{
    if (!map)
        return libbpf_err(-EINVAL);
    if (map->obj->loaded)
        return libbpf_err(-EBUSY);
    int err = reuse_map(map, fd);
    if (err)
        pr_warn("map '%s': cannot reuse fd %d: %s\n", bpf_map__name(map), fd, strerror(-err));
    return libbpf_err(err);
}

/* libbpf's map_is_reuse_compat: the pinned map must be the one the object defines. */
static bool same_definition(const struct elf_map *def, const struct bpfhost_map *existing)
{
    return def->type == existing->map_type && def->key_size == existing->key_size &&
           def->value_size == existing->value_size &&
           def->max_entries == existing->max_entries && def->map_flags == existing->map_flags &&
           def->map_extra == existing->map_extra;
}

int libbpf_reuse_pinned_maps(struct bpf_object *obj, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        struct bpf_map *map = &obj->maps[i];
        if (!map->pin_path || map->reused)
            continue;
        struct handle_object pinned;
        int err = handles_pinned_object(map->pin_path, &pinned);
        if (err == -ENOENT) {
            pr_debug("found no pinned map to reuse at '%s'\n", map->pin_path);
            continue;
        }
        if (err)
            return msg_error(err, msg, msg_size, "map '%s': cannot read the pin '%s': %s",
                             bpf_map__name(map), map->pin_path, strerror(-err));
        bool usable = pinned.kind == HANDLE_MAP && same_definition(&obj->map_defs[i], pinned.map);
        int fd = usable ? handles_map_fd(pinned.map) : -EINVAL;
        handle_object_put(&pinned);
        if (!usable)
            return msg_error(-EINVAL, msg, msg_size, "map '%s': couldn't reuse pinned map at "
                             "'%s': parameter mismatch", bpf_map__name(map), map->pin_path);
        if (fd >= 0) {
            err = reuse_map(map, fd);
            handles_close(fd);
        } else {
            err = fd;
        }
        if (err)
            return msg_error(err, msg, msg_size, "map '%s': cannot reuse the pinned map: %s",
                             bpf_map__name(map), strerror(-err));
        map->pinned = true;
        pr_debug("reused pinned map at '%s'\n", map->pin_path);
    }
    return 0;
}

int libbpf_open_fds(struct bpf_object *obj, char *msg, size_t msg_size)
{
    const struct runtime_object *runtime = obj->runtime;
    for (size_t i = 0; i < obj->map_count && i < runtime->map_count; i++) {
        struct bpf_map *map = &obj->maps[i];
        if (map->fd >= 0)
            continue; /* reused */
        map->fd = handles_map_fd(runtime->maps[i]);
        if (map->fd < 0)
            return msg_error(map->fd, msg, msg_size, "map '%s': no fd: %s", bpf_map__name(map),
                             strerror(-map->fd));
    }
    for (size_t i = 0; i < obj->program_count && i < runtime->prog_count; i++) {
        struct bpf_program *prog = &obj->programs[i];
        if (!runtime->progs[i])
            continue;
        prog->fd = handles_prog_fd(runtime->progs[i]);
        if (prog->fd < 0)
            return msg_error(prog->fd, msg, msg_size, "prog '%s': no fd: %s",
                             bpf_program__name(prog), strerror(-prog->fd));
    }
    return 0;
}

void libbpf_close_fds(struct bpf_object *obj)
{
    /* An fd the application closed itself is no longer a handle: nothing to do then. */
    for (size_t i = 0; i < obj->map_count; i++) {
        if (obj->maps[i].fd >= 0)
            handles_close(obj->maps[i].fd);
        obj->maps[i].fd = -1;
    }
    for (size_t i = 0; i < obj->program_count; i++) {
        if (obj->programs[i].fd >= 0)
            handles_close(obj->programs[i].fd);
        obj->programs[i].fd = -1;
    }
}

int libbpf_pin_maps_by_name(struct bpf_object *obj, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        struct bpf_map *map = &obj->maps[i];
        if (!map->pin_path || map->pinned)
            continue;
        int err = bpf_map__pin(map, NULL);
        if (err)
            return msg_error(err, msg, msg_size, "map '%s': failed to auto-pin at '%s': %s",
                             bpf_map__name(map), map->pin_path, strerror(-err));
    }
    return 0;
}

int bpf_map__pin(struct bpf_map *map, const char *path)
{
    if (!map)
        return libbpf_err(-EINVAL);
    const char *name = bpf_map__name(map);
    if (map->pin_path && path && strcmp(path, map->pin_path)) {
        pr_warn("map '%s' already has pin path '%s' different from '%s'\n", name,
                map->pin_path, path);
        return libbpf_err(-EINVAL);
    }
    if (map->pin_path && map->pinned) {
        pr_debug("map '%s' already pinned at '%s'; not re-pinning\n", name, map->pin_path);
        return 0;
    }
    if (!map->pin_path && !path) {
        pr_warn("missing a path to pin map '%s' at\n", name);
        return libbpf_err(-EINVAL);
    }
    if (map->fd < 0) {
        pr_warn("map '%s': can't pin a map that was not created\n", name);
        return libbpf_err(-EINVAL);
    }
    int err = handles_pin(map->fd, path ? path : map->pin_path);
    if (err) {
        pr_warn("map '%s': failed to pin at '%s': %s\n", name, path ? path : map->pin_path,
                strerror(-err));
        return libbpf_err(err);
    }
    if (!map->pin_path && !(map->pin_path = strdup(path))) {
        handles_unpin(path);
        return libbpf_err(-ENOMEM);
    }
    map->pinned = true;
    pr_debug("pinned map '%s'\n", map->pin_path);
    return 0;
}

int bpf_map__unpin(struct bpf_map *map, const char *path)
{
    if (!map)
        return libbpf_err(-EINVAL);
    if (map->pin_path && path && strcmp(path, map->pin_path)) {
        pr_warn("map '%s' already has pin path '%s' different from '%s'\n", bpf_map__name(map),
                map->pin_path, path);
        return libbpf_err(-EINVAL);
    }
    if (map->pin_path)
        path = map->pin_path;
    else if (!path) {
        pr_warn("no path to unpin map '%s' from\n", bpf_map__name(map));
        return libbpf_err(-EINVAL);
    }
    int err = handles_unpin(path);
    if (err)
        return libbpf_err(err);
    map->pinned = false;
    pr_debug("unpinned map '%s' from '%s'\n", bpf_map__name(map), path);
    return 0;
}

int bpf_program__pin(struct bpf_program *prog, const char *path)
{
    if (!prog || !path)
        return libbpf_err(-EINVAL);
    if (prog->fd < 0) {
        pr_warn("prog '%s': can't pin program that wasn't loaded\n", bpf_program__name(prog));
        return libbpf_err(-EINVAL);
    }
    int err = handles_pin(prog->fd, path);
    if (err) {
        pr_warn("prog '%s': failed to pin at '%s': %s\n", bpf_program__name(prog), path,
                strerror(-err));
        return libbpf_err(err);
    }
    pr_debug("prog '%s': pinned at '%s'\n", bpf_program__name(prog), path);
    return 0;
}

int bpf_program__unpin(struct bpf_program *prog, const char *path)
{
    if (!prog || !path)
        return libbpf_err(-EINVAL);
    if (prog->fd < 0) {
        pr_warn("prog '%s': can't unpin program that wasn't loaded\n", bpf_program__name(prog));
        return libbpf_err(-EINVAL);
    }
    int err = handles_unpin(path);
    if (err)
        return libbpf_err(err);
    pr_debug("prog '%s': unpinned from '%s'\n", bpf_program__name(prog), path);
    return 0;
}
