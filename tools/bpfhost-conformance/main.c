/* bpfhost-conformance: runs the RFC 9669 conformance vectors (.data files) on an engine.
 *
 *   bpfhost-conformance [--engine interp] [--mode checked|fast] [-v] DIR|FILE...
 *   bpfhost-conformance --negative DIR|FILE...
 *
 * Positive vectors must assemble, load, run and return their `-- result` (or fail where they
 * carry an `-- error` section). With --negative every vector must be refused somewhere:
 * parse, assembly, validation, execution, or a result that differs from the (wrong on purpose)
 * expectation; where the vector names the expected error, our message must say the same. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "isa/asm.h"
#include "isa/testdata.h"

struct options {
    const struct conformance_engine *engine;
    enum vm_mode mode;
    bool negative;
    bool verbose;
};

struct outcome {
    bool failed;        /* the vector was refused or did not give its result */
    char stage[16];     /* where: parse, assemble, load, run, result */
    char msg[512];
};

/* Conformance helper 5 ("unwind"): stops the program when its argument is 0. */
static uint64_t helper_unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                              struct vm_run *run)
{
    if (r1 == 0)
        vm_run_stop(run, 0);
    return r1;
}

static struct vm_helpers conformance_helpers = {.fn = {[5] = helper_unwind}};

static void fail(struct outcome *o, const char *stage, const char *fmt, const char *detail)
{
    o->failed = true;
    snprintf(o->stage, sizeof o->stage, "%s", stage);
    snprintf(o->msg, sizeof o->msg, fmt, detail);
}

static void run_vector(const struct options *opts, const char *text, struct isa_testdata *data,
                       struct outcome *o)
{
    char msg[512];
    memset(o, 0, sizeof *o);
    if (isa_testdata_parse(text, data, msg, sizeof msg)) {
        fail(o, "parse", "%s", msg);
        return;
    }
    struct ebpf_insn *insns = NULL;
    size_t count = 0;
    if (data->raw) {
        count = data->raw_len / 8;
        insns = malloc(data->raw_len ? data->raw_len : 1);
        if (!insns) {
            fail(o, "parse", "%s", "out of memory");
            return;
        }
        memcpy(insns, data->raw, data->raw_len);
    } else if (data->asm_text) {
        if (asm_assemble(data->asm_text, &insns, &count, msg, sizeof msg)) {
            fail(o, "assemble", "%s", msg);
            return;
        }
    } else if (data->unknown_section) {
        fail(o, "parse", "unknown section '-- %s' and no program", data->unknown_section);
        return;
    } else {
        fail(o, "parse", "%s", "no program: the file has neither an asm nor a raw section");
        return;
    }

    void *prog = NULL;
    if (opts->engine->load(insns, count, &conformance_helpers, &prog, msg, sizeof msg)) {
        fail(o, "load", "%s", msg);
        free(insns);
        return;
    }
    uint8_t *mem = NULL;
    if (data->mem_len && !(mem = malloc(data->mem_len))) {
        fail(o, "run", "%s", "out of memory");
    } else {
        if (mem)
            memcpy(mem, data->mem, data->mem_len);
        struct vm_run run;
        vm_run_init(&run);
        if (mem)
            vm_run_add_region(&run, mem, data->mem_len, true);
        run.max_steps = 100000000; /* a hostile vector cannot hang the suite */
        uint64_t r0 = 0;
        int err = opts->engine->exec(prog, opts->mode, &run, (uintptr_t)mem, data->mem_len, &r0);
        if (err) {
            fail(o, "run", "%s", run.msg);
        } else if (!data->has_result) {
            fail(o, "result", "%s", "the vector has no -- result section");
        } else if (r0 != data->result) {
            snprintf(msg, sizeof msg, "r0 = 0x%llx, expected 0x%llx", (unsigned long long)r0,
                     (unsigned long long)data->result);
            fail(o, "result", "%s", msg);
        }
        vm_run_release(&run);
    }
    free(mem);
    opts->engine->unload(prog);
    free(insns);
}

/* Whether our message says what the vector's expected error says: every significant word
 * of the expectation appears in ours (case-insensitive, plurals folded). */
static bool same_meaning(const char *expected, const char *ours)
{
    static const char *const filler[] = {"invalid", "number", "for", "the", "of", "a", "an", NULL};
    char word[64];
    const char *p = expected;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p))
            p++;
        size_t n = 0;
        while (isalnum((unsigned char)*p) && n + 1 < sizeof word)
            word[n++] = (char)tolower((unsigned char)*p++);
        word[n] = '\0';
        if (!n)
            break;
        bool skip = false;
        for (int i = 0; filler[i]; i++)
            skip = skip || !strcmp(word, filler[i]);
        if (skip)
            continue;
        if (n > 3 && word[n - 1] == 's')
            word[n - 1] = '\0';
        if (!strcasestr(ours, word))
            return false;
    }
    return true;
}

static int run_file(const struct options *opts, const char *path, int *passed, int *failed)
{
    char *text;
    int err = isa_read_file(path, &text, NULL);
    if (err) {
        printf("FAIL %s: cannot read: %s\n", path, strerror(-err));
        (*failed)++;
        return 0;
    }
    struct isa_testdata data;
    struct outcome o;
    run_vector(opts, text, &data, &o);
    bool ok;
    char why[700];
    if (opts->negative) {
        ok = o.failed;
        if (!ok)
            snprintf(why, sizeof why, "accepted, but this vector must be refused");
        else if (data.expects_error && data.error_text && *data.error_text && data.asm_text &&
                 !same_meaning(data.error_text, o.msg)) {
            ok = false;
            snprintf(why, sizeof why, "refused at %s with \"%s\", but expected \"%s\"", o.stage,
                     o.msg, data.error_text);
        } else {
            snprintf(why, sizeof why, "refused at %s: %s", o.stage, o.msg);
        }
    } else if (data.expects_error) {
        ok = o.failed;
        snprintf(why, sizeof why, ok ? "failed as expected at %s: %s" : "expected an error%s%s",
                 ok ? o.stage : "", ok ? o.msg : "");
    } else {
        ok = !o.failed;
        snprintf(why, sizeof why, "%s: %s", o.stage, o.msg);
    }
    if (ok) {
        (*passed)++;
        if (opts->verbose)
            printf("PASS %s%s%s\n", path, opts->negative ? ": " : "", opts->negative ? why : "");
    } else {
        (*failed)++;
        printf("FAIL %s: %s\n", path, why);
    }
    isa_testdata_free(&data);
    free(text);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const struct options *opts, const char *dir_path, int *passed, int *failed)
{
    DIR *dir = opendir(dir_path);
    if (!dir)
        return -errno;
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        size_t len = strlen(entry->d_name);
        if (len < 5 || strcmp(entry->d_name + len - 5, ".data"))
            continue;
        char **grown = realloc(names, (count + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        if (asprintf(&names[count], "%s/%s", dir_path, entry->d_name) < 0)
            break;
        count++;
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        run_file(opts, names[i], passed, failed);
        free(names[i]);
    }
    free(names);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bpfhost-conformance [--engine ENGINE] [--mode checked|fast] [--negative] [-v] "
            "DIR|FILE...\n"
            "Runs RFC 9669 conformance vectors (*.data) and ends with 'N passed, N failed'.\n"
            "  --engine ENGINE  %s (default interp)\n"
            "  --mode MODE      checked: every memory access is bounds-checked (default)\n"
            "                   fast: no checks, as for verified programs\n"
            "  --negative       every vector must be refused (../shared/conformance/negative)\n"
            "  -v               print passing vectors too\n",
            conformance_engine_names());
}

int main(int argc, char **argv)
{
    struct options opts = {.engine = conformance_engine_find("interp"), .mode = VM_MODE_CHECKED};
    int first_path = argc;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(arg, "--engine") && i + 1 < argc) {
            opts.engine = conformance_engine_find(argv[++i]);
            if (!opts.engine) {
                fprintf(stderr, "bpfhost-conformance: unknown engine '%s' (known: %s)\n", argv[i],
                        conformance_engine_names());
                return 2;
            }
        } else if (!strcmp(arg, "--mode") && i + 1 < argc) {
            const char *mode = argv[++i];
            if (!strcmp(mode, "checked"))
                opts.mode = VM_MODE_CHECKED;
            else if (!strcmp(mode, "fast"))
                opts.mode = VM_MODE_FAST;
            else {
                fprintf(stderr, "bpfhost-conformance: unknown mode '%s' (checked or fast)\n", mode);
                return 2;
            }
        } else if (!strcmp(arg, "--negative")) {
            opts.negative = true;
        } else if (!strcmp(arg, "-v")) {
            opts.verbose = true;
        } else if (arg[0] == '-') {
            fprintf(stderr, "bpfhost-conformance: unknown option '%s'\n", arg);
            usage(stderr);
            return 2;
        } else {
            first_path = i;
            break;
        }
    }
    if (first_path >= argc) {
        usage(stderr);
        return 2;
    }
    int passed = 0, failed = 0;
    for (int i = first_path; i < argc; i++) {
        DIR *dir = opendir(argv[i]);
        if (dir) {
            closedir(dir);
            int err = run_dir(&opts, argv[i], &passed, &failed);
            if (err) {
                fprintf(stderr, "bpfhost-conformance: %s: %s\n", argv[i], strerror(-err));
                return 2;
            }
        } else {
            run_file(&opts, argv[i], &passed, &failed);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
