/* Socket helpers of the socket-bearing contexts. */
#include <errno.h>

#include "helpers/helpers.h"
#include "runtime/ctx_skb.h"
#include "runtime/ctx_sock.h"
#include "runtime/ctx_sock_addr.h"
#include "runtime/ctx_sock_ops.h"

#define HELPER(name) static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                                          struct vm_run *run)

/* bpf_get_socket_cookie(ctx): the context's socket's cookie, 0 when r1 is not the
 * invocation's context. */
HELPER(helper_get_socket_cookie)
{
    const struct runtime_skb *skb = runtime_ctx_host(run, RUNTIME_CTX_SKB);
    if (skb)
        return (uintptr_t)&skb->md == r1 ? skb->cookie : 0;
    const struct runtime_sock_addr *addr = runtime_ctx_host(run, RUNTIME_CTX_SOCK_ADDR);
    if (addr)
        return (uintptr_t)&addr->md == r1 ? addr->cookie : 0;
    const struct runtime_sock_ops *ops = runtime_ctx_host(run, RUNTIME_CTX_SOCK_OPS);
    if (ops)
        return (uintptr_t)&ops->md == r1 ? ops->cookie : 0;
    const struct runtime_sock *sock = runtime_ctx_host(run, RUNTIME_CTX_SOCK);
    if (sock)
        return (uintptr_t)&sock->md == r1 ? sock->cookie : 0;
    return 0;
}

/* bpf_sock_ops_cb_flags_set(ctx, flags): sets the supported callback flags and returns
 * the requested ones it does not know (0 when all were set), as Linux. Only full sockets
 * have callbacks. */
HELPER(helper_sock_ops_cb_flags_set)
{
    struct runtime_sock_ops *ops = runtime_ctx_host(run, RUNTIME_CTX_SOCK_OPS);
    if (!ops || (uintptr_t)&ops->md != r1 || !ops->md.is_fullsock)
        return (uint64_t)-EINVAL;
    uint32_t flags = (uint32_t)r2;
    ops->md.bpf_sock_ops_cb_flags = flags & SOCK_OPS_ALL_CB_FLAGS;
    return flags & ~(uint32_t)SOCK_OPS_ALL_CB_FLAGS;
}

void helpers_register_sock(struct vm_helpers *table)
{
    table->fn[HELPER_GET_SOCKET_COOKIE] = helper_get_socket_cookie;
    table->fn[HELPER_SOCK_OPS_CB_FLAGS_SET] = helper_sock_ops_cb_flags_set;
}
