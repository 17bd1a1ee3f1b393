/* Malformed objects: real clang output with one field broken at a time. Each must be
 * refused with a message naming the problem (never a crash, which ASan would catch). */
#include <errno.h>

#include "elf/elf_bytes.h"
#include "elf/elf_object.h"
#include "test.h"

#define FEATURES "build/bpf/elf_features.bpf.o"
#define LEGACY "build/bpf/elf_legacy_maps.bpf.o"

static uint8_t original[1 << 20], work[1 << 20];
static size_t original_len;

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* Loads an object into `work` (and `original`); returns its size or 0. */
static size_t load(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return 0;
    original_len = fread(original, 1, sizeof(original), f);
    fclose(f);
    memcpy(work, original, original_len);
    return original_len;
}

/* The section header of the section named `name` in `work`, or NULL. */
static uint8_t *section_header(const char *name)
{
    uint64_t shoff = read_u64(work + 40);
    uint16_t shnum = read_u16(work + 60), shstrndx = read_u16(work + 62);
    const uint8_t *strtab = work + read_u64(work + shoff + shstrndx * 64 + 24);
    for (uint16_t i = 0; i < shnum; i++) {
        uint8_t *sh = work + shoff + i * 64u;
        if (!strcmp((const char *)strtab + read_u32(sh), name))
            return sh;
    }
    CHECK(!"section not found");
    return NULL;
}

static uint8_t *section_data(const char *name)
{
    uint8_t *sh = section_header(name);
    return sh ? work + read_u64(sh + 24) : NULL;
}

/* The symbol table entry of `name`, or NULL. */
static uint8_t *symbol(const char *name)
{
    uint8_t *symtab = section_header(".symtab");
    if (!symtab)
        return NULL;
    uint64_t shoff = read_u64(work + 40);
    uint8_t *strsh = work + shoff + read_u32(symtab + 40) * 64u;
    const char *strings = (const char *)work + read_u64(strsh + 24);
    uint8_t *syms = work + read_u64(symtab + 24);
    for (uint64_t off = 0; off < read_u64(symtab + 32); off += 24)
        if (!strcmp(strings + read_u32(syms + off), name))
            return syms + off;
    CHECK(!"symbol not found");
    return NULL;
}

static void expect_refused(size_t len, const char *needle)
{
    struct elf_object *obj = (struct elf_object *)1;
    char msg[512] = "";
    int err = elf_object_open_memory(work, len, NULL, &obj, msg, sizeof(msg));
    CHECK(err < 0);
    CHECK(obj == NULL);
    CHECK_CONTAINS(msg, needle);
    if (err == 0)
        elf_object_free(obj);
}

static void restore(void) { memcpy(work, original, original_len); }

TEST(unmodified_objects_open)
{
    struct elf_object *obj;
    char msg[256];
    size_t len = load(FEATURES);
    CHECK_EQ(elf_object_open_memory(work, len, NULL, &obj, msg, sizeof(msg)), 0);
    elf_object_free(obj);
}

TEST(refuses_non_elf_and_wrong_headers)
{
    size_t len = load(FEATURES);
    expect_refused(0, "shorter than an ELF header");
    expect_refused(10, "shorter than an ELF header");
    work[1] = 'X';
    expect_refused(len, "bad magic");
    restore();
    work[4] = 1;
    expect_refused(len, "not 64-bit");
    restore();
    work[5] = 2;
    expect_refused(len, "big-endian");
    restore();
    work[18] = 62; /* x86-64 */
    expect_refused(len, "not eBPF");
    restore();
    work[16] = 2; /* executable */
    expect_refused(len, "not a relocatable object");
    restore();
    work[58] = 40; /* section header size */
    expect_refused(len, "section header size");
    restore();
    put64(work + 40, len - 10); /* section header table past the end */
    expect_refused(len, "extends beyond");
    restore();
    work[62] = 0xf0; /* name table index */
    expect_refused(len, "out of range");
}

TEST(truncated_files_are_refused_at_every_length)
{
    size_t len = load(FEATURES);
    /* The section headers are at the end, so every proper prefix is broken somewhere. */
    for (size_t cut = 0; cut < len; cut += 61) {
        struct elf_object *obj = NULL;
        char msg[512] = "";
        int err = elf_object_open_memory(work, cut, NULL, &obj, msg, sizeof(msg));
        CHECK(err < 0);
        CHECK(msg[0] != 0);
        if (!err)
            elf_object_free(obj);
    }
}

TEST(refuses_sections_outside_the_file)
{
    size_t len = load(FEATURES);
    uint8_t *sh = section_header("xdp");
    if (!sh)
        return;
    put64(sh + 24, len + 100);
    expect_refused(len, "extend beyond");
    restore();
    sh = section_header("xdp");
    put64(sh + 32, (uint64_t)1 << 40);
    expect_refused(len, "extend beyond");
    restore();
    sh = section_header("xdp");
    put64(sh + 32, read_u64(sh + 32) - 4); /* code not a multiple of 8 bytes */
    expect_refused(len, "not a multiple of 8");
    restore();
    sh = section_header("tc");
    put32(sh, 0x7fffffff); /* name offset, on a code section */
    expect_refused(len, "outside the section name table");
}

TEST(refuses_bad_symbol_table)
{
    size_t len = load(FEATURES);
    uint8_t *sh = section_header(".symtab");
    if (!sh)
        return;
    put64(sh + 56, 16);
    expect_refused(len, "symbol table");
    restore();
    sh = section_header(".symtab");
    put32(sh + 40, 0); /* linked string table */
    expect_refused(len, "not a string table");
    restore();
    sh = section_header(".symtab");
    put32(sh + 4, 1); /* no symbol table left */
    expect_refused(len, "no symbol table");
    restore();
    uint8_t *sym = symbol("tc_prog");
    if (!sym)
        return;
    put64(sym + 16, 1 << 20); /* function size past the section end */
    expect_refused(len, "crosses the section end");
    restore();
    sym = symbol("tc_prog");
    put64(sym + 16, 12); /* not whole instructions */
    expect_refused(len, "corrupted");
    restore();
    sym = symbol("tc_prog");
    put32(sym, 0x7fffffff); /* program name */
    expect_refused(len, "name offset");
    restore();
    sym = symbol("tc_prog");
    sym[4] = (uint8_t)(sym[4] & 0x0f); /* global -> local: a static program outside .text */
    expect_refused(len, "static");
}

TEST(refuses_bad_relocations)
{
    size_t len = load(FEATURES);
    uint8_t *rel = section_data(".relxdp");
    uint8_t *sh = section_header(".relxdp");
    if (!rel || !sh)
        return;
    put64(rel + 8, (uint64_t)100000 << 32 | 1); /* symbol index */
    expect_refused(len, "outside the symbol table");
    restore();
    put64(rel, read_u64(rel) + 3); /* offset inside an instruction */
    expect_refused(len, "not an instruction");
    restore();
    put64(rel, 1 << 20); /* offset past the code */
    expect_refused(len, "not an instruction");
    restore();
    put64(rel, 0); /* first instruction of xdp: not an lddw */
    expect_refused(len, "not a complete lddw");
    restore();
    put64(rel + 8, (read_u64(rel + 8) & ~0xffffffffull) | 3); /* R_BPF_64_ABS32 in code */
    expect_refused(len, "not a code relocation");
    restore();
    put32(sh + 44, 1000); /* target section */
    expect_refused(len, "target section");
}

TEST(refuses_broken_code_and_btf)
{
    size_t len = load(FEATURES);
    uint8_t *code = section_data("xdp");
    uint8_t *sh = section_header("xdp");
    if (!code || !sh)
        return;
    /* Damage the second slot of the first lddw of the section. */
    for (uint64_t off = 0; off + 16 <= read_u64(sh + 32); off += 8) {
        if (code[off] == 0x18) {
            code[off + 8] = 0x95;
            break;
        }
    }
    expect_refused(len, "invalid code");
    struct elf_object *obj;
    char msg[256];
    struct elf_open_options raw = {.skip_insn_validation = true};
    CHECK_EQ(elf_object_open_memory(work, len, &raw, &obj, msg, sizeof(msg)), 0);
    elf_object_free(obj);
    restore();
    uint8_t *btf = section_data(".BTF");
    if (!btf)
        return;
    btf[0] = 0; /* .maps needs BTF */
    expect_refused(len, "BTF");
    restore();
    btf = section_data(".BTF.ext");
    put32(btf + 4, 1000); /* header length */
    expect_refused(len, "BTF.ext");
}

TEST(refuses_bad_legacy_maps)
{
    size_t len = load(LEGACY);
    uint8_t *sh = section_header("maps");
    if (!sh)
        return;
    put64(sh + 32, read_u64(sh + 32) - 4); /* 3 maps in 80 bytes */
    expect_refused(len, "cannot tell the map definition size");
    restore();
    uint8_t *sym = symbol("legacy_outer");
    uint8_t *maps = section_data("maps");
    if (!sym || !maps)
        return;
    put32(maps + read_u64(sym + 8) + 20, 7); /* inner_map_idx naming no map */
    expect_refused(len, "inner map index");
    restore();
    len = load(FEATURES);
    sh = section_header("version");
    if (sh)
        put64(sh + 32, 2);
    expect_refused(len, "version");
}

TEST_MAIN
