/* bpfhost disasm FILE [--asm] */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "isa/disasm.h"

void cmd_disasm_help(void)
{
    printf("usage: bpfhost disasm FILE [--asm]\n"
           "Disassembles raw bytecode (.bin), assembler text (.s) or a conformance vector (.data)\n"
           "in the Linux/llvm-objdump syntax, one instruction per line with its index.\n"
           "  --asm   print the conformance assembler syntax instead (bpfhost asm reads it back)\n");
}

int cmd_disasm(int argc, char **argv)
{
    const char *path = NULL;
    bool asm_syntax = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--asm"))
            asm_syntax = true;
        else if (argv[i][0] == '-')
            return cli_error("disasm: unknown option '%s' (see bpfhost disasm --help)", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return cli_error("disasm: more than one input file");
    }
    if (!path)
        return cli_error("disasm: usage: bpfhost disasm FILE [--asm]");
    struct cli_program prog;
    int status = cli_read_program(path, &prog);
    if (status)
        return status;
    int invalid = 0;
    for (size_t pc = 0; pc < prog.count;) {
        char line[160];
        int n = asm_syntax ? disasm_insn_asm(prog.insns, prog.count, pc, line, sizeof line)
                           : disasm_insn(prog.insns, prog.count, pc, line, sizeof line);
        printf("%5zu: %s\n", pc, line);
        if (n < 0) {
            invalid++;
            n = 1;
        }
        pc += (size_t)n;
    }
    cli_program_free(&prog);
    if (invalid)
        fprintf(stderr, "bpfhost: %d invalid instruction%s\n", invalid, invalid == 1 ? "" : "s");
    return invalid ? 1 : 0;
}
