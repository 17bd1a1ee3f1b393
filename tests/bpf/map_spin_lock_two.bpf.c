/* A map value with two struct bpf_spin_lock members, which Linux refuses (-EINVAL) and so
 * must the loader (tests/unit/test_map_spin_lock.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct two_locks {
    struct bpf_spin_lock first;
    struct bpf_spin_lock second;
    __u64 counter;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct two_locks);
    __uint(max_entries, 1);
} two SEC(".maps");

SEC("xdp")
int touch(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct two_locks *v = bpf_map_lookup_elem(&two, &key);
    return v ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
