/* bpfhost run FILE [--mem HEXFILE] [--engine interp|jit] [--unverified]
 * Raw instructions have no program type, so without --engine they run unverified on the
 * checked interpreter, and the command says so. With --engine the verifier checks them first,
 * with r1 pointing to the memory block and r2 holding its size, and they run on the fast
 * engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jit/jit.h"
#include "verifier/verifier.h"
#include "vm/vm.h"

enum run_engine { RUN_CHECKED, RUN_INTERP, RUN_JIT };

void cmd_run_help(void)
{
    printf("usage: bpfhost run FILE [--mem HEXFILE] [--engine interp|jit] [--unverified]\n"
           "Runs a program (raw bytecode .bin, assembler text .s, or a conformance vector .data)\n"
           "with r1 = the memory block and r2 = its length, and prints r0.\n"
           "Raw instructions have no program type, so by default they are NOT verified: they run\n"
           "on the checked interpreter (every access bounds-checked, reads of unwritten registers\n"
           "refused, 100M-instruction budget) and a note on stderr says so.\n"
           "  --mem HEXFILE    memory block as hex bytes ('aa bb 11'); a .data file brings its own\n"
           "  --engine ENGINE  interp (fast interpreter) or jit: the verifier checks the program\n"
           "                   first, knowing r1 points to the memory block and r2 holds its size\n"
           "                   (no helpers that need a context); a program it rejects does not run\n"
           "  --unverified     the default, said explicitly: checked interpreter, no note\n"
           "Exit status: 0 ran, 1 the program faulted or the verifier rejected it, 2 bad arguments\n"
           "or input.\n");
}

static int verify_on_memory(const struct cli_program *prog, const char *path)
{
    if (prog->mem_len > UINT16_MAX)
        return cli_error("%s: the verifier describes memory blocks of up to %u bytes; this one has "
                         "%zu (run it --unverified)", path, UINT16_MAX, prog->mem_len);
    /* The block is the value of a one-element array, so any proven offset may be used; no
     * context, no helpers that need one. */
    struct verifier_map block = {.type = 2 /* BPF_MAP_TYPE_ARRAY */, .key_size = 4,
                                 .value_size = (uint32_t)prog->mem_len, .max_entries = 1};
    struct prog_type_desc type = {.name = "memory", .ctx_name = "no context"};
    struct verifier_options opts = {.prog_type = &type, .maps = &block, .map_count = 1,
                                    .entry_memory_block = true};
    struct verifier_result *result = malloc(sizeof *result);
    if (!result)
        return cli_error("%s: out of memory", path);
    int err = verifier_verify(prog->insns, prog->count, &opts, result);
    if (err)
        fprintf(stderr, "bpfhost: %s: rejected by the verifier: %s\n", path, result->message);
    else
        fprintf(stderr, "bpfhost: %s: verified (%llu steps, %.2f ms)\n", path,
                (unsigned long long)result->stats.steps, result->stats.seconds * 1e3);
    free(result);
    return err ? 1 : 0;
}

static int run_jit(const struct cli_program *prog, const char *path, struct vm_run *run, uint64_t *r0,
                   int *faulted)
{
    struct jit_options opts = {.verified = true};
    struct jit_program *jit;
    char msg[256];
    if (jit_compile(prog->insns, prog->count, NULL, &opts, &jit, msg, sizeof msg))
        return cli_error("%s: %s", path, msg);
    *faulted = jit_exec(jit, run, (uintptr_t)prog->mem, prog->mem_len, r0) != 0;
    jit_free(jit);
    return 0;
}

static int run_vm(const struct cli_program *prog, const char *path, enum vm_mode mode, struct vm_run *run,
                  uint64_t *r0, int *faulted)
{
    struct vm_program *vm;
    char msg[256];
    if (vm_load(prog->insns, prog->count, NULL, &vm, msg, sizeof msg))
        return cli_error("%s: %s", path, msg);
    if (prog->mem)
        vm_run_add_region(run, prog->mem, prog->mem_len, true);
    *faulted = vm_exec(vm, mode, run, (uintptr_t)prog->mem, prog->mem_len, r0) != 0;
    vm_unload(vm);
    return 0;
}

int cmd_run(int argc, char **argv)
{
    const char *path = NULL, *mem_path = NULL;
    enum run_engine engine = RUN_CHECKED;
    bool said_unverified = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mem") && i + 1 < argc) {
            mem_path = argv[++i];
        } else if (!strcmp(argv[i], "--engine") && i + 1 < argc) {
            const char *e = argv[++i];
            if (!strcmp(e, "interp"))
                engine = RUN_INTERP;
            else if (!strcmp(e, "jit"))
                engine = RUN_JIT;
            else
                return cli_error("run: unknown engine '%s' (interp or jit)", e);
        } else if (!strcmp(argv[i], "--unverified")) {
            said_unverified = true;
        } else if (!strcmp(argv[i], "--mode")) {
            return cli_error("run: --mode is gone: unverified programs run checked (the default); "
                             "--engine interp|jit runs verified ones fast");
        } else if (argv[i][0] == '-') {
            return cli_error("run: unknown option '%s' (see bpfhost run --help)", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_error("run: more than one program file");
        }
    }
    if (!path)
        return cli_error("run: usage: bpfhost run FILE [--mem HEXFILE] [--engine interp|jit]");
    if (said_unverified && engine != RUN_CHECKED)
        return cli_error("run: --unverified programs run on the checked interpreter only; --engine "
                         "needs a verified program");
    if (engine == RUN_JIT && !jit_supported())
        return cli_error("run: this host has no JIT back end (use --engine interp)");
    struct cli_program prog;
    int status = cli_read_program(path, &prog);
    if (status)
        return status;
    if (mem_path) {
        free(prog.mem);
        prog.mem = NULL;
        if ((status = cli_read_hex_file(mem_path, &prog.mem, &prog.mem_len))) {
            cli_program_free(&prog);
            return status;
        }
    }
    if (engine != RUN_CHECKED && (status = verify_on_memory(&prog, path))) {
        cli_program_free(&prog);
        return status;
    }
    if (engine == RUN_CHECKED && !said_unverified)
        fprintf(stderr, "bpfhost: note: %s is not verified (raw instructions have no program type): "
                "it runs on the checked interpreter\n", path);
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 100000000;
    uint64_t r0 = 0;
    int faulted = 0;
    status = engine == RUN_JIT ? run_jit(&prog, path, &run, &r0, &faulted)
                               : run_vm(&prog, path, engine == RUN_CHECKED ? VM_MODE_CHECKED : VM_MODE_FAST,
                                        &run, &r0, &faulted);
    if (!status && faulted) {
        fprintf(stderr, "bpfhost: %s: program faulted: %s\n", path, run.msg);
        status = 1;
    } else if (!status) {
        printf("r0 = 0x%llx (%lld)\n", (unsigned long long)r0, (long long)r0);
    }
    vm_run_release(&run);
    cli_program_free(&prog);
    return status;
}
