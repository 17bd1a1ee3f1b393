/* eBPF for Windows hooks that Linux lacks or lays out differently: a bind program (section
 * "bind", struct bind_md) that reads its application id as a byte range checked against
 * app_id_end, and a sockops program with Windows' struct bpf_sock_ops. Declared here
 * because Linux's headers lack them (layouts from ebpf_nethooks.h). */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct bind_md {
    __u8 *app_id_start;
    __u8 *app_id_end;
    __u64 process_id;
    __u8 socket_address[16];
    __u8 socket_address_length;
    __u32 operation;
    __u8 protocol;
};

struct windows_sock_ops {
    __u32 op;
    __u32 family;
    __u32 local_ip6[4];
    __u32 local_port;
    __u32 remote_ip6[4];
    __u32 remote_port;
    __u8 protocol;
    __u32 compartment_id;
    __u64 interface_luid;
};

struct {
    __uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 4);
} seen SEC(".maps");

SEC("bind")
int authorize_bind(struct bind_md *ctx)
{
    __u8 *id = ctx->app_id_start;
    if (id + 2 > ctx->app_id_end)
        return 1; /* BIND_DENY */
    if (ctx->operation == 0 && ctx->protocol == 17 && id[0] == 'x' && id[1] == 'y') {
        ctx->socket_address[2] = 0x1f; /* redirect to port 8080 */
        ctx->socket_address[3] = 0x90;
        return 2; /* BIND_REDIRECT */
    }
    return ctx->process_id == 4 ? 1 : 0;
}

/* Reads the id's third byte without checking that it exists. */
SEC("bind")
int bind_past_the_app_id(struct bind_md *ctx)
{
    __u8 *id = ctx->app_id_start;
    if (id + 2 > ctx->app_id_end)
        return 1;
    return id[2];
}

SEC("sockops")
int count_connections(struct windows_sock_ops *ctx)
{
    __u32 key = ctx->op;
    __u64 *n = bpf_map_lookup_elem(&seen, &key);
    if (n && ctx->protocol == 6 && ctx->interface_luid)
        __sync_fetch_and_add(n, 1);
    return 0;
}
