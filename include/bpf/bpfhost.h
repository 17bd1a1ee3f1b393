/* bpfhost's own extensions to the libbpf API: what Linux's API cannot say because the kernel
 * owns the frames there. Same conventions as <bpf/libbpf.h>: a negative errno returned and
 * errno set; options structs start with sz (LIBBPF_OPTS) and bytes past the fields this
 * version knows must be zero. See docs/xdp.md. */
#ifndef __BPFHOST_BPFHOST_H
#define __BPFHOST_BPFHOST_H

#include <linux/bpf.h>
#include <linux/if_link.h>

#include "libbpf_common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfhost_xdp_opts {
    size_t sz;
    __u32 flags;        /* XDP_FLAGS_UPDATE_IF_NOEXIST, _REPLACE, _SKB_MODE or _DRV_MODE, as for
                         * bpf_xdp_attach */
    int old_prog_fd;    /* as bpf_xdp_attach_opts: non-zero implies XDP_FLAGS_REPLACE */
    __u32 workers;      /* datapath threads; 0: one per receive queue, at most one per CPU */
    size_t : 0;
};
#define bpfhost_xdp_opts__last_field workers

/* Runs prog_fd's XDP program inline between ifindex and peer_ifindex (two interfaces without
 * addresses, such as the host ends of two veth pairs): bpfhost owns the frames ifindex
 * receives, and the verdicts act as on Linux: XDP_PASS sends the frame out of the peer,
 * XDP_DROP drops it, XDP_TX sends it back out of ifindex, XDP_REDIRECT out of the interface
 * the program chose. Frames the peer receives go to ifindex unchanged. (bpf_xdp_attach, which
 * has no peer, runs programs in observe mode, where XDP_DROP cannot take a frame from the
 * host's stack.) Rules as bpf_xdp_attach's; on an interface already running inline with
 * the same peer only the program changes (without stopping the datapath), and -EBUSY when it
 * runs in observe mode or with another peer. prog_fd must be a program (-EBADF otherwise:
 * take a program off with bpf_xdp_detach). Needs CAP_NET_RAW. */
LIBBPF_API int bpfhost_xdp_attach_inline(int ifindex, int peer_ifindex, int prog_fd,
                                         const struct bpfhost_xdp_opts *opts);

/* The same as a link (Linux's bpf_link_create with BPF_XDP, inline): returns the link fd. The
 * link holds the interface until bpf_link_detach or until its last fd is closed; its
 * program is replaced with bpf_link_update, without stopping the datapath. flags may only
 * be a mode flag (XDP_FLAGS_SKB_MODE or _DRV_MODE) and old_prog_fd must be 0 (-EINVAL);
 * -EBUSY when the interface runs a program or a link already. */
LIBBPF_API int bpfhost_xdp_link_create_inline(int ifindex, int peer_ifindex, int prog_fd,
                                              const struct bpfhost_xdp_opts *opts);

/* What the datapath on an interface counted since it started (replacing the program does not
 * reset it): frames per verdict and the datapath's own events. */
struct bpfhost_xdp_counters {
    size_t sz;
    __u64 aborted, drop, pass, tx, redirect; /* frames per verdict */
    __u64 rx_bytes;         /* bytes of the frames the program saw */
    __u64 faults;           /* runs the engine stopped (also counted in aborted) */
    __u64 oversize;         /* frames too large for an XDP frame: not run */
    __u64 tx_errors;        /* frames a verdict sent that the interface refused */
    __u64 redirect_errors;  /* XDP_REDIRECT to an interface that cannot be opened */
    __u64 peer_frames;      /* inline: frames from the peer forwarded to the interface */
    __u64 ring_drops;       /* frames lost because a receive ring was full */
    __u32 mode;             /* 0: observe, 1: inline */
    __u32 peer_ifindex;     /* inline */
    __u32 workers;
    size_t : 0;
};
#define bpfhost_xdp_counters__last_field workers

/* Fills counters (up to its sz) for the XDP program this process runs on ifindex; -ENOENT
 * when none runs there. */
LIBBPF_API int bpfhost_xdp_query_counters(int ifindex, struct bpfhost_xdp_counters *counters);

/* Which engine runs a program, like eBPF for Windows' ebpf_execution_type_t. Only programs
 * the verifier accepted run on these; the checked interpreter for unverified ones is not a
 * choice of this API. */
enum bpfhost_execution_type {
    BPFHOST_EXECUTION_ANY,       /* the JIT where the host has one, else the interpreter */
    BPFHOST_EXECUTION_JIT,
    BPFHOST_EXECUTION_INTERPRET, /* the interpreter */
};

struct bpf_object;

/* Before bpf_object__load: the engine for every program of obj. -EBUSY after load, -EINVAL
 * for a NULL object or an unknown type. With BPFHOST_EXECUTION_JIT a program the JIT cannot
 * compile fails the load instead of falling back to the interpreter. */
LIBBPF_API int bpfhost_object__set_execution_type(struct bpf_object *obj,
                                                  enum bpfhost_execution_type type);

/* The engine that runs the loaded program prog_fd: BPFHOST_EXECUTION_JIT or
 * BPFHOST_EXECUTION_INTERPRET, or a negative errno (-EBADF: not a program fd). */
LIBBPF_API int bpfhost_prog_execution_type(int prog_fd);

#ifdef __cplusplus
}
#endif

#endif
