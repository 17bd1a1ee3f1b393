#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <stddef.h>

#include "test.h"
#include "verifier/prog_types.h"
#include "verifier_asm.h"

static const struct ctx_field *field(const char *type, const char *name)
{
    const struct prog_type_desc *t = prog_type_by_name(type);
    for (size_t i = 0; t && i < t->field_count; i++)
        if (!strcmp(t->fields[i].name, name))
            return &t->fields[i];
    return NULL;
}

#define CHECK_FIELD(type, name, ctype, member)                                                      \
    do {                                                                                           \
        const struct ctx_field *f_ = field(type, name);                                            \
        CHECK(f_ != NULL);                                                                         \
        if (f_) {                                                                                  \
            CHECK_EQ(f_->offset, offsetof(ctype, member));                                         \
            CHECK_EQ(f_->size, sizeof(((ctype *)0)->member));                                      \
        }                                                                                          \
    } while (0)

TEST(layouts_match_linux_uapi)
{
    CHECK_FIELD("xdp", "data", struct xdp_md, data);
    CHECK_FIELD("xdp", "data_end", struct xdp_md, data_end);
    CHECK_FIELD("xdp", "data_meta", struct xdp_md, data_meta);
    CHECK_FIELD("xdp", "egress_ifindex", struct xdp_md, egress_ifindex);
    CHECK_EQ(prog_type_by_name("xdp")->ctx_size, sizeof(struct xdp_md));
    CHECK_FIELD("tc", "data", struct __sk_buff, data);
    CHECK_FIELD("tc", "data_end", struct __sk_buff, data_end);
    CHECK_FIELD("tc", "data_meta", struct __sk_buff, data_meta);
    CHECK_FIELD("tc", "cb", struct __sk_buff, cb);
    CHECK_FIELD("tc", "tstamp", struct __sk_buff, tstamp);
    CHECK_FIELD("tc", "tstamp_type", struct __sk_buff, tstamp_type);
    CHECK_FIELD("tc", "hwtstamp", struct __sk_buff, hwtstamp);
    CHECK_FIELD("socket", "cb", struct __sk_buff, cb);
    CHECK_FIELD("socket", "gso_size", struct __sk_buff, gso_size);
    CHECK_EQ(prog_type_by_name("socket")->ctx_size, sizeof(struct __sk_buff));
    CHECK_FIELD("cgroup/sock_addr", "user_port", struct bpf_sock_addr, user_port);
    CHECK_FIELD("cgroup/sock_addr", "msg_src_ip6[3]", struct bpf_sock_addr, msg_src_ip6[3]);
    CHECK_EQ(field("cgroup/sock_addr", "sk")->offset, offsetof(struct bpf_sock_addr, sk));
    CHECK_EQ(prog_type_by_name("cgroup/sock_addr")->ctx_size, sizeof(struct bpf_sock_addr));
    CHECK_FIELD("sockops", "sk_txhash", struct bpf_sock_ops, sk_txhash);
    CHECK_FIELD("sockops", "bytes_acked", struct bpf_sock_ops, bytes_acked);
    CHECK_FIELD("sockops", "skb_tcp_flags", struct bpf_sock_ops, skb_tcp_flags);
    CHECK_EQ(field("sockops", "skb_data_end")->offset, offsetof(struct bpf_sock_ops, skb_data_end));
    CHECK_EQ(prog_type_by_name("sockops")->ctx_size, sizeof(struct bpf_sock_ops));
    CHECK_FIELD("cgroup/sock", "rx_queue_mapping", struct bpf_sock, rx_queue_mapping);
    CHECK_FIELD("cgroup/sock", "dst_ip6[2]", struct bpf_sock, dst_ip6[2]);
    CHECK_EQ(prog_type_by_name("cgroup/sock")->ctx_size, sizeof(struct bpf_sock));
    CHECK_EQ(field("perf_event", "addr")->offset, offsetof(struct bpf_perf_event_data, addr));
}

TEST(lookup_by_name_and_linux_type)
{
    CHECK(prog_type_by_linux_type(BPF_PROG_TYPE_XDP) == prog_type_by_name("xdp"));
    CHECK(prog_type_by_linux_type(BPF_PROG_TYPE_CGROUP_SOCK_ADDR) == prog_type_by_name("cgroup/sock_addr"));
    CHECK(prog_type_by_name("nope") == NULL);
    CHECK(prog_type_by_linux_type(9999) == NULL);
    CHECK(prog_type_count() >= 10);
    CHECK(prog_type_at(prog_type_count()) == NULL);
}

TEST(field_access_rules)
{
    const struct prog_type_desc *xdp = prog_type_by_name("xdp");
    const struct ctx_field *f;
    char msg[256];
    CHECK(prog_type_access_ok(xdp, 0, 4, false, &f, msg, sizeof msg));
    CHECK_EQ(f->kind, CTX_PACKET);
    CHECK(!prog_type_access_ok(xdp, 0, 2, false, &f, msg, sizeof msg)); /* half a pointer */
    CHECK_CONTAINS(msg, "data");
    CHECK(!prog_type_access_ok(xdp, 0, 4, true, &f, msg, sizeof msg));
    CHECK_CONTAINS(msg, "read-only");
    CHECK(prog_type_access_ok(xdp, 14, 2, false, &f, msg, sizeof msg)); /* narrow read */
    CHECK(!prog_type_access_ok(xdp, 13, 2, false, &f, msg, sizeof msg)); /* misaligned */
    CHECK(!prog_type_access_ok(xdp, 24, 4, false, &f, msg, sizeof msg));
    CHECK_CONTAINS(msg, "struct xdp_md has no field at offset 24");
    CHECK(!prog_type_access_ok(xdp, -4, 4, false, &f, msg, sizeof msg));
    const struct prog_type_desc *sa = prog_type_by_name("cgroup/sock_addr");
    CHECK(prog_type_access_ok(sa, 24, 4, true, &f, msg, sizeof msg));  /* user_port */
    CHECK(!prog_type_access_ok(sa, 28, 4, true, &f, msg, sizeof msg)); /* family */
    CHECK(sa->checks_return && sa->return_min == 0 && sa->return_max == 1);
    const struct prog_type_desc *kp = prog_type_by_name("kprobe");
    CHECK(prog_type_access_ok(kp, 112, 8, false, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(kp, 112, 8, true, &f, msg, sizeof msg));
    const struct prog_type_desc *tp = prog_type_by_name("tracepoint");
    CHECK(!prog_type_access_ok(tp, 0, 8, false, &f, msg, sizeof msg)); /* common fields */
    CHECK(prog_type_access_ok(tp, 16, 4, false, &f, msg, sizeof msg));
    const struct prog_type_desc *sock = prog_type_by_name("socket");
    CHECK(!prog_type_access_ok(sock, 76, 4, false, &f, msg, sizeof msg)); /* no direct access */
    CHECK(prog_type_access_ok(sock, 48, 4, true, &f, msg, sizeof msg));   /* cb[0] */
}

#define SKB_OFFSET(member) offsetof(struct __sk_buff, member)

/* Linux's sk_filter_is_valid_access: a socket filter sees neither packet pointers nor the
 * socket's addresses nor the timestamps, and writes only cb. */
TEST(socket_filter_skb_fields_follow_linux)
{
    const struct prog_type_desc *sock = prog_type_by_name("socket");
    const struct ctx_field *f;
    char msg[256];
    static const struct {
        size_t offset;
        unsigned size;
    } refused[] = {
        {SKB_OFFSET(tc_classid), 4}, {SKB_OFFSET(data), 4}, {SKB_OFFSET(data_end), 4},
        {SKB_OFFSET(data_meta), 4}, {SKB_OFFSET(family), 4}, {SKB_OFFSET(remote_ip4), 4},
        {SKB_OFFSET(local_ip4), 4}, {SKB_OFFSET(local_ip4), 2}, {SKB_OFFSET(remote_ip6[0]), 4},
        {SKB_OFFSET(local_ip6[3]), 4}, {SKB_OFFSET(remote_port), 4}, {SKB_OFFSET(local_port), 4},
        {SKB_OFFSET(tstamp), 8}, {SKB_OFFSET(wire_len), 4}, {SKB_OFFSET(hwtstamp), 8},
        {SKB_OFFSET(tstamp_type), 1}, {SKB_OFFSET(flow_keys), 8},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        CHECK(!prog_type_access_ok(sock, (int64_t)refused[i].offset, refused[i].size, false, &f, msg, sizeof msg));
        CHECK_CONTAINS(msg, "struct __sk_buff has no field at offset");
    }
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(len), 4, false, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(protocol), 2, false, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(napi_id), 4, false, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(gso_segs), 4, false, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(sk), 8, false, &f, msg, sizeof msg));
    CHECK_EQ(f->kind, CTX_SOCKET_OR_NULL);
    CHECK(!prog_type_access_ok(sock, SKB_OFFSET(mark), 4, true, &f, msg, sizeof msg));
    CHECK_CONTAINS(msg, "mark is read-only");
    CHECK(!prog_type_access_ok(sock, SKB_OFFSET(priority), 4, true, &f, msg, sizeof msg));
    /* cb is one range: any aligned access inside it, 8 bytes too, never past cb[4] */
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(cb[1]), 1, true, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(cb[2]), 8, true, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(sock, SKB_OFFSET(cb[0]), 8, false, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(sock, SKB_OFFSET(cb[4]), 8, false, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(sock, SKB_OFFSET(cb[1]), 8, true, &f, msg, sizeof msg)); /* misaligned */
}

/* Linux's tc_cls_act_is_valid_access: no family..local_port (through skb->sk instead),
 * tstamp whole and writable, tstamp_type one byte, hwtstamp whole and read-only. */
TEST(tc_skb_fields_follow_linux)
{
    const struct prog_type_desc *tc = prog_type_by_name("tc");
    const struct ctx_field *f;
    char msg[256];
    static const size_t refused[] = {
        SKB_OFFSET(family), SKB_OFFSET(remote_ip4), SKB_OFFSET(local_ip4), SKB_OFFSET(remote_ip6[2]),
        SKB_OFFSET(local_ip6[1]), SKB_OFFSET(remote_port), SKB_OFFSET(local_port), SKB_OFFSET(flow_keys),
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        CHECK(!prog_type_access_ok(tc, (int64_t)refused[i], 4, false, &f, msg, sizeof msg));
        CHECK_CONTAINS(msg, "struct __sk_buff has no field at offset");
    }
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(tstamp), 8, true, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(tstamp), 4, false, &f, msg, sizeof msg));
    CHECK_CONTAINS(msg, "tstamp");
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(tstamp_type), 1, false, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(tstamp_type), 1, true, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(tstamp_type), 2, false, &f, msg, sizeof msg)); /* padding */
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(hwtstamp), 8, false, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(hwtstamp), 8, true, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(hwtstamp), 4, false, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(queue_mapping), 4, true, &f, msg, sizeof msg));
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(tc_classid), 4, true, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(hash), 4, true, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(mark), 2, true, &f, msg, sizeof msg)); /* narrow write */
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(data), 4, false, &f, msg, sizeof msg));
    CHECK_EQ(f->kind, CTX_PACKET);
    CHECK(prog_type_access_ok(tc, SKB_OFFSET(cb[0]), 8, true, &f, msg, sizeof msg));
    CHECK(!prog_type_access_ok(tc, SKB_OFFSET(cb[3]), 8, true, &f, msg, sizeof msg)); /* misaligned */
}

TEST(windows_sock_addr_has_its_own_layout_and_any_verdict)
{
    const struct prog_type_desc *w = prog_type_by_name("windows/sock_addr");
    const struct ctx_field *f;
    char msg[256];
    CHECK(w != NULL);
    CHECK(!w->checks_return); /* eBPF for Windows maps unknown verdicts to REJECT */
    CHECK_EQ(w->ctx_size, 64);
    CHECK(prog_type_access_ok(w, 40, 2, true, &f, msg, sizeof msg)); /* user_port */
    CHECK_STR(f->name, "user_port");
    CHECK(prog_type_access_ok(w, 28, 4, true, &f, msg, sizeof msg)); /* user_ip6[1] */
    CHECK(!prog_type_access_ok(w, 44, 4, true, &f, msg, sizeof msg)); /* protocol */
    CHECK_CONTAINS(msg, "read-only");
    CHECK(!prog_type_access_ok(w, 64, 4, false, &f, msg, sizeof msg));
    /* Linux's type stays the one for Linux's number */
    CHECK(prog_type_by_linux_type(PROG_TYPE_CGROUP_SOCK_ADDR) == prog_type_by_name("cgroup/sock_addr"));
}

#define INFER(prog, why) prog_type_infer_packet_type(prog, sizeof prog / sizeof prog[0], why, sizeof why)

TEST(packet_type_inferred_from_the_context_fields_used)
{
    const struct prog_type_desc *xdp = prog_type_by_name("xdp"), *tc = prog_type_by_name("tc");
    char why[200];
    /* data and data_end compared and dereferenced: XDP */
    struct ebpf_insn xdp_prog[] = {
        LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14),
        JMP_REG(JGT, 4, 3, 1), LDX(B, 0, 2, 12), MOV64_IMM(0, 2), EXIT(),
    };
    CHECK(INFER(xdp_prog, why) == xdp);
    CHECK_CONTAINS(why, "nothing");
    /* __sk_buff's data_end at 80, through a copy of the context */
    struct ebpf_insn skb_end[] = {MOV64_REG(6, 1), LDX(W, 2, 6, 80), MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(skb_end, why) == tc);
    CHECK_CONTAINS(why, "insn 1 reads context offset 80");
    /* a store into the context (mark) */
    struct ebpf_insn skb_store[] = {ST(W, 1, 8, 1), MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(skb_store, why) == tc);
    CHECK_CONTAINS(why, "stores into the context");
    /* skb->len (offset 0) compared with a number and shifted: no packet pointer */
    struct ebpf_insn skb_len[] = {LDX(W, 2, 1, 0), JMP_IMM(JGT, 2, 65535, 1), ALU64_IMM(RSH, 2, 8),
                                  MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(skb_len, why) == tc);
    CHECK_CONTAINS(why, "compares the value of context offset 0");
    struct ebpf_insn skb_shift[] = {LDX(W, 2, 1, 0), ALU64_IMM(RSH, 2, 8), MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(skb_shift, why) == tc);
    /* the context spilled and filled back keeps its tag */
    struct ebpf_insn spilled[] = {STX(DW, 10, 1, -8), LDX(DW, 3, 10, -8), LDX(W, 2, 3, 80),
                                  MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(spilled, why) == tc);
    /* once r1 is overwritten, loads through it are not context loads */
    struct ebpf_insn overwritten[] = {MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), ST(DW, 1, 0, 0),
                                      LDX(W, 2, 1, 0), MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(overwritten, why) == xdp);
    /* a value from beyond the pointer fields (rx_queue_index) may be a number */
    struct ebpf_insn queue[] = {LDX(W, 2, 1, 16), JMP_IMM(JGT, 2, 3, 0), MOV64_IMM(0, 0), EXIT()};
    CHECK(INFER(queue, why) == xdp);
}

TEST_MAIN
