/* Map values holding a struct bpf_spin_lock, updated under the lock by programs (read by
 * tests/unit/test_map_spin_lock.c): each run adds 1 to both halves of a pair, so a reader
 * that copies the value under the same lock (BPF_F_LOCK) always sees a == b. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The lock first, as the brief's example: 4 bytes of padding follow it. */
struct pair {
    struct bpf_spin_lock lock;
    __u64 a, b;
};

/* The lock in the middle: the copies skip a word between the two halves. */
struct middle_pair {
    __u64 a;
    struct bpf_spin_lock lock;
    __u64 b;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct pair);
    __uint(max_entries, 1);
} pairs SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, struct middle_pair);
    __uint(max_entries, 4);
} middle_pairs SEC(".maps");

/* No lock: BPF_F_LOCK on it is -EINVAL. */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 1);
} plain SEC(".maps");

/* a += 1, then b += 1 a while later: volatile accesses, so that the compiler neither merges
 * nor reorders them and a reader that ignores the lock has a window to see a != b. */
static __always_inline void add_one_to_both(volatile __u64 *a, volatile __u64 *b)
{
    *a += 1;
#pragma unroll
    for (int i = 0; i < 1024; i++)
        (void)*a;
    *b += 1;
}

SEC("xdp")
int add_pairs(struct xdp_md *ctx)
{
    __u32 key = 0;
    struct pair *p = bpf_map_lookup_elem(&pairs, &key);
    if (!p)
        return XDP_ABORTED;
    bpf_spin_lock(&p->lock);
    add_one_to_both(&p->a, &p->b);
    bpf_spin_unlock(&p->lock);
    struct middle_pair *m = bpf_map_lookup_elem(&middle_pairs, &key);
    if (!m)
        return XDP_ABORTED;
    bpf_spin_lock(&m->lock);
    add_one_to_both(&m->a, &m->b);
    bpf_spin_unlock(&m->lock);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
