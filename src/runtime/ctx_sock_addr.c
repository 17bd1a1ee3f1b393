/* struct bpf_sock_addr contexts (CGROUP_SOCK_ADDR). */
#include "runtime/ctx_sock_addr.h"

#include <errno.h>
#include <string.h>

#include "base/message.h"
#include "elf/elf_object.h"
#include "verifier/prog_types.h"

#define ADDR_FIELD(name) {offsetof(struct bpf_sock_addr_abi, name), sizeof(((struct bpf_sock_addr_abi *)0)->name)}

_Static_assert(sizeof(struct bpf_sock_addr_abi) == 72, "struct bpf_sock_addr is 72 bytes");
_Static_assert(offsetof(struct bpf_sock_addr_abi, msg_src_ip6) == 44, "bpf_sock_addr.msg_src_ip6");
_Static_assert(offsetof(struct bpf_sock_addr_abi, sk) == 64, "bpf_sock_addr.sk");

static const struct ctx_range v4_writable[] = {ADDR_FIELD(user_ip4), ADDR_FIELD(user_port)};
static const struct ctx_range v4_sendmsg_writable[] = {ADDR_FIELD(user_ip4), ADDR_FIELD(user_port),
                                                       ADDR_FIELD(msg_src_ip4)};
static const struct ctx_range v6_writable[] = {ADDR_FIELD(user_ip6), ADDR_FIELD(user_port)};
static const struct ctx_range v6_sendmsg_writable[] = {ADDR_FIELD(user_ip6), ADDR_FIELD(user_port),
                                                       ADDR_FIELD(msg_src_ip6)};
#define RANGES(table) (*ranges = table, sizeof table / sizeof table[0])

size_t runtime_sock_addr_writable(uint32_t attach_type, const struct ctx_range **ranges)
{
    *ranges = NULL;
    switch (attach_type) {
    case EBPF_CGROUP_INET4_BIND: case EBPF_CGROUP_INET4_CONNECT: case EBPF_CGROUP_INET4_GETPEERNAME:
    case EBPF_CGROUP_INET4_GETSOCKNAME: case EBPF_CGROUP_UDP4_RECVMSG:
        return RANGES(v4_writable);
    case EBPF_CGROUP_UDP4_SENDMSG:
        return RANGES(v4_sendmsg_writable);
    case EBPF_CGROUP_INET6_BIND: case EBPF_CGROUP_INET6_CONNECT: case EBPF_CGROUP_INET6_GETPEERNAME:
    case EBPF_CGROUP_INET6_GETSOCKNAME: case EBPF_CGROUP_UDP6_RECVMSG:
        return RANGES(v6_writable);
    case EBPF_CGROUP_UDP6_SENDMSG:
        return RANGES(v6_sendmsg_writable);
    default:
        return 0;
    }
}

uint32_t runtime_sock_addr_family(uint32_t attach_type)
{
    const struct ctx_range *ranges;
    if (!runtime_sock_addr_writable(attach_type, &ranges))
        return 0;
    return ranges[0].offset == offsetof(struct bpf_sock_addr_abi, user_ip4) ? CTX_AF_INET : CTX_AF_INET6;
}

static bool is_udp_hook(uint32_t attach_type)
{
    return attach_type == EBPF_CGROUP_UDP4_SENDMSG || attach_type == EBPF_CGROUP_UDP6_SENDMSG ||
           attach_type == EBPF_CGROUP_UDP4_RECVMSG || attach_type == EBPF_CGROUP_UDP6_RECVMSG;
}

/* The socket the address belongs to: the address is its peer for connect, sendmsg and
 * getpeername, its own for bind, getsockname and recvmsg's source. */
static void describe_socket(struct runtime_sock_addr *ctx)
{
    const struct bpf_sock_addr_abi *md = &ctx->md;
    struct bpf_sock_abi *sock = &ctx->sock;
    memset(sock, 0, sizeof *sock);
    sock->family = md->family;
    sock->type = md->type;
    sock->protocol = md->protocol;
    uint32_t a = ctx->attach_type;
    bool local = a == EBPF_CGROUP_INET4_BIND || a == EBPF_CGROUP_INET6_BIND ||
                 a == EBPF_CGROUP_INET4_GETSOCKNAME || a == EBPF_CGROUP_INET6_GETSOCKNAME;
    uint16_t port = (uint16_t)md->user_port; /* network order in the low 16 bits' bytes */
    if (local) {
        sock->src_ip4 = md->user_ip4;
        memcpy(sock->src_ip6, md->user_ip6, 16);
        uint8_t bytes[2];
        memcpy(bytes, &port, 2);
        sock->src_port = (uint32_t)(bytes[0] << 8 | bytes[1]); /* bpf_sock.src_port: host order */
    } else {
        sock->dst_ip4 = md->user_ip4;
        memcpy(sock->dst_ip6, md->user_ip6, 16);
        sock->dst_port = port;
    }
}

int runtime_sock_addr_load(struct runtime_sock_addr *ctx, uint32_t attach_type,
                           const struct bpf_sock_addr_abi *in, char *msg, size_t msg_size)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->kind = RUNTIME_CTX_SOCK_ADDR;
    const struct prog_type_desc *desc = prog_type_by_linux_type(PROG_TYPE_CGROUP_SOCK_ADDR);
    uint32_t family = runtime_sock_addr_family(attach_type);
    if (!family)
        return msg_error(-EINVAL, msg, msg_size, "attach type %u is not one of cgroup/sock_addr's "
                         "(bind, connect, sendmsg, recvmsg, getpeername, getsockname for inet4/inet6)",
                         attach_type);
    ctx->attach_type = attach_type;
    if (in) {
        static const struct ctx_range settable[] = {
            {0, offsetof(struct bpf_sock_addr_abi, msg_src_ip4)}, /* user_*, family, type, protocol */
        };
        const struct ctx_range *writable;
        size_t n = runtime_sock_addr_writable(attach_type, &writable);
        struct ctx_range allowed[4] = {settable[0]};
        size_t allowed_count = 1;
        if (n == 3)
            allowed[allowed_count++] = writable[2]; /* msg_src of the matching sendmsg */
        int err = runtime_ctx_check_zero_except(in, sizeof *in, allowed, allowed_count, desc, msg, msg_size);
        if (err)
            return err;
        ctx->md = *in;
    }
    struct bpf_sock_addr_abi *md = &ctx->md;
    if (!md->user_family)
        md->user_family = family;
    if (!md->family)
        md->family = family;
    if (md->user_family != family || md->family != family)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: bpf_sock_addr user_family %u and family %u "
                         "must be %u (AF_INET%s) for attach type %u", md->user_family, md->family, family,
                         family == CTX_AF_INET ? "" : "6", attach_type);
    if (md->user_port > 0xffff)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: bpf_sock_addr user_port 0x%x: a port has "
                         "16 bits", md->user_port);
    bool udp = is_udp_hook(attach_type);
    if (!md->type)
        md->type = udp ? CTX_SOCK_DGRAM : CTX_SOCK_STREAM;
    if (udp && md->type != CTX_SOCK_DGRAM)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: bpf_sock_addr type %u: the udp sendmsg and "
                         "recvmsg hooks see datagram sockets (SOCK_DGRAM, 2)", md->type);
    if (!md->protocol)
        md->protocol = md->type == CTX_SOCK_DGRAM ? CTX_IPPROTO_UDP : CTX_IPPROTO_TCP;
    ctx->in = *md;
    describe_socket(ctx);
    md->sk = (uintptr_t)&ctx->sock;
    ctx->cookie = runtime_ctx_new_cookie();
    return 0;
}

int runtime_sock_addr_prepare_run(struct runtime_sock_addr *ctx, struct vm_run *run, bool checked)
{
    run->host = ctx;
    if (!checked)
        return 0;
    const struct ctx_range *writable;
    size_t count = runtime_sock_addr_writable(ctx->attach_type, &writable);
    int err = runtime_ctx_add_regions(run, &ctx->md, sizeof ctx->md, writable, count);
    return err ? err : vm_run_add_region(run, &ctx->sock, sizeof ctx->sock, false);
}

void runtime_sock_addr_ctx_out(const struct runtime_sock_addr *ctx, struct bpf_sock_addr_abi *out)
{
    *out = ctx->in;
    const struct ctx_range *writable;
    size_t count = runtime_sock_addr_writable(ctx->attach_type, &writable);
    for (size_t i = 0; i < count; i++)
        memcpy((uint8_t *)out + writable[i].offset, (const uint8_t *)&ctx->md + writable[i].offset,
               writable[i].size);
    out->sk = 0;
}
