/* Linux's names for program, attach and map types, spelled as bpftool and libbpf's
 * libbpf_bpf_*_type_str() spell them, plus names for bpfhost's own eBPF for Windows hook
 * types. The object commands show every type an object can declare, including the ones
 * bpfhost cannot run, so these tables follow Linux rather than what src/maps implements. */
#include "cli.h"
#include "elf/elf_object.h"

static const char *const prog_type_names[] = {
    "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
    "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
    "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
    "lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
    "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
    "sk_lookup", "syscall",
};

static const char *const attach_type_names[] = {
    "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
    "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device", "sk_msg_verdict",
    "cgroup_inet4_bind", "cgroup_inet6_bind", "cgroup_inet4_connect", "cgroup_inet6_connect",
    "cgroup_inet4_post_bind", "cgroup_inet6_post_bind", "cgroup_udp4_sendmsg",
    "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector", "cgroup_sysctl",
    "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt", "cgroup_setsockopt",
    "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return", "lsm_mac", "trace_iter",
    "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "xdp_devmap", "cgroup_inet_sock_release", "xdp_cpumap",
    "sk_lookup", "xdp", "sk_skb_verdict", "sk_reuseport_select",
    "sk_reuseport_select_or_migrate", "perf_event", "trace_kprobe_multi", "lsm_cgroup",
};

static const char *const map_type_names[] = {
    "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
    "percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie",
    "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash",
    "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
    "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage",
    "bloom_filter", "user_ringbuf", "cgrp_storage",
};

/* Program and attach types share these numbers (elf_object.h). */
static const char *const host_type_names[] = {"bind", "xdp_test", "sample_ext", "process"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *host_type_name(uint32_t type)
{
    uint32_t i = type - EBPF_HOST_TYPE_BASE;
    return type >= EBPF_HOST_TYPE_BASE && i < COUNT(host_type_names) ? host_type_names[i] : NULL;
}

const char *cli_prog_type_name(uint32_t type)
{
    return type < COUNT(prog_type_names) ? prog_type_names[type] : host_type_name(type);
}

const char *cli_attach_type_name(uint32_t prog_type, uint32_t attach_type)
{
    /* 0 is both "no expected attach type" and BPF_CGROUP_INET_INGRESS, which only
     * cgroup_skb programs can mean. */
    if (attach_type == EBPF_ATTACH_NONE && prog_type != EBPF_PROG_TYPE_CGROUP_SKB)
        return "none";
    return attach_type < COUNT(attach_type_names) ? attach_type_names[attach_type]
                                                   : host_type_name(attach_type);
}

const char *cli_map_type_name(uint32_t type)
{
    return type < COUNT(map_type_names) ? map_type_names[type] : NULL;
}
