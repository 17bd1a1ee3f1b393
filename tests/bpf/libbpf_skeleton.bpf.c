/* The object of the skeleton suite (tests/suites/libbpf_skeleton.sh generates its skeleton
 * with bpftool): global variables in .rodata, .data, .bss and a custom .data section that
 * user space reads and writes through skel->rodata/->data/->bss, a program that uses them,
 * and a kprobe program with a target, which attach cannot attach on bpfhost. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} seen_inputs SEC(".maps");

const volatile __u32 multiplier = 1;          /* .rodata: set before load */
int bias = 100;                               /* .data */
char greeting[8] = "hello";                   /* .data */
__u32 custom_counter SEC(".data.custom") = 5; /* a custom data section */
__u64 total;                                  /* .bss */
__u32 calls;                                  /* .bss */
__u32 last_input;                             /* .bss */

/* total += input * multiplier + bias, where input is the packet's first 4 bytes. */
SEC("xdp")
int accumulate(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    if (data + sizeof(__u32) > data_end)
        return XDP_ABORTED;
    __u32 input = *(__u32 *)data;
    total += (__u64)input * multiplier + bias;
    calls++;
    last_input = input;
    custom_counter++;
    greeting[0] = 'j';
    __u64 one = 1;
    bpf_map_update_elem(&seen_inputs, &input, &one, BPF_ANY);
    return XDP_PASS;
}

SEC("kprobe/do_nanosleep")
int probe_sleep(void *ctx)
{
    calls += 1000;
    return 0;
}
