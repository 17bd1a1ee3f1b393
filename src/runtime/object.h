/* Loading a whole ELF object: its maps are created (with their initial contents), then its
 * programs are loaded against them, then prog arrays get their initial slots. This is
 * bpf_object__load underneath the libbpf-compatible API. */
#ifndef BPFHOST_RUNTIME_OBJECT_H
#define BPFHOST_RUNTIME_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "elf/elf_object.h"
#include "maps/map.h"
#include "runtime/prog.h"

struct runtime_object {
    const struct elf_object *elf;      /* not owned */
    struct bpfhost_map **maps;         /* per elf map index */
    size_t map_count;
    struct runtime_prog **progs;       /* per elf program index; NULL for subprograms */
    size_t prog_count;
};

/* Every program goes through the verifier unless allow_unverified; the first one it
 * rejects fails the load, with a message naming the program. */
struct runtime_object_options {
    bool allow_unverified;             /* see runtime_prog_attr */
    enum runtime_engine engine;
    const char *only_program;          /* load just this program (NULL: all) */
    /* What the libbpf API changed before load (bpf_program__set_type, bpf_map__set_max_entries,
     * bpf_map__reuse_fd ...), indexed like elf_object_program() and elf_object_map(); each
     * NULL keeps the object's own. */
    const struct elf_program *programs;    /* definitions replacing the object's */
    const bool *programs_disabled;         /* true: not loaded (autoload off) */
    const struct elf_map *maps;            /* definitions replacing the object's */
    struct bpfhost_map *const *reused_maps; /* non-NULL: used (a reference taken), not created */
    char *log;                         /* the verifier's log of the last program verified */
    size_t log_size;
    /* For inspection (the CLI's map and prog commands): a program that cannot be loaded is
     * left out (its progs[] entry NULL) instead of failing the object; msg names the first. */
    bool skip_failed_programs;
};

int runtime_object_load(const struct elf_object *elf, const struct runtime_object_options *opts,
                        struct runtime_object **out, char *msg, size_t msg_size);
void runtime_object_free(struct runtime_object *obj);

/* The loaded program or map of that name, or NULL. */
struct runtime_prog *runtime_object_prog(const struct runtime_object *obj, const char *name);
struct bpfhost_map *runtime_object_map(const struct runtime_object *obj, const char *name);

#endif
