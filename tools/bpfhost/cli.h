/* bpfhost command-line tool: shared declarations of the commands. */
#ifndef BPFHOST_CLI_H
#define BPFHOST_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* Shared by the xdp subcommands (cmd_xdp.c, cmd_xdp_attach.c). */
struct elf_object;
struct elf_program;
struct runtime_object;
struct bpfhost_map;
struct cli_map_set {
    const char *map, *key, *value; /* --map-set MAP KEY VALUE, hex bytes in memory order */
};
int cli_xdp_choose_program(const struct elf_object *elf, const char *path, const char *program,
                           const struct elf_program **chosen);
int cli_xdp_apply_map_set(const char *command, const struct runtime_object *obj, const struct cli_map_set *set);
void cli_xdp_dump_map(FILE *out, const struct bpfhost_map *map, const char *name);
int cli_xdp_attach(int argc, char **argv);
int cli_xdp_show(int argc, char **argv);
int cli_xdp_detach(int argc, char **argv);
void cli_xdp_attach_help(void);
int cmd_object(int argc, char **argv);
void cmd_object_help(void);
int cmd_prog(int argc, char **argv);
void cmd_prog_help(void);
int cmd_prog_show(int argc, char **argv); /* bpfhost prog show, argv[0] "show" */
int cmd_prog_run(int argc, char **argv);  /* bpfhost prog run, argv[0] "run" */
void cmd_prog_run_help(void);
int cmd_prog_tracelog(int argc, char **argv); /* bpfhost prog tracelog, argv[0] "tracelog" */
void cmd_prog_tracelog_help(void);
/* --trace stderr|pipe|auto of the commands that run programs: chooses where their
 * bpf_trace_printk lines go. Returns 0, or 2 after printing the error. */
int cli_trace_output(const char *command, const char *name);
int cmd_map(int argc, char **argv);
void cmd_map_help(void);
int cmd_verify(int argc, char **argv);
void cmd_verify_help(void);

/* Linux's (bpftool's) names of program, expected attach and map types; NULL for numbers
 * Linux does not define. An attach type of 0 is "none" except for cgroup_skb programs. */
const char *cli_prog_type_name(uint32_t type);
const char *cli_attach_type_name(uint32_t prog_type, uint32_t attach_type);
const char *cli_map_type_name(uint32_t type);

#endif
