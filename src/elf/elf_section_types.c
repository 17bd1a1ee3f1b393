/* Section name -> program type, as libbpf 1.1's section_defs table (tools/lib/bpf/libbpf.c)
 * and its matching rules, plus the eBPF for Windows hook sections. Order matters: the
 * first matching entry wins, so more specific names come first. */
#include <string.h>

#include "elf/elf_object.h"

/* How a name matches an entry: EXACT: equal. PLUS (libbpf's "name+"): equal, or the name
 * followed by '/' and anything. */
enum match { EXACT, PLUS };

struct section_def {
    const char *name;
    enum match match;
    uint32_t prog_type;
    uint32_t attach_type;
    uint32_t flags;
};

#define P(x) EBPF_PROG_TYPE_##x
#define A(x) EBPF_##x
#define SLEEP EBPF_F_SLEEPABLE
#define FRAGS EBPF_F_XDP_HAS_FRAGS

static const struct section_def section_defs[] = {
    {"socket", EXACT, P(SOCKET_FILTER), 0, 0},
    {"sk_reuseport/migrate", EXACT, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE), 0},
    {"sk_reuseport", EXACT, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT), 0},
    {"kprobe", PLUS, P(KPROBE), 0, 0},
    {"uprobe", PLUS, P(KPROBE), 0, 0},
    {"uprobe.s", PLUS, P(KPROBE), 0, SLEEP},
    {"kretprobe", PLUS, P(KPROBE), 0, 0},
    {"uretprobe", PLUS, P(KPROBE), 0, 0},
    {"uretprobe.s", PLUS, P(KPROBE), 0, SLEEP},
    {"kprobe.multi", PLUS, P(KPROBE), A(TRACE_KPROBE_MULTI), 0},
    {"kretprobe.multi", PLUS, P(KPROBE), A(TRACE_KPROBE_MULTI), 0},
    {"ksyscall", PLUS, P(KPROBE), 0, 0},
    {"kretsyscall", PLUS, P(KPROBE), 0, 0},
    {"usdt", PLUS, P(KPROBE), 0, 0},
    {"tc", EXACT, P(SCHED_CLS), 0, 0},
    {"classifier", EXACT, P(SCHED_CLS), 0, 0},
    {"action", EXACT, P(SCHED_ACT), 0, 0},
    {"tracepoint", PLUS, P(TRACEPOINT), 0, 0},
    {"tp", PLUS, P(TRACEPOINT), 0, 0},
    {"raw_tracepoint", PLUS, P(RAW_TRACEPOINT), 0, 0},
    {"raw_tp", PLUS, P(RAW_TRACEPOINT), 0, 0},
    {"raw_tracepoint.w", PLUS, P(RAW_TRACEPOINT_WRITABLE), 0, 0},
    {"raw_tp.w", PLUS, P(RAW_TRACEPOINT_WRITABLE), 0, 0},
    {"tp_btf", PLUS, P(TRACING), A(TRACE_RAW_TP), 0},
    {"fentry", PLUS, P(TRACING), A(TRACE_FENTRY), 0},
    {"fmod_ret", PLUS, P(TRACING), A(MODIFY_RETURN), 0},
    {"fexit", PLUS, P(TRACING), A(TRACE_FEXIT), 0},
    {"fentry.s", PLUS, P(TRACING), A(TRACE_FENTRY), SLEEP},
    {"fmod_ret.s", PLUS, P(TRACING), A(MODIFY_RETURN), SLEEP},
    {"fexit.s", PLUS, P(TRACING), A(TRACE_FEXIT), SLEEP},
    {"freplace", PLUS, P(EXT), 0, 0},
    {"lsm", PLUS, P(LSM), A(LSM_MAC), 0},
    {"lsm.s", PLUS, P(LSM), A(LSM_MAC), SLEEP},
    {"lsm_cgroup", PLUS, P(LSM), A(LSM_CGROUP), 0},
    {"iter", PLUS, P(TRACING), A(TRACE_ITER), 0},
    {"iter.s", PLUS, P(TRACING), A(TRACE_ITER), SLEEP},
    {"syscall", EXACT, P(SYSCALL), 0, SLEEP},
    {"xdp.frags/devmap", EXACT, P(XDP), A(XDP_DEVMAP), FRAGS},
    {"xdp/devmap", EXACT, P(XDP), A(XDP_DEVMAP), 0},
    {"xdp.frags/cpumap", EXACT, P(XDP), A(XDP_CPUMAP), FRAGS},
    {"xdp/cpumap", EXACT, P(XDP), A(XDP_CPUMAP), 0},
    {"xdp.frags", EXACT, P(XDP), A(XDP), FRAGS},
    {"xdp", EXACT, P(XDP), A(XDP), 0},
    {"perf_event", EXACT, P(PERF_EVENT), 0, 0},
    {"lwt_in", EXACT, P(LWT_IN), 0, 0},
    {"lwt_out", EXACT, P(LWT_OUT), 0, 0},
    {"lwt_xmit", EXACT, P(LWT_XMIT), 0, 0},
    {"lwt_seg6local", EXACT, P(LWT_SEG6LOCAL), 0, 0},
    {"sockops", EXACT, P(SOCK_OPS), A(CGROUP_SOCK_OPS), 0},
    {"sk_skb/stream_parser", EXACT, P(SK_SKB), A(SK_SKB_STREAM_PARSER), 0},
    {"sk_skb/stream_verdict", EXACT, P(SK_SKB), A(SK_SKB_STREAM_VERDICT), 0},
    {"sk_skb", EXACT, P(SK_SKB), 0, 0},
    {"sk_msg", EXACT, P(SK_MSG), A(SK_MSG_VERDICT), 0},
    {"lirc_mode2", EXACT, P(LIRC_MODE2), A(LIRC_MODE2), 0},
    {"flow_dissector", EXACT, P(FLOW_DISSECTOR), A(FLOW_DISSECTOR), 0},
    {"cgroup_skb/ingress", EXACT, P(CGROUP_SKB), A(CGROUP_INET_INGRESS), 0},
    {"cgroup_skb/egress", EXACT, P(CGROUP_SKB), A(CGROUP_INET_EGRESS), 0},
    {"cgroup/skb", EXACT, P(CGROUP_SKB), 0, 0},
    {"cgroup/sock_create", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0},
    {"cgroup/sock_release", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE), 0},
    {"cgroup/sock", EXACT, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0},
    {"cgroup/post_bind4", EXACT, P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND), 0},
    {"cgroup/post_bind6", EXACT, P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND), 0},
    {"cgroup/bind4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND), 0},
    {"cgroup/bind6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND), 0},
    {"cgroup/connect4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT), 0},
    {"cgroup/connect6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT), 0},
    {"cgroup/sendmsg4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG), 0},
    {"cgroup/sendmsg6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG), 0},
    {"cgroup/recvmsg4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG), 0},
    {"cgroup/recvmsg6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG), 0},
    {"cgroup/getpeername4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME), 0},
    {"cgroup/getpeername6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME), 0},
    {"cgroup/getsockname4", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME), 0},
    {"cgroup/getsockname6", EXACT, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME), 0},
    {"cgroup/sysctl", EXACT, P(CGROUP_SYSCTL), A(CGROUP_SYSCTL), 0},
    {"cgroup/getsockopt", EXACT, P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT), 0},
    {"cgroup/setsockopt", EXACT, P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT), 0},
    {"cgroup/dev", EXACT, P(CGROUP_DEVICE), A(CGROUP_DEVICE), 0},
    {"struct_ops", PLUS, P(STRUCT_OPS), 0, 0},
    {"sk_lookup", EXACT, P(SK_LOOKUP), A(SK_LOOKUP), 0},
    /* eBPF for Windows hooks (prefix match there, so "bind/..." too). */
    {"bind", PLUS, EBPF_PROG_TYPE_HOST_BIND, EBPF_ATTACH_HOST_BIND, 0},
    {"xdp_test", PLUS, EBPF_PROG_TYPE_HOST_XDP_TEST, EBPF_ATTACH_HOST_XDP_TEST, 0},
    {"sample_ext", PLUS, EBPF_PROG_TYPE_HOST_SAMPLE, EBPF_ATTACH_HOST_SAMPLE, 0},
    {"process", PLUS, EBPF_PROG_TYPE_HOST_PROCESS, EBPF_ATTACH_HOST_PROCESS, 0},
};

static bool matches(const struct section_def *def, const char *name)
{
    size_t len = strlen(def->name);
    if (def->match == EXACT)
        return strcmp(name, def->name) == 0;
    return strncmp(name, def->name, len) == 0 && (name[len] == '\0' || name[len] == '/');
}

bool elf_section_type_by_name(const char *section_name, struct elf_section_type *out)
{
    for (size_t i = 0; i < sizeof(section_defs) / sizeof(section_defs[0]); i++) {
        if (matches(&section_defs[i], section_name)) {
            *out = (struct elf_section_type){section_defs[i].prog_type,
                                             section_defs[i].attach_type,
                                             section_defs[i].flags};
            return true;
        }
    }
    *out = (struct elf_section_type){EBPF_PROG_TYPE_UNSPEC, 0, 0};
    return false;
}
