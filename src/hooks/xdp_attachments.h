/* The XDP attachments of this process, one per interface (hooks layer): what Linux keeps per
 * network device for bpf_xdp_attach and XDP links, with Linux's rules, over the user-space
 * datapath (hooks/xdp_datapath.h). The datapath's workers are threads of this process, so an
 * attachment lasts as long as the process (or until it is taken off): like an application
 * that embeds libbpf and the kernel in one process.
 *
 * Linux has two slots per device, native and generic (XDP_FLAGS_DRV_MODE, _SKB_MODE; no mode
 * means native here, as on a driver with XDP). bpfhost runs both the same way; the slot only
 * decides what a query reports and that a native and a generic program exclude each other.
 * An attachment is held either by a program (bpf_xdp_attach) or by a link (bpf_link_create),
 * never both.
 *
 * An attachment whose interface (or inline peer) was removed is taken off the next time its
 * interface is looked at, as Linux detaches XDP from a device that goes away; its link stays,
 * defunct (updates give -ENOLINK). Thread-safe: one lock for all interfaces. */
#ifndef BPFHOST_HOOKS_XDP_ATTACHMENTS_H
#define BPFHOST_HOOKS_XDP_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hooks/xdp_datapath.h"
#include "runtime/link.h"

struct hook_xdp_attach_request {
    struct runtime_prog *prog;     /* an XDP program; NULL takes the slot's program off */
    bool generic;                  /* the generic slot (XDP_FLAGS_SKB_MODE), else native */
    bool only_if_empty;            /* XDP_FLAGS_UPDATE_IF_NOEXIST: -EBUSY when a program runs */
    bool replace;                  /* XDP_FLAGS_REPLACE: the slot's program must be expected */
    struct runtime_prog *expected; /* with replace; NULL: the slot must be empty */
    /* How a new datapath runs (mode, peer, workers). When one runs already: with
     * any_datapath (bpf_xdp_attach) only its program changes, whatever its mode; without,
     * its mode and peer must be these (-EBUSY otherwise: detach first). */
    struct hook_xdp_options datapath;
    bool any_datapath;
};

/* bpf_xdp_attach / bpf_xdp_detach for ifindex. Errors as Linux gives them: -ENODEV (no such
 * interface), -EBUSY (a link holds the slot; or only_if_empty and a program runs), -EEXIST
 * (replace and the slot's program is not expected; or a program in the other slot), -EINVAL
 * (not an XDP program, bad datapath options), or the datapath's own errors (-EPERM without
 * CAP_NET_RAW). Taking off an empty slot succeeds. A program replaced on a running datapath
 * takes effect without stopping it (hook_xdp_replace_prog). msg names what failed. */
int hook_xdp_attachment_set(unsigned ifindex, const struct hook_xdp_attach_request *request,
                            char *msg, size_t msg_size);

/* bpf_link_create(BPF_XDP): a link that holds the slot (mode and peer from datapath), with one
 * reference for the caller. -EINVAL for a missing interface (as Linux's link_create), -EBUSY
 * when the slot is taken (by a program or a link), -EEXIST when the other slot is. The link
 * replaces its program with runtime_link_update; detaching it, or dropping its last
 * reference, takes the program off. */
int hook_xdp_attachment_link(unsigned ifindex, struct runtime_prog *prog, bool generic,
                             const struct hook_xdp_options *datapath, struct runtime_link **out,
                             char *msg, size_t msg_size);

struct hook_xdp_attachment_info {
    uint32_t prog_id;
    bool generic;
    bool linked;
    enum hook_xdp_mode mode;
    unsigned peer_ifindex;         /* inline */
    unsigned workers;
    uint64_t totals[HOOK_XDP_STAT_COUNT]; /* the datapath's counters, summed */
};

/* What runs on ifindex: 0 and *info, or -ENOENT when nothing does. */
int hook_xdp_attachment_query(unsigned ifindex, struct hook_xdp_attachment_info *info);

#endif
