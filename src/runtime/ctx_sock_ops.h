/* The SOCK_OPS context: Linux's struct bpf_sock_ops, a TCP socket event (op, args) with the
 * connection's addresses and TCP state. A program writes its answer in reply/replylong
 * (args[]) and may set sk_txhash; bpf_sock_ops_cb_flags_set changes the callback flags.
 * For the header-option ops, skb_data/skb_data_end bound the segment (64-bit pointers). */
#ifndef BPFHOST_RUNTIME_CTX_SOCK_OPS_H
#define BPFHOST_RUNTIME_CTX_SOCK_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/ctx_common.h"
#include "runtime/ctx_sock.h"

/* struct bpf_sock_ops of linux/bpf.h (216 bytes). remote_port is network order in the
 * upper 16 bits (little-endian Linux), local_port host order. */
struct bpf_sock_ops_abi {
    uint32_t op;
    uint32_t args[4];           /* union with reply and replylong[4] */
    uint32_t family;
    uint32_t remote_ip4;
    uint32_t local_ip4;
    uint32_t remote_ip6[4];
    uint32_t local_ip6[4];
    uint32_t remote_port;
    uint32_t local_port;
    uint32_t is_fullsock;
    uint32_t snd_cwnd;
    uint32_t srtt_us;
    uint32_t bpf_sock_ops_cb_flags;
    uint32_t state;
    uint32_t rtt_min;
    uint32_t snd_ssthresh;
    uint32_t rcv_nxt;
    uint32_t snd_nxt;
    uint32_t snd_una;
    uint32_t mss_cache;
    uint32_t ecn_flags;
    uint32_t rate_delivered;
    uint32_t rate_interval_us;
    uint32_t packets_out;
    uint32_t retrans_out;
    uint32_t total_retrans;
    uint32_t segs_in;
    uint32_t data_segs_in;
    uint32_t segs_out;
    uint32_t data_segs_out;
    uint32_t lost_out;
    uint32_t sacked_out;
    uint32_t sk_txhash;
    uint64_t bytes_received;
    uint64_t bytes_acked;
    uint64_t sk;
    uint64_t skb_data;
    uint64_t skb_data_end;
    uint32_t skb_len;
    uint32_t skb_tcp_flags;
};

enum { SOCK_OPS_ALL_CB_FLAGS = 0x7f, SOCK_OPS_MAX_SEGMENT = 65535 };

struct runtime_sock_ops {
    uint32_t kind;                  /* RUNTIME_CTX_SOCK_OPS */
    struct bpf_sock_ops_abi md;     /* the program's r1 points here */
    struct bpf_sock_abi sock;       /* what md.sk points to (full sockets only) */
    uint8_t *segment;               /* owned copy of the TCP segment, or NULL */
    uint32_t segment_len;
    uint64_t cookie;
};

/* Builds the context from a caller's struct bpf_sock_ops (NULL: all zero) and an optional
 * TCP segment. The caller may set every field except sk, skb_data, skb_data_end and
 * skb_len, which are derived: sk points to a bpf_sock of the connection when is_fullsock
 * is set. Returns 0, -EINVAL naming the field, or -ENOMEM. Release with
 * runtime_sock_ops_release. */
int runtime_sock_ops_load(struct runtime_sock_ops *ctx, const struct bpf_sock_ops_abi *in,
                          const void *segment, size_t segment_len, char *msg, size_t msg_size);
void runtime_sock_ops_release(struct runtime_sock_ops *ctx);

int runtime_sock_ops_prepare_run(struct runtime_sock_ops *ctx, struct vm_run *run, bool checked);

/* The context after the program, pointers zeroed. */
void runtime_sock_ops_ctx_out(const struct runtime_sock_ops *ctx, struct bpf_sock_ops_abi *out);

size_t runtime_sock_ops_writable(const struct ctx_range **ranges);

#endif
