/* Legacy map definitions as samples/bpf wrote them (struct bpf_map_def with inner_map_idx
 * and numa_node, 28 bytes), one of them a map-in-map, and an old-style program section
 * name. Compiled by the Makefile with clang -O2 -g -target bpf. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
    unsigned int type, key_size, value_size, max_entries, map_flags, inner_map_idx, numa_node;
};

struct legacy_map_def SEC("maps") legacy_hash = {
    .type = BPF_MAP_TYPE_HASH, .key_size = 4, .value_size = 8, .max_entries = 128,
};
struct legacy_map_def SEC("maps") legacy_inner = {
    .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1,
};
struct legacy_map_def SEC("maps") legacy_outer = {
    .type = BPF_MAP_TYPE_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 2,
    .inner_map_idx = 1,
};

char _license[] SEC("license") = "GPL";

SEC("socket1")
int legacy_socket(struct __sk_buff *skb)
{
    __u32 key = 1;
    __u64 *value = bpf_map_lookup_elem(&legacy_hash, &key);
    void *inner = bpf_map_lookup_elem(&legacy_outer, &key);
    return (value ? 1 : 0) + (inner ? 2 : 0);
}
