/* The runtime's contexts against Linux's UAPI (linux/bpf.h) and against the verifier's
 * descriptors: same sizes and offsets, and a program may write exactly the fields the
 * descriptor marks writable (sock_addr and sock: per attach type, a subset). */
#include <linux/bpf.h>
#include <stddef.h>
#include <stdlib.h>

#include "test.h"

#include "elf/elf_object.h"
#include "runtime/ctx_process.h"
#include "runtime/ctx_skb.h"
#include "runtime/ctx_sock.h"
#include "runtime/ctx_sock_addr.h"
#include "runtime/ctx_sock_ops.h"
#include "runtime/xdp_context.h"
#include "isa/asm.h"
#include "verifier/prog_types.h"
#include "verifier/verifier.h"

#define SAME(ours, linux_type, field) CHECK_EQ(offsetof(ours, field), offsetof(linux_type, field))

TEST(skb_matches_linux)
{
    CHECK_EQ(sizeof(struct sk_buff_abi), sizeof(struct __sk_buff));
    SAME(struct sk_buff_abi, struct __sk_buff, mark);
    SAME(struct sk_buff_abi, struct __sk_buff, protocol);
    SAME(struct sk_buff_abi, struct __sk_buff, cb);
    SAME(struct sk_buff_abi, struct __sk_buff, data);
    SAME(struct sk_buff_abi, struct __sk_buff, data_end);
    SAME(struct sk_buff_abi, struct __sk_buff, remote_ip6);
    SAME(struct sk_buff_abi, struct __sk_buff, local_port);
    SAME(struct sk_buff_abi, struct __sk_buff, data_meta);
    SAME(struct sk_buff_abi, struct __sk_buff, tstamp);
    SAME(struct sk_buff_abi, struct __sk_buff, wire_len);
    SAME(struct sk_buff_abi, struct __sk_buff, gso_segs);
    SAME(struct sk_buff_abi, struct __sk_buff, sk);
    SAME(struct sk_buff_abi, struct __sk_buff, gso_size);
    SAME(struct sk_buff_abi, struct __sk_buff, tstamp_type);
    SAME(struct sk_buff_abi, struct __sk_buff, hwtstamp);
}

TEST(socket_structs_match_linux)
{
    CHECK_EQ(sizeof(struct bpf_sock_abi), sizeof(struct bpf_sock));
    SAME(struct bpf_sock_abi, struct bpf_sock, src_port);
    SAME(struct bpf_sock_abi, struct bpf_sock, dst_port);
    SAME(struct bpf_sock_abi, struct bpf_sock, dst_ip4);
    SAME(struct bpf_sock_abi, struct bpf_sock, state);
    SAME(struct bpf_sock_abi, struct bpf_sock, rx_queue_mapping);
    CHECK_EQ(sizeof(struct bpf_sock_addr_abi), sizeof(struct bpf_sock_addr));
    SAME(struct bpf_sock_addr_abi, struct bpf_sock_addr, user_port);
    SAME(struct bpf_sock_addr_abi, struct bpf_sock_addr, protocol);
    SAME(struct bpf_sock_addr_abi, struct bpf_sock_addr, msg_src_ip4);
    SAME(struct bpf_sock_addr_abi, struct bpf_sock_addr, msg_src_ip6);
    SAME(struct bpf_sock_addr_abi, struct bpf_sock_addr, sk);
    CHECK_EQ(sizeof(struct bpf_sock_ops_abi), sizeof(struct bpf_sock_ops));
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, args);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, is_fullsock);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, bpf_sock_ops_cb_flags);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, sk_txhash);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, bytes_acked);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, sk);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, skb_data_end);
    SAME(struct bpf_sock_ops_abi, struct bpf_sock_ops, skb_tcp_flags);
    CHECK_EQ(sizeof(struct xdp_md_abi), sizeof(struct xdp_md));
}

/* Every field of the descriptor lies inside the struct; sizes agree. */
static void check_desc(uint32_t type, size_t size)
{
    const struct prog_type_desc *desc = prog_type_by_linux_type(type);
    CHECK(desc != NULL);
    if (!desc)
        return;
    CHECK_EQ(desc->ctx_size, size);
    for (size_t i = 0; i < desc->field_count; i++)
        CHECK(desc->fields[i].offset + desc->fields[i].size <= size);
}

TEST(descriptors_have_the_runtime_sizes)
{
    check_desc(PROG_TYPE_XDP, sizeof(struct xdp_md_abi));
    check_desc(PROG_TYPE_SOCKET_FILTER, sizeof(struct sk_buff_abi));
    check_desc(PROG_TYPE_SCHED_CLS, sizeof(struct sk_buff_abi));
    check_desc(PROG_TYPE_CGROUP_SOCK_ADDR, sizeof(struct bpf_sock_addr_abi));
    check_desc(PROG_TYPE_CGROUP_SOCK, sizeof(struct bpf_sock_abi));
    check_desc(PROG_TYPE_SOCK_OPS, sizeof(struct bpf_sock_ops_abi));
    check_desc(PROG_TYPE_HOST_PROCESS, sizeof(struct process_md_abi));
    CHECK_EQ(PROG_TYPE_HOST_PROCESS, EBPF_PROG_TYPE_HOST_PROCESS);
    const struct prog_type_desc *process = prog_type_by_name("process");
    CHECK(process && process->linux_type == PROG_TYPE_HOST_PROCESS);
    CHECK_EQ(prog_type_find_field(process, offsetof(struct process_md_abi, comm), 1)->offset, 80);
    CHECK_EQ(prog_type_find_field(process, 0, 8)->kind, CTX_PACKET);
    CHECK_EQ(prog_type_find_field(process, 8, 8)->kind, CTX_PACKET_END);
}

static bool covered(const struct ctx_range *ranges, size_t count, size_t offset, size_t size)
{
    for (size_t i = 0; i < count; i++)
        if (offset >= ranges[i].offset && offset + size <= (size_t)ranges[i].offset + ranges[i].size)
            return true;
    return false;
}

/* exact: the ranges are exactly the descriptor's writable fields; otherwise a subset. */
static void check_writable(const struct prog_type_desc *desc, const struct ctx_range *ranges, size_t count,
                           bool exact)
{
    for (size_t i = 0; i < desc->field_count; i++) {
        const struct ctx_field *f = &desc->fields[i];
        bool runtime_writes = covered(ranges, count, f->offset, f->size);
        if (exact)
            CHECK_EQ(runtime_writes, (f->access & CTX_WRITE) != 0);
        else if (runtime_writes)
            CHECK(f->access & CTX_WRITE);
    }
    /* Every writable byte belongs to a writable field of the descriptor. */
    for (size_t r = 0; r < count; r++)
        for (size_t b = ranges[r].offset; b < (size_t)ranges[r].offset + ranges[r].size; b++) {
            const struct ctx_field *f = prog_type_find_field(desc, (int64_t)b, 1);
            CHECK(f && (f->access & CTX_WRITE));
        }
}

TEST(writable_fields_agree_with_the_descriptors)
{
    const struct ctx_range *ranges;
    size_t n = runtime_skb_writable(PROG_TYPE_SOCKET_FILTER, &ranges);
    check_writable(prog_type_by_linux_type(PROG_TYPE_SOCKET_FILTER), ranges, n, true);
    n = runtime_skb_writable(PROG_TYPE_SCHED_CLS, &ranges);
    check_writable(prog_type_by_linux_type(PROG_TYPE_SCHED_CLS), ranges, n, true);
    n = runtime_sock_ops_writable(&ranges);
    check_writable(prog_type_by_linux_type(PROG_TYPE_SOCK_OPS), ranges, n, true);
    static const uint32_t sock_types[] = {0, EBPF_CGROUP_INET_SOCK_CREATE, EBPF_CGROUP_INET_SOCK_RELEASE,
                                          EBPF_CGROUP_INET4_POST_BIND, EBPF_CGROUP_INET6_POST_BIND};
    for (size_t i = 0; i < sizeof sock_types / sizeof sock_types[0]; i++) {
        n = runtime_sock_writable(sock_types[i], &ranges);
        check_writable(prog_type_for_attach(PROG_TYPE_CGROUP_SOCK, sock_types[i]), ranges, n, true);
        CHECK_EQ(n == 0, i >= 3);
    }
    static const uint32_t addr_types[] = {
        EBPF_CGROUP_INET4_BIND, EBPF_CGROUP_INET6_BIND, EBPF_CGROUP_INET4_CONNECT, EBPF_CGROUP_INET6_CONNECT,
        EBPF_CGROUP_UDP4_SENDMSG, EBPF_CGROUP_UDP6_SENDMSG, EBPF_CGROUP_UDP4_RECVMSG, EBPF_CGROUP_UDP6_RECVMSG,
        EBPF_CGROUP_INET4_GETPEERNAME, EBPF_CGROUP_INET6_GETPEERNAME, EBPF_CGROUP_INET4_GETSOCKNAME,
        EBPF_CGROUP_INET6_GETSOCKNAME,
    };
    for (size_t i = 0; i < sizeof addr_types / sizeof addr_types[0]; i++) {
        n = runtime_sock_addr_writable(addr_types[i], &ranges);
        CHECK(n >= 2);
        check_writable(prog_type_by_linux_type(PROG_TYPE_CGROUP_SOCK_ADDR), ranges, n, false);
        check_writable(prog_type_for_attach(PROG_TYPE_CGROUP_SOCK_ADDR, addr_types[i]), ranges, n, true);
        CHECK_EQ(runtime_sock_addr_family(addr_types[i]), i % 2 ? CTX_AF_INET6 : CTX_AF_INET);
        bool sendmsg = addr_types[i] == EBPF_CGROUP_UDP4_SENDMSG || addr_types[i] == EBPF_CGROUP_UDP6_SENDMSG;
        CHECK_EQ(n, sendmsg ? 3u : 2u);
    }
    CHECK_EQ(runtime_sock_addr_writable(EBPF_CGROUP_INET_SOCK_CREATE, &ranges), 0);
    CHECK_EQ(runtime_sock_addr_family(EBPF_CGROUP_INET_SOCK_CREATE), 0);
    CHECK(prog_type_for_attach(PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_INET_SOCK_CREATE) == NULL);
    CHECK(prog_type_for_attach(PROG_TYPE_XDP, 0) == prog_type_by_linux_type(PROG_TYPE_XDP));
}

static int verify(const char *text, const struct prog_type_desc *desc, char *msg, size_t msg_size)
{
    struct ebpf_insn *insns;
    size_t count;
    if (asm_assemble(text, &insns, &count, msg, msg_size))
        return -1000;
    struct verifier_options opts = {.prog_type = desc};
    struct verifier_result result;
    int err = verifier_verify(insns, count, &opts, &result);
    snprintf(msg, msg_size, "%s", result.message);
    free(insns);
    return err;
}

/* The verifier, given the attach type's descriptor, enforces what the runtime enforces. */
TEST(attach_type_rules_reach_the_verifier)
{
    char msg[512];
    const char *write_msg_src = "stw [%r1+40], 1\nmov %r0, 1\nexit\n";
    const struct prog_type_desc *connect4 = prog_type_for_attach(PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_INET4_CONNECT);
    const struct prog_type_desc *sendmsg4 = prog_type_for_attach(PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_UDP4_SENDMSG);
    CHECK(verify(write_msg_src, connect4, msg, sizeof msg) < 0);
    CHECK_CONTAINS(msg, "msg_src_ip4");
    CHECK_EQ(verify(write_msg_src, sendmsg4, msg, sizeof msg), 0);
    /* An inet4 hook does not see the IPv6 address. */
    CHECK(verify("ldxw %r0, [%r1+8]\nmov %r0, 1\nexit\n", connect4, msg, sizeof msg) < 0);
    /* Return ranges: bind may return 0-3, getpeername only 1. */
    const struct prog_type_desc *bind4 = prog_type_for_attach(PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_INET4_BIND);
    const struct prog_type_desc *peer4 = prog_type_for_attach(PROG_TYPE_CGROUP_SOCK_ADDR,
                                                              EBPF_CGROUP_INET4_GETPEERNAME);
    CHECK_EQ(verify("mov %r0, 3\nexit\n", bind4, msg, sizeof msg), 0);
    CHECK(verify("mov %r0, 3\nexit\n", connect4, msg, sizeof msg) < 0);
    CHECK(verify("mov %r0, 0\nexit\n", peer4, msg, sizeof msg) < 0);
    CHECK_EQ(verify("mov %r0, 1\nexit\n", peer4, msg, sizeof msg), 0);
    /* post_bind programs write nothing; sock_create ones write mark. */
    const char *write_mark = "stw [%r1+16], 1\nmov %r0, 1\nexit\n";
    CHECK(verify(write_mark, prog_type_for_attach(PROG_TYPE_CGROUP_SOCK, EBPF_CGROUP_INET4_POST_BIND), msg,
                 sizeof msg) < 0);
    CHECK_EQ(verify(write_mark, prog_type_for_attach(PROG_TYPE_CGROUP_SOCK, 0), msg, sizeof msg), 0);
}

TEST_MAIN
