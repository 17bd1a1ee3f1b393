/* The XDP context: a frame in a buffer with Linux's headroom, the struct xdp_md a program
 * sees, and what the program asked for (redirect target). Used by test-run and by the XDP
 * hook. Linux's xdp_md holds packet pointers in 32-bit fields; verified programs' loads of
 * them are rewritten to read 64-bit copies (runtime/ctx_rewrite.h), so the frame's buffer
 * is ordinary memory, moved below 4 GiB only for an unverified program's first run. */
#ifndef BPFHOST_RUNTIME_XDP_CONTEXT_H
#define BPFHOST_RUNTIME_XDP_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/ctx_common.h"
#include "runtime/prog.h"

/* struct xdp_md of linux/bpf.h. */
struct xdp_md_abi {
    uint32_t data;
    uint32_t data_end;
    uint32_t data_meta;
    uint32_t ingress_ifindex;
    uint32_t rx_queue_index;
    uint32_t egress_ifindex;
};

enum xdp_action_code { XDP_CODE_ABORTED, XDP_CODE_DROP, XDP_CODE_PASS, XDP_CODE_TX, XDP_CODE_REDIRECT };

enum {
    XDP_FRAME_HEADROOM = 256,   /* XDP_PACKET_HEADROOM */
    XDP_FRAME_SIZE = 4096,      /* one page per frame, as Linux's veth and AF_XDP */
    XDP_FRAME_METADATA_MAX = 32,
    XDP_FRAME_MIN_LEN = 14,     /* an Ethernet header must remain */
    /* Linux keeps its struct xdp_frame at the start of the headroom and a struct
     * skb_shared_info (aligned) at the end of the page: adjust_head/meta and adjust_tail
     * stop short of them (x86-64 sizes), as the kernel oracle checks. */
    XDP_FRAME_HEADER_RESERVED = 40,
    XDP_FRAME_TAIL_RESERVED = 320,
};

/* What a program's r1 points to: struct xdp_md (Linux's offsets, 24 bytes), then the
 * packet pointers at full width. data, data_end and data_meta are the real addresses the
 * runtime, the hooks and the helpers use; data32, data_end32 and data_meta32, the 32-bit
 * fields of Linux's layout, are copies that runtime_xdp_run refreshes before a run of an
 * unverified program (the only kind that reads them). */
struct runtime_xdp_md {
    uint32_t data32;
    uint32_t data_end32;
    uint32_t data_meta32;
    uint32_t ingress_ifindex;
    uint32_t rx_queue_index;
    uint32_t egress_ifindex;
    uint64_t data;
    uint64_t data_end;
    uint64_t data_meta;
};

struct runtime_xdp_frame {
    uint32_t kind;              /* RUNTIME_CTX_XDP (ctx_common.h) */
    struct runtime_xdp_md md;   /* the program's r1 points here */
    struct runtime_ctx_buffer buffer; /* XDP_FRAME_SIZE bytes */
    bool redirect;              /* bpf_redirect or bpf_redirect_map chose a target */
    uint32_t redirect_ifindex;
};

/* Allocates the frame's buffer (ordinary memory). Returns 0 or -ENOMEM. */
int runtime_xdp_frame_init(struct runtime_xdp_frame *frame);
void runtime_xdp_frame_release(struct runtime_xdp_frame *frame);

/* Copies a frame in (after the headroom) and resets the context. Returns 0, or -EMSGSIZE
 * when len does not fit the page with its headroom. */
int runtime_xdp_frame_load(struct runtime_xdp_frame *frame, const void *data, size_t len,
                           uint32_t ingress_ifindex, uint32_t rx_queue_index);

/* The frame's current bytes (after the program moved head or tail). */
static inline uint8_t *runtime_xdp_frame_data(const struct runtime_xdp_frame *frame, size_t *len)
{
    *len = (size_t)(frame->md.data_end - frame->md.data);
    return (uint8_t *)(uintptr_t)frame->md.data;
}

/* Prepends len bytes of metadata (at most XDP_FRAME_METADATA_MAX, a multiple of 4) in
 * front of the loaded frame's data, as test-run's ctx_in asks. Returns 0 or -EINVAL. */
int runtime_xdp_frame_set_meta(struct runtime_xdp_frame *frame, const void *meta, size_t len);

/* Makes run a run of prog on the frame: run->host and, for an unverified program, the
 * frame moved below 4 GiB (its bytes may move: take pointers into them afresh after a run),
 * the 32-bit fields refreshed and the checked-mode regions of the context and the buffer.
 * Returns 0, or -ENOMEM with run->msg when the host has no memory below 4 GiB. */
int runtime_xdp_prepare_run(const struct runtime_prog *prog, struct runtime_xdp_frame *frame,
                            struct vm_run *run);

/* Runs an XDP program on the loaded frame (runtime_xdp_prepare_run first). Returns 0 with
 * the action in *action (an out of range return value counts as ABORTED, as on Linux), or
 * the engine's error. */
int runtime_xdp_run(const struct runtime_prog *prog, struct runtime_xdp_frame *frame,
                    struct vm_run *run, uint32_t *action);

#endif
