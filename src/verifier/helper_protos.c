/* Prototypes of the Linux helpers bpfhost provides, from include/uapi/linux/bpf.h. */
#include "verifier/helper_protos.h"

#define P(id, name, ret, a1, a2, a3, a4, a5, flags, map_type, group)                               \
    {id, name, ret, {a1, a2, a3, a4, a5}, flags, map_type, HELPERS_##group}
#define N ARG_NONE
#define ANY ARG_ANYTHING

static const struct helper_proto protos[] = {
    P(1, "map_lookup_elem", RET_MAP_VALUE_OR_NULL, ARG_MAP_PTR, ARG_MAP_KEY, N, N, N, 0, MAP_TYPE_ANY, BASE),
    P(2, "map_update_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_KEY, ARG_MAP_VALUE, ANY, N, 0, MAP_TYPE_ANY, BASE),
    P(3, "map_delete_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_KEY, N, N, N, 0, MAP_TYPE_ANY, BASE),
    P(4, "probe_read", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ANY, N, N, 0, 0, TRACING),
    P(5, "ktime_get_ns", RET_INTEGER, N, N, N, N, N, 0, 0, BASE),
    /* the format's arguments are optional: callers often leave r3-r5 unset */
    P(6, "trace_printk", RET_INTEGER, ARG_MEM, ARG_CONST_SIZE, N, N, N, 0, 0, BASE),
    P(7, "get_prandom_u32", RET_INTEGER, N, N, N, N, N, 0, 0, BASE),
    P(8, "get_smp_processor_id", RET_INTEGER, N, N, N, N, N, 0, 0, BASE),
    P(9, "skb_store_bytes", RET_INTEGER, ARG_CTX, ANY, ARG_MEM, ARG_CONST_SIZE, ANY,
      HELPER_CHANGES_PACKET, 0, SKB_WRITE),
    P(10, "l3_csum_replace", RET_INTEGER, ARG_CTX, ANY, ANY, ANY, ANY, HELPER_CHANGES_PACKET, 0, SKB_WRITE),
    P(11, "l4_csum_replace", RET_INTEGER, ARG_CTX, ANY, ANY, ANY, ANY, HELPER_CHANGES_PACKET, 0, SKB_WRITE),
    P(12, "tail_call", RET_INTEGER, ARG_CTX, ARG_MAP_PTR, ANY, N, N, 0, MAP_TYPE_PROG_ARRAY, BASE),
    P(13, "clone_redirect", RET_INTEGER, ARG_CTX, ANY, ANY, N, N, 0, 0, SKB_WRITE),
    P(14, "get_current_pid_tgid", RET_INTEGER, N, N, N, N, N, 0, 0, CURRENT),
    P(15, "get_current_uid_gid", RET_INTEGER, N, N, N, N, N, 0, 0, CURRENT),
    P(16, "get_current_comm", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE, N, N, N, 0, 0, CURRENT),
    P(17, "get_cgroup_classid", RET_INTEGER, ARG_CTX, N, N, N, N, 0, 0, SKB_READ),
    P(18, "skb_vlan_push", RET_INTEGER, ARG_CTX, ANY, ANY, N, N, HELPER_CHANGES_PACKET, 0, SKB_WRITE),
    P(19, "skb_vlan_pop", RET_INTEGER, ARG_CTX, N, N, N, N, HELPER_CHANGES_PACKET, 0, SKB_WRITE),
    /* tunnel metadata and cgroup membership of an skb: tc-side helpers, like Linux's */
    P(20, "skb_get_tunnel_key", RET_INTEGER, ARG_CTX, ARG_MEM_UNINIT, ARG_CONST_SIZE, ANY, N, 0, 0, SKB_WRITE),
    P(21, "skb_set_tunnel_key", RET_INTEGER, ARG_CTX, ARG_MEM, ARG_CONST_SIZE, ANY, N, 0, 0, SKB_WRITE),
    P(22, "perf_event_read", RET_INTEGER, ARG_MAP_PTR, ANY, N, N, N, 0, MAP_TYPE_PERF_EVENT_ARRAY, TRACING),
    P(23, "redirect", RET_INTEGER, ANY, ANY, N, N, N, 0, 0, REDIRECT),
    P(25, "perf_event_output", RET_INTEGER, ARG_CTX, ARG_MAP_PTR, ANY, ARG_MEM, ARG_CONST_SIZE_OR_ZERO,
      0, MAP_TYPE_PERF_EVENT_ARRAY, PERF_OUTPUT),
    P(26, "skb_load_bytes", RET_INTEGER, ARG_CTX, ANY, ARG_MEM_UNINIT, ARG_CONST_SIZE, N, 0, 0, SKB_READ),
    P(27, "get_stackid", RET_INTEGER, ARG_CTX, ARG_MAP_PTR, ANY, N, N, 0, MAP_TYPE_STACK_TRACE, TRACING),
    P(28, "csum_diff", RET_INTEGER, ARG_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_MEM_OR_NULL,
      ARG_CONST_SIZE_OR_ZERO, ANY, 0, 0, PACKET),
    P(33, "skb_under_cgroup", RET_INTEGER, ARG_CTX, ARG_MAP_PTR, ANY, N, N, 0, MAP_TYPE_CGROUP_ARRAY, SKB_WRITE),
    P(35, "get_current_task", RET_INTEGER, N, N, N, N, N, 0, 0, TRACING),
    P(36, "probe_write_user", RET_INTEGER, ANY, ARG_MEM, ARG_CONST_SIZE, N, N, 0, 0, TRACING),
    P(37, "current_task_under_cgroup", RET_INTEGER, ARG_MAP_PTR, ANY, N, N, N, 0, 0, TRACING),
    P(44, "xdp_adjust_head", RET_INTEGER, ARG_CTX, ANY, N, N, N, HELPER_CHANGES_PACKET, 0, XDP),
    P(45, "probe_read_str", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ANY, N, N, 0, 0, TRACING),
    /* the socket of an skb, sock_addr or sock_ops context */
    P(46, "get_socket_cookie", RET_INTEGER, ARG_CTX, N, N, N, N, 0, 0, SKB_READ | HELPERS_SOCKOPT),
    P(49, "setsockopt", RET_INTEGER, ARG_CTX, ANY, ANY, ARG_MEM, ARG_CONST_SIZE, 0, 0, SOCKOPT),
    P(51, "redirect_map", RET_INTEGER, ARG_MAP_PTR, ANY, ANY, N, N, 0, MAP_TYPE_ANY, REDIRECT),
    P(54, "xdp_adjust_meta", RET_INTEGER, ARG_CTX, ANY, N, N, N, HELPER_CHANGES_PACKET, 0, XDP),
    P(55, "perf_event_read_value", RET_INTEGER, ARG_MAP_PTR, ANY, ARG_MEM_UNINIT, ARG_CONST_SIZE, N, 0,
      MAP_TYPE_PERF_EVENT_ARRAY, TRACING),
    P(56, "perf_prog_read_value", RET_INTEGER, ARG_CTX, ARG_MEM_UNINIT, ARG_CONST_SIZE, N, N, 0, 0, TRACING),
    P(57, "getsockopt", RET_INTEGER, ARG_CTX, ANY, ANY, ARG_MEM_UNINIT, ARG_CONST_SIZE, 0, 0, SOCKOPT),
    P(58, "override_return", RET_INTEGER, ARG_CTX, ANY, N, N, N, 0, 0, TRACING),
    P(59, "sock_ops_cb_flags_set", RET_INTEGER, ARG_CTX, ANY, N, N, N, 0, 0, SOCKOPT),
    P(65, "xdp_adjust_tail", RET_INTEGER, ARG_CTX, ANY, N, N, N, HELPER_CHANGES_PACKET, 0, XDP),
    P(68, "skb_load_bytes_relative", RET_INTEGER, ARG_CTX, ANY, ARG_MEM_UNINIT, ARG_CONST_SIZE, ANY, 0, 0,
      SKB_READ),
    P(69, "fib_lookup", RET_INTEGER, ARG_CTX, ARG_MEM_RW, ARG_CONST_SIZE, ANY, N, 0, 0, REDIRECT),
    P(84, "sk_lookup_tcp", RET_SOCKET_OR_NULL, ARG_CTX, ARG_MEM, ARG_CONST_SIZE, ANY, ANY,
      HELPER_ACQUIRES_REF, 0, SK_LOOKUP),
    P(85, "sk_lookup_udp", RET_SOCKET_OR_NULL, ARG_CTX, ARG_MEM, ARG_CONST_SIZE, ANY, ANY,
      HELPER_ACQUIRES_REF, 0, SK_LOOKUP),
    P(86, "sk_release", RET_INTEGER, ARG_SOCKET, N, N, N, N, HELPER_RELEASES_REF, 0, SK_LOOKUP),
    P(87, "map_push_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_VALUE, ANY, N, N, 0, MAP_TYPE_ANY, BASE),
    P(88, "map_pop_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_VALUE_UNINIT, N, N, N, 0, MAP_TYPE_ANY, BASE),
    P(89, "map_peek_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_VALUE_UNINIT, N, N, N, 0, MAP_TYPE_ANY, BASE),
    P(93, "spin_lock", RET_VOID, ARG_SPIN_LOCK, N, N, N, N, 0, 0, BASE),
    P(94, "spin_unlock", RET_VOID, ARG_SPIN_LOCK, N, N, N, N, 0, 0, BASE),
    P(112, "probe_read_user", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ANY, N, N, 0, 0, TRACING),
    P(113, "probe_read_kernel", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ANY, N, N, 0, 0, TRACING),
    P(114, "probe_read_user_str", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ANY, N, N, 0, 0, TRACING),
    P(115, "probe_read_kernel_str", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ANY, N, N, 0, 0, TRACING),
    P(118, "jiffies64", RET_INTEGER, N, N, N, N, N, 0, 0, BASE),
    P(125, "ktime_get_boot_ns", RET_INTEGER, N, N, N, N, N, 0, 0, BASE),
    P(130, "ringbuf_output", RET_INTEGER, ARG_MAP_PTR, ARG_MEM, ARG_CONST_SIZE_OR_ZERO, ANY, N, 0,
      MAP_TYPE_RINGBUF, BASE),
    P(131, "ringbuf_reserve", RET_RINGBUF_MEM_OR_NULL, ARG_MAP_PTR, ARG_CONST_ALLOC_SIZE, ANY, N, N, 0,
      MAP_TYPE_RINGBUF, BASE),
    P(132, "ringbuf_submit", RET_VOID, ARG_RINGBUF_MEM, ANY, N, N, N, 0, 0, BASE),
    P(133, "ringbuf_discard", RET_VOID, ARG_RINGBUF_MEM, ANY, N, N, N, 0, 0, BASE),
    P(134, "ringbuf_query", RET_INTEGER, ARG_MAP_PTR, ANY, N, N, N, 0, MAP_TYPE_RINGBUF, BASE),
    P(160, "ktime_get_coarse_ns", RET_INTEGER, N, N, N, N, N, 0, 0, BASE),
    P(164, "for_each_map_elem", RET_INTEGER, ARG_MAP_PTR, ARG_FUNC, ARG_STACK_OR_NULL, ANY, N,
      HELPER_CALLBACK_LOOP, MAP_TYPE_ANY, BASE),
    P(165, "snprintf", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ARG_CONST_STR,
      ARG_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, 0, 0, BASE),
    P(181, "loop", RET_INTEGER, ANY, ARG_FUNC, ARG_STACK_OR_NULL, ANY, N, HELPER_CALLBACK_LOOP, 0, BASE),
    P(182, "strncmp", RET_INTEGER, ARG_MEM, ARG_CONST_SIZE, ARG_CONST_STR, N, N, 0, 0, BASE),
};

size_t helper_proto_count(void) { return sizeof protos / sizeof protos[0]; }

const struct helper_proto *helper_proto_at(size_t index)
{
    return index < helper_proto_count() ? &protos[index] : NULL;
}

bool helper_calls_back(int32_t id)
{
    const struct helper_proto *p = helper_proto(id);
    return p && (p->flags & HELPER_CALLBACK_LOOP);
}

const struct helper_proto *helper_proto(int32_t id)
{
    size_t lo = 0, hi = helper_proto_count();
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (protos[mid].id == id)
            return &protos[mid];
        if (protos[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
