/* Reading the ELF container itself: header, section headers, names, symbols, and what each
 * section is to the loader. Every offset and size from the file is checked against the
 * file before use; nothing else in src/elf reads raw ELF structures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_bytes.h"
#include "elf/elf_object_impl.h"

enum {
    ELF_HEADER_SIZE = 64,
    ELF_SECTION_HEADER_SIZE = 64,
    ELF_SYMBOL_SIZE = 24,
    ELF_CLASS_64 = 2,
    ELF_DATA_LSB = 1,
    ELF_DATA_MSB = 2,
    ELF_TYPE_REL = 1,
    ELF_MACHINE_BPF = 247,
};

int elf_fail(struct elf_object *obj, int err, const char *fmt, ...)
{
    if (obj->msg && obj->msg_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(obj->msg, obj->msg_size, fmt, ap);
        va_end(ap);
    }
    return -err;
}

int elf_array_grow(void **array, size_t count, size_t element_size)
{
    char *grown = realloc(*array, (count + 1) * element_size);
    if (!grown)
        return -ENOMEM;
    memset(grown + count * element_size, 0, element_size);
    *array = grown;
    return 0;
}

const char *elf_section_name(const struct elf_object *obj, size_t index)
{
    if (index >= obj->section_count || !obj->sections[index].name)
        return "?";
    return obj->sections[index].name;
}

/* A NUL-terminated string at offset of a string table section, or NULL. */
static const char *string_at(const struct elf_object *obj, size_t strtab, uint64_t offset)
{
    const struct elf_section *s = &obj->sections[strtab];
    if (!s->data || offset >= s->size)
        return NULL;
    if (!memchr(s->data + offset, 0, s->size - offset))
        return NULL;
    return (const char *)s->data + offset;
}

static int check_header(struct elf_object *obj, uint64_t *shoff, uint32_t *shnum,
                        uint32_t *shstrndx)
{
    const uint8_t *h = obj->bytes;
    if (obj->size < ELF_HEADER_SIZE)
        return elf_fail(obj, EINVAL, "not an ELF file: %zu bytes is shorter than an ELF header",
                        obj->size);
    if (memcmp(h, "\x7f" "ELF", 4))
        return elf_fail(obj, EINVAL, "not an ELF file: bad magic");
    if (h[4] != ELF_CLASS_64)
        return elf_fail(obj, EINVAL, "ELF class %u is not 64-bit", h[4]);
    if (h[5] == ELF_DATA_MSB)
        return elf_fail(obj, ENOTSUP, "big-endian eBPF objects (bpfeb) are not supported");
    if (h[5] != ELF_DATA_LSB)
        return elf_fail(obj, EINVAL, "ELF data encoding %u is invalid", h[5]);
    if (h[6] != 1)
        return elf_fail(obj, EINVAL, "ELF version %u is invalid", h[6]);
    uint16_t type = read_u16(h + 16), machine = read_u16(h + 18);
    if (machine != ELF_MACHINE_BPF)
        return elf_fail(obj, EINVAL, "ELF machine %u is not eBPF (247)", machine);
    if (type != ELF_TYPE_REL)
        return elf_fail(obj, EINVAL, "ELF type %u is not a relocatable object", type);
    *shoff = read_u64(h + 40);
    uint16_t shentsize = read_u16(h + 58);
    *shnum = read_u16(h + 60);
    *shstrndx = read_u16(h + 62);
    if (*shnum == 0 && *shoff != 0)
        return elf_fail(obj, ENOTSUP, "extended section numbering is not supported");
    if (*shnum == 0)
        return elf_fail(obj, EINVAL, "object has no sections");
    if (shentsize != ELF_SECTION_HEADER_SIZE)
        return elf_fail(obj, EINVAL, "section header size %u is not %u", shentsize,
                        ELF_SECTION_HEADER_SIZE);
    if (*shoff > obj->size || (uint64_t)*shnum * ELF_SECTION_HEADER_SIZE > obj->size - *shoff)
        return elf_fail(obj, EINVAL, "section header table (%u entries at offset %llu) "
                        "extends beyond the %zu-byte file", *shnum,
                        (unsigned long long)*shoff, obj->size);
    if (*shstrndx == ELF_SHN_XINDEX)
        return elf_fail(obj, ENOTSUP, "extended section name table index is not supported");
    if (*shstrndx == 0 || *shstrndx >= *shnum)
        return elf_fail(obj, EINVAL, "section name table index %u is out of range (%u sections)",
                        *shstrndx, *shnum);
    return 0;
}

int elf_read_sections(struct elf_object *obj)
{
    uint64_t shoff = 0;
    uint32_t shnum = 0, shstrndx = 0;
    int err = check_header(obj, &shoff, &shnum, &shstrndx);
    if (err)
        return err;
    obj->sections = calloc(shnum, sizeof(*obj->sections));
    if (!obj->sections)
        return elf_fail(obj, ENOMEM, "out of memory");
    obj->section_count = shnum;
    uint32_t *name_offsets = calloc(shnum, sizeof(*name_offsets));
    if (!name_offsets)
        return elf_fail(obj, ENOMEM, "out of memory");
    for (uint32_t i = 0; i < shnum; i++) {
        const uint8_t *sh = obj->bytes + shoff + (uint64_t)i * ELF_SECTION_HEADER_SIZE;
        struct elf_section *s = &obj->sections[i];
        name_offsets[i] = read_u32(sh);
        s->type = read_u32(sh + 4);
        s->flags = read_u64(sh + 8);
        uint64_t offset = read_u64(sh + 24);
        s->size = read_u64(sh + 32);
        s->link = read_u32(sh + 40);
        s->info = read_u32(sh + 44);
        s->entsize = read_u64(sh + 56);
        if (i == 0 || s->type == ELF_SHT_NULL || s->type == ELF_SHT_NOBITS)
            continue;
        if (offset > obj->size || s->size > obj->size - offset) {
            free(name_offsets);
            return elf_fail(obj, EINVAL, "section %u: contents [%llu, +%llu) extend beyond "
                            "the %zu-byte file", i, (unsigned long long)offset,
                            (unsigned long long)s->size, obj->size);
        }
        s->data = obj->bytes + offset;
    }
    if (obj->sections[shstrndx].type != ELF_SHT_STRTAB) {
        free(name_offsets);
        return elf_fail(obj, EINVAL, "section name table (section %u) is not a string table",
                        shstrndx);
    }
    for (uint32_t i = 1; i < shnum; i++) {
        struct elf_section *s = &obj->sections[i];
        s->name = string_at(obj, shstrndx, name_offsets[i]);
        /* A broken name on a section the program never sees (debug info) is tolerated, as
         * PREVAIL does; code, data and tables need theirs. */
        bool needed = (s->flags & (ELF_SHF_ALLOC | ELF_SHF_EXECINSTR)) ||
                      s->type == ELF_SHT_SYMTAB || s->type == ELF_SHT_NOBITS;
        if (!s->name && !needed) {
            s->name = "?";
            s->unnamed = true;
        }
        if (!s->name) {
            err = elf_fail(obj, EINVAL, "section %u: name offset %u is outside the section "
                           "name table (%llu bytes)", i, name_offsets[i],
                           (unsigned long long)obj->sections[shstrndx].size);
            free(name_offsets);
            return err;
        }
    }
    obj->sections[0].name = "";
    free(name_offsets);
    return 0;
}

int elf_read_symbols(struct elf_object *obj)
{
    size_t symtab = 0;
    for (size_t i = 1; i < obj->section_count; i++) {
        if (obj->sections[i].type != ELF_SHT_SYMTAB)
            continue;
        if (symtab)
            return elf_fail(obj, EINVAL, "object has two symbol tables (sections %zu and %zu)",
                            symtab, i);
        symtab = i;
    }
    if (!symtab)
        return elf_fail(obj, ENOENT, "object has no symbol table (stripped?)");
    const struct elf_section *s = &obj->sections[symtab];
    if (s->entsize != ELF_SYMBOL_SIZE || s->size % ELF_SYMBOL_SIZE)
        return elf_fail(obj, EINVAL, "symbol table '%s': entry size %llu or size %llu is not "
                        "a multiple of %u", s->name, (unsigned long long)s->entsize,
                        (unsigned long long)s->size, ELF_SYMBOL_SIZE);
    if (s->link == 0 || s->link >= obj->section_count ||
        obj->sections[s->link].type != ELF_SHT_STRTAB)
        return elf_fail(obj, EINVAL, "symbol table '%s': linked section %u is not a string "
                        "table", s->name, s->link);
    obj->symbols = calloc(s->size / ELF_SYMBOL_SIZE + 1, sizeof(*obj->symbols));
    if (!obj->symbols)
        return elf_fail(obj, ENOMEM, "out of memory");
    obj->symbol_count = s->size / ELF_SYMBOL_SIZE;
    for (size_t i = 0; i < obj->symbol_count; i++) {
        const uint8_t *p = s->data + i * ELF_SYMBOL_SIZE;
        struct elf_symbol *sym = &obj->symbols[i];
        uint32_t name = read_u32(p);
        sym->name = string_at(obj, s->link, name);
        if (!sym->name) {
            /* Only fatal where the name is used (programs, maps, externs). */
            sym->name = "?";
            sym->bad_name = true;
            sym->bad_name_offset = name;
        }
        sym->type = p[4] & 0xf;
        sym->bind = p[4] >> 4;
        sym->visibility = p[5] & 0x3;
        sym->shndx = read_u16(p + 6);
        sym->value = read_u64(p + 8);
        sym->size = read_u64(p + 16);
        if (sym->type == ELF_STT_SECTION && sym->shndx < obj->section_count)
            sym->name = obj->sections[sym->shndx].name;
        /* A symbol in a section that does not exist can name nothing the loader uses:
         * treat it as absolute (belonging to no section) so that programs, maps and
         * relocations never see it, as PREVAIL does. */
        if (sym->shndx != ELF_SHN_UNDEF && sym->shndx < ELF_SHN_LORESERVE &&
            sym->shndx >= obj->section_count)
            sym->shndx = ELF_SHN_ABS;
        if (sym->shndx == ELF_SHN_XINDEX)
            return elf_fail(obj, ENOTSUP, "symbol %zu '%s': extended section index is not "
                            "supported", i, sym->name);
    }
    return 0;
}

int elf_check_symbol_name(struct elf_object *obj, const struct elf_symbol *sym, const char *what)
{
    if (!sym->bad_name)
        return 0;
    return elf_fail(obj, EINVAL, "%s symbol %zu: name offset %u is outside the string table",
                    what, (size_t)(sym - obj->symbols), sym->bad_name_offset);
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* name is exactly base or base followed by ".anything" (libbpf's DATA_SEC "." prefix). */
static bool is_named_section(const char *name, const char *base)
{
    size_t len = strlen(base);
    return strncmp(name, base, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

int elf_classify_sections(struct elf_object *obj)
{
    for (size_t i = 1; i < obj->section_count; i++) {
        struct elf_section *s = &obj->sections[i];
        const char *name = s->name;
        if (s->unnamed)
            continue;
        if (s->type == ELF_SHT_SYMTAB) {
            s->role = ROLE_SYMTAB;
            continue;
        }
        if (s->type == ELF_SHT_REL) {
            s->role = ROLE_REL;
            continue;
        }
        if (s->type == ELF_SHT_NOBITS && is_named_section(name, ".bss")) {
            s->role = ROLE_BSS;
            continue;
        }
        if (s->type != ELF_SHT_PROGBITS)
            continue;
        bool needed = true;
        if (!strcmp(name, "license"))
            s->role = ROLE_LICENSE;
        else if (!strcmp(name, "version"))
            s->role = ROLE_VERSION;
        else if (!strcmp(name, "maps") || has_prefix(name, "maps/"))
            s->role = ROLE_LEGACY_MAPS;
        else if (!strcmp(name, ".maps"))
            s->role = ROLE_BTF_MAPS;
        else if (!strcmp(name, ".BTF"))
            s->role = ROLE_BTF;
        else if (!strcmp(name, ".BTF.ext"))
            s->role = ROLE_BTF_EXT;
        else if (s->size == 0)
            needed = false;
        else if (s->flags & ELF_SHF_EXECINSTR)
            s->role = ROLE_PROGRAM;
        else if (is_named_section(name, ".data"))
            s->role = ROLE_DATA;
        else if (is_named_section(name, ".rodata"))
            s->role = ROLE_RODATA;
        else
            needed = false;
        if (needed && (s->flags & ELF_SHF_COMPRESSED))
            return elf_fail(obj, ENOTSUP, "section %zu '%s' is compressed", i, name);
        if (s->role == ROLE_BTF_MAPS) {
            if (obj->btf_maps_section)
                return elf_fail(obj, EINVAL, "object has two .maps sections");
            obj->btf_maps_section = i;
        }
        if (s->role == ROLE_PROGRAM && !strcmp(name, ".text"))
            obj->text_section = i;
    }
    for (size_t i = 1; i < obj->section_count; i++) {
        const struct elf_section *s = &obj->sections[i];
        if (s->role == ROLE_LICENSE) {
            size_t n = s->size < sizeof(obj->license) - 1 ? s->size : sizeof(obj->license) - 1;
            memcpy(obj->license, s->data, n);
            obj->license[n] = 0; /* the section may lack its NUL; strings stop at the first */
        } else if (s->role == ROLE_VERSION) {
            if (s->size != 4)
                return elf_fail(obj, EINVAL, "section %zu 'version' has %llu bytes, not 4", i,
                                (unsigned long long)s->size);
            obj->kernel_version = read_u32(s->data);
        } else if (s->role == ROLE_PROGRAM && s->size % sizeof(struct ebpf_insn)) {
            return elf_fail(obj, EINVAL, "section %zu '%s': size %llu is not a multiple of 8 "
                            "(eBPF instructions)", i, s->name, (unsigned long long)s->size);
        }
    }
    return 0;
}
