/* What every program context shares (runtime layer): the tag that tells helpers which kind
 * of context run->host holds, Linux's rules for a caller-supplied context (bpf_ctx_init:
 * shorter inputs are zero-extended, longer ones must be zero beyond the struct), the check
 * that fields a caller may not set are zero, and the checked-mode regions that let an
 * unverified program write only the fields its type may write. */
#ifndef BPFHOST_RUNTIME_CTX_COMMON_H
#define BPFHOST_RUNTIME_CTX_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "verifier/prog_types.h"
#include "vm/vm.h"

/* The first member of every host context struct (what run->host points to), so that a
 * helper given the wrong kind of context refuses instead of misreading it. */
enum runtime_ctx_kind {
    RUNTIME_CTX_XDP = 0x58445030,       /* distinct, unlikely values: "XDP0" ... */
    RUNTIME_CTX_SKB = 0x534b4230,
    RUNTIME_CTX_SOCK_ADDR = 0x53414430,
    RUNTIME_CTX_SOCK = 0x534f4b30,
    RUNTIME_CTX_SOCK_OPS = 0x534f5030,
    RUNTIME_CTX_PROCESS = 0x50524f30,
};

/* run->host if it is a context of that kind, else NULL. */
static inline void *runtime_ctx_host(const struct vm_run *run, enum runtime_ctx_kind kind)
{
    const uint32_t *tag = run->host;
    return tag && *tag == (uint32_t)kind ? run->host : NULL;
}

/* Linux's address families, socket types and protocols as contexts carry them. */
enum { CTX_AF_INET = 2, CTX_AF_INET6 = 10 };
enum { CTX_SOCK_STREAM = 1, CTX_SOCK_DGRAM = 2 };
enum { CTX_IPPROTO_TCP = 6, CTX_IPPROTO_UDP = 17 };

/* A new socket cookie (bpf_get_socket_cookie): unique in the process, never 0. */
uint64_t runtime_ctx_new_cookie(void);

/* A byte range of a context struct. */
struct ctx_range {
    uint16_t offset, size;
};

/* Copies in_size bytes of a caller's context into ctx (size bytes, zeroed first). A longer
 * input must be zero beyond size: -E2BIG otherwise, as Linux. in may be NULL (all zero). */
int runtime_ctx_copy_in(void *ctx, size_t size, const void *in, size_t in_size,
                        const struct prog_type_desc *desc, char *msg, size_t msg_size);

/* -EINVAL, naming the field, when a byte outside the allowed ranges is non-zero. */
int runtime_ctx_check_zero_except(const void *ctx, size_t size, const struct ctx_range *allowed,
                                  size_t allowed_count, const struct prog_type_desc *desc,
                                  char *msg, size_t msg_size);

/* For checked runs: the writable ranges of ctx as writable regions, then the whole
 * struct read-only (the first region that contains an access decides). */
int runtime_ctx_add_regions(struct vm_run *run, const void *ctx, size_t size,
                            const struct ctx_range *writable, size_t writable_count);

#endif
