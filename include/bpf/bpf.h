/* bpfhost's libbpf-compatible low-level API: libbpf 1.x's <bpf/bpf.h> functions that bpfhost
 * implements, with libbpf's exact signatures and options structs, so that a loader written
 * for libbpf compiles unchanged against it. Nothing here reaches the kernel: maps, programs
 * and links live in the calling process (src/runtime/handles.h explains how their fds,
 * ids and /sys/fs/bpf pins behave).
 *
 * Every function returns a negative errno on failure and also sets errno to its positive
 * value, as libbpf 1.x does; fd-returning functions return the fd. Options structs start
 * with sz (set it with LIBBPF_OPTS); fields past what this version knows must be zero
 * (-EINVAL otherwise), as libbpf checks. Declared here is what works; what bpfhost cannot
 * do yet is absent rather than failing at run time. */
#ifndef __LIBBPF_BPF_H
#define __LIBBPF_BPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libbpf_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- maps ----------------------------------------------------------------------------------- */

struct bpf_map_create_opts {
    size_t sz;
    __u32 btf_fd;                    /* must be 0: no BTF objects yet */
    __u32 btf_key_type_id;
    __u32 btf_value_type_id;
    __u32 btf_vmlinux_value_type_id;
    __u32 inner_map_fd;              /* ARRAY_OF_MAPS / HASH_OF_MAPS template */
    __u32 map_flags;
    __u64 map_extra;
    __u32 numa_node;                 /* ignored unless BPF_F_NUMA_NODE */
    __u32 map_ifindex;               /* must be 0: no offload */
};
#define bpf_map_create_opts__last_field map_ifindex

LIBBPF_API int bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size,
                              __u32 value_size, __u32 max_entries,
                              const struct bpf_map_create_opts *opts);

/* Per-CPU maps take and give one value per possible CPU (libbpf_num_possible_cpus()), each
 * rounded up to 8 bytes. Maps of programs or maps take an fd and give back an id. */
LIBBPF_API int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
LIBBPF_API int bpf_map_lookup_elem(int fd, const void *key, void *value);
LIBBPF_API int bpf_map_lookup_elem_flags(int fd, const void *key, void *value, __u64 flags);
LIBBPF_API int bpf_map_lookup_and_delete_elem(int fd, const void *key, void *value);
LIBBPF_API int bpf_map_lookup_and_delete_elem_flags(int fd, const void *key, void *value,
                                                    __u64 flags);
LIBBPF_API int bpf_map_delete_elem(int fd, const void *key);
LIBBPF_API int bpf_map_get_next_key(int fd, const void *key, void *next_key);
LIBBPF_API int bpf_map_freeze(int fd);

struct bpf_map_batch_opts {
    size_t sz;
    __u64 elem_flags;
    __u64 flags;                     /* must be 0 */
};
#define bpf_map_batch_opts__last_field flags

LIBBPF_API int bpf_map_delete_batch(int fd, const void *keys, __u32 *count,
                                    const struct bpf_map_batch_opts *opts);
LIBBPF_API int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
                                    void *values, __u32 *count,
                                    const struct bpf_map_batch_opts *opts);
LIBBPF_API int bpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch,
                                               void *keys, void *values, __u32 *count,
                                               const struct bpf_map_batch_opts *opts);
LIBBPF_API int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
                                    const struct bpf_map_batch_opts *opts);

/* --- programs ------------------------------------------------------------------------------- */

struct bpf_prog_load_opts {
    size_t sz;
    int attempts;                    /* ignored: loading never returns -EAGAIN */
    enum bpf_attach_type expected_attach_type;
    __u32 prog_btf_fd;               /* the fields below up to fd_array must be 0 */
    __u32 prog_flags;
    __u32 prog_ifindex;
    __u32 kern_version;              /* ignored, as modern kernels do */
    __u32 attach_btf_id;
    __u32 attach_prog_fd;
    __u32 attach_btf_obj_fd;
    const int *fd_array;             /* map fds for BPF_PSEUDO_MAP_IDX(_VALUE) */
    const void *func_info;           /* BTF.ext: ignored (no BTF objects yet) */
    __u32 func_info_cnt;
    __u32 func_info_rec_size;
    const void *line_info;
    __u32 line_info_cnt;
    __u32 line_info_rec_size;
    __u32 log_level;                 /* non-zero with log_buf: the verifier's message */
    __u32 log_size;
    char *log_buf;
};
#define bpf_prog_load_opts__last_field log_buf

/* Map references in insns as Linux takes them: lddw with src BPF_PSEUDO_MAP_FD or
 * BPF_PSEUDO_MAP_VALUE (imm: the map fd, next imm: the offset), or BPF_PSEUDO_MAP_IDX(_VALUE)
 * (imm: an index into opts->fd_array). */
LIBBPF_API int bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
                             const char *license, const struct bpf_insn *insns, size_t insn_cnt,
                             const struct bpf_prog_load_opts *opts);

/* BPF_PROG_RUN: runs the program on caller data and context, as Linux's test_run does for
 * its type (src/runtime/test_run.h lists the types and what each takes). retval, duration
 * (average ns per run), data_size_out and ctx_size_out are set on return; -ENOSPC when
 * data_out or ctx_out was too small (what fitted is there). flags, cpu and batch_size must
 * be 0. */
struct bpf_test_run_opts {
    size_t sz;
    const void *data_in;
    void *data_out;
    __u32 data_size_in;
    __u32 data_size_out;             /* in: capacity of data_out; out: size of the output */
    const void *ctx_in;
    void *ctx_out;
    __u32 ctx_size_in;
    __u32 ctx_size_out;              /* in: capacity of ctx_out; out: size of the context */
    __u32 retval;
    int repeat;                      /* 0 runs once */
    __u32 duration;
    __u32 flags;
    __u32 cpu;
    __u32 batch_size;
};
#define bpf_test_run_opts__last_field batch_size

LIBBPF_API int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts);

/* --- pins, ids, information ----------------------------------------------------------------- */

/* pathname: /sys/fs/bpf/NAME in the calling process's own pin namespace. */
LIBBPF_API int bpf_obj_pin(int fd, const char *pathname);
LIBBPF_API int bpf_obj_get(const char *pathname);

LIBBPF_API int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id);
LIBBPF_API int bpf_map_get_next_id(__u32 start_id, __u32 *next_id);
LIBBPF_API int bpf_link_get_next_id(__u32 start_id, __u32 *next_id);

LIBBPF_API int bpf_prog_get_fd_by_id(__u32 id);
LIBBPF_API int bpf_map_get_fd_by_id(__u32 id);
LIBBPF_API int bpf_link_get_fd_by_id(__u32 id);

/* Fills struct bpf_prog_info, bpf_map_info or bpf_link_info (by the fd's kind) up to
 * *info_len bytes and sets *info_len to the bytes written. Bytes the caller passes beyond
 * the struct bpfhost knows must be zero (-EINVAL). Prog info arrays (map_ids,
 * xlated_prog_insns) are filled when the caller gives a pointer and a count. */
LIBBPF_API int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len);

/* --- links ---------------------------------------------------------------------------------- */

struct bpf_link_update_opts {
    size_t sz;
    __u32 flags;                     /* 0 or BPF_F_REPLACE */
    __u32 old_prog_fd;               /* with BPF_F_REPLACE: the program expected attached */
};
#define bpf_link_update_opts__last_field old_prog_fd

LIBBPF_API int bpf_link_update(int link_fd, int new_prog_fd,
                               const struct bpf_link_update_opts *opts);
LIBBPF_API int bpf_link_detach(int link_fd);

/* --- link creation (XDP) ------------------------------------------------------------------- */

struct bpf_link_create_opts {
    size_t sz;
    __u32 flags;                     /* BPF_XDP: 0, XDP_FLAGS_SKB_MODE or XDP_FLAGS_DRV_MODE */
    union bpf_iter_link_info *iter_info; /* the fields below must be 0 */
    __u32 iter_info_len;
    __u32 target_btf_id;
    union {
        struct {
            __u64 bpf_cookie;
        } perf_event;
        struct {
            __u32 flags;
            __u32 cnt;
            const char **syms;
            const unsigned long *addrs;
            const __u64 *cookies;
        } kprobe_multi;
        struct {
            __u64 cookie;
        } tracing;
    };
    size_t :0;
};
#define bpf_link_create_opts__last_field kprobe_multi.cookies

/* attach_type BPF_XDP only (target_fd: the ifindex): the XDP program runs in observe mode, as
 * bpf_xdp_attach runs it (see <bpf/libbpf.h>); the link holds the interface until it is
 * detached or its last fd is closed. -EINVAL for a missing interface, another attach type of
 * an XDP program or another program type with BPF_XDP; -EOPNOTSUPP for other attach types;
 * -EBUSY when the interface runs a program or a link already. */
LIBBPF_API int bpf_link_create(int prog_fd, int target_fd, enum bpf_attach_type attach_type,
                               const struct bpf_link_create_opts *opts);

/* --- system --------------------------------------------------------------------------------- */

/* Possible CPUs: bpfhost's per-CPU slots (platform/cpu_slot.h). Declared in libbpf.h by
 * libbpf; here too so that bpf.h alone serves per-CPU map users. */
LIBBPF_API int libbpf_num_possible_cpus(void);

#ifdef __cplusplus
}
#endif

#endif
