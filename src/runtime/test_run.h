/* Test-run (Linux's BPF_PROG_RUN): runs a loaded program on caller-supplied data and
 * context and reports what it returned and left, following Linux's net/bpf/test_run.c
 * for each program type:
 *   XDP            data: an Ethernet frame (14 to XDP_FRAME_SIZE - XDP_FRAME_HEADROOM
 *                  bytes), preceded by ctx.data bytes of metadata; ctx: struct xdp_md
 *                  (data = metadata length, a multiple of 4 up to 32; data_end = data
 *                  size; data_meta and egress_ifindex 0; rx_queue_index needs an
 *                  ingress_ifindex). data_out: metadata and frame as the program left them.
 *   SOCKET_FILTER, SCHED_CLS, SCHED_ACT  data: an Ethernet frame; ctx: struct __sk_buff,
 *                  of which mark, priority, ingress_ifindex, ifindex, cb, tstamp,
 *                  wire_len, gso_segs, gso_size, hwtstamp may be set (see ctx_skb.h).
 *   CGROUP_SOCK_ADDR  no data; ctx: struct bpf_sock_addr (ctx_sock_addr.h).
 *   CGROUP_SOCK    no data; ctx: struct bpf_sock (ctx_sock.h).
 *   SOCK_OPS       data: an optional TCP segment; ctx: struct bpf_sock_ops (ctx_sock_ops.h).
 *   process        data: the command line; ctx: struct process_md (ctx_process.h).
 * Linux runs only the first three kinds; the socket and process kinds are bpfhost's, with
 * the same conventions. A shorter ctx_in is zero-extended; a longer one must be zero
 * beyond the struct (-E2BIG); a field the caller may not set is -EINVAL. */
#ifndef BPFHOST_RUNTIME_TEST_RUN_H
#define BPFHOST_RUNTIME_TEST_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/prog.h"

/* Linux's BPF_F_TEST_* flags. */
enum {
    TEST_RUN_F_ON_CPU = 1u << 0,
    TEST_RUN_F_XDP_LIVE_FRAMES = 1u << 1,
    TEST_RUN_F_SKB_CHECKSUM_COMPLETE = 1u << 2,
};

/* The inputs of libbpf's struct bpf_test_run_opts. */
struct runtime_test_run_attr {
    const void *data_in;
    uint32_t data_size_in;
    void *data_out;             /* may be NULL */
    uint32_t data_size_out;     /* capacity of data_out */
    const void *ctx_in;         /* may be NULL: a context of zeros */
    uint32_t ctx_size_in;
    void *ctx_out;              /* may be NULL */
    uint32_t ctx_size_out;      /* capacity of ctx_out */
    uint32_t repeat;            /* runs; 0 means 1 */
    uint32_t flags;             /* TEST_RUN_F_*: none is supported yet, any is -EINVAL or -EOPNOTSUPP */
    uint32_t cpu;               /* must be 0 */
    uint32_t batch_size;        /* XDP live frames only: must be 0 */
};

/* The outputs of struct bpf_test_run_opts. */
struct runtime_test_run_result {
    uint32_t retval;            /* the program's r0, truncated to 32 bits as Linux */
    uint32_t duration_ns;       /* average per run, saturated at UINT32_MAX */
    uint32_t data_size_out;     /* the full size of the output data, even when it did not fit */
    uint32_t ctx_size_out;      /* the full size of the output context, when ctx_out was given */
};

/* Unverified programs run on the checked interpreter with this budget of instructions per
 * run, so that a loop cannot hang the caller. */
enum { TEST_RUN_MAX_STEPS = 1 << 24 };

/* Runs prog attr->repeat times on one context (changes persist from run to run, as in
 * Linux) and fills res. Returns 0; -ENOSPC when data_out or ctx_out was too small (res
 * is complete, the buffers hold what fitted); -EINVAL, -E2BIG, -EOPNOTSUPP or -ENOMEM for
 * bad input, an unsupported program type or flag; or the engine's error when the program
 * faulted. msg names what went wrong. */
int runtime_prog_test_run(struct runtime_prog *prog, const struct runtime_test_run_attr *attr,
                          struct runtime_test_run_result *res, char *msg, size_t msg_size);

#endif
