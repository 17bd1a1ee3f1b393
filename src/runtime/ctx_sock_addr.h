/* The CGROUP_SOCK_ADDR context: Linux's struct bpf_sock_addr, the address a process passes
 * to bind, connect, sendmsg, or gets back from recvmsg, getpeername, getsockname. What a
 * program may write depends on the attach type, as in Linux:
 *   inet4 bind/connect/getpeername/getsockname, udp4 recvmsg: user_ip4, user_port
 *   udp4 sendmsg: also msg_src_ip4
 *   the inet6 and udp6 ones: user_ip6, user_port (udp6 sendmsg: also msg_src_ip6)
 * The context points (sk) to a struct bpf_sock describing the socket. */
#ifndef BPFHOST_RUNTIME_CTX_SOCK_ADDR_H
#define BPFHOST_RUNTIME_CTX_SOCK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/ctx_common.h"
#include "runtime/ctx_sock.h"

/* struct bpf_sock_addr of linux/bpf.h. Addresses and user_port are in network order. */
struct bpf_sock_addr_abi {
    uint32_t user_family;
    uint32_t user_ip4;
    uint32_t user_ip6[4];
    uint32_t user_port;
    uint32_t family;
    uint32_t type;
    uint32_t protocol;
    uint32_t msg_src_ip4;
    uint32_t msg_src_ip6[4];
    uint32_t padding;
    uint64_t sk;
};

struct runtime_sock_addr {
    uint32_t kind;                  /* RUNTIME_CTX_SOCK_ADDR */
    struct bpf_sock_addr_abi md;    /* the program's r1 points here */
    struct bpf_sock_abi sock;       /* what md.sk points to */
    struct bpf_sock_addr_abi in;    /* as the caller gave it: fields the program may not write come from here */
    uint32_t attach_type;
    uint64_t cookie;
};

/* Builds the context for a program of that expected attach type from a caller's struct
 * bpf_sock_addr (NULL: all zero). The caller may set every field but sk; msg_src_ip4/6
 * only for the matching sendmsg. Zero user_family and family default to the attach
 * type's family, type to SOCK_DGRAM for the udp hooks and SOCK_STREAM otherwise, protocol
 * to UDP or TCP. Returns 0, or -EINVAL naming what is wrong. */
int runtime_sock_addr_load(struct runtime_sock_addr *ctx, uint32_t attach_type,
                           const struct bpf_sock_addr_abi *in, char *msg, size_t msg_size);

int runtime_sock_addr_prepare_run(struct runtime_sock_addr *ctx, struct vm_run *run, bool checked);

/* The address after the program: the fields this attach type may write as the program
 * left them, the others as given; sk is 0. */
void runtime_sock_addr_ctx_out(const struct runtime_sock_addr *ctx, struct bpf_sock_addr_abi *out);

/* The fields a program of that attach type may write (0 for an attach type that is not
 * cgroup/sock_addr's). */
size_t runtime_sock_addr_writable(uint32_t attach_type, const struct ctx_range **ranges);

/* AF_INET or AF_INET6 for a sock_addr attach type, 0 for any other. */
uint32_t runtime_sock_addr_family(uint32_t attach_type);

#endif
