/* The JSON writer behind the commands' -j/-p output. */
#include "json.h"

#include <inttypes.h>

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
    *w = (struct json_writer){.out = out, .pretty = pretty};
}

void json_finish(struct json_writer *w)
{
    fputc('\n', w->out);
}

static void indent(struct json_writer *w)
{
    if (!w->pretty)
        return;
    fputc('\n', w->out);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->out);
}

/* Called before every value and key: separates it from the previous item of its container.
 * Whether a comma is due only depends on what was written last, so nesting has no limit. */
static void before_item(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (!w->container_empty)
        fputc(',', w->out);
    w->container_empty = false;
    indent(w);
}

static void open_container(struct json_writer *w, char c)
{
    before_item(w);
    fputc(c, w->out);
    w->depth++;
    w->container_empty = true;
}

static void close_container(struct json_writer *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    if (!w->container_empty)
        indent(w);
    w->container_empty = false;
    fputc(c, w->out);
}

void json_begin_object(struct json_writer *w) { open_container(w, '{'); }
void json_end_object(struct json_writer *w) { close_container(w, '}'); }
void json_begin_array(struct json_writer *w) { open_container(w, '['); }
void json_end_array(struct json_writer *w) { close_container(w, ']'); }

void json_key(struct json_writer *w, const char *key)
{
    before_item(w);
    json_write_escaped(w->out, key);
    fputs(w->pretty ? ": " : ":", w->out);
    w->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one: overlong forms,
 * surrogates and code points above U+10FFFF are refused as RFC 3629 says. */
static int utf8_length(const unsigned char *s)
{
    unsigned c = s[0];
    int len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void json_write_escaped(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            p++;
        } else if (c == '\n') {
            fputs("\\n", out), p++;
        } else if (c == '\t') {
            fputs("\\t", out), p++;
        } else if (c == '\r') {
            fputs("\\r", out), p++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c), p++;
        } else {
            int len = utf8_length(p);
            if (len == 0) {
                fprintf(out, "\\u%04x", c); /* the byte as a Latin-1 character */
                p++;
            } else {
                fwrite(p, 1, (size_t)len, out);
                p += len;
            }
        }
    }
    fputc('"', out);
}

void json_string(struct json_writer *w, const char *s)
{
    before_item(w);
    if (s)
        json_write_escaped(w->out, s);
    else
        fputs("null", w->out);
}

void json_uint(struct json_writer *w, uint64_t v)
{
    before_item(w);
    fprintf(w->out, "%" PRIu64, v);
}

void json_int(struct json_writer *w, int64_t v)
{
    before_item(w);
    fprintf(w->out, "%" PRId64, v);
}

void json_bool(struct json_writer *w, bool v)
{
    before_item(w);
    fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
    before_item(w);
    fputs("null", w->out);
}

void json_key_string(struct json_writer *w, const char *key, const char *s)
{
    json_key(w, key);
    json_string(w, s);
}

void json_key_uint(struct json_writer *w, const char *key, uint64_t v)
{
    json_key(w, key);
    json_uint(w, v);
}

void json_key_int(struct json_writer *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

void json_key_bool(struct json_writer *w, const char *key, bool v)
{
    json_key(w, key);
    json_bool(w, v);
}
