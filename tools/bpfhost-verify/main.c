/* bpfhost-verify: runs the verifier on the programs of ELF objects.
 *
 *   bpfhost-verify [--max-states N] [--log] FILE [PROGRAM]
 *       verifies every program of FILE (or the one named), one line each.
 *   bpfhost-verify --corpus DIR
 *       verifies the programs listed in DIR/expectations.tsv and compares the verdicts
 *       with the "expect" column; ends with counts and "N passed, N failed", where a
 *       failure is an unsafe program accepted (precision misses are counted apart).
 *
 * Program types are chosen by object_verify_type (docs/verifier.md, "Program types of an
 * object"); subprograms are verified within their callers. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "elf/elf_object.h"
#include "verifier/object_verify.h"

enum { LOG_SIZE = 1 << 20 };

struct run {
    uint32_t max_states;
    bool log;
};

/* Verifies one program; returns the verifier's result code. */
static int verify_program(const struct elf_object *obj, size_t index, const struct run *run,
                          struct object_verify_result *out)
{
    static char log[LOG_SIZE];
    struct object_verify_options options = {
        .max_states_per_point = run->max_states,
        .log = run->log ? log : NULL,
        .log_size = run->log ? sizeof log : 0,
    };
    int err = object_verify_program(obj, index, &options, out);
    if (run->log)
        fputs(log, stdout);
    return err;
}

static void print_verdict(const char *name, int err, const struct object_verify_result *v)
{
    const struct verifier_result *r = &v->result;
    if (!err)
        printf("%s: accepted (%" PRIu64 " steps, %" PRIu64 " states, %.4f s)%s%s\n", name, r->stats.steps,
               r->stats.states, r->stats.seconds, v->note[0] ? ": " : "", v->note);
    else
        printf("%s: rejected: %s\n", name, r->message);
}

static int verify_file(const char *path, const char *only, const struct run *run)
{
    struct elf_object *obj;
    char msg[512];
    int err = elf_object_open_file(path, NULL, &obj, msg, sizeof msg);
    if (err) {
        fprintf(stderr, "%s: %s\n", path, msg);
        return 1;
    }
    int status = 0;
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *prog = elf_object_program(obj, i);
        if (only ? strcmp(prog->name, only) != 0 : prog->is_subprog)
            continue;
        struct object_verify_result result;
        err = verify_program(obj, i, run, &result);
        print_verdict(prog->name, err, &result);
        status |= err != 0;
    }
    elf_object_free(obj);
    return status;
}

struct tally {
    int accept_ok, accept_missed, reject_ok, reject_missed, load_refused, other;
    double seconds, slowest;
    char slowest_name[256];
    uint64_t steps;
};

/* One expectations.tsv row: file, section, program, instructions, expect, ... */
static void corpus_row(const char *dir, char *line, const struct run *run, struct tally *t)
{
    char *fields[6] = {0};
    char *save = NULL, *p = strtok_r(line, "\t\n", &save);
    for (int i = 0; p && i < 6; i++, p = strtok_r(NULL, "\t\n", &save))
        fields[i] = p;
    if (!fields[4])
        return;
    const char *file = fields[0], *section = fields[1], *program = fields[2], *expect = fields[4];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct elf_object *obj;
    char msg[512];
    if (elf_object_open_file(path, NULL, &obj, msg, sizeof msg)) {
        bool expected = !strcmp(expect, "load-error");
        t->load_refused++;
        printf("%s %s %s: load error (%s)%s\n", file, section, program, msg, expected ? "" : " [unexpected]");
        return;
    }
    for (size_t i = 0; i < elf_object_program_count(obj); i++) {
        const struct elf_program *prog = elf_object_program(obj, i);
        if ((strcmp(section, "*") && strcmp(prog->section_name, section) != 0) ||
            (strcmp(program, "-") && strcmp(prog->name, program) && strcmp(section, program)))
            continue;
        if (!strcmp(program, "-") && prog->is_subprog)
            continue;
        struct object_verify_result v;
        int err = verify_program(obj, i, run, &v);
        const struct verifier_result r = v.result;
        t->seconds += r.stats.seconds;
        t->steps += r.stats.steps;
        if (r.stats.seconds > t->slowest) {
            t->slowest = r.stats.seconds;
            snprintf(t->slowest_name, sizeof t->slowest_name, "%s %s", file, prog->name);
        }
        const char *verdict;
        if (!strcmp(expect, "accept")) {
            verdict = err ? "MISSED (safe program rejected)" : "ok";
            err ? t->accept_missed++ : t->accept_ok++;
        } else if (!strcmp(expect, "reject")) {
            verdict = err ? "ok" : "UNSAFE ACCEPTED";
            err ? t->reject_ok++ : t->reject_missed++;
        } else {
            verdict = "no reference";
            t->other++;
        }
        printf("%s %s %s: %s: %s [%s: %s]%s%s\n", file, section, prog->name, verdict, err ? r.message : "accepted",
               v.type ? v.type->name : "no type", v.type_reason, v.note[0] ? " " : "", v.note);
    }
    elf_object_free(obj);
}

static int verify_corpus(const char *dir, const struct run *run)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/expectations.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 1;
    }
    struct tally t = {0};
    char line[8192];
    if (!fgets(line, sizeof line, f)) /* header */
        line[0] = 0;
    while (fgets(line, sizeof line, f))
        corpus_row(dir, line, run, &t);
    fclose(f);
    printf("safe programs accepted: %d of %d\n", t.accept_ok, t.accept_ok + t.accept_missed);
    printf("unsafe programs rejected: %d of %d\n", t.reject_ok, t.reject_ok + t.reject_missed);
    printf("objects the loader refused: %d; programs without reference: %d\n", t.load_refused, t.other);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("analysis time: %.3f s in total, slowest %.4f s (%s), %" PRIu64 " instructions analysed\n",
           t.seconds, t.slowest, t.slowest_name, t.steps);
    printf("peak memory (maxrss of the whole run, loader included): %.1f MB\n", usage.ru_maxrss / 1024.0);
    printf("%d passed, %d failed\n", t.accept_ok + t.reject_ok, t.reject_missed);
    return t.reject_missed != 0;
}

int main(int argc, char **argv)
{
    struct run run = {0};
    const char *corpus = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--corpus") && i + 1 < argc)
            corpus = argv[++i];
        else if (!strcmp(argv[i], "--max-states") && i + 1 < argc)
            run.max_states = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--log"))
            run.log = true;
        else
            break;
    }
    if (corpus)
        return verify_corpus(corpus, &run);
    if (i >= argc) {
        fprintf(stderr, "usage: bpfhost-verify [--max-states N] [--log] FILE [PROGRAM]\n"
                        "       bpfhost-verify [--max-states N] --corpus DIR\n");
        return 2;
    }
    return verify_file(argv[i], i + 1 < argc ? argv[i + 1] : NULL, &run);
}
