/* What every program context shares (runtime layer): the tag that tells helpers which kind
 * of context run->host holds, Linux's rules for a caller-supplied context (bpf_ctx_init:
 * shorter inputs are zero-extended, longer ones must be zero beyond the struct), the check
 * that fields a caller may not set are zero, and the checked-mode regions that let an
 * unverified program write only the fields its type may write. */
#ifndef BPFHOST_RUNTIME_CTX_COMMON_H
#define BPFHOST_RUNTIME_CTX_COMMON_H

#include <stdbool.h>
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

/* Packet buffers of contexts: zeroed ordinary memory, anywhere in the address space. Linux's
 * xdp_md and __sk_buff hold packet pointers in 32-bit fields; verified programs' loads of
 * them are rewritten to read the runtime's 64-bit copies (runtime/ctx_rewrite.h), but an
 * unverified program reads the 32-bit fields on the checked interpreter, so its buffer must
 * lie below 4 GiB (runtime_ctx_buffer_lower). */
struct runtime_ctx_buffer {
    uint8_t *bytes;
    size_t size;
    bool low;                   /* from platform/low_memory.h */
};

/* Returns 0 or -ENOMEM. */
int runtime_ctx_buffer_alloc(struct runtime_ctx_buffer *buffer, size_t size);
void runtime_ctx_buffer_free(struct runtime_ctx_buffer *buffer);
/* Whether every byte of the buffer has a 32-bit address. */
bool runtime_ctx_buffer_is_low(const struct runtime_ctx_buffer *buffer);
/* Moves the buffer's bytes below 4 GiB (nothing when they are there already) and says how far
 * they moved, for the caller's addresses into it (kept as integers). Returns 0, or -ENOMEM when the host has no
 * memory there (a platform without MAP_32BIT or address hints). */
int runtime_ctx_buffer_lower(struct runtime_ctx_buffer *buffer, ptrdiff_t *moved);

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
