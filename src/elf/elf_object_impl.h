/* Private to src/elf: the object under construction, shared by the steps of opening it
 * (reading the ELF file, collecting programs, maps, externs, relocating). Not a module
 * interface: other layers use elf_object.h. */
#ifndef BPFHOST_ELF_OBJECT_IMPL_H
#define BPFHOST_ELF_OBJECT_IMPL_H

#include <stdarg.h>

#include "elf/btf.h"
#include "elf/elf_object.h"

/* ELF constants used here (from the ELF specification; <elf.h> is not portable). */
enum {
    ELF_SHT_NULL = 0, ELF_SHT_PROGBITS = 1, ELF_SHT_SYMTAB = 2, ELF_SHT_STRTAB = 3,
    ELF_SHT_RELA = 4, ELF_SHT_NOBITS = 8, ELF_SHT_REL = 9,
    ELF_SHF_WRITE = 0x1, ELF_SHF_ALLOC = 0x2, ELF_SHF_EXECINSTR = 0x4,
    ELF_SHF_COMPRESSED = 0x800,
    ELF_SHN_UNDEF = 0, ELF_SHN_LORESERVE = 0xff00, ELF_SHN_ABS = 0xfff1,
    ELF_SHN_COMMON = 0xfff2, ELF_SHN_XINDEX = 0xffff,
    ELF_STB_LOCAL = 0, ELF_STB_GLOBAL = 1, ELF_STB_WEAK = 2,
    ELF_STT_NOTYPE = 0, ELF_STT_OBJECT = 1, ELF_STT_FUNC = 2, ELF_STT_SECTION = 3,
    ELF_STV_DEFAULT = 0, ELF_STV_INTERNAL = 1, ELF_STV_HIDDEN = 2,
    ELF_R_BPF_NONE = 0, ELF_R_BPF_64_64 = 1, ELF_R_BPF_64_ABS64 = 2, ELF_R_BPF_64_ABS32 = 3,
    ELF_R_BPF_64_NODYLD32 = 4, ELF_R_BPF_64_32 = 10,
};

/* What a section is to the loader. */
enum elf_section_role {
    ROLE_OTHER, ROLE_PROGRAM, ROLE_LICENSE, ROLE_VERSION, ROLE_LEGACY_MAPS, ROLE_BTF_MAPS,
    ROLE_DATA, ROLE_RODATA, ROLE_BSS, ROLE_BTF, ROLE_BTF_EXT, ROLE_SYMTAB, ROLE_REL,
};

struct elf_section {
    const char *name;
    uint32_t type;
    uint64_t flags;
    const uint8_t *data;        /* NULL for SHT_NOBITS */
    uint64_t size;
    uint32_t link, info;
    uint64_t entsize;
    enum elf_section_role role;
    bool unnamed;               /* its name was invalid; never used by the loader */
    struct ebpf_insn *insns;    /* ROLE_PROGRAM: the code with data relocations applied */
    struct elf_insn_reloc *relocs; /* ROLE_PROGRAM: call and subprogram-address relocations */
    size_t reloc_count;
};

struct elf_symbol {
    const char *name;
    uint64_t value, size;
    uint16_t shndx;
    uint8_t type, bind, visibility;
    bool bad_name;              /* name offset was invalid: name is "?" */
    uint32_t bad_name_offset;
};

/* A relocation that decides where code goes: a call to a subprogram or an lddw that takes
 * a subprogram's address (callbacks). */
struct elf_insn_reloc {
    size_t insn;                /* index in the section */
    uint64_t sym_value;         /* byte offset of the symbol in .text */
};

struct elf_object {
    char *name;
    uint8_t *bytes;
    size_t size;
    struct elf_section *sections;
    size_t section_count;
    struct elf_symbol *symbols;
    size_t symbol_count;
    size_t text_section;        /* 0 when the object has no .text code */
    size_t btf_maps_section;    /* 0 when none */
    struct btf *btf;
    struct btf_ext *btf_ext;
    char license[128];
    uint32_t kernel_version;        /* the "version" section */
    uint32_t kconfig_kernel_version; /* what LINUX_KERNEL_VERSION externs read */
    bool validate_insns;
    bool relaxed_maps;
    const char *kconfig;        /* the caller's, during open only */

    struct elf_program *programs;
    size_t program_count;
    struct elf_map *maps;
    struct elf_map_place *map_places; /* parallel to maps */
    size_t map_count;

    struct elf_kconfig_extern *externs;
    size_t extern_count;
    int32_t kconfig_map;        /* index of the .kconfig map, -1 when none */

    char *msg;
    size_t msg_size;
};

/* Where a map's definition lies, for relocations that name it. */
struct elf_map_place {
    size_t section;             /* 0 for .kconfig */
    uint64_t offset, size;
    uint32_t btf_var_index;     /* BTF maps: its variable in the .maps datasec */
};

struct elf_kconfig_extern {
    const char *name;
    uint32_t offset;            /* in the .kconfig map value */
};

/* Writes "fmt" into the object's message buffer and returns -err. */
int elf_fail(struct elf_object *obj, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The steps of elf_object_open_memory, in order. Each returns 0 or elf_fail(...). */
int elf_read_sections(struct elf_object *obj);
int elf_read_symbols(struct elf_object *obj);
int elf_classify_sections(struct elf_object *obj);
int elf_collect_programs(struct elf_object *obj);
int elf_collect_maps(struct elf_object *obj);
int elf_collect_externs(struct elf_object *obj);
/* The caller's value of a CONFIG_* .kconfig extern (elf_open_options.kconfig) of BTF type
 * type_id, written to out (size bytes): 0 and *found, or elf_fail(...) for a value the
 * type cannot take. */
int elf_kconfig_value(struct elf_object *obj, const char *name, uint32_t type_id, uint32_t size,
                      uint8_t *out, bool *found);
int elf_relocate_data(struct elf_object *obj);
int elf_relocate_map_slots(struct elf_object *obj);
int elf_link_programs(struct elf_object *obj);

/* Grows *array (of count elements) by one zeroed element; returns 0 or -ENOMEM. The caller
 * increments its count. */
int elf_array_grow(void **array, size_t count, size_t element_size);
/* Adds a zeroed map with its place; returns its index or -ENOMEM. */
int elf_add_map(struct elf_object *obj, size_t section, uint64_t offset, uint64_t size);

/* Section name of an index, or "?" when out of range (for messages). */
/* Adds a one-entry array map for global data (section 0 for .kconfig): libbpf's name,
 * flags and BTF value type. contents may be NULL (zeros). Returns its index or -errno. */
int elf_add_internal_map(struct elf_object *obj, size_t section, const char *section_name,
                         enum elf_map_origin origin, uint32_t value_size,
                         const uint8_t *contents);
const char *elf_section_name(const struct elf_object *obj, size_t index);
/* The map whose definition holds (section, offset), or -1. */
int elf_find_map_at(const struct elf_object *obj, size_t section, uint64_t offset);
/* Fails when a symbol whose name the loader needs has an invalid one. */
int elf_check_symbol_name(struct elf_object *obj, const struct elf_symbol *sym, const char *what);

#endif
