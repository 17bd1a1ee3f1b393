/* Verifying the programs of an ELF object (src/elf) the way a loader would: the program
 * type each program is checked against, the object's maps, and source lines from BTF
 * line info in messages. The command-line tools share it; the rules for choosing a type
 * are documented in docs/verifier.md ("Program types of an object").
 *
 * Subprograms (.text functions of an object that has other programs) cannot be loaded
 * alone: like Linux, bpfhost verifies them as part of every program that calls them, so
 * a subprogram's verdict is its callers' verdict, and a subprogram no program calls has
 * nothing to verify. */
#ifndef BPFHOST_VERIFIER_OBJECT_VERIFY_H
#define BPFHOST_VERIFIER_OBJECT_VERIFY_H

#include "elf/elf_object.h"
#include "verifier/verifier.h"

struct object_verify_options {
    const struct prog_type_desc *type; /* NULL: chosen per program (see object_verify_type) */
    uint32_t max_states_per_point;      /* 0: the verifier's default */
    uint64_t max_steps;                 /* 0: the verifier's default */
    char *log;                          /* verbose log, or NULL */
    size_t log_size;
    bool log_every_insn;
};

enum { OBJECT_VERIFY_NOTE_SIZE = 256 };

struct object_verify_result {
    int err;                            /* verifier_verify's return value */
    struct verifier_result result;
    const struct prog_type_desc *type;  /* checked against; NULL when no type fits */
    char type_reason[OBJECT_VERIFY_NOTE_SIZE]; /* how the type was chosen */
    /* Subprograms: "verified within its callers: a, b" or "called by no program"; "" else. */
    char note[OBJECT_VERIFY_NOTE_SIZE];
    size_t insn_count;                  /* instructions verified (subprograms appended) */
};

/* The program type a program of obj is verified against, or NULL (reason says why):
 *   1. forced, when not NULL (a command line's --type);
 *   2. the type the loader gives the section name (skb-based types without a descriptor
 *      of their own use "tc"'s; CGROUP_SOCK_ADDR and SOCK_OPS programs that
 *      object_windows_socket_evidence finds eBPF for Windows' use "windows/sock_addr" and
 *      "windows/sockops");
 *   3. for section names the loader does not know, a type from the name's prefix
 *      ("xdp_vlan_swap" is XDP, "cgroup/..." is sock_addr);
 *   4. otherwise XDP or SCHED_CLS ("tc") by the context fields the code uses
 *      (prog_type_infer_packet_type). */
const struct prog_type_desc *object_verify_type(const struct elf_object *obj, const struct elf_program *prog,
                                                const struct prog_type_desc *forced, char *reason,
                                                size_t reason_size);

/* Why prog, whose section name Linux and eBPF for Windows share (cgroup/connect4,
 * sockops), is taken as eBPF for Windows': the name of a socket hook only eBPF for Windows
 * defines (bind, cgroup/recv_accept4/6), prog's own or another program's in obj; NULL when
 * there is none and prog is Linux's. Those hooks come from the Windows network extension
 * that also defines the shared names; other Windows-only sections (process, xdp_test,
 * sample_ext) say nothing about the socket programs next to them. */
const char *object_windows_socket_evidence(const struct elf_object *obj, const struct elf_program *prog);

/* Verifies program index of obj. Returns out->err: 0 accepted, -EACCES unsafe, -E2BIG too
 * complex, -EINVAL malformed, -EOPNOTSUPP no descriptor for its type, -ENOMEM. */
int object_verify_program(const struct elf_object *obj, size_t index, const struct object_verify_options *options,
                          struct object_verify_result *out);

/* Fills maps (capacity entries) with obj's maps as the verifier sees them, inner map
 * templates appended; returns the count. */
size_t object_verify_maps(const struct elf_object *obj, struct verifier_map *maps, size_t capacity);

#endif
