/* bpfhost asm IN.s -o OUT.bin */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "isa/asm.h"
#include "isa/testdata.h"

void cmd_asm_help(void)
{
    printf("usage: bpfhost asm IN.s -o OUT.bin\n"
           "Assembles text in the conformance-suite syntax (mov32 %%r0, 0 / ldxh %%r0, [%%r1+2] /\n"
           "lock fetch add [%%r10-8], %%r1 / call local fn / labels) into raw bytecode: 8 bytes\n"
           "per instruction, little-endian. The program is validated as well.\n");
}

int cmd_asm(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-')
            return cli_error("asm: unknown option '%s' (see bpfhost asm --help)", argv[i]);
        else if (!in)
            in = argv[i];
        else
            return cli_error("asm: more than one input file");
    }
    if (!in || !out)
        return cli_error("asm: usage: bpfhost asm IN.s -o OUT.bin");
    char *text;
    int err = isa_read_file(in, &text, NULL);
    if (err)
        return cli_error("cannot read %s: %s", in, strerror(-err));
    struct ebpf_insn *insns;
    size_t count, bad_pc;
    char msg[256];
    err = asm_assemble(text, &insns, &count, msg, sizeof msg);
    free(text);
    if (err)
        return cli_error("%s: %s", in, msg);
    if (isa_validate_program(insns, count, &bad_pc, msg, sizeof msg)) {
        free(insns);
        return cli_error("%s: insn %zu: %s", in, bad_pc, msg);
    }
    FILE *f = fopen(out, "wb");
    if (!f) {
        free(insns);
        return cli_error("cannot write %s: %s", out, strerror(errno));
    }
    size_t written = fwrite(insns, sizeof *insns, count, f);
    int close_err = fclose(f);
    free(insns);
    if (written != count || close_err)
        return cli_error("cannot write %s: %s", out, strerror(errno));
    return 0;
}
