/* The conformance suite's .data format (RFC 9669 test vectors): sections introduced by
 * "-- NAME" lines: asm, raw (instruction words as hex bytes), mem (hex bytes), result (r0),
 * error (expected failure text). '#' starts a comment. */
#ifndef BPFHOST_ISA_TESTDATA_H
#define BPFHOST_ISA_TESTDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isa_testdata {
    char *asm_text;       /* NULL when the file has no asm section */
    uint8_t *raw;         /* instruction bytes of a raw section, or NULL */
    size_t raw_len;
    uint8_t *mem;         /* memory block, or NULL */
    size_t mem_len;
    bool has_result;
    uint64_t result;
    bool expects_error;   /* an error section is present */
    char *error_text;     /* its text, trimmed (may be empty) */
    char *unknown_section; /* first section name this format does not define, or NULL */
};

/* Parses text. Returns 0, or -EINVAL with a message for malformed hex, results or
 * duplicate sections. The result owns its strings: free with isa_testdata_free. */
int isa_testdata_parse(const char *text, struct isa_testdata *out, char *msg, size_t msg_size);
void isa_testdata_free(struct isa_testdata *data);

/* Reads a whole file into a NUL-terminated buffer (the caller frees). Returns 0 or -errno. */
int isa_read_file(const char *path, char **text, size_t *len);

#endif
