/* Programs the verifier must refuse (tests/unit/test_map_spin_lock.c): bpf_spin_lock on a
 * word of a value that is not the value's struct bpf_spin_lock, and on a map whose value has
 * none. The maps themselves are fine. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
    struct bpf_spin_lock lock;
    __u32 pad;
    __u64 a, b;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct pair);
    __uint(max_entries, 1);
} pairs SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64[2]);
    __uint(max_entries, 1);
} no_lock SEC(".maps");

SEC("xdp")
int lock_beside_the_lock(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct pair *p = bpf_map_lookup_elem(&pairs, &key);
    if (!p)
        return XDP_ABORTED;
    bpf_spin_lock((struct bpf_spin_lock *)&p->pad);
    p->a++;
    bpf_spin_unlock((struct bpf_spin_lock *)&p->pad);
    return XDP_PASS;
}

SEC("xdp")
int lock_without_a_lock(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *v = bpf_map_lookup_elem(&no_lock, &key);
    if (!v)
        return XDP_ABORTED;
    bpf_spin_lock((struct bpf_spin_lock *)v);
    v[1]++;
    bpf_spin_unlock((struct bpf_spin_lock *)v);
    return XDP_PASS;
}

SEC("xdp")
int lock_right(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct pair *p = bpf_map_lookup_elem(&pairs, &key);
    if (!p)
        return XDP_ABORTED;
    bpf_spin_lock(&p->lock);
    p->a++;
    bpf_spin_unlock(&p->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
