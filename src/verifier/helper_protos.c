/* Prototypes of the Linux helpers bpfhost provides, from include/uapi/linux/bpf.h. */
#include "verifier/helper_protos.h"

#define P(id, name, ret, a1, a2, a3, a4, a5, flags, map_type)                                      \
    {id, name, ret, {a1, a2, a3, a4, a5}, flags, map_type}
#define N ARG_NONE
#define ANY ARG_ANYTHING

static const struct helper_proto protos[] = {
    P(1, "map_lookup_elem", RET_MAP_VALUE_OR_NULL, ARG_MAP_PTR, ARG_MAP_KEY, N, N, N, 0, MAP_TYPE_ANY),
    P(2, "map_update_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_KEY, ARG_MAP_VALUE, ANY, N, 0, MAP_TYPE_ANY),
    P(3, "map_delete_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_KEY, N, N, N, 0, MAP_TYPE_ANY),
    P(5, "ktime_get_ns", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(6, "trace_printk", RET_INTEGER, ARG_MEM, ARG_CONST_SIZE, ANY, ANY, ANY, 0, 0),
    P(7, "get_prandom_u32", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(8, "get_smp_processor_id", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(12, "tail_call", RET_INTEGER, ARG_CTX, ARG_MAP_PTR, ANY, N, N, 0, MAP_TYPE_PROG_ARRAY),
    P(14, "get_current_pid_tgid", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(15, "get_current_uid_gid", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(16, "get_current_comm", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE, N, N, N, 0, 0),
    P(23, "redirect", RET_INTEGER, ANY, ANY, N, N, N, 0, 0),
    P(25, "perf_event_output", RET_INTEGER, ARG_CTX, ARG_MAP_PTR, ANY, ARG_MEM, ARG_CONST_SIZE_OR_ZERO,
      0, MAP_TYPE_PERF_EVENT_ARRAY),
    P(28, "csum_diff", RET_INTEGER, ARG_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_MEM_OR_NULL,
      ARG_CONST_SIZE_OR_ZERO, ANY, 0, 0),
    P(44, "xdp_adjust_head", RET_INTEGER, ARG_CTX, ANY, N, N, N, HELPER_CHANGES_PACKET, 0),
    P(51, "redirect_map", RET_INTEGER, ARG_MAP_PTR, ANY, ANY, N, N, 0, MAP_TYPE_ANY),
    P(54, "xdp_adjust_meta", RET_INTEGER, ARG_CTX, ANY, N, N, N, HELPER_CHANGES_PACKET, 0),
    P(65, "xdp_adjust_tail", RET_INTEGER, ARG_CTX, ANY, N, N, N, HELPER_CHANGES_PACKET, 0),
    P(84, "sk_lookup_tcp", RET_SOCKET_OR_NULL, ARG_CTX, ARG_MEM, ARG_CONST_SIZE, ANY, ANY,
      HELPER_ACQUIRES_REF, 0),
    P(85, "sk_lookup_udp", RET_SOCKET_OR_NULL, ARG_CTX, ARG_MEM, ARG_CONST_SIZE, ANY, ANY,
      HELPER_ACQUIRES_REF, 0),
    P(86, "sk_release", RET_INTEGER, ARG_SOCKET, N, N, N, N, HELPER_RELEASES_REF, 0),
    P(87, "map_push_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_VALUE, ANY, N, N, 0, MAP_TYPE_ANY),
    P(88, "map_pop_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_VALUE_UNINIT, N, N, N, 0, MAP_TYPE_ANY),
    P(89, "map_peek_elem", RET_INTEGER, ARG_MAP_PTR, ARG_MAP_VALUE_UNINIT, N, N, N, 0, MAP_TYPE_ANY),
    P(93, "spin_lock", RET_VOID, ARG_SPIN_LOCK, N, N, N, N, 0, 0),
    P(94, "spin_unlock", RET_VOID, ARG_SPIN_LOCK, N, N, N, N, 0, 0),
    P(118, "jiffies64", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(125, "ktime_get_boot_ns", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(130, "ringbuf_output", RET_INTEGER, ARG_MAP_PTR, ARG_MEM, ARG_CONST_SIZE_OR_ZERO, ANY, N, 0,
      MAP_TYPE_RINGBUF),
    P(131, "ringbuf_reserve", RET_RINGBUF_MEM_OR_NULL, ARG_MAP_PTR, ARG_CONST_ALLOC_SIZE, ANY, N, N, 0,
      MAP_TYPE_RINGBUF),
    P(132, "ringbuf_submit", RET_VOID, ARG_RINGBUF_MEM, ANY, N, N, N, 0, 0),
    P(133, "ringbuf_discard", RET_VOID, ARG_RINGBUF_MEM, ANY, N, N, N, 0, 0),
    P(134, "ringbuf_query", RET_INTEGER, ARG_MAP_PTR, ANY, N, N, N, 0, MAP_TYPE_RINGBUF),
    P(160, "ktime_get_coarse_ns", RET_INTEGER, N, N, N, N, N, 0, 0),
    P(164, "for_each_map_elem", RET_INTEGER, ARG_MAP_PTR, ARG_FUNC, ARG_STACK_OR_NULL, ANY, N, 0,
      MAP_TYPE_ANY),
    P(165, "snprintf", RET_INTEGER, ARG_MEM_UNINIT, ARG_CONST_SIZE_OR_ZERO, ARG_CONST_STR,
      ARG_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, 0, 0),
    P(181, "loop", RET_INTEGER, ANY, ARG_FUNC, ARG_STACK_OR_NULL, ANY, N, 0, 0),
    P(182, "strncmp", RET_INTEGER, ARG_MEM, ARG_CONST_SIZE, ARG_CONST_STR, N, N, 0, 0),
};

size_t helper_proto_count(void) { return sizeof protos / sizeof protos[0]; }

const struct helper_proto *helper_proto_at(size_t index)
{
    return index < helper_proto_count() ? &protos[index] : NULL;
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
