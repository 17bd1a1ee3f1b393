/* bpf_object__{open,load,attach,detach,destroy}_skeleton: what the code that
 * `bpftool gen skeleton` generates calls, as libbpf 1.1 implements them.
 *
 * Global data. At open, a skeleton's mmaped pointer (skel->bss, ->data, ->rodata) is the
 * map's initial contents, which bpf_object__load copies into the map: writes before load
 * set the initial values. After load it is the live map memory the programs read and
 * write (map_array_memory), as libbpf remaps the same address over the map; reads and
 * writes through it are the programs' variables. Read-only maps (.rodata, .kconfig) are
 * frozen and programs cannot write them, so their contents never change again: they get a
 * PROT_READ copy, so that a write faults as it does under libbpf's read-only mapping.
 *
 * Attach. libbpf auto-attaches only the sections that name their target (kprobe/FUNC,
 * tracepoint/CAT/NAME, fentry/FUNC, lsm/HOOK, iter/...) and skips every other program (xdp,
 * socket, tc, cgroup/..., sockops: they need an interface or a cgroup). bpfhost has no hook
 * for those traced targets: such a program fails the attach with -EOPNOTSUPP; the others
 * are skipped as libbpf skips them, so no link is ever made here. */
#include "libbpf/libbpf_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/ring_memory.h"

/* The i-th entry of an array of entries entry_sz bytes apart (the generator's struct may be
 * newer, hence larger, than this library's). */
static void *skeleton_entry(void *entries, int entry_sz, int i)
{
    return (char *)entries + (size_t)entry_sz * (size_t)i;
}

static int check_skeleton(const struct bpf_object_skeleton *s)
{
    if (!s || !s->obj || s->map_cnt < 0 || s->prog_cnt < 0)
        return -EINVAL;
    if (s->map_cnt && (!s->maps || s->map_skel_sz < (int)sizeof(struct bpf_map_skeleton)))
        return -EINVAL;
    if (s->prog_cnt && (!s->progs || s->prog_skel_sz < (int)sizeof(struct bpf_prog_skeleton)))
        return -EINVAL;
    return 0;
}

static bool is_global_data(const struct bpf_map *map)
{
    enum elf_map_origin origin = map->obj->map_defs[map->index].origin;
    return origin == ELF_MAP_DATA || origin == ELF_MAP_RODATA || origin == ELF_MAP_BSS;
}

static int populate_skeleton_maps(struct bpf_object *obj, struct bpf_object_skeleton *s)
{
    for (int i = 0; i < s->map_cnt; i++) {
        struct bpf_map_skeleton *entry = skeleton_entry(s->maps, s->map_skel_sz, i);
        *entry->map = bpf_object__find_map_by_name(obj, entry->name);
        if (!*entry->map) {
            pr_warn("failed to find skeleton map '%s'\n", entry->name);
            return -ESRCH;
        }
        /* .kconfig externs are not for the user to set up. */
        if (entry->mmaped && is_global_data(*entry->map))
            *entry->mmaped = (*entry->map)->initial_value;
    }
    return 0;
}

static int populate_skeleton_progs(struct bpf_object *obj, struct bpf_object_skeleton *s)
{
    for (int i = 0; i < s->prog_cnt; i++) {
        struct bpf_prog_skeleton *entry = skeleton_entry(s->progs, s->prog_skel_sz, i);
        *entry->prog = bpf_object__find_program_by_name(obj, entry->name);
        if (!*entry->prog) {
            pr_warn("failed to find skeleton program '%s'\n", entry->name);
            return -ESRCH;
        }
    }
    return 0;
}

int bpf_object__open_skeleton(struct bpf_object_skeleton *s,
                              const struct bpf_object_open_opts *opts)
{
    int err = check_skeleton(s);
    if (err)
        return libbpf_err(err);
    if (!LIBBPF_OPTS_VALID(opts, bpf_object_open_opts))
        return libbpf_err(-EINVAL);
    /* The generator named the global data maps after s->name: keep it unless the caller
     * names the object. */
    struct bpf_object_open_opts skel_opts = {.sz = sizeof skel_opts};
    if (opts)
        memcpy(&skel_opts, opts, opts->sz < sizeof skel_opts ? opts->sz : sizeof skel_opts);
    skel_opts.sz = sizeof skel_opts;
    if (!skel_opts.object_name)
        skel_opts.object_name = s->name;
    struct bpf_object *obj = bpf_object__open_mem(s->data, s->data_sz, &skel_opts);
    if (!obj) {
        err = -errno;
        pr_warn("failed to initialize skeleton BPF object '%s': %d\n", s->name, err);
        return libbpf_err(err);
    }
    *s->obj = obj;
    err = populate_skeleton_maps(obj, s);
    if (err) {
        pr_warn("failed to populate skeleton maps for '%s': %d\n", s->name, err);
        return libbpf_err(err);
    }
    err = populate_skeleton_progs(obj, s);
    if (err) {
        pr_warn("failed to populate skeleton progs for '%s': %d\n", s->name, err);
        return libbpf_err(err);
    }
    return 0;
}

/* A PROT_READ copy of the map's memory, owned by the map (bpf_object__close unmaps it). */
static void *readonly_view(struct bpf_map *map, const void *live, size_t size)
{
    size_t page = platform_page_size();
    size_t mapped = size ? (size + page - 1) / page * page : page;
    void *view = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (view == MAP_FAILED)
        return NULL;
    memcpy(view, live, size);
    if (mprotect(view, mapped, PROT_READ)) {
        munmap(view, mapped);
        return NULL;
    }
    map->readonly_view = view;
    map->readonly_view_size = mapped;
    return view;
}

/* After load: the memory the skeleton's pointer gives for this map, NULL for maps that
 * are not mmapable (as libbpf leaves them). */
static int live_memory(struct bpf_map *map, void **out)
{
    *out = NULL;
    const struct elf_map *def = &map->obj->map_defs[map->index];
    const struct runtime_object *runtime = map->obj->runtime;
    if (!(def->map_flags & BPF_F_MMAPABLE) || !runtime || map->index >= runtime->map_count)
        return 0;
    size_t size;
    void *live = map_array_memory(runtime->maps[map->index], &size);
    if (!live)
        return 0;
    if (!(def->map_flags & BPF_F_RDONLY_PROG)) {
        *out = live;
        return 0;
    }
    if (!map->readonly_view && !readonly_view(map, live, size)) {
        int err = -errno;
        pr_warn("map '%s': failed to map its read-only memory: %s\n", def->name, strerror(-err));
        return err;
    }
    *out = map->readonly_view;
    return 0;
}

int bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
    int err = check_skeleton(s);
    if (err)
        return libbpf_err(err);
    err = bpf_object__load(*s->obj);
    if (err) {
        pr_warn("failed to load BPF skeleton '%s': %d\n", s->name, err);
        return libbpf_err(err);
    }
    for (int i = 0; i < s->map_cnt; i++) {
        struct bpf_map_skeleton *entry = skeleton_entry(s->maps, s->map_skel_sz, i);
        if (!entry->mmaped)
            continue;
        err = live_memory(*entry->map, entry->mmaped);
        if (err)
            return libbpf_err(err);
    }
    return 0;
}

/* Sections whose programs libbpf attaches by itself because the name says where:
 * "kprobe/do_unlinkat", not a bare "kprobe" (libbpf skips those too). */
static bool names_an_attach_target(const char *section)
{
    static const char *const prefixes[] = {
        "kprobe/", "kretprobe/", "kprobe.multi/", "kretprobe.multi/", "ksyscall/", "kretsyscall/", "uprobe/", "uretprobe/",
        "uprobe.s/", "uretprobe.s/", "usdt/", "tracepoint/", "tp/", "raw_tracepoint/",
        "raw_tp/", "tp_btf/", "fentry/", "fmod_ret/", "fexit/", "fentry.s/", "fmod_ret.s/",
        "fexit.s/", "freplace/", "lsm/", "lsm.s/", "iter/", "iter.s/",
    };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t len = strlen(prefixes[i]);
        if (!strncmp(section, prefixes[i], len) && section[len])
            return true;
    }
    return false;
}

int bpf_object__attach_skeleton(struct bpf_object_skeleton *s)
{
    int err = check_skeleton(s);
    if (err)
        return libbpf_err(err);
    for (int i = 0; i < s->prog_cnt; i++) {
        struct bpf_prog_skeleton *entry = skeleton_entry(s->progs, s->prog_skel_sz, i);
        struct bpf_program *prog = *entry->prog;
        if (!bpf_program__autoload(prog) || *entry->link)
            continue;
        const char *section = bpf_program__section_name(prog);
        if (names_an_attach_target(section)) {
            pr_warn("prog '%s': failed to auto-attach: bpfhost has no hook for '%s'\n",
                    bpf_program__name(prog), section);
            return libbpf_err(-EOPNOTSUPP);
        }
    }
    return 0;
}

void bpf_object__detach_skeleton(struct bpf_object_skeleton *s)
{
    /* attach made no link, but the application may have stored one of its own there
     * (skel->links.prog = bpf_program__attach_xdp(...)): libbpf destroys those. */
    for (int i = 0; s && i < s->prog_cnt; i++) {
        struct bpf_prog_skeleton *entry = skeleton_entry(s->progs, s->prog_skel_sz, i);
        bpf_link__destroy(*entry->link);
        *entry->link = NULL;
    }
}

void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s)
{
    if (!s)
        return;
    if (s->progs)
        bpf_object__detach_skeleton(s);
    if (s->obj)
        bpf_object__close(*s->obj);
    free(s->maps);
    free(s->progs);
    free(s);
}
