/* Flow statistics (tc, ingress or egress): a per-CPU hash of flows (5-tuple, IPv4 and IPv6)
 * with packet and byte counters, TCP flag counts and a log2 packet-size histogram; a per-CPU
 * array of global counters; a ring buffer event for every new flow and every closed TCP
 * connection, reserved and then submitted or discarded on every path. Large, realistic, safe. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define HIST_BUCKETS 16
#define EVENT_NEW 1
#define EVENT_CLOSED 2
#define TC_ACT_OK_ 0

struct flow_key {
    __u32 saddr[4];
    __u32 daddr[4];
    __u16 sport;
    __u16 dport;
    __u8 proto;
    __u8 family;
    __u16 pad;
};

struct flow_value {
    __u64 packets;
    __u64 bytes;
    __u64 first_ns;
    __u64 last_ns;
    __u32 syn, fin, rst, ack;
    __u32 size_hist[HIST_BUCKETS];
};

struct flow_event {
    struct flow_key key;
    __u64 ts;
    __u64 packets;
    __u64 bytes;
    __u32 kind;
    __u32 ifindex;
};

enum counter { C_PACKETS, C_BYTES, C_IPV4, C_IPV6, C_OTHER, C_TRUNCATED, C_NEW_FLOWS,
               C_EVENTS_LOST, C_FRAGMENTS, C_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __type(key, struct flow_key);
    __type(value, struct flow_value);
    __uint(max_entries, 65536);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, C_MAX);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4); /* [0]: sampling period, [1]: ports of interest mask */
} config SEC(".maps");

static __always_inline void bump(__u32 which, __u64 by)
{
    __u64 *c = bpf_map_lookup_elem(&counters, &which);
    if (c)
        *c += by;
}

static __always_inline __u32 log2_bucket(__u32 v)
{
    __u32 r = 0;
#pragma unroll
    for (int shift = 16; shift > 0; shift >>= 1) {
        if (v >= (1u << shift)) {
            v >>= shift;
            r += shift;
        }
    }
    return r < HIST_BUCKETS ? r : HIST_BUCKETS - 1;
}

static __noinline int emit_event(struct flow_key *key, struct flow_value *val, __u32 kind,
                                 __u32 ifindex)
{
    struct flow_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        bump(C_EVENTS_LOST, 1);
        return -1;
    }
    __u32 zero = 0;
    __u32 *period = bpf_map_lookup_elem(&config, &zero);
    if (period && *period > 1 && kind == EVENT_NEW && (bpf_get_prandom_u32() % *period) != 0) {
        bpf_ringbuf_discard(e, 0);
        return 0;
    }
    __builtin_memcpy(&e->key, key, sizeof(*key));
    e->ts = bpf_ktime_get_ns();
    e->packets = val ? val->packets : 1;
    e->bytes = val ? val->bytes : 0;
    e->kind = kind;
    e->ifindex = ifindex;
    bpf_ringbuf_submit(e, 0);
    return 0;
}

static __always_inline int parse_l4(void *data, void *data_end, void *l4, __u8 proto,
                                    struct flow_key *key, __u8 *tcp_flags)
{
    if (proto == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > data_end)
            return -1;
        key->sport = bpf_ntohs(tcp->source);
        key->dport = bpf_ntohs(tcp->dest);
        *tcp_flags = ((__u8 *)tcp)[13];
    } else if (proto == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > data_end)
            return -1;
        key->sport = bpf_ntohs(udp->source);
        key->dport = bpf_ntohs(udp->dest);
    }
    return 0;
}

static __always_inline void account(struct flow_value *v, __u32 len, __u8 flags, __u64 now)
{
    v->packets += 1;
    v->bytes += len;
    v->last_ns = now;
    if (flags & 0x02)
        v->syn += 1;
    if (flags & 0x01)
        v->fin += 1;
    if (flags & 0x04)
        v->rst += 1;
    if (flags & 0x10)
        v->ack += 1;
    v->size_hist[log2_bucket(len)] += 1;
}

static __always_inline int flow_stats(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data;
    void *data_end = (void *)(long)skb->data_end;
    __u32 len = skb->len;
    bump(C_PACKETS, 1);
    bump(C_BYTES, len);
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end) {
        bump(C_TRUNCATED, 1);
        return TC_ACT_OK_;
    }
    struct flow_key key = {};
    __u8 tcp_flags = 0;
    void *l4;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > data_end) {
            bump(C_TRUNCATED, 1);
            return TC_ACT_OK_;
        }
        bump(C_IPV4, 1);
        if (ip->frag_off & bpf_htons(0x1fff)) {
            bump(C_FRAGMENTS, 1);
            return TC_ACT_OK_;
        }
        key.family = 4;
        key.proto = ip->protocol;
        key.saddr[0] = ip->saddr;
        key.daddr[0] = ip->daddr;
        l4 = (void *)ip + (ip->ihl & 0xf) * 4;
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > data_end) {
            bump(C_TRUNCATED, 1);
            return TC_ACT_OK_;
        }
        bump(C_IPV6, 1);
        key.family = 6;
        key.proto = ip6->nexthdr;
        __builtin_memcpy(key.saddr, &ip6->saddr, 16);
        __builtin_memcpy(key.daddr, &ip6->daddr, 16);
        l4 = ip6 + 1;
    } else {
        bump(C_OTHER, 1);
        return TC_ACT_OK_;
    }
    if (parse_l4(data, data_end, l4, key.proto, &key, &tcp_flags) < 0) {
        bump(C_TRUNCATED, 1);
        return TC_ACT_OK_;
    }
    __u64 now = bpf_ktime_get_ns();
    struct flow_value *v = bpf_map_lookup_elem(&flows, &key);
    if (!v) {
        struct flow_value fresh = {.first_ns = now};
        account(&fresh, len, tcp_flags, now);
        if (bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST) == 0) {
            bump(C_NEW_FLOWS, 1);
            emit_event(&key, &fresh, EVENT_NEW, skb->ifindex);
        }
        return TC_ACT_OK_;
    }
    account(v, len, tcp_flags, now);
    if (key.proto == IPPROTO_TCP && (tcp_flags & 0x05)) {
        emit_event(&key, v, EVENT_CLOSED, skb->ifindex);
        bpf_map_delete_elem(&flows, &key);
    }
    return TC_ACT_OK_;
}

SEC("tc")
int flow_stats_ingress(struct __sk_buff *skb)
{
    return flow_stats(skb);
}

SEC("tc")
int flow_stats_egress(struct __sk_buff *skb)
{
    return flow_stats(skb);
}

char LICENSE[] SEC("license") = "GPL";
