/* Context layouts and return ranges of the supported program types. */
#include "verifier/prog_types.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "verifier/helper_protos.h"

static const struct ctx_field xdp_fields[] = {
    {"data", 0, 4, CTX_READ, CTX_PACKET},
    {"data_end", 4, 4, CTX_READ, CTX_PACKET_END},
    {"data_meta", 8, 4, CTX_READ, CTX_PACKET_META},
    {"ingress_ifindex", 12, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"rx_queue_index", 16, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"egress_ifindex", 20, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
/* struct __sk_buff as Linux's net/core/filter.c lets each program type see it
 * (bpf_skb_is_valid_access and the per-type checks before it). Socket filters see neither
 * packet pointers nor the socket's addresses (sk_filter_is_valid_access refuses
 * tc_classid, data..data_end, family..local_port, tstamp, wire_len and hwtstamp) and write
 * only cb. cb is one range: Linux takes any aligned access inside cb[0..4], 8 bytes too.
 * The packet pointers, remote/local addresses, tstamp, sk and hwtstamp take only their
 * full width; the other words allow aligned narrow reads. */
#define SKB_COMMON_HEAD(writable)                                                                  \
    {"len", 0, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                             \
    {"pkt_type", 4, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                        \
    {"mark", 8, 4, CTX_READ | (writable) | CTX_NARROW, CTX_SCALAR},                               \
    {"queue_mapping", 12, 4, CTX_READ | (writable) | CTX_NARROW, CTX_SCALAR},                     \
    {"protocol", 16, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                       \
    {"vlan_present", 20, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                   \
    {"vlan_tci", 24, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                       \
    {"vlan_proto", 28, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                     \
    {"priority", 32, 4, CTX_READ | (writable) | CTX_NARROW, CTX_SCALAR},                          \
    {"ingress_ifindex", 36, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                \
    {"ifindex", 40, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                        \
    {"tc_index", 44, 4, CTX_READ | (writable) | CTX_NARROW, CTX_SCALAR},                          \
    {"cb", 48, 20, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},                                \
    {"hash", 68, 4, CTX_READ | CTX_NARROW, CTX_SCALAR}
static const struct ctx_field socket_fields[] = {
    SKB_COMMON_HEAD(0),
    {"napi_id", 84, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"gso_segs", 164, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"sk", 168, 8, CTX_READ, CTX_SOCKET_OR_NULL},
    {"gso_size", 176, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
/* tc (tc_cls_act_is_valid_access) also refuses family..local_port: a classifier reaches
 * the socket's addresses through skb->sk. tstamp_type reads as one byte only. */
static const struct ctx_field tc_fields[] = {
    SKB_COMMON_HEAD(CTX_WRITE),
    {"tc_classid", 72, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"data", 76, 4, CTX_READ, CTX_PACKET},
    {"data_end", 80, 4, CTX_READ, CTX_PACKET_END},
    {"napi_id", 84, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"data_meta", 140, 4, CTX_READ, CTX_PACKET_META},
    {"tstamp", 152, 8, CTX_READ | CTX_WRITE, CTX_SCALAR},
    {"wire_len", 160, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"gso_segs", 164, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"sk", 168, 8, CTX_READ, CTX_SOCKET_OR_NULL},
    {"gso_size", 176, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"tstamp_type", 180, 1, CTX_READ, CTX_SCALAR},
    {"hwtstamp", 184, 8, CTX_READ, CTX_SCALAR},
};
#undef SKB_COMMON_HEAD
static const struct ctx_field sock_addr_fields[] = {
    {"user_family", 0, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"user_ip4", 4, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"user_ip6[0]", 8, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"user_ip6[1]", 12, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"user_ip6[2]", 16, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"user_ip6[3]", 20, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"user_port", 24, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"family", 28, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"type", 32, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"protocol", 36, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"msg_src_ip4", 40, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"msg_src_ip6[0]", 44, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"msg_src_ip6[1]", 48, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"msg_src_ip6[2]", 52, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"msg_src_ip6[3]", 56, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"sk", 64, 8, CTX_READ, CTX_SOCKET},
};
/* eBPF for Windows' struct bpf_sock_addr (ebpf_nethooks.h): its own layout, not Linux's. */
static const struct ctx_field windows_sock_addr_fields[] = {
    {"family", 0, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"msg_src_ip6", 4, 16, CTX_READ | CTX_NARROW, CTX_SCALAR}, /* msg_src_ip4 is its first word */
    {"msg_src_port", 20, 2, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"user_ip6", 24, 16, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR}, /* user_ip4 likewise */
    {"user_port", 40, 2, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"protocol", 44, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"compartment_id", 48, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"interface_luid", 56, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
/* eBPF for Windows' struct bind_md (ebpf_nethooks.h): the application id is a byte range
 * [app_id_start, app_id_end) read like a packet (PREVAIL's descriptor says the same), and
 * the address may be rewritten for BIND_REDIRECT. operation is an enum: 4 bytes at 44. */
static const struct ctx_field windows_bind_fields[] = {
    {"app_id_start", 0, 8, CTX_READ, CTX_PACKET},
    {"app_id_end", 8, 8, CTX_READ, CTX_PACKET_END},
    {"process_id", 16, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"socket_address", 24, 16, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"socket_address_length", 40, 1, CTX_READ, CTX_SCALAR},
    {"operation", 44, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"protocol", 48, 1, CTX_READ, CTX_SCALAR},
};
/* eBPF for Windows' struct bpf_sock_ops (ebpf_nethooks.h): its own layout, read-only. */
static const struct ctx_field windows_sock_ops_fields[] = {
    {"op", 0, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"family", 4, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_ip6", 8, 16, CTX_READ | CTX_NARROW, CTX_SCALAR}, /* local_ip4 is its first word */
    {"local_port", 24, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_ip6", 28, 16, CTX_READ | CTX_NARROW, CTX_SCALAR}, /* remote_ip4 likewise */
    {"remote_port", 44, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"protocol", 48, 1, CTX_READ, CTX_SCALAR},
    {"compartment_id", 52, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"interface_luid", 56, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
static const struct ctx_field sock_ops_fields[] = {
    {"op", 0, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"args[0]", 4, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"args[1]", 8, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"args[2]", 12, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"args[3]", 16, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"family", 20, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_ip4", 24, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_ip4", 28, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_ip6[0]", 32, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_ip6[1]", 36, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_ip6[2]", 40, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_ip6[3]", 44, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_ip6[0]", 48, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_ip6[1]", 52, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_ip6[2]", 56, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_ip6[3]", 60, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"remote_port", 64, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"local_port", 68, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"is_fullsock", 72, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"snd_cwnd", 76, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"srtt_us", 80, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"bpf_sock_ops_cb_flags", 84, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"state", 88, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"rtt_min", 92, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"snd_ssthresh", 96, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"rcv_nxt", 100, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"snd_nxt", 104, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"snd_una", 108, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"mss_cache", 112, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"ecn_flags", 116, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"rate_delivered", 120, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"rate_interval_us", 124, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"packets_out", 128, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"retrans_out", 132, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"total_retrans", 136, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"segs_in", 140, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"data_segs_in", 144, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"segs_out", 148, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"data_segs_out", 152, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"lost_out", 156, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"sacked_out", 160, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"sk_txhash", 164, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"bytes_received", 168, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"bytes_acked", 176, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"sk", 184, 8, CTX_READ, CTX_SOCKET_OR_NULL},
    {"skb_data", 192, 8, CTX_READ, CTX_PACKET},
    {"skb_data_end", 200, 8, CTX_READ, CTX_PACKET_END},
    {"skb_len", 208, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"skb_tcp_flags", 212, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
static const struct ctx_field sock_fields[] = {
    {"bound_dev_if", 0, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"family", 4, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"type", 8, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"protocol", 12, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"mark", 16, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"priority", 20, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},
    {"src_ip4", 24, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"src_ip6[0]", 28, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"src_ip6[1]", 32, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"src_ip6[2]", 36, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"src_ip6[3]", 40, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"src_port", 44, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"dst_port", 48, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"dst_ip4", 52, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"dst_ip6[0]", 56, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"dst_ip6[1]", 60, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"dst_ip6[2]", 64, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"dst_ip6[3]", 68, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"state", 72, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"rx_queue_mapping", 76, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
/* bpfhost's struct process_md: eBPF for Windows' layout (command line between two
 * pointers, then ids, times, exit code, operation) followed by the Unix credentials and
 * the thread name. The operation is a 4-byte field whose upper bytes are zero, so that
 * Windows' 8-bit bitfield reads the same. */
static const struct ctx_field process_fields[] = {
    {"command_start", 0, 8, CTX_READ, CTX_PACKET},
    {"command_end", 8, 8, CTX_READ, CTX_PACKET_END},
    {"process_id", 16, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"parent_process_id", 24, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"creating_process_id", 32, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"creating_thread_id", 40, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"creation_time", 48, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"exit_time", 56, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"process_exit_code", 64, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"operation", 68, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"uid", 72, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"gid", 76, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"comm", 80, 16, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
static const struct ctx_field pt_regs_fields[] = {
    {"regs", 0, 168, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
static const struct ctx_field tracepoint_fields[] = {
    {"fields", 8, 2040, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
static const struct ctx_field raw_tp_fields[] = {
    {"args", 0, 96, CTX_READ | CTX_NARROW, CTX_SCALAR},
};
static const struct ctx_field perf_event_fields[] = {
    {"regs", 0, 168, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"sample_period", 168, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
    {"addr", 176, 8, CTX_READ | CTX_NARROW, CTX_SCALAR},
};

#define FIELDS(table) table, sizeof(table) / sizeof(table[0])

/* Tracing contexts hold x86-64's struct pt_regs (21 registers of 8 bytes). */
static const struct prog_type_desc prog_types[] = {
    {"xdp", PROG_TYPE_XDP, "struct xdp_md", 24, FIELDS(xdp_fields), false, 0, 0, false,
     HELPERS_BASE | HELPERS_PERF_OUTPUT | HELPERS_PACKET | HELPERS_XDP | HELPERS_REDIRECT | HELPERS_SK_LOOKUP},
    {"socket", PROG_TYPE_SOCKET_FILTER, "struct __sk_buff", 192, FIELDS(socket_fields), false, 0, 0, true,
     HELPERS_BASE | HELPERS_PERF_OUTPUT | HELPERS_SKB_READ},
    {"tc", PROG_TYPE_SCHED_CLS, "struct __sk_buff", 192, FIELDS(tc_fields), false, 0, 0, true,
     HELPERS_BASE | HELPERS_PERF_OUTPUT | HELPERS_PACKET | HELPERS_SKB_READ | HELPERS_SKB_WRITE | HELPERS_REDIRECT | HELPERS_SK_LOOKUP},
    {"cgroup/sock_addr", PROG_TYPE_CGROUP_SOCK_ADDR, "struct bpf_sock_addr", 72,
     FIELDS(sock_addr_fields), true, 0, 1, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT | HELPERS_SK_LOOKUP | HELPERS_SOCKOPT},
    /* eBPF for Windows treats every verdict other than PROCEED_SOFT (1) and PROCEED_HARD (2)
     * as REJECT (0), so no return value is out of range there. */
    {"windows/sock_addr", PROG_TYPE_CGROUP_SOCK_ADDR, "struct bpf_sock_addr (eBPF for Windows)", 64,
     FIELDS(windows_sock_addr_fields), false, 0, 0, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT},
    {"sockops", PROG_TYPE_SOCK_OPS, "struct bpf_sock_ops", 216, FIELDS(sock_ops_fields), true, 0, 1, false,
     HELPERS_BASE | HELPERS_PERF_OUTPUT | HELPERS_SOCKOPT},
    /* eBPF for Windows ignores sock_ops verdicts, and the bind hook blocks on any value but
     * BIND_PERMIT (0) and BIND_REDIRECT (2): no return value is out of range. */
    {"windows/sockops", PROG_TYPE_SOCK_OPS, "struct bpf_sock_ops (eBPF for Windows)", 64,
     FIELDS(windows_sock_ops_fields), false, 0, 0, false, HELPERS_BASE | HELPERS_PERF_OUTPUT},
    {"bind", PROG_TYPE_HOST_BIND, "struct bind_md (eBPF for Windows)", 56, FIELDS(windows_bind_fields),
     false, 0, 0, false, HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT},
    {"cgroup/sock", PROG_TYPE_CGROUP_SOCK, "struct bpf_sock", 80, FIELDS(sock_fields), true, 0, 1, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT},
    {"process", PROG_TYPE_HOST_PROCESS, "struct process_md", 96, FIELDS(process_fields), false, 0, 0, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT},
    {"kprobe", PROG_TYPE_KPROBE, "struct pt_regs", 168, FIELDS(pt_regs_fields), false, 0, 0, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_TRACING | HELPERS_PERF_OUTPUT},
    {"tracepoint", PROG_TYPE_TRACEPOINT, "tracepoint record", 2048, FIELDS(tracepoint_fields), false, 0, 0, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_TRACING | HELPERS_PERF_OUTPUT},
    {"raw_tracepoint", PROG_TYPE_RAW_TRACEPOINT, "struct bpf_raw_tracepoint_args", 96,
     FIELDS(raw_tp_fields), false, 0, 0, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_TRACING | HELPERS_PERF_OUTPUT},
    {"perf_event", PROG_TYPE_PERF_EVENT, "struct bpf_perf_event_data", 184, FIELDS(perf_event_fields),
     false, 0, 0, false,
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_TRACING | HELPERS_PERF_OUTPUT},
};

/* --- attach-type refinements (Linux's sock_addr_is_valid_access, __sock_filter_check_attach_type) --- */

#define ADDR_FIELDS(name, ip4, ip6, src4, src6)                                                    \
    static const struct ctx_field name[] = {                                                       \
        {"user_family", 0, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                  \
        {"user_ip4", 4, 4, ip4, CTX_SCALAR},                                                       \
        {"user_ip6[0]", 8, 4, ip6, CTX_SCALAR},                                                    \
        {"user_ip6[1]", 12, 4, ip6, CTX_SCALAR},                                                   \
        {"user_ip6[2]", 16, 4, ip6, CTX_SCALAR},                                                   \
        {"user_ip6[3]", 20, 4, ip6, CTX_SCALAR},                                                   \
        {"user_port", 24, 4, CTX_READ | CTX_WRITE | CTX_NARROW, CTX_SCALAR},                       \
        {"family", 28, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                      \
        {"type", 32, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                        \
        {"protocol", 36, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                    \
        {"msg_src_ip4", 40, 4, src4, CTX_SCALAR},                                                  \
        {"msg_src_ip6[0]", 44, 4, src6, CTX_SCALAR},                                               \
        {"msg_src_ip6[1]", 48, 4, src6, CTX_SCALAR},                                               \
        {"msg_src_ip6[2]", 52, 4, src6, CTX_SCALAR},                                               \
        {"msg_src_ip6[3]", 56, 4, src6, CTX_SCALAR},                                               \
        {"sk", 64, 8, CTX_READ, CTX_SOCKET},                                                       \
    }
#define RW (CTX_READ | CTX_WRITE | CTX_NARROW)
ADDR_FIELDS(addr4_fields, RW, 0, 0, 0);
ADDR_FIELDS(addr4_sendmsg_fields, RW, 0, RW, 0);
ADDR_FIELDS(addr6_fields, 0, RW, 0, 0);
ADDR_FIELDS(addr6_sendmsg_fields, 0, RW, 0, RW);
#undef RW

#define SOCK_FIELDS(name, settable, source)                                                        \
    static const struct ctx_field name[] = {                                                       \
        {"bound_dev_if", 0, 4, settable, CTX_SCALAR},                                              \
        {"family", 4, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                       \
        {"type", 8, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                         \
        {"protocol", 12, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                    \
        {"mark", 16, 4, settable, CTX_SCALAR},                                                     \
        {"priority", 20, 4, settable, CTX_SCALAR},                                                 \
        {"src_ip4", 24, 4, source, CTX_SCALAR},                                                    \
        {"src_ip6[0]", 28, 4, source, CTX_SCALAR},                                                 \
        {"src_ip6[1]", 32, 4, source, CTX_SCALAR},                                                 \
        {"src_ip6[2]", 36, 4, source, CTX_SCALAR},                                                 \
        {"src_ip6[3]", 40, 4, source, CTX_SCALAR},                                                 \
        {"src_port", 44, 4, source, CTX_SCALAR},                                                   \
        {"dst_port", 48, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                    \
        {"dst_ip4", 52, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                     \
        {"dst_ip6[0]", 56, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                  \
        {"dst_ip6[1]", 60, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                  \
        {"dst_ip6[2]", 64, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                  \
        {"dst_ip6[3]", 68, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                  \
        {"state", 72, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                                       \
        {"rx_queue_mapping", 76, 4, CTX_READ | CTX_NARROW, CTX_SCALAR},                            \
    }
SOCK_FIELDS(sock_create_fields, CTX_READ | CTX_WRITE | CTX_NARROW, 0);
SOCK_FIELDS(sock_post_bind_fields, CTX_READ | CTX_NARROW, CTX_READ | CTX_NARROW);

#define SOCK_ADDR(fields, lo, hi)                                                                  \
    {"cgroup/sock_addr", PROG_TYPE_CGROUP_SOCK_ADDR, "struct bpf_sock_addr", 72, FIELDS(fields), true, lo, hi, \
     false, HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT | HELPERS_SK_LOOKUP | HELPERS_SOCKOPT}
#define SOCK(fields)                                                                               \
    {"cgroup/sock", PROG_TYPE_CGROUP_SOCK, "struct bpf_sock", 80, FIELDS(fields), true, 0, 1, false,        \
     HELPERS_BASE | HELPERS_CURRENT | HELPERS_PERF_OUTPUT}

/* Linux's enum bpf_attach_type numbers. */
enum {
    ATTACH_SOCK_CREATE = 2, ATTACH_INET4_BIND = 8, ATTACH_INET6_BIND = 9, ATTACH_INET4_CONNECT = 10,
    ATTACH_INET6_CONNECT = 11, ATTACH_INET4_POST_BIND = 12, ATTACH_INET6_POST_BIND = 13,
    ATTACH_UDP4_SENDMSG = 14, ATTACH_UDP6_SENDMSG = 15, ATTACH_UDP4_RECVMSG = 19, ATTACH_UDP6_RECVMSG = 20,
    ATTACH_INET4_GETPEERNAME = 29, ATTACH_INET6_GETPEERNAME = 30, ATTACH_INET4_GETSOCKNAME = 31,
    ATTACH_INET6_GETSOCKNAME = 32, ATTACH_SOCK_RELEASE = 34,
};

static const struct attach_refinement {
    uint32_t linux_type, attach_type;
    struct prog_type_desc desc;
} refinements[] = {
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET4_BIND, SOCK_ADDR(addr4_fields, 0, 3)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET6_BIND, SOCK_ADDR(addr6_fields, 0, 3)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET4_CONNECT, SOCK_ADDR(addr4_fields, 0, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET6_CONNECT, SOCK_ADDR(addr6_fields, 0, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_UDP4_SENDMSG, SOCK_ADDR(addr4_sendmsg_fields, 0, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_UDP6_SENDMSG, SOCK_ADDR(addr6_sendmsg_fields, 0, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_UDP4_RECVMSG, SOCK_ADDR(addr4_fields, 1, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_UDP6_RECVMSG, SOCK_ADDR(addr6_fields, 1, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET4_GETPEERNAME, SOCK_ADDR(addr4_fields, 1, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET6_GETPEERNAME, SOCK_ADDR(addr6_fields, 1, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET4_GETSOCKNAME, SOCK_ADDR(addr4_fields, 1, 1)},
    {PROG_TYPE_CGROUP_SOCK_ADDR, ATTACH_INET6_GETSOCKNAME, SOCK_ADDR(addr6_fields, 1, 1)},
    /* Linux's loader turns attach type 0 of a cgroup/sock program into sock_create. */
    {PROG_TYPE_CGROUP_SOCK, 0, SOCK(sock_create_fields)},
    {PROG_TYPE_CGROUP_SOCK, ATTACH_SOCK_CREATE, SOCK(sock_create_fields)},
    {PROG_TYPE_CGROUP_SOCK, ATTACH_SOCK_RELEASE, SOCK(sock_create_fields)},
    {PROG_TYPE_CGROUP_SOCK, ATTACH_INET4_POST_BIND, SOCK(sock_post_bind_fields)},
    {PROG_TYPE_CGROUP_SOCK, ATTACH_INET6_POST_BIND, SOCK(sock_post_bind_fields)},
};

const struct prog_type_desc *prog_type_for_attach(uint32_t linux_type, uint32_t attach_type)
{
    for (size_t i = 0; i < sizeof refinements / sizeof refinements[0]; i++)
        if (refinements[i].linux_type == linux_type && refinements[i].attach_type == attach_type)
            return &refinements[i].desc;
    if (linux_type == PROG_TYPE_CGROUP_SOCK_ADDR)
        return NULL; /* Linux refuses to load one without its attach type */
    return prog_type_by_linux_type(linux_type);
}

size_t prog_type_count(void) { return sizeof prog_types / sizeof prog_types[0]; }

const struct prog_type_desc *prog_type_at(size_t index)
{
    return index < prog_type_count() ? &prog_types[index] : NULL;
}

const struct prog_type_desc *prog_type_by_name(const char *name)
{
    for (size_t i = 0; name && i < prog_type_count(); i++)
        if (!strcmp(prog_types[i].name, name))
            return &prog_types[i];
    return NULL;
}

const struct prog_type_desc *prog_type_by_linux_type(uint32_t linux_type)
{
    for (size_t i = 0; i < prog_type_count(); i++)
        if (prog_types[i].linux_type == linux_type)
            return &prog_types[i];
    return NULL;
}

const struct ctx_field *prog_type_find_field(const struct prog_type_desc *type, int64_t offset,
                                             unsigned size)
{
    for (size_t i = 0; i < type->field_count; i++) {
        const struct ctx_field *f = &type->fields[i];
        if (offset >= f->offset && offset + size <= (int64_t)f->offset + f->size)
            return f;
    }
    return NULL;
}

bool prog_type_access_ok(const struct prog_type_desc *type, int64_t offset, unsigned size,
                         bool write, const struct ctx_field **field, char *msg, size_t msg_size)
{
    const struct ctx_field *f = offset >= 0 ? prog_type_find_field(type, offset, size) : NULL;
    *field = f;
    if (!f) {
        snprintf(msg, msg_size, "%s has no field at offset %" PRId64 " size %u", type->ctx_name,
                 offset, size);
        return false;
    }
    if (!(f->access & (write ? CTX_WRITE : CTX_READ))) {
        snprintf(msg, msg_size, "%s field %s is %s", type->ctx_name, f->name,
                 write ? "read-only" : "not readable");
        return false;
    }
    bool whole = offset == f->offset && size == f->size;
    bool narrow_ok = (f->access & CTX_NARROW) && offset % size == 0 && size <= 8 &&
                     (!write || size == f->size || f->size > 8);
    if (!whole && !narrow_ok) {
        snprintf(msg, msg_size, "%s field %s (offset %u, %u bytes) cannot be %s with %u bytes at offset %" PRId64,
                 type->ctx_name, f->name, f->offset, f->size, write ? "written" : "read", size, offset);
        return false;
    }
    if (f->kind != CTX_SCALAR && write) {
        snprintf(msg, msg_size, "%s field %s is read-only", type->ctx_name, f->name);
        return false;
    }
    return true;
}
