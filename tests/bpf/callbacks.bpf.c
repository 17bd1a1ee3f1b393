/* Helpers that call the program back: bpf_loop and bpf_for_each_map_elem, with callbacks that
 * write through their context (on the caller's stack) and into map values. Results go to
 * globals that tests/unit/test_jit_callbacks.c reads. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} values SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} table SEC(".maps");

struct sum {
    __u64 total;
    __u32 calls;
    __u32 stop_at;
};

__u32 stop_at = 6;

/* The only .bss variable: tests read it at offset 0 with this layout. */
struct results {
    __u64 loop_total, loop_calls, loop_return, loop_bad_flags, loop_too_many;
    __u64 array_total, array_visited, hash_total, hash_visited, hash_key_total;
} results;

static int add_index(__u32 index, void *data)
{
    struct sum *s = data;
    s->total += index;
    s->calls++;
    return index + 1 >= s->stop_at;
}

static long add_value(void *map, __u32 *key, __u64 *value, void *data)
{
    struct sum *s = data;
    s->total += *value;
    s->calls++;
    *value += 1;
    if (map == (void *)&table)
        results.hash_key_total += *key;
    return 0;
}

SEC("xdp")
int loop_prog(struct xdp_md *ctx)
{
    struct sum s = {.stop_at = stop_at};
    results.loop_return = bpf_loop(100, add_index, &s, 0);
    results.loop_total = s.total;
    results.loop_calls = s.calls;
    results.loop_bad_flags = bpf_loop(1, add_index, &s, 1);
    results.loop_too_many = bpf_loop((1u << 23) + 1, add_index, &s, 0);
    return (int)s.calls;
}

SEC("xdp")
int each_prog(struct xdp_md *ctx)
{
    struct sum a = {};
    results.array_visited = bpf_for_each_map_elem(&values, add_value, &a, 0);
    results.array_total = a.total;
    struct sum h = {};
    results.hash_visited = bpf_for_each_map_elem(&table, add_value, &h, 0);
    results.hash_total = h.total;
    return (int)(a.calls + h.calls);
}

char _license[] SEC("license") = "GPL";
