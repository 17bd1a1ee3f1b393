/* bpfhost: the command-line front end (bpftool-like). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
    {"asm", "assemble conformance-syntax text into bytecode", cmd_asm, cmd_asm_help},
    {"disasm", "disassemble bytecode, assembler text or a .data vector", cmd_disasm, cmd_disasm_help},
    {"run", "run a program on the interpreter and print r0", cmd_run, cmd_run_help},
    {"xdp", "run an XDP program over a capture or attach it to an interface", cmd_xdp, cmd_xdp_help},
    {"object", "list the programs, maps and license of an eBPF object", cmd_object, cmd_object_help},
    {"prog", "show loaded programs, disassemble or test-run an object's", cmd_prog, cmd_prog_help},
    {"map", "show, dump, look up and change the maps of an eBPF object", cmd_map, cmd_map_help},
    {"verify", "verify the programs of an eBPF object (PASS/FAIL per program)", cmd_verify, cmd_verify_help},
};
enum { COMMAND_COUNT = sizeof commands / sizeof commands[0] };

static void usage(FILE *out)
{
    fprintf(out, "usage: bpfhost COMMAND [ARGS...]\n       bpfhost COMMAND --help\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(argv[1], commands[i].name))
            continue;
        for (int a = 2; a < argc; a++) {
            if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
                commands[i].help();
                return 0;
            }
        }
        return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "bpfhost: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
