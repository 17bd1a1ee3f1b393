/* bpfhost run FILE [--mem HEXFILE] [--mode checked|fast] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vm/vm.h"

void cmd_run_help(void)
{
    printf("usage: bpfhost run FILE [--mem HEXFILE] [--mode checked|fast]\n"
           "Runs a program (raw bytecode .bin, assembler text .s, or a conformance vector .data)\n"
           "on the interpreter with r1 = the memory block and r2 = its length, and prints r0.\n"
           "  --mem HEXFILE  memory block as hex bytes ('aa bb 11'); a .data file brings its own\n"
           "  --mode MODE    checked (default): every access bounds-checked, reads of unwritten\n"
           "                 registers refused, 100M-instruction budget; fast: no checks\n"
           "Exit status: 0 ran, 1 the program faulted, 2 bad arguments or input.\n");
}

int cmd_run(int argc, char **argv)
{
    const char *path = NULL, *mem_path = NULL;
    enum vm_mode mode = VM_MODE_CHECKED;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--mem") && i + 1 < argc) {
            mem_path = argv[++i];
        } else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
            const char *m = argv[++i];
            if (!strcmp(m, "checked"))
                mode = VM_MODE_CHECKED;
            else if (!strcmp(m, "fast"))
                mode = VM_MODE_FAST;
            else
                return cli_error("run: unknown mode '%s' (checked or fast)", m);
        } else if (argv[i][0] == '-') {
            return cli_error("run: unknown option '%s' (see bpfhost run --help)", argv[i]);
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_error("run: more than one program file");
        }
    }
    if (!path)
        return cli_error("run: usage: bpfhost run FILE [--mem HEXFILE] [--mode checked|fast]");
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
    struct vm_program *vm;
    char msg[256];
    if (vm_load(prog.insns, prog.count, NULL, &vm, msg, sizeof msg)) {
        cli_program_free(&prog);
        return cli_error("%s: %s", path, msg);
    }
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 100000000;
    if (prog.mem)
        vm_run_add_region(&run, prog.mem, prog.mem_len, true);
    uint64_t r0 = 0;
    if (vm_exec(vm, mode, &run, (uintptr_t)prog.mem, prog.mem_len, &r0)) {
        fprintf(stderr, "bpfhost: %s: program faulted: %s\n", path, run.msg);
        status = 1;
    } else {
        printf("r0 = 0x%llx (%lld)\n", (unsigned long long)r0, (long long)r0);
    }
    vm_run_release(&run);
    vm_unload(vm);
    cli_program_free(&prog);
    return status;
}
