/* Map operations the shared bpf_maps.o does not cover, in the same loop shape (MAP_K helper
 * calls per run): LRU hash update, update of a hash whose values are larger than a word
 * (replaced, not written in place), LPM trie lookup, ring buffer reserve+submit. Runs on the
 * kernel (maps_kbench) and on bpfhost (maps_bench); both runners prefill the maps the same
 * way (maps_prefill.h). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "maps_prefill.h"

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, MAPS_NKEYS);
    __type(key, __u32);
    __type(value, __u64);
} lru_map SEC(".maps");

struct pair {
    __u64 first, second;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, MAPS_NKEYS);
    __type(key, __u32);
    __type(value, struct pair);
} hmap16 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, MAPS_LPM_ENTRIES);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct maps_lpm_key);
    __type(value, __u64);
} lpm_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, MAPS_RINGBUF_SIZE);
} ring_map SEC(".maps");

SEC("xdp") int lru_update(struct xdp_md *ctx)
{
    __u64 sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        __u64 v = i;
        sum += bpf_map_update_elem(&lru_map, &k, &v, BPF_ANY);
    }
    return (int)sum;
}

SEC("xdp") int hash16_update_exist(struct xdp_md *ctx)
{
    __u64 sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        struct pair v = {i, i + 1};
        sum += bpf_map_update_elem(&hmap16, &k, &v, BPF_EXIST);
    }
    return (int)sum;
}

SEC("xdp") int lpm_lookup(struct xdp_md *ctx)
{
    __u64 sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        struct maps_lpm_key key = {.prefixlen = 32, .addr = bpf_htonl(maps_lpm_probe(k))};
        __u64 *v = bpf_map_lookup_elem(&lpm_map, &key);
        if (v)
            sum += *v;
    }
    return (int)sum;
}

/* Returns the number of failed reservations: 0 unless the runner let the ring fill up. */
SEC("xdp") int ringbuf_reserve_submit(struct xdp_md *ctx)
{
    __u64 failed = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u64 *sample = bpf_ringbuf_reserve(&ring_map, MAPS_RECORD_SIZE, 0);
        if (!sample) {
            failed++;
            continue;
        }
        sample[0] = i;
        bpf_ringbuf_submit(sample, 0);
    }
    return (int)failed;
}

char _license[] SEC("license") = "GPL";
