/* The CGROUP_SOCK context: Linux's struct bpf_sock, which also describes the socket that
 * other contexts point to (__sk_buff.sk, bpf_sock_addr.sk, bpf_sock_ops.sk). Attach types:
 * inet_sock_create and inet_sock_release may set bound_dev_if, mark and priority;
 * inet4/inet6_post_bind only read. */
#ifndef BPFHOST_RUNTIME_CTX_SOCK_H
#define BPFHOST_RUNTIME_CTX_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/ctx_common.h"

/* struct bpf_sock of linux/bpf.h. Ports: src_port in host order, dst_port in network order
 * (16 bits, the next 16 are padding). */
struct bpf_sock_abi {
    uint32_t bound_dev_if;
    uint32_t family;
    uint32_t type;
    uint32_t protocol;
    uint32_t mark;
    uint32_t priority;
    uint32_t src_ip4;
    uint32_t src_ip6[4];
    uint32_t src_port;
    uint16_t dst_port;
    uint16_t dst_port_padding;
    uint32_t dst_ip4;
    uint32_t dst_ip6[4];
    uint32_t state;
    int32_t rx_queue_mapping;
};

struct runtime_sock {
    uint32_t kind;              /* RUNTIME_CTX_SOCK */
    struct bpf_sock_abi md;     /* the program's r1 points here */
    uint32_t attach_type;
    uint64_t cookie;
};

/* Builds the context for a program of that expected attach type (0 means
 * inet_sock_create, as Linux's loader fixes it up) from a caller's struct bpf_sock (NULL:
 * an IPv4 TCP socket). Zero family, type and protocol get defaults (AF_INET, or AF_INET6
 * for inet6_post_bind; SOCK_STREAM; TCP or UDP by type). Returns 0, or -EINVAL naming
 * the field that is wrong. */
int runtime_sock_load(struct runtime_sock *sock, uint32_t attach_type, const struct bpf_sock_abi *in,
                      char *msg, size_t msg_size);

/* Makes run a run of a program on this context: run->host, and for checked runs (of
 * unverified programs) the regions of the context. */
int runtime_sock_prepare_run(struct runtime_sock *sock, struct vm_run *run, bool checked);

/* What the program left, for ctx_out. */
void runtime_sock_ctx_out(const struct runtime_sock *sock, struct bpf_sock_abi *out);

/* The fields a program with that attach type may write. */
size_t runtime_sock_writable(uint32_t attach_type, const struct ctx_range **ranges);

#endif
