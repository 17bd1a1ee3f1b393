/* BTF.ext parser: per-section func_info, line_info and CO-RE relocation records. Layout: Linux's tools/lib/bpf/libbpf_internal.h (btf_ext_header). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"
#include "elf/btf.h"
#include "elf/elf_bytes.h"

enum {
    BTF_EXT_MAGIC = 0xeB9F,
    BTF_EXT_MIN_HEADER = 24,     /* up to line_info_len */
    BTF_EXT_CORE_HEADER = 32,    /* with core_relo_off/len */
    FUNC_INFO_MIN_RECORD = 8,
    LINE_INFO_MIN_RECORD = 16,
    CORE_RELO_MIN_RECORD = 16,
};

enum ext_kind { EXT_FUNC_INFO, EXT_LINE_INFO, EXT_CORE_RELO };

static const char *const ext_kind_names[] = {"func_info", "line_info", "core_relo"};

static struct btf_ext_section *section_for(struct btf_ext *ext, const char *name)
{
    for (size_t i = 0; i < ext->section_count; i++)
        if (!strcmp(ext->sections[i].section_name, name))
            return &ext->sections[i];
    struct btf_ext_section *grown =
        realloc(ext->sections, (ext->section_count + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    ext->sections = grown;
    struct btf_ext_section *s = &ext->sections[ext->section_count++];
    memset(s, 0, sizeof(*s));
    s->section_name = name;
    return s;
}

static int decode_record(const struct btf *btf, enum ext_kind kind, const uint8_t *r,
                         struct btf_ext_section *s, size_t index, char *msg, size_t msg_size)
{
    uint32_t insn_off = read_u32(r);
    if (insn_off % 8)
        return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s record of section '%s' has offset %u, "
                    "not a multiple of 8", ext_kind_names[kind], s->section_name, insn_off);
    if (kind == EXT_FUNC_INFO) {
        uint32_t type_id = read_u32(r + 4);
        const struct btf_type *t = btf_type_by_id(btf, type_id);
        if (!t || t->kind != BTF_KIND_FUNC)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: func_info of section '%s' at offset %u names "
                        "type #%u, which is not a func", s->section_name, insn_off, type_id);
        s->func_info[index] = (struct btf_ext_func_info){insn_off, type_id};
    } else if (kind == EXT_LINE_INFO) {
        const char *file = btf_string(btf, read_u32(r + 4));
        const char *line = btf_string(btf, read_u32(r + 8));
        if (!file || !line)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: line_info of section '%s' at offset %u has a "
                        "string offset outside the BTF strings", s->section_name, insn_off);
        uint32_t line_col = read_u32(r + 12);
        s->line_info[index] = (struct btf_ext_line_info){
            .insn_off = insn_off, .file_name = file, .line_text = line,
            .line = line_col >> 10, .column = line_col & 0x3ff,
        };
    } else {
        uint32_t type_id = read_u32(r + 4);
        const char *access = btf_string(btf, read_u32(r + 8));
        if (type_id >= btf_type_count(btf) || !access)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: core_relo record of section '%s' at offset %u "
                        "has a type or access string out of range", s->section_name, insn_off);
        s->core_relos[index] = (struct btf_ext_core_relo){insn_off, type_id, access,
                                                          read_u32(r + 12)};
    }
    return 0;
}

/* One of the three record areas: a record size, then blocks of {section name, count,
 * records}. */
static int parse_area(struct btf_ext *ext, const struct btf *btf, enum ext_kind kind,
                      const uint8_t *p, size_t len, char *msg, size_t msg_size)
{
    static const uint32_t min_record[] = {FUNC_INFO_MIN_RECORD, LINE_INFO_MIN_RECORD,
                                          CORE_RELO_MIN_RECORD};
    if (len == 0)
        return 0;
    if (len < 4)
        return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s area is truncated", ext_kind_names[kind]);
    uint32_t rec_size = read_u32(p);
    if (rec_size < min_record[kind] || rec_size % 4)
        return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s record size %u is invalid",
                    ext_kind_names[kind], rec_size);
    size_t off = 4;
    while (off < len) {
        if (len - off < 8)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s block header at offset %zu is truncated",
                        ext_kind_names[kind], off);
        const char *name = btf_string(btf, read_u32(p + off));
        uint32_t count = read_u32(p + off + 4);
        off += 8;
        if (!name || !*name)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s block has an invalid section name",
                        ext_kind_names[kind]);
        if (count == 0)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s block of section '%s' is empty",
                        ext_kind_names[kind], name);
        if ((len - off) / rec_size < count)
            return msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s block of section '%s' claims %u records "
                        "but only %zu bytes remain", ext_kind_names[kind], name, count,
                        len - off);
        struct btf_ext_section *s = section_for(ext, name);
        if (!s)
            return msg_error(-ENOMEM, msg, msg_size, "BTF.ext: out of memory");
        size_t base;
        if (kind == EXT_FUNC_INFO) {
            if (s->func_info_count)
                return msg_error(-EINVAL, msg, msg_size, "BTF.ext: section '%s' has two func_info blocks",
                            name);
            s->func_info = calloc(count, sizeof(*s->func_info));
            if (!s->func_info)
                return msg_error(-ENOMEM, msg, msg_size, "BTF.ext: out of memory");
            base = 0;
            s->func_info_count = count;
        } else if (kind == EXT_LINE_INFO) {
            if (s->line_info_count)
                return msg_error(-EINVAL, msg, msg_size, "BTF.ext: section '%s' has two line_info blocks",
                            name);
            s->line_info = calloc(count, sizeof(*s->line_info));
            if (!s->line_info)
                return msg_error(-ENOMEM, msg, msg_size, "BTF.ext: out of memory");
            base = 0;
            s->line_info_count = count;
        } else {
            if (s->core_relo_count)
                return msg_error(-EINVAL, msg, msg_size, "BTF.ext: section '%s' has two core_relo blocks",
                            name);
            s->core_relos = calloc(count, sizeof(*s->core_relos));
            if (!s->core_relos)
                return msg_error(-ENOMEM, msg, msg_size, "BTF.ext: out of memory");
            base = 0;
            s->core_relo_count = count;
        }
        for (uint32_t i = 0; i < count; i++) {
            int err = decode_record(btf, kind, p + off + (size_t)i * rec_size, s, base + i,
                                    msg, msg_size);
            if (err)
                return err;
        }
        off += (size_t)count * rec_size;
    }
    return 0;
}

int btf_ext_parse(const void *data, size_t size, const struct btf *btf, struct btf_ext **out,
                  char *msg, size_t msg_size)
{
    const uint8_t *p = data;
    *out = NULL;
    if (size < BTF_EXT_MIN_HEADER)
        return msg_error(-EINVAL, msg, msg_size, "BTF.ext: section of %zu bytes is smaller than the header",
                    size);
    if (read_u16(p) != BTF_EXT_MAGIC)
        return msg_error(-EINVAL, msg, msg_size, "BTF.ext: bad magic 0x%04x", read_u16(p));
    if (p[2] != 1)
        return msg_error(-ENOTSUP, msg, msg_size, "BTF.ext: unsupported version %u", p[2]);
    if (p[3] != 0)
        return msg_error(-ENOTSUP, msg, msg_size, "BTF.ext: unsupported flags 0x%x", p[3]);
    uint32_t hdr_len = read_u32(p + 4);
    if (hdr_len < BTF_EXT_MIN_HEADER || hdr_len > size)
        return msg_error(-EINVAL, msg, msg_size, "BTF.ext: header length %u is invalid", hdr_len);
    struct { uint32_t off, len; } area[3] = {
        {read_u32(p + 8), read_u32(p + 12)},
        {read_u32(p + 16), read_u32(p + 20)},
        {0, 0},
    };
    if (hdr_len >= BTF_EXT_CORE_HEADER) {
        area[EXT_CORE_RELO].off = read_u32(p + 24);
        area[EXT_CORE_RELO].len = read_u32(p + 28);
    }
    struct btf_ext *ext = calloc(1, sizeof(*ext));
    if (!ext)
        return msg_error(-ENOMEM, msg, msg_size, "BTF.ext: out of memory");
    size_t body = size - hdr_len;
    for (int k = EXT_FUNC_INFO; k <= EXT_CORE_RELO; k++) {
        int err = 0;
        if (area[k].off > body || area[k].len > body - area[k].off)
            err = msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s area [%u, +%u) is outside the %zu bytes",
                       ext_kind_names[k], area[k].off, area[k].len, body);
        else if (area[k].len && area[k].off % 4)
            err = msg_error(-EINVAL, msg, msg_size, "BTF.ext: %s area is not 4-byte aligned",
                       ext_kind_names[k]);
        else
            err = parse_area(ext, btf, (enum ext_kind)k, p + hdr_len + area[k].off,
                             area[k].len, msg, msg_size);
        if (err) {
            btf_ext_free(ext);
            return err;
        }
    }
    *out = ext;
    return 0;
}

void btf_ext_free(struct btf_ext *ext)
{
    if (!ext)
        return;
    for (size_t i = 0; i < ext->section_count; i++) {
        free(ext->sections[i].func_info);
        free(ext->sections[i].line_info);
        free(ext->sections[i].core_relos);
    }
    free(ext->sections);
    free(ext);
}

const struct btf_ext_section *btf_ext_find_section(const struct btf_ext *ext, const char *name)
{
    for (size_t i = 0; ext && i < ext->section_count; i++)
        if (!strcmp(ext->sections[i].section_name, name))
            return &ext->sections[i];
    return NULL;
}
