/* Maps and a verifiable program for the map and prog CLI suite (tests/suites/map_cli.sh). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} packets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} per_cpu SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 4);
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

__u64 seen_total = 42;

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&packets, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    seen_total++;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
