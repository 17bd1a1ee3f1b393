/* Array map lookups the JIT inlines: hits, misses past max_entries, a write through the
 * value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} small SEC(".maps");

struct value12 {
    __u32 a, b, c;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 5);
    __type(key, __u32);
    __type(value, struct value12);
} odd SEC(".maps");

SEC("xdp")
int sum_lookups(struct xdp_md *ctx)
{
    __u64 sum = 0;
    for (__u32 i = 0; i < 12; i++) {
        __u32 key = i;
        __u64 *v = bpf_map_lookup_elem(&small, &key);
        if (v) {
            sum += *v;
            *v += 1;
        } else {
            sum += 1000;
        }
        struct value12 *w = bpf_map_lookup_elem(&odd, &key);
        if (w)
            sum += w->b;
        else
            sum += 100000;
    }
    return (int)sum;
}

/* The same without a loop, which the verifier accepts: the runtime then JITs it. */
static __u64 value_or(__u32 key, __u64 otherwise)
{
    __u64 *v = bpf_map_lookup_elem(&small, &key);
    return v ? *v : otherwise;
}

SEC("xdp")
int three_lookups(struct xdp_md *ctx)
{
    return (int)(value_or(1, 1000) + value_or(7, 1000) + value_or(9, 1000));
}

char _license[] SEC("license") = "GPL";
