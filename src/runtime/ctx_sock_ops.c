/* struct bpf_sock_ops contexts (SOCK_OPS). */
#include "runtime/ctx_sock_ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"
#include "verifier/prog_types.h"

#define OPS_FIELD(name) {offsetof(struct bpf_sock_ops_abi, name), sizeof(((struct bpf_sock_ops_abi *)0)->name)}

_Static_assert(sizeof(struct bpf_sock_ops_abi) == 216, "struct bpf_sock_ops is 216 bytes");
_Static_assert(offsetof(struct bpf_sock_ops_abi, sk_txhash) == 164, "bpf_sock_ops.sk_txhash");
_Static_assert(offsetof(struct bpf_sock_ops_abi, sk) == 184, "bpf_sock_ops.sk");
_Static_assert(offsetof(struct bpf_sock_ops_abi, skb_tcp_flags) == 212, "bpf_sock_ops.skb_tcp_flags");

static const struct ctx_range writable_fields[] = {OPS_FIELD(args), OPS_FIELD(sk_txhash)};
static const struct ctx_range derived_fields[] = {
    OPS_FIELD(sk), OPS_FIELD(skb_data), OPS_FIELD(skb_data_end), OPS_FIELD(skb_len),
};

size_t runtime_sock_ops_writable(const struct ctx_range **ranges)
{
    *ranges = writable_fields;
    return sizeof writable_fields / sizeof writable_fields[0];
}

static void describe_socket(struct runtime_sock_ops *ctx)
{
    const struct bpf_sock_ops_abi *md = &ctx->md;
    struct bpf_sock_abi *sock = &ctx->sock;
    sock->family = md->family;
    sock->type = CTX_SOCK_STREAM;
    sock->protocol = CTX_IPPROTO_TCP;
    sock->src_ip4 = md->local_ip4;
    sock->dst_ip4 = md->remote_ip4;
    memcpy(sock->src_ip6, md->local_ip6, 16);
    memcpy(sock->dst_ip6, md->remote_ip6, 16);
    sock->src_port = md->local_port;
    sock->dst_port = (uint16_t)(md->remote_port >> 16);
    sock->state = md->state;
}

int runtime_sock_ops_load(struct runtime_sock_ops *ctx, const struct bpf_sock_ops_abi *in,
                          const void *segment, size_t segment_len, char *msg, size_t msg_size)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->kind = RUNTIME_CTX_SOCK_OPS;
    const struct prog_type_desc *desc = prog_type_by_linux_type(PROG_TYPE_SOCK_OPS);
    if (in) {
        for (size_t i = 0; i < sizeof derived_fields / sizeof derived_fields[0]; i++) {
            const uint8_t *field = (const uint8_t *)in + derived_fields[i].offset;
            for (size_t b = 0; b < derived_fields[i].size; b++)
                if (field[b])
                    return msg_error(-EINVAL, msg, msg_size, "ctx_in: bpf_sock_ops field %s is derived "
                                     "by the runtime and must be zero", prog_type_find_field(desc,
                                     derived_fields[i].offset, 1)->name);
        }
        ctx->md = *in;
    }
    if (segment_len > SOCK_OPS_MAX_SEGMENT)
        return msg_error(-EINVAL, msg, msg_size, "a TCP segment of %zu bytes exceeds %d", segment_len,
                         SOCK_OPS_MAX_SEGMENT);
    if (segment_len) {
        ctx->segment = malloc(segment_len);
        if (!ctx->segment)
            return msg_error(-ENOMEM, msg, msg_size, "out of memory for a %zu-byte segment", segment_len);
        memcpy(ctx->segment, segment, segment_len);
        ctx->segment_len = (uint32_t)segment_len;
        ctx->md.skb_data = (uintptr_t)ctx->segment;
        ctx->md.skb_data_end = (uintptr_t)(ctx->segment + segment_len);
        ctx->md.skb_len = (uint32_t)segment_len;
    }
    if (ctx->md.is_fullsock) {
        describe_socket(ctx);
        ctx->md.sk = (uintptr_t)&ctx->sock;
    }
    ctx->cookie = runtime_ctx_new_cookie();
    return 0;
}

void runtime_sock_ops_release(struct runtime_sock_ops *ctx)
{
    free(ctx->segment);
    ctx->segment = NULL;
}

int runtime_sock_ops_prepare_run(struct runtime_sock_ops *ctx, struct vm_run *run, bool checked)
{
    run->host = ctx;
    if (!checked)
        return 0;
    int err = runtime_ctx_add_regions(run, &ctx->md, sizeof ctx->md, writable_fields,
                                      sizeof writable_fields / sizeof writable_fields[0]);
    if (!err)
        err = vm_run_add_region(run, &ctx->sock, sizeof ctx->sock, false);
    if (!err && ctx->segment)
        err = vm_run_add_region(run, ctx->segment, ctx->segment_len, false);
    return err;
}

void runtime_sock_ops_ctx_out(const struct runtime_sock_ops *ctx, struct bpf_sock_ops_abi *out)
{
    *out = ctx->md;
    out->sk = out->skb_data = out->skb_data_end = 0;
    out->skb_len = 0;
}
