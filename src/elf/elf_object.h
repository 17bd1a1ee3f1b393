/* The eBPF object model before load: what `clang -O2 -g -target bpf` put in an ELF file,
 * read from untrusted bytes the way libbpf 1.x reads it, with every relocation resolved
 * so that each program is self-contained:
 *
 *   - every function of every executable section becomes an elf_program; .text functions
 *     are subprograms (is_subprog) when the object has any other program, as in libbpf;
 *     sections without function symbols (objects from old compilers) give one program
 *     named after the section, as PREVAIL and the ebpf-samples expectations name them;
 *   - the subprograms a program calls (bpf-to-bpf calls, callbacks) are appended to its
 *     instructions as libbpf's bpf_object__relocate_calls does, calls re-targeted;
 *   - map references become `lddw` in the "map index" form: src=5 (EBPF_LDDW_MAP_IDX),
 *     imm = index in elf_object_maps(); global data references become src=6
 *     (EBPF_LDDW_MAP_IDX_VALUE), imm = map index, next imm = offset in the value. The
 *     runtime substitutes real map handles at load;
 *   - maps: BTF-defined (.maps), legacy ("maps" and "maps/..." sections), global data
 *     (.data, .rodata, .bss and their ".name" variants, one-entry arrays), .kconfig externs.
 *
 * Program types and attach types are Linux's enum bpf_prog_type / bpf_attach_type numbers;
 * eBPF for Windows hook types that Linux lacks get numbers from EBPF_HOST_TYPE_BASE up.
 * Errors are negative errno values with a message naming what is wrong. */
#ifndef BPFHOST_ELF_OBJECT_H
#define BPFHOST_ELF_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"

/* Linux's enum bpf_prog_type. */
enum ebpf_prog_type {
    EBPF_PROG_TYPE_UNSPEC = 0, EBPF_PROG_TYPE_SOCKET_FILTER = 1, EBPF_PROG_TYPE_KPROBE = 2,
    EBPF_PROG_TYPE_SCHED_CLS = 3, EBPF_PROG_TYPE_SCHED_ACT = 4, EBPF_PROG_TYPE_TRACEPOINT = 5,
    EBPF_PROG_TYPE_XDP = 6, EBPF_PROG_TYPE_PERF_EVENT = 7, EBPF_PROG_TYPE_CGROUP_SKB = 8,
    EBPF_PROG_TYPE_CGROUP_SOCK = 9, EBPF_PROG_TYPE_LWT_IN = 10, EBPF_PROG_TYPE_LWT_OUT = 11,
    EBPF_PROG_TYPE_LWT_XMIT = 12, EBPF_PROG_TYPE_SOCK_OPS = 13, EBPF_PROG_TYPE_SK_SKB = 14,
    EBPF_PROG_TYPE_CGROUP_DEVICE = 15, EBPF_PROG_TYPE_SK_MSG = 16,
    EBPF_PROG_TYPE_RAW_TRACEPOINT = 17, EBPF_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
    EBPF_PROG_TYPE_LWT_SEG6LOCAL = 19, EBPF_PROG_TYPE_LIRC_MODE2 = 20,
    EBPF_PROG_TYPE_SK_REUSEPORT = 21, EBPF_PROG_TYPE_FLOW_DISSECTOR = 22,
    EBPF_PROG_TYPE_CGROUP_SYSCTL = 23, EBPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
    EBPF_PROG_TYPE_CGROUP_SOCKOPT = 25, EBPF_PROG_TYPE_TRACING = 26,
    EBPF_PROG_TYPE_STRUCT_OPS = 27, EBPF_PROG_TYPE_EXT = 28, EBPF_PROG_TYPE_LSM = 29,
    EBPF_PROG_TYPE_SK_LOOKUP = 30, EBPF_PROG_TYPE_SYSCALL = 31,
};

/* Linux's enum bpf_attach_type. */
enum ebpf_attach_type {
    EBPF_ATTACH_NONE = 0, /* Linux's BPF_CGROUP_INET_INGRESS doubles as "none" */
    EBPF_CGROUP_INET_INGRESS = 0, EBPF_CGROUP_INET_EGRESS = 1,
    EBPF_CGROUP_INET_SOCK_CREATE = 2, EBPF_CGROUP_SOCK_OPS = 3,
    EBPF_SK_SKB_STREAM_PARSER = 4, EBPF_SK_SKB_STREAM_VERDICT = 5, EBPF_CGROUP_DEVICE = 6,
    EBPF_SK_MSG_VERDICT = 7, EBPF_CGROUP_INET4_BIND = 8, EBPF_CGROUP_INET6_BIND = 9,
    EBPF_CGROUP_INET4_CONNECT = 10, EBPF_CGROUP_INET6_CONNECT = 11,
    EBPF_CGROUP_INET4_POST_BIND = 12, EBPF_CGROUP_INET6_POST_BIND = 13,
    EBPF_CGROUP_UDP4_SENDMSG = 14, EBPF_CGROUP_UDP6_SENDMSG = 15, EBPF_LIRC_MODE2 = 16,
    EBPF_FLOW_DISSECTOR = 17, EBPF_CGROUP_SYSCTL = 18, EBPF_CGROUP_UDP4_RECVMSG = 19,
    EBPF_CGROUP_UDP6_RECVMSG = 20, EBPF_CGROUP_GETSOCKOPT = 21, EBPF_CGROUP_SETSOCKOPT = 22,
    EBPF_TRACE_RAW_TP = 23, EBPF_TRACE_FENTRY = 24, EBPF_TRACE_FEXIT = 25,
    EBPF_MODIFY_RETURN = 26, EBPF_LSM_MAC = 27, EBPF_TRACE_ITER = 28,
    EBPF_CGROUP_INET4_GETPEERNAME = 29, EBPF_CGROUP_INET6_GETPEERNAME = 30,
    EBPF_CGROUP_INET4_GETSOCKNAME = 31, EBPF_CGROUP_INET6_GETSOCKNAME = 32,
    EBPF_XDP_DEVMAP = 33, EBPF_CGROUP_INET_SOCK_RELEASE = 34, EBPF_XDP_CPUMAP = 35,
    EBPF_SK_LOOKUP = 36, EBPF_XDP = 37, EBPF_SK_SKB_VERDICT = 38,
    EBPF_SK_REUSEPORT_SELECT = 39, EBPF_SK_REUSEPORT_SELECT_OR_MIGRATE = 40,
    EBPF_PERF_EVENT = 41, EBPF_TRACE_KPROBE_MULTI = 42, EBPF_LSM_CGROUP = 43,
};

/* bpfhost's own program and attach types for eBPF for Windows hooks that have no Linux
 * equivalent. They start far beyond Linux's enums so that Linux can keep growing. The same
 * numbers serve as program type and as expected attach type. */
enum {
    EBPF_HOST_TYPE_BASE = 0x1000,
    EBPF_PROG_TYPE_HOST_BIND = EBPF_HOST_TYPE_BASE + 0,       /* section "bind" */
    EBPF_PROG_TYPE_HOST_XDP_TEST = EBPF_HOST_TYPE_BASE + 1,   /* section "xdp_test" */
    EBPF_PROG_TYPE_HOST_SAMPLE = EBPF_HOST_TYPE_BASE + 2,     /* section "sample_ext" */
    EBPF_PROG_TYPE_HOST_PROCESS = EBPF_HOST_TYPE_BASE + 3,    /* section "process" */
    EBPF_ATTACH_HOST_BIND = EBPF_PROG_TYPE_HOST_BIND,
    EBPF_ATTACH_HOST_XDP_TEST = EBPF_PROG_TYPE_HOST_XDP_TEST,
    EBPF_ATTACH_HOST_SAMPLE = EBPF_PROG_TYPE_HOST_SAMPLE,
    EBPF_ATTACH_HOST_PROCESS = EBPF_PROG_TYPE_HOST_PROCESS,
};

/* Linux's BPF_F_* program load flags that section names imply. */
enum { EBPF_F_SLEEPABLE = 1u << 4, EBPF_F_XDP_HAS_FRAGS = 1u << 5 };

/* Linux's enum bpf_map_type values used by the loader itself. */
enum {
    EBPF_MAP_TYPE_UNSPEC = 0, EBPF_MAP_TYPE_HASH = 1, EBPF_MAP_TYPE_ARRAY = 2,
    EBPF_MAP_TYPE_PROG_ARRAY = 3, EBPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
    EBPF_MAP_TYPE_HASH_OF_MAPS = 13,
};

/* Linux's map flags that global data maps get (as libbpf sets them). */
enum { EBPF_F_RDONLY_PROG = 1u << 7, EBPF_F_MMAPABLE = 1u << 10 };

/* libbpf's enum libbpf_pin_type. */
enum { EBPF_PIN_NONE = 0, EBPF_PIN_BY_NAME = 1 };

/* Program type and attach type of a section name, by libbpf 1.1's section table plus the
 * eBPF for Windows sections. Returns false (and type unspec) for unknown names. */
struct elf_section_type {
    uint32_t prog_type;
    uint32_t expected_attach_type;
    uint32_t prog_flags;           /* EBPF_F_SLEEPABLE, EBPF_F_XDP_HAS_FRAGS */
};
bool elf_section_type_by_name(const char *section_name, struct elf_section_type *out);

/* Where a map's definition came from. */
enum elf_map_origin {
    ELF_MAP_BTF,         /* .maps */
    ELF_MAP_LEGACY,      /* struct bpf_map_def in "maps" or "maps/..." */
    ELF_MAP_DATA,        /* .data, .data.* */
    ELF_MAP_RODATA,      /* .rodata, .rodata.* */
    ELF_MAP_BSS,         /* .bss, .bss.* */
    ELF_MAP_KCONFIG,     /* .kconfig externs */
};

/* An initial slot of a prog array (target = program index) or map-in-map (target = map
 * index), from relocations in .maps. */
struct elf_map_slot {
    uint32_t slot;
    uint32_t target;
};

struct elf_map {
    char *name;                  /* libbpf's name (global data: "<obj>.rodata" truncated) */
    char *section_name;          /* where it was defined */
    enum elf_map_origin origin;
    uint32_t type, key_size, value_size, max_entries, map_flags, numa_node, pinning;
    uint64_t map_extra;
    uint32_t btf_key_type_id, btf_value_type_id; /* 0 when unknown */
    /* BTF maps whose value struct has a struct bpf_spin_lock member: its byte offset (the
     * first one's; more than one is refused when the map is created, as Linux does). */
    bool has_spin_lock;
    uint32_t spin_lock_offset;
    uint32_t spin_lock_count;
    /* Map-in-map: the inner map's definition (not itself in the object's map list; it is
     * a template, as in libbpf; for legacy maps a copy of the map inner_map_index names),
     * NULL otherwise. */
    struct elf_map *inner;
    /* Legacy map-in-map: index of the map whose definition is the inner one, or -1. */
    int32_t inner_map_index;
    /* Contents of global data maps (value_size bytes; zeros for .bss); NULL otherwise. */
    uint8_t *initial_value;
    struct elf_map_slot *init_slots; /* prog arrays and map-in-maps */
    size_t init_slot_count;
};

/* One source position, for a program instruction. */
struct elf_line {
    size_t insn;                 /* index in the program's final instructions */
    const char *file_name;
    const char *line_text;       /* the source line itself */
    uint32_t line, column;
};

/* A BTF function of the program (its entry and each appended subprogram). */
struct elf_func {
    size_t insn;
    uint32_t btf_type_id;
};

struct elf_program {
    char *name;
    char *section_name;
    uint32_t prog_type, expected_attach_type, prog_flags;
    bool is_subprog;             /* a .text function, when the object has other programs */
    bool is_global;              /* global symbol (non-static function) */
    /* The section had no function symbols (old compilers): this program is the whole
     * section and is named after it. libbpf 1.x does not see such programs. */
    bool whole_section;
    size_t section_index;        /* ELF section */
    uint32_t section_offset;     /* byte offset of the function in its section */
    size_t own_insn_count;       /* the function alone (libbpf's insn count at open) */
    struct ebpf_insn *insns;     /* the function, then the subprograms it calls */
    size_t insn_count;
    const char *source_file;     /* from line info; NULL without BTF.ext */
    struct elf_line *lines;      /* sorted by insn */
    size_t line_count;
    struct elf_func *funcs;
    size_t func_count;
    /* CO-RE relocations in the program and its subprograms. bpfhost has no kernel BTF to
     * resolve them against and does not apply them: a loader must refuse a program whose
     * count is not 0 rather than run it with the compiler's field offsets. */
    size_t core_relo_count;
};

struct elf_object;
struct btf;

struct elf_open_options {
    /* Object name (libbpf's: the file's base name up to the first '.'); default for memory:
     * "object". Prefixes global data map names. */
    const char *object_name;
    /* Value of the LINUX_KERNEL_VERSION .kconfig extern; 0 means the default,
     * ELF_DEFAULT_KERNEL_VERSION. */
    uint32_t kernel_version;
    /* Skip the per-program check of instruction forms, lddw pairs and jump targets
     * (isa_validate_program), for tools that want to show malformed code. */
    bool skip_insn_validation;
    /* Ignore unknown fields of BTF map definitions instead of refusing them (libbpf's
     * relaxed_maps). */
    bool relaxed_maps;
    /* Values of CONFIG_* .kconfig externs, as lines "CONFIG_NAME=VALUE" (y/n/m, a number, or
     * a quoted string), libbpf's kconfig option; read during open only. Externs it does not
     * name keep the defaults. */
    const char *kconfig;
};

/* KERNEL_VERSION(6, 1, 0): the Linux version whose section names and helpers bpfhost
 * follows. */
#define ELF_DEFAULT_KERNEL_VERSION ((6u << 16) | (1u << 8) | 0u)

/* Opens an object from memory (the bytes are copied; the caller keeps its buffer) or from a
 * file. options may be NULL. On failure returns a negative errno, *out = NULL, and msg names
 * what is wrong ("section 5 'maps': ..."). */
int elf_object_open_memory(const void *data, size_t size, const struct elf_open_options *options,
                           struct elf_object **out, char *msg, size_t msg_size);
int elf_object_open_file(const char *path, const struct elf_open_options *options,
                         struct elf_object **out, char *msg, size_t msg_size);
void elf_object_free(struct elf_object *obj);

const char *elf_object_name(const struct elf_object *obj);
const char *elf_object_license(const struct elf_object *obj); /* "" when absent */
uint32_t elf_object_kernel_version(const struct elf_object *obj); /* "version" section, or 0 */

/* Programs in ELF order (sections by index, functions by symbol order), subprograms
 * included: filter with is_subprog for libbpf's view. */
size_t elf_object_program_count(const struct elf_object *obj);
const struct elf_program *elf_object_program(const struct elf_object *obj, size_t index);
/* Index of a program by name (subprograms included), or -1. */
int elf_object_find_program(const struct elf_object *obj, const char *name);

size_t elf_object_map_count(const struct elf_object *obj);
const struct elf_map *elf_object_map(const struct elf_object *obj, size_t index);
int elf_object_find_map(const struct elf_object *obj, const char *name);

/* The object's BTF (NULL when it has none); valid until elf_object_free. */
const struct btf *elf_object_btf(const struct elf_object *obj);

/* The source position of instruction insn of a program: the last line record at or before
 * it. Returns NULL when the program has no line info. */
const struct elf_line *elf_program_line(const struct elf_program *prog, size_t insn);

#endif
