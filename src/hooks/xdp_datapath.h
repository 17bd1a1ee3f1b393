/* The XDP hook on real interfaces (hooks layer): an XDP program runs on every frame an
 * interface receives, in user space, with Linux's verdicts.
 *
 * Frames come from AF_PACKET TPACKET_V3 rings, one per worker thread; with several workers
 * the interface's frames are spread by receive queue (PACKET_FANOUT_QM), and a worker's
 * index is the rx_queue_index its program sees. Each frame is copied into a page-sized
 * buffer below 4 GiB with Linux's 256 bytes of headroom (xdp_md holds 32-bit pointers),
 * the rest of the page being tailroom for bpf_xdp_adjust_tail. Transmission is batched
 * (sendmmsg on qdisc-bypassing sockets).
 *
 * Modes:
 *  - inline: the hook owns the frames between the interface and its peer (two interfaces
 *    without addresses, e.g. the host ends of two veth pairs): PASS sends the frame out of
 *    the peer, DROP drops it, TX sends it back out of the interface, REDIRECT out of the
 *    interface bpf_redirect or a DEVMAP entry named, ABORTED drops it and counts an
 *    exception. Frames arriving on the peer go to the interface unchanged, without the
 *    program (as XDP sees one direction of a link). Both interfaces become promiscuous.
 *  - observe: the hook sees copies of the interface's frames, which the host's network
 *    stack still receives: verdicts are counted, TX and REDIRECT transmit a copy, PASS and
 *    DROP change nothing.
 *
 * Frames that do not fit an XDP frame (GSO aggregates from a local sender, jumbo frames) are
 * counted as oversize and, inline, dropped: Linux refuses XDP on such a link instead. */
#ifndef BPFHOST_HOOKS_XDP_DATAPATH_H
#define BPFHOST_HOOKS_XDP_DATAPATH_H

#include <stddef.h>
#include <stdint.h>

#include "hooks/xdp_counters.h"
#include "runtime/prog.h"

enum hook_xdp_mode { HOOK_XDP_MODE_INLINE, HOOK_XDP_MODE_OBSERVE };

struct hook_xdp_options {
    enum hook_xdp_mode mode;
    unsigned peer_ifindex;    /* inline: required */
    unsigned workers;         /* 0: one per receive queue, at most the CPU slots */
    /* Run the program on this many frames in all, then make done_fd readable and leave
     * further frames alone (0: no limit). */
    uint64_t frame_limit;
    /* Where the workers count (shared memory, for instance); NULL: the attachment's own. */
    struct hook_xdp_counters *counters;
};

struct hook_xdp;

/* Starts running prog (an XDP program, or NULL to measure the datapath alone: every frame
 * then gets XDP_PASS) on ifindex. Takes a reference to prog. Returns 0 and *out, or a
 * negative errno with msg naming the interface and what failed (-EPERM without
 * CAP_NET_RAW, -ENODEV for a missing interface, -EINVAL for bad options). */
int hook_xdp_attach(unsigned ifindex, struct runtime_prog *prog, const struct hook_xdp_options *opts,
                    struct hook_xdp **out, char *msg, size_t msg_size);

/* Stops the workers (frames in flight are finished), closes the rings and drops the
 * program reference. NULL is allowed. */
void hook_xdp_detach(struct hook_xdp *xdp);

/* Makes the workers run prog (an XDP program, or NULL for none: XDP_PASS) from their next
 * frame on, without stopping them; takes a reference to prog. The old program's
 * reference is dropped after a grace period (platform/epoch.h): no worker still running it
 * ever sees it freed. -EINVAL for a program of another type, -ENOMEM; the attachment is
 * unchanged on error. */
int hook_xdp_replace_prog(struct hook_xdp *xdp, struct runtime_prog *prog, char *msg, size_t msg_size);

const struct hook_xdp_counters *hook_xdp_counters(const struct hook_xdp *xdp);
unsigned hook_xdp_worker_count(const struct hook_xdp *xdp);

/* Readable once frame_limit frames have been run, or once an interface went away. */
int hook_xdp_done_fd(const struct hook_xdp *xdp);

/* 0 while the attachment works; -ENODEV with msg once the interface or its peer has been
 * removed (the workers have stopped; detach still has to be called). An interface that only
 * goes down is waited for. */
int hook_xdp_error(const struct hook_xdp *xdp, char *msg, size_t msg_size);

#endif
