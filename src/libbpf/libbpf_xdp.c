/* XDP on interfaces through the libbpf API: bpf_xdp_attach / detach / query, bpf_link_create
 * for BPF_XDP, and bpfhost's inline attach. Linux's flag rules and error order (what the
 * kernel's netlink and link_create paths return) are checked here; the per-interface slots
 * are hooks/xdp_attachments.h. */
#include <net/if.h>
#include <stdint.h>
#include <string.h>

#include "bpf/bpf.h"
#include "bpf/bpfhost.h"
#include "hooks/xdp_attachments.h"
#include "libbpf/libbpf_impl.h"
#include "runtime/handles.h"

enum { MSG_SIZE = 256 };

/* Linux's rules for the mode bits: at most one, and no offload here. */
static int check_mode_flags(__u32 modes)
{
    if (modes & (modes - 1)) {
        pr_warn("xdp: only one XDP mode flag can be set\n");
        return -EINVAL;
    }
    if (modes & XDP_FLAGS_HW_MODE) {
        pr_warn("xdp: no hardware offload (XDP_FLAGS_HW_MODE) in bpfhost\n");
        return -EINVAL;
    }
    return 0;
}

/* The interface as rtnetlink finds it: -EINVAL for an index that cannot be one, -ENODEV. */
static int check_ifindex(int ifindex)
{
    char name[IF_NAMESIZE];
    if (ifindex <= 0)
        return -EINVAL;
    return if_indextoname((unsigned)ifindex, name) ? 0 : -ENODEV;
}

/* The program of prog_fd (NULL for a negative fd: take off), and the expected one of
 * XDP_FLAGS_REPLACE, with references the caller drops. */
static int resolve(int prog_fd, __u32 flags, int old_prog_fd, struct hook_xdp_attach_request *r)
{
    int err = prog_fd >= 0 ? handles_prog_from_fd(prog_fd, &r->prog) : 0;
    if (!err && r->prog && r->prog->prog_type != EBPF_PROG_TYPE_XDP)
        err = -EINVAL;
    if (!err && (flags & XDP_FLAGS_REPLACE) && old_prog_fd >= 0) {
        err = handles_prog_from_fd(old_prog_fd, &r->expected);
        if (!err && r->expected->prog_type != EBPF_PROG_TYPE_XDP)
            err = -EINVAL;
    }
    return err;
}

static int attach(int ifindex, int prog_fd, __u32 flags, int old_prog_fd,
                  const struct hook_xdp_options *datapath, bool any_datapath)
{
    handles_sweep(); /* a link whose last fd was closed frees its interface first */
    int err = check_ifindex(ifindex);
    if (!err && (flags & ~(__u32)XDP_FLAGS_MASK))
        err = -EINVAL;
    if (!err)
        err = check_mode_flags(flags & XDP_FLAGS_MODES);
    if (err)
        return err;
    struct hook_xdp_attach_request r = {
        .generic = flags & XDP_FLAGS_SKB_MODE,
        .only_if_empty = flags & XDP_FLAGS_UPDATE_IF_NOEXIST,
        .replace = flags & XDP_FLAGS_REPLACE,
        .datapath = *datapath,
        .any_datapath = any_datapath,
    };
    err = resolve(prog_fd, flags, old_prog_fd, &r);
    char msg[MSG_SIZE];
    if (!err) {
        err = hook_xdp_attachment_set((unsigned)ifindex, &r, msg, sizeof msg);
        if (err)
            pr_warn("xdp: %s\n", msg);
    }
    runtime_prog_put(r.prog);
    runtime_prog_put(r.expected);
    return err;
}

/* libbpf's reading of old_prog_fd: non-zero asks for XDP_FLAGS_REPLACE; with the flag and no
 * fd, nothing may be attached. */
static int old_prog_fd_of(int opts_old_prog_fd, __u32 *flags)
{
    if (opts_old_prog_fd) {
        *flags |= XDP_FLAGS_REPLACE;
        return opts_old_prog_fd;
    }
    return -1;
}

int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags, const struct bpf_xdp_attach_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, bpf_xdp_attach_opts))
        return libbpf_err(-EINVAL);
    int old_prog_fd = old_prog_fd_of(LIBBPF_OPTS_GET(opts, old_prog_fd, 0), &flags);
    struct hook_xdp_options observe = {.mode = HOOK_XDP_MODE_OBSERVE};
    return libbpf_err(attach(ifindex, prog_fd, flags, old_prog_fd, &observe, true));
}

int bpf_xdp_detach(int ifindex, __u32 flags, const struct bpf_xdp_attach_opts *opts)
{
    return bpf_xdp_attach(ifindex, -1, flags, opts);
}

int bpfhost_xdp_attach_inline(int ifindex, int peer_ifindex, int prog_fd, const struct bpfhost_xdp_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, bpfhost_xdp_opts))
        return libbpf_err(-EINVAL);
    __u32 flags = LIBBPF_OPTS_GET(opts, flags, 0);
    int old_prog_fd = old_prog_fd_of(LIBBPF_OPTS_GET(opts, old_prog_fd, 0), &flags);
    if (prog_fd < 0) {
        pr_warn("xdp: inline attach needs a program (bpf_xdp_detach takes one off)\n");
        return libbpf_err(-EBADF);
    }
    int err = check_ifindex(peer_ifindex);
    if (err) {
        pr_warn("xdp: no peer interface with index %d\n", peer_ifindex);
        return libbpf_err(err);
    }
    struct hook_xdp_options inline_opts = {
        .mode = HOOK_XDP_MODE_INLINE,
        .peer_ifindex = (unsigned)peer_ifindex,
        .workers = LIBBPF_OPTS_GET(opts, workers, 0),
    };
    return libbpf_err(attach(ifindex, prog_fd, flags, old_prog_fd, &inline_opts, false));
}

static int query(int ifindex, int flags, struct hook_xdp_attachment_info *info, bool *attached)
{
    if ((__u32)flags & ~(__u32)XDP_FLAGS_MASK)
        return -EINVAL;
    __u32 modes = (__u32)flags & XDP_FLAGS_MODES;
    if (modes & (modes - 1))
        return -EINVAL;
    handles_sweep();
    *attached = ifindex > 0 && !hook_xdp_attachment_query((unsigned)ifindex, info);
    return 0;
}

#define OPTS_SET(opts, field, value)                                                               \
    do {                                                                                           \
        if (LIBBPF_OPTS_HAS(opts, field))                                                          \
            (opts)->field = (value);                                                               \
    } while (0)

int bpf_xdp_query(int ifindex, int flags, struct bpf_xdp_query_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, bpf_xdp_query_opts))
        return libbpf_err(-EINVAL);
    struct hook_xdp_attachment_info info;
    bool attached;
    int err = query(ifindex, flags, &info, &attached);
    if (err)
        return libbpf_err(err);
    __u32 id = attached ? info.prog_id : 0;
    OPTS_SET(opts, prog_id, id);
    OPTS_SET(opts, drv_prog_id, attached && !info.generic ? id : 0);
    OPTS_SET(opts, hw_prog_id, 0);
    OPTS_SET(opts, skb_prog_id, attached && info.generic ? id : 0);
    OPTS_SET(opts, attach_mode, !attached ? XDP_ATTACHED_NONE : info.generic ? XDP_ATTACHED_SKB : XDP_ATTACHED_DRV);
    return 0;
}

int bpf_xdp_query_id(int ifindex, int flags, __u32 *prog_id)
{
    if (!prog_id)
        return libbpf_err(-EINVAL);
    struct hook_xdp_attachment_info info;
    bool attached;
    int err = query(ifindex, flags, &info, &attached);
    if (err)
        return libbpf_err(err);
    __u32 modes = (__u32)flags & XDP_FLAGS_MODES;
    bool in_slot = attached && (!modes || (modes == XDP_FLAGS_SKB_MODE) == info.generic);
    *prog_id = in_slot && !(modes & XDP_FLAGS_HW_MODE) ? info.prog_id : 0;
    return 0;
}

int bpfhost_xdp_query_counters(int ifindex, struct bpfhost_xdp_counters *counters)
{
    if (!counters || !LIBBPF_OPTS_VALID(counters, bpfhost_xdp_counters))
        return libbpf_err(-EINVAL);
    struct hook_xdp_attachment_info info;
    bool attached;
    query(ifindex, 0, &info, &attached);
    if (!attached)
        return libbpf_err(-ENOENT);
    const uint64_t *t = info.totals;
    OPTS_SET(counters, aborted, t[HOOK_XDP_STAT_ABORTED]);
    OPTS_SET(counters, drop, t[HOOK_XDP_STAT_DROP]);
    OPTS_SET(counters, pass, t[HOOK_XDP_STAT_PASS]);
    OPTS_SET(counters, tx, t[HOOK_XDP_STAT_TX]);
    OPTS_SET(counters, redirect, t[HOOK_XDP_STAT_REDIRECT]);
    OPTS_SET(counters, rx_bytes, t[HOOK_XDP_STAT_RX_BYTES]);
    OPTS_SET(counters, faults, t[HOOK_XDP_STAT_FAULTS]);
    OPTS_SET(counters, oversize, t[HOOK_XDP_STAT_OVERSIZE]);
    OPTS_SET(counters, tx_errors, t[HOOK_XDP_STAT_TX_ERRORS]);
    OPTS_SET(counters, redirect_errors, t[HOOK_XDP_STAT_REDIRECT_ERRORS]);
    OPTS_SET(counters, peer_frames, t[HOOK_XDP_STAT_PEER_FRAMES]);
    OPTS_SET(counters, ring_drops, t[HOOK_XDP_STAT_RING_DROPS]);
    OPTS_SET(counters, mode, info.mode == HOOK_XDP_MODE_INLINE ? 1 : 0);
    OPTS_SET(counters, peer_ifindex, info.peer_ifindex);
    OPTS_SET(counters, workers, info.workers);
    return 0;
}

/* Only what an XDP link takes: the mode flags, nothing of the other link kinds. */
static int check_link_opts(const struct bpf_link_create_opts *opts, __u32 *flags)
{
    if (!LIBBPF_OPTS_VALID(opts, bpf_link_create_opts))
        return -EINVAL;
    *flags = LIBBPF_OPTS_GET(opts, flags, 0);
    if (!opts)
        return 0;
    struct bpf_link_create_opts rest;
    memset(&rest, 0, sizeof rest);
    size_t known = offsetof(struct bpf_link_create_opts, kprobe_multi.cookies) + sizeof rest.kprobe_multi.cookies;
    size_t have = opts->sz < known ? opts->sz : known;
    memcpy(&rest, opts, have);
    rest.sz = 0;
    rest.flags = 0;
    static const struct bpf_link_create_opts zero;
    if (memcmp(&rest, &zero, known)) {
        pr_warn("link_create: only flags apply to an XDP link\n");
        return -EINVAL;
    }
    return 0;
}

/* An XDP link on target_fd (the ifindex) with the datapath of `datapath`: the new link fd. */
static int xdp_link_create(int prog_fd, int target_fd, enum bpf_attach_type attach_type, __u32 flags,
                           const struct hook_xdp_options *datapath)
{
    handles_sweep();
    struct runtime_prog *prog;
    int err = handles_prog_from_fd(prog_fd, &prog);
    if (err)
        return err;
    if (attach_type != BPF_XDP)
        err = prog->prog_type == EBPF_PROG_TYPE_XDP ? -EINVAL : -EOPNOTSUPP;
    else if (prog->prog_type != EBPF_PROG_TYPE_XDP)
        err = -EINVAL;
    if (!err && (flags & ~(__u32)XDP_FLAGS_MODES))
        err = -EINVAL;
    if (!err)
        err = check_mode_flags(flags);
    struct runtime_link *link = NULL;
    if (!err) {
        char msg[MSG_SIZE];
        err = target_fd <= 0 ? -EINVAL
                             : hook_xdp_attachment_link((unsigned)target_fd, prog, flags & XDP_FLAGS_SKB_MODE,
                                                        datapath, &link, msg, sizeof msg);
        if (err && target_fd > 0)
            pr_warn("link_create: %s\n", msg);
    }
    runtime_prog_put(prog);
    if (err)
        return err;
    int fd = handles_link_fd(link);
    runtime_link_put(link); /* the fd holds it now; without one, this detaches it */
    return fd;
}

int bpf_link_create(int prog_fd, int target_fd, enum bpf_attach_type attach_type,
                    const struct bpf_link_create_opts *opts)
{
    __u32 flags;
    int err = check_link_opts(opts, &flags);
    if (err)
        return libbpf_err(err);
    struct hook_xdp_options observe = {.mode = HOOK_XDP_MODE_OBSERVE};
    return libbpf_err(xdp_link_create(prog_fd, target_fd, attach_type, flags, &observe));
}

int bpfhost_xdp_link_create_inline(int ifindex, int peer_ifindex, int prog_fd, const struct bpfhost_xdp_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, bpfhost_xdp_opts) || LIBBPF_OPTS_GET(opts, old_prog_fd, 0))
        return libbpf_err(-EINVAL);
    int err = check_ifindex(peer_ifindex);
    if (err) {
        pr_warn("xdp: no peer interface with index %d\n", peer_ifindex);
        return libbpf_err(err);
    }
    struct hook_xdp_options inline_opts = {
        .mode = HOOK_XDP_MODE_INLINE,
        .peer_ifindex = (unsigned)peer_ifindex,
        .workers = LIBBPF_OPTS_GET(opts, workers, 0),
    };
    return libbpf_err(xdp_link_create(prog_fd, ifindex, BPF_XDP, LIBBPF_OPTS_GET(opts, flags, 0), &inline_opts));
}
