/* A Katran-style L4 load balancer (XDP): Ethernet with up to two VLAN tags, IPv4 and IPv6,
 * ICMP and ICMPv6 echo answered in place, TCP/UDP flows looked up in an LRU connection
 * table and otherwise placed by consistent hashing into a ring of reals, then encapsulated
 * (IPIP or IP6IP6) with bpf_xdp_adjust_head and sent back out with a fresh IPv4 checksum.
 * Written for scale tests of the verifier: large, realistic and safe. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_VIPS 64
#define RING_SIZE 1021
#define MAX_REALS 4096
#define LRU_SIZE 100000
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88A8
#define F_QUIC_VIP 1
#define F_HASH_NO_SRC_PORT 2
#define F_LRU_BYPASS 4
#define F_IPV6_REAL 1
#define IPV4_HDR_LEN_NO_OPT 20
#define ICMP_TOOBIG_PAYLOAD 576
/* linux/icmp.h pulls in the C library's socket headers, which the BPF target lacks. */
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_ECHO 8

struct icmphdr {
    __u8 type;
    __u8 code;
    __sum16 checksum;
    __be32 rest;
};

struct vlan_hdr_ {
    __be16 tci;
    __be16 proto;
};

struct flow_key {
    union {
        __be32 src;
        __be32 srcv6[4];
    };
    union {
        __be32 dst;
        __be32 dstv6[4];
    };
    union {
        __u32 ports;
        __u16 port16[2];
    };
    __u8 proto;
};

struct vip_definition {
    union {
        __be32 vip;
        __be32 vipv6[4];
    };
    __u16 port;
    __u8 proto;
};

struct vip_meta {
    __u32 flags;
    __u32 vip_num;
};

struct real_definition {
    union {
        __be32 dst;
        __be32 dstv6[4];
    };
    __u8 flags;
};

struct real_pos_lru {
    __u32 pos;
    __u64 atime;
};

struct lb_stats {
    __u64 v1;
    __u64 v2;
};

struct ctl_value {
    __u8 mac[6];
    __u32 ifindex;
};

struct packet_description {
    struct flow_key flow;
    __u32 real_index;
    __u8 flags;
    __u8 tos;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct vip_definition);
    __type(value, struct vip_meta);
    __uint(max_entries, MAX_VIPS);
} vip_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __type(key, struct flow_key);
    __type(value, struct real_pos_lru);
    __uint(max_entries, LRU_SIZE);
} lru_mapping SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, RING_SIZE * MAX_VIPS);
} ch_rings SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct real_definition);
    __uint(max_entries, MAX_REALS);
} reals SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, struct lb_stats);
    __uint(max_entries, MAX_VIPS * 2);
} stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, struct lb_stats);
    __uint(max_entries, MAX_REALS);
} reals_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct ctl_value);
    __uint(max_entries, 16);
} ctl_array SEC(".maps");

#define STATS_LRU_MISS (MAX_VIPS + 0)
#define STATS_ICMP (MAX_VIPS + 1)
#define STATS_NEW_CONN (MAX_VIPS + 2)
#define STATS_FRAG (MAX_VIPS + 3)
#define STATS_TOOBIG (MAX_VIPS + 4)

static __always_inline void count(__u32 index, __u64 bytes)
{
    struct lb_stats *s = bpf_map_lookup_elem(&stats, &index);
    if (s) {
        s->v1 += 1;
        s->v2 += bytes;
    }
}

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
    return (word << shift) | (word >> ((-shift) & 31));
}

#define JHASH_INITVAL 0xdeadbeef
#define __jhash_mix(a, b, c)                                                                    \
    {                                                                                           \
        a -= c; a ^= rol32(c, 4); c += b;                                                      \
        b -= a; b ^= rol32(a, 6); a += c;                                                      \
        c -= b; c ^= rol32(b, 8); b += a;                                                      \
        a -= c; a ^= rol32(c, 16); c += b;                                                     \
        b -= a; b ^= rol32(a, 19); a += c;                                                     \
        c -= b; c ^= rol32(b, 4); b += a;                                                      \
    }
#define __jhash_final(a, b, c)                                                                  \
    {                                                                                           \
        c ^= b; c -= rol32(b, 14);                                                             \
        a ^= c; a -= rol32(c, 11);                                                             \
        b ^= a; b -= rol32(a, 25);                                                             \
        c ^= b; c -= rol32(b, 16);                                                             \
        a ^= c; a -= rol32(c, 4);                                                              \
        b ^= a; b -= rol32(a, 14);                                                             \
        c ^= b; c -= rol32(b, 24);                                                             \
    }

static __always_inline __u32 jhash_3words(__u32 a, __u32 b, __u32 c, __u32 initval)
{
    a += JHASH_INITVAL;
    b += JHASH_INITVAL;
    c += initval;
    __jhash_final(a, b, c);
    return c;
}

static __always_inline __u32 jhash2_4words(const __u32 *k, __u32 initval)
{
    __u32 a, b, c;
    a = b = c = JHASH_INITVAL + (4 << 2) + initval;
    a += k[0];
    b += k[1];
    c += k[2];
    __jhash_mix(a, b, c);
    a += k[3];
    __jhash_final(a, b, c);
    return c;
}

static __always_inline __u32 flow_hash(struct packet_description *pckt, int is_ipv6)
{
    __u32 src = pckt->flow.src;
    if (is_ipv6)
        src = jhash2_4words(pckt->flow.srcv6, MAX_VIPS);
    __u32 ports = (pckt->flags & F_HASH_NO_SRC_PORT) ? pckt->flow.port16[1] : pckt->flow.ports;
    return jhash_3words(src, ports, pckt->flow.proto, RING_SIZE);
}

static __always_inline __u16 csum_fold_helper(__u64 csum)
{
#pragma unroll
    for (int i = 0; i < 4; i++) {
        if (csum >> 16)
            csum = (csum & 0xffff) + (csum >> 16);
    }
    return ~csum;
}

static __always_inline void ipv4_csum_inline(void *iph, __u64 *csum)
{
    __u16 *next_iph_u16 = (__u16 *)iph;
#pragma clang loop unroll(full)
    for (int i = 0; i < (int)(sizeof(struct iphdr) >> 1); i++)
        *csum += *next_iph_u16++;
    *csum = csum_fold_helper(*csum);
}

/* RFC 1624 incremental update of a 16-bit one's-complement checksum. */
static __always_inline __u16 csum_replace2(__u16 check, __u16 old, __u16 new)
{
    __u32 sum = (__u16)~check + (__u16)~old + new;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

static __always_inline int swap_mac_and_send(struct ethhdr *eth)
{
    unsigned char tmp[ETH_ALEN];
    __builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
    return XDP_TX;
}

static __always_inline int handle_icmp_v4(void *data, void *data_end, __u64 off)
{
    struct ethhdr *eth = data;
    struct iphdr *iph = data + off;
    if ((void *)(iph + 1) > data_end)
        return XDP_DROP;
    struct icmphdr *icmp = (void *)(iph + 1);
    if ((void *)(icmp + 1) > data_end)
        return XDP_DROP;
    if (icmp->type == ICMP_DEST_UNREACH && icmp->code == ICMP_FRAG_NEEDED) {
        count(STATS_TOOBIG, data_end - data);
        return XDP_PASS;
    }
    if (icmp->type != ICMP_ECHO)
        return XDP_PASS;
    count(STATS_ICMP, data_end - data);
    icmp->type = ICMP_ECHOREPLY;
    icmp->checksum = csum_replace2(icmp->checksum, bpf_htons(ICMP_ECHO << 8),
                                   bpf_htons(ICMP_ECHOREPLY << 8));
    __be32 tmp = iph->daddr;
    iph->daddr = iph->saddr;
    iph->saddr = tmp;
    iph->ttl = 64;
    iph->check = 0;
    __u64 csum = 0;
    ipv4_csum_inline(iph, &csum);
    iph->check = csum;
    return swap_mac_and_send(eth);
}

static __always_inline int handle_icmp_v6(void *data, void *data_end, __u64 off)
{
    struct ethhdr *eth = data;
    struct ipv6hdr *ip6h = data + off;
    if ((void *)(ip6h + 1) > data_end)
        return XDP_DROP;
    struct icmp6hdr *icmp6 = (void *)(ip6h + 1);
    if ((void *)(icmp6 + 1) > data_end)
        return XDP_DROP;
    if (icmp6->icmp6_type == ICMPV6_PKT_TOOBIG) {
        count(STATS_TOOBIG, data_end - data);
        return XDP_PASS;
    }
    if (icmp6->icmp6_type != ICMPV6_ECHO_REQUEST)
        return XDP_PASS;
    count(STATS_ICMP, data_end - data);
    icmp6->icmp6_type = ICMPV6_ECHO_REPLY;
    icmp6->icmp6_cksum = csum_replace2(icmp6->icmp6_cksum, bpf_htons(ICMPV6_ECHO_REQUEST << 8),
                                       bpf_htons(ICMPV6_ECHO_REPLY << 8));
    struct in6_addr tmp = ip6h->saddr;
    ip6h->saddr = ip6h->daddr;
    ip6h->daddr = tmp;
    ip6h->hop_limit = 64;
    return swap_mac_and_send(eth);
}

static __always_inline int parse_ports(void *data, void *data_end, __u64 off, __u8 proto,
                                       struct packet_description *pckt)
{
    if (proto == IPPROTO_TCP) {
        struct tcphdr *tcp = data + off;
        if ((void *)(tcp + 1) > data_end)
            return -1;
        if (tcp->syn)
            pckt->flags |= F_LRU_BYPASS;
        pckt->flow.port16[0] = tcp->source;
        pckt->flow.port16[1] = tcp->dest;
        return 0;
    }
    if (proto == IPPROTO_UDP) {
        struct udphdr *udp = data + off;
        if ((void *)(udp + 1) > data_end)
            return -1;
        pckt->flow.port16[0] = udp->source;
        pckt->flow.port16[1] = udp->dest;
        return 0;
    }
    return -1;
}

static __always_inline struct real_definition *pick_real(struct packet_description *pckt,
                                                         struct vip_meta *vip, int is_ipv6)
{
    struct real_pos_lru *cached = 0;
    if (!(pckt->flags & F_LRU_BYPASS))
        cached = bpf_map_lookup_elem(&lru_mapping, &pckt->flow);
    __u32 key;
    if (cached) {
        key = cached->pos;
        cached->atime = bpf_ktime_get_ns();
    } else {
        count(STATS_LRU_MISS, 1);
        __u32 hash = flow_hash(pckt, is_ipv6) % RING_SIZE;
        __u32 ring_key = RING_SIZE * (vip->vip_num % MAX_VIPS) + hash;
        __u32 *real_pos = bpf_map_lookup_elem(&ch_rings, &ring_key);
        if (!real_pos)
            return 0;
        key = *real_pos;
        struct real_pos_lru fresh;
        __builtin_memset(&fresh, 0, sizeof(fresh)); /* the padding too: it goes into the map */
        fresh.pos = key;
        fresh.atime = bpf_ktime_get_ns();
        if (!(vip->flags & F_QUIC_VIP)) {
            bpf_map_update_elem(&lru_mapping, &pckt->flow, &fresh, BPF_ANY);
            count(STATS_NEW_CONN, 1);
        }
    }
    pckt->real_index = key;
    struct lb_stats *rs = bpf_map_lookup_elem(&reals_stats, &key);
    if (rs)
        rs->v1 += 1;
    return bpf_map_lookup_elem(&reals, &key);
}

static __always_inline int encap_v4(struct xdp_md *ctx, struct real_definition *dst,
                                    struct packet_description *pckt, __u16 payload_len,
                                    const __u8 *next_hop)
{
    if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr)))
        return XDP_DROP;
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *new_eth = data;
    struct ethhdr *old_eth = data + sizeof(struct iphdr);
    struct iphdr *iph = data + sizeof(struct ethhdr);
    if ((void *)(new_eth + 1) > data_end || (void *)(old_eth + 1) > data_end ||
        (void *)(iph + 1) > data_end)
        return XDP_DROP;
    __builtin_memcpy(new_eth->h_source, old_eth->h_dest, ETH_ALEN);
    __builtin_memcpy(new_eth->h_dest, next_hop, ETH_ALEN);
    new_eth->h_proto = bpf_htons(ETH_P_IP);
    iph->version = 4;
    iph->ihl = 5;
    iph->frag_off = 0;
    iph->protocol = IPPROTO_IPIP;
    iph->check = 0;
    iph->tos = pckt->tos;
    iph->tot_len = bpf_htons(payload_len + sizeof(struct iphdr));
    iph->id = 0;
    iph->daddr = dst->dst;
    iph->saddr = 0x0100000a ^ (pckt->flow.src & 0xffff0000);
    iph->ttl = 64;
    __u64 csum = 0;
    ipv4_csum_inline(iph, &csum);
    iph->check = csum;
    return XDP_TX;
}

static __always_inline int encap_v6(struct xdp_md *ctx, struct real_definition *dst,
                                    struct packet_description *pckt, __u16 payload_len,
                                    __u8 inner_proto, const __u8 *next_hop)
{
    if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct ipv6hdr)))
        return XDP_DROP;
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *new_eth = data;
    struct ethhdr *old_eth = data + sizeof(struct ipv6hdr);
    struct ipv6hdr *ip6h = data + sizeof(struct ethhdr);
    if ((void *)(new_eth + 1) > data_end || (void *)(old_eth + 1) > data_end ||
        (void *)(ip6h + 1) > data_end)
        return XDP_DROP;
    __builtin_memcpy(new_eth->h_source, old_eth->h_dest, ETH_ALEN);
    __builtin_memcpy(new_eth->h_dest, next_hop, ETH_ALEN);
    new_eth->h_proto = bpf_htons(ETH_P_IPV6);
    ip6h->version = 6;
    ip6h->priority = (pckt->tos & 0xf0) >> 4;
    ip6h->flow_lbl[0] = (pckt->tos & 0x0f) << 4;
    ip6h->flow_lbl[1] = 0;
    ip6h->flow_lbl[2] = 0;
    ip6h->nexthdr = inner_proto;
    ip6h->payload_len = bpf_htons(payload_len);
    ip6h->hop_limit = 64;
    __builtin_memcpy(ip6h->daddr.in6_u.u6_addr32, dst->dstv6, 16);
    ip6h->saddr.in6_u.u6_addr32[0] = bpf_htonl(0x20010db8);
    ip6h->saddr.in6_u.u6_addr32[1] = 0;
    ip6h->saddr.in6_u.u6_addr32[2] = pckt->real_index;
    ip6h->saddr.in6_u.u6_addr32[3] = pckt->flow.src ^ pckt->flow.ports;
    return XDP_TX;
}

static __always_inline int process_l3(struct xdp_md *ctx, void *data, void *data_end,
                                      __u64 off, __u16 h_proto)
{
    struct packet_description pckt = {};
    struct vip_definition vip = {};
    __u16 payload_len;
    __u8 proto;
    int is_ipv6 = h_proto == bpf_htons(ETH_P_IPV6);
    if (is_ipv6) {
        struct ipv6hdr *ip6h = data + off;
        if ((void *)(ip6h + 1) > data_end)
            return XDP_DROP;
        proto = ip6h->nexthdr;
        if (proto == IPPROTO_ICMPV6)
            return handle_icmp_v6(data, data_end, off);
        if (proto == IPPROTO_FRAGMENT) {
            count(STATS_FRAG, 1);
            return XDP_DROP;
        }
        pckt.tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);
        payload_len = bpf_ntohs(ip6h->payload_len) + sizeof(struct ipv6hdr);
        __builtin_memcpy(pckt.flow.srcv6, ip6h->saddr.in6_u.u6_addr32, 16);
        __builtin_memcpy(pckt.flow.dstv6, ip6h->daddr.in6_u.u6_addr32, 16);
        __builtin_memcpy(vip.vipv6, ip6h->daddr.in6_u.u6_addr32, 16);
        off += sizeof(struct ipv6hdr);
    } else {
        struct iphdr *iph = data + off;
        if ((void *)(iph + 1) > data_end)
            return XDP_DROP;
        if (iph->ihl != 5)
            return XDP_DROP; /* options: let the slow path have it */
        proto = iph->protocol;
        if (proto == IPPROTO_ICMP)
            return handle_icmp_v4(data, data_end, off);
        if (iph->frag_off & bpf_htons(0x3fff)) {
            count(STATS_FRAG, 1);
            return XDP_DROP;
        }
        pckt.tos = iph->tos;
        payload_len = bpf_ntohs(iph->tot_len);
        pckt.flow.src = iph->saddr;
        pckt.flow.dst = iph->daddr;
        vip.vip = iph->daddr;
        off += sizeof(struct iphdr);
    }
    pckt.flow.proto = proto;
    if (parse_ports(data, data_end, off, proto, &pckt))
        return XDP_PASS;
    vip.port = pckt.flow.port16[1];
    vip.proto = proto;
    struct vip_meta *vip_info = bpf_map_lookup_elem(&vip_map, &vip);
    if (!vip_info) {
        vip.port = 0;
        vip_info = bpf_map_lookup_elem(&vip_map, &vip);
        if (!vip_info)
            return XDP_PASS;
        pckt.flags |= F_HASH_NO_SRC_PORT;
        pckt.flow.port16[1] = 0;
    }
    if (data_end - data > ICMP_TOOBIG_PAYLOAD + 1000) {
        count(STATS_TOOBIG, data_end - data);
        return XDP_DROP;
    }
    count(vip_info->vip_num % MAX_VIPS, data_end - data);
    struct real_definition *dst = pick_real(&pckt, vip_info, is_ipv6);
    if (!dst)
        return XDP_DROP;
    __u32 ctl_key = 0;
    struct ctl_value *hop = bpf_map_lookup_elem(&ctl_array, &ctl_key);
    if (!hop)
        return XDP_DROP;
    __u8 next_hop[ETH_ALEN];
    __builtin_memcpy(next_hop, hop->mac, ETH_ALEN);
    if (dst->flags & F_IPV6_REAL)
        return encap_v6(ctx, dst, &pckt, payload_len, is_ipv6 ? IPPROTO_IPV6 : IPPROTO_IPIP,
                        next_hop);
    if (is_ipv6)
        return XDP_DROP; /* IPv6 in IPv4 is not offered */
    return encap_v4(ctx, dst, &pckt, payload_len, next_hop);
}

SEC("xdp")
int balancer_ingress(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_DROP;
    __u64 off = sizeof(struct ethhdr);
    __u16 h_proto = eth->h_proto;
#pragma unroll
    for (int i = 0; i < 2; i++) {
        if (h_proto != bpf_htons(ETH_P_8021Q_) && h_proto != bpf_htons(ETH_P_8021AD_))
            break;
        struct vlan_hdr_ *vh = data + off;
        if ((void *)(vh + 1) > data_end)
            return XDP_DROP;
        h_proto = vh->proto;
        off += sizeof(struct vlan_hdr_);
    }
    if (h_proto != bpf_htons(ETH_P_IP) && h_proto != bpf_htons(ETH_P_IPV6))
        return XDP_PASS;
    return process_l3(ctx, data, data_end, off, h_proto);
}

/* The health-check path, a second program in the object as in Katran: GUE-less IPIP to the
 * real chosen by a per-destination map, for TCP SYN probes only. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, struct real_definition);
    __uint(max_entries, 1024);
} hc_reals SEC(".maps");

SEC("xdp")
int healthcheck_encap(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *iph = (void *)(eth + 1);
    struct tcphdr *tcp = (void *)(iph + 1);
    if ((void *)(tcp + 1) > data_end)
        return XDP_PASS;
    if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_TCP ||
        !tcp->syn)
        return XDP_PASS;
    __u32 key = iph->daddr;
    struct real_definition *real = bpf_map_lookup_elem(&hc_reals, &key);
    if (!real)
        return XDP_PASS;
    struct packet_description pckt = {};
    pckt.flow.src = iph->saddr;
    pckt.tos = iph->tos;
    __u16 len = bpf_ntohs(iph->tot_len);
    __u8 hop[ETH_ALEN] = {2, 0, 0, 0, 0, 1};
    if (real->flags & F_IPV6_REAL)
        return encap_v6(ctx, real, &pckt, len, IPPROTO_IPIP, hop);
    return encap_v4(ctx, real, &pckt, len, hop);
}

char LICENSE[] SEC("license") = "GPL";
