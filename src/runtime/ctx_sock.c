/* struct bpf_sock contexts (CGROUP_SOCK). */
#include "runtime/ctx_sock.h"

#include <errno.h>
#include <string.h>

#include "base/message.h"
#include "elf/elf_object.h"

_Static_assert(sizeof(struct bpf_sock_abi) == 80, "struct bpf_sock is 80 bytes");
_Static_assert(offsetof(struct bpf_sock_abi, dst_port) == 48, "bpf_sock.dst_port");
_Static_assert(offsetof(struct bpf_sock_abi, rx_queue_mapping) == 76, "bpf_sock.rx_queue_mapping");

static const struct ctx_range create_writable[] = {
    {offsetof(struct bpf_sock_abi, bound_dev_if), 4},
    {offsetof(struct bpf_sock_abi, mark), 8}, /* mark, priority */
};

static bool is_post_bind(uint32_t attach_type)
{
    return attach_type == EBPF_CGROUP_INET4_POST_BIND || attach_type == EBPF_CGROUP_INET6_POST_BIND;
}

size_t runtime_sock_writable(uint32_t attach_type, const struct ctx_range **ranges)
{
    *ranges = create_writable;
    return is_post_bind(attach_type) ? 0 : sizeof create_writable / sizeof create_writable[0];
}

int runtime_sock_load(struct runtime_sock *sock, uint32_t attach_type, const struct bpf_sock_abi *in,
                      char *msg, size_t msg_size)
{
    memset(sock, 0, sizeof *sock);
    sock->kind = RUNTIME_CTX_SOCK;
    if (attach_type == EBPF_ATTACH_NONE)
        attach_type = EBPF_CGROUP_INET_SOCK_CREATE;
    if (attach_type != EBPF_CGROUP_INET_SOCK_CREATE && attach_type != EBPF_CGROUP_INET_SOCK_RELEASE &&
        !is_post_bind(attach_type))
        return msg_error(-EINVAL, msg, msg_size, "attach type %u is not one of cgroup/sock's "
                         "(sock_create, sock_release, post_bind4, post_bind6)", attach_type);
    sock->attach_type = attach_type;
    if (in)
        sock->md = *in;
    struct bpf_sock_abi *md = &sock->md;
    if (md->dst_port_padding)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: struct bpf_sock: the 16 bits after "
                         "dst_port are padding and must be zero");
    uint32_t want_family = attach_type == EBPF_CGROUP_INET6_POST_BIND ? CTX_AF_INET6 : CTX_AF_INET;
    if (!md->family)
        md->family = want_family;
    if (md->family != CTX_AF_INET && md->family != CTX_AF_INET6)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: struct bpf_sock family %u is neither "
                         "AF_INET (2) nor AF_INET6 (10)", md->family);
    if (is_post_bind(attach_type) && md->family != want_family)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: struct bpf_sock family %u does not match "
                         "the attach type (post_bind%c wants %u)", md->family,
                         want_family == CTX_AF_INET ? '4' : '6', want_family);
    if (!md->type)
        md->type = CTX_SOCK_STREAM;
    if (!md->protocol)
        md->protocol = md->type == CTX_SOCK_DGRAM ? CTX_IPPROTO_UDP : CTX_IPPROTO_TCP;
    sock->cookie = runtime_ctx_new_cookie();
    return 0;
}

int runtime_sock_prepare_run(struct runtime_sock *sock, struct vm_run *run, bool checked)
{
    run->host = sock;
    if (!checked)
        return 0;
    const struct ctx_range *writable;
    size_t count = runtime_sock_writable(sock->attach_type, &writable);
    return runtime_ctx_add_regions(run, &sock->md, sizeof sock->md, writable, count);
}

void runtime_sock_ctx_out(const struct runtime_sock *sock, struct bpf_sock_abi *out) { *out = sock->md; }
