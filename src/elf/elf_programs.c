/* Programs: one per function symbol of each executable section (libbpf's
 * bpf_object__add_programs), or one per section for objects from compilers that emitted
 * no function symbols. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_object_impl.h"

static int add_program(struct elf_object *obj, size_t section, const char *name,
                       uint64_t offset, uint64_t size, bool global, bool whole_section)
{
    const struct elf_section *s = &obj->sections[section];
    if (size == 0 || size % sizeof(struct ebpf_insn) || offset % sizeof(struct ebpf_insn))
        return elf_fail(obj, EINVAL, "section '%s': program '%s' is corrupted: offset %llu, "
                        "size %llu (must be non-empty multiples of 8)", s->name, name,
                        (unsigned long long)offset, (unsigned long long)size);
    if (offset > s->size || size > s->size - offset)
        return elf_fail(obj, EINVAL, "section '%s': program '%s' at offset %llu, size %llu "
                        "crosses the section end (%llu bytes)", s->name, name,
                        (unsigned long long)offset, (unsigned long long)size,
                        (unsigned long long)s->size);
    if (elf_array_grow((void **)&obj->programs, obj->program_count, sizeof(*obj->programs)))
        return elf_fail(obj, ENOMEM, "out of memory");
    struct elf_program *p = &obj->programs[obj->program_count++];
    p->name = strdup(name);
    p->section_name = strdup(s->name);
    if (!p->name || !p->section_name)
        return elf_fail(obj, ENOMEM, "out of memory");
    struct elf_section_type type;
    elf_section_type_by_name(s->name, &type);
    p->prog_type = type.prog_type;
    p->expected_attach_type = type.expected_attach_type;
    p->prog_flags = type.prog_flags;
    p->section_index = section;
    p->section_offset = (uint32_t)offset;
    p->own_insn_count = size / sizeof(struct ebpf_insn);
    p->is_global = global;
    p->whole_section = whole_section;
    return 0;
}

static int collect_section(struct elf_object *obj, size_t section)
{
    const struct elf_section *s = &obj->sections[section];
    bool found = false;
    for (size_t i = 0; i < obj->symbol_count; i++) {
        const struct elf_symbol *sym = &obj->symbols[i];
        if (sym->shndx != section || sym->type != ELF_STT_FUNC)
            continue;
        int err = elf_check_symbol_name(obj, sym, "function");
        if (err)
            return err;
        if (!*sym->name)
            return elf_fail(obj, EINVAL, "section '%s': function symbol %zu has no name",
                            s->name, i);
        if (section != obj->text_section && sym->bind == ELF_STB_LOCAL)
            return elf_fail(obj, ENOTSUP, "section '%s': program '%s' is static, which libbpf "
                            "does not support outside .text", s->name, sym->name);
        if (sym->value > UINT32_MAX)
            return elf_fail(obj, EINVAL, "section '%s': program '%s' offset is too large",
                            s->name, sym->name);
        err = add_program(obj, section, sym->name, sym->value, sym->size,
                              sym->bind != ELF_STB_LOCAL, false);
        if (err)
            return err;
        found = true;
    }
    if (found)
        return 0;
    /* Old compilers: no STT_FUNC symbols; the whole section is one program. */
    return add_program(obj, section, s->name, 0, s->size, true, true);
}

static int by_offset(const void *a, const void *b)
{
    const struct elf_program *x = *(const struct elf_program *const *)a;
    const struct elf_program *y = *(const struct elf_program *const *)b;
    return x->section_offset < y->section_offset ? -1 : x->section_offset > y->section_offset;
}

/* Functions must not overlap: a call target must belong to exactly one. */
static int check_overlaps(struct elf_object *obj, size_t section, size_t first)
{
    size_t n = obj->program_count - first;
    if (n < 2)
        return 0;
    const struct elf_program **sorted = malloc(n * sizeof(*sorted));
    if (!sorted)
        return elf_fail(obj, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        sorted[i] = &obj->programs[first + i];
    qsort(sorted, n, sizeof(*sorted), by_offset);
    int err = 0;
    for (size_t i = 1; i < n && !err; i++) {
        const struct elf_program *a = sorted[i - 1], *b = sorted[i];
        if (a->section_offset + a->own_insn_count * 8 > b->section_offset)
            err = elf_fail(obj, EINVAL, "section '%s': functions '%s' and '%s' overlap",
                           obj->sections[section].name, a->name, b->name);
    }
    free(sorted);
    return err;
}

int elf_collect_programs(struct elf_object *obj)
{
    for (size_t i = 1; i < obj->section_count; i++) {
        if (obj->sections[i].role != ROLE_PROGRAM)
            continue;
        size_t first = obj->program_count;
        int err = collect_section(obj, i);
        if (err)
            return err;
        if ((err = check_overlaps(obj, i, first)))
            return err;
    }
    for (size_t i = 0; i < obj->program_count; i++)
        obj->programs[i].is_subprog =
            obj->programs[i].section_index == obj->text_section && obj->program_count > 1;
    return 0;
}
