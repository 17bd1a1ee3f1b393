/* bpfhost: the libbpf 1.x object API, for user-space loaders written against
 * <bpf/libbpf.h>. Signatures, option structs and error conventions are libbpf 1.1's:
 *   - functions returning a pointer return NULL on error and set errno;
 *     libbpf_get_error(ptr) gives -errno for NULL, as libbpf 1.x does;
 *   - functions returning int return 0 (or a value) on success and a negative errno on
 *     error, and set errno too.
 * Only what bpfhost implements is declared, so that a loader using anything else fails to
 * compile rather than fail at run time. Where bpfhost differs from libbpf, the comment at the
 * declaration says so. */
#ifndef __LIBBPF_LIBBPF_H
#define __LIBBPF_LIBBPF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/bpf.h>

#include "libbpf_common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum libbpf_errno {
    __LIBBPF_ERRNO__START = 4000,
    LIBBPF_ERRNO__LIBELF = __LIBBPF_ERRNO__START,
    LIBBPF_ERRNO__FORMAT,   /* BPF object format invalid */
    LIBBPF_ERRNO__KVERSION, /* Incorrect or no 'version' section */
    LIBBPF_ERRNO__ENDIAN,   /* Endian mismatch */
    LIBBPF_ERRNO__INTERNAL, /* Internal error in libbpf */
    LIBBPF_ERRNO__RELOC,    /* Relocation failed */
    LIBBPF_ERRNO__LOAD,     /* Load program failure for unknown reason */
    LIBBPF_ERRNO__VERIFY,   /* Kernel verifier blocks program loading */
    LIBBPF_ERRNO__PROG2BIG, /* Program too big */
    LIBBPF_ERRNO__KVER,     /* Incorrect kernel version */
    LIBBPF_ERRNO__PROGTYPE, /* Kernel doesn't support this program type */
    LIBBPF_ERRNO__WRNGPID,  /* Wrong pid in netlink message */
    LIBBPF_ERRNO__INVSEQ,   /* Invalid netlink sequence */
    LIBBPF_ERRNO__NLPARSE,  /* netlink parsing error */
    __LIBBPF_ERRNO__END,
};

/* Describes err (a libbpf or system errno, either sign) in buf. Returns 0, -ERANGE when buf
 * is too small (buf holds the truncated text), -ENOENT for an unknown libbpf error, -EINVAL
 * for no buffer. */
LIBBPF_API int libbpf_strerror(int err, char *buf, size_t size);

/* -errno when ptr is NULL (the error of the call that returned it), else 0. */
LIBBPF_API long libbpf_get_error(const void *ptr);

enum libbpf_print_level {
    LIBBPF_WARN,
    LIBBPF_INFO,
    LIBBPF_DEBUG,
};

typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *, va_list ap);

/* Where the loader's messages go (each starts with "libbpf: "): warnings (a map or program
 * that cannot be created or loaded, with the verifier's reason), information (a program
 * loaded without verification) and debugging detail (what was found in the object). The
 * default prints warnings and information to stderr; NULL silences everything. Returns the
 * previous function. */
LIBBPF_API libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);

struct bpf_object;
struct bpf_program;
struct bpf_map;

struct bpf_object_open_opts {
    /* size of this struct, for forward/backward compatibility */
    size_t sz;
    /* Object name; default: the file's base name up to its first '.', or for memory
     * "<address>-<size>" in hex, as libbpf names them. Global data maps are named after it. */
    const char *object_name;
    /* Ignore unknown attributes in BTF map definitions instead of refusing the object. */
    bool relaxed_maps;
    /* Directory of the paths of maps defined with pinning = LIBBPF_PIN_BY_NAME (default
     * "/sys/fs/bpf"): at load such a map reuses the map pinned at <dir>/<name> if there is
     * one, else it is created and pinned there. Paths are bpfhost's pin namespace (see
     * <bpf/bpf.h>), not files. */
    const char *pin_root_path;
    /* Values of CONFIG_* .kconfig externs, one "CONFIG_NAME=VALUE" per line (y, n, m, a
     * number, or a quoted string), as libbpf takes them. bpfhost has no kernel
     * configuration: externs not named here are 0 when __weak, else the open fails. */
    const char *kconfig;
    /* With kernel_log_level 0: receives the reason a bpf_object__load failed (which program,
     * and the verifier's or the runtime's message), NUL-terminated, truncated to
     * kernel_log_size. */
    char *kernel_log_buf;
    size_t kernel_log_size;
    /* Not 0: kernel_log_buf receives the verifier's log of the programs instead. */
    __u32 kernel_log_level;
    size_t : 0;
};
#define bpf_object_open_opts__last_field kernel_log_level

/* bpf_object__open_file(path, NULL). */
LIBBPF_API struct bpf_object *bpf_object__open(const char *path);
/* Reads and checks an ELF object (programs, maps, global data, BTF, relocations). Malformed
 * files give NULL with errno set (EINVAL, ENOTSUP, ...; ENOENT for a missing file) and a
 * LIBBPF_WARN message naming what is wrong. */
LIBBPF_API struct bpf_object *bpf_object__open_file(const char *path,
                                                    const struct bpf_object_open_opts *opts);
/* The same from memory; the bytes are copied. */
LIBBPF_API struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz,
                                                   const struct bpf_object_open_opts *opts);
/* Creates the maps (with their initial contents), then verifies and loads every program
 * whose autoload is on. The first failure undoes the load; its reason (the verifier's,
 * naming the instruction) is a LIBBPF_WARN message and goes to kernel_log_buf. Can be
 * attempted once, as in libbpf (-EINVAL afterwards, whether or not it succeeded). */
LIBBPF_API int bpf_object__load(struct bpf_object *obj);
/* Closes the object's map and program fds and frees it; NULL is ignored. */
LIBBPF_API void bpf_object__close(struct bpf_object *object);

/* Pin every map of a loaded object at path/NAME, each '.' of that path turned into '_' as
 * libbpf does (global data maps are "obj.bss"); with path NULL, the maps that have a pin
 * path (pinning by name, or an earlier bpf_map__pin) at it. A failure unpins the maps
 * pinned before it. -ENOENT before load. */
LIBBPF_API int bpf_object__pin_maps(struct bpf_object *obj, const char *path);
LIBBPF_API int bpf_object__unpin_maps(struct bpf_object *obj, const char *path);
/* Pin every program at path/NAME (-EINVAL if one was not loaded, as libbpf). */
LIBBPF_API int bpf_object__pin_programs(struct bpf_object *obj, const char *path);
LIBBPF_API int bpf_object__unpin_programs(struct bpf_object *obj, const char *path);
/* pin_maps then pin_programs; the maps are unpinned when the programs fail. */
LIBBPF_API int bpf_object__pin(struct bpf_object *object, const char *path);

LIBBPF_API const char *bpf_object__name(const struct bpf_object *obj);

LIBBPF_API struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj,
                                                                const char *name);
/* Program type and expected attach type of a section name, by libbpf's section table (plus
 * bpfhost's sections of eBPF for Windows programs: bind, xdp_test, sample_ext, process).
 * -ESRCH for unknown names. */
LIBBPF_API int libbpf_prog_type_by_name(const char *name, enum bpf_prog_type *prog_type,
                                        enum bpf_attach_type *expected_attach_type);
/* Attach type of a section name whose programs attach with an attach type (cgroup/...,
 * sk_msg, xdp ...); -EINVAL for other or unknown names. */
LIBBPF_API int libbpf_attach_type_by_name(const char *name, enum bpf_attach_type *attach_type);

/* Programs in ELF order, without the .text subprograms that other programs call. */
LIBBPF_API struct bpf_program *bpf_object__next_program(const struct bpf_object *obj,
                                                        struct bpf_program *prog);

#define bpf_object__for_each_program(pos, obj)                                                     \
    for ((pos) = bpf_object__next_program((obj), NULL); (pos) != NULL;                             \
         (pos) = bpf_object__next_program((obj), (pos)))

LIBBPF_API const char *bpf_program__name(const struct bpf_program *prog);
LIBBPF_API const char *bpf_program__section_name(const struct bpf_program *prog);
LIBBPF_API bool bpf_program__autoload(const struct bpf_program *prog);
/* -EINVAL after load, as in libbpf. */
LIBBPF_API int bpf_program__set_autoload(struct bpf_program *prog, bool autoload);

struct bpf_insn;
/* Before load: the function's own instructions as the file has them (map references in
 * bpfhost's "map index" lddw form, src 5 and 6). After load: the whole program, the
 * subprograms it calls appended. */
LIBBPF_API const struct bpf_insn *bpf_program__insns(const struct bpf_program *prog);
LIBBPF_API size_t bpf_program__insn_cnt(const struct bpf_program *prog);

/* The program's fd once loaded; -ENOENT before (or when autoload was off). */
LIBBPF_API int bpf_program__fd(const struct bpf_program *prog);
/* Pins the loaded program at path in bpfhost's pin namespace. */
LIBBPF_API int bpf_program__pin(struct bpf_program *prog, const char *path);
LIBBPF_API int bpf_program__unpin(struct bpf_program *prog, const char *path);

LIBBPF_API enum bpf_prog_type bpf_program__type(const struct bpf_program *prog);
/* Setters of the type and expected attach type: -EBUSY after load. */
LIBBPF_API int bpf_program__set_type(struct bpf_program *prog, enum bpf_prog_type type);
LIBBPF_API enum bpf_attach_type bpf_program__expected_attach_type(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_expected_attach_type(struct bpf_program *prog,
                                                     enum bpf_attach_type type);

/* NULL with errno ENOENT when there is no such map. Global data maps are found by their
 * name or, for names starting with '.', by their section (".rodata", ".data.custom"). */
LIBBPF_API struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj,
                                                        const char *name);
/* bpf_map__fd(bpf_object__find_map_by_name(obj, name)). */
LIBBPF_API int bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name);
/* Maps in libbpf's order: BTF-defined, legacy, then global data and .kconfig. */
LIBBPF_API struct bpf_map *bpf_object__next_map(const struct bpf_object *obj,
                                                const struct bpf_map *map);

#define bpf_object__for_each_map(pos, obj)                                                         \
    for ((pos) = bpf_object__next_map((obj), NULL); (pos) != NULL;                                 \
         (pos) = bpf_object__next_map((obj), (pos)))
#define bpf_map__for_each bpf_object__for_each_map

/* The map's fd once created (or reused); -1 before, -EINVAL for NULL, as in libbpf. */
LIBBPF_API int bpf_map__fd(const struct bpf_map *map);
/* Before load: use the map behind fd instead of creating one (its definition replaces the
 * object's). -EBUSY after load. */
LIBBPF_API int bpf_map__reuse_fd(struct bpf_map *map, int fd);
LIBBPF_API const char *bpf_map__name(const struct bpf_map *map);
LIBBPF_API enum bpf_map_type bpf_map__type(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__key_size(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__value_size(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__max_entries(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__map_flags(const struct bpf_map *map);
/* Setters: -EBUSY once the map exists (after load or reuse_fd). A ring buffer's size is
 * rounded up to a power of two of at least a page, as libbpf does. A global data map's
 * initial contents follow its new value size (cut, or zero-extended). */
LIBBPF_API int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
LIBBPF_API int bpf_map__set_value_size(struct bpf_map *map, __u32 size);
/* Global data maps (.data, .rodata, .bss and their variants): size must be the value
 * size; -EINVAL for other maps and .kconfig, -EBUSY after load. */
LIBBPF_API int bpf_map__set_initial_value(struct bpf_map *map, const void *data, size_t size);
/* Global data maps: before load, the initial contents; after load, the live variables the
 * programs see. NULL for other maps. */
LIBBPF_API const void *bpf_map__initial_value(struct bpf_map *map, size_t *psize);
/* Pins the created map at path (NULL: the pin path the object gave it). */
LIBBPF_API int bpf_map__pin(struct bpf_map *map, const char *path);
LIBBPF_API int bpf_map__unpin(struct bpf_map *map, const char *path);

/* The element operations of <bpf/bpf.h> on the map's fd, after libbpf's checks: -ENOENT
 * before the map is created, -EINVAL when key_sz is not the key size or value_sz not the
 * value size (for per-CPU maps: libbpf_num_possible_cpus() values, each rounded up to 8
 * bytes). delete_elem takes no flags (-EINVAL), as Linux. */
LIBBPF_API int bpf_map__lookup_elem(const struct bpf_map *map, const void *key, size_t key_sz,
                                    void *value, size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__update_elem(const struct bpf_map *map, const void *key, size_t key_sz,
                                    const void *value, size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__delete_elem(const struct bpf_map *map, const void *key, size_t key_sz,
                                    __u64 flags);
LIBBPF_API int bpf_map__lookup_and_delete_elem(const struct bpf_map *map, const void *key,
                                               size_t key_sz, void *value, size_t value_sz,
                                               __u64 flags);
LIBBPF_API int bpf_map__get_next_key(const struct bpf_map *map, const void *cur_key,
                                     void *next_key, size_t key_sz);

/* Consumer of BPF_MAP_TYPE_RINGBUF maps. sample_cb gets each submitted record in place (not
 * discarded ones), in order; a negative return stops consuming and is returned. */
struct ring_buffer;

typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct ring_buffer_opts {
    size_t sz; /* size of this struct, for forward/backward compatibility */
};
#define ring_buffer_opts__last_field sz

LIBBPF_API struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb,
                                                void *ctx, const struct ring_buffer_opts *opts);
LIBBPF_API void ring_buffer__free(struct ring_buffer *rb);
/* Adds another ring buffer map: -EINVAL for maps of other types, -EBADF for non-maps. */
LIBBPF_API int ring_buffer__add(struct ring_buffer *rb, int map_fd,
                                ring_buffer_sample_fn sample_cb, void *ctx);
/* Waits up to timeout_ms (-1: forever) for records, then consumes the rings that have
 * some. Returns the number of records consumed (INT_MAX at most) or a negative errno. */
LIBBPF_API int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms);
/* Consumes whatever every ring holds, without waiting. */
LIBBPF_API int ring_buffer__consume(struct ring_buffer *rb);
/* The epoll fd that becomes readable when a ring has records, for the caller's own loop. */
LIBBPF_API int ring_buffer__epoll_fd(const struct ring_buffer *rb);

/* Consumer of BPF_MAP_TYPE_PERF_EVENT_ARRAY maps. bpfhost has no perf events: each buffer
 * is an event output that perf_buffer__new stores in the map slot of its CPU (a CPU is a
 * thread slot, see libbpf_num_possible_cpus), which bpf_perf_event_output with that index
 * or BPF_F_CURRENT_CPU writes to. One buffer per possible CPU, or per map slot when the map
 * has fewer; perf_buffer__free empties those slots. Differences from Linux: a sample's size
 * is exactly what the program wrote (Linux pads it to 4 bytes short of a multiple of 8),
 * and lost_cb gets the count of records lost since the last consume of that buffer after
 * the records that consume saw, not at the place of the loss. */
struct perf_buffer;

typedef void (*perf_buffer_sample_fn)(void *ctx, int cpu, void *data, __u32 size);
typedef void (*perf_buffer_lost_fn)(void *ctx, int cpu, __u64 cnt);

struct perf_buffer_opts {
    size_t sz; /* size of this struct, for forward/backward compatibility */
};
#define perf_buffer_opts__last_field sz

/* page_cnt: pages of record space per CPU, a power of two (-EINVAL otherwise, -E2BIG when
 * the size does not fit in 32 bits). -EINVAL for a map of another type, -EBADF for a
 * non-map. sample_cb and lost_cb may be NULL. */
LIBBPF_API struct perf_buffer *perf_buffer__new(int map_fd, size_t page_cnt,
                                                perf_buffer_sample_fn sample_cb,
                                                perf_buffer_lost_fn lost_cb, void *ctx,
                                                const struct perf_buffer_opts *opts);
LIBBPF_API void perf_buffer__free(struct perf_buffer *pb);
LIBBPF_API int perf_buffer__epoll_fd(const struct perf_buffer *pb);
/* Waits up to timeout_ms (-1: forever) for records, then consumes the buffers that have
 * some. Returns the number of buffers that were ready, as libbpf does, or -errno. */
LIBBPF_API int perf_buffer__poll(struct perf_buffer *pb, int timeout_ms);
/* Consumes whatever every buffer holds, without waiting. 0 or -errno. */
LIBBPF_API int perf_buffer__consume(struct perf_buffer *pb);
/* The same for buffer buf_idx (below perf_buffer__buffer_cnt, else -EINVAL). */
LIBBPF_API int perf_buffer__consume_buffer(struct perf_buffer *pb, size_t buf_idx);
LIBBPF_API size_t perf_buffer__buffer_cnt(const struct perf_buffer *pb);

/* Skeletons: what the code of `bpftool gen skeleton` calls (libbpf 1.1's structs). */
struct bpf_link;

struct bpf_map_skeleton {
    const char *name;
    struct bpf_map **map;
    void **mmaped;
};

struct bpf_prog_skeleton {
    const char *name;
    struct bpf_program **prog;
    struct bpf_link **link;
};

struct bpf_object_skeleton {
    size_t sz; /* size of this struct, for forward/backward compatibility */

    const char *name;
    const void *data;
    size_t data_sz;

    struct bpf_object **obj;

    int map_cnt;
    int map_skel_sz; /* sizeof(struct bpf_map_skeleton) */
    struct bpf_map_skeleton *maps;

    int prog_cnt;
    int prog_skel_sz; /* sizeof(struct bpf_prog_skeleton) */
    struct bpf_prog_skeleton *progs;
};

/* Opens s->data (object name s->name unless opts names one) and finds the skeleton's maps
 * and programs (-ESRCH for one the object lacks). Each global data map's mmaped pointer
 * (skel->bss, ->data, ->rodata) is then its initial contents: what is written there before
 * load is what the programs start with. */
LIBBPF_API int bpf_object__open_skeleton(struct bpf_object_skeleton *s,
                                         const struct bpf_object_open_opts *opts);
/* bpf_object__load, then each mmaped pointer becomes the live map memory: the variables the
 * programs read and write. Read-only ones (.rodata, .kconfig) become a read-only copy (the
 * maps are frozen and programs cannot write them): writing through it faults, as under
 * libbpf. Maps that are not BPF_F_MMAPABLE get NULL. The pointers change at load (libbpf
 * keeps the address): take skel->bss again after load. */
LIBBPF_API int bpf_object__load_skeleton(struct bpf_object_skeleton *s);
/* As libbpf, programs whose section does not name an attach target (xdp, socket, tc,
 * cgroup/..., sockops, a bare kprobe ...) are skipped, and so are those with autoload off or
 * a link already set. Sections that name one (kprobe/FUNC, tracepoint/..., fentry/...,
 * lsm/..., iter/...) fail with -EOPNOTSUPP: bpfhost has no hook for them. No link is made. */
LIBBPF_API int bpf_object__attach_skeleton(struct bpf_object_skeleton *s);
/* Destroys the links the application stored in the skeleton (attach made none) and sets
 * every link pointer to NULL, as libbpf does. */
LIBBPF_API void bpf_object__detach_skeleton(struct bpf_object_skeleton *s);
/* Detaches, closes the object, frees s. NULL is ignored. */
LIBBPF_API void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);

/* --- XDP on interfaces, and links (docs/xdp.md) ------------------------------------------------
 * The attachment lives in this process: the datapath's workers are its threads (an
 * application embedding both libbpf and the kernel, in effect), and it ends with the process.
 * bpf_xdp_attach runs the program in observe mode: every frame the interface receives runs
 * through it and its verdicts are counted; XDP_TX and XDP_REDIRECT transmit the frame, but the
 * host's stack receives every frame as well, so XDP_DROP cannot withhold one. For verdicts
 * that own the frames, <bpf/bpfhost.h>'s bpfhost_xdp_attach_inline runs a program between two
 * interfaces. Errors as Linux gives them: -EINVAL (ifindex <= 0, unknown or several mode
 * flags, XDP_FLAGS_HW_MODE, a program of another type), -ENODEV (no such interface), -EBADF,
 * -EBUSY (XDP_FLAGS_UPDATE_IF_NOEXIST and a program runs; a link holds the interface),
 * -EEXIST (XDP_FLAGS_REPLACE and another program runs than old_prog_fd's; a native and a
 * generic program at once), -EPERM without CAP_NET_RAW. Replacing the program of a running
 * attachment does not stop it: frames already being run finish on the old program. */
struct bpf_xdp_attach_opts {
    size_t sz;
    int old_prog_fd;        /* non-zero: XDP_FLAGS_REPLACE, expecting this program (< 0: none) */
    size_t :0;
};
#define bpf_xdp_attach_opts__last_field old_prog_fd

struct bpf_xdp_query_opts {
    size_t sz;
    __u32 prog_id;          /* output */
    __u32 drv_prog_id;      /* output: the native slot's (no mode flag, or XDP_FLAGS_DRV_MODE) */
    __u32 hw_prog_id;       /* output: always 0 (no offload) */
    __u32 skb_prog_id;      /* output: the generic slot's (XDP_FLAGS_SKB_MODE) */
    __u8 attach_mode;       /* output: XDP_ATTACHED_NONE, _DRV or _SKB */
    size_t :0;
};
#define bpf_xdp_query_opts__last_field attach_mode

/* prog_fd < 0 takes the program off, as bpf_xdp_detach. */
LIBBPF_API int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags,
                              const struct bpf_xdp_attach_opts *opts);
/* Taking off nothing succeeds; a link-held interface gives -EBUSY. */
LIBBPF_API int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts);
/* A missing interface reports nothing attached (0), as libbpf's netlink dump does. */
LIBBPF_API int bpf_xdp_query(int ifindex, int flags, struct bpf_xdp_query_opts *opts);
LIBBPF_API int bpf_xdp_query_id(int ifindex, int flags, __u32 *prog_id);

struct bpf_link;

/* bpf_link_create(prog fd, ifindex, expected attach type): a link in observe mode, as
 * bpf_xdp_attach runs programs. NULL with errno on failure (-EINVAL before load). */
LIBBPF_API struct bpf_link *bpf_program__attach_xdp(const struct bpf_program *prog, int ifindex);
LIBBPF_API int bpf_link__fd(const struct bpf_link *link);
LIBBPF_API int bpf_link__update_program(struct bpf_link *link, struct bpf_program *prog);
/* Takes the program off now; the link object stays until bpf_link__destroy. */
LIBBPF_API int bpf_link__detach(struct bpf_link *link);
/* After this, bpf_link__destroy frees the link without detaching it (its fd stays open). */
LIBBPF_API void bpf_link__disconnect(struct bpf_link *link);
/* Closes the link's fd, which detaches it unless another fd or a pin holds it, and frees it.
 * NULL is ignored. */
LIBBPF_API int bpf_link__destroy(struct bpf_link *link);
/* Pins in bpfhost's pin namespace (see <bpf/bpf.h>): a pinned link stays attached after
 * destroy, until unpinned and no fd is left. -EBUSY when already pinned. */
LIBBPF_API int bpf_link__pin(struct bpf_link *link, const char *path);
LIBBPF_API int bpf_link__unpin(struct bpf_link *link);
LIBBPF_API const char *bpf_link__pin_path(const struct bpf_link *link);
/* A link object for the link pinned at path. */
LIBBPF_API struct bpf_link *bpf_link__open(const char *path);

#ifdef __cplusplus
}
#endif

#endif
