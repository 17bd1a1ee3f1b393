/* bpfhost verify FILE.o [--section S] [--program P] [--type T] [-v] [-j] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "json.h"
#include "verifier/object_verify.h"

enum { VERBOSE_LOG_SIZE = 16 << 20 };

void cmd_verify_help(void)
{
    printf("usage: bpfhost verify FILE.o [--section S] [--program P] [--type T] [-v] [-j]\n"
           "Verifies the programs of an eBPF object and prints one line per program:\n"
           "  PASS name (section, type): instructions, time\n"
           "  FAIL name (section, type): the instruction, source line and property that failed\n"
           "  --section S   only the programs of section S\n"
           "  --program P   only program P (a subprogram is verified within the programs calling it)\n"
           "  --type T      verify as program type T instead of the one the section name gives\n"
           "                (xdp, tc, socket, cgroup/sock_addr, windows/sock_addr, kprobe, ...)\n"
           "  -v            print the invariant (abstract state) before every instruction\n"
           "  -j            JSON output\n"
           "Sections whose name says no type are verified as XDP or, when the code uses struct\n"
           "__sk_buff's fields, as tc (SCHED_CLS); the output says how each type was chosen.\n"
           "Exit status: 0 all programs pass, 1 a program fails verification, 2 the file cannot\n"
           "be loaded or the arguments are wrong.\n");
}

struct verify_args {
    const char *path, *section, *program;
    const struct prog_type_desc *type;
    bool verbose, json;
};

static int unknown_type(const char *name)
{
    char names[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < prog_type_count() && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", prog_type_at(i)->name);
    return cli_error("verify: unknown program type '%s' (one of: %s)", name, names);
}

static int parse_args(int argc, char **argv, struct verify_args *args)
{
    memset(args, 0, sizeof *args);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--section") || !strcmp(a, "--program") || !strcmp(a, "--type")) {
            if (!has_value)
                return cli_error("verify: %s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--section"))
                args->section = v;
            else if (!strcmp(a, "--program"))
                args->program = v;
            else if (!(args->type = prog_type_by_name(v)))
                return unknown_type(v);
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            args->verbose = true;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
            args->json = true;
        } else if (a[0] == '-') {
            return cli_error("verify: unknown option '%s' (see bpfhost verify --help)", a);
        } else if (args->path) {
            return cli_error("verify: more than one object file ('%s' and '%s')", args->path, a);
        } else {
            args->path = a;
        }
    }
    if (!args->path)
        return cli_error("verify: usage: bpfhost verify FILE.o [--section S] [--program P] [--type T] [-v] [-j]");
    return 0;
}

static bool selected(const struct elf_program *p, const struct verify_args *args)
{
    if (args->section && strcmp(p->section_name, args->section))
        return false;
    if (args->program)
        return !strcmp(p->name, args->program);
    return args->section || !p->is_subprog; /* a section named: all its functions */
}

static void print_text(const struct elf_program *p, const struct object_verify_result *v, const char *log)
{
    const char *type = v->type ? v->type->name : "none";
    if (log && log[0])
        fputs(log, stdout);
    if (!v->err) {
        printf("PASS %s (section %s, type %s): %zu instructions, %" PRIu64 " analysed, %.3f ms", p->name,
               p->section_name, type, v->insn_count, v->result.stats.steps, v->result.stats.seconds * 1e3);
    } else {
        printf("FAIL %s (section %s, type %s): %s", p->name, p->section_name, type, v->result.message);
        if (v->result.source_line[0])
            printf("\n    source: %s", v->result.source_line);
        printf("\n    %zu instructions, %" PRIu64 " analysed, %.3f ms", v->insn_count, v->result.stats.steps,
               v->result.stats.seconds * 1e3);
    }
    if (v->note[0])
        printf("; %s", v->note);
    if (strncmp(v->type_reason, "section name", 12) && strcmp(v->type_reason, "given"))
        printf("; type %s", v->type_reason);
    printf("\n");
}

static void print_json(struct json_writer *w, const struct elf_program *p, const struct object_verify_result *v,
                       const char *log)
{
    json_begin_object(w);
    json_key_string(w, "name", p->name);
    json_key_string(w, "section", p->section_name);
    json_key_string(w, "type", v->type ? v->type->name : NULL);
    json_key_string(w, "type_reason", v->type_reason);
    json_key_string(w, "verdict", v->err ? "fail" : "pass");
    json_key_int(w, "status", v->err);
    json_key_uint(w, "instructions", v->insn_count);
    json_key_uint(w, "steps", v->result.stats.steps);
    json_key_uint(w, "states", v->result.stats.states);
    json_key_uint(w, "microseconds", (uint64_t)(v->result.stats.seconds * 1e6));
    if (v->note[0])
        json_key_string(w, "note", v->note);
    if (v->err) {
        json_key(w, "error");
        json_begin_object(w);
        json_key_int(w, "insn", v->result.error_pc);
        json_key_string(w, "message", v->result.message);
        json_key_string(w, "source", v->result.source_line[0] ? v->result.source_line : NULL);
        json_end_object(w);
    }
    if (log)
        json_key_string(w, "log", log);
    json_end_object(w);
}

int cmd_verify(int argc, char **argv)
{
    struct verify_args args;
    int status = parse_args(argc, argv, &args);
    if (status)
        return status;
    struct elf_object *obj;
    char msg[512];
    if (elf_object_open_file(args.path, NULL, &obj, msg, sizeof msg))
        return cli_error("verify: %s: %s", args.path, msg);
    char *log = args.verbose ? malloc(VERBOSE_LOG_SIZE) : NULL;
    struct object_verify_result *v = malloc(sizeof *v);
    if (!v || (args.verbose && !log)) {
        free(log);
        free(v);
        elf_object_free(obj);
        return cli_error("verify: out of memory");
    }
    struct object_verify_options options = {
        .type = args.type, .log = log, .log_size = log ? VERBOSE_LOG_SIZE : 0, .log_every_insn = true,
    };
    struct json_writer w;
    if (args.json) {
        json_init(&w, stdout, false);
        json_begin_object(&w);
        json_key_string(&w, "file", args.path);
        json_key(&w, "programs");
        json_begin_array(&w);
    }
    size_t passed = 0, failed = 0;
    double total = 0, slowest = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *p = elf_object_program(obj, i);
        if (!selected(p, &args))
            continue;
        if (log)
            log[0] = 0;
        object_verify_program(obj, i, &options, v);
        v->err ? failed++ : passed++;
        total += v->result.stats.seconds;
        if (v->result.stats.seconds > slowest)
            slowest = v->result.stats.seconds;
        if (args.json)
            print_json(&w, p, v, log);
        else
            print_text(p, v, log);
    }
    if (args.json) {
        json_end_array(&w);
        json_key_uint(&w, "passed", passed);
        json_key_uint(&w, "failed", failed);
        json_key_uint(&w, "microseconds", (uint64_t)(total * 1e6));
        json_end_object(&w);
        json_finish(&w);
    }
    free(log);
    free(v);
    elf_object_free(obj);
    if (!passed && !failed)
        return cli_error("verify: %s has no program%s%s%s%s", args.path, args.section ? " in section " : "",
                         args.section ? args.section : "", args.program ? " named " : "",
                         args.program ? args.program : "");
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    if (!args.json)
        printf("%zu passed, %zu failed (analysis %.3f ms in total, slowest %.3f ms; peak memory %.1f MB)\n",
               passed, failed, total * 1e3, slowest * 1e3, usage.ru_maxrss / 1024.0);
    return failed ? 1 : 0;
}
