/* runtime_prog_test_run on clang-compiled programs of every supported type
 * (build/bpf/test_run.bpf.o) and on small assembled ones: results, data_out and ctx_out
 * as Linux's BPF_PROG_RUN gives them, and every refused input. Programs are loaded
 * unverified (checked interpreter) until the verifier is wired into loading. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "elf/elf_object.h"
#include "isa/asm.h"
#include "runtime/ctx_process.h"
#include "runtime/ctx_skb.h"
#include "runtime/ctx_sock.h"
#include "runtime/ctx_sock_addr.h"
#include "runtime/ctx_sock_ops.h"
#include "runtime/object.h"
#include "runtime/test_run.h"
#include "runtime/xdp_context.h"

#define OBJ "build/bpf/test_run.bpf.o"

struct loaded {
    struct elf_object *elf;
    struct runtime_object *obj;
    struct runtime_prog *prog;
};

static struct runtime_prog *load(struct loaded *l, const char *name)
{
    char msg[256];
    memset(l, 0, sizeof *l);
    if (elf_object_open_file(OBJ, NULL, &l->elf, msg, sizeof msg)) {
        fprintf(stderr, "  %s: %s\n", OBJ, msg);
        return NULL;
    }
    struct runtime_object_options opts = {.allow_unverified = true, .only_program = name};
    if (runtime_object_load(l->elf, &opts, &l->obj, msg, sizeof msg)) {
        fprintf(stderr, "  load %s: %s\n", name, msg);
        return NULL;
    }
    l->prog = runtime_object_prog(l->obj, name);
    return l->prog;
}

static void unload(struct loaded *l)
{
    runtime_object_free(l->obj);
    elf_object_free(l->elf);
}

static struct runtime_prog *load_asm(const char *text, uint32_t prog_type, uint32_t attach_type)
{
    struct ebpf_insn *insns;
    size_t count;
    char msg[256];
    if (asm_assemble(text, &insns, &count, msg, sizeof msg)) {
        fprintf(stderr, "  asm: %s\n", msg);
        return NULL;
    }
    struct runtime_prog_attr attr = {.name = "asm", .prog_type = prog_type, .expected_attach_type = attach_type,
                                     .insns = insns, .insn_count = count, .allow_unverified = true};
    struct runtime_prog *prog = NULL;
    if (runtime_prog_load(&attr, &prog, msg, sizeof msg))
        fprintf(stderr, "  load: %s\n", msg);
    free(insns);
    return prog;
}

/* Ethernet + IPv4 (valid checksum) + 20 bytes of TCP or UDP: 54 bytes. */
static void ipv4_frame(uint8_t *f, uint8_t protocol)
{
    static const uint8_t head[] = {
        0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,             /* eth */
        0x45, 0, 0, 40, 0, 1, 0, 0, 64, 0, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,     /* ip */
    };
    memset(f, 0, 54);
    memcpy(f, head, sizeof head);
    f[14 + 9] = protocol;
    uint32_t sum = 0;
    for (int i = 14; i < 34; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    f[24] = (uint8_t)(~sum >> 8);
    f[25] = (uint8_t)~sum;
}

static bool ipv4_checksum_ok(const uint8_t *ip)
{
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

static uint32_t be32(uint32_t host) { return __builtin_bswap32(host); }
static uint32_t be16(uint32_t host) { return __builtin_bswap16((uint16_t)host); }

/* --- XDP ------------------------------------------------------------------------------- */

TEST(xdp_reflect_swaps_addresses_and_reports_like_linux)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "xdp_reflect");
    CHECK(prog != NULL);
    if (!prog)
        return;
    uint8_t frame[54], out[128];
    ipv4_frame(frame, 6);
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                         .data_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_TX);
    CHECK_EQ(res.data_size_out, sizeof frame);
    CHECK(!memcmp(out, frame + 6, 6) && !memcmp(out + 6, frame, 6));
    CHECK(!memcmp(out + 12, frame + 12, sizeof frame - 12));
    /* repeat: the same frame runs again, so two swaps give it back unchanged */
    attr.repeat = 2;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK(!memcmp(out, frame, sizeof frame));
    /* a non-IPv4 frame is dropped */
    frame[12] = 0x86, frame[13] = 0xdd;
    attr.repeat = 0;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_DROP);
    unload(&l);
}

TEST(xdp_context_in_and_out)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "xdp_reflect");
    if (!prog) {
        CHECK(0);
        return;
    }
    uint8_t frame[54];
    ipv4_frame(frame, 6);
    struct xdp_md_abi ctx = {.data_end = sizeof frame, .ingress_ifindex = 7, .rx_queue_index = 1}, ctx_out;
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .ctx_in = &ctx,
                                         .ctx_size_in = sizeof ctx, .ctx_out = &ctx_out,
                                         .ctx_size_out = sizeof ctx_out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_PASS); /* the program passes frames from interface 7 */
    CHECK_EQ(res.ctx_size_out, sizeof ctx_out);
    CHECK_EQ(ctx_out.data, 0);
    CHECK_EQ(ctx_out.data_end, sizeof frame);
    CHECK_EQ(ctx_out.ingress_ifindex, 7);
    CHECK_EQ(ctx_out.rx_queue_index, 1);

    /* Metadata in front of the frame: its first word is the action. */
    uint8_t with_meta[4 + 54];
    uint32_t action = XDP_CODE_DROP;
    memcpy(with_meta, &action, 4);
    memcpy(with_meta + 4, frame, sizeof frame);
    uint8_t out[128];
    ctx = (struct xdp_md_abi){.data = 4, .data_end = sizeof with_meta};
    attr.data_in = with_meta;
    attr.data_size_in = sizeof with_meta;
    attr.data_out = out;
    attr.data_size_out = sizeof out;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_DROP);
    CHECK_EQ(res.data_size_out, sizeof with_meta); /* data_out holds metadata and frame */
    CHECK(!memcmp(out, &action, 4));
    CHECK_EQ(ctx_out.data, 4);
    CHECK_EQ(ctx_out.data_end, sizeof with_meta);
    unload(&l);
}

TEST(xdp_program_adds_metadata)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "xdp_add_meta");
    if (!prog) {
        CHECK(0);
        return;
    }
    uint8_t frame[60] = {0}, out[128];
    struct xdp_md_abi ctx_out;
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                         .data_size_out = sizeof out, .ctx_out = &ctx_out,
                                         .ctx_size_out = sizeof ctx_out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_PASS);
    CHECK_EQ(res.data_size_out, 4 + sizeof frame);
    uint32_t meta;
    memcpy(&meta, out, 4);
    CHECK_EQ(meta, sizeof frame);
    CHECK_EQ(ctx_out.data, 4);
    CHECK_EQ(ctx_out.data_end, 4 + sizeof frame);
    unload(&l);
}

TEST(xdp_refuses_bad_input)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "xdp_reflect");
    if (!prog) {
        CHECK(0);
        return;
    }
    uint8_t frame[4000] = {0}, small_out[10];
    struct runtime_test_run_result res;
    char msg[256] = "";
    struct xdp_md_abi ctx = {.data_end = 54};
    struct runtime_test_run_attr base = {.data_in = frame, .data_size_in = 54, .ctx_in = &ctx,
                                         .ctx_size_in = sizeof ctx};
    struct runtime_test_run_attr a = base;
    ctx.data_end = 53;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "data_end");
    ctx = (struct xdp_md_abi){.data_end = 54, .data_meta = 4};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    ctx = (struct xdp_md_abi){.data_end = 54, .data = 3};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "multiple of 4");
    ctx = (struct xdp_md_abi){.data_end = 54, .rx_queue_index = 2};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "ingress_ifindex");
    ctx = (struct xdp_md_abi){.data_end = 54, .egress_ifindex = 2};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    /* A longer context must be zero beyond struct xdp_md. */
    uint8_t long_ctx[32] = {0};
    uint32_t data_end = 54;
    memcpy(long_ctx + 4, &data_end, 4);
    a.ctx_in = long_ctx;
    a.ctx_size_in = sizeof long_ctx;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), 0);
    long_ctx[30] = 1;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "byte 30");
    /* Frame sizes. */
    a = (struct runtime_test_run_attr){.data_in = frame, .data_size_in = 13};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    a.data_size_in = sizeof frame;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "fragments");
    a.data_size_in = 0;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    /* Flags, cpu, batch, buffers. */
    a = (struct runtime_test_run_attr){.data_in = frame, .data_size_in = 54, .flags = TEST_RUN_F_XDP_LIVE_FRAMES};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EOPNOTSUPP);
    a.flags = 1u << 9;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    a.flags = 0;
    a.cpu = 1;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    a.cpu = 0;
    a.batch_size = 4;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    a.batch_size = 0;
    a.data_in = NULL;
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -EINVAL);
    /* data_out too small: what fits, the full size, -ENOSPC, and the result all the same. */
    ipv4_frame(frame, 6);
    a = (struct runtime_test_run_attr){.data_in = frame, .data_size_in = 54, .data_out = small_out,
                                       .data_size_out = sizeof small_out};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -ENOSPC);
    CHECK_EQ(res.data_size_out, 54);
    CHECK_EQ(res.retval, XDP_CODE_TX);
    CHECK(!memcmp(small_out, frame + 6, 6));
    struct xdp_md_abi tiny_ctx;
    a = (struct runtime_test_run_attr){.data_in = frame, .data_size_in = 54, .ctx_out = &tiny_ctx, .ctx_size_out = 8};
    CHECK_EQ(runtime_prog_test_run(prog, &a, &res, msg, sizeof msg), -ENOSPC);
    CHECK_EQ(res.ctx_size_out, sizeof(struct xdp_md_abi));
    unload(&l);
}

/* --- __sk_buff ---------------------------------------------------------------------------- */

TEST(socket_filter_sees_the_network_header_on)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "socket_tcp_only");
    if (!prog) {
        CHECK(0);
        return;
    }
    uint8_t frame[54], out[64];
    ipv4_frame(frame, 6);
    struct sk_buff_abi ctx = {.mark = 5, .cb = {10}}, ctx_out;
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                         .data_size_out = sizeof out, .ctx_in = &ctx, .ctx_size_in = sizeof ctx,
                                         .ctx_out = &ctx_out, .ctx_size_out = sizeof ctx_out, .repeat = 3};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, sizeof frame - 14); /* TCP: the whole packet, from the IP header */
    CHECK_EQ(ctx_out.cb[0], 13);            /* three runs on one skb */
    CHECK_EQ(ctx_out.cb[1], 5);
    CHECK_EQ(ctx_out.mark, 5);
    CHECK_EQ(ctx_out.ifindex, SKB_DEFAULT_IFINDEX);
    CHECK_EQ(ctx_out.wire_len, sizeof frame - 14);
    CHECK_EQ(ctx_out.len, 0); /* not reported back, as Linux */
    CHECK_EQ(res.data_size_out, sizeof frame);
    static const uint8_t zero[14];
    CHECK(!memcmp(out, zero, 14)); /* a socket filter's Ethernet header comes back zeroed */
    CHECK(!memcmp(out + 14, frame + 14, sizeof frame - 14));
    ipv4_frame(frame, 17);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 0);
    unload(&l);
}

TEST(tc_program_rewrites_the_packet_with_helpers)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "tc_redirect_dst");
    if (!prog) {
        CHECK(0);
        return;
    }
    uint8_t frame[54], out[64];
    ipv4_frame(frame, 17);
    struct sk_buff_abi ctx = {.cb = {0, 0, 9}}, ctx_out;
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                         .data_size_out = sizeof out, .ctx_in = &ctx, .ctx_size_in = sizeof ctx,
                                         .ctx_out = &ctx_out, .ctx_size_out = sizeof ctx_out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    if (res.retval)
        fprintf(stderr, "  retval %u: %s\n", res.retval, msg);
    CHECK_EQ(res.retval, 0); /* TC_ACT_OK */
    CHECK_EQ(res.data_size_out, sizeof frame);
    static const uint8_t new_dst[4] = {10, 0, 0, 99};
    CHECK(!memcmp(out + 30, new_dst, 4));
    CHECK(!memcmp(out, frame, 14)); /* tc keeps its Ethernet header */
    CHECK(ipv4_checksum_ok(out + 14));
    CHECK(ipv4_checksum_ok(frame + 14));
    CHECK_EQ(ctx_out.mark, 42);
    CHECK_EQ(ctx_out.priority, 9);
    unload(&l);
}

TEST(skb_refuses_fields_the_caller_may_not_set)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "socket_tcp_only");
    if (!prog) {
        CHECK(0);
        return;
    }
    uint8_t frame[54];
    ipv4_frame(frame, 6);
    struct sk_buff_abi ctx;
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .ctx_in = &ctx,
                                         .ctx_size_in = sizeof ctx};
    struct runtime_test_run_result res;
    char msg[256] = "";
    ctx = (struct sk_buff_abi){.len = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "len");
    ctx = (struct sk_buff_abi){.queue_mapping = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "queue_mapping");
    ctx = (struct sk_buff_abi){.data = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    ctx = (struct sk_buff_abi){.sk = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "sk");
    ctx = (struct sk_buff_abi){.wire_len = 10};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "wire_len");
    ctx = (struct sk_buff_abi){.gso_segs = 70000};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    ctx = (struct sk_buff_abi){.mark = 1, .priority = 2, .ingress_ifindex = 3, .ifindex = 4, .cb = {1, 2, 3, 4, 5},
                               .tstamp = 6, .wire_len = 100, .gso_segs = 7, .gso_size = 8, .hwtstamp = 9};
    struct sk_buff_abi out;
    attr.ctx_out = &out;
    attr.ctx_size_out = sizeof out;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(out.ingress_ifindex, 3);
    CHECK_EQ(out.ifindex, 4);
    CHECK_EQ(out.wire_len, 100);
    CHECK_EQ(out.gso_segs, 7);
    CHECK_EQ(out.hwtstamp, 9);
    CHECK_EQ(out.tstamp, 6);
    /* A frame without an Ethernet header, a flag skb test-run does not support. */
    attr = (struct runtime_test_run_attr){.data_in = frame, .data_size_in = 13};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    attr = (struct runtime_test_run_attr){.data_in = frame, .data_size_in = 54,
                                          .flags = TEST_RUN_F_SKB_CHECKSUM_COMPLETE};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EOPNOTSUPP);
    unload(&l);
}

/* --- socket contexts ---------------------------------------------------------------------- */

TEST(connect4_rewrites_the_address)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "connect4_redirect");
    if (!prog) {
        CHECK(0);
        return;
    }
    struct bpf_sock_addr_abi ctx = {.user_ip4 = be32(0x0a000001), .user_port = be16(80)}, out;
    struct runtime_test_run_attr attr = {.ctx_in = &ctx, .ctx_size_in = sizeof ctx, .ctx_out = &out,
                                         .ctx_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 1);
    CHECK_EQ(out.user_ip4, be32(0x7f000001));
    CHECK_EQ(out.user_port, be16(8080));
    CHECK_EQ(out.user_family, CTX_AF_INET);
    CHECK_EQ(out.type, CTX_SOCK_STREAM);
    CHECK_EQ(out.protocol, CTX_IPPROTO_TCP);
    CHECK_EQ(out.sk, 0);
    CHECK_EQ(res.data_size_out, 0);
    ctx.user_port = be16(23);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 0);
    /* Refused contexts. */
    ctx = (struct bpf_sock_addr_abi){.sk = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "sk");
    ctx = (struct bpf_sock_addr_abi){.msg_src_ip4 = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "msg_src_ip4");
    ctx = (struct bpf_sock_addr_abi){.user_family = CTX_AF_INET6};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "user_family");
    ctx = (struct bpf_sock_addr_abi){.user_port = 0x10000};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    ctx = (struct bpf_sock_addr_abi){0};
    uint8_t data[1] = {0};
    attr.data_in = data;
    attr.data_size_in = 1;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "no data_in");
    unload(&l);
}

TEST(sendmsg4_sets_the_source_address)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "sendmsg4_source");
    if (!prog) {
        CHECK(0);
        return;
    }
    struct bpf_sock_addr_abi ctx = {.user_ip4 = be32(0x08080808), .user_port = be16(53)}, out;
    struct runtime_test_run_attr attr = {.ctx_in = &ctx, .ctx_size_in = sizeof ctx, .ctx_out = &out,
                                         .ctx_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 1);
    CHECK_EQ(out.msg_src_ip4, be32(0xc0a80101));
    CHECK_EQ(out.type, CTX_SOCK_DGRAM);
    CHECK_EQ(out.protocol, CTX_IPPROTO_UDP);
    ctx.type = CTX_SOCK_STREAM;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "SOCK_DGRAM");
    unload(&l);
}

TEST(sock_addr_write_outside_the_attach_types_fields_faults)
{
    /* connect4 may not write msg_src_ip4 (offset 40): the checked interpreter refuses. */
    struct runtime_prog *prog = load_asm("stw [%r1+40], 1\nmov %r0, 1\nexit\n", PROG_TYPE_CGROUP_SOCK_ADDR,
                                         EBPF_CGROUP_INET4_CONNECT);
    CHECK(prog != NULL);
    struct runtime_test_run_attr attr = {0};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg) < 0);
    CHECK_CONTAINS(msg, "faulted");
    runtime_prog_put(prog);
    prog = load_asm("mov %r0, 1\nexit\n", PROG_TYPE_CGROUP_SOCK_ADDR, EBPF_CGROUP_INET_INGRESS);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "attach type");
    runtime_prog_put(prog);
}

TEST(sock_create_sets_mark_and_priority)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "sock_create_mark");
    if (!prog) {
        CHECK(0);
        return;
    }
    struct bpf_sock_abi ctx = {.type = CTX_SOCK_DGRAM}, out;
    struct runtime_test_run_attr attr = {.ctx_in = &ctx, .ctx_size_in = sizeof ctx, .ctx_out = &out,
                                         .ctx_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 1);
    CHECK_EQ(out.mark, 7);
    CHECK_EQ(out.priority, CTX_IPPROTO_UDP);
    CHECK_EQ(out.family, CTX_AF_INET);
    ctx.type = 3;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 0);
    ctx = (struct bpf_sock_abi){.dst_port_padding = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "padding");
    ctx = (struct bpf_sock_abi){.family = 99};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    unload(&l);
    /* post_bind programs only read. */
    prog = load_asm("stw [%r1+16], 1\nmov %r0, 1\nexit\n", PROG_TYPE_CGROUP_SOCK, EBPF_CGROUP_INET4_POST_BIND);
    attr = (struct runtime_test_run_attr){0};
    CHECK(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg) < 0);
    runtime_prog_put(prog);
}

TEST(sock_ops_reply_and_callback_flags)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "sockops_tune");
    if (!prog) {
        CHECK(0);
        return;
    }
    struct bpf_sock_ops_abi ctx = {.op = 1 /* TIMEOUT_INIT */, .remote_port = be32(443)}, out;
    struct runtime_test_run_attr attr = {.ctx_in = &ctx, .ctx_size_in = sizeof ctx, .ctx_out = &out,
                                         .ctx_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 1);
    CHECK_EQ(out.args[0], 10);
    ctx = (struct bpf_sock_ops_abi){.op = 3 /* TCP_CONNECT_CB */, .is_fullsock = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(out.args[0], 0);
    CHECK_EQ(out.bpf_sock_ops_cb_flags, 4);
    ctx.is_fullsock = 0; /* only full sockets have callbacks */
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(out.args[0], (uint32_t)-EINVAL);
    ctx = (struct bpf_sock_ops_abi){.op = 99, .local_port = 5555};
    uint8_t segment[20] = {1, 2, 3}, data_out[32];
    attr.data_in = segment;
    attr.data_size_in = sizeof segment;
    attr.data_out = data_out;
    attr.data_size_out = sizeof data_out;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(out.args[0], 5555);
    CHECK_EQ(res.data_size_out, sizeof segment);
    CHECK_EQ(out.skb_len, 0);
    CHECK_EQ(out.skb_data, 0);
    ctx = (struct bpf_sock_ops_abi){.skb_len = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "skb_len");
    ctx = (struct bpf_sock_ops_abi){.sk = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    unload(&l);
}

/* --- process ------------------------------------------------------------------------------ */

TEST(process_start_and_exit)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "process_watch");
    if (!prog) {
        CHECK(0);
        return;
    }
    static const char cmdline[] = "ls\0-l\0/tmp"; /* three arguments, NUL-terminated */
    struct process_md_abi ctx = {.process_id = 42, .comm = "ls"}, out;
    struct runtime_test_run_attr attr = {.data_in = cmdline, .data_size_in = sizeof cmdline, .ctx_in = &ctx,
                                         .ctx_size_in = sizeof ctx, .ctx_out = &out, .ctx_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 3);
    CHECK_EQ(out.process_id, 42);
    CHECK_EQ(out.command_start, 0);
    memcpy(ctx.comm, "evilcat", 8);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-1);
    ctx = (struct process_md_abi){.operation = PROCESS_OPERATION_DELETE, .process_exit_code = 3, .uid = 2};
    attr.data_size_in = 0;
    attr.data_in = NULL;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 2003);
    /* Refused contexts. */
    ctx = (struct process_md_abi){.command_start = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "command_start");
    ctx = (struct process_md_abi){.operation = 2};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    ctx = (struct process_md_abi){.process_exit_code = 1};
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "delete");
    ctx = (struct process_md_abi){0};
    memset(ctx.comm, 'a', sizeof ctx.comm);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "comm");
    ctx = (struct process_md_abi){0};
    char *huge = calloc(1, PROCESS_COMMAND_MAX + 1);
    attr.data_in = huge;
    attr.data_size_in = PROCESS_COMMAND_MAX + 1;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EINVAL);
    free(huge);
    unload(&l);
}

/* --- across types ------------------------------------------------------------------------- */

TEST(socket_cookie_and_context_kinds)
{
    uint8_t frame[54];
    ipv4_frame(frame, 6);
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame};
    struct runtime_test_run_result res;
    char msg[256] = "";
    struct runtime_prog *prog = load_asm("call 46\nexit\n", PROG_TYPE_SOCKET_FILTER, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    uint32_t first = res.retval;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK(first != 0 && res.retval != first); /* every skb has its own socket */
    runtime_prog_put(prog);
    /* An XDP helper on an skb: the context kind does not match, the helper refuses. */
    prog = load_asm("mov %r2, 4\ncall 44\nexit\n", PROG_TYPE_SCHED_CLS, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-EINVAL);
    runtime_prog_put(prog);
    /* skb_load_bytes out of the packet clears the buffer and fails. */
    prog = load_asm("mov %r2, 50\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 8\ncall 26\nexit\n",
                    PROG_TYPE_SCHED_CLS, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-EFAULT);
    runtime_prog_put(prog);
    /* A socket filter cannot store bytes. */
    prog = load_asm("mov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nstdw [%r10-8], 0\nmov %r4, 4\nmov %r5, 0\n"
                    "call 9\nexit\n", PROG_TYPE_SOCKET_FILTER, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-EINVAL);
    runtime_prog_put(prog);
}

TEST(unsupported_types_and_runaway_programs)
{
    struct runtime_test_run_attr attr = {0};
    struct runtime_test_run_result res;
    char msg[256] = "";
    struct runtime_prog *prog = load_asm("mov %r0, 0\nexit\n", PROG_TYPE_KPROBE, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "does not support");
    runtime_prog_put(prog);
    /* An unverified endless loop ends at the step budget instead of hanging. */
    prog = load_asm("ja -1\nexit\n", PROG_TYPE_CGROUP_SOCK, 0);
    CHECK(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg) < 0);
    CHECK_CONTAINS(msg, "faulted");
    runtime_prog_put(prog);
}

TEST(duration_is_an_average)
{
    struct runtime_prog *prog = load_asm("mov %r0, 7\nexit\n", PROG_TYPE_CGROUP_SOCK, 0);
    struct runtime_test_run_attr attr = {.repeat = 1000};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 7);
    CHECK(res.duration_ns < 100000); /* per run, not the total of 1000 */
    runtime_prog_put(prog);
}

TEST_MAIN
