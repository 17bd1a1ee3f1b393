/* Program types as data: the layout of each type's context (which fields may be read or
 * written, with which sizes, and which hold packet pointers), and the range of return
 * values. The verifier knows program types only through these descriptors; the runtime
 * builds contexts from the same tables. Offsets are Linux's UAPI layouts. */
#ifndef BPFHOST_VERIFIER_PROG_TYPES_H
#define BPFHOST_VERIFIER_PROG_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux's enum bpf_prog_type values for the types described here. */
enum {
    PROG_TYPE_SOCKET_FILTER = 1, PROG_TYPE_KPROBE = 2, PROG_TYPE_SCHED_CLS = 3,
    PROG_TYPE_TRACEPOINT = 5, PROG_TYPE_XDP = 6, PROG_TYPE_PERF_EVENT = 7,
    PROG_TYPE_CGROUP_SOCK = 9, PROG_TYPE_SOCK_OPS = 13, PROG_TYPE_RAW_TRACEPOINT = 17,
    PROG_TYPE_CGROUP_SOCK_ADDR = 18,
    /* bpfhost's own type, not Linux's: process start and exit events, with a context
     * modelled on eBPF for Windows' process_md (same number as EBPF_PROG_TYPE_HOST_PROCESS
     * of elf_object.h, section "process"). */
    PROG_TYPE_HOST_PROCESS = 0x1003,
    /* eBPF for Windows' bind hook (section "bind", context bind_md; EBPF_PROG_TYPE_HOST_BIND). */
    PROG_TYPE_HOST_BIND = 0x1000,
};

/* What loading a context field gives. */
enum ctx_field_kind {
    CTX_SCALAR,          /* a number */
    CTX_PACKET,          /* start of packet data */
    CTX_PACKET_END,      /* end of packet data */
    CTX_PACKET_META,     /* start of metadata */
    CTX_SOCKET,          /* struct bpf_sock pointer, never null */
    CTX_SOCKET_OR_NULL,  /* struct bpf_sock pointer, may be null */
};

enum {
    CTX_READ = 1,
    CTX_WRITE = 2,
    CTX_NARROW = 4, /* loads of 1, 2, 4 (or 8) bytes at naturally aligned offsets inside */
};

struct ctx_field {
    const char *name;
    uint16_t offset;
    uint16_t size;
    uint8_t access;  /* CTX_READ | CTX_WRITE | CTX_NARROW */
    uint8_t kind;    /* enum ctx_field_kind */
};

struct prog_type_desc {
    const char *name;           /* libbpf section prefix: "xdp", "socket", "kprobe" ... */
    uint32_t linux_type;        /* enum bpf_prog_type */
    const char *ctx_name;       /* "struct xdp_md" */
    uint32_t ctx_size;
    const struct ctx_field *fields;
    size_t field_count;
    bool checks_return;         /* whether r0 at exit must lie in [return_min, return_max] */
    int64_t return_min, return_max;
    bool allows_ld_abs;         /* legacy packet loads (skb-based types) */
    uint32_t helper_groups;     /* HELPERS_* of helper_protos.h available to this type */
};

const struct prog_type_desc *prog_type_by_name(const char *name);
const struct prog_type_desc *prog_type_by_linux_type(uint32_t linux_type);
/* Every described type, for listings and tests. */
const struct prog_type_desc *prog_type_at(size_t index);
size_t prog_type_count(void);

/* The descriptor for a program of linux_type loaded with that expected attach type (Linux's
 * enum bpf_attach_type): the type's own, or a narrower one where Linux's rules depend on the
 * attach type. cgroup/sock_addr: user_ip4 only for the inet4 hooks, user_ip6 only for the
 * inet6 ones, msg_src_ip4/6 only for udp4/udp6 sendmsg; return 0-3 for bind, exactly 1 for
 * recvmsg, getpeername and getsockname. cgroup/sock: post_bind programs read the source
 * address and port but write nothing; the others write bound_dev_if, mark and priority but
 * do not see the source. NULL for an unknown type or a sock_addr program without one of its
 * attach types. */
const struct prog_type_desc *prog_type_for_attach(uint32_t linux_type, uint32_t attach_type);

/* The field covering [offset, offset + size), or NULL. Does not check access rights. */
const struct ctx_field *prog_type_find_field(const struct prog_type_desc *type, int64_t offset,
                                             unsigned size);
/* Whether an access of size bytes at offset may read (write=false) or write the field;
 * on refusal writes why into msg. */
bool prog_type_access_ok(const struct prog_type_desc *type, int64_t offset, unsigned size,
                         bool write, const struct ctx_field **field, char *msg, size_t msg_size);

/* For code whose section name says no type: "tc" when the code needs struct __sk_buff (a
 * field beyond struct xdp_md, a store into the context, a value of xdp_md's pointer
 * fields used as a number), "xdp" otherwise. why (may be NULL) receives the evidence.
 * The choice never affects safety: the program is then verified against it. */
struct ebpf_insn;
const struct prog_type_desc *prog_type_infer_packet_type(const struct ebpf_insn *insns, size_t count,
                                                         char *why, size_t why_size);

#endif
