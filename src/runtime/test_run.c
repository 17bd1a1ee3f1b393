/* Test-run: one context per program type, run repeat times, results copied out as
 * Linux's bpf_test_finish and bpf_ctx_finish do. */
#include "runtime/test_run.h"

#include <errno.h>
#include <string.h>

#include "base/message.h"
#include "platform/host.h"
#include "runtime/ctx_common.h"
#include "runtime/ctx_process.h"
#include "runtime/ctx_skb.h"
#include "runtime/ctx_sock.h"
#include "runtime/ctx_sock_addr.h"
#include "runtime/ctx_sock_ops.h"
#include "runtime/xdp_context.h"
#include "verifier/prog_types.h"

enum { SCHED_ACT = 4 }; /* Linux's BPF_PROG_TYPE_SCHED_ACT: a tc program with the same context */

struct test_run {
    struct runtime_prog *prog;
    const struct runtime_test_run_attr *attr;
    struct runtime_test_run_result *res;
    struct vm_run run;
    bool checked;
    char *msg;
    size_t msg_size;
};

static int run_repeated(struct test_run *t, const void *ctx)
{
    uint32_t repeat = t->attr->repeat ? t->attr->repeat : 1;
    uint64_t r0 = 0;
    uint64_t start = platform_monotonic_ns();
    for (uint32_t i = 0; i < repeat; i++) {
        int err = runtime_prog_run(t->prog, &t->run, (uintptr_t)ctx, 0, &r0);
        if (err)
            return msg_error(err, t->msg, t->msg_size, "program '%s' faulted at instruction %zu: %s",
                             t->prog->name, t->run.error_pc, t->run.msg);
    }
    uint64_t average = (platform_monotonic_ns() - start) / repeat;
    t->res->retval = (uint32_t)r0;
    t->res->duration_ns = average > UINT32_MAX ? UINT32_MAX : (uint32_t)average;
    return 0;
}

/* Copies what fits; -ENOSPC when not everything did. The full size is reported either way. */
static int copy_out(void *out, uint32_t capacity, const void *bytes, size_t size, uint32_t *reported,
                    const char *what, char *msg, size_t msg_size)
{
    *reported = (uint32_t)size;
    if (!out)
        return 0;
    if (size && capacity)
        memcpy(out, bytes, size < capacity ? size : capacity);
    if (size > capacity)
        return msg_error(-ENOSPC, msg, msg_size, "%s needs %zu bytes, the buffer has %u", what, size, capacity);
    return 0;
}

static int finish(struct test_run *t, const void *data, size_t data_size, const void *ctx, size_t ctx_size)
{
    const struct runtime_test_run_attr *a = t->attr;
    int err = copy_out(a->data_out, a->data_size_out, data, data_size, &t->res->data_size_out, "data_out",
                       t->msg, t->msg_size);
    if (!a->ctx_out)
        return err;
    int ctx_err = copy_out(a->ctx_out, a->ctx_size_out, ctx, ctx_size, &t->res->ctx_size_out, "ctx_out",
                           t->msg, t->msg_size);
    return err ? err : ctx_err;
}

static int no_data(struct test_run *t, const struct prog_type_desc *desc)
{
    if (t->attr->data_size_in)
        return msg_error(-EINVAL, t->msg, t->msg_size, "%s programs take no data_in (%u bytes given); "
                         "their input is the context", desc->name, t->attr->data_size_in);
    return 0;
}

static int copy_ctx_in(struct test_run *t, void *ctx, size_t size, const struct prog_type_desc *desc)
{
    return runtime_ctx_copy_in(ctx, size, t->attr->ctx_in, t->attr->ctx_size_in, desc, t->msg, t->msg_size);
}

/* --- XDP ------------------------------------------------------------------------------- */

static int check_xdp_md(struct test_run *t, const struct xdp_md_abi *md)
{
    if (md->data_meta || md->egress_ifindex)
        return msg_error(-EINVAL, t->msg, t->msg_size, "ctx_in: xdp_md data_meta and egress_ifindex "
                         "must be zero");
    if (md->data_end != t->attr->data_size_in || md->data > md->data_end)
        return msg_error(-EINVAL, t->msg, t->msg_size, "ctx_in: xdp_md data_end (%u) must be the data "
                         "size (%u) and data (%u, the metadata length) at most data_end", md->data_end,
                         t->attr->data_size_in, md->data);
    if (md->data % 4 || md->data > XDP_FRAME_METADATA_MAX)
        return msg_error(-EINVAL, t->msg, t->msg_size, "ctx_in: xdp_md data %u: metadata is a multiple "
                         "of 4 bytes, at most %d", md->data, XDP_FRAME_METADATA_MAX);
    if (!md->ingress_ifindex && md->rx_queue_index)
        return msg_error(-EINVAL, t->msg, t->msg_size, "ctx_in: xdp_md rx_queue_index %u needs an "
                         "ingress_ifindex", md->rx_queue_index);
    return 0;
}

static int test_run_xdp(struct test_run *t, const struct prog_type_desc *desc)
{
    const struct runtime_test_run_attr *a = t->attr;
    if (a->flags & TEST_RUN_F_XDP_LIVE_FRAMES)
        return msg_error(-EOPNOTSUPP, t->msg, t->msg_size, "XDP live frames (BPF_F_TEST_XDP_LIVE_FRAMES) "
                         "are not supported");
    struct xdp_md_abi in;
    int err = copy_ctx_in(t, &in, sizeof in, desc);
    if (!err && a->ctx_in)
        err = check_xdp_md(t, &in);
    if (err)
        return err;
    uint32_t meta_len = a->ctx_in ? in.data : 0;
    size_t frame_len = a->data_size_in - meta_len;
    if (frame_len < XDP_FRAME_MIN_LEN || frame_len > XDP_FRAME_SIZE - XDP_FRAME_HEADROOM)
        return msg_error(-EINVAL, t->msg, t->msg_size, "XDP frame of %zu bytes: test-run takes %d to %d "
                         "bytes (fragments are not supported)", frame_len, XDP_FRAME_MIN_LEN,
                         XDP_FRAME_SIZE - XDP_FRAME_HEADROOM);
    struct runtime_xdp_frame frame;
    if (runtime_xdp_frame_init(&frame))
        return msg_error(-ENOMEM, t->msg, t->msg_size, "out of memory for an XDP frame");
    const uint8_t *bytes = a->data_in;
    /* Linux's default device is the loopback interface, queue 0. */
    runtime_xdp_frame_load(&frame, bytes + meta_len, frame_len, in.ingress_ifindex ? in.ingress_ifindex : 1,
                           in.rx_queue_index);
    runtime_xdp_frame_set_meta(&frame, bytes, meta_len); /* check_xdp_md bounded meta_len */
    err = runtime_xdp_prepare_run(t->prog, &frame, &t->run);
    if (err)
        msg_set(t->msg, t->msg_size, "%s", t->run.msg);
    if (!err)
        err = run_repeated(t, &frame.md);
    if (!err) {
        const uint8_t *meta = (const uint8_t *)(uintptr_t)frame.md.data_meta;
        struct xdp_md_abi out = in;
        out.data = (uint32_t)(frame.md.data - frame.md.data_meta);
        out.data_end = (uint32_t)(frame.md.data_end - frame.md.data_meta);
        err = finish(t, meta, out.data_end, &out, sizeof out);
    }
    runtime_xdp_frame_release(&frame);
    return err;
}

/* --- __sk_buff -------------------------------------------------------------------------- */

static int test_run_skb(struct test_run *t, const struct prog_type_desc *desc)
{
    const struct runtime_test_run_attr *a = t->attr;
    if (a->flags & TEST_RUN_F_SKB_CHECKSUM_COMPLETE)
        return msg_error(-EOPNOTSUPP, t->msg, t->msg_size, "BPF_F_TEST_SKB_CHECKSUM_COMPLETE is not "
                         "supported");
    struct sk_buff_abi in;
    int err = copy_ctx_in(t, &in, sizeof in, desc);
    if (err)
        return err;
    struct runtime_skb skb;
    if (runtime_skb_init(&skb))
        return msg_error(-ENOMEM, t->msg, t->msg_size, "out of memory for an skb");
    err = runtime_skb_load(&skb, t->prog->prog_type, a->data_in, a->data_size_in, a->ctx_in ? &in : NULL,
                           t->msg, t->msg_size);
    if (!err && (err = runtime_skb_prepare_run(&skb, &t->run, t->checked)))
        msg_set(t->msg, t->msg_size, "%s", t->run.msg);
    if (!err)
        err = run_repeated(t, &skb.md);
    if (!err) {
        struct sk_buff_abi out;
        runtime_skb_ctx_out(&skb, &out);
        size_t len;
        const uint8_t *frame = runtime_skb_frame(&skb, &len);
        err = finish(t, frame, len, &out, sizeof out);
    }
    runtime_skb_release(&skb);
    return err;
}

/* --- socket contexts ---------------------------------------------------------------------- */

static int test_run_sock_addr(struct test_run *t, const struct prog_type_desc *desc)
{
    struct bpf_sock_addr_abi in;
    struct runtime_sock_addr ctx;
    int err = no_data(t, desc);
    if (!err)
        err = copy_ctx_in(t, &in, sizeof in, desc);
    if (!err)
        err = runtime_sock_addr_load(&ctx, t->prog->expected_attach_type, t->attr->ctx_in ? &in : NULL,
                                     t->msg, t->msg_size);
    if (!err)
        err = runtime_sock_addr_prepare_run(&ctx, &t->run, t->checked);
    if (!err)
        err = run_repeated(t, &ctx.md);
    if (err)
        return err;
    struct bpf_sock_addr_abi out;
    runtime_sock_addr_ctx_out(&ctx, &out);
    return finish(t, NULL, 0, &out, sizeof out);
}

static int test_run_sock(struct test_run *t, const struct prog_type_desc *desc)
{
    struct bpf_sock_abi in;
    struct runtime_sock ctx;
    int err = no_data(t, desc);
    if (!err)
        err = copy_ctx_in(t, &in, sizeof in, desc);
    if (!err)
        err = runtime_sock_load(&ctx, t->prog->expected_attach_type, t->attr->ctx_in ? &in : NULL,
                                t->msg, t->msg_size);
    if (!err)
        err = runtime_sock_prepare_run(&ctx, &t->run, t->checked);
    if (!err)
        err = run_repeated(t, &ctx.md);
    if (err)
        return err;
    struct bpf_sock_abi out;
    runtime_sock_ctx_out(&ctx, &out);
    return finish(t, NULL, 0, &out, sizeof out);
}

static int test_run_sock_ops(struct test_run *t, const struct prog_type_desc *desc)
{
    struct bpf_sock_ops_abi in;
    struct runtime_sock_ops ctx;
    int err = copy_ctx_in(t, &in, sizeof in, desc);
    if (err)
        return err;
    err = runtime_sock_ops_load(&ctx, t->attr->ctx_in ? &in : NULL, t->attr->data_in, t->attr->data_size_in,
                                t->msg, t->msg_size);
    if (!err)
        err = runtime_sock_ops_prepare_run(&ctx, &t->run, t->checked);
    if (!err)
        err = run_repeated(t, &ctx.md);
    if (!err) {
        struct bpf_sock_ops_abi out;
        runtime_sock_ops_ctx_out(&ctx, &out);
        err = finish(t, ctx.segment, ctx.segment_len, &out, sizeof out);
    }
    runtime_sock_ops_release(&ctx);
    return err;
}

/* --- process ------------------------------------------------------------------------------ */

static int test_run_process(struct test_run *t, const struct prog_type_desc *desc)
{
    struct process_md_abi in;
    struct runtime_process ctx;
    int err = copy_ctx_in(t, &in, sizeof in, desc);
    if (err)
        return err;
    err = runtime_process_load(&ctx, t->attr->ctx_in ? &in : NULL, t->attr->data_in, t->attr->data_size_in,
                               t->msg, t->msg_size);
    if (!err)
        err = runtime_process_prepare_run(&ctx, &t->run, t->checked);
    if (!err)
        err = run_repeated(t, &ctx.md);
    if (!err) {
        struct process_md_abi out;
        runtime_process_ctx_out(&ctx, &out);
        err = finish(t, ctx.command, ctx.command_len, &out, sizeof out);
    }
    runtime_process_release(&ctx);
    return err;
}

/* ------------------------------------------------------------------------------------------ */

static int check_attr(const struct runtime_test_run_attr *a, uint32_t prog_type, char *msg, size_t msg_size)
{
    uint32_t known = TEST_RUN_F_ON_CPU | TEST_RUN_F_XDP_LIVE_FRAMES | TEST_RUN_F_SKB_CHECKSUM_COMPLETE;
    if (a->flags & ~known)
        return msg_error(-EINVAL, msg, msg_size, "unknown test-run flags 0x%x", a->flags & ~known);
    if ((a->flags & TEST_RUN_F_ON_CPU) || a->cpu)
        return msg_error(-EINVAL, msg, msg_size, "test-run on a chosen CPU (flags BPF_F_TEST_RUN_ON_CPU, "
                         "cpu %u) is for raw tracepoints only", a->cpu);
    if ((a->flags & TEST_RUN_F_XDP_LIVE_FRAMES) && prog_type != PROG_TYPE_XDP)
        return msg_error(-EINVAL, msg, msg_size, "BPF_F_TEST_XDP_LIVE_FRAMES is for XDP programs");
    if ((a->flags & TEST_RUN_F_SKB_CHECKSUM_COMPLETE) && prog_type != PROG_TYPE_SOCKET_FILTER &&
        prog_type != PROG_TYPE_SCHED_CLS && prog_type != SCHED_ACT)
        return msg_error(-EINVAL, msg, msg_size, "BPF_F_TEST_SKB_CHECKSUM_COMPLETE is for skb programs");
    if (a->batch_size)
        return msg_error(-EINVAL, msg, msg_size, "batch_size %u is for XDP live frames only", a->batch_size);
    if ((a->data_size_in && !a->data_in) || (a->ctx_size_in && !a->ctx_in))
        return msg_error(-EINVAL, msg, msg_size, "data_size_in %u / ctx_size_in %u without a buffer",
                         a->data_size_in, a->ctx_size_in);
    return 0;
}

int runtime_prog_test_run(struct runtime_prog *prog, const struct runtime_test_run_attr *attr,
                          struct runtime_test_run_result *res, char *msg, size_t msg_size)
{
    memset(res, 0, sizeof *res);
    int err = check_attr(attr, prog->prog_type, msg, msg_size);
    if (err)
        return err;
    uint32_t type = prog->prog_type == SCHED_ACT ? PROG_TYPE_SCHED_CLS : prog->prog_type;
    const struct prog_type_desc *desc = prog_type_by_linux_type(type);
    struct test_run t = {prog, attr, res, .checked = !prog->verified && !prog->jit, .msg = msg,
                         .msg_size = msg_size};
    vm_run_init(&t.run);
    t.run.max_steps = t.checked ? TEST_RUN_MAX_STEPS : 0;
    switch (desc ? type : 0) {
    case PROG_TYPE_XDP: err = test_run_xdp(&t, desc); break;
    case PROG_TYPE_SOCKET_FILTER:
    case PROG_TYPE_SCHED_CLS: err = test_run_skb(&t, desc); break;
    case PROG_TYPE_CGROUP_SOCK_ADDR: err = test_run_sock_addr(&t, desc); break;
    case PROG_TYPE_CGROUP_SOCK: err = test_run_sock(&t, desc); break;
    case PROG_TYPE_SOCK_OPS: err = test_run_sock_ops(&t, desc); break;
    case PROG_TYPE_HOST_PROCESS: err = test_run_process(&t, desc); break;
    default:
        err = msg_error(-EOPNOTSUPP, msg, msg_size, "test-run does not support program '%s' of type %u "
                        "(%s)", prog->name, prog->prog_type, desc ? desc->name : "unknown");
    }
    vm_run_release(&t.run);
    return err;
}
