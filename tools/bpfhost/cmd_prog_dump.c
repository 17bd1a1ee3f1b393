/* bpfhost prog dump FILE.o [PROGRAM] [--raw] */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "elf/btf.h"
#include "elf/elf_object.h"
#include "isa/disasm.h"

void cmd_prog_help(void)
{
    printf("usage: bpfhost prog dump FILE.o [PROGRAM] [--raw]\n"
           "       bpfhost prog show FILE.o [PROG] [-j|-p]\n"
           "show: loads the object's programs (through the verifier; when it refuses, unverified,\n"
           "saying so) and lists them as bpftool does: id, type, name, instruction sizes, the\n"
           "ids of their maps. PROG := NAME | name NAME | id ID | pinned PATH.\n"
           "dump:\n"
           "Disassembles the programs of an eBPF ELF object (or the one named PROGRAM) as the\n"
           "loader prepares them: each program followed by the subprograms it calls, map\n"
           "references in the map[idx:N] form. Linux syntax with instruction indexes, the\n"
           "source lines from BTF line info ('; text  file.c:12') and function boundaries.\n"
           "  --raw   also print the instruction bytes\n"
           "Exit status: 0 ok, 1 the code holds invalid instructions, 2 bad arguments, an\n"
           "unknown program name or an unreadable or malformed object.\n");
    cmd_prog_run_help();
    cmd_prog_tracelog_help();
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/'), *backslash = strrchr(path, '\\');
    const char *last = slash > backslash ? slash : backslash;
    return last ? last + 1 : path;
}

static const char *func_name(const struct elf_object *obj, const struct elf_func *f)
{
    const struct btf *btf = elf_object_btf(obj);
    const struct btf_type *t = btf ? btf_type_by_id(btf, f->btf_type_id) : NULL;
    return t && t->name[0] ? t->name : NULL;
}

/* The function that starts at insn: from BTF func info, or (objects without it) any target
 * of a bpf-to-bpf call or callback address, which then has no name. */
static bool function_at(const struct elf_object *obj, const struct elf_program *p, size_t insn,
                        const char **name)
{
    *name = NULL;
    for (size_t i = 0; i < p->func_count; i++)
        if (p->funcs[i].insn == insn) {
            *name = func_name(obj, &p->funcs[i]);
            return true;
        }
    if (p->func_count || insn == 0)
        return insn == 0;
    for (size_t pc = 0; pc < p->insn_count; pc++) {
        const struct ebpf_insn *in = &p->insns[pc];
        enum isa_form_id id = isa_decode(in);
        if ((id == ISA_CALL_LOCAL || id == ISA_LDDW_FUNC) &&
            (int64_t)pc + 1 + in->imm == (int64_t)insn)
            return true;
    }
    return false;
}

/* A note after an instruction: what a call or a map reference points at. */
static void print_target(const struct elf_object *obj, const struct elf_program *p, size_t pc)
{
    const struct ebpf_insn *in = &p->insns[pc];
    enum isa_form_id id = isa_decode(in);
    if (id == ISA_CALL_LOCAL || id == ISA_LDDW_FUNC) {
        int64_t target = (int64_t)pc + 1 + in->imm;
        const char *name;
        if (target >= 0 && (size_t)target < p->insn_count &&
            function_at(obj, p, (size_t)target, &name) && name)
            printf("  # %s", name);
    } else if (id == ISA_LDDW_MAP_IDX || id == ISA_LDDW_MAP_IDX_VALUE) {
        if (in->imm >= 0 && (size_t)in->imm < elf_object_map_count(obj))
            printf("  # %s", elf_object_map(obj, (size_t)in->imm)->name);
    }
}

static void print_source_line(const struct elf_line *line)
{
    const char *text = line->line_text ? line->line_text : "";
    text += strspn(text, " \t");
    size_t len = strcspn(text, "\r\n");
    printf("; %.*s", (int)len, text);
    if (line->file_name && line->file_name[0])
        printf("  %s:%" PRIu32, base_name(line->file_name), line->line);
    printf("\n");
}

static bool same_string(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool same_position(const struct elf_line *a, const struct elf_line *b)
{
    return b && a->line == b->line && same_string(a->file_name, b->file_name) &&
           same_string(a->line_text, b->line_text);
}

/* Returns the number of invalid instructions. */
static int dump_program(const struct elf_object *obj, const struct elf_program *p, bool raw)
{
    const char *type = cli_prog_type_name(p->prog_type);
    printf("%s: section %s, type %s, %zu insns", p->name, p->section_name,
           type ? type : "unknown", p->insn_count);
    if (p->insn_count != p->own_insn_count)
        printf(" (%zu own, %zu in subprograms)", p->own_insn_count,
               p->insn_count - p->own_insn_count);
    printf("\n");
    int invalid = 0;
    size_t next_line = 0;
    const struct elf_line *shown = NULL;
    for (size_t pc = 0; pc < p->insn_count;) {
        const char *name;
        if (function_at(obj, p, pc, &name)) {
            if (pc)
                printf("\n");
            if (name)
                printf("%s:\n", name);
            else if (pc)
                printf("subprogram@%zu:\n", pc);
            else
                printf("%s:\n", p->name);
        }
        while (next_line < p->line_count && p->lines[next_line].insn <= pc) {
            const struct elf_line *line = &p->lines[next_line];
            /* Line 0 marks compiler-made code with no source; a record that repeats the
             * previous position adds nothing to read. */
            if (line->insn == pc && line->line != 0 && !same_position(line, shown)) {
                print_source_line(line);
                shown = line;
            }
            next_line++;
        }
        char text[160];
        int n = disasm_insn(p->insns, p->insn_count, pc, text, sizeof text);
        if (n < 0) {
            invalid++;
            n = 1;
        }
        printf("%5zu: ", pc);
        if (raw) {
            const uint8_t *bytes = (const uint8_t *)&p->insns[pc];
            for (size_t b = 0; b < 8 * (size_t)n; b++)
                printf("%02x ", bytes[b]);
            printf(n == 1 ? "                         " : " ");
        }
        printf("%s", text);
        print_target(obj, p, pc);
        printf("\n");
        pc += (size_t)n;
    }
    return invalid;
}

static int unknown_program(const struct elf_object *obj, const char *path, const char *name)
{
    fprintf(stderr, "bpfhost: %s: no program named '%s'; the object's programs are:", path,
            name);
    size_t listed = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if (!p->is_subprog)
            fprintf(stderr, "%s %s", listed++ ? "," : "", p->name);
    }
    fprintf(stderr, "%s\n", listed ? "" : " (none)");
    return 2;
}

int cmd_prog(int argc, char **argv)
{
    if (argc < 2)
        return cli_error("prog: usage: bpfhost prog dump FILE.o [PROGRAM] [--raw]");
    if (!strcmp(argv[1], "show"))
        return cmd_prog_show(argc - 1, argv + 1);
    if (!strcmp(argv[1], "run"))
        return cmd_prog_run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "tracelog"))
        return cmd_prog_tracelog(argc - 1, argv + 1);
    if (strcmp(argv[1], "dump"))
        return cli_error("prog: unknown subcommand '%s' (bpfhost prog show|dump|run FILE.o, prog tracelog)", argv[1]);
    const char *path = NULL, *name = NULL;
    bool raw = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--raw"))
            raw = true;
        else if (argv[i][0] == '-')
            return cli_error("prog dump: unknown option '%s' (see bpfhost prog --help)", argv[i]);
        else if (!path)
            path = argv[i];
        else if (!name)
            name = argv[i];
        else
            return cli_error("prog dump: too many arguments (FILE.o [PROGRAM])");
    }
    if (!path)
        return cli_error("prog dump: usage: bpfhost prog dump FILE.o [PROGRAM] [--raw]");
    /* Malformed code is shown (and counted) rather than refused: seeing it is the point. */
    struct elf_open_options options = {.skip_insn_validation = true};
    struct elf_object *obj;
    char msg[512];
    if (elf_object_open_file(path, &options, &obj, msg, sizeof msg))
        return cli_error("%s", msg); /* the loader's message starts with the path */
    int invalid = 0;
    if (name) {
        int index = elf_object_find_program(obj, name);
        if (index < 0) {
            int status = unknown_program(obj, path, name);
            elf_object_free(obj);
            return status;
        }
        invalid = dump_program(obj, elf_object_program(obj, (size_t)index), raw);
    } else {
        bool first = true;
        for (size_t i = 0; i < elf_object_program_count(obj); i++) {
            const struct elf_program *p = elf_object_program(obj, i);
            if (p->is_subprog)
                continue;
            if (!first)
                printf("\n");
            first = false;
            invalid += dump_program(obj, p, raw);
        }
    }
    elf_object_free(obj);
    if (invalid)
        fprintf(stderr, "bpfhost: %s: %d invalid instruction%s\n", path, invalid,
                invalid == 1 ? "" : "s");
    return invalid ? 1 : 0;
}
