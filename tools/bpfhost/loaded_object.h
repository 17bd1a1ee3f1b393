/* The objects the map and prog commands look at. The CLI is its own process, and bpfhost's
 * objects live in the process that loads them, so these commands load the object file named
 * on the command line and then work only through the libbpf-compatible API (fds, ids, info,
 * pins of the process's /sys/fs/bpf): when a bpfhostd daemon serves that API to clients, the
 * same command code lists and edits the daemon's objects instead. */
#ifndef BPFHOST_CLI_LOADED_OBJECT_H
#define BPFHOST_CLI_LOADED_OBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "elf/elf_object.h"
#include "runtime/object.h"

struct loaded_object {
    struct elf_object *elf;
    struct runtime_object *runtime;
    int *map_fds;       /* per ELF map index */
    size_t map_count;
    int *prog_fds;      /* per ELF program index; -1 for subprograms */
    size_t prog_count;
    bool unverified;    /* loaded for inspection only: unverified, possibly incomplete */
};

/* Loads path's maps and programs, verified. When that fails, loads again without the
 * verifier and without the programs that still cannot be loaded, saying so on stderr: these
 * commands never run programs. Returns 0 or the CLI's error status after printing it. */
int loaded_object_open(const char *path, struct loaded_object *obj);
void loaded_object_close(struct loaded_object *obj);

/* Selects a map or program the way bpftool does, from argv[*next]: "id N", "pinned PATH",
 * "name NAME", or a bare NAME (the object's name for it: ELF names are longer than the
 * 15 characters Linux keeps). Advances *next; returns a new fd, or the CLI's error status
 * negated after printing the error. */
int loaded_object_select_map(struct loaded_object *obj, int argc, char **argv, int *next);
int loaded_object_select_prog(struct loaded_object *obj, int argc, char **argv, int *next);

/* Whether argv[i] starts a selector. */
bool loaded_object_is_selector(const char *word);

#endif
