/* Exercises what the loader must understand in one object: BTF maps of every kind of
 * attribute, map-in-map and prog-array initial values, global data in several sections,
 * .kconfig externs, static and global subprograms, a callback, many section names and two
 * programs in one section. Compiled by the Makefile with clang -O2 -g -target bpf. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x050a00;

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 16);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(key_size, 4);
    __uint(value_size, 24);
    __uint(max_entries, 3);
    __uint(numa_node, 0);
} sized SEC(".maps");

struct inner_array {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, __u32);
    __uint(max_entries, 2);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_array);
} outer SEC(".maps") = {
    .values = {[0] = &inner_a, [2] = &inner_b},
};

int tail_target(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 3);
    __type(key, __u32);
    __array(values, int(void *));
} jumps SEC(".maps") = {
    .values = {[1] = (void *)&tail_target},
};

__u64 data_counter = 7;
const volatile __u32 rodata_limit = 42;
__u64 bss_total;
__u32 custom_data SEC(".data.custom") = 0x11223344;
const char custom_text[8] SEC(".rodata.custom") = "custom";

extern __u32 LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_BPFHOST_MISSING __kconfig __weak;

static __attribute__((noinline)) __u64 add_static(__u64 a, __u64 b)
{
    return a + b + rodata_limit;
}

__attribute__((noinline)) int global_helper(__u32 x)
{
    return (int)add_static(x, 1);
}

static int loop_body(__u32 index, void *ctx)
{
    bss_total += index;
    return 0;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&counters, &key);
    if (value)
        *value += data_counter;
    bpf_loop(4, loop_body, 0, 0);
    bpf_tail_call(ctx, &jumps, 1);
    return global_helper(custom_data) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    return LINUX_KERNEL_VERSION > 0 && CONFIG_BPFHOST_MISSING == 0 ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp.frags")
int xdp_frags_prog(struct xdp_md *ctx) { return XDP_PASS; }

SEC("socket")
int socket_prog(struct __sk_buff *skb) { return (int)add_static(custom_text[0], 0); }

SEC("tc")
int tc_prog(struct __sk_buff *skb) { return 0; }

SEC("cgroup/connect4")
int connect4_prog(struct bpf_sock_addr *ctx) { return 1; }

SEC("kprobe/do_nanosleep")
int kprobe_prog(void *ctx) { return 0; }

SEC("tracepoint/syscalls/sys_enter_write")
int tracepoint_prog(void *ctx) { return 0; }

SEC("fentry/do_unlinkat")
int fentry_prog(void *ctx) { return 0; }

SEC("lsm/file_open")
int lsm_prog(void *ctx) { return 0; }

SEC("sockops")
int sockops_prog(struct bpf_sock_ops *ctx) { return 1; }

SEC("bind")
int bind_prog(void *ctx) { return 0; }

SEC("process")
int process_prog(void *ctx) { return 0; }

SEC("my_custom_section")
int unknown_prog(void *ctx) { return 0; }
