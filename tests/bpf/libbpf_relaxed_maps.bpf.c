/* A BTF map definition with an attribute the loader does not know: refused by default,
 * accepted with bpf_object_open_opts.relaxed_maps (tests/unit/test_libbpf_object.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 2);
    __uint(attribute_from_the_future, 1);
} future SEC(".maps");

SEC("xdp")
int pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
