/* bpfhost object show FILE.o [-j|-p] */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "elf/elf_object.h"
#include "json.h"

void cmd_object_help(void)
{
    printf("usage: bpfhost object show FILE.o [-j|-p]\n"
           "Lists what an eBPF ELF object declares, as libbpf sees it when opening it (nothing\n"
           "is loaded or verified): the programs (not the subprograms they call) with their\n"
           "section, program type, expected attach type, instruction count and source file;\n"
           "the maps with type, key and value sizes, max entries, flags, pinning, inner map\n"
           "and origin (btf .maps, legacy maps section, global data, kconfig); the license.\n"
           "  -j   one JSON document instead of tables\n"
           "  -p   JSON, pretty-printed\n"
           "Exit status: 0 ok, 2 bad arguments or an unreadable or malformed object.\n");
}

static const char *const origin_names[] = {
    [ELF_MAP_BTF] = "btf", [ELF_MAP_LEGACY] = "legacy", [ELF_MAP_DATA] = "data",
    [ELF_MAP_RODATA] = "rodata", [ELF_MAP_BSS] = "bss", [ELF_MAP_KCONFIG] = "kconfig",
};

static const char *origin_name(enum elf_map_origin origin)
{
    return (size_t)origin < sizeof origin_names / sizeof origin_names[0] ? origin_names[origin]
                                                                         : "unknown";
}

static const char *pinning_name(uint32_t pinning)
{
    return pinning == EBPF_PIN_NONE ? "none" : pinning == EBPF_PIN_BY_NAME ? "by_name" : "unknown";
}

/* The name of the map a map-in-map holds, or NULL: BTF maps carry the inner definition
 * itself, legacy ones point at another map of the object. */
static const char *inner_map_name(const struct elf_object *obj, const struct elf_map *m)
{
    /* A legacy definition names the map that defines its inner map: show that one, not the
     * template the loader derived from it. */
    if (m->inner_map_index >= 0 && (size_t)m->inner_map_index < elf_object_map_count(obj))
        return elf_object_map(obj, (size_t)m->inner_map_index)->name;
    if (m->inner)
        return m->inner->name;
    return NULL;
}

/* --- plain text: two tables whose columns fit their widest cell ------------------------ */

enum { MAX_COLUMNS = 9, CELL_SIZE = 160 };
typedef char table_row[MAX_COLUMNS][CELL_SIZE];

static void type_cell(char *cell, const char *name, uint32_t number)
{
    if (name)
        snprintf(cell, CELL_SIZE, "%s", name);
    else
        snprintf(cell, CELL_SIZE, "type %" PRIu32, number);
}

/* Row 0 is the header; rows 1.. are the object's programs or maps. Returns false past the
 * end. */
static bool program_row(const struct elf_object *obj, size_t row, table_row cells)
{
    if (row == 0) {
        const char *head[] = {"name", "section", "type", "attach", "insns", "source"};
        for (size_t c = 0; c < 6; c++)
            snprintf(cells[c], CELL_SIZE, "%s", head[c]);
        return true;
    }
    size_t seen = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if (p->is_subprog || ++seen != row)
            continue;
        snprintf(cells[0], CELL_SIZE, "%s", p->name);
        snprintf(cells[1], CELL_SIZE, "%s", p->section_name);
        type_cell(cells[2], cli_prog_type_name(p->prog_type), p->prog_type);
        type_cell(cells[3], cli_attach_type_name(p->prog_type, p->expected_attach_type),
                  p->expected_attach_type);
        snprintf(cells[4], CELL_SIZE, "%zu", p->own_insn_count);
        snprintf(cells[5], CELL_SIZE, "%s", p->source_file ? p->source_file : "-");
        return true;
    }
    return false;
}

static bool map_row(const struct elf_object *obj, size_t row, table_row cells)
{
    if (row == 0) {
        const char *head[] = {"name", "type", "key", "value", "max_entries",
                              "flags", "pinning", "inner", "origin"};
        for (size_t c = 0; c < 9; c++)
            snprintf(cells[c], CELL_SIZE, "%s", head[c]);
        return true;
    }
    if (row > elf_object_map_count(obj))
        return false;
    const struct elf_map *m = elf_object_map(obj, row - 1);
    const char *inner = inner_map_name(obj, m);
    snprintf(cells[0], CELL_SIZE, "%s", m->name);
    type_cell(cells[1], cli_map_type_name(m->type), m->type);
    snprintf(cells[2], CELL_SIZE, "%" PRIu32, m->key_size);
    snprintf(cells[3], CELL_SIZE, "%" PRIu32, m->value_size);
    snprintf(cells[4], CELL_SIZE, "%" PRIu32, m->max_entries);
    snprintf(cells[5], CELL_SIZE, "0x%" PRIx32, m->map_flags);
    snprintf(cells[6], CELL_SIZE, "%s", pinning_name(m->pinning));
    snprintf(cells[7], CELL_SIZE, "%s", inner ? inner : "-");
    snprintf(cells[8], CELL_SIZE, "%s", origin_name(m->origin));
    return true;
}

static void print_table(const struct elf_object *obj, size_t columns,
                        bool (*row_of)(const struct elf_object *, size_t, table_row))
{
    int width[MAX_COLUMNS] = {0};
    table_row cells;
    for (size_t r = 0; row_of(obj, r, cells); r++)
        for (size_t c = 0; c < columns; c++) {
            int len = (int)strlen(cells[c]);
            width[c] = len > width[c] ? len : width[c];
        }
    for (size_t r = 0; row_of(obj, r, cells); r++) {
        printf(" ");
        for (size_t c = 0; c + 1 < columns; c++)
            printf(" %-*s", width[c], cells[c]);
        printf(" %s", cells[columns - 1]);
        printf("\n");
    }
}

static void show_text(const struct elf_object *obj, const char *path, size_t programs)
{
    const char *license = elf_object_license(obj);
    printf("%s: object %s, license %s\n", path, elf_object_name(obj),
           license[0] ? license : "(none)");
    printf("programs: %zu\n", programs);
    if (programs)
        print_table(obj, 6, program_row);
    printf("maps: %zu\n", elf_object_map_count(obj));
    if (elf_object_map_count(obj))
        print_table(obj, 9, map_row);
}

/* --- JSON ------------------------------------------------------------------------------- */

static void json_type(struct json_writer *w, const char *key, const char *name, uint32_t number)
{
    json_key_string(w, key, name ? name : "unknown");
    char id_key[32];
    snprintf(id_key, sizeof id_key, "%s_id", key);
    json_key_uint(w, id_key, number);
}

static void json_map_definition(struct json_writer *w, const struct elf_map *m)
{
    json_key_string(w, "name", m->name);
    json_type(w, "type", cli_map_type_name(m->type), m->type);
    json_key_uint(w, "key_size", m->key_size);
    json_key_uint(w, "value_size", m->value_size);
    json_key_uint(w, "max_entries", m->max_entries);
    json_key_uint(w, "flags", m->map_flags);
}

static void show_json(const struct elf_object *obj, const char *path, bool pretty)
{
    struct json_writer w;
    json_init(&w, stdout, pretty);
    json_begin_object(&w);
    json_key_string(&w, "file", path);
    json_key_string(&w, "object", elf_object_name(obj));
    const char *license = elf_object_license(obj);
    json_key_string(&w, "license", license[0] ? license : NULL);
    json_key_uint(&w, "kern_version", elf_object_kernel_version(obj));
    json_key(&w, "programs");
    json_begin_array(&w);
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if (p->is_subprog)
            continue;
        json_begin_object(&w);
        json_key_string(&w, "name", p->name);
        json_key_string(&w, "section", p->section_name);
        json_type(&w, "type", cli_prog_type_name(p->prog_type), p->prog_type);
        json_type(&w, "expected_attach_type",
                  cli_attach_type_name(p->prog_type, p->expected_attach_type),
                  p->expected_attach_type);
        json_key_bool(&w, "sleepable", p->prog_flags & EBPF_F_SLEEPABLE);
        json_key_bool(&w, "xdp_has_frags", p->prog_flags & EBPF_F_XDP_HAS_FRAGS);
        json_key_uint(&w, "insn_count", p->own_insn_count);
        json_key_uint(&w, "linked_insn_count", p->insn_count);
        json_key_string(&w, "source_file", p->source_file);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_key(&w, "maps");
    json_begin_array(&w);
    for (size_t i = 0; i < elf_object_map_count(obj); i++) {
        const struct elf_map *m = elf_object_map(obj, i);
        json_begin_object(&w);
        json_map_definition(&w, m);
        json_key_string(&w, "section", m->section_name);
        json_key_string(&w, "pinning", pinning_name(m->pinning));
        json_key_string(&w, "origin", origin_name(m->origin));
        json_key(&w, "inner_map");
        if (m->inner) {
            json_begin_object(&w);
            json_map_definition(&w, m->inner);
            json_end_object(&w);
        } else if (inner_map_name(obj, m)) {
            json_begin_object(&w);
            json_map_definition(&w, elf_object_map(obj, (size_t)m->inner_map_index));
            json_end_object(&w);
        } else {
            json_null(&w);
        }
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    json_finish(&w);
}

int cmd_object(int argc, char **argv)
{
    if (argc < 2)
        return cli_error("object: usage: bpfhost object show FILE.o [-j|-p]");
    if (strcmp(argv[1], "show"))
        return cli_error("object: unknown subcommand '%s' (bpfhost object show FILE.o)", argv[1]);
    const char *path = NULL;
    bool json = false, pretty = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
            json = pretty = true;
        else if (argv[i][0] == '-')
            return cli_error("object show: unknown option '%s' (see bpfhost object --help)",
                             argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_error("object show: more than one object file");
    }
    if (!path)
        return cli_error("object show: usage: bpfhost object show FILE.o [-j|-p]");
    struct elf_object *obj;
    char msg[512];
    if (elf_object_open_file(path, NULL, &obj, msg, sizeof msg))
        return cli_error("%s", msg); /* the loader's message starts with the path */
    size_t programs = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++)
        programs += !elf_object_program(obj, i)->is_subprog;
    if (json)
        show_json(obj, path, pretty);
    else
        show_text(obj, path, programs);
    elf_object_free(obj);
    return 0;
}
