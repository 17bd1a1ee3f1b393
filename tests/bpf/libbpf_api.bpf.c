/* The object the libbpf-compatible API's unit tests open (tests/unit/test_libbpf_*.c):
 * two programs sharing a .text subprogram, a program in a section libbpf does not know,
 * BTF maps of several kinds (one pinned by name), and global data. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 16);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 4);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

int packets = 7;               /* .data */
const volatile int limit = 3;  /* .rodata */
int seen;                      /* .bss */

static __attribute__((noinline)) int bump(__u32 key)
{
    __u64 one = 1, *value = bpf_map_lookup_elem(&counters, &key);
    if (value)
        __sync_fetch_and_add(value, 1);
    else
        bpf_map_update_elem(&counters, &key, &one, BPF_ANY);
    seen++;
    return packets < limit;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u32 *config = bpf_map_lookup_elem(&shared_config, &key);
    if (config && *config)
        bpf_ringbuf_output(&events, &key, sizeof key, 0);
    return bump(1) ? XDP_DROP : XDP_PASS;
}

SEC("socket")
int socket_count(struct __sk_buff *skb)
{
    return bump(2);
}

SEC("bpfhost_unknown_section")
int untyped(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
