/* Programs for the kernel oracle (tests/suites/kernel_oracle.sh, docs/oracle.md): packet
 * arithmetic and rewriting whose every answer is a function of the input, so that Linux
 * and bpfhost must agree byte for byte. The frame's length picks what each one does. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} results SEC(".maps");

static void record(__u32 slot, __u64 value)
{
    __u64 *v = bpf_map_lookup_elem(&results, &slot);
    if (v)
        *v = value;
}

/* 64- and 32-bit arithmetic on packet words: division and modulo by values that may be 0,
 * shifts by packet-derived amounts, wrap-around, byte swaps; the results go to a map and
 * over the first 8 bytes of the frame. */
SEC("xdp")
int oracle_arith(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 24 > end)
        return XDP_ABORTED;
    __u64 a = *(__u64 *)data, b = *(__u64 *)(data + 8);
    __u32 c = *(__u32 *)(data + 16), d = *(__u32 *)(data + 20) & 0xff;
    __s64 sa = (__s64)a;
    __u64 r0 = a / (b & 0xffff), r1 = a % (b >> 60), r2 = (__u64)(sa >> (d & 63));
    __u32 r3 = c / (d ? d : 1) + c % (d | 1) + (c << (d & 31)) + (__u32)(c * 0x9e3779b9u);
    __u64 r4 = bpf_ntohl(c) + bpf_be64_to_cpu(b) - (a ^ (b << (c & 63)));
    __u32 r5 = (__u32)a / (__u32)(b >> 32 | 1) - ((__u32)b >> (d & 31));
    record(0, r0);
    record(1, r1);
    record(2, r2);
    record(3, r3);
    record(4, r4);
    record(5, r5);
    *(__u64 *)data = r0 + r1 + r2 + r3 + r4 + r5;
    return (int)((r0 ^ r3 ^ r5) & 3);
}

/* Head, tail and metadata moves by amounts the frame decides; the new bytes are written so
 * that the output shows where they went. */
SEC("xdp")
int oracle_adjust(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    int delta;
    switch (len % 6) {
    case 0: delta = -16; break;     /* push an encapsulation header */
    case 1: delta = 14; break;      /* pop the Ethernet header */
    case 2: delta = -(int)(192 + (len & 0x3c)); break; /* around the end of the headroom */
    default: delta = 0;
    }
    long head = bpf_xdp_adjust_head(ctx, delta);
    record(6, (__u64)head);
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 16 <= end && delta < 0)
        __builtin_memset(data, 0xee, 16);
    /* Grown tails: by a little, past the page, and to around where the tailroom begins. */
    int tail = (len % 5) == 0 ? -(int)(len / 3) : (len % 5) == 1 ? 37 : (len % 5) == 2 ? 4096 : -1;
    if ((len % 5) == 3)
        tail = 3520 - ((int)len - (head ? 0 : delta)) + (int)(len & 7) * 16 - 64;
    long t = bpf_xdp_adjust_tail(ctx, tail);
    long m = bpf_xdp_adjust_meta(ctx, (len % 4) == 0 ? -8 : (len % 4) == 1 ? -28 : (len % 4) == 2 ? -300 : 0);
    data = (void *)(long)ctx->data;
    end = (void *)(long)ctx->data_end;
    unsigned char *meta = (void *)(long)ctx->data_meta;
    if (meta + 8 <= data)
        *(__u64 *)meta = (__u64)(data - meta) << 32 | (end - data);
    record(7, (__u64)t << 32 | (__u32)m);
    if (data + 1 <= end)
        data[0] ^= 0x55;
    return XDP_PASS;
}

/* Metadata beyond 32 bytes and of a length not a multiple of 4: Linux 6.18 takes up to 252
 * bytes (skb_shared_info.meta_len is a u8) and says -EACCES for a bad length; bpfhost takes
 * 32 and says -EINVAL. The suite skips its runs, naming this difference. */
SEC("xdp")
int oracle_meta_large(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    long m = bpf_xdp_adjust_meta(ctx, (len % 3) == 0 ? -36 : (len % 3) == 1 ? -6 : -128);
    return (int)m;
}

/* bpf_csum_diff: recomputes the IPv4 header checksum (options included) and folds a diff of
 * packet words of a length the frame decides. */
SEC("xdp")
int oracle_csum(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct iphdr *ip = (void *)(data + ETH_HLEN);
    if ((void *)(ip + 1) > end)
        return XDP_DROP;
    __u32 ihl = ip->ihl * 4;
    if (ihl < 20 || ihl > 60 || (void *)ip + ihl > end)
        return XDP_DROP;
    __u32 words[15] = {};
    for (__u32 i = 0; i < 15; i++) {
        if (i * 4 >= ihl || (void *)ip + i * 4 + 4 > end)
            break;
        words[i] = *(__u32 *)((void *)ip + i * 4);
    }
    ((__u16 *)words)[5] = 0;
    __s64 sum = bpf_csum_diff(0, 0, words, ihl & 0x3c, 0);
    __u32 s = (__u32)sum;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    __u16 fresh = (__u16)~s;
    __u16 old = ip->check;
    ip->check = fresh;
    __s64 diff = bpf_csum_diff(words, 8, words + 1, 8, 0x1234);
    record(0, (__u64)sum);
    record(1, (__u64)diff);
    return old == fresh ? XDP_PASS : XDP_TX;
}

/* tc: rewrites addresses and ports with skb_store_bytes and fixes the IPv4 and L4 checksums
 * with l3/l4_csum_replace (pseudo-header flag, zero-mangling for UDP), reads bytes back
 * with skb_load_bytes(_relative), and sets the fields tc may write. */
SEC("tc")
int oracle_tc_rewrite(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    skb->cb[0] = skb->len;
    skb->tc_index = (__u16)skb->len;
    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_UNSPEC;
    __u32 ihl = ip->ihl * 4;
    if (ihl < 20)
        return TC_ACT_SHOT;
    __u8 proto = ip->protocol;
    __be32 old_src = ip->saddr, new_src = old_src ^ bpf_htonl(skb->len);
    long r1 = bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_src, new_src, 4);
    long r2 = bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, saddr), &new_src, 4, 0);
    __u32 l4 = ETH_HLEN + ihl, csum_off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 0;
    long r3 = -1, r4 = -1, r5 = -1;
    if (csum_off && l4 < 200) {
        __u64 flags = BPF_F_PSEUDO_HDR | (proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);
        r3 = bpf_l4_csum_replace(skb, l4 + csum_off, old_src, new_src, flags | 4);
        __be16 old_port, new_port = bpf_htons(4242);
        r4 = bpf_skb_load_bytes(skb, l4 + 2, &old_port, 2);
        if (r4 == 0) {
            r5 = bpf_l4_csum_replace(skb, l4 + csum_off, old_port, new_port, 2);
            bpf_skb_store_bytes(skb, l4 + 2, &new_port, 2, 0);
        }
    }
    __u32 net[2] = {};
    long r6 = bpf_skb_load_bytes_relative(skb, 4, net, sizeof net, BPF_HDR_START_NET);
    __u32 mac[2] = {};
    long r7 = bpf_skb_load_bytes_relative(skb, 0, mac, sizeof mac, BPF_HDR_START_MAC);
    skb->mark = (__u32)(r1 + 2 * r2 + 4 * r3 + 8 * r4 + 16 * r5) ^ net[1];
    skb->priority = mac[0] ^ (__u32)(r6 + r7);
    skb->cb[1] = net[0];
    skb->cb[2] = proto;
    return (int)(proto & 7);
}

/* A socket filter: LD_ABS/LD_IND and skb_load_bytes see the packet from the network header;
 * returns how much of it to keep. */
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int oracle_socket(struct __sk_buff *skb)
{
    skb->cb[3] = skb->len ^ skb->protocol;
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return skb->len > 40 ? 40 : 0;
    __u32 ihl = (load_byte(skb, 0) & 0xf) * 4;
    __u32 word = load_word(skb, 12);
    __u16 port = load_half(skb, ihl + 2);
    __u8 bytes[4];
    if (bpf_skb_load_bytes(skb, 16, bytes, 4))
        return 1;
    skb->cb[4] = word ^ port ^ bytes[3];
    return (port & 1) ? (int)skb->len : (int)ihl;
}

/* Excluded from byte comparison (the suite says why): its answer is the time. */
SEC("xdp")
int oracle_clock(struct xdp_md *ctx)
{
    return (int)(bpf_ktime_get_ns() & 1);
}
