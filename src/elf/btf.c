/* BTF type section parser: validates every record against the section bounds and every
 * reference against the type count, so later lookups need no checks. */
#include "base/message.h"
#include "elf/btf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_bytes.h"

enum {
    BTF_MAGIC = 0xeB9F,
    BTF_HEADER_SIZE = 24,
    BTF_TYPE_RECORD = 12,
    /* libbpf's MAX_RESOLVE_DEPTH: chains of typedefs and modifiers longer than this are
     * treated as loops. */
    BTF_MAX_RESOLVE_DEPTH = 32,
};

struct btf {
    struct btf_type *types; /* index = type id; types[0] is void */
    uint32_t count;
    struct btf_member *members;
    const char *strings;
    uint32_t strings_size;
};

const char *btf_string(const struct btf *btf, uint32_t offset)
{
    /* The section ends in NUL (checked at parse), so any in-range offset is a C string. */
    if (!btf || offset >= btf->strings_size)
        return NULL;
    return btf->strings + offset;
}

const char *btf_kind_name(enum btf_kind kind)
{
    static const char *const names[] = {
        "void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef",
        "volatile", "const", "restrict", "func", "func_proto", "var", "datasec", "float",
        "decl_tag", "type_tag", "enum64",
    };
    return (unsigned)kind <= BTF_KIND_MAX ? names[kind] : "unknown";
}

/* Size of the data that follows the 12-byte record of a type of this kind. */
static int kind_extra_size(enum btf_kind kind, uint32_t vlen, size_t *out)
{
    switch (kind) {
    case BTF_KIND_INT: *out = 4; return 0;
    case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
        *out = 0; return 0;
    case BTF_KIND_ARRAY: *out = 12; return 0;
    case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64:
        *out = (size_t)vlen * 12; return 0;
    case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: *out = (size_t)vlen * 8; return 0;
    case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: *out = 4; return 0;
    default: return -EINVAL;
    }
}

static bool kind_has_members(enum btf_kind kind)
{
    return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM ||
           kind == BTF_KIND_ENUM64 || kind == BTF_KIND_FUNC_PROTO || kind == BTF_KIND_DATASEC;
}

/* First pass: counts the types and their members so that the second pass can fill arrays
 * allocated once. */
static int count_types(const uint8_t *p, size_t len, uint32_t *types, size_t *members,
                       char *msg, size_t msg_size)
{
    size_t off = 0;
    *types = 0;
    *members = 0;
    while (off < len) {
        if (len - off < BTF_TYPE_RECORD)
            return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u at offset %zu is truncated",
                        *types + 1, off);
        uint32_t info = read_u32(p + off + 4);
        enum btf_kind kind = (enum btf_kind)((info >> 24) & 0x1f);
        uint32_t vlen = info & 0xffff;
        size_t extra;
        if (kind == BTF_KIND_UNKN || kind_extra_size(kind, vlen, &extra))
            return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u has unknown kind %u", *types + 1,
                        (unsigned)kind);
        if (len - off - BTF_TYPE_RECORD < extra)
            return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u (%s) is truncated: needs %zu bytes",
                        *types + 1, btf_kind_name(kind), BTF_TYPE_RECORD + extra);
        off += BTF_TYPE_RECORD + extra;
        if (kind_has_members(kind))
            *members += vlen;
        if (++*types >= 0x7fffffff)
            return msg_error(-E2BIG, msg, msg_size, "BTF: too many types");
    }
    return 0;
}

static int name_at(const struct btf *btf, uint32_t off, const char **out, uint32_t id,
                   char *msg, size_t msg_size)
{
    *out = btf_string(btf, off);
    if (!*out)
        return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u: name offset %u is outside the strings",
                    id, off);
    return 0;
}

static int decode_type(struct btf *btf, const uint8_t *p, uint32_t id, struct btf_member **next,
                       size_t *consumed, char *msg, size_t msg_size)
{
    struct btf_type *t = &btf->types[id];
    uint32_t info = read_u32(p + 4);
    t->kind = (enum btf_kind)((info >> 24) & 0x1f);
    t->vlen = info & 0xffff;
    t->kind_flag = info >> 31;
    uint32_t size_or_type = read_u32(p + 8);
    int err = name_at(btf, read_u32(p), &t->name, id, msg, msg_size);
    if (err)
        return err;
    size_t extra = 0;
    kind_extra_size(t->kind, t->vlen, &extra);
    const uint8_t *x = p + BTF_TYPE_RECORD;
    *consumed = BTF_TYPE_RECORD + extra;
    if (kind_has_members(t->kind)) {
        t->members = *next;
        *next += t->vlen;
    }
    switch (t->kind) {
    case BTF_KIND_INT: {
        uint32_t v = read_u32(x);
        t->size = size_or_type;
        t->int_encoding = (v >> 24) & 0x0f;
        t->int_offset = (v >> 16) & 0xff;
        t->int_bits = v & 0xff;
        if (t->int_bits > 128 || t->int_offset + t->int_bits > 128 || t->size > 16)
            return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u: int '%s' has invalid size or bits",
                        id, t->name);
        break;
    }
    case BTF_KIND_FLOAT:
        t->size = size_or_type;
        break;
    case BTF_KIND_ARRAY:
        t->type = read_u32(x);
        t->index_type = read_u32(x + 4);
        t->nelems = read_u32(x + 8);
        break;
    case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        t->size = size_or_type;
        for (uint32_t i = 0; i < t->vlen; i++) {
            struct btf_member *m = &t->members[i];
            if ((err = name_at(btf, read_u32(x + 12 * i), &m->name, id, msg, msg_size)))
                return err;
            m->type = read_u32(x + 12 * i + 4);
            uint32_t o = read_u32(x + 12 * i + 8);
            m->offset = t->kind_flag ? (o & 0xffffff) : o;
            m->bitfield_size = t->kind_flag ? o >> 24 : 0;
        }
        break;
    case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
        t->size = size_or_type;
        for (uint32_t i = 0; i < t->vlen; i++) {
            struct btf_member *m = &t->members[i];
            size_t stride = t->kind == BTF_KIND_ENUM ? 8 : 12;
            if ((err = name_at(btf, read_u32(x + stride * i), &m->name, id, msg, msg_size)))
                return err;
            if (t->kind == BTF_KIND_ENUM)
                m->value = t->kind_flag ? (int64_t)read_u32(x + 8 * i + 4)
                                        : (int64_t)(int32_t)read_u32(x + 8 * i + 4);
            else
                m->value = (int64_t)((uint64_t)read_u32(x + 12 * i + 4) |
                                     (uint64_t)read_u32(x + 12 * i + 8) << 32);
        }
        break;
    case BTF_KIND_FUNC_PROTO:
        t->type = size_or_type;
        for (uint32_t i = 0; i < t->vlen; i++) {
            struct btf_member *m = &t->members[i];
            if ((err = name_at(btf, read_u32(x + 8 * i), &m->name, id, msg, msg_size)))
                return err;
            m->type = read_u32(x + 8 * i + 4);
        }
        break;
    case BTF_KIND_VAR:
        t->type = size_or_type;
        t->linkage = read_u32(x);
        break;
    case BTF_KIND_DATASEC:
        t->size = size_or_type;
        for (uint32_t i = 0; i < t->vlen; i++) {
            struct btf_member *m = &t->members[i];
            m->name = "";
            m->type = read_u32(x + 12 * i);
            m->offset = read_u32(x + 12 * i + 4);
            m->size = read_u32(x + 12 * i + 8);
        }
        break;
    case BTF_KIND_DECL_TAG:
        t->type = size_or_type;
        t->component_idx = (int32_t)read_u32(x);
        break;
    case BTF_KIND_FUNC:
        t->type = size_or_type;
        t->linkage = t->vlen;
        break;
    default: /* ptr, fwd, typedef, modifiers, type_tag */
        t->type = t->kind == BTF_KIND_FWD ? 0 : size_or_type;
        break;
    }
    return 0;
}

static int check_ref(const struct btf *btf, uint32_t id, uint32_t ref, const char *what,
                     char *msg, size_t msg_size)
{
    if (ref >= btf->count)
        return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u (%s '%s'): %s refers to type #%u, "
                    "beyond the last type #%u", id, btf_kind_name(btf->types[id].kind),
                    btf->types[id].name, what, ref, btf->count - 1);
    return 0;
}

/* Second-pass checks that need every type decoded: references in range, kinds of the
 * referenced types where the format fixes them. */
static int check_references(const struct btf *btf, char *msg, size_t msg_size)
{
    for (uint32_t id = 1; id < btf->count; id++) {
        const struct btf_type *t = &btf->types[id];
        int err = 0;
        switch (t->kind) {
        case BTF_KIND_ARRAY:
            err = check_ref(btf, id, t->type, "element type", msg, msg_size);
            if (!err)
                err = check_ref(btf, id, t->index_type, "index type", msg, msg_size);
            break;
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_FUNC_PROTO:
        case BTF_KIND_DATASEC:
            if (t->kind == BTF_KIND_FUNC_PROTO)
                err = check_ref(btf, id, t->type, "return type", msg, msg_size);
            for (uint32_t i = 0; !err && i < t->vlen; i++)
                err = check_ref(btf, id, t->members[i].type, "a member", msg, msg_size);
            break;
        case BTF_KIND_FUNC:
            err = check_ref(btf, id, t->type, "prototype", msg, msg_size);
            if (!err && btf->types[t->type].kind != BTF_KIND_FUNC_PROTO)
                return msg_error(-EINVAL, msg, msg_size, "BTF: type #%u: func '%s' has no func_proto",
                            id, t->name);
            break;
        case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
        case BTF_KIND_TYPE_TAG:
            err = check_ref(btf, id, t->type, "referenced type", msg, msg_size);
            break;
        default:
            break;
        }
        if (err)
            return err;
    }
    return 0;
}

int btf_parse(const void *data, size_t size, struct btf **out, char *msg, size_t msg_size)
{
    const uint8_t *p = data;
    *out = NULL;
    if (size < BTF_HEADER_SIZE)
        return msg_error(-EINVAL, msg, msg_size, "BTF: section of %zu bytes is smaller than the header",
                    size);
    if (read_u16(p) != BTF_MAGIC)
        return msg_error(-EINVAL, msg, msg_size, "BTF: bad magic 0x%04x (big-endian BTF is not supported)",
                    read_u16(p));
    if (p[2] != 1)
        return msg_error(-ENOTSUP, msg, msg_size, "BTF: unsupported version %u", p[2]);
    if (p[3] != 0)
        return msg_error(-ENOTSUP, msg, msg_size, "BTF: unsupported flags 0x%x", p[3]);
    uint32_t hdr_len = read_u32(p + 4);
    if (hdr_len < BTF_HEADER_SIZE || hdr_len > size)
        return msg_error(-EINVAL, msg, msg_size, "BTF: header length %u is invalid", hdr_len);
    uint32_t type_off = read_u32(p + 8), type_len = read_u32(p + 12);
    uint32_t str_off = read_u32(p + 16), str_len = read_u32(p + 20);
    size_t body = size - hdr_len;
    if (type_off > body || type_len > body - type_off)
        return msg_error(-EINVAL, msg, msg_size, "BTF: type section [%u, +%u) is outside the %zu bytes",
                    type_off, type_len, body);
    if (str_off > body || str_len > body - str_off)
        return msg_error(-EINVAL, msg, msg_size, "BTF: string section [%u, +%u) is outside the %zu bytes",
                    str_off, str_len, body);
    if (type_off % 4)
        return msg_error(-EINVAL, msg, msg_size, "BTF: type section offset %u is not 4-byte aligned",
                    type_off);
    if (str_len == 0 || p[hdr_len + str_off] != 0 || p[hdr_len + str_off + str_len - 1] != 0)
        return msg_error(-EINVAL, msg, msg_size, "BTF: string section must start and end with NUL");

    uint32_t ntypes;
    size_t nmembers;
    const uint8_t *types = p + hdr_len + type_off;
    int err = count_types(types, type_len, &ntypes, &nmembers, msg, msg_size);
    if (err)
        return err;
    struct btf *btf = calloc(1, sizeof(*btf));
    if (!btf)
        return msg_error(-ENOMEM, msg, msg_size, "BTF: out of memory");
    btf->count = ntypes + 1;
    btf->strings = (const char *)p + hdr_len + str_off;
    btf->strings_size = str_len;
    btf->types = calloc(btf->count, sizeof(*btf->types));
    btf->members = calloc(nmembers ? nmembers : 1, sizeof(*btf->members));
    if (!btf->types || !btf->members) {
        btf_free(btf);
        return msg_error(-ENOMEM, msg, msg_size, "BTF: out of memory");
    }
    btf->types[0].name = "";
    struct btf_member *next = btf->members;
    size_t off = 0;
    for (uint32_t id = 1; id < btf->count; id++) {
        size_t used;
        err = decode_type(btf, types + off, id, &next, &used, msg, msg_size);
        if (err) {
            btf_free(btf);
            return err;
        }
        off += used;
    }
    err = check_references(btf, msg, msg_size);
    if (err) {
        btf_free(btf);
        return err;
    }
    *out = btf;
    return 0;
}

void btf_free(struct btf *btf)
{
    if (!btf)
        return;
    free(btf->types);
    free(btf->members);
    free(btf);
}

uint32_t btf_type_count(const struct btf *btf) { return btf ? btf->count : 0; }

const struct btf_type *btf_type_by_id(const struct btf *btf, uint32_t id)
{
    if (!btf || id == 0 || id >= btf->count)
        return NULL;
    return &btf->types[id];
}

uint32_t btf_find_by_name_kind(const struct btf *btf, const char *name, enum btf_kind kind)
{
    for (uint32_t id = 1; btf && id < btf->count; id++)
        if (btf->types[id].kind == kind && !strcmp(btf->types[id].name, name))
            return id;
    return 0;
}

uint32_t btf_skip_modifiers(const struct btf *btf, uint32_t id)
{
    for (int depth = 0; depth < BTF_MAX_RESOLVE_DEPTH; depth++) {
        const struct btf_type *t = btf_type_by_id(btf, id);
        if (!t)
            return 0;
        switch (t->kind) {
        case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
            id = t->type;
            break;
        default:
            return id;
        }
    }
    return 0;
}

int64_t btf_resolve_size(const struct btf *btf, uint32_t id)
{
    uint64_t multiplier = 1;
    for (int depth = 0; depth < BTF_MAX_RESOLVE_DEPTH; depth++) {
        const struct btf_type *t = btf_type_by_id(btf, id);
        if (!t)
            return -EINVAL;
        switch (t->kind) {
        case BTF_KIND_INT: case BTF_KIND_FLOAT: case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        case BTF_KIND_ENUM: case BTF_KIND_ENUM64: case BTF_KIND_DATASEC:
            if (t->size && multiplier > UINT32_MAX / t->size)
                return -E2BIG;
            return (int64_t)(multiplier * t->size);
        case BTF_KIND_PTR:
            if (multiplier > UINT32_MAX / 8)
                return -E2BIG;
            return (int64_t)(multiplier * 8);
        case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG: case BTF_KIND_VAR:
            id = t->type;
            break;
        case BTF_KIND_ARRAY:
            if (t->nelems && multiplier > UINT32_MAX / t->nelems)
                return -E2BIG;
            multiplier *= t->nelems;
            id = t->type;
            break;
        default:
            return -EINVAL;
        }
    }
    return -ELOOP;
}
