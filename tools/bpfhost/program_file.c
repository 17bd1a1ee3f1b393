/* Reading programs and memory blocks from the files the commands accept. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "isa/asm.h"
#include "isa/testdata.h"

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bpfhost: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int from_testdata(const char *path, const char *text, struct cli_program *prog)
{
    struct isa_testdata data;
    char msg[256];
    if (isa_testdata_parse(text, &data, msg, sizeof msg))
        return cli_error("%s: %s", path, msg);
    int status = 0;
    if (data.raw) {
        prog->count = data.raw_len / 8;
        prog->insns = malloc(data.raw_len);
        if (!prog->insns)
            status = cli_error("out of memory");
        else
            memcpy(prog->insns, data.raw, data.raw_len);
    } else if (data.asm_text) {
        if (asm_assemble(data.asm_text, &prog->insns, &prog->count, msg, sizeof msg))
            status = cli_error("%s: %s", path, msg);
    } else {
        status = cli_error("%s: no program (neither an asm nor a raw section)", path);
    }
    prog->mem = data.mem;
    prog->mem_len = data.mem_len;
    data.mem = NULL;
    isa_testdata_free(&data);
    return status;
}

int cli_read_program(const char *path, struct cli_program *prog)
{
    memset(prog, 0, sizeof *prog);
    char *text;
    size_t len;
    int err = isa_read_file(path, &text, &len);
    if (err)
        return cli_error("cannot read %s: %s", path, strerror(-err));
    int status = 0;
    char msg[256];
    if (has_suffix(path, ".data")) {
        status = from_testdata(path, text, prog);
    } else if (has_suffix(path, ".s") || has_suffix(path, ".asm")) {
        if (asm_assemble(text, &prog->insns, &prog->count, msg, sizeof msg))
            status = cli_error("%s: %s", path, msg);
    } else if (len >= 4 && !memcmp(text, "\177ELF", 4)) {
        status = cli_error("%s: ELF objects are opened by 'bpfhost object' and 'bpfhost prog', "
                           "not as raw bytecode", path);
    } else if (len == 0 || len % 8) {
        status = cli_error("%s: raw bytecode must be a non-empty multiple of 8 bytes, this file "
                           "has %zu (use .s for assembler text, .data for a vector)", path, len);
    } else {
        prog->count = len / 8;
        prog->insns = malloc(len);
        if (!prog->insns)
            status = cli_error("out of memory");
        else
            memcpy(prog->insns, text, len);
    }
    free(text);
    if (status)
        cli_program_free(prog);
    return status;
}

void cli_program_free(struct cli_program *prog)
{
    free(prog->insns);
    free(prog->mem);
    memset(prog, 0, sizeof *prog);
}

int cli_read_hex_file(const char *path, uint8_t **bytes, size_t *len)
{
    char *text;
    int err = isa_read_file(path, &text, NULL);
    if (err)
        return cli_error("cannot read %s: %s", path, strerror(-err));
    /* Reuse the .data parser: a hex file is the body of a mem section. */
    char *wrapped;
    if (asprintf(&wrapped, "-- mem\n%s\n", text) < 0) {
        free(text);
        return cli_error("out of memory");
    }
    free(text);
    struct isa_testdata data;
    char msg[256];
    int status = 0;
    if (isa_testdata_parse(wrapped, &data, msg, sizeof msg)) {
        status = cli_error("%s: %s", path, msg);
    } else {
        *bytes = data.mem;
        *len = data.mem_len;
        data.mem = NULL;
        isa_testdata_free(&data);
    }
    free(wrapped);
    return status;
}
