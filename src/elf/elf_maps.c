/* Map definitions: BTF-defined maps in .maps (libbpf's parse_btf_map_def), legacy
 * struct bpf_map_def records in "maps" / "maps/..." sections, and one array map per global
 * data section (libbpf's bpf_object__init_internal_map). Order as libbpf: BTF maps, legacy
 * maps, global data by section, then .kconfig (elf_externs.c). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_bytes.h"
#include "elf/elf_object_impl.h"

enum {
    BPF_OBJ_NAME_LEN = 16,   /* Linux's limit on map names, NUL included */
    /* Fields of the legacy definition as samples/bpf/bpf_load.h wrote it: type, key_size,
     * value_size, max_entries, map_flags (libbpf's struct bpf_map_def), then inner_map_idx
     * and numa_node. Larger definitions must be zero beyond these. */
    LEGACY_DEF_FIELDS = 7,
    /* Linux refuses array map values above KMALLOC_MAX_SIZE (4 MiB with 4 KiB pages); .bss
     * occupies no file space, so without this limit a tiny file could ask for gigabytes. */
    MAX_GLOBAL_DATA_SIZE = 4 << 20,
};

int elf_add_map(struct elf_object *obj, size_t section, uint64_t offset, uint64_t size)
{
    if (elf_array_grow((void **)&obj->maps, obj->map_count, sizeof(*obj->maps)) ||
        elf_array_grow((void **)&obj->map_places, obj->map_count, sizeof(*obj->map_places)))
        return -ENOMEM;
    obj->maps[obj->map_count].inner_map_index = -1;
    obj->map_places[obj->map_count] = (struct elf_map_place){section, offset, size, 0};
    return (int)obj->map_count++;
}

int elf_find_map_at(const struct elf_object *obj, size_t section, uint64_t offset)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        const struct elf_map_place *p = &obj->map_places[i];
        if (p->section == section && section != 0 && p->offset == offset)
            return (int)i;
    }
    return -1;
}

/* --- BTF-defined maps ------------------------------------------------------------------- */

/* __uint(name, value) is declared as `int (*name)[value]`: the value is the array length. */
static int map_field_int(struct elf_object *obj, const char *map, const struct btf_member *m,
                         uint32_t *out)
{
    const struct btf_type *ptr = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, m->type));
    if (!ptr || ptr->kind != BTF_KIND_PTR)
        return elf_fail(obj, EINVAL, "map '%s': attribute '%s' is not a pointer (__uint)", map,
                        m->name);
    const struct btf_type *arr = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, ptr->type));
    if (!arr || arr->kind != BTF_KIND_ARRAY)
        return elf_fail(obj, EINVAL, "map '%s': attribute '%s' does not point to an array "
                        "(__uint)", map, m->name);
    *out = arr->nelems;
    return 0;
}

/* __type(name, T) is declared as `T *name`: returns T's id and size. */
static int map_field_type(struct elf_object *obj, const char *map, const struct btf_member *m,
                          uint32_t *type_id, uint32_t *size)
{
    const struct btf_type *ptr = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, m->type));
    if (!ptr || ptr->kind != BTF_KIND_PTR)
        return elf_fail(obj, EINVAL, "map '%s': attribute '%s' is not a pointer (__type)", map,
                        m->name);
    int64_t sz = btf_resolve_size(obj->btf, ptr->type);
    if (sz < 0 || sz > UINT32_MAX)
        return elf_fail(obj, EINVAL, "map '%s': type of '%s' has no size", map, m->name);
    *type_id = ptr->type;
    *size = (uint32_t)sz;
    return 0;
}

static bool is_map_in_map(uint32_t type)
{
    return type == EBPF_MAP_TYPE_ARRAY_OF_MAPS || type == EBPF_MAP_TYPE_HASH_OF_MAPS;
}

static int parse_btf_map_def(struct elf_object *obj, const char *name, uint32_t def_id,
                             struct elf_map *map, bool inner);

/* The `__array(values, T)` member: the inner map of a map-in-map, or the program prototype of
 * a prog array. */
static int parse_values(struct elf_object *obj, const char *name, const struct btf_type *def,
                        uint32_t index, struct elf_map *map, bool inner)
{
    const struct btf_member *m = &def->members[index];
    if (inner)
        return elf_fail(obj, EINVAL, "map '%s': inner map cannot itself have 'values'", name);
    if (index != def->vlen - 1)
        return elf_fail(obj, EINVAL, "map '%s': 'values' must be the last member", name);
    if (!is_map_in_map(map->type) && map->type != EBPF_MAP_TYPE_PROG_ARRAY)
        return elf_fail(obj, EINVAL, "map '%s': 'values' needs a map-in-map or prog-array type "
                        "(type %u)", name, map->type);
    if (map->value_size && map->value_size != 4)
        return elf_fail(obj, EINVAL, "map '%s': value size %u conflicts with 'values' (4)",
                        name, map->value_size);
    map->value_size = 4;
    const struct btf_type *arr = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, m->type));
    if (!arr || arr->kind != BTF_KIND_ARRAY)
        return elf_fail(obj, EINVAL, "map '%s': 'values' is not an array", name);
    const struct btf_type *ptr = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, arr->type));
    if (!ptr || ptr->kind != BTF_KIND_PTR)
        return elf_fail(obj, EINVAL, "map '%s': 'values' is not an array of pointers", name);
    uint32_t target_id = btf_skip_modifiers(obj->btf, ptr->type);
    const struct btf_type *target = btf_type_by_id(obj->btf, target_id);
    if (map->type == EBPF_MAP_TYPE_PROG_ARRAY) {
        if (!target || target->kind != BTF_KIND_FUNC_PROTO)
            return elf_fail(obj, EINVAL, "map '%s': prog-array 'values' must point to "
                            "functions", name);
        return 0;
    }
    if (!target || target->kind != BTF_KIND_STRUCT)
        return elf_fail(obj, EINVAL, "map '%s': 'values' must point to a map definition "
                        "struct", name);
    map->inner = calloc(1, sizeof(*map->inner));
    if (!map->inner)
        return elf_fail(obj, ENOMEM, "out of memory");
    map->inner->inner_map_index = -1;
    map->inner->origin = ELF_MAP_BTF;
    size_t len = strlen(name) + sizeof(".inner");
    map->inner->name = malloc(len);
    map->inner->section_name = strdup(".maps");
    if (!map->inner->name || !map->inner->section_name)
        return elf_fail(obj, ENOMEM, "out of memory");
    snprintf(map->inner->name, len, "%s.inner", name);
    return parse_btf_map_def(obj, map->inner->name, target_id, map->inner, true);
}

/* The value's struct bpf_spin_lock, found as Linux's btf_find_spin_lock does: a member of
 * the value struct itself (not of nested structs) whose type is the struct of that name.
 * Opening never fails on it (libbpf's does not look); map creation checks what was found. */
static void find_spin_lock(struct elf_object *obj, struct elf_map *map)
{
    const struct btf_type *value =
        btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, map->btf_value_type_id));
    if (!map->btf_value_type_id || !value || value->kind != BTF_KIND_STRUCT)
        return;
    for (uint32_t i = 0; i < value->vlen; i++) {
        const struct btf_member *m = &value->members[i];
        const struct btf_type *t = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, m->type));
        if (!t || t->kind != BTF_KIND_STRUCT || strcmp(t->name, "bpf_spin_lock"))
            continue;
        if (!map->spin_lock_count++) {
            map->has_spin_lock = true;
            map->spin_lock_offset = m->offset / 8;
        }
    }
}

static int parse_btf_map_def(struct elf_object *obj, const char *name, uint32_t def_id,
                             struct elf_map *map, bool inner)
{
    const struct btf_type *def = btf_type_by_id(obj->btf, def_id);
    for (uint32_t i = 0; i < def->vlen; i++) {
        const struct btf_member *m = &def->members[i];
        int err = 0;
        uint32_t type_id = 0, size = 0, value = 0;
        if (!strcmp(m->name, "type")) {
            err = map_field_int(obj, name, m, &map->type);
        } else if (!strcmp(m->name, "max_entries")) {
            err = map_field_int(obj, name, m, &map->max_entries);
        } else if (!strcmp(m->name, "map_flags")) {
            err = map_field_int(obj, name, m, &map->map_flags);
        } else if (!strcmp(m->name, "numa_node")) {
            err = map_field_int(obj, name, m, &map->numa_node);
        } else if (!strcmp(m->name, "map_extra")) {
            err = map_field_int(obj, name, m, &value);
            map->map_extra = value;
        } else if (!strcmp(m->name, "key_size") || !strcmp(m->name, "value_size")) {
            bool key = m->name[0] == 'k';
            uint32_t *field = key ? &map->key_size : &map->value_size;
            if (!(err = map_field_int(obj, name, m, &value))) {
                if (*field && *field != value)
                    return elf_fail(obj, EINVAL, "map '%s': conflicting %s size %u != %u",
                                    name, key ? "key" : "value", *field, value);
                *field = value;
            }
        } else if (!strcmp(m->name, "key") || !strcmp(m->name, "value")) {
            bool key = m->name[0] == 'k';
            uint32_t *field = key ? &map->key_size : &map->value_size;
            if (!(err = map_field_type(obj, name, m, &type_id, &size))) {
                if (*field && *field != size)
                    return elf_fail(obj, EINVAL, "map '%s': conflicting %s size %u != %u",
                                    name, key ? "key" : "value", *field, size);
                *field = size;
                *(key ? &map->btf_key_type_id : &map->btf_value_type_id) = type_id;
            }
        } else if (!strcmp(m->name, "values")) {
            err = parse_values(obj, name, def, i, map, inner);
        } else if (!strcmp(m->name, "pinning")) {
            if (inner)
                return elf_fail(obj, EINVAL, "map '%s': inner map cannot be pinned", name);
            if (!(err = map_field_int(obj, name, m, &map->pinning)) &&
                map->pinning != EBPF_PIN_NONE && map->pinning != EBPF_PIN_BY_NAME)
                return elf_fail(obj, EINVAL, "map '%s': invalid pinning value %u", name,
                                map->pinning);
        } else if (!obj->relaxed_maps) {
            return elf_fail(obj, ENOTSUP, "map '%s': unknown field '%s'", name, m->name);
        }
        if (err)
            return err;
    }
    find_spin_lock(obj, map);
    return 0;
}

static const struct elf_symbol *find_object_symbol(const struct elf_object *obj,
                                                   size_t section, const char *name)
{
    for (size_t i = 0; i < obj->symbol_count; i++) {
        const struct elf_symbol *s = &obj->symbols[i];
        if (s->shndx == section && s->type != ELF_STT_SECTION &&
            (s->bind == ELF_STB_GLOBAL || s->bind == ELF_STB_WEAK) && !strcmp(s->name, name))
            return s;
    }
    return NULL;
}

static int collect_btf_maps(struct elf_object *obj)
{
    size_t section = obj->btf_maps_section;
    if (!section)
        return 0;
    if (!obj->btf)
        return elf_fail(obj, EINVAL, "section '.maps' needs BTF, and the object has none");
    uint32_t sec_id = btf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC);
    if (!sec_id)
        return elf_fail(obj, EINVAL, "BTF has no '.maps' datasec for section '.maps'");
    const struct btf_type *datasec = btf_type_by_id(obj->btf, sec_id);
    const struct elf_section *s = &obj->sections[section];
    for (uint32_t i = 0; i < datasec->vlen; i++) {
        const struct btf_member *vi = &datasec->members[i];
        const struct btf_type *var = btf_type_by_id(obj->btf, vi->type);
        if (!var || var->kind != BTF_KIND_VAR)
            return elf_fail(obj, EINVAL, ".maps: datasec entry %u is not a variable", i);
        const char *name = var->name;
        if (var->linkage != BTF_VAR_GLOBAL_ALLOCATED)
            return elf_fail(obj, ENOTSUP, "map '%s': static or extern maps are not supported",
                            name);
        uint32_t def_id = btf_skip_modifiers(obj->btf, var->type);
        const struct btf_type *def = btf_type_by_id(obj->btf, def_id);
        if (!def || def->kind != BTF_KIND_STRUCT)
            return elf_fail(obj, EINVAL, "map '%s': definition is not a struct", name);
        /* clang leaves datasec offsets to the loader: the ELF symbol has the real one. */
        const struct elf_symbol *sym = find_object_symbol(obj, section, name);
        if (!sym)
            return elf_fail(obj, EINVAL, "map '%s': no ELF symbol in '.maps'", name);
        uint64_t size = vi->size > def->size ? vi->size : def->size;
        if (sym->value > s->size || size > s->size - sym->value)
            return elf_fail(obj, EINVAL, "map '%s': definition at offset %llu, size %llu lies "
                            "outside '.maps' (%llu bytes)", name,
                            (unsigned long long)sym->value, (unsigned long long)size,
                            (unsigned long long)s->size);
        int index = elf_add_map(obj, section, sym->value, size);
        if (index < 0)
            return elf_fail(obj, ENOMEM, "out of memory");
        obj->map_places[index].btf_var_index = i;
        struct elf_map *map = &obj->maps[index];
        map->origin = ELF_MAP_BTF;
        map->name = strdup(name);
        map->section_name = strdup(".maps");
        if (!map->name || !map->section_name)
            return elf_fail(obj, ENOMEM, "out of memory");
        int err = parse_btf_map_def(obj, name, def_id, map, false);
        if (err)
            return err;
    }
    return 0;
}

/* --- legacy maps ------------------------------------------------------------------------ */

static int by_value(const void *a, const void *b)
{
    const struct elf_symbol *x = *(const struct elf_symbol *const *)a;
    const struct elf_symbol *y = *(const struct elf_symbol *const *)b;
    return x->value < y->value ? -1 : x->value > y->value;
}

static int collect_legacy_section(struct elf_object *obj, size_t section,
                                  const struct elf_symbol **syms, size_t *first_legacy)
{
    const struct elf_section *s = &obj->sections[section];
    size_t n = 0;
    for (size_t i = 0; i < obj->symbol_count; i++)
        if (obj->symbols[i].shndx == section && obj->symbols[i].type != ELF_STT_SECTION)
            syms[n++] = &obj->symbols[i];
    if (n == 0)
        return 0;
    if (s->size == 0 || s->size % n)
        return elf_fail(obj, EINVAL, "section '%s': cannot tell the map definition size: %zu "
                        "maps in %llu bytes", s->name, n, (unsigned long long)s->size);
    uint64_t def_size = s->size / n;
    if (def_size < 4 * 4)
        return elf_fail(obj, EINVAL, "section '%s': map definitions of %llu bytes are too "
                        "small", s->name, (unsigned long long)def_size);
    qsort(syms, n, sizeof(*syms), by_value);
    for (size_t k = 0; k < n; k++) {
        const struct elf_symbol *sym = syms[k];
        int err = elf_check_symbol_name(obj, sym, "map");
        if (err)
            return err;
        if (sym->value > s->size || def_size > s->size - sym->value)
            return elf_fail(obj, EINVAL, "section '%s': map '%s' at offset %llu runs past the "
                            "section end", s->name, sym->name, (unsigned long long)sym->value);
        if (elf_find_map_at(obj, section, sym->value) >= 0)
            return elf_fail(obj, EINVAL, "section '%s': two maps at offset %llu", s->name,
                            (unsigned long long)sym->value);
        const uint8_t *p = s->data + sym->value;
        uint32_t field[LEGACY_DEF_FIELDS] = {0};
        for (uint64_t f = 0; f < LEGACY_DEF_FIELDS && f * 4 + 4 <= def_size; f++)
            field[f] = read_u32(p + f * 4);
        for (uint64_t b = LEGACY_DEF_FIELDS * 4; b < def_size; b++)
            if (p[b])
                return elf_fail(obj, EINVAL, "map '%s': definition has unrecognized non-zero "
                                "bytes at offset %llu", sym->name, (unsigned long long)b);
        int index = elf_add_map(obj, section, sym->value, def_size);
        if (index < 0)
            return elf_fail(obj, ENOMEM, "out of memory");
        if (*first_legacy == SIZE_MAX)
            *first_legacy = (size_t)index;
        struct elf_map *map = &obj->maps[index];
        map->origin = ELF_MAP_LEGACY;
        map->name = strdup(*sym->name ? sym->name : s->name);
        map->section_name = strdup(s->name);
        if (!map->name || !map->section_name)
            return elf_fail(obj, ENOMEM, "out of memory");
        map->type = field[0];
        map->key_size = field[1];
        map->value_size = field[2];
        map->max_entries = field[3];
        map->map_flags = field[4];
        map->numa_node = field[6];
        /* inner_map_idx counts legacy maps in file order; bpf_load.c reads it only for
         * maps of maps, and so does the loader. */
        if (is_map_in_map(map->type))
            map->inner_map_index = (int32_t)field[5];
    }
    return 0;
}

static int collect_legacy_maps(struct elf_object *obj)
{
    const struct elf_symbol **syms = calloc(obj->symbol_count + 1, sizeof(*syms));
    if (!syms)
        return elf_fail(obj, ENOMEM, "out of memory");
    size_t first = SIZE_MAX;
    int err = 0;
    for (size_t i = 1; i < obj->section_count && !err; i++)
        if (obj->sections[i].role == ROLE_LEGACY_MAPS)
            err = collect_legacy_section(obj, i, syms, &first);
    free(syms);
    if (err || first == SIZE_MAX)
        return err;
    for (size_t i = first; i < obj->map_count; i++) {
        struct elf_map *map = &obj->maps[i];
        if (map->inner_map_index < 0)
            continue;
        size_t inner = first + (size_t)map->inner_map_index;
        if (inner >= obj->map_count || inner == i)
            return elf_fail(obj, EINVAL, "map '%s': inner map index %d names no other legacy "
                            "map", map->name, map->inner_map_index);
        map->inner_map_index = (int32_t)inner;
        /* The same template a BTF map-in-map has, so that users need handle only one. */
        const struct elf_map *source = &obj->maps[inner];
        map->inner = calloc(1, sizeof(*map->inner));
        size_t len = strlen(map->name) + sizeof(".inner");
        if (!map->inner || !(map->inner->name = malloc(len)) ||
            !(map->inner->section_name = strdup(source->section_name)))
            return elf_fail(obj, ENOMEM, "out of memory");
        snprintf(map->inner->name, len, "%s.inner", map->name);
        map->inner->origin = ELF_MAP_LEGACY;
        map->inner->type = source->type;
        map->inner->key_size = source->key_size;
        map->inner->value_size = source->value_size;
        map->inner->max_entries = source->max_entries;
        map->inner->map_flags = source->map_flags;
        map->inner->numa_node = source->numa_node;
        map->inner->inner_map_index = -1;
    }
    return 0;
}

/* --- global data ------------------------------------------------------------------------ */

/* libbpf's internal_map_name: "<object prefix><section>" within 15 characters, the prefix
 * dropped for sections with a second '.', characters the kernel refuses replaced by '_'. */
static char *internal_map_name(const char *object_name, const char *section)
{
    char name[BPF_OBJ_NAME_LEN];
    size_t sfx_len = strlen(section) > 7 ? strlen(section) : 7;
    size_t pfx_len = 0;
    if (!strchr(section + 1, '.') && sfx_len < BPF_OBJ_NAME_LEN - 1) {
        pfx_len = BPF_OBJ_NAME_LEN - sfx_len - 1;
        if (strlen(object_name) < pfx_len)
            pfx_len = strlen(object_name);
    }
    snprintf(name, sizeof(name), "%.*s%.*s", (int)pfx_len, object_name, (int)sfx_len, section);
    for (char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
            *p = '_';
    return strdup(name);
}

/* libbpf 1.1 maps a data section into user memory (BPF_F_MMAPABLE) only when it holds a
 * non-static variable, which it learns from the section's BTF datasec. */
static bool datasec_has_global(const struct btf *btf, uint32_t datasec_id)
{
    const struct btf_type *t = btf_type_by_id(btf, datasec_id);
    for (uint32_t i = 0; t && i < t->vlen; i++) {
        const struct btf_type *var = btf_type_by_id(btf, t->members[i].type);
        if (var && var->kind == BTF_KIND_VAR && var->linkage != BTF_VAR_STATIC)
            return true;
    }
    return false;
}

int elf_add_internal_map(struct elf_object *obj, size_t section, const char *section_name,
                         enum elf_map_origin origin, uint32_t value_size,
                         const uint8_t *contents)
{
    int index = elf_add_map(obj, section, 0, value_size);
    if (index < 0)
        return elf_fail(obj, ENOMEM, "out of memory");
    struct elf_map *map = &obj->maps[index];
    map->origin = origin;
    map->name = internal_map_name(obj->name, section_name);
    map->section_name = strdup(section_name);
    map->initial_value = calloc(1, value_size ? value_size : 1);
    if (!map->name || !map->section_name || !map->initial_value)
        return elf_fail(obj, ENOMEM, "out of memory");
    if (contents)
        memcpy(map->initial_value, contents, value_size);
    map->type = EBPF_MAP_TYPE_ARRAY;
    map->key_size = 4;
    map->value_size = value_size;
    map->max_entries = 1;
    map->map_flags = origin == ELF_MAP_RODATA || origin == ELF_MAP_KCONFIG
                         ? EBPF_F_RDONLY_PROG : 0;
    map->btf_value_type_id = btf_find_by_name_kind(obj->btf, section_name, BTF_KIND_DATASEC);
    if (datasec_has_global(obj->btf, map->btf_value_type_id))
        map->map_flags |= EBPF_F_MMAPABLE;
    return index;
}

static int collect_global_data(struct elf_object *obj)
{
    for (size_t i = 1; i < obj->section_count; i++) {
        const struct elf_section *s = &obj->sections[i];
        enum elf_map_origin origin;
        if (s->role == ROLE_DATA)
            origin = ELF_MAP_DATA;
        else if (s->role == ROLE_RODATA)
            origin = ELF_MAP_RODATA;
        else if (s->role == ROLE_BSS)
            origin = ELF_MAP_BSS;
        else
            continue;
        if (s->size == 0)
            continue;
        if (s->size > MAX_GLOBAL_DATA_SIZE)
            return elf_fail(obj, E2BIG, "section '%s' of %llu bytes is larger than an array "
                            "map value may be (%d bytes)", s->name,
                            (unsigned long long)s->size, MAX_GLOBAL_DATA_SIZE);
        int err = elf_add_internal_map(obj, i, s->name, origin, (uint32_t)s->size, s->data);
        if (err < 0)
            return err;
    }
    return 0;
}

int elf_collect_maps(struct elf_object *obj)
{
    int err = collect_btf_maps(obj);
    if (!err)
        err = collect_legacy_maps(obj);
    if (!err)
        err = collect_global_data(obj);
    return err;
}
