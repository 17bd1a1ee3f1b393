/* The socket buffer context of SOCKET_FILTER and SCHED_CLS/SCHED_ACT programs: Linux's
 * struct __sk_buff over an Ethernet frame, followed by full-width copies of its 32-bit packet
 * pointers (data, data_end, data_meta), which verified programs' rewritten loads read
 * (runtime/ctx_rewrite.h); the buffer moves below 4 GiB, where the 32-bit fields hold real
 * addresses, only for an unverified program's run. Built the way
 * Linux's test-run builds its skb: the protocol and packet type come from the Ethernet
 * header, a socket from the IP addresses; a socket filter sees the packet from the network
 * header on (len, LD_ABS offsets), a tc program from the Ethernet header. */
#ifndef BPFHOST_RUNTIME_CTX_SKB_H
#define BPFHOST_RUNTIME_CTX_SKB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/ctx_common.h"
#include "runtime/ctx_sock.h"

/* struct __sk_buff of linux/bpf.h (192 bytes). */
struct sk_buff_abi {
    uint32_t len;
    uint32_t pkt_type;
    uint32_t mark;
    uint32_t queue_mapping;
    uint32_t protocol;          /* network order, as the Ethernet header carries it */
    uint32_t vlan_present;
    uint32_t vlan_tci;
    uint32_t vlan_proto;
    uint32_t priority;
    uint32_t ingress_ifindex;
    uint32_t ifindex;
    uint32_t tc_index;
    uint32_t cb[5];
    uint32_t hash;
    uint32_t tc_classid;
    uint32_t data;
    uint32_t data_end;
    uint32_t napi_id;
    uint32_t family;
    uint32_t remote_ip4;
    uint32_t local_ip4;
    uint32_t remote_ip6[4];
    uint32_t local_ip6[4];
    uint32_t remote_port;
    uint32_t local_port;
    uint32_t data_meta;
    uint64_t flow_keys;
    uint64_t tstamp;
    uint32_t wire_len;
    uint32_t gso_segs;
    uint64_t sk;
    uint32_t gso_size;
    uint8_t tstamp_type;
    uint8_t padding[3];
    uint64_t hwtstamp;
};

enum {
    SKB_BUFFER_SIZE = 4096,     /* one page, as Linux's test-run */
    SKB_HEADROOM = 256,
    SKB_ETH_HLEN = 14,
    /* Linux's bound: the page less NET_SKB_PAD (64) and the aligned struct skb_shared_info
     * (320 on x86-64), measured by the kernel oracle (tests/suites/kernel_oracle.sh). */
    SKB_MAX_FRAME = SKB_BUFFER_SIZE - 64 - 320,
    SKB_DEFAULT_IFINDEX = 1,    /* Linux runs test packets on the loopback device */
};

/* The packet pointers at full width, right after struct __sk_buff. */
struct runtime_skb_pointers {
    uint64_t data;
    uint64_t data_end;
    uint64_t data_meta;
};

/* Offset of a full-width pointer from the start of the program's context. */
#define RUNTIME_SKB_COPY_OFFSET(field) \
    (sizeof(struct sk_buff_abi) + offsetof(struct runtime_skb_pointers, field))

struct runtime_skb {
    uint32_t kind;              /* RUNTIME_CTX_SKB */
    struct sk_buff_abi md;      /* the program's r1 points here */
    struct runtime_skb_pointers pointers; /* follows md: its 32-bit pointers at full width */
    struct bpf_sock_abi sock;   /* what md.sk points to */
    struct runtime_ctx_buffer buffer; /* SKB_BUFFER_SIZE bytes */
    /* The real bounds, which helpers use (a program cannot move them). */
    uint8_t *mac;               /* the Ethernet header */
    uint8_t *data;              /* where the program's view starts: mac, or the network header */
    uint32_t len;               /* bytes from data */
    bool l2;                    /* the program sees the Ethernet header (tc) */
    uint32_t prog_type;
    uint64_t cookie;
};

/* Allocates the buffer (ordinary memory). Returns 0 or -ENOMEM. */
int runtime_skb_init(struct runtime_skb *skb);
void runtime_skb_release(struct runtime_skb *skb);

/* Loads an Ethernet frame for a program of prog_type (SOCKET_FILTER, SCHED_CLS or
 * SCHED_ACT) and applies the fields of a caller's context that Linux's test-run accepts
 * (in may be NULL): mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len,
 * gso_segs, gso_size, hwtstamp; any other non-zero field is -EINVAL. A frame shorter than
 * an Ethernet header or longer than SKB_MAX_FRAME is -EINVAL. */
int runtime_skb_load(struct runtime_skb *skb, uint32_t prog_type, const void *frame, size_t len,
                     const struct sk_buff_abi *in, char *msg, size_t msg_size);

/* Makes run a run of a program on this skb: run->host, the LD_ABS packet and, for checked
 * runs (unverified programs), the buffer moved below 4 GiB (-ENOMEM when the host has no
 * memory there), the 32-bit pointers set and the regions of the context and the buffer. */
int runtime_skb_prepare_run(struct runtime_skb *skb, struct vm_run *run, bool checked);

/* What Linux's test-run reports back in ctx_out: mark, priority, ingress_ifindex,
 * ifindex, tstamp, cb, wire_len, gso_segs, gso_size, hwtstamp; the rest zero. */
void runtime_skb_ctx_out(const struct runtime_skb *skb, struct sk_buff_abi *out);

/* The frame after the run, from the Ethernet header (which a socket filter cannot see:
 * Linux's test-run hands it back zeroed). */
const uint8_t *runtime_skb_frame(struct runtime_skb *skb, size_t *len);

/* The fields a program of that type may write. */
size_t runtime_skb_writable(uint32_t prog_type, const struct ctx_range **ranges);

#endif
