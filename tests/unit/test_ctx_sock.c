/* The socket contexts' builders: defaults, the socket each points to, refused input. */
#include <errno.h>
#include <string.h>

#include "test.h"

#include "elf/elf_object.h"
#include "runtime/ctx_process.h"
#include "runtime/ctx_sock.h"
#include "runtime/ctx_sock_addr.h"
#include "runtime/ctx_sock_ops.h"

TEST(sock_addr_describes_its_socket)
{
    struct runtime_sock_addr ctx;
    char msg[256] = "";
    struct bpf_sock_addr_abi in = {.user_ip4 = 0x0100000a, .user_port = 0x5000 /* htons(80) */};
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_INET4_CONNECT, &in, msg, sizeof msg), 0);
    CHECK_EQ(ctx.md.sk, (uintptr_t)&ctx.sock);
    CHECK_EQ(ctx.sock.dst_ip4, 0x0100000a);
    CHECK_EQ(ctx.sock.dst_port, 0x5000);
    CHECK_EQ(ctx.sock.family, CTX_AF_INET);
    CHECK_EQ(ctx.sock.type, CTX_SOCK_STREAM);
    CHECK_EQ(ctx.kind, RUNTIME_CTX_SOCK_ADDR);
    CHECK(ctx.cookie != 0);
    /* bind: the address is the socket's own, its port in host order */
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_INET4_BIND, &in, msg, sizeof msg), 0);
    CHECK_EQ(ctx.sock.src_ip4, 0x0100000a);
    CHECK_EQ(ctx.sock.src_port, 80);
    CHECK_EQ(ctx.sock.dst_port, 0);
    /* inet6 and udp6 defaults */
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_UDP6_RECVMSG, NULL, msg, sizeof msg), 0);
    CHECK_EQ(ctx.md.user_family, CTX_AF_INET6);
    CHECK_EQ(ctx.md.type, CTX_SOCK_DGRAM);
    CHECK_EQ(ctx.md.protocol, CTX_IPPROTO_UDP);
    in = (struct bpf_sock_addr_abi){.msg_src_ip6 = {1}};
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_UDP6_RECVMSG, &in, msg, sizeof msg), -EINVAL);
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_UDP6_SENDMSG, &in, msg, sizeof msg), 0);
    in = (struct bpf_sock_addr_abi){.padding = 1};
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_INET6_CONNECT, &in, msg, sizeof msg), -EINVAL);
    CHECK_EQ(runtime_sock_addr_load(&ctx, 0, NULL, msg, sizeof msg), -EINVAL);
}

TEST(sock_addr_ctx_out_takes_only_writable_fields)
{
    struct runtime_sock_addr ctx;
    char msg[256] = "";
    CHECK_EQ(runtime_sock_addr_load(&ctx, EBPF_CGROUP_INET4_GETPEERNAME, NULL, msg, sizeof msg), 0);
    ctx.md.user_ip4 = 5;
    ctx.md.family = 99;    /* a helper-less program cannot, but the result ignores it anyway */
    struct bpf_sock_addr_abi out;
    runtime_sock_addr_ctx_out(&ctx, &out);
    CHECK_EQ(out.user_ip4, 5);
    CHECK_EQ(out.family, CTX_AF_INET);
    CHECK_EQ(out.sk, 0);
}

TEST(sock_defaults_and_attach_types)
{
    struct runtime_sock sock;
    char msg[256] = "";
    CHECK_EQ(runtime_sock_load(&sock, 0, NULL, msg, sizeof msg), 0);
    CHECK_EQ(sock.attach_type, EBPF_CGROUP_INET_SOCK_CREATE);
    CHECK_EQ(sock.md.family, CTX_AF_INET);
    CHECK_EQ(sock.md.protocol, CTX_IPPROTO_TCP);
    CHECK_EQ(runtime_sock_load(&sock, EBPF_CGROUP_INET6_POST_BIND, NULL, msg, sizeof msg), 0);
    CHECK_EQ(sock.md.family, CTX_AF_INET6);
    struct bpf_sock_abi in = {.family = CTX_AF_INET};
    CHECK_EQ(runtime_sock_load(&sock, EBPF_CGROUP_INET6_POST_BIND, &in, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "post_bind6");
    CHECK_EQ(runtime_sock_load(&sock, EBPF_CGROUP_INET4_CONNECT, NULL, msg, sizeof msg), -EINVAL);
}

TEST(sock_ops_socket_and_segment)
{
    struct runtime_sock_ops ctx;
    char msg[256] = "";
    struct bpf_sock_ops_abi in = {.is_fullsock = 1, .family = CTX_AF_INET, .local_ip4 = 1, .remote_ip4 = 2,
                                  .local_port = 4000, .remote_port = 0x50000000 /* port 80, LE Linux */};
    uint8_t segment[24] = {0};
    CHECK_EQ(runtime_sock_ops_load(&ctx, &in, segment, sizeof segment, msg, sizeof msg), 0);
    CHECK_EQ(ctx.md.sk, (uintptr_t)&ctx.sock);
    CHECK_EQ(ctx.sock.src_port, 4000);
    CHECK_EQ(ctx.sock.dst_port, 0x5000);
    CHECK_EQ(ctx.md.skb_len, sizeof segment);
    CHECK_EQ(ctx.md.skb_data_end - ctx.md.skb_data, sizeof segment);
    runtime_sock_ops_release(&ctx);
    in.is_fullsock = 0;
    CHECK_EQ(runtime_sock_ops_load(&ctx, &in, NULL, 0, msg, sizeof msg), 0);
    CHECK_EQ(ctx.md.sk, 0);
    CHECK_EQ(ctx.md.skb_data, 0);
    runtime_sock_ops_release(&ctx);
    in.skb_data_end = 1;
    CHECK_EQ(runtime_sock_ops_load(&ctx, &in, NULL, 0, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "skb_data_end");
    runtime_sock_ops_release(&ctx);
    CHECK_EQ(runtime_sock_ops_load(&ctx, NULL, segment, SOCK_OPS_MAX_SEGMENT + 1, msg, sizeof msg), -EINVAL);
    runtime_sock_ops_release(&ctx);
}

TEST(process_command_line_bounds)
{
    struct runtime_process ctx;
    char msg[256] = "";
    static const char cmd[] = "sleep\0" "10";
    CHECK_EQ(runtime_process_load(&ctx, NULL, cmd, sizeof cmd, msg, sizeof msg), 0);
    CHECK_EQ(ctx.md.command_end - ctx.md.command_start, sizeof cmd);
    CHECK(!memcmp((const void *)(uintptr_t)ctx.md.command_start, cmd, sizeof cmd));
    struct process_md_abi out;
    runtime_process_ctx_out(&ctx, &out);
    CHECK_EQ(out.command_start, 0);
    CHECK_EQ(out.command_end, 0);
    runtime_process_release(&ctx);
    CHECK_EQ(runtime_process_load(&ctx, NULL, NULL, 0, msg, sizeof msg), 0);
    CHECK_EQ(ctx.md.command_start, 0); /* no command line: start == end == 0 */
    runtime_process_release(&ctx);
}

TEST_MAIN
