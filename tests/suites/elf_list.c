/* Lists what bpfhost's loader sees in eBPF objects, in the same line format as
 * libbpf_list.c, so that tests/suites/corpus_open.sh can compare the two. With -v it also
 * prints subprograms, final instruction counts, line info and map details; with
 * --sections it prints the types of section names. */
#include <stdio.h>
#include <string.h>

#include "elf/elf_object.h"

static int list(const char *path, int verbose)
{
    char msg[512];
    struct elf_object *obj;
    int err = elf_object_open_file(path, NULL, &obj, msg, sizeof(msg));
    if (err) {
        printf("error %d %s\n", err, msg);
        return 1;
    }
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if ((p->is_subprog || p->whole_section) && !verbose)
            continue; /* libbpf's view */
        printf("prog %s %s %u %u %zu", p->name, p->section_name, p->prog_type,
               p->expected_attach_type, p->own_insn_count);
        if (verbose)
            printf(" subprog=%d total=%zu lines=%zu funcs=%zu file=%s", p->is_subprog,
                   p->insn_count, p->line_count, p->func_count,
                   p->source_file ? p->source_file : "-");
        printf("\n");
    }
    for (size_t i = 0; i < elf_object_map_count(obj); i++) {
        const struct elf_map *m = elf_object_map(obj, i);
        printf("map %s %u %u %u %u %u", m->name, m->type, m->key_size, m->value_size,
               m->max_entries, m->map_flags);
        if (verbose)
            printf(" origin=%d pinning=%u inner=%s inner_index=%d slots=%zu", m->origin,
                   m->pinning, m->inner ? m->inner->name : "-", m->inner_map_index,
                   m->init_slot_count);
        printf("\n");
    }
    elf_object_free(obj);
    return 0;
}

/* "--sections NAME...": the program type and attach type of each section name. */
static int sections(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        struct elf_section_type t;
        elf_section_type_by_name(argv[i], &t);
        printf("%s %u %u\n", argv[i], t.prog_type, t.expected_attach_type);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--sections"))
        return sections(argc, argv);
    int verbose = argc > 1 && !strcmp(argv[1], "-v");
    int status = 0;
    for (int i = 1 + verbose; i < argc; i++)
        status |= list(argv[i], verbose);
    return status;
}
