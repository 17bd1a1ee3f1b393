/* The __sk_buff context built from a frame, as Linux's test-run builds its skb. */
#include <errno.h>
#include <string.h>

#include "test.h"

#include "runtime/ctx_skb.h"
#include "verifier/prog_types.h"

static const uint8_t ipv6_udp[] = {
    0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd,
    0x60, 0, 0, 0, 0, 8, 17, 64,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,   /* source */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,   /* destination */
    0, 53, 0, 53, 0, 8, 0, 0,
};

TEST(socket_filter_view_starts_at_the_network_header)
{
    struct runtime_skb skb;
    CHECK_EQ(runtime_skb_init(&skb), 0);
    char msg[256] = "";
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SOCKET_FILTER, ipv6_udp, sizeof ipv6_udp, NULL, msg, sizeof msg), 0);
    CHECK_EQ(skb.md.len, sizeof ipv6_udp - SKB_ETH_HLEN);
    CHECK_EQ(skb.pointers.data, (uintptr_t)skb.data);
    CHECK_EQ(skb.md.data, (uint32_t)(uintptr_t)skb.data); /* Linux's 32-bit field: the low half */
    CHECK_EQ(skb.data[0], 0x60);
    uint16_t protocol = 0;
    memcpy(&protocol, ipv6_udp + 12, 2);
    CHECK_EQ(skb.md.protocol, protocol);
    CHECK_EQ(skb.md.pkt_type, 2); /* PACKET_MULTICAST: 33:33:... */
    CHECK_EQ(skb.md.family, 10);
    CHECK(!memcmp(skb.md.local_ip6, ipv6_udp + 22, 16));
    CHECK(!memcmp(skb.md.remote_ip6, ipv6_udp + 38, 16));
    CHECK(!memcmp(skb.sock.src_ip6, ipv6_udp + 22, 16));
    CHECK_EQ(skb.md.sk, (uintptr_t)&skb.sock);
    CHECK_EQ(skb.md.ifindex, SKB_DEFAULT_IFINDEX);
    CHECK_EQ(skb.kind, RUNTIME_CTX_SKB);
    struct vm_run run;
    vm_run_init(&run);
    CHECK_EQ(runtime_skb_prepare_run(&skb, &run, true), 0);
    CHECK(run.packet == skb.data && run.packet_len == skb.len); /* what LD_ABS reads */
    /* A checked run reads the 32-bit fields: the packet moved below 4 GiB, and they follow it. */
    CHECK((uintptr_t)skb.data + skb.len <= (uintptr_t)1 << 32);
    CHECK_EQ((uintptr_t)skb.md.data, (uintptr_t)skb.data);
    CHECK_EQ(skb.pointers.data, (uintptr_t)skb.data);
    CHECK_EQ(skb.data[0], 0x60);
    CHECK(run.region_count >= 3);
    vm_run_release(&run);
    size_t len;
    const uint8_t *frame = runtime_skb_frame(&skb, &len);
    CHECK_EQ(len, sizeof ipv6_udp);
    CHECK_EQ(frame[0], 0);
    CHECK(!memcmp(frame + 14, ipv6_udp + 14, sizeof ipv6_udp - 14));
    runtime_skb_release(&skb);
}

TEST(tc_view_starts_at_the_ethernet_header)
{
    struct runtime_skb skb;
    CHECK_EQ(runtime_skb_init(&skb), 0);
    char msg[256] = "";
    uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, sizeof frame, NULL, msg, sizeof msg), 0);
    CHECK_EQ(skb.md.len, sizeof frame);
    CHECK_EQ(skb.md.pkt_type, 1); /* PACKET_BROADCAST */
    CHECK_EQ(skb.md.family, 0);   /* no IP header: no addresses */
    CHECK_EQ(skb.pointers.data_end - skb.pointers.data, sizeof frame);
    CHECK_EQ(skb.pointers.data, (uintptr_t)skb.mac);
    CHECK_EQ(skb.pointers.data_meta, skb.pointers.data);
    frame[0] = 0x02;
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, sizeof frame, NULL, msg, sizeof msg), 0);
    CHECK_EQ(skb.md.pkt_type, 3); /* PACKET_OTHERHOST */
    memset(frame, 0, 6);
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, sizeof frame, NULL, msg, sizeof msg), 0);
    CHECK_EQ(skb.md.pkt_type, 0); /* PACKET_HOST: the loopback device's address */
    size_t len;
    CHECK_EQ(runtime_skb_frame(&skb, &len), skb.mac);
    CHECK_EQ(len, sizeof frame);
    runtime_skb_release(&skb);
}

TEST(frame_sizes_and_caller_fields)
{
    struct runtime_skb skb;
    CHECK_EQ(runtime_skb_init(&skb), 0);
    char msg[256] = "";
    static uint8_t big[SKB_MAX_FRAME + 1];
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, SKB_MAX_FRAME, NULL, msg, sizeof msg), 0);
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, sizeof big, NULL, msg, sizeof msg), -EINVAL);
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, 13, NULL, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "Ethernet");
    struct sk_buff_abi in = {.tc_index = 1};
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, 64, &in, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "tc_index");
    in = (struct sk_buff_abi){.tstamp_type = 1};
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, 64, &in, msg, sizeof msg), -EINVAL);
    in = (struct sk_buff_abi){.wire_len = 64, .cb = {[4] = 9}};
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, 64, &in, msg, sizeof msg), 0);
    struct sk_buff_abi out;
    runtime_skb_ctx_out(&skb, &out);
    CHECK_EQ(out.cb[4], 9);
    CHECK_EQ(out.wire_len, 64);
    CHECK_EQ(out.data, 0);
    in.wire_len = 65537;
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, big, 64, &in, msg, sizeof msg), -EINVAL);
    runtime_skb_release(&skb);
}

/* As Linux: IPv4 and IPv6 frames must hold the fixed network header; others need not. */
TEST(short_network_headers_are_refused)
{
    struct runtime_skb skb;
    CHECK_EQ(runtime_skb_init(&skb), 0);
    char msg[256] = "";
    uint8_t frame[14 + 40] = {[12] = 0x08, [13] = 0x00, [14] = 0x45};
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SOCKET_FILTER, frame, 14 + 19, NULL, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "IPv4");
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, 14 + 20, NULL, msg, sizeof msg), 0);
    frame[12] = 0x86;
    frame[13] = 0xdd;
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, 14 + 39, NULL, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "IPv6");
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SOCKET_FILTER, frame, 14 + 40, NULL, msg, sizeof msg), 0);
    frame[12] = 0x08;
    frame[13] = 0x06; /* ARP: no minimum beyond the Ethernet header */
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, 14 + 1, NULL, msg, sizeof msg), 0);
    runtime_skb_release(&skb);
}

/* eth_type_trans: a length field (below 0x600) is no protocol; the payload tells 802.3 (raw,
 * 0xffff) from 802.2. __sk_buff.protocol holds the big-endian value in memory order. */
TEST(length_fields_become_802_protocols)
{
    struct runtime_skb skb;
    CHECK_EQ(runtime_skb_init(&skb), 0);
    char msg[256] = "";
    uint8_t frame[64] = {[12] = 0x00, [13] = 0x40, [14] = 0xff, [15] = 0xff};
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, sizeof frame, NULL, msg, sizeof msg), 0);
    const uint8_t *p = (const uint8_t *)&skb.md.protocol;
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[1], 1);
    frame[15] = 0xaa;
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SOCKET_FILTER, frame, sizeof frame, NULL, msg, sizeof msg), 0);
    CHECK_EQ(p[1], 4);
    frame[12] = 0x06; /* 0x0640: an Ethernet type, kept */
    CHECK_EQ(runtime_skb_load(&skb, PROG_TYPE_SCHED_CLS, frame, sizeof frame, NULL, msg, sizeof msg), 0);
    CHECK_EQ(p[0], 0x06);
    CHECK_EQ(p[1], 0x40);
    runtime_skb_release(&skb);
}

TEST(context_kind_guards_helpers)
{
    struct runtime_skb skb;
    CHECK_EQ(runtime_skb_init(&skb), 0);
    struct vm_run run;
    vm_run_init(&run);
    run.host = &skb;
    CHECK(runtime_ctx_host(&run, RUNTIME_CTX_SKB) == &skb);
    CHECK(runtime_ctx_host(&run, RUNTIME_CTX_XDP) == NULL);
    run.host = NULL;
    CHECK(runtime_ctx_host(&run, RUNTIME_CTX_SKB) == NULL);
    runtime_skb_release(&skb);
}

TEST_MAIN
