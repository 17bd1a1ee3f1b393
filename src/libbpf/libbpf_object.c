/* bpf_object: opening, loading, closing, and finding programs and maps. */
#include "libbpf/libbpf_impl.h"

#include "bpf/bpf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void describe_object(const struct bpf_object *obj)
{
    pr_debug("object '%s': %zu programs, %zu maps, license '%s'\n", elf_object_name(obj->elf),
             obj->program_count, obj->map_count, elf_object_license(obj->elf));
    for (size_t i = 0; i < obj->program_count; i++) {
        const struct elf_program *p = &obj->program_defs[i];
        pr_debug("sec '%s': found %sprogram '%s' at insn offset %" PRIu32 " (%zu insns)\n",
                 p->section_name, p->is_subprog ? "subprogram " : "", p->name,
                 p->section_offset / 8, p->own_insn_count);
    }
    for (size_t i = 0; i < obj->map_count; i++) {
        const struct elf_map *m = &obj->map_defs[i];
        pr_debug("map '%s' (section %s): type %" PRIu32 ", key %" PRIu32 ", value %" PRIu32
                 ", max_entries %" PRIu32 "\n", m->name, m->section_name, m->type, m->key_size,
                 m->value_size, m->max_entries);
    }
}

/* The editable copies of the definitions; global data maps get their own initial value. */
static int init_object(struct bpf_object *obj)
{
    size_t programs = elf_object_program_count(obj->elf), maps = elf_object_map_count(obj->elf);
    obj->program_defs = calloc(programs ? programs : 1, sizeof *obj->program_defs);
    obj->programs_disabled = calloc(programs ? programs : 1, sizeof *obj->programs_disabled);
    obj->programs = calloc(programs ? programs : 1, sizeof *obj->programs);
    obj->map_defs = calloc(maps ? maps : 1, sizeof *obj->map_defs);
    obj->reused_maps = calloc(maps ? maps : 1, sizeof *obj->reused_maps);
    obj->maps = calloc(maps ? maps : 1, sizeof *obj->maps);
    if (!obj->program_defs || !obj->programs_disabled || !obj->programs || !obj->map_defs ||
        !obj->reused_maps || !obj->maps)
        return -ENOMEM;
    for (size_t i = 0; i < programs; i++) {
        obj->program_defs[i] = *elf_object_program(obj->elf, i);
        obj->programs[i] = (struct bpf_program){.obj = obj, .index = i, .fd = -1};
        /* libbpf 1.x neither lists nor loads code outside functions (old compilers): a
         * loader written for it must see the same object. */
        obj->programs_disabled[i] = obj->program_defs[i].whole_section;
    }
    obj->program_count = programs;
    for (; obj->map_count < maps; obj->map_count++) {
        size_t i = obj->map_count;
        struct elf_map *def = &obj->map_defs[i];
        *def = *elf_object_map(obj->elf, i);
        struct bpf_map *map = &obj->maps[i];
        *map = (struct bpf_map){.obj = obj, .index = i, .fd = -1};
        if (def->initial_value) {
            map->initial_value = malloc(def->value_size ? def->value_size : 1);
            if (!map->initial_value)
                return -ENOMEM;
            memcpy(map->initial_value, def->initial_value, def->value_size);
            def->initial_value = map->initial_value;
        }
    }
    return 0;
}

static struct bpf_object *open_object(const char *path, const void *buf, size_t size,
                                      const struct bpf_object_open_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, bpf_object_open_opts))
        return libbpf_err_ptr(-EINVAL);
    char mem_name[64];
    struct elf_open_options elf_opts = {
        .object_name = LIBBPF_OPTS_GET(opts, object_name, NULL),
        .relaxed_maps = LIBBPF_OPTS_GET(opts, relaxed_maps, false),
        .kconfig = LIBBPF_OPTS_GET(opts, kconfig, NULL),
    };
    if (!path && !elf_opts.object_name) {
        snprintf(mem_name, sizeof mem_name, "%lx-%lx", (unsigned long)(uintptr_t)buf,
                 (unsigned long)size);
        elf_opts.object_name = mem_name;
    }
    struct bpf_object *obj = calloc(1, sizeof *obj);
    if (!obj)
        return libbpf_err_ptr(-ENOMEM);
    char msg[512];
    int err = path ? elf_object_open_file(path, &elf_opts, &obj->elf, msg, sizeof msg)
                   : elf_object_open_memory(buf, size, &elf_opts, &obj->elf, msg, sizeof msg);
    if (err) {
        pr_warn("failed to open %s: %s\n", path ? path : "object in memory", msg);
        free(obj);
        return libbpf_err_ptr(err);
    }
    obj->kernel_log_buf = LIBBPF_OPTS_GET(opts, kernel_log_buf, NULL);
    obj->kernel_log_size = LIBBPF_OPTS_GET(opts, kernel_log_size, 0);
    obj->kernel_log_level = LIBBPF_OPTS_GET(opts, kernel_log_level, 0);
    if (!obj->kernel_log_buf != !obj->kernel_log_size) {
        pr_warn("kernel_log_buf and kernel_log_size must be set together\n");
        bpf_object__close(obj);
        return libbpf_err_ptr(-EINVAL);
    }
    err = init_object(obj);
    if (!err)
        err = libbpf_init_pin_paths(obj, LIBBPF_OPTS_GET(opts, pin_root_path, NULL));
    if (err) {
        pr_warn("failed to open %s: %s\n", path ? path : "object in memory", strerror(-err));
        bpf_object__close(obj);
        return libbpf_err_ptr(err);
    }
    describe_object(obj);
    return obj;
}

struct bpf_object *bpf_object__open(const char *path)
{
    return bpf_object__open_file(path, NULL);
}

struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts)
{
    if (!path)
        return libbpf_err_ptr(-EINVAL);
    pr_debug("loading %s\n", path);
    return open_object(path, NULL, 0, opts);
}

struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz,
                                        const struct bpf_object_open_opts *opts)
{
    if (!obj_buf || !obj_buf_sz)
        return libbpf_err_ptr(-EINVAL);
    return open_object(NULL, obj_buf, obj_buf_sz, opts);
}

static void log_to_user(struct bpf_object *obj, const char *text)
{
    if (obj->kernel_log_buf)
        snprintf(obj->kernel_log_buf, obj->kernel_log_size, "%s", text);
}

/* libbpf refuses programs it could not type; the runtime would refuse them less clearly. */
static int check_program_types(struct bpf_object *obj, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < obj->program_count; i++) {
        const struct elf_program *p = &obj->program_defs[i];
        if (!libbpf_program_visible(p) || obj->programs_disabled[i] ||
            p->prog_type != BPF_PROG_TYPE_UNSPEC)
            continue;
        return msg_error(-EINVAL, msg, msg_size, "prog '%s': missing BPF prog type, check ELF "
                         "section name '%s'", p->name, p->section_name);
    }
    return 0;
}

/* libbpf gives a perf event array defined without max_entries one slot per possible CPU. */
static void size_perf_event_arrays(struct bpf_object *obj)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        struct elf_map *def = &obj->map_defs[i];
        if (def->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && def->max_entries == 0) {
            def->max_entries = (uint32_t)libbpf_num_possible_cpus();
            pr_debug("map '%s': setting size to %u\n", def->name, def->max_entries);
        }
    }
}

/* libbpf freezes the read-only global data it created: from then on the control side
 * cannot change what the programs take for constants (-EPERM), as in Linux. */
static int freeze_read_only_data(struct bpf_object *obj, char *msg, size_t msg_size)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        const struct elf_map *def = &obj->map_defs[i];
        if ((def->origin != ELF_MAP_RODATA && def->origin != ELF_MAP_KCONFIG) ||
            obj->maps[i].reused)
            continue;
        int err = bpf_map_freeze(obj->maps[i].fd);
        if (err)
            return msg_error(err, msg, msg_size, "map '%s': failed to freeze: %s", def->name,
                             strerror(-err));
    }
    return 0;
}

int bpf_object__load(struct bpf_object *obj)
{
    if (!obj)
        return libbpf_err(-EINVAL);
    if (obj->loaded) {
        pr_warn("object '%s': load can't be attempted twice\n", elf_object_name(obj->elf));
        return libbpf_err(-EINVAL);
    }
    obj->loaded = true;
    size_perf_event_arrays(obj);
    char msg[1024];
    int err = check_program_types(obj, msg, sizeof msg);
    if (!err)
        err = libbpf_reuse_pinned_maps(obj, msg, sizeof msg);
    if (!err) {
        bool want_log = obj->kernel_log_level && obj->kernel_log_buf;
        struct runtime_object_options options = {
            .programs = obj->program_defs,
            .programs_disabled = obj->programs_disabled,
            .maps = obj->map_defs,
            .reused_maps = obj->reused_maps,
            .engine = obj->engine,
            .log = want_log ? obj->kernel_log_buf : NULL,
            .log_size = want_log ? obj->kernel_log_size : 0,
        };
        err = runtime_object_load(obj->elf, &options, &obj->runtime, msg, sizeof msg);
    }
    if (!err)
        err = libbpf_open_fds(obj, msg, sizeof msg);
    if (!err)
        err = freeze_read_only_data(obj, msg, sizeof msg);
    if (!err)
        err = libbpf_pin_maps_by_name(obj, msg, sizeof msg);
    if (err) {
        pr_warn("failed to load object '%s': %s\n", elf_object_name(obj->elf), msg);
        if (!obj->kernel_log_level) /* else the buffer holds the verifier's own log */
            log_to_user(obj, msg);
        libbpf_close_fds(obj);
        runtime_object_free(obj->runtime);
        obj->runtime = NULL;
        return libbpf_err(err);
    }
    for (size_t i = 0; i < obj->runtime->prog_count; i++) {
        const struct runtime_prog *prog = obj->runtime->progs[i];
        if (prog)
            pr_debug("prog '%s': verified in %" PRIu64 " steps, runs on the %s\n", prog->name,
                     prog->verifier_stats.steps, runtime_engine_name(prog->engine));
    }
    return 0;
}

void bpf_object__close(struct bpf_object *obj)
{
    if (!obj)
        return;
    libbpf_close_fds(obj);
    runtime_object_free(obj->runtime);
    for (size_t i = 0; i < obj->map_count; i++) {
        free(obj->maps[i].initial_value);
        free(obj->maps[i].pin_path);
        if (obj->maps[i].readonly_view)
            munmap(obj->maps[i].readonly_view, obj->maps[i].readonly_view_size);
        if (obj->maps[i].reused)
            map_put(obj->maps[i].reused);
    }
    free(obj->maps);
    free(obj->reused_maps);
    free(obj->map_defs);
    free(obj->programs);
    free(obj->programs_disabled);
    free(obj->program_defs);
    elf_object_free(obj->elf);
    free(obj);
}

const char *bpf_object__name(const struct bpf_object *obj)
{
    return obj ? elf_object_name(obj->elf) : libbpf_err_ptr(-EINVAL);
}

struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj,
                                                     const char *name)
{
    if (!obj || !name)
        return libbpf_err_ptr(-EINVAL);
    for (size_t i = 0; i < obj->program_count; i++) {
        const struct elf_program *p = &obj->program_defs[i];
        if (libbpf_program_visible(p) && !strcmp(p->name, name))
            return &obj->programs[i];
    }
    return libbpf_err_ptr(-ENOENT);
}

struct bpf_program *bpf_object__next_program(const struct bpf_object *obj,
                                             struct bpf_program *prog)
{
    if (!obj)
        return libbpf_err_ptr(-EINVAL);
    if (prog && prog->obj != obj)
        return libbpf_err_ptr(-EINVAL);
    for (size_t i = prog ? prog->index + 1 : 0; i < obj->program_count; i++) {
        if (libbpf_program_visible(&obj->program_defs[i]))
            return &obj->programs[i];
    }
    return NULL;
}

/* libbpf names global data maps after the object but also finds them by section. */
static bool is_data_map(const struct elf_map *def)
{
    return def->origin != ELF_MAP_BTF && def->origin != ELF_MAP_LEGACY;
}

struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name)
{
    if (!obj || !name)
        return libbpf_err_ptr(-EINVAL);
    for (size_t i = 0; i < obj->map_count; i++) {
        const struct elf_map *def = &obj->map_defs[i];
        bool match = name[0] == '.' ? is_data_map(def) && !strcmp(def->section_name, name)
                                    : !strcmp(def->name, name);
        if (match)
            return &obj->maps[i];
    }
    return libbpf_err_ptr(-ENOENT);
}

int bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name)
{
    return bpf_map__fd(bpf_object__find_map_by_name(obj, name));
}

struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map)
{
    if (!obj)
        return libbpf_err_ptr(-EINVAL);
    if (map && map->obj != obj)
        return libbpf_err_ptr(-EINVAL);
    size_t next = map ? map->index + 1 : 0;
    return next < obj->map_count ? &obj->maps[next] : NULL;
}
