/* The helper functions programs call by Linux id (runtime layer). Each group registers its
 * helpers into a vm_helpers table; helpers_fill_table registers all of them. */
#ifndef BPFHOST_HELPERS_H
#define BPFHOST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

/* Linux helper ids (enum bpf_func_id). */
enum helper_id {
    HELPER_MAP_LOOKUP_ELEM = 1, HELPER_MAP_UPDATE_ELEM = 2, HELPER_MAP_DELETE_ELEM = 3,
    HELPER_KTIME_GET_NS = 5, HELPER_TRACE_PRINTK = 6, HELPER_GET_PRANDOM_U32 = 7,
    HELPER_GET_SMP_PROCESSOR_ID = 8, HELPER_TAIL_CALL = 12, HELPER_GET_CURRENT_PID_TGID = 14,
    HELPER_GET_CURRENT_UID_GID = 15, HELPER_GET_CURRENT_COMM = 16, HELPER_REDIRECT = 23,
    HELPER_PERF_EVENT_OUTPUT = 25, HELPER_CSUM_DIFF = 28, HELPER_XDP_ADJUST_HEAD = 44,
    HELPER_REDIRECT_MAP = 51, HELPER_XDP_ADJUST_META = 54, HELPER_XDP_ADJUST_TAIL = 65,
    HELPER_MAP_PUSH_ELEM = 87, HELPER_MAP_POP_ELEM = 88, HELPER_MAP_PEEK_ELEM = 89,
    HELPER_SPIN_LOCK = 93, HELPER_SPIN_UNLOCK = 94, HELPER_JIFFIES64 = 118,
    HELPER_KTIME_GET_BOOT_NS = 125, HELPER_RINGBUF_OUTPUT = 130, HELPER_RINGBUF_RESERVE = 131,
    HELPER_RINGBUF_SUBMIT = 132, HELPER_RINGBUF_DISCARD = 133, HELPER_RINGBUF_QUERY = 134,
    HELPER_KTIME_GET_COARSE_NS = 160, HELPER_FOR_EACH_MAP_ELEM = 164, HELPER_SNPRINTF = 165,
    HELPER_LOOP = 181, HELPER_STRNCMP = 182,
    HELPER_SKB_STORE_BYTES = 9, HELPER_L3_CSUM_REPLACE = 10, HELPER_L4_CSUM_REPLACE = 11,
    HELPER_SKB_LOAD_BYTES = 26, HELPER_GET_SOCKET_COOKIE = 46, HELPER_SOCK_OPS_CB_FLAGS_SET = 59,
    HELPER_SKB_LOAD_BYTES_RELATIVE = 68,
};

/* Registers the helpers that need no runtime object: time, random, current task, printing,
 * checksums, strings. */
void helpers_register_basic(struct vm_helpers *table);

/* Registers the map, ring buffer, spin lock, tail call and CPU slot helpers. */
void helpers_register_maps(struct vm_helpers *table);

/* Registers the XDP helpers (adjust_head/meta/tail, redirect, redirect_map); they act on
 * the struct runtime_xdp_frame that run->host points to. */
void helpers_register_xdp(struct vm_helpers *table);

/* Registers the helpers that call a function of the program back: bpf_loop (181) and
 * bpf_for_each_map_elem (164), through vm_run_call_function. */
void helpers_register_callbacks(struct vm_helpers *table);

/* Registers the socket buffer helpers (load/store bytes, checksum replacement); they act
 * on the struct runtime_skb that run->host points to (runtime/ctx_skb.h). */
void helpers_register_skb(struct vm_helpers *table);

/* Registers the socket helpers (get_socket_cookie, sock_ops_cb_flags_set) of the skb,
 * sock_addr, sock and sock_ops contexts. */
void helpers_register_sock(struct vm_helpers *table);

/* Registers bpf_perf_event_output, which writes to the runtime_perf_output objects of
 * PERF_EVENT_ARRAY slots (runtime/perf_output.h). */
void helpers_register_perf(struct vm_helpers *table);

/* Describes, for the checked interpreter, what each helper does with the memory its arguments
 * point to (vm_helpers.args, from the verifier's prototypes). */
void helpers_describe_arg_memory(struct vm_helpers *table);

/* Registers every helper bpfhost provides, and describes their memory arguments. */
void helpers_fill_table(struct vm_helpers *table);

/* Where bpf_trace_printk lines go. By default, the trace pipe (runtime/trace_pipe.h: the
 * system trace buffer or stderr); a sink set here gets each line instead, in Linux's
 * trace_pipe form (runtime_trace_format), ending in one newline. sink NULL restores the
 * default. The sink may be called from any thread. */
typedef void (*helpers_trace_sink)(const char *line, size_t len, void *arg);
void helpers_set_trace_sink(helpers_trace_sink sink, void *arg);

/* Formats like the kernel's bpf_bprintf_prepare: %d %i %u %x %X %c %s %p %% with the l/ll
 * length modifiers; %s arguments are read without faulting. args holds nargs values.
 * Returns the length of the formatted text (which may exceed out_size - 1, like snprintf),
 * or -EINVAL for an unsupported conversion, too many conversions or an unterminated format. */
int helpers_format(const char *fmt, size_t fmt_size, const uint64_t *args, unsigned nargs, char *out,
                   size_t out_size);

#endif
