/* Programs of every type that test-run supports, compiled by the Makefile with clang and
 * run by tests/unit/test_test_run.c and tests/suites/prog_run.sh. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

/* Swaps the Ethernet addresses and sends the frame back (XDP_TX). Metadata, when there
 * is some, names the action instead; a frame without an IPv4 header is dropped. */
SEC("xdp")
int xdp_reflect(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    void *meta = (void *)(long)ctx->data_meta;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return XDP_ABORTED;
    if (eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_DROP;
    unsigned char tmp[ETH_ALEN];
    __builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
    if (meta + 4 <= data)
        return *(__u32 *)meta;
    return ctx->ingress_ifindex == 7 ? XDP_PASS : XDP_TX;
}

/* Puts 4 bytes of metadata in front of the frame (its length) and passes it. */
SEC("xdp")
int xdp_add_meta(struct xdp_md *ctx)
{
    if (bpf_xdp_adjust_meta(ctx, -4))
        return XDP_ABORTED;
    void *data = (void *)(long)ctx->data, *meta = (void *)(long)ctx->data_meta;
    if (meta + 4 > data)
        return XDP_ABORTED;
    *(__u32 *)meta = ctx->data_end - ctx->data;
    return XDP_PASS;
}

/* Classic socket filter: accepts TCP packets whole (returns their length, seen from the
 * network header) when the IP header's total length fits in the packet, drops everything
 * else; counts in cb[0] and copies the mark to cb[1]. It reads only fields Linux lets a
 * socket filter read (not the socket's addresses: sk_filter_is_valid_access). */
SEC("socket")
int socket_tcp_only(struct __sk_buff *skb)
{
    skb->cb[0] += 1;
    skb->cb[1] = skb->mark;
    if (skb->protocol != bpf_htons(ETH_P_IP))
        return 0;
    if (load_byte(skb, offsetof(struct iphdr, protocol)) != IPPROTO_TCP)
        return 0;
    __u16 total_length;
    if (bpf_skb_load_bytes(skb, offsetof(struct iphdr, tot_len), &total_length, 2))
        return 0;
    if (bpf_ntohs(total_length) > skb->len)
        return 0; /* truncated */
    return skb->len;
}

/* tc: rewrites the IPv4 destination to 10.0.0.99 with store_bytes and fixes the header
 * checksum, marks the packet, and passes it. */
SEC("tc")
int tc_redirect_dst(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_SHOT;
    __u32 old_daddr = ip->daddr, new_daddr = bpf_htonl(0x0a000063);
    int off = ETH_HLEN + offsetof(struct iphdr, daddr);
    if (bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_daddr, new_daddr, 4))
        return TC_ACT_SHOT;
    if (bpf_skb_store_bytes(skb, off, &new_daddr, 4, 0))
        return TC_ACT_SHOT;
    skb->mark = 42;
    skb->priority = skb->cb[2];
    return TC_ACT_OK;
}

/* connect(): 10.0.0.1:80 goes to 127.0.0.1:8080 instead; port 23 is refused. */
SEC("cgroup/connect4")
int connect4_redirect(struct bpf_sock_addr *ctx)
{
    if (ctx->user_port == bpf_htons(23))
        return 0;
    if (ctx->user_ip4 == bpf_htonl(0x0a000001) && ctx->user_port == bpf_htons(80)) {
        ctx->user_ip4 = bpf_htonl(0x7f000001);
        ctx->user_port = bpf_htons(8080);
    }
    return 1;
}

/* sendmsg(): UDP to port 53 leaves from 192.168.1.1. */
SEC("cgroup/sendmsg4")
int sendmsg4_source(struct bpf_sock_addr *ctx)
{
    if (ctx->user_port == bpf_htons(53))
        ctx->msg_src_ip4 = bpf_htonl(0xc0a80101);
    return 1;
}

/* Socket creation: raw sockets refused; others get mark 7 and priority = protocol. */
SEC("cgroup/sock_create")
int sock_create_mark(struct bpf_sock *sk)
{
    if (sk->type == 3 /* SOCK_RAW */)
        return 0;
    sk->mark = 7;
    sk->priority = sk->protocol;
    return 1;
}

/* TCP events: an initial RTO of 10 jiffies for connections to port 443, state callbacks on
 * connect; the reply carries the remote port for other events. */
SEC("sockops")
int sockops_tune(struct bpf_sock_ops *skops)
{
    switch (skops->op) {
    case BPF_SOCK_OPS_TIMEOUT_INIT:
        skops->reply = skops->remote_port == bpf_htonl(443) ? 10 : -1;
        break;
    case BPF_SOCK_OPS_TCP_CONNECT_CB:
        skops->reply = bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG);
        break;
    default:
        skops->reply = skops->local_port;
    }
    return 1;
}

/* bpfhost's process context (tests mirror the layout of runtime/ctx_process.h). */
struct process_md {
    __u8 *command_start;
    __u8 *command_end;
    __u64 process_id;
    __u64 parent_process_id;
    __u64 creating_process_id;
    __u64 creating_thread_id;
    __u64 creation_time;
    __u64 exit_time;
    __u32 process_exit_code;
    __u32 operation;
    __u32 uid;
    __u32 gid;
    char comm[16];
};

/* Start: returns the number of arguments in the first 64 bytes of the command line (1 if
 * there are more), refuses (-1) commands whose name begins with "evil"; exit: returns the
 * exit code plus 1000 * the uid. */
SEC("process")
int process_watch(struct process_md *ctx)
{
    if (ctx->operation == 1)
        return ctx->process_exit_code + 1000 * ctx->uid;
    if (ctx->comm[0] == 'e' && ctx->comm[1] == 'v' && ctx->comm[2] == 'i' && ctx->comm[3] == 'l')
        return -1;
    __u8 *p = ctx->command_start, *end = ctx->command_end;
    int args = 0;
    for (int i = 0; i < 64; i++) {
        if (p + i + 1 > end)
            break;
        if (p[i] == 0)
            args++;
    }
    return args;
}

/* Writes a field connect4 may not write (msg_src_ip4 belongs to sendmsg4): Linux's verifier
 * refuses it; unverified, the checked interpreter stops it at the store. */
SEC("cgroup/connect4")
int connect4_bad_write(struct bpf_sock_addr *ctx)
{
    ctx->msg_src_ip4 = 1;
    return 1;
}

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 4);
} events SEC(".maps");

struct frame_event {
    __u32 len;
    __u32 ifindex;
};

/* Reports each frame's length and interface to slot 0 of a perf event array. */
SEC("xdp")
int xdp_report(struct xdp_md *ctx)
{
    struct frame_event e = {ctx->data_end - ctx->data, ctx->ingress_ifindex};
    if (bpf_perf_event_output(ctx, &events, 0, &e, sizeof e))
        return XDP_ABORTED;
    return XDP_PASS;
}
