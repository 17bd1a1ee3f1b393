/* bpf_object__pin_maps / __unpin_maps / __pin_programs / __unpin_programs / __pin: every
 * map or program of a loaded object at path/NAME, as libbpf 1.1 does it, including its
 * quirks: maps' paths have every '.' turned into '_' (bpffs refuses periods, and global
 * data maps are named "obj.bss"), and a failure undoes the pins made before it. */
#include "libbpf/libbpf_impl.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static int pathname_concat(char *buf, size_t buf_sz, const char *path, const char *name)
{
    if (!path)
        return -EINVAL;
    int len = snprintf(buf, buf_sz, "%s/%s", path, name);
    if (len < 0)
        return -EINVAL;
    if ((size_t)len >= buf_sz)
        return -ENAMETOOLONG;
    return 0;
}

static void sanitize_pin_path(char *s)
{
    for (; *s; s++) {
        if (*s == '.')
            *s = '_';
    }
}

/* The map's path under path, or its own pin path (NULL when it has none: skipped). */
static int map_pin_path(const struct bpf_map *map, const char *path, char *buf, size_t buf_sz,
                        const char **pin_path)
{
    *pin_path = NULL;
    if (!path) {
        *pin_path = map->pin_path;
        return 0;
    }
    int err = pathname_concat(buf, buf_sz, path, bpf_map__name(map));
    if (err)
        return err;
    sanitize_pin_path(buf);
    *pin_path = buf;
    return 0;
}

static int check_loaded(const struct bpf_object *obj)
{
    if (!obj)
        return -ENOENT;
    if (!obj->runtime) {
        pr_warn("object not yet loaded; load it first\n");
        return -ENOENT;
    }
    return 0;
}

int bpf_object__pin_maps(struct bpf_object *obj, const char *path)
{
    int err = check_loaded(obj);
    if (err)
        return libbpf_err(err);
    size_t i;
    for (i = 0; i < obj->map_count; i++) {
        char buf[PATH_MAX];
        const char *pin_path;
        err = map_pin_path(&obj->maps[i], path, buf, sizeof buf, &pin_path);
        if (err)
            break;
        if (!pin_path)
            continue;
        err = bpf_map__pin(&obj->maps[i], pin_path);
        if (err)
            break;
    }
    if (!err)
        return 0;
    while (i-- > 0) {
        if (obj->maps[i].pin_path)
            bpf_map__unpin(&obj->maps[i], NULL);
    }
    return libbpf_err(err);
}

int bpf_object__unpin_maps(struct bpf_object *obj, const char *path)
{
    if (!obj)
        return libbpf_err(-ENOENT);
    for (size_t i = 0; i < obj->map_count; i++) {
        char buf[PATH_MAX];
        const char *pin_path;
        int err = map_pin_path(&obj->maps[i], path, buf, sizeof buf, &pin_path);
        if (err)
            return libbpf_err(err);
        if (!pin_path)
            continue;
        err = bpf_map__unpin(&obj->maps[i], pin_path);
        if (err)
            return libbpf_err(err);
    }
    return 0;
}

int bpf_object__pin_programs(struct bpf_object *obj, const char *path)
{
    int err = check_loaded(obj);
    if (err)
        return libbpf_err(err);
    char buf[PATH_MAX];
    struct bpf_program *prog, *failed = NULL;
    bpf_object__for_each_program(prog, obj) {
        err = pathname_concat(buf, sizeof buf, path, bpf_program__name(prog));
        if (!err)
            err = bpf_program__pin(prog, buf);
        if (err) {
            failed = prog;
            break;
        }
    }
    if (!failed)
        return 0;
    bpf_object__for_each_program(prog, obj) {
        if (prog == failed)
            break;
        if (!pathname_concat(buf, sizeof buf, path, bpf_program__name(prog)))
            bpf_program__unpin(prog, buf);
    }
    return libbpf_err(err);
}

int bpf_object__unpin_programs(struct bpf_object *obj, const char *path)
{
    if (!obj)
        return libbpf_err(-ENOENT);
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        char buf[PATH_MAX];
        int err = pathname_concat(buf, sizeof buf, path, bpf_program__name(prog));
        if (!err)
            err = bpf_program__unpin(prog, buf);
        if (err)
            return libbpf_err(err);
    }
    return 0;
}

int bpf_object__pin(struct bpf_object *obj, const char *path)
{
    int err = bpf_object__pin_maps(obj, path);
    if (err)
        return libbpf_err(err);
    err = bpf_object__pin_programs(obj, path);
    if (err) {
        bpf_object__unpin_maps(obj, path);
        return libbpf_err(err);
    }
    return 0;
}
