/* Private to src/libbpf: what the libbpf-compatible API's objects are made of, shared by
 * the files that implement it. Not a module interface: users include <bpf/libbpf.h>.
 *
 * A bpf_object owns the parsed ELF object and, per program and per map, an editable copy
 * of its definition: the setters of the API change the copies, and bpf_object__load hands
 * them to runtime_object_load in place of the file's. */
#ifndef BPFHOST_LIBBPF_IMPL_H
#define BPFHOST_LIBBPF_IMPL_H

#include <errno.h>

#include "bpf/libbpf.h"
#include "libbpf/bpf_support.h"
#include "elf/elf_object.h"
#include "runtime/object.h"

struct bpf_program {
    struct bpf_object *obj;
    size_t index;               /* in the ELF object and in obj->program_defs */
    int fd;                     /* -1 until loaded */
};

struct bpf_map {
    struct bpf_object *obj;
    size_t index;               /* in the ELF object and in obj->map_defs */
    /* Global data maps: the initial contents, value_size bytes, owned (the setters resize
     * and overwrite it); map_defs[index].initial_value points here. */
    uint8_t *initial_value;
    struct bpfhost_map *reused; /* bpf_map__reuse_fd: one reference */
    int fd;                     /* -1 until created or reused */
    char *pin_path;             /* pinning by name, or bpf_map__pin's path */
    bool pinned;                /* at pin_path */
    /* Skeletons: a read-only copy of a read-only global data map (.rodata, .kconfig) after
     * load, where libbpf maps the map PROT_READ; munmap'ed at close. */
    void *readonly_view;
    size_t readonly_view_size;
};

struct bpf_object {
    struct elf_object *elf;
    struct elf_program *program_defs; /* shallow copies of the ELF object's, edited */
    bool *programs_disabled;
    struct bpf_program *programs;
    size_t program_count;             /* subprograms included: next_program skips them */
    struct elf_map *map_defs;
    struct bpfhost_map **reused_maps;
    struct bpf_map *maps;
    size_t map_count;
    struct runtime_object *runtime;   /* after a successful load */
    bool loaded;                      /* load was attempted, successfully or not */
    char *kernel_log_buf;
    size_t kernel_log_size;
    uint32_t kernel_log_level;
    enum runtime_engine engine;       /* bpfhost_object__set_execution_type */
};

/* What libbpf calls the object's programs: not the .text subprograms others call, nor code
 * outside functions (objects from old compilers), which libbpf 1.x does not see. */
static inline bool libbpf_program_visible(const struct elf_program *p)
{
    return !p->is_subprog && !p->whole_section;
}

/* fds and pins (libbpf_object_fds.c). At open: the pin path of each map defined with
 * pinning by name, under pin_root_path (NULL: libbpf's "/sys/fs/bpf"). Before creating
 * maps: reuse the maps already pinned at those paths. After: open an fd per created map and
 * loaded program, and pin the maps that were not pinned yet. Close: the fds. */
int libbpf_init_pin_paths(struct bpf_object *obj, const char *pin_root_path);
int libbpf_reuse_pinned_maps(struct bpf_object *obj, char *msg, size_t msg_size);
int libbpf_open_fds(struct bpf_object *obj, char *msg, size_t msg_size);
int libbpf_pin_maps_by_name(struct bpf_object *obj, char *msg, size_t msg_size);
void libbpf_close_fds(struct bpf_object *obj);

/* libbpf's conventions: set errno and return the error (libbpf_err, for ints, in
 * bpf_support.h) or NULL (pointers). */
static inline void *libbpf_err_ptr(int err)
{
    errno = -err;
    return NULL;
}

/* Through the function of libbpf_set_print, with libbpf's "libbpf: " prefix. */
void libbpf_print(enum libbpf_print_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define pr_warn(fmt, ...) libbpf_print(LIBBPF_WARN, "libbpf: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) libbpf_print(LIBBPF_INFO, "libbpf: " fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) libbpf_print(LIBBPF_DEBUG, "libbpf: " fmt, ##__VA_ARGS__)

/* libbpf_opts_valid (bpf_support.h), with libbpf's warning naming the struct when not. */
bool libbpf_opts_valid_or_warn(const void *opts, size_t known_size, const char *type_name);
#define LIBBPF_OPTS_VALID(opts, type)                                                              \
    libbpf_opts_valid_or_warn((opts), offsetof(struct type, type##__last_field) +                  \
                                          sizeof(((struct type *)0)->type##__last_field),          \
                              #type)

#endif
