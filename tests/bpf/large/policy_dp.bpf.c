/* A Cilium-style policy datapath (tc): an entry program classifies the packet and tail-calls
 * the IPv4 or IPv6 handler through a program array; the handlers walk IPv6 extension headers
 * (one loop unrolled, one not), look up the peer's security identity in an LPM ipcache,
 * track connections in a CT table, apply an L3/L4 policy keyed by identity, port and
 * protocol, rewrite for a service (DNAT with checksum updates through helpers) and count
 * everything per endpoint. bpf-to-bpf calls carry the shared logic. Large, realistic, safe. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define CALL_IPV4 1
#define CALL_IPV6 2
#define CALL_DROP_NOTIFY 3
#define MAX_EXT_HDRS 8
#define WORLD_ID 2
#define HOST_ID 1
#define DROP_POLICY -133
#define DROP_INVALID -134
#define DROP_CT_INVALID -135
#define DROP_FRAG -136
#define DROP_UNKNOWN_L3 -137
#define TC_ACT_OK_ 0
#define TC_ACT_SHOT_ 2
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_NONE 59
#define NEXTHDR_DEST 60
#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_DST_OFF (ETH_HLEN + offsetof(struct iphdr, daddr))
#define TCP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, check))
#define TCP_DPORT_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, dest))
#define UDP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, check))

struct ipcache_key {
    __u32 prefixlen;
    __u16 pad;
    __u8 family;
    __u8 pad2;
    __u32 ip6[4];
};

struct remote_endpoint_info {
    __u32 sec_identity;
    __u32 tunnel_endpoint;
    __u8 key;
};

struct ct_tuple {
    __u32 daddr[4];
    __u32 saddr[4];
    __u16 dport;
    __u16 sport;
    __u8 nexthdr;
    __u8 flags;
};

struct ct_entry {
    __u64 rx_packets;
    __u64 rx_bytes;
    __u64 tx_packets;
    __u64 tx_bytes;
    __u32 lifetime;
    __u16 rx_closing : 1, tx_closing : 1, seen_non_syn : 1, reserved : 13;
    __u16 rev_nat_index;
    __u32 src_sec_id;
};

struct policy_key {
    __u32 sec_label;
    __u16 dport;
    __u8 protocol;
    __u8 egress;
};

struct policy_entry {
    __u16 proxy_port;
    __u8 deny;
    __u8 pad;
    __u64 packets;
    __u64 bytes;
};

struct lb4_key {
    __u32 address;
    __u16 dport;
    __u16 backend_slot;
    __u8 proto;
    __u8 pad[3];
};

struct lb4_service {
    __u32 backend_id;
    __u16 count;
    __u16 rev_nat_index;
};

struct lb4_backend {
    __u32 address;
    __u16 port;
    __u8 proto;
    __u8 flags;
};

struct metrics_key {
    __u8 reason;
    __u8 dir;
    __u16 pad;
};

struct metrics_value {
    __u64 count;
    __u64 bytes;
};

struct endpoint_info {
    __u32 ifindex;
    __u16 lxc_id;
    __u16 flags;
    __u32 sec_id;
    __u8 mac[6];
    __u8 node_mac[6];
};

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 8);
} calls SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __type(key, struct ipcache_key);
    __type(value, struct remote_endpoint_info);
    __uint(max_entries, 16384);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} ipcache SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct ct_tuple);
    __type(value, struct ct_entry);
    __uint(max_entries, 65536);
} ct_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct policy_key);
    __type(value, struct policy_entry);
    __uint(max_entries, 16384);
} policy_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, struct lb4_key);
    __type(value, struct lb4_service);
    __uint(max_entries, 4096);
} lb4_services SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, struct lb4_backend);
    __uint(max_entries, 4096);
} lb4_backends SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __type(key, struct metrics_key);
    __type(value, struct metrics_value);
    __uint(max_entries, 1024);
} metrics SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, struct endpoint_info);
    __uint(max_entries, 1024);
} endpoints SEC(".maps");

static __noinline void update_metrics(__u32 bytes, __u8 dir, __u8 reason)
{
    struct metrics_key key = {.reason = reason, .dir = dir};
    struct metrics_value *entry = bpf_map_lookup_elem(&metrics, &key);
    if (entry) {
        entry->count += 1;
        entry->bytes += bytes;
    } else {
        struct metrics_value fresh = {.count = 1, .bytes = bytes};
        bpf_map_update_elem(&metrics, &key, &fresh, BPF_ANY);
    }
}

static __noinline int send_drop(struct __sk_buff *skb, int reason, __u8 dir)
{
    update_metrics(skb->len, dir, (__u8)(-reason));
    skb->cb[0] = -reason;
    skb->cb[1] = dir;
    bpf_tail_call(skb, &calls, CALL_DROP_NOTIFY);
    return TC_ACT_SHOT_;
}

static __noinline __u32 lookup_identity4(__u32 addr)
{
    struct ipcache_key key = {.prefixlen = 32 + 32, .family = 2};
    key.ip6[0] = addr;
    struct remote_endpoint_info *info = bpf_map_lookup_elem(&ipcache, &key);
    if (!info)
        return WORLD_ID;
    return info->sec_identity;
}

static __noinline __u32 lookup_identity6(__u32 a0, __u32 a1, __u32 a2, __u32 a3)
{
    struct ipcache_key key = {.prefixlen = 32 + 128, .family = 10};
    key.ip6[0] = a0;
    key.ip6[1] = a1;
    key.ip6[2] = a2;
    key.ip6[3] = a3;
    struct remote_endpoint_info *info = bpf_map_lookup_elem(&ipcache, &key);
    if (!info)
        return WORLD_ID;
    return info->sec_identity;
}

/* 0: allowed, >0: redirect to this proxy port, <0: drop reason. */
static __noinline int policy_can_access(__u32 identity, __u16 dport, __u8 proto, __u8 egress,
                                        __u32 bytes)
{
    struct policy_key key = {.sec_label = identity, .dport = dport, .protocol = proto,
                             .egress = egress};
    struct policy_entry *policy = bpf_map_lookup_elem(&policy_map, &key);
    if (!policy) {
        key.dport = 0; /* L3-only rule */
        policy = bpf_map_lookup_elem(&policy_map, &key);
    }
    if (!policy) {
        key.sec_label = 0; /* wildcard identity with this port */
        key.dport = dport;
        policy = bpf_map_lookup_elem(&policy_map, &key);
    }
    if (!policy)
        return DROP_POLICY;
    __sync_fetch_and_add(&policy->packets, 1);
    __sync_fetch_and_add(&policy->bytes, bytes);
    if (policy->deny)
        return DROP_POLICY;
    return policy->proxy_port;
}

enum ct_status { CT_NEW, CT_ESTABLISHED, CT_REPLY, CT_RELATED };

static __noinline int ct_lookup(struct ct_tuple *tuple, __u32 bytes, __u8 tcp_flags,
                                __u32 *src_id)
{
    struct ct_entry *entry = bpf_map_lookup_elem(&ct_map, tuple);
    if (entry) {
        entry->tx_packets += 1;
        entry->tx_bytes += bytes;
        if (tcp_flags & 0x01)
            entry->tx_closing = 1;
        if (!(tcp_flags & 0x02))
            entry->seen_non_syn = 1;
        *src_id = entry->src_sec_id;
        return CT_ESTABLISHED;
    }
    /* The reverse direction: swap addresses and ports. */
    struct ct_tuple rev = *tuple;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        rev.daddr[i] = tuple->saddr[i];
        rev.saddr[i] = tuple->daddr[i];
    }
    rev.dport = tuple->sport;
    rev.sport = tuple->dport;
    entry = bpf_map_lookup_elem(&ct_map, &rev);
    if (entry) {
        entry->rx_packets += 1;
        entry->rx_bytes += bytes;
        if (tcp_flags & 0x01)
            entry->rx_closing = 1;
        *src_id = entry->src_sec_id;
        return CT_REPLY;
    }
    return CT_NEW;
}

static __noinline int ct_create(struct ct_tuple *tuple, __u32 src_id, __u16 rev_nat)
{
    struct ct_entry entry;
    __builtin_memset(&entry, 0, sizeof(entry)); /* the padding too: it goes into the map */
    entry.lifetime = 60;
    entry.src_sec_id = src_id;
    entry.rev_nat_index = rev_nat;
    entry.tx_packets = 1;
    return bpf_map_update_elem(&ct_map, tuple, &entry, BPF_NOEXIST);
}

/* Service translation for IPv4: pick a backend by hashing the flow, rewrite the destination
 * address and port, fix the IP and L4 checksums with the helpers. */
static __noinline int lb4_xlate(struct __sk_buff *skb, const struct ct_tuple *tuple, __u32 hash,
                                __u16 *rev_nat)
{
    __u32 daddr = tuple->daddr[0];
    __u16 dport = tuple->dport;
    __u8 proto = tuple->nexthdr;
    struct lb4_key key = {.address = daddr, .dport = dport, .proto = proto};
    struct lb4_service *svc = bpf_map_lookup_elem(&lb4_services, &key);
    if (!svc || svc->count == 0)
        return 0;
    key.backend_slot = (hash % svc->count) + 1;
    struct lb4_service *slot = bpf_map_lookup_elem(&lb4_services, &key);
    if (!slot)
        return DROP_INVALID;
    __u32 backend_id = slot->backend_id;
    struct lb4_backend *backend = bpf_map_lookup_elem(&lb4_backends, &backend_id);
    if (!backend)
        return DROP_INVALID;
    *rev_nat = svc->rev_nat_index;
    __u32 new_addr = backend->address;
    __u16 new_port = backend->port;
    if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, daddr, new_addr, 4) < 0)
        return DROP_INVALID;
    if (bpf_skb_store_bytes(skb, IP_DST_OFF, &new_addr, 4, 0) < 0)
        return DROP_INVALID;
    if (proto == IPPROTO_TCP) {
        if (bpf_l4_csum_replace(skb, TCP_CSUM_OFF, daddr, new_addr, BPF_F_PSEUDO_HDR | 4) < 0)
            return DROP_INVALID;
        if (new_port != dport) {
            if (bpf_l4_csum_replace(skb, TCP_CSUM_OFF, dport, new_port, 2) < 0)
                return DROP_INVALID;
            if (bpf_skb_store_bytes(skb, TCP_DPORT_OFF, &new_port, 2, 0) < 0)
                return DROP_INVALID;
        }
    } else if (proto == IPPROTO_UDP) {
        if (bpf_l4_csum_replace(skb, UDP_CSUM_OFF, daddr, new_addr,
                                BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | 4) < 0)
            return DROP_INVALID;
    }
    return 1;
}

SEC("tc")
int cil_from_container(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return send_drop(skb, DROP_INVALID, 1);
    __u32 ifindex = skb->ifindex;
    struct endpoint_info *ep = bpf_map_lookup_elem(&endpoints, &ifindex);
    if (ep) {
        /* Source MAC spoofing check: the endpoint may only send from its own address. */
        if (__builtin_memcmp(eth->h_source, ep->mac, 4) != 0)
            return send_drop(skb, DROP_INVALID, 1);
        skb->cb[2] = ep->sec_id;
        skb->cb[3] = ep->lxc_id;
    } else {
        skb->cb[2] = HOST_ID;
        skb->cb[3] = 0;
    }
    switch (eth->h_proto) {
    case bpf_htons(ETH_P_IP):
        bpf_tail_call(skb, &calls, CALL_IPV4);
        break;
    case bpf_htons(ETH_P_IPV6):
        bpf_tail_call(skb, &calls, CALL_IPV6);
        break;
    case bpf_htons(ETH_P_ARP):
        return TC_ACT_OK_;
    default:
        return send_drop(skb, DROP_UNKNOWN_L3, 1);
    }
    return send_drop(skb, DROP_INVALID, 1); /* the tail call failed */
}

SEC("tc")
int tail_handle_ipv4(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip4 = (void *)(eth + 1);
    if ((void *)(ip4 + 1) > data_end)
        return send_drop(skb, DROP_INVALID, 1);
    if (ip4->ihl < 5)
        return send_drop(skb, DROP_INVALID, 1);
    if (ip4->frag_off & bpf_htons(0x1fff))
        return send_drop(skb, DROP_FRAG, 1);
    __u32 l4_off = ETH_HLEN + ip4->ihl * 4;
    struct ct_tuple tuple = {};
    tuple.nexthdr = ip4->protocol;
    tuple.daddr[0] = ip4->daddr;
    tuple.saddr[0] = ip4->saddr;
    __u8 tcp_flags = 0;
    __u32 len = skb->len;
    switch (tuple.nexthdr) {
    case IPPROTO_TCP: {
        struct tcphdr tcp;
        if (bpf_skb_load_bytes(skb, l4_off, &tcp, sizeof(tcp)) < 0)
            return send_drop(skb, DROP_INVALID, 1);
        tuple.sport = tcp.source;
        tuple.dport = tcp.dest;
        tcp_flags = ((__u8 *)&tcp)[13];
        break;
    }
    case IPPROTO_UDP: {
        struct udphdr udp;
        if (bpf_skb_load_bytes(skb, l4_off, &udp, sizeof(udp)) < 0)
            return send_drop(skb, DROP_INVALID, 1);
        tuple.sport = udp.source;
        tuple.dport = udp.dest;
        break;
    }
    case IPPROTO_ICMP: {
        __u8 type;
        if (bpf_skb_load_bytes(skb, l4_off, &type, 1) < 0)
            return send_drop(skb, DROP_INVALID, 1);
        tuple.sport = type;
        break;
    }
    default:
        break;
    }
    __u32 hash = bpf_get_hash_recalc(skb);
    __u16 rev_nat = 0;
    int xlated = 0;
    if (tuple.nexthdr == IPPROTO_TCP || tuple.nexthdr == IPPROTO_UDP) {
        if (l4_off == ETH_HLEN + sizeof(struct iphdr)) {
            xlated = lb4_xlate(skb, &tuple, hash, &rev_nat);
            if (xlated < 0)
                return send_drop(skb, xlated, 1);
        }
    }
    __u32 src_id = skb->cb[2];
    __u32 peer_id = 0;
    int status = ct_lookup(&tuple, len, tcp_flags, &peer_id);
    __u32 dst_id = lookup_identity4(tuple.daddr[0]);
    if (status == CT_NEW) {
        int verdict = policy_can_access(dst_id, tuple.dport, tuple.nexthdr, 1, len);
        if (verdict < 0)
            return send_drop(skb, verdict, 1);
        if (ct_create(&tuple, src_id, rev_nat) < 0)
            return send_drop(skb, DROP_CT_INVALID, 1);
        if (verdict > 0) {
            skb->mark = 0x0200 | ((__u32)verdict << 16);
            update_metrics(len, 1, 0);
            return TC_ACT_OK_;
        }
    } else if (status == CT_REPLY && peer_id != dst_id && dst_id != WORLD_ID) {
        return send_drop(skb, DROP_CT_INVALID, 1);
    }
    update_metrics(len, 1, xlated ? 1 : 0);
    return TC_ACT_OK_;
}

/* Skips IPv6 extension headers with a loop clang unrolls: the common, short case. */
static __always_inline int skip_exthdrs_unrolled(struct __sk_buff *skb, __u32 *off, __u8 *nexthdr)
{
#pragma unroll
    for (int i = 0; i < 4; i++) {
        __u8 nh = *nexthdr;
        if (nh != NEXTHDR_HOP && nh != NEXTHDR_ROUTING && nh != NEXTHDR_DEST &&
            nh != NEXTHDR_AUTH && nh != NEXTHDR_FRAGMENT)
            return 0;
        if (nh == NEXTHDR_FRAGMENT)
            return DROP_FRAG;
        __u8 hdr[2];
        if (bpf_skb_load_bytes(skb, *off, hdr, 2) < 0)
            return DROP_INVALID;
        *nexthdr = hdr[0];
        *off += nh == NEXTHDR_AUTH ? (hdr[1] + 2) * 4 : (hdr[1] + 1) * 8;
    }
    return 1; /* more headers: the slow path below continues */
}

/* The same walk as a real loop (Linux >= 5.3 verifies bounded loops): up to MAX_EXT_HDRS. */
static __noinline int skip_exthdrs_loop(struct __sk_buff *skb, __u32 off, __u8 nexthdr,
                                        __u32 *l4_off)
{
#pragma nounroll
    for (int i = 0; i < MAX_EXT_HDRS; i++) {
        if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING && nexthdr != NEXTHDR_DEST &&
            nexthdr != NEXTHDR_AUTH) {
            *l4_off = off;
            return nexthdr;
        }
        __u8 hdr[2];
        if (off > 1024 || bpf_skb_load_bytes(skb, off, hdr, 2) < 0)
            return DROP_INVALID;
        off += nexthdr == NEXTHDR_AUTH ? (hdr[1] + 2) * 4 : (hdr[1] + 1) * 8;
        nexthdr = hdr[0];
    }
    return DROP_INVALID;
}

SEC("tc")
int tail_handle_ipv6(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct ipv6hdr *ip6 = (void *)(eth + 1);
    if ((void *)(ip6 + 1) > data_end)
        return send_drop(skb, DROP_INVALID, 1);
    struct ct_tuple tuple = {};
    __builtin_memcpy(tuple.daddr, ip6->daddr.in6_u.u6_addr32, 16);
    __builtin_memcpy(tuple.saddr, ip6->saddr.in6_u.u6_addr32, 16);
    __u8 nexthdr = ip6->nexthdr;
    __u32 off = ETH_HLEN + sizeof(struct ipv6hdr);
    __u32 len = skb->len;
    int more = skip_exthdrs_unrolled(skb, &off, &nexthdr);
    if (more < 0)
        return send_drop(skb, more, 1);
    __u32 l4_off = off;
    if (more > 0) {
        int nh = skip_exthdrs_loop(skb, off, nexthdr, &l4_off);
        if (nh < 0)
            return send_drop(skb, nh, 1);
        nexthdr = nh;
    }
    tuple.nexthdr = nexthdr;
    __u8 tcp_flags = 0;
    if (nexthdr == IPPROTO_TCP) {
        struct tcphdr tcp;
        if (bpf_skb_load_bytes(skb, l4_off, &tcp, sizeof(tcp)) < 0)
            return send_drop(skb, DROP_INVALID, 1);
        tuple.sport = tcp.source;
        tuple.dport = tcp.dest;
        tcp_flags = ((__u8 *)&tcp)[13];
    } else if (nexthdr == IPPROTO_UDP) {
        struct udphdr udp;
        if (bpf_skb_load_bytes(skb, l4_off, &udp, sizeof(udp)) < 0)
            return send_drop(skb, DROP_INVALID, 1);
        tuple.sport = udp.source;
        tuple.dport = udp.dest;
    } else if (nexthdr == IPPROTO_ICMPV6) {
        __u8 icmp[2];
        if (bpf_skb_load_bytes(skb, l4_off, icmp, 2) < 0)
            return send_drop(skb, DROP_INVALID, 1);
        if (icmp[0] == 135 || icmp[0] == 136) /* neighbour discovery is always allowed */
            return TC_ACT_OK_;
        tuple.sport = icmp[0];
    }
    __u32 src_id = skb->cb[2];
    __u32 peer_id = 0;
    int status = ct_lookup(&tuple, len, tcp_flags, &peer_id);
    __u32 dst_id = lookup_identity6(tuple.daddr[0], tuple.daddr[1], tuple.daddr[2],
                                    tuple.daddr[3]);
    if (status == CT_NEW) {
        int verdict = policy_can_access(dst_id, tuple.dport, nexthdr, 1, len);
        if (verdict < 0)
            return send_drop(skb, verdict, 1);
        if (ct_create(&tuple, src_id, 0) < 0)
            return send_drop(skb, DROP_CT_INVALID, 1);
        if (verdict > 0) {
            skb->mark = 0x0200 | ((__u32)verdict << 16);
            return TC_ACT_OK_;
        }
    } else if (status == CT_REPLY && peer_id != dst_id && dst_id != WORLD_ID) {
        return send_drop(skb, DROP_CT_INVALID, 1);
    }
    update_metrics(len, 1, 2);
    return TC_ACT_OK_;
}

/* The drop notification target: counts the reason carried in cb[]. */
SEC("tc")
int tail_drop_notify(struct __sk_buff *skb)
{
    __u32 reason = skb->cb[0];
    __u32 dir = skb->cb[1];
    update_metrics(skb->len, dir & 0xff, (reason & 0xff) | 0x80);
    return TC_ACT_SHOT_;
}

char LICENSE[] SEC("license") = "GPL";
