/* Finishing offloaded TCP/UDP checksums (hooks/xdp_checksum). */
#include "hooks/xdp_checksum.h"

#include "test.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The reference: RFC 1071 over pseudo header + segment, written out independently. */
static uint16_t reference(const uint8_t *src, const uint8_t *dst, size_t addr_len, uint8_t proto,
                          const uint8_t *segment, size_t len, size_t field)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < addr_len; i += 2)
        sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
    sum += proto + (uint32_t)len;
    for (size_t i = 0; i < len; i += 2) {
        uint16_t word = (uint16_t)(segment[i] << 8 | (i + 1 < len ? segment[i + 1] : 0));
        if (i == field)
            word = 0;
        sum += word;
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t check = (uint16_t)~sum;
    return proto == 17 && check == 0 ? 0xffff : check;
}

/* Writes the pseudo-header sum where a sender that offloads leaves it. */
static void make_partial(uint8_t *field, const uint8_t *src, const uint8_t *dst, size_t addr_len, uint8_t proto,
                         size_t len)
{
    uint32_t sum = hook_xdp_checksum_add(0, src, addr_len);
    sum = hook_xdp_checksum_add(sum, dst, addr_len);
    sum += proto + (uint32_t)len;
    put16(field, hook_xdp_checksum_fold(sum));
}

/* Ethernet (+ tags VLAN tags) + IPv4 + UDP or TCP with payload_len bytes. Returns the length. */
static size_t ipv4_frame(uint8_t *f, int tags, uint8_t proto, size_t payload_len, size_t *l4)
{
    memset(f, 0, 2048);
    size_t off = 12;
    for (int t = 0; t < tags; t++, off += 4)
        put16(f + off, 0x8100);
    put16(f + off, 0x0800);
    uint8_t *ip = f + off + 2;
    size_t l4_header = proto == 6 ? 20 : 8, l4_len = l4_header + payload_len;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4_len));
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, (uint8_t[]){198, 18, 7, 1, 198, 18, 7, 2}, 8);
    uint8_t *seg = ip + 20;
    put16(seg, 40000);
    put16(seg + 2, 9999);
    if (proto == 17)
        put16(seg + 4, (uint16_t)l4_len);
    else
        seg[12] = 0x50;
    for (size_t i = 0; i < payload_len; i++)
        seg[l4_header + i] = (uint8_t)(i * 7 + 3);
    *l4 = (size_t)(seg - f);
    return *l4 + l4_len;
}

TEST(udp_ipv4_completed)
{
    uint8_t f[2048];
    size_t l4, len = ipv4_frame(f, 0, 17, 33, &l4); /* odd length */
    const uint8_t *ip = f + 14;
    make_partial(f + l4 + 6, ip + 12, ip + 16, 4, 17, len - l4);
    CHECK(hook_xdp_checksum_complete(f, len));
    uint16_t want = reference(ip + 12, ip + 16, 4, 17, f + l4, len - l4, 6);
    CHECK_EQ(f[l4 + 6] << 8 | f[l4 + 7], want);
}

TEST(tcp_ipv4_behind_two_vlan_tags_completed)
{
    uint8_t f[2048];
    size_t l4, len = ipv4_frame(f, 2, 6, 1000, &l4);
    const uint8_t *ip = f + 22;
    make_partial(f + l4 + 16, ip + 12, ip + 16, 4, 6, len - l4);
    CHECK(hook_xdp_checksum_complete(f, len));
    CHECK_EQ(f[l4 + 16] << 8 | f[l4 + 17], reference(ip + 12, ip + 16, 4, 6, f + l4, len - l4, 16));
}

TEST(udp_ipv6_completed)
{
    uint8_t f[2048] = {0};
    put16(f + 12, 0x86dd);
    uint8_t *ip6 = f + 14, *udp = ip6 + 40;
    size_t payload = 20, l4_len = 8 + payload;
    ip6[0] = 0x60;
    put16(ip6 + 4, (uint16_t)l4_len);
    ip6[6] = 17;
    for (int i = 0; i < 32; i++)
        ip6[8 + i] = (uint8_t)(0x20 + i);
    put16(udp + 4, (uint16_t)l4_len);
    for (size_t i = 0; i < payload; i++)
        udp[8 + i] = (uint8_t)i;
    make_partial(udp + 6, ip6 + 8, ip6 + 24, 16, 17, l4_len);
    CHECK(hook_xdp_checksum_complete(f, 14 + 40 + l4_len));
    CHECK_EQ(udp[6] << 8 | udp[7], reference(ip6 + 8, ip6 + 24, 16, 17, udp, l4_len, 6));
}

TEST(left_alone_when_not_applicable)
{
    uint8_t f[2048], copy[2048];
    size_t l4, len = ipv4_frame(f, 0, 17, 10, &l4);
    memcpy(copy, f, sizeof f);
    CHECK(!hook_xdp_checksum_complete(f, len - 1)); /* IP claims more than the frame holds */
    CHECK(!hook_xdp_checksum_complete(f, 13));
    CHECK(!hook_xdp_checksum_complete(f, 20));
    f[14 + 6] = 0x20; /* more fragments */
    CHECK(!hook_xdp_checksum_complete(f, len));
    f[14 + 6] = 0;
    f[14 + 9] = 1; /* ICMP */
    CHECK(!hook_xdp_checksum_complete(f, len));
    f[14 + 9] = 17;
    f[14] = 0x44; /* header length 16: invalid */
    CHECK(!hook_xdp_checksum_complete(f, len));
    f[14] = 0x45;
    put16(f + 12, 0x0806); /* ARP */
    CHECK(!hook_xdp_checksum_complete(f, len));
    put16(f + 12, 0x0800);
    CHECK(!memcmp(f, copy, sizeof f));
    put16(f + 14 + 2, 20 + 4); /* UDP shorter than its header */
    CHECK(!hook_xdp_checksum_complete(f, len));
}

TEST(fold_and_add)
{
    CHECK_EQ(hook_xdp_checksum_fold(0x1ffff), 1);
    CHECK_EQ(hook_xdp_checksum_add(0, (const uint8_t[]){0x12, 0x34, 0x56}, 3), 0x1234 + 0x5600);
    CHECK_EQ(hook_xdp_checksum_fold(hook_xdp_checksum_add(0xfffffffe, (const uint8_t[]){0, 3}, 2)), 2);
}

TEST_MAIN
