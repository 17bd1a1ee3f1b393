/* A small streaming JSON writer for the commands' -j/-p output: objects, arrays, strings
 * (escaped; bytes that are not valid UTF-8 become \u00XX so the document always parses),
 * numbers, booleans, null. The writer inserts commas and, when pretty, newlines and
 * indentation; callers only say what comes next. */
#ifndef BPFHOST_CLI_JSON_H
#define BPFHOST_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer {
    FILE *out;
    bool pretty;
    int depth;                      /* for indentation only */
    bool after_key;                 /* a key was just written: its value follows directly */
    bool container_empty;           /* the last thing written opened a container */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);
/* Ends the document with a newline. */
void json_finish(struct json_writer *w);

void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s); /* NULL writes null */
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* key: value in one call. */
void json_key_string(struct json_writer *w, const char *key, const char *s);
void json_key_uint(struct json_writer *w, const char *key, uint64_t v);
void json_key_int(struct json_writer *w, const char *key, int64_t v);
void json_key_bool(struct json_writer *w, const char *key, bool v);

/* Writes s as a quoted, escaped JSON string (also usable outside a writer). */
void json_write_escaped(FILE *out, const char *s);

#endif
