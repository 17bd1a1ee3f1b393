/* Parser of the conformance suite's .data files. */
#include "base/message.h"
#include "isa/testdata.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum section { SEC_NONE, SEC_ASM, SEC_RAW, SEC_MEM, SEC_RESULT, SEC_ERROR, SEC_UNKNOWN };

struct buffer {
    char *data;
    size_t len, cap;
};

static int buffer_append(struct buffer *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return -ENOMEM;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static int append_byte(uint8_t **bytes, size_t *len, uint8_t value)
{
    uint8_t *grown = realloc(*bytes, *len + 1);
    if (!grown)
        return -ENOMEM;
    *bytes = grown;
    (*bytes)[(*len)++] = value;
    return 0;
}

/* Hex bytes separated by white space ("aa bb 11"), or whole 64-bit words ("0x5566778800000018",
 * an instruction as a little-endian word), appended to *bytes. */
static int parse_hex_bytes(const char *line, uint8_t **bytes, size_t *len, char *msg, size_t msg_size,
                           int line_no)
{
    const char *p = line;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            return 0;
        const char *start = p;
        bool word = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
        if (word)
            p += 2;
        const char *digits = p;
        while (isxdigit((unsigned char)*p))
            p++;
        size_t ndigits = (size_t)(p - digits);
        bool ends_well = !*p || isspace((unsigned char)*p) || *p == '#';
        if (!ends_well || (word ? ndigits < 1 || ndigits > 16 : ndigits != 2)) {
            msg_set(msg, msg_size, "line %d: expected hex bytes like 'aa bb' or a word like "
                    "'0x0000000000000095', got '%.18s'", line_no, start);
            return -EINVAL;
        }
        uint64_t value = strtoull(digits, NULL, 16);
        for (int i = 0; i < (word ? 8 : 1); i++) {
            int err = append_byte(bytes, len, (uint8_t)(value >> (8 * i)));
            if (err)
                return err;
        }
    }
}

static enum section section_of(const char *name)
{
    if (!strcmp(name, "asm"))
        return SEC_ASM;
    if (!strcmp(name, "raw"))
        return SEC_RAW;
    if (!strcmp(name, "mem"))
        return SEC_MEM;
    if (!strcmp(name, "result"))
        return SEC_RESULT;
    if (!strcmp(name, "error"))
        return SEC_ERROR;
    return SEC_UNKNOWN;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int isa_testdata_parse(const char *text, struct isa_testdata *out, char *msg, size_t msg_size)
{
    memset(out, 0, sizeof *out);
    struct buffer asm_buf = {0}, error_buf = {0};
    bool seen[SEC_UNKNOWN + 1] = {0};
    enum section current = SEC_NONE;
    int err = 0, line_no = 0;
    const char *p = text;
    char line[4096];
    while (*p && !err) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        line_no++;
        if (n >= sizeof line) {
            msg_set(msg, msg_size, "line %d is longer than %zu characters", line_no, sizeof line - 1);
            err = -EINVAL;
            break;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (end ? 1 : 0);

        if (!strncmp(line, "--", 2)) {
            char *name = trim(line + 2);
            current = section_of(name);
            if (current == SEC_UNKNOWN) {
                if (!out->unknown_section && !(out->unknown_section = strdup(name)))
                    err = -ENOMEM;
            } else if (seen[current] && current != SEC_ASM) {
                msg_set(msg, msg_size, "line %d: section '-- %s' appears twice", line_no, name);
                err = -EINVAL;
            }
            seen[current] = true;
            if (current == SEC_ERROR)
                out->expects_error = true;
            continue;
        }
        switch (current) {
        case SEC_ASM:
            err = buffer_append(&asm_buf, line, n);
            if (!err)
                err = buffer_append(&asm_buf, "\n", 1);
            break;
        case SEC_RAW:
            err = parse_hex_bytes(line, &out->raw, &out->raw_len, msg, msg_size, line_no);
            break;
        case SEC_MEM:
            err = parse_hex_bytes(line, &out->mem, &out->mem_len, msg, msg_size, line_no);
            break;
        case SEC_RESULT: {
            char *hash = strchr(line, '#');
            if (hash)
                *hash = '\0';
            char *value = trim(line);
            if (!*value)
                break;
            char *rest;
            errno = 0;
            out->result = strtoull(value, &rest, 0);
            if (errno || *rest || out->has_result) {
                msg_set(msg, msg_size, "line %d: bad result '%s'", line_no, value);
                err = -EINVAL;
            }
            out->has_result = true;
            break;
        }
        case SEC_ERROR:
            if (line[0] != '#') {
                err = buffer_append(&error_buf, line, n);
                if (!err)
                    err = buffer_append(&error_buf, " ", 1);
            }
            break;
        default:
            break; /* text before the first section and in unknown sections is ignored */
        }
    }
    if (!err && out->raw_len % 8) {
        msg_set(msg, msg_size, "raw section has %zu bytes, not a multiple of 8", out->raw_len);
        err = -EINVAL;
    }
    out->asm_text = asm_buf.data;
    if (out->expects_error) {
        if (!error_buf.data && !(error_buf.data = calloc(1, 1)))
            err = -ENOMEM;
        out->error_text = error_buf.data;
        if (out->error_text)
            memmove(out->error_text, trim(out->error_text), strlen(trim(out->error_text)) + 1);
    } else {
        free(error_buf.data);
    }
    if (err) {
        if (err == -ENOMEM)
            msg_set(msg, msg_size, "out of memory");
        isa_testdata_free(out);
    }
    return err;
}

void isa_testdata_free(struct isa_testdata *data)
{
    free(data->asm_text);
    free(data->raw);
    free(data->mem);
    free(data->error_text);
    free(data->unknown_section);
    memset(data, 0, sizeof *data);
}

int isa_read_file(const char *path, char **text, size_t *len)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    struct buffer b = {0};
    char chunk[65536];
    size_t n;
    int err = 0;
    while (!err && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        err = buffer_append(&b, chunk, n);
    if (!err && ferror(f))
        err = -EIO;
    fclose(f);
    if (!err && !b.data && !(b.data = calloc(1, 1)))
        err = -ENOMEM;
    if (err) {
        free(b.data);
        return err;
    }
    *text = b.data;
    if (len)
        *len = b.len;
    return 0;
}
