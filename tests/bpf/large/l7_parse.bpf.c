/* DNS and HTTP header parsing in XDP: loops over payload bytes, bounded by constants and
 * checked against data_end on every step. DNS queries have their name walked label by label
 * with a plain loop (clang keeps it a loop) and their type counted; HTTP requests have their
 * method matched and their request line scanned for the path and "\r\n" with bpf_loop over a
 * copy of the first bytes in a per-CPU scratch buffer. Large, realistic, safe. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_NAME 128
#define MAX_LABELS 16
#define SCRATCH 256
#define HTTP_LINE 128

struct dnshdr {
    __be16 id;
    __be16 flags;
    __be16 qdcount;
    __be16 ancount;
    __be16 nscount;
    __be16 arcount;
};

struct dns_key {
    __u32 name_hash;
    __u16 qtype;
    __u16 labels;
};

struct http_stats {
    __u64 requests[8]; /* by method */
    __u64 path_bytes;
    __u64 bad_lines;
};

struct scratch {
    __u8 buf[SCRATCH];
    __u32 len;
};

struct line_scan {
    __u32 len;
    __u32 path_start;
    __u32 path_end;
    __u32 crlf;
    __u32 hash;
};

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __type(key, struct dns_key);
    __type(value, __u64);
    __uint(max_entries, 8192);
} dns_names SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u8);
    __uint(max_entries, 1024);
} dns_blocklist SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, struct http_stats);
    __uint(max_entries, 1);
} http_counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, struct scratch);
    __uint(max_entries, 1);
} scratch_buf SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4096);
} http_paths SEC(".maps");

/* Walks the query name: labels of at most 63 bytes, the name at most MAX_NAME bytes, every
 * byte checked against data_end. Returns the name's length or -1. */
static __always_inline int dns_walk_name(__u8 *name, void *data_end, struct dns_key *key)
{
    __u32 hash = 2166136261u;
    __u32 pos = 0;
    __u16 labels = 0;
    __u32 label_left = 0;
    for (int i = 0; i < MAX_NAME; i++) {
        __u8 *c = name + i;
        if ((void *)(c + 1) > data_end)
            return -1;
        __u8 byte = *c;
        if (label_left == 0) {
            if (byte == 0) {
                pos = i + 1;
                key->name_hash = hash;
                key->labels = labels;
                return pos;
            }
            if (byte > 63)
                return -1; /* compression pointers do not occur in queries */
            label_left = byte;
            labels++;
            hash = (hash ^ '.') * 16777619u;
        } else {
            label_left--;
            if (byte >= 'A' && byte <= 'Z')
                byte += 'a' - 'A';
            hash = (hash ^ byte) * 16777619u;
        }
    }
    return -1;
}

static __always_inline int handle_dns(void *payload, void *data_end)
{
    struct dnshdr *dns = payload;
    if ((void *)(dns + 1) > data_end)
        return XDP_PASS;
    if (dns->flags & bpf_htons(0x8000))
        return XDP_PASS; /* a response */
    if (dns->qdcount != bpf_htons(1))
        return XDP_PASS;
    struct dns_key key = {};
    __u8 *name = (void *)(dns + 1);
    int len = dns_walk_name(name, data_end, &key);
    if (len < 0)
        return XDP_DROP;
    __u8 *qtype = name + len;
    if ((void *)(qtype + 4) > data_end)
        return XDP_DROP;
    key.qtype = (qtype[0] << 8) | qtype[1];
    if (bpf_map_lookup_elem(&dns_blocklist, &key.name_hash))
        return XDP_DROP;
    __u64 *seen = bpf_map_lookup_elem(&dns_names, &key);
    if (seen) {
        __sync_fetch_and_add(seen, 1);
    } else {
        __u64 one = 1;
        bpf_map_update_elem(&dns_names, &key, &one, BPF_ANY);
    }
    return XDP_PASS;
}

static int scan_line(__u32 index, void *ctx)
{
    struct line_scan *scan = ctx;
    __u32 zero = 0;
    struct scratch *s = bpf_map_lookup_elem(&scratch_buf, &zero);
    if (!s || index >= scan->len)
        return 1;
    /* The mask bounds the index where the verifier sees it; the empty asm keeps clang from
     * proving it redundant and dropping it. */
    asm volatile("" : "+r"(index));
    __u8 c = s->buf[index & (SCRATCH - 1)];
    if (c == '\r' && s->buf[(index + 1) & (SCRATCH - 1)] == '\n') {
        scan->crlf = index;
        return 1;
    }
    if (c == ' ') {
        if (!scan->path_start)
            scan->path_start = index + 1;
        else if (!scan->path_end)
            scan->path_end = index;
    } else if (scan->path_start && !scan->path_end) {
        scan->hash = (scan->hash ^ c) * 16777619u;
    }
    return 0;
}

static __always_inline int http_method(const __u8 *p)
{
    switch (p[0]) {
    case 'G':
        return p[1] == 'E' && p[2] == 'T' && p[3] == ' ' ? 1 : 0;
    case 'P':
        if (p[1] == 'O' && p[2] == 'S' && p[3] == 'T')
            return 2;
        if (p[1] == 'U' && p[2] == 'T' && p[3] == ' ')
            return 3;
        if (p[1] == 'A' && p[2] == 'T' && p[3] == 'C')
            return 4;
        return 0;
    case 'H':
        return p[1] == 'E' && p[2] == 'A' && p[3] == 'D' ? 5 : 0;
    case 'D':
        return p[1] == 'E' && p[2] == 'L' && p[3] == 'E' ? 6 : 0;
    case 'O':
        return p[1] == 'P' && p[2] == 'T' && p[3] == 'I' ? 7 : 0;
    default:
        return 0;
    }
}

static __always_inline int handle_http(__u8 *payload, void *data_end)
{
    if ((void *)(payload + 4) > data_end)
        return XDP_PASS;
    int method = http_method(payload);
    if (!method)
        return XDP_PASS;
    __u32 zero = 0;
    struct http_stats *stats = bpf_map_lookup_elem(&http_counters, &zero);
    struct scratch *s = bpf_map_lookup_elem(&scratch_buf, &zero);
    if (!stats || !s)
        return XDP_PASS;
    stats->requests[method & 7] += 1;
    /* Copy the request line's first bytes: a plain loop, one bounds check per byte. */
    __u32 n = 0;
    for (int i = 0; i < HTTP_LINE; i++) {
        __u8 *c = payload + i;
        if ((void *)(c + 1) > data_end)
            break;
        s->buf[i] = *c;
        n = i + 1;
    }
    struct line_scan scan = {.len = n, .hash = 2166136261u};
    bpf_loop(HTTP_LINE, scan_line, &scan, 0);
    if (!scan.crlf || !scan.path_end) {
        stats->bad_lines += 1;
        return XDP_PASS;
    }
    stats->path_bytes += scan.path_end - scan.path_start;
    __u64 *hits = bpf_map_lookup_elem(&http_paths, &scan.hash);
    if (hits)
        __sync_fetch_and_add(hits, 1);
    return XDP_PASS;
}

SEC("xdp")
int l7_parse(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    if (ip->ihl < 5 || ip->ihl > 15)
        return XDP_PASS;
    void *l4 = (void *)ip + ip->ihl * 4;
    if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > data_end)
            return XDP_PASS;
        if (udp->dest == bpf_htons(53))
            return handle_dns(udp + 1, data_end);
        return XDP_PASS;
    }
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > data_end)
            return XDP_PASS;
        if (tcp->dest != bpf_htons(80) && tcp->dest != bpf_htons(8080))
            return XDP_PASS;
        if (tcp->doff < 5)
            return XDP_PASS;
        return handle_http((__u8 *)tcp + tcp->doff * 4, data_end);
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
