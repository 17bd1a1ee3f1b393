/* Programs for the kernel oracle (tests/suites/kernel_oracle.sh, docs/oracle.md): map
 * operations with deterministic outcomes, keyed by frame bytes, so that Linux and bpfhost
 * must end with the same map contents and the same helper return codes. Maps stay within
 * capacity where an implementation may choose what to evict (LRU). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} codes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 64);
    __type(key, __u16);
    __type(value, __u32);
} lru SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} percpu SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 8);
    __type(key, __u8);
    __type(value, __u32);
} percpu_hash SEC(".maps");

struct lpm_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 32);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct lpm_key);
    __type(value, __u32);
} lpm SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 5);
    __uint(value_size, sizeof(__u32));
} queue SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __uint(max_entries, 3);
    __uint(value_size, sizeof(__u16));
} stack SEC(".maps");

static void code(__u32 slot, long rc)
{
    __u64 *v = bpf_map_lookup_elem(&codes, &slot);
    if (v)
        *v = *v * 31 + (__u64)rc;
}

/* Hash and array: inserts with NOEXIST/EXIST/ANY, lookups, deletes; the hash fills up
 * (-E2BIG) and empties again as the frames go by. */
SEC("xdp")
int oracle_hash(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_ABORTED;
    __u32 key = data[3] & 15, len = ctx->data_end - ctx->data;
    __u64 value = len, *found = bpf_map_lookup_elem(&hash, &key);
    if (found) {
        *found += len;
        if (*found > 1500)
            code(0, bpf_map_delete_elem(&hash, &key));
        else
            code(1, bpf_map_update_elem(&hash, &key, &value, BPF_NOEXIST));
    } else {
        code(2, bpf_map_update_elem(&hash, &key, &value, len & 1 ? BPF_EXIST : BPF_ANY));
        code(3, bpf_map_delete_elem(&hash, &(__u32){key ^ 1}));
    }
    __u32 idx = len & 15;
    code(4, bpf_map_update_elem(&codes, &idx, &value, BPF_NOEXIST));
    idx = len;
    code(5, bpf_map_update_elem(&codes, &idx, &value, BPF_ANY));
    return found ? XDP_PASS : XDP_DROP;
}

/* LRU (below capacity), per-CPU array and hash (the runner pins itself to CPU 0). */
SEC("xdp")
int oracle_lru_percpu(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 8 > end)
        return XDP_ABORTED;
    __u16 key = data[5] & 31;
    __u32 len = ctx->data_end - ctx->data, *seen = bpf_map_lookup_elem(&lru, &key);
    if (seen)
        *seen += 1;
    else
        code(6, bpf_map_update_elem(&lru, &key, &len, BPF_NOEXIST));
    __u32 slot = data[6] & 3;
    __u64 *count = bpf_map_lookup_elem(&percpu, &slot);
    if (count)
        *count += len;
    __u8 pkey = data[7] & 15;
    __u32 *pv = bpf_map_lookup_elem(&percpu_hash, &pkey);
    if (pv)
        *pv ^= len;
    else
        code(7, bpf_map_update_elem(&percpu_hash, &pkey, &len, BPF_ANY));
    return seen ? XDP_PASS : XDP_TX;
}

/* LPM trie: prefixes from the frame's bytes go in, lookups of other bytes find the longest
 * match; some prefixes are deleted again. */
SEC("xdp")
int oracle_lpm(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 12 > end)
        return XDP_ABORTED;
    struct lpm_key k = {.prefixlen = data[0] % 33};
    __builtin_memcpy(k.addr, data + 2, 4);
    __u32 value = ctx->data_end - ctx->data;
    if (data[1] & 1)
        code(8, bpf_map_delete_elem(&lpm, &k));
    else
        code(9, bpf_map_update_elem(&lpm, &k, &value, BPF_ANY));
    struct lpm_key q = {.prefixlen = 32};
    __builtin_memcpy(q.addr, data + 6, 4);
    __u32 *hit = bpf_map_lookup_elem(&lpm, &q);
    code(10, hit ? *hit : 0xffff);
    return hit ? XDP_PASS : XDP_DROP;
}

/* Queue and stack: pushes (plain, and BPF_EXIST that overwrites when full), pops, peeks. */
SEC("xdp")
int oracle_queue_stack(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data, v = 0;
    __u16 s = (__u16)len, t = 0;
    switch (len % 4) {
    case 0:
        code(11, bpf_map_push_elem(&queue, &len, 0));
        code(12, bpf_map_push_elem(&stack, &s, 0));
        break;
    case 1:
        code(11, bpf_map_push_elem(&queue, &len, BPF_EXIST));
        code(12, bpf_map_push_elem(&stack, &s, BPF_EXIST));
        break;
    case 2:
        code(13, bpf_map_pop_elem(&queue, &v));
        code(14, bpf_map_pop_elem(&stack, &t));
        break;
    default:
        code(13, bpf_map_peek_elem(&queue, &v));
        code(14, bpf_map_peek_elem(&stack, &t));
    }
    code(15, v + t);
    return XDP_PASS;
}
