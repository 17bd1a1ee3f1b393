/* bpfhost command-line tool: shared declarations of the commands. */
#ifndef BPFHOST_CLI_H
#define BPFHOST_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    void (*help)(void);
};

/* A program read from a file: raw bytecode (.bin), assembler text (.s/.asm) or a
 * conformance vector (.data, with its memory block). */
struct cli_program {
    struct ebpf_insn *insns;
    size_t count;
    uint8_t *mem;
    size_t mem_len;
};

int cli_read_program(const char *path, struct cli_program *prog);
void cli_program_free(struct cli_program *prog);

/* Reads "aa bb cc" hex text (whitespace-separated bytes, # comments) from a file. */
int cli_read_hex_file(const char *path, uint8_t **bytes, size_t *len);

/* Prints "bpfhost: " and the message to stderr; returns 2 (the usage/input error status). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_asm(int argc, char **argv);
void cmd_asm_help(void);
int cmd_disasm(int argc, char **argv);
void cmd_disasm_help(void);
int cmd_run(int argc, char **argv);
void cmd_run_help(void);
int cmd_xdp(int argc, char **argv);
void cmd_xdp_help(void);
int cmd_object(int argc, char **argv);
void cmd_object_help(void);
int cmd_prog(int argc, char **argv);
void cmd_prog_help(void);
int cmd_prog_show(int argc, char **argv); /* bpfhost prog show, argv[0] "show" */
int cmd_prog_run(int argc, char **argv);  /* bpfhost prog run, argv[0] "run" */
void cmd_prog_run_help(void);
int cmd_map(int argc, char **argv);
void cmd_map_help(void);

/* Linux's (bpftool's) names of program, expected attach and map types; NULL for numbers
 * Linux does not define. An attach type of 0 is "none" except for cgroup_skb programs. */
const char *cli_prog_type_name(uint32_t type);
const char *cli_attach_type_name(uint32_t prog_type, uint32_t attach_type);
const char *cli_map_type_name(uint32_t type);

#endif
