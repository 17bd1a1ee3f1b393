/* A small but real XDP firewall, written for Linux and run unchanged by bpfhost.
 *
 * Parses Ethernet (with up to two VLAN tags), IPv4 (with options) and IPv6, then TCP and UDP;
 * drops a packet when its source or destination address is in a blocklist map, or when its
 * protocol and destination port are; counts every verdict and every protocol in maps.
 * Builds against bpfhost's headers (include/) and against libbpf's. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* What a verdict or protocol counter is indexed by. */
enum proto_index { PROTO_OTHER, PROTO_IPV4, PROTO_IPV6, PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_MAX };

struct port_key {
    __u8 proto;   /* IPPROTO_TCP or IPPROTO_UDP */
    __u8 pad;
    __u16 port;   /* destination port, network byte order */
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32); /* IPv4 address, network byte order */
    __type(value, __u8);
    __uint(max_entries, 1024);
} blocked_v4 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct in6_addr);
    __type(value, __u8);
    __uint(max_entries, 1024);
} blocked_v6 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct port_key);
    __type(value, __u8);
    __uint(max_entries, 1024);
} blocked_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, XDP_REDIRECT + 1);
} verdicts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, PROTO_MAX);
} protocols SEC(".maps");

struct vlan_hdr {
    __be16 tci;
    __be16 encapsulated_proto;
};

static __always_inline void count(void *map, __u32 index)
{
    __u64 *counter = bpf_map_lookup_elem(map, &index);
    if (counter)
        __sync_fetch_and_add(counter, 1);
}

static __always_inline int verdict(int action)
{
    count(&verdicts, action);
    return action;
}

static __always_inline int port_blocked(__u8 proto, __u16 port)
{
    struct port_key key = {.proto = proto, .pad = 0, .port = port};
    return bpf_map_lookup_elem(&blocked_ports, &key) != NULL;
}

/* TCP or UDP destination port at l4, or -1 when the header is cut short. */
static __always_inline int dest_port(__u8 proto, void *l4, void *data_end)
{
    if (proto == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > data_end)
            return -1;
        count(&protocols, PROTO_TCP);
        return tcp->dest;
    }
    if (proto == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > data_end)
            return -1;
        count(&protocols, PROTO_UDP);
        return udp->dest;
    }
    if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
        count(&protocols, PROTO_ICMP);
    return 0;
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return verdict(XDP_DROP);
    __u16 proto = eth->h_proto;
    void *cursor = eth + 1;

#pragma unroll
    for (int i = 0; i < 2; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
            break;
        struct vlan_hdr *vlan = cursor;
        if ((void *)(vlan + 1) > data_end)
            return verdict(XDP_DROP);
        proto = vlan->encapsulated_proto;
        cursor = vlan + 1;
    }

    __u8 l4_proto;
    void *l4;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cursor;
        if ((void *)(ip + 1) > data_end)
            return verdict(XDP_DROP);
        count(&protocols, PROTO_IPV4);
        if (bpf_map_lookup_elem(&blocked_v4, &ip->saddr) || bpf_map_lookup_elem(&blocked_v4, &ip->daddr))
            return verdict(XDP_DROP);
        __u32 header_len = ip->ihl * 4;
        if (header_len < sizeof(*ip))
            return verdict(XDP_DROP);
        l4 = cursor + header_len;
        l4_proto = ip->protocol;
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cursor;
        if ((void *)(ip6 + 1) > data_end)
            return verdict(XDP_DROP);
        count(&protocols, PROTO_IPV6);
        if (bpf_map_lookup_elem(&blocked_v6, &ip6->saddr) || bpf_map_lookup_elem(&blocked_v6, &ip6->daddr))
            return verdict(XDP_DROP);
        l4 = ip6 + 1;
        l4_proto = ip6->nexthdr;
    } else {
        count(&protocols, PROTO_OTHER);
        return verdict(XDP_PASS);
    }

    int port = dest_port(l4_proto, l4, data_end);
    if (port < 0)
        return verdict(XDP_DROP);
    if (port && port_blocked(l4_proto, (__u16)port))
        return verdict(XDP_DROP);
    return verdict(XDP_PASS);
}

char _license[] SEC("license") = "GPL";
