/* XDP frames and their helpers: adjust_head, adjust_meta, adjust_tail, redirect. */
#include "runtime/xdp_context.h"

#include <errno.h>
#include <string.h>

#include "base/message.h"
#include "helpers/helpers.h"

_Static_assert(offsetof(struct runtime_xdp_md, ingress_ifindex) == offsetof(struct xdp_md_abi, ingress_ifindex),
               "xdp_md scalars keep Linux's offsets");
_Static_assert(offsetof(struct runtime_xdp_md, egress_ifindex) == offsetof(struct xdp_md_abi, egress_ifindex),
               "xdp_md scalars keep Linux's offsets");
_Static_assert(offsetof(struct runtime_xdp_md, data) == sizeof(struct xdp_md_abi),
               "the full-width pointers follow Linux's struct");

/* Linux's 32-bit fields: real addresses when the buffer is below 4 GiB. */
static void refresh_abi_pointers(struct runtime_xdp_md *md)
{
    md->data32 = (uint32_t)md->data;
    md->data_end32 = (uint32_t)md->data_end;
    md->data_meta32 = (uint32_t)md->data_meta;
}

int runtime_xdp_frame_init(struct runtime_xdp_frame *frame)
{
    memset(frame, 0, sizeof *frame);
    frame->kind = RUNTIME_CTX_XDP;
    return runtime_ctx_buffer_alloc(&frame->buffer, XDP_FRAME_SIZE);
}

void runtime_xdp_frame_release(struct runtime_xdp_frame *frame)
{
    runtime_ctx_buffer_free(&frame->buffer);
}

int runtime_xdp_frame_load(struct runtime_xdp_frame *frame, const void *data, size_t len,
                           uint32_t ingress_ifindex, uint32_t rx_queue_index)
{
    if (len > XDP_FRAME_SIZE - XDP_FRAME_HEADROOM)
        return -EMSGSIZE;
    uint8_t *start = frame->buffer.bytes + XDP_FRAME_HEADROOM;
    memcpy(start, data, len);
    frame->md = (struct runtime_xdp_md){
        .ingress_ifindex = ingress_ifindex,
        .rx_queue_index = rx_queue_index,
        .data = (uintptr_t)start,
        .data_end = (uintptr_t)(start + len),
        .data_meta = (uintptr_t)start, /* no metadata yet: meta == data */
    };
    refresh_abi_pointers(&frame->md);
    frame->redirect = false;
    frame->redirect_ifindex = 0;
    return 0;
}

int runtime_xdp_frame_set_meta(struct runtime_xdp_frame *frame, const void *meta, size_t len)
{
    if (len % 4 || len > XDP_FRAME_METADATA_MAX || frame->md.data_meta != frame->md.data)
        return -EINVAL;
    frame->md.data_meta -= len;
    memcpy((void *)(uintptr_t)frame->md.data_meta, meta, len);
    refresh_abi_pointers(&frame->md);
    return 0;
}

int runtime_xdp_prepare_run(const struct runtime_prog *prog, struct runtime_xdp_frame *frame,
                            struct vm_run *run)
{
    run->host = frame;
    if (prog->verified)
        return 0;
    ptrdiff_t moved;
    int err = runtime_ctx_buffer_lower(&frame->buffer, &moved);
    if (err) {
        msg_set(run->msg, sizeof run->msg, "an unverified program reads xdp_md's 32-bit packet "
                "pointers, so its frame must lie below 4 GiB, and this host has no memory there");
        return run->error = err;
    }
    frame->md.data += (uint64_t)moved;
    frame->md.data_end += (uint64_t)moved;
    frame->md.data_meta += (uint64_t)moved;
    refresh_abi_pointers(&frame->md);
    err = vm_run_add_region(run, &frame->md, sizeof frame->md, false);
    if (!err)
        err = vm_run_add_region(run, frame->buffer.bytes, XDP_FRAME_SIZE, true);
    return err;
}

int runtime_xdp_run(const struct runtime_prog *prog, struct runtime_xdp_frame *frame,
                    struct vm_run *run, uint32_t *action)
{
    int err = runtime_xdp_prepare_run(prog, frame, run);
    uint64_t r0 = 0;
    if (!err)
        err = runtime_prog_run(prog, run, (uintptr_t)&frame->md, 0, &r0);
    if (err)
        return err;
    *action = r0 <= XDP_CODE_REDIRECT ? (uint32_t)r0 : XDP_CODE_ABORTED;
    if (*action == XDP_CODE_REDIRECT && !frame->redirect)
        *action = XDP_CODE_ABORTED; /* XDP_REDIRECT without a target */
    return 0;
}

/* --- helpers ---------------------------------------------------------------------------- */

#define HELPER(name) static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                                          struct vm_run *run)

/* The frame of this invocation, if r1 really is its context. */
static struct runtime_xdp_frame *frame_of(struct vm_run *run, uint64_t ctx)
{
    struct runtime_xdp_frame *frame = runtime_ctx_host(run, RUNTIME_CTX_XDP);
    return frame && (uintptr_t)&frame->md == ctx ? frame : NULL;
}

/* Addresses are compared as signed 64-bit numbers: user-space addresses are below 2^63. */
HELPER(helper_xdp_adjust_head)
{
    struct runtime_xdp_frame *frame = frame_of(run, r1);
    if (!frame)
        return (uint64_t)-EINVAL;
    struct runtime_xdp_md *md = &frame->md;
    int64_t meta_len = (int64_t)(md->data - md->data_meta);
    int64_t data = (int64_t)md->data + (int32_t)r2;
    /* The metadata moves with the data and must stay inside the headroom. */
    if (data - meta_len < (int64_t)(uintptr_t)frame->buffer.bytes + XDP_FRAME_HEADER_RESERVED ||
        data > (int64_t)md->data_end - XDP_FRAME_MIN_LEN)
        return (uint64_t)-EINVAL;
    if (meta_len)
        memmove((void *)(uintptr_t)(data - meta_len), (void *)(uintptr_t)md->data_meta, (size_t)meta_len);
    md->data = (uint64_t)data;
    md->data_meta = (uint64_t)(data - meta_len);
    refresh_abi_pointers(md);
    return 0;
}

HELPER(helper_xdp_adjust_meta)
{
    struct runtime_xdp_frame *frame = frame_of(run, r1);
    if (!frame)
        return (uint64_t)-EINVAL;
    struct runtime_xdp_md *md = &frame->md;
    int32_t delta = (int32_t)r2;
    int64_t meta = (int64_t)md->data_meta + delta;
    int64_t meta_len = (int64_t)md->data - meta;
    if (delta % 4 || meta < (int64_t)(uintptr_t)frame->buffer.bytes + XDP_FRAME_HEADER_RESERVED || meta_len < 0 ||
        meta_len > XDP_FRAME_METADATA_MAX)
        return (uint64_t)-EINVAL;
    md->data_meta = (uint64_t)meta;
    refresh_abi_pointers(md);
    return 0;
}

HELPER(helper_xdp_adjust_tail)
{
    struct runtime_xdp_frame *frame = frame_of(run, r1);
    if (!frame)
        return (uint64_t)-EINVAL;
    struct runtime_xdp_md *md = &frame->md;
    int64_t end = (int64_t)md->data_end + (int32_t)r2;
    if (end > (int64_t)(uintptr_t)frame->buffer.bytes + XDP_FRAME_SIZE - XDP_FRAME_TAIL_RESERVED ||
        end < (int64_t)md->data + XDP_FRAME_MIN_LEN)
        return (uint64_t)-EINVAL;
    if (end > (int64_t)md->data_end) /* grown bytes read as zero, as in Linux */
        memset((void *)(uintptr_t)md->data_end, 0, (size_t)(end - (int64_t)md->data_end));
    md->data_end = (uint64_t)end;
    refresh_abi_pointers(md);
    return 0;
}

HELPER(helper_redirect)
{
    struct runtime_xdp_frame *frame = runtime_ctx_host(run, RUNTIME_CTX_XDP);
    if (!frame || r2)
        return XDP_CODE_ABORTED;
    frame->redirect = true;
    frame->redirect_ifindex = (uint32_t)r1;
    return XDP_CODE_REDIRECT;
}

/* bpf_redirect_map(map, key, flags): a DEVMAP / DEVMAP_HASH entry names the interface; when
 * the key is missing the low two bits of flags are the action (Linux's fallback). */
HELPER(helper_redirect_map)
{
    struct runtime_xdp_frame *frame = runtime_ctx_host(run, RUNTIME_CTX_XDP);
    struct bpfhost_map *map = (struct bpfhost_map *)(uintptr_t)r1;
    if (!frame || !map || (map->map_type != MAP_TYPE_DEVMAP && map->map_type != MAP_TYPE_DEVMAP_HASH))
        return XDP_CODE_ABORTED;
    uint32_t key = (uint32_t)r2;
    const uint32_t *entry = map_lookup_elem(map, &key);
    if (!entry)
        return r3 & 3;
    frame->redirect = true;
    frame->redirect_ifindex = *entry;
    return XDP_CODE_REDIRECT;
}

void helpers_register_xdp(struct vm_helpers *table)
{
    table->fn[HELPER_XDP_ADJUST_HEAD] = helper_xdp_adjust_head;
    table->fn[HELPER_XDP_ADJUST_META] = helper_xdp_adjust_meta;
    table->fn[HELPER_XDP_ADJUST_TAIL] = helper_xdp_adjust_tail;
    table->fn[HELPER_REDIRECT] = helper_redirect;
    table->fn[HELPER_REDIRECT_MAP] = helper_redirect_map;
}
