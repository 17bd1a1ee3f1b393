/* Making each program self-contained (libbpf's bpf_object__relocate_calls and
 * bpf_object__reloc_code): the program's own instructions, then each .text function it
 * calls or takes the address of, appended once, in the order they are first met; calls are
 * re-targeted to the appended copies. BTF.ext line and function records follow the code. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_object_impl.h"

enum { CODE_CALL = 0x85, CODE_LDDW = 0x18, MAX_LINKED_INSNS = 8 * EBPF_MAX_INSNS };

struct piece {
    size_t program;   /* function appended */
    size_t start;     /* where, in the program being built */
};

struct builder {
    struct elf_object *obj;
    const struct function_index *functions;
    struct elf_program *prog;
    struct piece *pieces;
    size_t piece_count;
    size_t *placed;   /* per function: its start in this program, SIZE_MAX when absent */
};

static const struct elf_insn_reloc *find_reloc(const struct elf_section *s, size_t insn)
{
    size_t lo = 0, hi = s->reloc_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->relocs[mid].insn == insn)
            return &s->relocs[mid];
        if (s->relocs[mid].insn < insn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Functions ordered by (section, offset), for finding call targets by binary search;
 * functions of a section never overlap (elf_programs.c checks). */
struct function_index {
    const struct elf_program *programs;
    const struct elf_program **order;
    size_t count;
};

static int by_place(const void *a, const void *b)
{
    const struct elf_program *x = *(const struct elf_program *const *)a;
    const struct elf_program *y = *(const struct elf_program *const *)b;
    if (x->section_index != y->section_index)
        return x->section_index < y->section_index ? -1 : 1;
    return x->section_offset < y->section_offset ? -1 : x->section_offset > y->section_offset;
}

/* The function of section `section` containing instruction `insn` (in section units). */
static int function_at(const struct function_index *index, size_t section, int64_t insn)
{
    size_t lo = 0, hi = index->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct elf_program *p = index->order[mid];
        int64_t start = p->section_offset / 8;
        if (p->section_index < section || (p->section_index == section && start <= insn))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    const struct elf_program *p = index->order[lo - 1];
    int64_t start = p->section_offset / 8;
    if (p->section_index != section || insn < start || insn >= start + (int64_t)p->own_insn_count)
        return -1;
    return (int)(p - index->programs);
}

static int append_btf_ext(struct builder *b, const struct elf_program *f, size_t start)
{
    const struct btf_ext_section *ext =
        btf_ext_find_section(b->obj->btf_ext, f->section_name);
    if (!ext)
        return 0;
    uint64_t lo = f->section_offset, hi = lo + f->own_insn_count * 8;
    struct elf_program *p = b->prog;
    for (size_t i = 0; i < ext->line_info_count; i++) {
        const struct btf_ext_line_info *l = &ext->line_info[i];
        if (l->insn_off < lo || l->insn_off >= hi)
            continue;
        if (elf_array_grow((void **)&p->lines, p->line_count, sizeof(*p->lines)))
            return -ENOMEM;
        p->lines[p->line_count++] = (struct elf_line){
            start + (l->insn_off - lo) / 8, l->file_name, l->line_text, l->line, l->column};
    }
    for (size_t i = 0; i < ext->func_info_count; i++) {
        const struct btf_ext_func_info *fi = &ext->func_info[i];
        if (fi->insn_off < lo || fi->insn_off >= hi)
            continue;
        if (elf_array_grow((void **)&p->funcs, p->func_count, sizeof(*p->funcs)))
            return -ENOMEM;
        p->funcs[p->func_count++] =
            (struct elf_func){start + (fi->insn_off - lo) / 8, fi->type_id};
    }
    return 0;
}

static int append(struct builder *b, size_t function)
{
    struct elf_object *obj = b->obj;
    const struct elf_program *f = &obj->programs[function];
    struct elf_program *p = b->prog;
    const struct elf_section *s = &obj->sections[f->section_index];
    if (p->insn_count + f->own_insn_count > EBPF_MAX_INSNS)
        return elf_fail(obj, E2BIG, "program '%s': more than %d instructions with its "
                        "subprograms", p->name, EBPF_MAX_INSNS);
    struct ebpf_insn *grown =
        realloc(p->insns, (p->insn_count + f->own_insn_count) * sizeof(*grown));
    if (!grown)
        return elf_fail(obj, ENOMEM, "out of memory");
    p->insns = grown;
    memcpy(p->insns + p->insn_count, s->insns + f->section_offset / 8,
           f->own_insn_count * sizeof(*grown));
    if (elf_array_grow((void **)&b->pieces, b->piece_count, sizeof(*b->pieces)))
        return elf_fail(obj, ENOMEM, "out of memory");
    b->pieces[b->piece_count++] = (struct piece){function, p->insn_count};
    b->placed[function] = p->insn_count;
    if (append_btf_ext(b, f, p->insn_count))
        return elf_fail(obj, ENOMEM, "out of memory");
    p->insn_count += f->own_insn_count;
    return 0;
}

/* Re-targets the calls and function addresses of one appended piece. */
static int link_piece(struct builder *b, struct piece piece)
{
    struct elf_object *obj = b->obj;
    const struct elf_program *f = &obj->programs[piece.program];
    const struct elf_section *s = &obj->sections[f->section_index];
    size_t own_start = f->section_offset / 8;
    for (size_t k = 0; k < f->own_insn_count; k++) {
        struct ebpf_insn insn = b->prog->insns[piece.start + k];
        bool call = insn.code == CODE_CALL && insn.src == EBPF_CALL_LOCAL;
        bool func_addr = insn.code == CODE_LDDW && insn.src == EBPF_LDDW_FUNC;
        if (!call && !func_addr)
            continue;
        const struct elf_insn_reloc *r = find_reloc(s, own_start + k);
        int64_t target;
        size_t target_section = obj->text_section;
        if (r) {
            target = r->sym_value;
        } else if (call) {
            /* No relocation: a call inside its own section (old objects, static callees). */
            target = (int64_t)(own_start + k) + insn.imm + 1;
            target_section = f->section_index;
            if (target >= (int64_t)own_start && target < (int64_t)(own_start + f->own_insn_count))
                continue; /* inside the function itself: already right */
        } else {
            return elf_fail(obj, EINVAL, "section '%s': insn %zu loads a function address "
                            "without a relocation", s->name, own_start + k);
        }
        int callee = function_at(b->functions, target_section, target);
        if (callee < 0)
            return elf_fail(obj, EINVAL, "section '%s': insn %zu %s instruction %lld of '%s', "
                            "which is in no function", s->name, own_start + k,
                            call ? "calls" : "takes the address of", (long long)target,
                            elf_section_name(obj, target_section));
        if (b->placed[callee] == SIZE_MAX) {
            int err = append(b, (size_t)callee);
            if (err)
                return err;
        }
        const struct elf_program *c = &obj->programs[callee];
        int64_t new_target = (int64_t)b->placed[callee] + (target - (int64_t)(c->section_offset / 8));
        int64_t rel = new_target - (int64_t)(piece.start + k) - 1;
        if (rel < INT32_MIN || rel > INT32_MAX)
            return elf_fail(obj, E2BIG, "program '%s': call offset out of range", b->prog->name);
        b->prog->insns[piece.start + k].imm = (int32_t)rel;
    }
    return 0;
}

static int by_line_insn(const void *a, const void *b)
{
    const struct elf_line *x = a, *y = b;
    return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static int link_program(struct elf_object *obj, const struct function_index *functions,
                        size_t index, size_t *placed)
{
    struct builder b = {obj, functions, &obj->programs[index], NULL, 0, placed};
    for (size_t i = 0; i < obj->program_count; i++)
        placed[i] = SIZE_MAX;
    int err = append(&b, index);
    for (size_t k = 0; !err && k < b.piece_count; k++)
        err = link_piece(&b, b.pieces[k]);
    free(b.pieces);
    if (err)
        return err;
    struct elf_program *p = b.prog;
    if (p->lines) {
        qsort(p->lines, p->line_count, sizeof(*p->lines), by_line_insn);
        p->source_file = p->lines[0].file_name;
    }
    if (obj->validate_insns) {
        size_t bad_pc = 0;
        char why[256];
        if (isa_validate_program(p->insns, p->insn_count, &bad_pc, why, sizeof(why)))
            return elf_fail(obj, EINVAL, "program '%s' (section '%s'): invalid code at insn "
                            "%zu: %s", p->name, p->section_name, bad_pc, why);
    }
    return 0;
}

int elf_link_programs(struct elf_object *obj)
{
    size_t *placed = calloc(obj->program_count + 1, sizeof(*placed));
    struct function_index functions = {
        obj->programs, calloc(obj->program_count + 1, sizeof(*functions.order)),
        obj->program_count};
    if (!placed || !functions.order) {
        free(placed);
        free(functions.order);
        return elf_fail(obj, ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < obj->program_count; i++)
        functions.order[i] = &obj->programs[i];
    qsort(functions.order, obj->program_count, sizeof(*functions.order), by_place);
    int err = 0;
    size_t total = 0;
    for (size_t i = 0; i < obj->program_count && !err; i++) {
        err = link_program(obj, &functions, i, placed);
        total += obj->programs[i].insn_count;
        /* Each program gets its own copy of its subprograms; a file of chained calls could
         * otherwise make that quadratic in its size. */
        if (!err && total > MAX_LINKED_INSNS)
            err = elf_fail(obj, E2BIG, "more than %d instructions once subprograms are "
                           "appended to every program", MAX_LINKED_INSNS);
    }
    free(functions.order);
    free(placed);
    return err;
}
