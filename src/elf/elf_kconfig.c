/* Values of .kconfig externs given by the caller in Kconfig syntax (libbpf's
 * bpf_object_open_opts.kconfig): lines "CONFIG_NAME=VALUE" where VALUE is y, n or m (bool,
 * tristate or char externs), a number in C syntax (integer or char externs) or a quoted
 * string (char arrays). Other lines are ignored; the first line naming an extern wins. The
 * rules and messages are libbpf's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_object_impl.h"

enum kconfig_type { KCFG_UNKNOWN, KCFG_CHAR, KCFG_BOOL, KCFG_INT, KCFG_TRISTATE, KCFG_CHAR_ARR };

static enum kconfig_type type_of(const struct btf *btf, uint32_t id, bool *is_signed)
{
    const struct btf_type *t = btf_type_by_id(btf, btf_skip_modifiers(btf, id));
    if (!t)
        return KCFG_UNKNOWN;
    switch (t->kind) {
    case BTF_KIND_INT:
        if (t->int_encoding & 4 /* BTF_INT_BOOL */)
            return t->size == 1 ? KCFG_BOOL : KCFG_UNKNOWN;
        if (is_signed)
            *is_signed = t->int_encoding & 1 /* BTF_INT_SIGNED */;
        if (t->size == 1)
            return KCFG_CHAR;
        if (t->size < 1 || t->size > 8 || (t->size & (t->size - 1)))
            return KCFG_UNKNOWN;
        return KCFG_INT;
    case BTF_KIND_ENUM:
        return t->size == 4 && !strcmp(t->name, "libbpf_tristate") ? KCFG_TRISTATE
                                                                  : KCFG_UNKNOWN;
    case BTF_KIND_ARRAY:
        return t->nelems && type_of(btf, t->type, NULL) == KCFG_CHAR ? KCFG_CHAR_ARR
                                                                      : KCFG_UNKNOWN;
    default:
        return KCFG_UNKNOWN;
    }
}

static void put_number(uint8_t *out, uint32_t size, uint64_t value)
{
    for (uint32_t b = 0; b < size && b < 8; b++)
        out[b] = (uint8_t)(value >> (8 * b));
}

static int set_tristate(struct elf_object *obj, const char *name, enum kconfig_type type,
                        char value, uint8_t *out)
{
    switch (type) {
    case KCFG_BOOL:
        if (value == 'm')
            return elf_fail(obj, EINVAL, "extern (kcfg) '%s': value '%c' implies tristate or "
                            "char type", name, value);
        out[0] = value == 'y';
        return 0;
    case KCFG_TRISTATE: /* libbpf's enum libbpf_tristate: TRI_NO 0, TRI_YES 1, TRI_MODULE 2 */
        put_number(out, 4, value == 'y' ? 1 : value == 'm' ? 2 : 0);
        return 0;
    case KCFG_CHAR:
        out[0] = (uint8_t)value;
        return 0;
    default:
        return elf_fail(obj, EINVAL, "extern (kcfg) '%s': value '%c' implies bool, tristate, "
                        "or char type", name, value);
    }
}

static int set_string(struct elf_object *obj, const char *name, enum kconfig_type type,
                      uint32_t size, const char *value, size_t len, uint8_t *out)
{
    if (type != KCFG_CHAR_ARR)
        return elf_fail(obj, EINVAL, "extern (kcfg) '%s': value '%.*s' implies char array "
                        "type", name, (int)len, value);
    if (len < 2 || value[len - 1] != '"')
        return elf_fail(obj, EINVAL, "extern (kcfg) '%s': invalid string config '%.*s'", name,
                        (int)len, value);
    len -= 2; /* the quotes */
    if (len >= size)
        len = size - 1; /* libbpf truncates, keeping the terminating NUL */
    memcpy(out, value + 1, len);
    out[len] = 0;
    return 0;
}

static bool number_fits(uint64_t value, uint32_t size, bool is_signed)
{
    if (size >= 8)
        return true;
    unsigned bits = size * 8;
    if (is_signed) {
        int64_t v = (int64_t)value;
        return v >= -(1ll << (bits - 1)) && v < (1ll << (bits - 1));
    }
    return value >> bits == 0;
}

static int set_number(struct elf_object *obj, const char *name, enum kconfig_type type,
                      bool is_signed, uint32_t size, const char *value, size_t len,
                      uint8_t *out)
{
    char text[32];
    if (len >= sizeof text)
        return elf_fail(obj, EINVAL, "extern (kcfg) '%s': value '%.*s' isn't a valid integer",
                        name, (int)len, value);
    memcpy(text, value, len);
    text[len] = 0;
    char *end;
    errno = 0;
    unsigned long long number = strtoull(text, &end, 0);
    if (errno || end == text || *end)
        return elf_fail(obj, EINVAL, "extern (kcfg) '%s': value '%s' isn't a valid integer",
                        name, text);
    if (type != KCFG_INT && type != KCFG_CHAR)
        return elf_fail(obj, EINVAL, "extern (kcfg) '%s': value '%s' implies integer type",
                        name, text);
    if (!number_fits(number, size, is_signed))
        return elf_fail(obj, ERANGE, "extern (kcfg) '%s': value '%s' doesn't fit in %u bytes",
                        name, text, size);
    put_number(out, size, number);
    return 0;
}

int elf_kconfig_value(struct elf_object *obj, const char *name, uint32_t type_id, uint32_t size,
                      uint8_t *out, bool *found)
{
    *found = false;
    size_t name_len = strlen(name);
    for (const char *line = obj->kconfig; line && *line;) {
        const char *next = strchr(line, '\n');
        size_t len = next ? (size_t)(next - line) : strlen(line);
        bool ours = len > name_len && !strncmp(line, name, name_len) && line[name_len] == '=';
        if (ours) {
            const char *value = line + name_len + 1;
            size_t value_len = len - name_len - 1;
            if (!value_len)
                return elf_fail(obj, EINVAL, "failed to parse '%s': no value", name);
            bool is_signed = false;
            enum kconfig_type type = type_of(obj->btf, type_id, &is_signed);
            int err;
            if (value_len == 1 && strchr("ynm", value[0]))
                err = set_tristate(obj, name, type, value[0], out);
            else if (value[0] == '"')
                err = set_string(obj, name, type, size, value, value_len, out);
            else
                err = set_number(obj, name, type, is_signed, size, value, value_len, out);
            *found = !err;
            return err;
        }
        line = next ? next + 1 : line + len;
    }
    return 0;
}
