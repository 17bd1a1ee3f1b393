/* Programs for the verifier's object-level tests and `bpfhost verify`: safe and unsafe
 * packet access (the unsafe one's message must name this file and line), a subprogram
 * taking a pointer (verified within its caller), a tc program in a section whose name
 * says no type, and a bpf_loop callback. Compiled by the Makefile with clang -O2 -g. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} counts SEC(".maps");

static __attribute__((noinline)) int bump(__u64 *counter)
{
    *counter += 1;
    return (int)(*counter & 1);
}

SEC("xdp")
int bounded_read(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    __u64 local = 0;
    if (data + 14 > end)
        return XDP_DROP;
    bump(&local);
    return data[12] == 0x08 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int unbounded_read(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    return data[12] == 0x08 ? XDP_PASS : XDP_DROP;
}

SEC("mark_setter")
int set_mark(struct __sk_buff *skb)
{
    skb->mark = skb->len > 100 ? 1 : 2;
    return 0;
}

static long count_step(__u32 index, void *data)
{
    __u64 *total = data;
    *total += index;
    return *total > 1000;
}

SEC("xdp")
int looped(struct xdp_md *ctx)
{
    __u64 total = 0;
    bpf_loop(64, count_step, &total, 0);
    return total > 5 ? XDP_PASS : XDP_DROP;
}
