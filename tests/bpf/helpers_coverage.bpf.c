/* Calls of the helpers that no other clang-compiled program of tests/ or examples/ runs,
 * each with an effect tests/unit/test_helpers_coverage.c checks after running the program
 * through bpf_prog_test_run_opts: results go to global variables, maps, the ring buffer,
 * the trace pipe, the packet or the verdict. Each program's results are a variable of its
 * own data section, so that the test finds them as a map by the section's name. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* --- time, identity, random, strings, printing, checksums ---------------------------------- */

struct basics {
    __u64 ktime, boot, coarse, jiffies;
    __u64 pid_tgid, uid_gid;
    __u32 random[4];
    char comm[16];
    long comm_ret;
    char text[32];
    long snprintf_ret;
    long strncmp_equal, strncmp_less, strncmp_greater;
    long printk_ret;
    __u64 csum;
};
struct basics basics SEC(".data.basics");

SEC("xdp")
int call_basics(struct xdp_md *ctx)
{
    basics.ktime = bpf_ktime_get_ns();
    basics.boot = bpf_ktime_get_boot_ns();
    basics.coarse = bpf_ktime_get_coarse_ns();
    basics.jiffies = bpf_jiffies64();
    basics.random[0] = bpf_get_prandom_u32();
    basics.random[1] = bpf_get_prandom_u32();
    basics.random[2] = bpf_get_prandom_u32();
    basics.random[3] = bpf_get_prandom_u32();
    basics.snprintf_ret = BPF_SNPRINTF(basics.text, sizeof basics.text, "%d|%u|%x", -5, 7, 255);
    char word[8] = "bpfhost";
    basics.strncmp_equal = bpf_strncmp(word, sizeof word, "bpfhost");
    basics.strncmp_less = bpf_strncmp(word, sizeof word, "bpfz");
    basics.strncmp_greater = bpf_strncmp(word, sizeof word, "bpfa");
    basics.printk_ret = bpf_printk("coverage %d %s", 42, "done");
    __u32 words[2] = {0x01020304, 0x0a0b0c0d};
    basics.csum = bpf_csum_diff(0, 0, words, sizeof words, 0x100);
    return XDP_PASS;
}

/* The calling task's identity: helpers of socket address programs (not of XDP), which run
 * in the task that connects. */
SEC("cgroup/connect4")
int call_identity(struct bpf_sock_addr *ctx)
{
    basics.pid_tgid = bpf_get_current_pid_tgid();
    basics.uid_gid = bpf_get_current_uid_gid();
    basics.comm_ret = bpf_get_current_comm(basics.comm, sizeof basics.comm);
    return 1;
}

/* --- maps: delete, queue pop/peek, spin locks, tail calls ---------------------------------- */

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
} doomed SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 4);
} fifo SEC(".maps");

struct locked_value {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 counter;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct locked_value);
    __uint(max_entries, 1);
} locked SEC(".maps");

struct map_results {
    long delete_first, delete_again;
    long peek_ret, pop_ret, pop_empty_ret;
    __u32 peeked, popped;
};
struct map_results map_results SEC(".data.maps");

SEC("xdp")
int call_map_helpers(struct xdp_md *ctx)
{
    __u32 key = 1, zero = 0;
    map_results.delete_first = bpf_map_delete_elem(&doomed, &key);
    map_results.delete_again = bpf_map_delete_elem(&doomed, &key);
    map_results.peek_ret = bpf_map_peek_elem(&fifo, &map_results.peeked);
    map_results.pop_ret = bpf_map_pop_elem(&fifo, &map_results.popped);
    __u32 ignored;
    map_results.pop_empty_ret = bpf_map_pop_elem(&fifo, &ignored);
    struct locked_value *v = bpf_map_lookup_elem(&locked, &zero);
    if (v) {
        bpf_spin_lock(&v->lock);
        v->counter += 3;
        bpf_spin_unlock(&v->lock);
    }
    return XDP_PASS;
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 2);
} jumps SEC(".maps");

__u32 tail_target_runs SEC(".data.tail");

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    tail_target_runs++;
    return XDP_TX;
}

/* Jumps to slot 0 of jumps; falls through (XDP_ABORTED) when it is empty. */
SEC("xdp")
int call_tail_call(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jumps, 0);
    return XDP_ABORTED;
}

/* --- ring buffer: reserve, submit, discard, output, query ---------------------------------- */

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} ring SEC(".maps");

struct ring_results {
    __u64 avail_data, ring_size, producer_pos;
    long output_ret;
    __u32 reserved;
};
struct ring_results ring_results SEC(".data.ring");

/* Records 0x11 (reserved, submitted), 0x22 (reserved, discarded), 0x33 (output). */
SEC("xdp")
int call_ringbuf(struct xdp_md *ctx)
{
    __u64 *first = bpf_ringbuf_reserve(&ring, sizeof(__u64), 0);
    if (!first)
        return XDP_ABORTED;
    *first = 0x11;
    bpf_ringbuf_submit(first, 0);
    __u64 *second = bpf_ringbuf_reserve(&ring, sizeof(__u64), 0);
    if (!second)
        return XDP_ABORTED;
    *second = 0x22;
    bpf_ringbuf_discard(second, 0);
    ring_results.reserved = 2;
    __u64 third = 0x33;
    ring_results.output_ret = bpf_ringbuf_output(&ring, &third, sizeof third, 0);
    ring_results.avail_data = bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA);
    ring_results.ring_size = bpf_ringbuf_query(&ring, BPF_RB_RING_SIZE);
    ring_results.producer_pos = bpf_ringbuf_query(&ring, BPF_RB_PROD_POS);
    return XDP_PASS;
}

/* --- XDP: adjust head and tail, redirect ---------------------------------------------------- */

/* Drops 4 bytes at the front and 4 at the end of the frame. */
SEC("xdp")
int call_xdp_adjust(struct xdp_md *ctx)
{
    if (bpf_xdp_adjust_head(ctx, 4))
        return XDP_ABORTED;
    if (bpf_xdp_adjust_tail(ctx, -4))
        return XDP_ABORTED;
    return XDP_PASS;
}

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 4);
} ports SEC(".maps");

/* The first byte of the frame picks: 0xff bpf_redirect to interface 7, else
 * bpf_redirect_map(&ports, byte) with XDP_PASS when the slot is empty. */
SEC("xdp")
int call_redirect(struct xdp_md *ctx)
{
    __u8 *data = (void *)(long)ctx->data;
    if ((void *)(data + 1) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    if (data[0] == 0xff)
        return bpf_redirect(7, 0);
    return bpf_redirect_map(&ports, data[0], XDP_PASS);
}

/* --- socket buffers: load_bytes_relative, l4_csum_replace, get_socket_cookie --------------- */

struct skb_results {
    __u32 ip_first_word;
    long relative_ret;
    __u64 cookie, cookie_again;
};
struct skb_results skb_results SEC(".data.skb");

/* Reads the IP header's first word relative to the network header, then moves the UDP
 * destination port to 5353, keeping the UDP checksum right with l4_csum_replace. */
SEC("tc")
int call_skb_helpers(struct __sk_buff *skb)
{
    skb_results.cookie = bpf_get_socket_cookie(skb);
    skb_results.cookie_again = bpf_get_socket_cookie(skb);
    skb_results.relative_ret = bpf_skb_load_bytes_relative(skb, 0, &skb_results.ip_first_word,
                                                           4, BPF_HDR_START_NET);
    int port_off = ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, dest);
    int csum_off = ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, check);
    __be16 old_port;
    if (bpf_skb_load_bytes(skb, port_off, &old_port, sizeof old_port))
        return TC_ACT_SHOT;
    __be16 new_port = bpf_htons(5353);
    if (bpf_l4_csum_replace(skb, csum_off, old_port, new_port, sizeof new_port))
        return TC_ACT_SHOT;
    if (bpf_skb_store_bytes(skb, port_off, &new_port, sizeof new_port, 0))
        return TC_ACT_SHOT;
    return TC_ACT_OK;
}
