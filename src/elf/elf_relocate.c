/* Relocations (libbpf's bpf_program__record_reloc and bpf_object__relocate_data): lddw of a
 * map becomes the map-index form (src=5, imm=map index), lddw of global data or a .kconfig
 * extern becomes src=6 with the offset in the next imm, and calls or lddw of .text functions
 * are recorded for elf_link.c. Relocations in .maps give prog-array and map-in-map slots. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_bytes.h"
#include "elf/elf_object_impl.h"

enum { ELF_REL_SIZE = 16, CODE_CALL = 0x85, CODE_LDDW = 0x18 };

struct rel {
    uint64_t offset;
    uint32_t type;
    uint32_t sym;
};

static int check_rel_section(struct elf_object *obj, size_t index)
{
    const struct elf_section *r = &obj->sections[index];
    if ((r->entsize != ELF_REL_SIZE && r->entsize != 0) || r->size % ELF_REL_SIZE)
        return elf_fail(obj, EINVAL, "relocation section '%s': entry size %llu or size %llu "
                        "is invalid", r->name, (unsigned long long)r->entsize,
                        (unsigned long long)r->size);
    if (r->info == 0 || r->info >= obj->section_count)
        return elf_fail(obj, EINVAL, "relocation section '%s': target section %u is out of "
                        "range", r->name, r->info);
    if (r->link >= obj->section_count || obj->sections[r->link].type != ELF_SHT_SYMTAB)
        return elf_fail(obj, EINVAL, "relocation section '%s': linked section %u is not the "
                        "symbol table", r->name, r->link);
    return 0;
}

static int read_rel(struct elf_object *obj, const struct elf_section *r, size_t i,
                    struct rel *out, const struct elf_symbol **sym)
{
    const uint8_t *p = r->data + i * ELF_REL_SIZE;
    out->offset = read_u64(p);
    uint64_t info = read_u64(p + 8);
    out->type = (uint32_t)info;
    out->sym = (uint32_t)(info >> 32);
    if (out->sym == 0 || out->sym >= obj->symbol_count)
        return elf_fail(obj, EINVAL, "relocation section '%s': entry %zu names symbol %u, "
                        "outside the symbol table", r->name, i, out->sym);
    *sym = &obj->symbols[out->sym];
    return 0;
}

static int find_extern(const struct elf_object *obj, const char *name)
{
    for (size_t i = 0; i < obj->extern_count; i++)
        if (!strcmp(obj->externs[i].name, name))
            return (int)i;
    return -1;
}

static int find_data_map(const struct elf_object *obj, size_t section)
{
    for (size_t i = 0; i < obj->map_count; i++)
        if (obj->map_places[i].section == section && obj->maps[i].origin >= ELF_MAP_DATA &&
            obj->maps[i].origin <= ELF_MAP_BSS)
            return (int)i;
    return -1;
}

static int record_code_reloc(struct elf_object *obj, struct elf_section *s, size_t insn,
                             int64_t target)
{
    if (elf_array_grow((void **)&s->relocs, s->reloc_count, sizeof(*s->relocs)))
        return elf_fail(obj, ENOMEM, "out of memory");
    s->relocs[s->reloc_count++] = (struct elf_insn_reloc){insn, target};
    return 0;
}

static int relocate_insn(struct elf_object *obj, struct elf_section *s, const struct rel *rel,
                         const struct elf_symbol *sym)
{
    size_t count = s->size / sizeof(struct ebpf_insn);
    if (rel->offset % sizeof(struct ebpf_insn) || rel->offset / 8 >= count)
        return elf_fail(obj, EINVAL, "section '%s': relocation offset %llu is not an "
                        "instruction of the section", s->name, (unsigned long long)rel->offset);
    size_t idx = rel->offset / 8;
    struct ebpf_insn *insn = &s->insns[idx];
    if (rel->type != ELF_R_BPF_64_64 && rel->type != ELF_R_BPF_64_32)
        return elf_fail(obj, EINVAL, "section '%s': insn %zu: relocation type %u against '%s' "
                        "is not a code relocation", s->name, idx, rel->type, sym->name);
    if (insn->code == CODE_CALL) {
        if (insn->src != EBPF_CALL_LOCAL)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu: relocation against '%s' on "
                            "a call that is not a bpf-to-bpf call", s->name, idx, sym->name);
        if (sym->shndx == ELF_SHN_UNDEF)
            return elf_fail(obj, ENOTSUP, "section '%s': insn %zu calls undefined function "
                            "'%s'", s->name, idx, sym->name);
        if (!obj->text_section || sym->shndx != obj->text_section)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu calls '%s' in section '%s'; "
                            "only .text holds subprograms", s->name, idx, sym->name,
                            elf_section_name(obj, sym->shndx));
        if (sym->value % 8)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu calls '%s' at offset %llu, "
                            "not an instruction boundary", s->name, idx, sym->name,
                            (unsigned long long)sym->value);
        return record_code_reloc(obj, s, idx, (int64_t)(sym->value / 8) + insn->imm + 1);
    }
    if (insn->code != CODE_LDDW || idx + 1 >= count)
        return elf_fail(obj, EINVAL, "section '%s': insn %zu (opcode 0x%02x): relocation "
                        "against '%s' on an instruction that is not a complete lddw", s->name,
                        idx, insn->code, sym->name);
    if (sym->shndx == ELF_SHN_UNDEF) {
        int ext = find_extern(obj, sym->name);
        if (ext < 0)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu refers to undefined symbol "
                            "'%s'", s->name, idx, sym->name);
        insn->src = EBPF_LDDW_MAP_IDX_VALUE;
        insn->imm = obj->kconfig_map;
        insn[1].imm = (int32_t)obj->externs[ext].offset;
        return 0;
    }
    if (sym->shndx >= ELF_SHN_LORESERVE)
        return elf_fail(obj, EINVAL, "section '%s': insn %zu refers to '%s' in special "
                        "section 0x%x (an uninitialized global?)", s->name, idx, sym->name,
                        sym->shndx);
    const struct elf_section *target = &obj->sections[sym->shndx];
    if (sym->shndx == obj->text_section && obj->text_section &&
        (sym->type == ELF_STT_FUNC || sym->type == ELF_STT_SECTION)) {
        if (sym->value % 8 || insn->imm % 8)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu takes the address of '%s' "
                            "at a misaligned offset", s->name, idx, sym->name);
        insn->src = EBPF_LDDW_FUNC;
        return record_code_reloc(obj, s, idx, (int64_t)(sym->value / 8) + insn->imm / 8);
    }
    if (target->role == ROLE_LEGACY_MAPS || target->role == ROLE_BTF_MAPS) {
        int map = elf_find_map_at(obj, sym->shndx, sym->value);
        if (map < 0)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu refers to '%s' at offset %llu "
                            "of '%s', where no map is defined", s->name, idx, sym->name,
                            (unsigned long long)sym->value, target->name);
        insn->src = EBPF_LDDW_MAP_IDX;
        insn->imm = map;
        return 0;
    }
    if (target->role == ROLE_DATA || target->role == ROLE_RODATA || target->role == ROLE_BSS) {
        int map = find_data_map(obj, sym->shndx);
        int64_t off = (int64_t)insn->imm + (int64_t)sym->value;
        if (map < 0 || off < 0 || (uint64_t)off >= obj->maps[map].value_size)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu refers to offset %lld of '%s', "
                            "outside its %llu bytes", s->name, idx, (long long)off,
                            target->name, (unsigned long long)target->size);
        insn->src = EBPF_LDDW_MAP_IDX_VALUE;
        insn->imm = map;
        insn[1].imm = (int32_t)off;
        return 0;
    }
    return elf_fail(obj, EINVAL, "section '%s': insn %zu refers to '%s' in section '%s', which "
                    "holds no map, data or subprogram", s->name, idx, sym->name, target->name);
}

static int by_insn(const void *a, const void *b)
{
    const struct elf_insn_reloc *x = a, *y = b;
    return x->insn < y->insn ? -1 : x->insn > y->insn;
}

int elf_relocate_data(struct elf_object *obj)
{
    for (size_t i = 1; i < obj->section_count; i++) {
        struct elf_section *s = &obj->sections[i];
        if (s->role != ROLE_PROGRAM)
            continue;
        s->insns = malloc(s->size);
        if (!s->insns)
            return elf_fail(obj, ENOMEM, "out of memory");
        memcpy(s->insns, s->data, s->size);
    }
    for (size_t i = 1; i < obj->section_count; i++) {
        const struct elf_section *r = &obj->sections[i];
        if (r->role != ROLE_REL)
            continue;
        int err = check_rel_section(obj, i);
        if (err)
            return err;
        struct elf_section *target = &obj->sections[r->info];
        if (target->role != ROLE_PROGRAM)
            continue;
        for (size_t k = 0; k < r->size / ELF_REL_SIZE; k++) {
            struct rel rel;
            const struct elf_symbol *sym;
            if ((err = read_rel(obj, r, k, &rel, &sym)))
                return err;
            if (rel.type == ELF_R_BPF_NONE)
                continue;
            if ((err = relocate_insn(obj, target, &rel, sym)))
                return err;
        }
    }
    for (size_t i = 1; i < obj->section_count; i++) {
        struct elf_section *s = &obj->sections[i];
        if (s->relocs) {
            qsort(s->relocs, s->reloc_count, sizeof(*s->relocs), by_insn);
            for (size_t k = 1; k < s->reloc_count; k++)
                if (s->relocs[k].insn == s->relocs[k - 1].insn)
                    return elf_fail(obj, EINVAL, "section '%s': insn %zu has two relocations",
                                    s->name, s->relocs[k].insn);
        }
    }
    return 0;
}

/* --- .maps: initial slots of prog arrays and maps of maps ------------------------------ */

static int map_containing(const struct elf_object *obj, uint64_t offset)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        const struct elf_map_place *p = &obj->map_places[i];
        if (p->section == obj->btf_maps_section && offset >= p->offset &&
            offset - p->offset < p->size)
            return (int)i;
    }
    return -1;
}

static int add_slot(struct elf_object *obj, size_t map_index, const struct rel *rel,
                    const struct elf_symbol *sym)
{
    struct elf_map *map = &obj->maps[map_index];
    bool prog_array = map->type == EBPF_MAP_TYPE_PROG_ARRAY;
    if (!prog_array && map->type != EBPF_MAP_TYPE_ARRAY_OF_MAPS &&
        map->type != EBPF_MAP_TYPE_HASH_OF_MAPS)
        return elf_fail(obj, EINVAL, "map '%s': relocation against '%s', but the map is not a "
                        "map-in-map or prog-array", map->name, sym->name);
    if (map->key_size != 4)
        return elf_fail(obj, EINVAL, "map '%s': initial values need a 4-byte key, not %u",
                        map->name, map->key_size);
    uint32_t target;
    if (prog_array) {
        int prog = elf_object_find_program(obj, sym->name);
        if (prog < 0 || obj->programs[prog].section_index != sym->shndx ||
            obj->programs[prog].section_offset != sym->value)
            return elf_fail(obj, EINVAL, "map '%s': '%s' is not a program", map->name,
                            sym->name);
        target = (uint32_t)prog;
    } else {
        int targ = elf_object_find_map(obj, sym->name);
        if (targ < 0 || obj->maps[targ].origin != ELF_MAP_BTF)
            return elf_fail(obj, EINVAL, "map '%s': initial value '%s' is not a BTF map",
                            map->name, sym->name);
        target = (uint32_t)targ;
    }
    /* The slots are the last member, `values`, an array of 8-byte pointers. */
    const struct btf_type *datasec = btf_type_by_id(
        obj->btf, btf_find_by_name_kind(obj->btf, ".maps", BTF_KIND_DATASEC));
    const struct btf_type *var =
        btf_type_by_id(obj->btf, datasec->members[obj->map_places[map_index].btf_var_index].type);
    const struct btf_type *def = btf_type_by_id(obj->btf, btf_skip_modifiers(obj->btf, var->type));
    uint64_t values_off = def->members[def->vlen - 1].offset / 8;
    uint64_t rel_off = rel->offset - obj->map_places[map_index].offset;
    if (strcmp(def->members[def->vlen - 1].name, "values") || rel_off < values_off ||
        (rel_off - values_off) % 8)
        return elf_fail(obj, EINVAL, "map '%s': relocation at offset %llu is not a 'values' "
                        "slot", map->name, (unsigned long long)rel_off);
    uint64_t slot = (rel_off - values_off) / 8;
    if (slot >= map->max_entries)
        return elf_fail(obj, EINVAL, "map '%s': initial value in slot %llu, beyond max_entries "
                        "%u", map->name, (unsigned long long)slot, map->max_entries);
    if (elf_array_grow((void **)&map->init_slots, map->init_slot_count, sizeof(*map->init_slots)))
        return elf_fail(obj, ENOMEM, "out of memory");
    map->init_slots[map->init_slot_count++] = (struct elf_map_slot){(uint32_t)slot, target};
    return 0;
}

int elf_relocate_map_slots(struct elf_object *obj)
{
    for (size_t i = 1; i < obj->section_count; i++) {
        const struct elf_section *r = &obj->sections[i];
        if (r->role != ROLE_REL || r->info != obj->btf_maps_section || !obj->btf_maps_section)
            continue;
        for (size_t k = 0; k < r->size / ELF_REL_SIZE; k++) {
            struct rel rel;
            const struct elf_symbol *sym;
            int err = read_rel(obj, r, k, &rel, &sym);
            if (err)
                return err;
            if (rel.type == ELF_R_BPF_NONE)
                continue;
            int map = map_containing(obj, rel.offset);
            if (map < 0)
                return elf_fail(obj, EINVAL, ".maps: relocation at offset %llu is inside no map",
                                (unsigned long long)rel.offset);
            if ((err = add_slot(obj, (size_t)map, &rel, sym)))
                return err;
        }
    }
    return 0;
}
