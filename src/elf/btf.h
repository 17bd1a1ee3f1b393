/* BTF (the BPF Type Format) and BTF.ext (function and line information), read from untrusted
 * bytes. Parsing validates everything once (header, every type record, every type id and
 * string offset), so that lookups afterwards need no further checks and cannot fail on a
 * parsed object. Layout: Linux's include/uapi/linux/btf.h. */
#ifndef BPFHOST_BTF_H
#define BPFHOST_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Type kinds, Linux's BTF_KIND_* values. */
enum btf_kind {
    BTF_KIND_UNKN = 0, BTF_KIND_INT = 1, BTF_KIND_PTR = 2, BTF_KIND_ARRAY = 3,
    BTF_KIND_STRUCT = 4, BTF_KIND_UNION = 5, BTF_KIND_ENUM = 6, BTF_KIND_FWD = 7,
    BTF_KIND_TYPEDEF = 8, BTF_KIND_VOLATILE = 9, BTF_KIND_CONST = 10, BTF_KIND_RESTRICT = 11,
    BTF_KIND_FUNC = 12, BTF_KIND_FUNC_PROTO = 13, BTF_KIND_VAR = 14, BTF_KIND_DATASEC = 15,
    BTF_KIND_FLOAT = 16, BTF_KIND_DECL_TAG = 17, BTF_KIND_TYPE_TAG = 18, BTF_KIND_ENUM64 = 19,
    BTF_KIND_MAX = BTF_KIND_ENUM64,
};

/* Linkage of a BTF_KIND_VAR (btf_var.linkage) and of a BTF_KIND_FUNC (vlen). */
enum { BTF_VAR_STATIC = 0, BTF_VAR_GLOBAL_ALLOCATED = 1, BTF_VAR_GLOBAL_EXTERN = 2 };
enum { BTF_FUNC_STATIC = 0, BTF_FUNC_GLOBAL = 1, BTF_FUNC_EXTERN = 2 };

/* One member of a struct/union, a parameter of a func_proto, an enumerator (value in
 * value), or a variable of a datasec (type, offset = byte offset, size). */
struct btf_member {
    const char *name;   /* "" when anonymous */
    uint32_t type;      /* 0 for enumerators */
    uint32_t offset;    /* struct/union: bit offset; datasec: byte offset */
    uint32_t bitfield_size;
    uint32_t size;      /* datasec variables */
    int64_t value;      /* enumerators */
};

/* One decoded type. Fields that a kind does not have are zero. */
struct btf_type {
    enum btf_kind kind;
    const char *name;   /* "" when anonymous */
    uint32_t size;      /* int, float, struct, union, enum, datasec */
    uint32_t type;      /* ptr, typedef, modifiers, func, var, decl_tag, func_proto return,
                         * array element */
    uint32_t index_type;   /* array */
    uint32_t nelems;       /* array */
    uint32_t int_encoding; /* int: BTF_INT_SIGNED 1, CHAR 2, BOOL 4 */
    uint32_t int_offset, int_bits;
    uint32_t linkage;      /* var, func */
    int32_t component_idx; /* decl_tag */
    bool kind_flag;
    uint32_t vlen;
    struct btf_member *members; /* vlen entries */
};

struct btf;

/* Parses a .BTF section. Returns 0 and a new object in *out, or a negative errno and a
 * message naming what is wrong. */
int btf_parse(const void *data, size_t size, struct btf **out, char *msg, size_t msg_size);
void btf_free(struct btf *btf);

/* Number of type ids, type 0 (void) included. */
uint32_t btf_type_count(const struct btf *btf);
/* The type with this id, or NULL when the id is 0 or out of range. */
const struct btf_type *btf_type_by_id(const struct btf *btf, uint32_t id);
/* First type of this kind with this name, 0 when none. */
uint32_t btf_find_by_name_kind(const struct btf *btf, const char *name, enum btf_kind kind);
/* Follows typedefs and const/volatile/restrict/type_tag modifiers. Returns the id reached
 * (0 for void or a loop). */
uint32_t btf_skip_modifiers(const struct btf *btf, uint32_t id);
/* Size in bytes of a type (through typedefs, modifiers, arrays); negative errno when the
 * type has no size (void, func, forward declaration) or the size overflows. */
int64_t btf_resolve_size(const struct btf *btf, uint32_t id);
/* String at an offset of the string section, NULL when out of range. */
const char *btf_string(const struct btf *btf, uint32_t offset);
/* Name of a kind ("struct", "datasec"). */
const char *btf_kind_name(enum btf_kind kind);

/* --- BTF.ext --------------------------------------------------------------------------- */

struct btf_ext_func_info {
    uint32_t insn_off;      /* in bytes from the section start, as in the file */
    uint32_t type_id;       /* a BTF_KIND_FUNC */
};

struct btf_ext_line_info {
    uint32_t insn_off;      /* in bytes from the section start */
    const char *file_name;
    const char *line_text;  /* the source line itself */
    uint32_t line;
    uint32_t column;
};

/* The records of one ELF section. */
struct btf_ext_section {
    const char *section_name;
    struct btf_ext_func_info *func_info;
    size_t func_info_count;
    struct btf_ext_line_info *line_info;
    size_t line_info_count;
    size_t core_relo_count; /* CO-RE relocations are counted, not applied */
};

struct btf_ext {
    struct btf_ext_section *sections;
    size_t section_count;
};

/* Parses a .BTF.ext section; names and strings are resolved against btf (which must outlive
 * the result). Every func_info type id must be a FUNC of btf. */
int btf_ext_parse(const void *data, size_t size, const struct btf *btf, struct btf_ext **out,
                  char *msg, size_t msg_size);
void btf_ext_free(struct btf_ext *ext);
/* Records of one section by name, NULL when the section has none. */
const struct btf_ext_section *btf_ext_find_section(const struct btf_ext *ext, const char *name);

#endif
