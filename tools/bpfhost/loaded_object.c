/* Loading an object file for the map and prog commands, and bpftool-style selectors. */
#include "loaded_object.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/handles.h"

static int give_fds(struct loaded_object *obj)
{
    obj->map_count = obj->runtime->map_count;
    obj->prog_count = obj->runtime->prog_count;
    obj->map_fds = malloc((obj->map_count + 1) * sizeof *obj->map_fds);
    obj->prog_fds = malloc((obj->prog_count + 1) * sizeof *obj->prog_fds);
    if (!obj->map_fds || !obj->prog_fds)
        return cli_error("out of memory");
    for (size_t i = 0; i < obj->prog_count; i++)
        obj->prog_fds[i] = -1;
    for (size_t i = 0; i < obj->map_count; i++) {
        obj->map_fds[i] = handles_map_fd(obj->runtime->maps[i]);
        if (obj->map_fds[i] < 0)
            return cli_error("cannot give map '%s' an fd: %s", obj->runtime->maps[i]->name,
                             strerror(-obj->map_fds[i]));
    }
    for (size_t i = 0; i < obj->prog_count; i++) {
        if (!obj->runtime->progs[i])
            continue;
        obj->prog_fds[i] = handles_prog_fd(obj->runtime->progs[i]);
        if (obj->prog_fds[i] < 0)
            return cli_error("cannot give program '%s' an fd: %s", obj->runtime->progs[i]->name,
                             strerror(-obj->prog_fds[i]));
    }
    return 0;
}

int loaded_object_open(const char *path, struct loaded_object *obj)
{
    memset(obj, 0, sizeof *obj);
    char msg[1024];
    if (elf_object_open_file(path, NULL, &obj->elf, msg, sizeof msg))
        return cli_error("%s", msg); /* the loader's message starts with the path */
    struct runtime_object_options opts = {0};
    int err = runtime_object_load(obj->elf, &opts, &obj->runtime, msg, sizeof msg);
    if (err && err != -ENOMEM) {
        /* Inspection goes on without what cannot be verified or loaded. */
        opts.allow_unverified = true;
        opts.skip_failed_programs = true;
        msg[0] = '\0';
        err = runtime_object_load(obj->elf, &opts, &obj->runtime, msg, sizeof msg);
        if (!err) {
            obj->unverified = true;
            fprintf(stderr, "bpfhost: %s: programs loaded without verification%s%s\n", path,
                    msg[0] ? "; not loaded: " : "", msg);
        }
    }
    if (err) {
        loaded_object_close(obj);
        return cli_error("%s: %s", path, msg);
    }
    int status = give_fds(obj);
    if (status)
        loaded_object_close(obj);
    return status;
}

void loaded_object_close(struct loaded_object *obj)
{
    for (size_t i = 0; obj->map_fds && i < obj->map_count; i++)
        if (obj->map_fds[i] >= 0)
            handles_close(obj->map_fds[i]);
    for (size_t i = 0; obj->prog_fds && i < obj->prog_count; i++)
        if (obj->prog_fds[i] >= 0)
            handles_close(obj->prog_fds[i]);
    free(obj->map_fds);
    free(obj->prog_fds);
    runtime_object_free(obj->runtime);
    elf_object_free(obj->elf);
    memset(obj, 0, sizeof *obj);
}

bool loaded_object_is_selector(const char *word)
{
    return !strcmp(word, "id") || !strcmp(word, "pinned") || !strcmp(word, "name");
}

/* The fd of the object named name (ELF name first, then Linux's truncated name). */
static int by_name(struct loaded_object *obj, bool map, const char *name)
{
    size_t count = map ? obj->map_count : obj->prog_count;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < count; i++) {
            int fd = map ? obj->map_fds[i] : obj->prog_fds[i];
            if (fd < 0)
                continue;
            const char *elf_name = map ? elf_object_map(obj->elf, i)->name
                                       : elf_object_program(obj->elf, i)->name;
            const char *runtime_name = map ? obj->runtime->maps[i]->name
                                           : obj->runtime->progs[i]->name;
            if (!strcmp(pass == 0 ? elf_name : runtime_name, name))
                return fd;
        }
    }
    return -1;
}

static int select_object(struct loaded_object *obj, bool map, int argc, char **argv, int *next)
{
    const char *what = map ? "map" : "program";
    if (*next >= argc)
        return -cli_error("no %s given (id N, pinned PATH, name NAME or NAME)", what);
    const char *word = argv[(*next)++];
    if (loaded_object_is_selector(word)) {
        if (*next >= argc)
            return -cli_error("'%s' needs a value", word);
        const char *value = argv[(*next)++];
        if (!strcmp(word, "id")) {
            char *end;
            unsigned long id = strtoul(value, &end, 0);
            if (!*value || *end || id > UINT32_MAX)
                return -cli_error("'%s' is not an id", value);
            int fd = map ? bpf_map_get_fd_by_id((__u32)id) : bpf_prog_get_fd_by_id((__u32)id);
            if (fd < 0)
                return -cli_error("no %s with id %lu", what, id);
            return fd;
        }
        if (!strcmp(word, "pinned")) {
            int fd = bpf_obj_get(value);
            if (fd < 0)
                return -cli_error("%s: %s", value, strerror(errno));
            struct handle_object object;
            bool right_kind = handles_object_from_fd(fd, &object) == 0 &&
                              object.kind == (map ? HANDLE_MAP : HANDLE_PROG);
            handle_object_put(&object);
            if (!right_kind) {
                close(fd);
                return -cli_error("%s is not a %s", value, what);
            }
            return fd;
        }
        word = value;
    }
    int fd = by_name(obj, map, word);
    if (fd < 0)
        return -cli_error("no %s named '%s' in the object", what, word);
    /* A new fd of the same object, so that every selector gives the caller one to close. */
    struct handle_object object;
    if (handles_object_from_fd(fd, &object))
        return -cli_error("lost the %s named '%s'", what, word);
    int copy = map ? handles_map_fd(object.map) : handles_prog_fd(object.prog);
    handle_object_put(&object);
    if (copy < 0)
        return -cli_error("cannot open the %s named '%s': %s", what, word, strerror(-copy));
    return copy;
}

int loaded_object_select_map(struct loaded_object *obj, int argc, char **argv, int *next)
{
    return select_object(obj, true, argc, argv, next);
}

int loaded_object_select_prog(struct loaded_object *obj, int argc, char **argv, int *next)
{
    return select_object(obj, false, argc, argv, next);
}
