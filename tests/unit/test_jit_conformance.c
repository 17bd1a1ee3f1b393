/* The JIT on the conformance suite ($SHARED/conformance/tests, default ../shared): every
 * vector compiles and returns its -- result (or fails where it carries -- error), with and
 * without constant blinding. */
#include "isa/asm.h"
#include "isa/testdata.h"
#include "jit/jit.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>

/* Conformance helper 5 ("unwind"): stops the program when its argument is 0. */
static uint64_t unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                       struct vm_run *run)
{
    if (r1 == 0)
        vm_run_stop(run, 0);
    return r1;
}

static const struct vm_helpers helpers = {.fn = {[5] = unwind}};

/* Runs one vector; returns NULL when it behaves as expected, else what went wrong. */
static const char *run_vector(const char *text, bool blinding, char *why, size_t why_size)
{
    struct isa_testdata data;
    if (isa_testdata_parse(text, &data, why, why_size))
        return why;
    struct ebpf_insn *insns = NULL;
    size_t count = 0;
    const char *problem = NULL;
    if (data.raw) {
        count = data.raw_len / sizeof(*insns);
        insns = malloc(data.raw_len ? data.raw_len : 1);
        if (insns)
            memcpy(insns, data.raw, data.raw_len);
    } else if (!data.asm_text || asm_assemble(data.asm_text, &insns, &count, why, why_size)) {
        problem = data.expects_error ? NULL : data.asm_text ? why : "no program";
        goto out;
    }
    struct jit_options opts = {.allow_unverified = true, .constant_blinding = blinding,
                               .count_steps = true};
    struct jit_program *prog;
    int err = jit_compile(insns, count, &helpers, &opts, &prog, why, why_size);
    if (err) {
        problem = data.expects_error ? NULL : why;
        goto out;
    }
    uint8_t *mem = malloc(data.mem_len ? data.mem_len : 1);
    if (mem && data.mem_len)
        memcpy(mem, data.mem, data.mem_len);
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 100000000; /* a hostile vector cannot hang the suite */
    uint64_t r0 = 0;
    err = mem ? jit_exec(prog, &run, (uintptr_t)(data.mem_len ? mem : NULL), data.mem_len, &r0)
              : -ENOMEM;
    if (data.expects_error) {
        if (!err)
            snprintf(why, why_size, "ran to r0 = 0x%" PRIx64 " but an error was expected", r0);
        problem = err ? NULL : why;
    } else if (err) {
        snprintf(why, why_size, "run failed: %s", run.msg);
        problem = why;
    } else if (r0 != data.result) {
        snprintf(why, why_size, "r0 = 0x%" PRIx64 ", expected 0x%" PRIx64, r0, data.result);
        problem = why;
    }
    vm_run_release(&run);
    free(mem);
    jit_free(prog);
out:
    free(insns);
    isa_testdata_free(&data);
    return problem;
}

static void run_suite(bool blinding)
{
    const char *shared = getenv("SHARED") ? getenv("SHARED") : "../shared";
    char dir_path[4096];
    snprintf(dir_path, sizeof(dir_path), "%s/conformance/tests", shared);
    DIR *dir = opendir(dir_path);
    if (!dir) {
        printf("SKIP jit conformance: no %s\n", dir_path);
        return;
    }
    int files = 0, failures = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".data"))
            continue;
        char path[8192], why[512];
        snprintf(path, sizeof(path), "%s/%s", dir_path, e->d_name);
        char *text;
        size_t text_len;
        if (isa_read_file(path, &text, &text_len)) {
            fprintf(stderr, "  %s: cannot read\n", e->d_name);
            failures++;
            continue;
        }
        files++;
        const char *problem = run_vector(text, blinding, why, sizeof(why));
        if (problem) {
            fprintf(stderr, "  %s%s: %s\n", e->d_name, blinding ? " (blinded)" : "", problem);
            failures++;
        }
        free(text);
    }
    closedir(dir);
    CHECK(files > 300);
    CHECK_EQ(failures, 0);
}

TEST(conformance_vectors_pass_on_the_jit) { run_suite(false); }

TEST(conformance_vectors_pass_blinded) { run_suite(true); }

TEST_MAIN
