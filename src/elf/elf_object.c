/* Opening an object: the steps in order, and the read-only accessors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_object_impl.h"

enum { MAX_OBJECT_FILE_SIZE = 256 << 20 };

static void free_map(struct elf_map *map)
{
    free(map->name);
    free(map->section_name);
    free(map->initial_value);
    free(map->init_slots);
    if (map->inner) {
        free_map(map->inner);
        free(map->inner);
    }
}

void elf_object_free(struct elf_object *obj)
{
    if (!obj)
        return;
    for (size_t i = 0; i < obj->program_count; i++) {
        struct elf_program *p = &obj->programs[i];
        free(p->name);
        free(p->section_name);
        free(p->insns);
        free(p->lines);
        free(p->funcs);
    }
    free(obj->programs);
    for (size_t i = 0; i < obj->map_count; i++)
        free_map(&obj->maps[i]);
    free(obj->maps);
    free(obj->map_places);
    for (size_t i = 0; i < obj->section_count; i++) {
        free(obj->sections[i].insns);
        free(obj->sections[i].relocs);
    }
    free(obj->sections);
    free(obj->symbols);
    free(obj->externs);
    btf_ext_free(obj->btf_ext);
    btf_free(obj->btf);
    free(obj->bytes);
    free(obj->name);
    free(obj);
}

/* The kernel refuses line and function records outside the code or out of order
 * (check_btf_line, check_btf_func); so does the loader, naming the record. */
static int check_btf_ext_section(struct elf_object *obj, const struct btf_ext_section *e)
{
    const struct elf_section *code = NULL;
    for (size_t i = 1; i < obj->section_count; i++)
        if (obj->sections[i].role == ROLE_PROGRAM && !strcmp(obj->sections[i].name, e->section_name))
            code = &obj->sections[i];
    if (!code)
        return 0; /* records for a section that holds no code: unused, as in libbpf */
    for (size_t k = 0; k < e->line_info_count; k++) {
        uint32_t off = e->line_info[k].insn_off;
        if (off >= code->size)
            return elf_fail(obj, EINVAL, ".BTF.ext: line_info[%zu] of section '%s' is at byte "
                            "%u, beyond the %llu-byte code", k, code->name, off,
                            (unsigned long long)code->size);
        if (k && off <= e->line_info[k - 1].insn_off)
            return elf_fail(obj, EINVAL, ".BTF.ext: line_info[%zu] of section '%s' (byte %u) "
                            "is not after the previous one (byte %u)", k, code->name, off,
                            e->line_info[k - 1].insn_off);
    }
    for (size_t k = 0; k < e->func_info_count; k++) {
        uint32_t off = e->func_info[k].insn_off;
        if (off >= code->size)
            return elf_fail(obj, EINVAL, ".BTF.ext: func_info[%zu] of section '%s' is at byte "
                            "%u, beyond the %llu-byte code", k, code->name, off,
                            (unsigned long long)code->size);
        if (k && off <= e->func_info[k - 1].insn_off)
            return elf_fail(obj, EINVAL, ".BTF.ext: func_info[%zu] of section '%s' (byte %u) "
                            "is not after the previous one (byte %u)", k, code->name, off,
                            e->func_info[k - 1].insn_off);
    }
    return 0;
}

/* Whether anything but line info needs BTF: BTF-defined maps and externs (libbpf's
 * btf_required). */
static bool btf_required(const struct elf_object *obj)
{
    if (obj->btf_maps_section)
        return true;
    for (size_t i = 0; i < obj->symbol_count; i++)
        if (obj->symbols[i].shndx == ELF_SHN_UNDEF && obj->symbols[i].bind != ELF_STB_LOCAL &&
            *obj->symbols[i].name)
            return true;
    return false;
}

/* Broken BTF that nothing needs is dropped, as libbpf does (it warns and goes on), so that
 * old objects with damaged type information still load; BTF.ext, .maps and externs refer
 * into it, so with any of those it is an error. */
static int load_btf(struct elf_object *obj)
{
    char why[200] = "";
    bool broken = false;
    for (size_t i = 1; i < obj->section_count; i++) {
        const struct elf_section *s = &obj->sections[i];
        if (s->role == ROLE_BTF) {
            if (obj->btf || broken)
                return elf_fail(obj, EINVAL, "object has two .BTF sections");
            if (btf_parse(s->data, s->size, &obj->btf, why, sizeof(why))) {
                if (btf_required(obj))
                    return elf_fail(obj, EINVAL, "section %zu '.BTF': %s", i, why);
                broken = true;
            }
        }
    }
    for (size_t i = 1; i < obj->section_count; i++) {
        const struct elf_section *s = &obj->sections[i];
        if (s->role != ROLE_BTF_EXT)
            continue;
        if (broken)
            return elf_fail(obj, EINVAL, "section %zu '.BTF.ext' refers to a broken .BTF: %s",
                            i, why);
        if (!obj->btf)
            return elf_fail(obj, EINVAL, "section '.BTF.ext' without a .BTF section");
        if (obj->btf_ext)
            return elf_fail(obj, EINVAL, "object has two .BTF.ext sections");
        if (btf_ext_parse(s->data, s->size, obj->btf, &obj->btf_ext, why, sizeof(why)))
            return elf_fail(obj, EINVAL, "section %zu '.BTF.ext': %s", i, why);
    }
    for (size_t i = 0; obj->btf_ext && i < obj->btf_ext->section_count; i++) {
        int err = check_btf_ext_section(obj, &obj->btf_ext->sections[i]);
        if (err)
            return err;
    }
    return 0;
}

int elf_object_open_memory(const void *data, size_t size, const struct elf_open_options *options,
                           struct elf_object **out, char *msg, size_t msg_size)
{
    *out = NULL;
    if (msg && msg_size)
        msg[0] = 0;
    struct elf_object *obj = calloc(1, sizeof(*obj));
    if (!obj) {
        snprintf(msg, msg_size, "out of memory");
        return -ENOMEM;
    }
    obj->msg = msg;
    obj->msg_size = msg_size;
    obj->kconfig_map = -1;
    const char *name = options && options->object_name ? options->object_name : "object";
    obj->name = strdup(name);
    obj->kconfig_kernel_version = options && options->kernel_version
                                      ? options->kernel_version : ELF_DEFAULT_KERNEL_VERSION;
    obj->validate_insns = !(options && options->skip_insn_validation);
    obj->relaxed_maps = options && options->relaxed_maps;
    obj->kconfig = options ? options->kconfig : NULL;
    /* A private copy: the caller may free its buffer, and the object's strings point here. */
    obj->bytes = malloc(size ? size : 1);
    obj->size = size;
    int err;
    if (!obj->name || !obj->bytes) {
        err = elf_fail(obj, ENOMEM, "out of memory");
    } else {
        if (size)
            memcpy(obj->bytes, data, size);
        err = elf_read_sections(obj);
        if (!err)
            err = elf_read_symbols(obj);
        if (!err)
            err = elf_classify_sections(obj);
        if (!err)
            err = load_btf(obj);
        if (!err)
            err = elf_collect_programs(obj);
        if (!err)
            err = elf_collect_maps(obj);
        if (!err)
            err = elf_collect_externs(obj);
        if (!err)
            err = elf_relocate_data(obj);
        if (!err)
            err = elf_relocate_map_slots(obj);
        if (!err)
            err = elf_link_programs(obj);
    }
    if (err) {
        elf_object_free(obj);
        return err;
    }
    /* The message buffer belongs to the caller and only serves this call. */
    obj->msg = NULL;
    obj->msg_size = 0;
    *out = obj;
    return 0;
}

/* libbpf's object name: the file's base name up to its first '.', at most 15 characters. */
static void object_name_from_path(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(name, size, "%s", base);
    char *dot = strchr(name, '.');
    if (dot)
        *dot = 0;
}

int elf_object_open_file(const char *path, const struct elf_open_options *options,
                         struct elf_object **out, char *msg, size_t msg_size)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        snprintf(msg, msg_size, "%s: %s", path, strerror(err));
        return -err;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    int err = 0;
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            if (cap >= MAX_OBJECT_FILE_SIZE) {
                err = -EFBIG;
                snprintf(msg, msg_size, "%s: larger than %d bytes", path, MAX_OBJECT_FILE_SIZE);
                break;
            }
            uint8_t *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    if (!err && buf && ferror(f)) {
        err = -EIO;
        snprintf(msg, msg_size, "%s: read error", path);
    }
    fclose(f);
    if (!buf) {
        snprintf(msg, msg_size, "out of memory");
        return -ENOMEM;
    }
    if (!err) {
        char name[16];
        object_name_from_path(path, name, sizeof(name));
        struct elf_open_options opts = options ? *options : (struct elf_open_options){0};
        if (!opts.object_name)
            opts.object_name = name;
        err = elf_object_open_memory(buf, len, &opts, out, msg, msg_size);
        if (err && msg && msg_size) {
            /* Name the file in the message, keeping what the parser said. */
            char detail[512];
            snprintf(detail, sizeof(detail), "%s", msg);
            snprintf(msg, msg_size, "%s: %s", path, detail);
        }
    }
    free(buf);
    return err;
}

const char *elf_object_name(const struct elf_object *obj) { return obj->name; }
const char *elf_object_license(const struct elf_object *obj) { return obj->license; }
uint32_t elf_object_kernel_version(const struct elf_object *obj) { return obj->kernel_version; }
const struct btf *elf_object_btf(const struct elf_object *obj) { return obj->btf; }
size_t elf_object_program_count(const struct elf_object *obj) { return obj->program_count; }
size_t elf_object_map_count(const struct elf_object *obj) { return obj->map_count; }

const struct elf_program *elf_object_program(const struct elf_object *obj, size_t index)
{
    return index < obj->program_count ? &obj->programs[index] : NULL;
}

const struct elf_map *elf_object_map(const struct elf_object *obj, size_t index)
{
    return index < obj->map_count ? &obj->maps[index] : NULL;
}

int elf_object_find_program(const struct elf_object *obj, const char *name)
{
    for (size_t i = 0; i < obj->program_count; i++)
        if (!strcmp(obj->programs[i].name, name))
            return (int)i;
    return -1;
}

int elf_object_find_map(const struct elf_object *obj, const char *name)
{
    for (size_t i = 0; i < obj->map_count; i++)
        if (!strcmp(obj->maps[i].name, name))
            return (int)i;
    return -1;
}

const struct elf_line *elf_program_line(const struct elf_program *prog, size_t insn)
{
    const struct elf_line *found = NULL;
    size_t lo = 0, hi = prog->line_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (prog->lines[mid].insn <= insn) {
            found = &prog->lines[mid];
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return found;
}
