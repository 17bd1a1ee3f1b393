/* runtime_prog_test_run on clang-compiled programs of every supported type
 * (build/bpf/test_run.bpf.o) and on small assembled ones: results, data_out and ctx_out
 * as Linux's BPF_PROG_RUN gives them, and every refused input. The clang programs pass the
 * verifier and run on the default engine (the JIT on x86-64) unless a test says otherwise;
 * the assembled ones, some unsafe on purpose, run unverified on the checked interpreter. */
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
#include "runtime/perf_output.h"
#include "runtime/test_run.h"
#include "runtime/xdp_context.h"

#define OBJ "build/bpf/test_run.bpf.o"

struct loaded {
    struct elf_object *elf;
    struct runtime_object *obj;
    struct runtime_prog *prog;
};

static struct runtime_prog *load_engine(struct loaded *l, const char *name, enum runtime_engine engine)
{
    char msg[256];
    memset(l, 0, sizeof *l);
    if (elf_object_open_file(OBJ, NULL, &l->elf, msg, sizeof msg)) {
        fprintf(stderr, "  %s: %s\n", OBJ, msg);
        return NULL;
    }
    struct runtime_object_options opts = {.engine = engine, .only_program = name};
    if (runtime_object_load(l->elf, &opts, &l->obj, msg, sizeof msg)) {
        fprintf(stderr, "  load %s: %s\n", name, msg);
        return NULL;
    }
    l->prog = runtime_object_prog(l->obj, name);
    return l->prog;
}

static struct runtime_prog *load(struct loaded *l, const char *name)
{
    return load_engine(l, name, RUNTIME_ENGINE_DEFAULT);
}

static void unload(struct loaded *l)
{
    runtime_object_free(l->obj);
    elf_object_free(l->elf);
}

/* With a map, every lddw of the text refers to it. */
static struct runtime_prog *load_asm_map(const char *text, uint32_t prog_type, uint32_t attach_type,
                                         struct bpfhost_map *map)
{
    struct ebpf_insn *insns;
    size_t count;
    char msg[256];
    if (asm_assemble(text, &insns, &count, msg, sizeof msg)) {
        fprintf(stderr, "  asm: %s\n", msg);
        return NULL;
    }
    for (size_t i = 0; map && i < count; i++)
        if (isa_is_lddw(&insns[i]))
            insns[i].src = EBPF_LDDW_MAP_IDX, insns[i].imm = 0;
    struct runtime_prog_attr attr = {.name = "asm", .prog_type = prog_type, .expected_attach_type = attach_type,
                                     .insns = insns, .insn_count = count, .maps = &map,
                                     .map_count = map ? 1 : 0, .allow_unverified = true};
    struct runtime_prog *prog = NULL;
    if (runtime_prog_load(&attr, &prog, msg, sizeof msg))
        fprintf(stderr, "  load: %s\n", msg);
    free(insns);
    return prog;
}

static struct runtime_prog *load_asm(const char *text, uint32_t prog_type, uint32_t attach_type)
{
    return load_asm_map(text, prog_type, attach_type, NULL);
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

/* Linux's limits, as the kernel oracle (tests/suites/kernel_oracle.sh) measured them: the
 * head and the metadata stop 40 bytes into the 256-byte headroom (struct xdp_frame), the
 * tail 320 bytes before the end of the page (struct skb_shared_info). */
static uint32_t xdp_helper_result(const char *text)
{
    struct runtime_prog *prog = load_asm(text, PROG_TYPE_XDP, 0);
    uint8_t frame[60] = {0}, out[4096];
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                         .data_size_out = sizeof out};
    struct runtime_test_run_result res = {.retval = 1};
    char msg[256] = "";
    if (!prog || runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg) != 0)
        res.retval = 1;
    runtime_prog_put(prog);
    return res.retval;
}

TEST(xdp_adjust_limits_as_linux)
{
    CHECK_EQ(xdp_helper_result("mov %r2, -216\ncall 44\nexit\n"), 0);
    CHECK_EQ(xdp_helper_result("mov %r2, -220\ncall 44\nexit\n"), (uint32_t)-EINVAL);
    CHECK_EQ(xdp_helper_result("mov %r6, %r1\nmov %r2, -200\ncall 44\nmov %r1, %r6\nmov %r2, -16\n"
                               "call 54\nexit\n"), 0);
    CHECK_EQ(xdp_helper_result("mov %r6, %r1\nmov %r2, -200\ncall 44\nmov %r1, %r6\nmov %r2, -20\n"
                               "call 54\nexit\n"), (uint32_t)-EINVAL);
    CHECK_EQ(xdp_helper_result("mov %r2, 3460\ncall 65\nexit\n"), 0); /* 3520 bytes after data */
    CHECK_EQ(xdp_helper_result("mov %r2, 3464\ncall 65\nexit\n"), (uint32_t)-EINVAL);
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
    ipv4_frame(frame, 6);
    frame[14 + 3] = 41; /* an IP total length one byte longer than the packet: truncated */
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

/* UDP checksum over the pseudo header and the datagram of an Ethernet + IPv4 frame. */
static uint16_t udp_checksum(const uint8_t *f, size_t len)
{
    uint32_t sum = 17 + (uint32_t)(len - 34);
    for (int i = 26; i < 34; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    for (size_t i = 34; i < len; i += 2)
        sum += (uint32_t)(f[i] << 8 | (i + 1 < len ? f[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

TEST(l4_checksum_follows_a_port_rewrite)
{
    uint8_t frame[54], out[64];
    ipv4_frame(frame, 17);
    frame[36] = 0, frame[37] = 53; /* destination port 53 */
    frame[38] = 0, frame[39] = 20; /* UDP length */
    frame[40] = frame[41] = 0;
    uint16_t check = udp_checksum(frame, sizeof frame);
    frame[40] = (uint8_t)(check >> 8), frame[41] = (uint8_t)check;
    CHECK_EQ(udp_checksum(frame, sizeof frame), 0); /* a valid datagram sums to zero */
    /* Port 53 -> 5353 with skb_store_bytes, then l4_csum_replace(size 2) with the old and
     * new 16-bit values as the program loads them from memory. */
    uint16_t old_port, new_port;
    memcpy(&old_port, frame + 36, 2);
    uint8_t new_bytes[2] = {0x14, 0xe9};
    memcpy(&new_port, new_bytes, 2);
    char text[512];
    snprintf(text, sizeof text,
             "mov %%r6, %%r1\nsth [%%r10-8], %u\nmov %%r2, 36\nmov %%r3, %%r10\nadd %%r3, -8\nmov %%r4, 2\n"
             "mov %%r5, 0\ncall 9\njne %%r0, 0, +6\nmov %%r1, %%r6\nmov %%r2, 40\nmov %%r3, %u\nmov %%r4, %u\n"
             "mov %%r5, 2\ncall 11\nexit\n", new_port, old_port, new_port);
    struct runtime_prog *prog = load_asm(text, PROG_TYPE_SCHED_CLS, 0);
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                         .data_size_out = sizeof out};
    struct runtime_test_run_result res;
    char msg[256] = "";
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 0);
    CHECK_EQ(out[36], 0x14);
    CHECK_EQ(out[37], 0xe9);
    CHECK_EQ(udp_checksum(out, sizeof frame), 0);
    runtime_prog_put(prog);
    /* A UDP checksum of 0 means "none": with BPF_F_MARK_MANGLED_0 it stays 0. */
    frame[40] = frame[41] = 0;
    prog = load_asm("mov %r2, 40\nmov %r3, 1\nmov %r4, 2\nmov %r5, 0x22\ncall 11\nexit\n", PROG_TYPE_SCHED_CLS, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, 0);
    CHECK_EQ(out[40] | out[41], 0);
    runtime_prog_put(prog);
    /* Odd offsets, unknown flags, and size 0 with a from value are refused. */
    prog = load_asm("mov %r2, 41\nmov %r3, 1\nmov %r4, 2\nmov %r5, 2\ncall 11\nexit\n", PROG_TYPE_SCHED_CLS, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-EFAULT);
    runtime_prog_put(prog);
    prog = load_asm("mov %r2, 40\nmov %r3, 1\nmov %r4, 2\nmov %r5, 0x102\ncall 11\nexit\n", PROG_TYPE_SCHED_CLS, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-EINVAL);
    runtime_prog_put(prog);
    prog = load_asm("mov %r2, 24\nmov %r3, 1\nmov %r4, 2\nmov %r5, 0\ncall 10\nexit\n", PROG_TYPE_SCHED_CLS, 0);
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, (uint32_t)-EINVAL);
    runtime_prog_put(prog);
}

TEST(skb_load_bytes_relative_to_either_header)
{
    uint8_t frame[54];
    ipv4_frame(frame, 6);
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame};
    struct runtime_test_run_result res;
    char msg[256] = "";
    /* r0 = the first byte at offset 0 from the network header (0x45) or the MAC header (0x02) */
    static const char *const text[] = {
        "mov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 1\nmov %r5, 1\ncall 68\nldxb %r0, [%r10-8]\nexit\n",
        "mov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 1\nmov %r5, 0\ncall 68\nldxb %r0, [%r10-8]\nexit\n",
        "mov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 1\nmov %r5, 7\ncall 68\nexit\n",
    };
    static const uint32_t want[] = {0x45, 0x02, (uint32_t)-EFAULT};
    for (int i = 0; i < 3; i++) {
        struct runtime_prog *prog = load_asm(text[i], PROG_TYPE_SOCKET_FILTER, 0);
        CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
        CHECK_EQ(res.retval, want[i]);
        runtime_prog_put(prog);
    }
}

struct frame_event {
    uint32_t len, ifindex;
};

static int collect_event(void *ctx, void *data, size_t size)
{
    struct frame_event *e = ctx;
    if (size != sizeof *e)
        return -1;
    memcpy(e, data, sizeof *e);
    return 0;
}

TEST(perf_event_output_reaches_the_consumer)
{
    struct loaded l;
    struct runtime_prog *prog = load(&l, "xdp_report");
    if (!prog) {
        CHECK(0);
        return;
    }
    struct bpfhost_map *events = runtime_object_map(l.obj, "events");
    struct runtime_perf_output *output;
    char msg[256] = "";
    CHECK_EQ(runtime_perf_output_create(4096, &output, msg, sizeof msg), 0);
    uint32_t slot = 0;
    CHECK_EQ(map_sys_update_object(events, &slot, output, 0), 0);
    uint8_t frame[54];
    ipv4_frame(frame, 6);
    struct xdp_md_abi ctx = {.data_end = sizeof frame, .ingress_ifindex = 3};
    struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .ctx_in = &ctx,
                                         .ctx_size_in = sizeof ctx};
    struct runtime_test_run_result res;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_PASS);
    struct frame_event e = {0};
    CHECK_EQ(runtime_perf_output_consume(output, collect_event, &e), 1);
    CHECK_EQ(e.len, sizeof frame);
    CHECK_EQ(e.ifindex, 3);
    CHECK_EQ(runtime_perf_output_consume(output, collect_event, &e), 0);
    /* A full ring loses records and the helper says so. */
    attr.repeat = 1000;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_ABORTED);
    CHECK(runtime_perf_output_take_lost(output) > 0);
    CHECK_EQ(runtime_perf_output_take_lost(output), 0);
    CHECK(runtime_perf_output_consume(output, collect_event, &e) > 100);
    /* An empty slot: -ENOENT, the program aborts. */
    CHECK_EQ(map_sys_delete_elem(events, &slot), 0);
    attr.repeat = 1;
    CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
    CHECK_EQ(res.retval, XDP_CODE_ABORTED);
    /* Flags beyond the index, an index beyond the map, a map of another type. */
    static const char *const bad[] = {"mov %r3, 1\nlsh %r3, 40\n", "mov %r3, 4\n", "mov %r3, 0\n"};
    static const uint32_t want[] = {(uint32_t)-EINVAL, (uint32_t)-E2BIG, (uint32_t)-EINVAL};
    struct map_create_attr array_attr = {.map_type = MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
                                         .max_entries = 1};
    struct bpfhost_map *array;
    CHECK_EQ(map_create(&array_attr, &array, msg, sizeof msg), 0);
    for (int i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof text, "lddw %%r2, 0\n%sstdw [%%r10-8], 0\nmov %%r4, %%r10\nadd %%r4, -8\n"
                 "mov %%r5, 8\ncall 25\nexit\n", bad[i]);
        struct runtime_prog *p = load_asm_map(text, PROG_TYPE_XDP, 0, i < 2 ? events : array);
        CHECK_EQ(runtime_prog_test_run(p, &(struct runtime_test_run_attr){.data_in = frame, .data_size_in = 54},
                                       &res, msg, sizeof msg), 0);
        CHECK_EQ(res.retval, want[i]);
        runtime_prog_put(p);
    }
    map_put(array);
    runtime_perf_output_put(output);
    unload(&l);
}

/* The same programs on every engine: verified, on the fast interpreter and the JIT; and
 * unverified on the checked interpreter. */
TEST(every_engine_gives_the_same_results)
{
    static const char *const names[] = {"xdp_reflect", "socket_tcp_only", "tc_redirect_dst"};
    static const enum runtime_engine engines[] = {RUNTIME_ENGINE_INTERP, RUNTIME_ENGINE_JIT};
    uint8_t frame[54];
    ipv4_frame(frame, 6);
    for (size_t n = 0; n < 3; n++) {
        uint8_t want[64] = {0};
        uint32_t want_retval = 0;
        for (size_t e = 0; e < 3; e++) {
            struct loaded l;
            char msg[256] = "";
            struct runtime_prog *prog;
            if (e < 2) {
                prog = load_engine(&l, names[n], engines[e]);
            } else {
                memset(&l, 0, sizeof l);
                CHECK_EQ(elf_object_open_file(OBJ, NULL, &l.elf, msg, sizeof msg), 0);
                struct runtime_object_options opts = {.allow_unverified = true, .only_program = names[n]};
                CHECK_EQ(runtime_object_load(l.elf, &opts, &l.obj, msg, sizeof msg), 0);
                prog = l.obj ? runtime_object_prog(l.obj, names[n]) : NULL;
            }
            if (!prog) {
                CHECK(0);
                unload(&l);
                continue;
            }
            CHECK_EQ(prog->verified, e < 2);
            CHECK_EQ(prog->engine, e < 2 ? engines[e] : RUNTIME_ENGINE_CHECKED);
            uint8_t out[64] = {0};
            struct runtime_test_run_attr attr = {.data_in = frame, .data_size_in = sizeof frame, .data_out = out,
                                                 .data_size_out = sizeof out};
            struct runtime_test_run_result res;
            CHECK_EQ(runtime_prog_test_run(prog, &attr, &res, msg, sizeof msg), 0);
            if (e == 0) {
                memcpy(want, out, sizeof want);
                want_retval = res.retval;
            }
            CHECK_EQ(res.retval, want_retval);
            CHECK(!memcmp(out, want, sizeof want));
            unload(&l);
        }
    }
}

TEST_MAIN
