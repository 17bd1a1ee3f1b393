/* An eBPF for Windows style object: sock_addr programs with Windows' struct bpf_sock_addr
 * layout (ebpf_nethooks.h) returning a verdict read from a map, and a recv_accept section,
 * which only eBPF for Windows defines. Declared here because Linux's headers lack them. */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct windows_sock_addr {
    __u32 family;
    __u32 msg_src_ip6[4];
    __u16 msg_src_port;
    __u32 user_ip6[4];
    __u16 user_port;
    __u32 protocol;
    __u32 compartment_id;
    __u64 interface_luid;
};

struct {
    __uint(type, 1); /* BPF_MAP_TYPE_HASH, the same number on Windows */
    __type(key, __u16);
    __type(value, __u32);
    __uint(max_entries, 16);
} verdicts SEC(".maps");

static __u32 verdict_for(struct windows_sock_addr *ctx)
{
    __u16 port = ctx->user_port;
    __u32 *v = bpf_map_lookup_elem(&verdicts, &port);
    return v ? *v : 1;
}

SEC("cgroup/connect4")
int authorize_connect4(struct windows_sock_addr *ctx)
{
    __u32 verdict = verdict_for(ctx);
    if (verdict == 3) /* a redirection: a 2-byte store, which Linux's layout refuses at 40 */
        ctx->user_port = 8080;
    return verdict;
}

SEC("cgroup/recv_accept4")
int authorize_recv_accept4(struct windows_sock_addr *ctx)
{
    return verdict_for(ctx);
}
