/* BTF and BTF.ext parsing on hand-built sections: every kind decodes, every malformed
 * header, record, reference and string is refused with a message. */
#include <errno.h>

#include "elf/btf.h"
#include "test.h"

/* A BTF section under construction: types, then strings, then the header in front. */
struct blob {
    uint8_t types[2048];
    size_t types_len;
    char strings[512];
    size_t strings_len;
    uint8_t out[4096];
    size_t out_len;
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void blob_init(struct blob *b)
{
    memset(b, 0, sizeof(*b));
    b->strings_len = 1; /* offset 0 is "" */
}

static uint32_t str(struct blob *b, const char *s)
{
    uint32_t off = (uint32_t)b->strings_len;
    memcpy(b->strings + off, s, strlen(s) + 1);
    b->strings_len += strlen(s) + 1;
    return off;
}

static void word(struct blob *b, uint32_t v)
{
    put32(b->types + b->types_len, v);
    b->types_len += 4;
}

static void type(struct blob *b, uint32_t name, uint32_t kind, uint32_t vlen, bool kflag,
                 uint32_t size_or_type)
{
    word(b, name);
    word(b, kind << 24 | vlen | (uint32_t)kflag << 31);
    word(b, size_or_type);
}

static const uint8_t *blob_finish(struct blob *b)
{
    uint8_t *o = b->out;
    o[0] = 0x9f;
    o[1] = 0xeb;
    o[2] = 1;
    o[3] = 0;
    put32(o + 4, 24);
    put32(o + 8, 0);
    put32(o + 12, (uint32_t)b->types_len);
    put32(o + 16, (uint32_t)b->types_len);
    put32(o + 20, (uint32_t)b->strings_len);
    memcpy(o + 24, b->types, b->types_len);
    memcpy(o + 24 + b->types_len, b->strings, b->strings_len);
    b->out_len = 24 + b->types_len + b->strings_len;
    return o;
}

/* One type of every kind; ids in comments. */
static void build_all_kinds(struct blob *b)
{
    blob_init(b);
    type(b, str(b, "int"), BTF_KIND_INT, 0, false, 4);          /* 1 */
    word(b, 1u << 24 | 32);                                     /* signed, 32 bits */
    type(b, 0, BTF_KIND_PTR, 0, false, 1);                      /* 2: int * */
    type(b, 0, BTF_KIND_ARRAY, 0, false, 0);                    /* 3: int[5] */
    word(b, 1), word(b, 1), word(b, 5);
    type(b, str(b, "pair"), BTF_KIND_STRUCT, 2, false, 8);      /* 4 */
    word(b, str(b, "a")), word(b, 1), word(b, 0);
    word(b, str(b, "b")), word(b, 1), word(b, 32);
    type(b, str(b, "color"), BTF_KIND_ENUM, 2, false, 4);       /* 5 */
    word(b, str(b, "RED")), word(b, 0);
    word(b, str(b, "BLUE")), word(b, (uint32_t)-1);
    type(b, str(b, "later"), BTF_KIND_FWD, 0, false, 0);        /* 6 */
    type(b, str(b, "myint"), BTF_KIND_TYPEDEF, 0, false, 1);    /* 7 */
    type(b, 0, BTF_KIND_VOLATILE, 0, false, 7);                 /* 8 */
    type(b, 0, BTF_KIND_CONST, 0, false, 8);                    /* 9 */
    type(b, 0, BTF_KIND_RESTRICT, 0, false, 2);                 /* 10 */
    type(b, 0, BTF_KIND_FUNC_PROTO, 1, false, 1);               /* 11: int (int x) */
    word(b, str(b, "x")), word(b, 1);
    type(b, str(b, "f"), BTF_KIND_FUNC, BTF_FUNC_GLOBAL, false, 11); /* 12 */
    type(b, str(b, "v"), BTF_KIND_VAR, 0, false, 4);            /* 13 */
    word(b, BTF_VAR_GLOBAL_ALLOCATED);
    type(b, str(b, ".data"), BTF_KIND_DATASEC, 1, false, 8);    /* 14 */
    word(b, 13), word(b, 0), word(b, 8);
    type(b, str(b, "double"), BTF_KIND_FLOAT, 0, false, 8);     /* 15 */
    type(b, str(b, "tag"), BTF_KIND_DECL_TAG, 0, false, 4);     /* 16 */
    word(b, (uint32_t)-1);
    type(b, str(b, "user"), BTF_KIND_TYPE_TAG, 0, false, 1);    /* 17 */
    type(b, str(b, "big"), BTF_KIND_ENUM64, 1, false, 8);       /* 18 */
    word(b, str(b, "HUGE")), word(b, 1), word(b, 2);
    type(b, str(b, "bits"), BTF_KIND_STRUCT, 1, true, 4);       /* 19: bitfield */
    word(b, str(b, "flag")), word(b, 1), word(b, 3u << 24 | 5);
}

TEST(btf_parses_every_kind)
{
    struct blob b;
    build_all_kinds(&b);
    const uint8_t *data = blob_finish(&b);
    struct btf *btf;
    char msg[200];
    CHECK_EQ(btf_parse(data, b.out_len, &btf, msg, sizeof(msg)), 0);
    if (!btf)
        return;
    CHECK_EQ(btf_type_count(btf), 20);
    const struct btf_type *t = btf_type_by_id(btf, 1);
    CHECK_EQ(t->kind, BTF_KIND_INT);
    CHECK_EQ(t->int_bits, 32);
    CHECK_EQ(t->int_encoding, 1);
    CHECK_EQ(btf_type_by_id(btf, 3)->nelems, 5);
    CHECK_EQ(btf_resolve_size(btf, 3), 20);
    t = btf_type_by_id(btf, 4);
    CHECK_STR(t->name, "pair");
    CHECK_EQ(t->vlen, 2);
    CHECK_STR(t->members[1].name, "b");
    CHECK_EQ(t->members[1].offset, 32);
    t = btf_type_by_id(btf, 5);
    CHECK_EQ(t->members[1].value, -1);
    CHECK_EQ(btf_type_by_id(btf, 6)->kind, BTF_KIND_FWD);
    CHECK_EQ(btf_skip_modifiers(btf, 9), 1);   /* const volatile myint -> int */
    CHECK_EQ(btf_resolve_size(btf, 9), 4);
    CHECK_EQ(btf_resolve_size(btf, 10), 8);     /* restrict pointer */
    t = btf_type_by_id(btf, 12);
    CHECK_EQ(t->kind, BTF_KIND_FUNC);
    CHECK_EQ(t->linkage, BTF_FUNC_GLOBAL);
    CHECK_EQ(btf_type_by_id(btf, 11)->members[0].type, 1);
    CHECK_EQ(btf_type_by_id(btf, 13)->linkage, BTF_VAR_GLOBAL_ALLOCATED);
    t = btf_type_by_id(btf, 14);
    CHECK_EQ(t->members[0].size, 8);
    CHECK_EQ(btf_find_by_name_kind(btf, ".data", BTF_KIND_DATASEC), 14);
    CHECK_EQ(btf_find_by_name_kind(btf, ".data", BTF_KIND_STRUCT), 0);
    CHECK_EQ(btf_type_by_id(btf, 15)->size, 8);
    CHECK_EQ(btf_type_by_id(btf, 16)->component_idx, -1);
    CHECK_EQ(btf_type_by_id(btf, 17)->kind, BTF_KIND_TYPE_TAG);
    CHECK_EQ(btf_type_by_id(btf, 18)->members[0].value, (int64_t)0x200000001);
    t = btf_type_by_id(btf, 19);
    CHECK_EQ(t->members[0].bitfield_size, 3);
    CHECK_EQ(t->members[0].offset, 5);
    CHECK(btf_resolve_size(btf, 12) < 0);      /* a function has no size */
    CHECK(btf_type_by_id(btf, 20) == NULL);
    CHECK(btf_type_by_id(btf, 0) == NULL);
    CHECK_STR(btf_kind_name(BTF_KIND_DATASEC), "datasec");
    btf_free(btf);
}

static void expect_btf_error(const uint8_t *data, size_t size, const char *needle)
{
    struct btf *btf = (struct btf *)1;
    char msg[200] = "";
    CHECK_EQ(btf_parse(data, size, &btf, msg, sizeof(msg)) < 0, 1);
    CHECK(btf == NULL);
    CHECK_CONTAINS(msg, needle);
}

static void expect_blob_error(struct blob *b, const char *needle)
{
    const uint8_t *data = blob_finish(b);
    expect_btf_error(data, b->out_len, needle);
}

TEST(btf_refuses_bad_headers)
{
    struct blob b;
    build_all_kinds(&b);
    uint8_t *d = (uint8_t *)blob_finish(&b);
    expect_btf_error(d, 10, "smaller than the header");
    d[0] = 0;
    expect_btf_error(d, b.out_len, "bad magic");
    d[0] = 0x9f;
    d[2] = 2;
    expect_btf_error(d, b.out_len, "version");
    d[2] = 1;
    put32(d + 12, 1 << 20); /* type_len beyond the data */
    expect_btf_error(d, b.out_len, "type section");
    put32(d + 12, (uint32_t)b.types_len);
    put32(d + 20, 1 << 20);
    expect_btf_error(d, b.out_len, "string section");
    put32(d + 20, (uint32_t)b.strings_len);
    d[b.out_len - 1] = 'x'; /* strings must end in NUL */
    expect_btf_error(d, b.out_len, "NUL");
}

TEST(btf_refuses_bad_types)
{
    struct blob b;
    blob_init(&b);
    type(&b, 0, BTF_KIND_PTR, 0, false, 7); /* points at a type that does not exist */
    expect_blob_error(&b, "beyond the last type");

    blob_init(&b);
    type(&b, 0, 25, 0, false, 0);
    expect_blob_error(&b, "unknown kind");

    blob_init(&b);
    type(&b, 999, BTF_KIND_INT, 0, false, 4);
    word(&b, 32);
    expect_blob_error(&b, "outside the strings");

    blob_init(&b);
    type(&b, 0, BTF_KIND_STRUCT, 3, false, 4); /* three members announced, none present */
    expect_blob_error(&b, "truncated");

    blob_init(&b);
    type(&b, str(&b, "f"), BTF_KIND_FUNC, 0, false, 0); /* a func without a prototype */
    expect_blob_error(&b, "func_proto");

    blob_init(&b);
    type(&b, str(&b, "i"), BTF_KIND_INT, 0, false, 4);
    word(&b, 200); /* 200 bits in 4 bytes */
    expect_blob_error(&b, "invalid size or bits");
}

TEST(btf_modifier_loops_end)
{
    struct blob b;
    blob_init(&b);
    type(&b, str(&b, "a"), BTF_KIND_TYPEDEF, 0, false, 2); /* 1 -> 2 */
    type(&b, str(&b, "b"), BTF_KIND_TYPEDEF, 0, false, 1); /* 2 -> 1 */
    const uint8_t *d = blob_finish(&b);
    struct btf *btf;
    char msg[100];
    CHECK_EQ(btf_parse(d, b.out_len, &btf, msg, sizeof(msg)), 0);
    CHECK_EQ(btf_skip_modifiers(btf, 1), 0);
    CHECK_EQ(btf_resolve_size(btf, 1), -ELOOP);
    btf_free(btf);
}

/* BTF.ext on top of the all-kinds BTF: func 12 is a FUNC, names come from its strings. */
static size_t build_ext(uint8_t *o, const struct blob *b, uint32_t sec_name, uint32_t count,
                        uint32_t func_type, uint32_t rec_size)
{
    memset(o, 0, 512);
    o[0] = 0x9f, o[1] = 0xeb, o[2] = 1;
    put32(o + 4, 32);
    /* func_info: rec_size, {sec, count, records} */
    size_t func_len = 4 + 8 + 8 * 1;
    put32(o + 8, 0);
    put32(o + 12, (uint32_t)func_len);
    uint8_t *f = o + 32;
    put32(f, 8);
    put32(f + 4, sec_name);
    put32(f + 8, 1);
    put32(f + 12, 0);
    put32(f + 16, func_type);
    size_t line_len = 4 + 8 + (size_t)rec_size * 2;
    put32(o + 16, (uint32_t)func_len);
    put32(o + 20, (uint32_t)line_len);
    uint8_t *l = f + func_len;
    put32(l, rec_size);
    put32(l + 4, sec_name);
    put32(l + 8, count);
    put32(l + 12, 0), put32(l + 16, 1), put32(l + 20, 1), put32(l + 24, 7u << 10 | 3);
    put32(l + 12 + rec_size, 8), put32(l + 16 + rec_size, 1), put32(l + 20 + rec_size, 1);
    put32(l + 24 + rec_size, 9u << 10 | 1);
    (void)b;
    return 32 + func_len + line_len;
}

TEST(btf_ext_func_and_line_info)
{
    struct blob b;
    build_all_kinds(&b);
    const uint8_t *d = blob_finish(&b);
    struct btf *btf;
    char msg[200];
    CHECK_EQ(btf_parse(d, b.out_len, &btf, msg, sizeof(msg)), 0);
    uint8_t ext_data[512];
    /* string offset 1 is "int", used here as the section name and the file name */
    size_t len = build_ext(ext_data, &b, 1, 2, 12, 16);
    struct btf_ext *ext;
    CHECK_EQ(btf_ext_parse(ext_data, len, btf, &ext, msg, sizeof(msg)), 0);
    const struct btf_ext_section *s = btf_ext_find_section(ext, "int");
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ(s->func_info_count, 1);
        CHECK_EQ(s->func_info[0].type_id, 12);
        CHECK_EQ(s->line_info_count, 2);
        CHECK_EQ(s->line_info[0].line, 7);
        CHECK_EQ(s->line_info[0].column, 3);
        CHECK_EQ(s->line_info[1].insn_off, 8);
        CHECK_STR(s->line_info[1].file_name, "int");
    }
    CHECK(btf_ext_find_section(ext, "other") == NULL);
    btf_ext_free(ext);

    len = build_ext(ext_data, &b, 1, 2, 1, 16); /* func_info naming an int */
    CHECK(btf_ext_parse(ext_data, len, btf, &ext, msg, sizeof(msg)) < 0);
    CHECK_CONTAINS(msg, "not a func");
    len = build_ext(ext_data, &b, 1, 1000, 12, 16); /* more records than bytes */
    CHECK(btf_ext_parse(ext_data, len, btf, &ext, msg, sizeof(msg)) < 0);
    CHECK_CONTAINS(msg, "claims 1000 records");
    len = build_ext(ext_data, &b, 1, 2, 12, 6); /* record smaller than a line record */
    CHECK(btf_ext_parse(ext_data, len, btf, &ext, msg, sizeof(msg)) < 0);
    CHECK_CONTAINS(msg, "record size");
    len = build_ext(ext_data, &b, 9999, 2, 12, 16); /* section name outside the strings */
    CHECK(btf_ext_parse(ext_data, len, btf, &ext, msg, sizeof(msg)) < 0);
    CHECK_CONTAINS(msg, "section name");
    CHECK(btf_ext_parse(ext_data, 10, btf, &ext, msg, sizeof(msg)) < 0);
    CHECK_CONTAINS(msg, "smaller than the header");
    btf_free(btf);
}

TEST_MAIN
