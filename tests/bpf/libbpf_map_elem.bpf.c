/* Maps of several kinds for bpf_map__*_elem and the object pin functions
 * (tests/unit/test_libbpf_map_elem.c), and a program that changes them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 8);
} counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 2);
} per_cpu SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(value_size, sizeof(__u32));
    __uint(max_entries, 4);
} jobs SEC(".maps");

const volatile __u32 step = 1; /* .rodata */
__u64 runs;                    /* .bss */

/* counts[1] += step, this CPU's per_cpu[0] += 1, and a job per run. */
SEC("xdp")
int count_packet(struct xdp_md *ctx)
{
    __u32 key = 1, zero = 0;
    __u64 *count = bpf_map_lookup_elem(&counts, &key);
    if (count) {
        __sync_fetch_and_add(count, step);
    } else {
        __u64 first = step;
        bpf_map_update_elem(&counts, &key, &first, BPF_NOEXIST);
    }
    __u32 *mine = bpf_map_lookup_elem(&per_cpu, &zero);
    if (mine)
        *mine += 1;
    __u32 job = (__u32)++runs;
    bpf_map_push_elem(&jobs, &job, 0);
    return XDP_PASS;
}

SEC("xdp")
int idle(struct xdp_md *ctx)
{
    return XDP_PASS;
}
