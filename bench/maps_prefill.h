/* What the map bench runners put into the maps before timing, shared by the BPF programs
 * (maps_extra.c) so that lookups hit. Plain C: included by BPF and host code alike. */
#ifndef MAPS_PREFILL_H
#define MAPS_PREFILL_H

#define MAPS_K 256                    /* helper calls per program run, as bpf_maps.c */
#define MAPS_NKEYS 1024               /* keys 0..NKEYS-1 hold key * 3, as kbench fills them */
#define MAPS_LPM_ENTRIES 2048
#define MAPS_RINGBUF_SIZE (16u << 20) /* holds more than a timed run writes */
#define MAPS_RECORD_SIZE 16
#define MAPS_VALUE_MAX 64             /* largest value of a hash or array the runners fill */

/* IPv4 LPM key (struct bpf_lpm_trie_key with 4 bytes of data, network order). */
struct maps_lpm_key {
    __u32 prefixlen;
    __u32 addr;
};

/* The trie holds 10.0.0.0/8 and, for each k < NKEYS, the /22 maps_lpm_net(k) with value
 * k * 3; the probe address of k lies inside that /22, so every lookup takes the longest
 * match below the /8. Host byte order. */
static inline __u32 maps_lpm_net(__u32 k)
{
    return 0x0a000000u | (k << 10);
}
static inline __u32 maps_lpm_probe(__u32 k)
{
    return maps_lpm_net(k) | (k & 0x3ffu);
}

#endif
