/* Socket buffer helpers: bytes in and out of the packet and checksum updates, on the
 * runtime_skb of the invocation (Linux's net/core/filter.c semantics). */
#include <errno.h>
#include <string.h>

#include "helpers/helpers.h"
#include "runtime/ctx_skb.h"

#define HELPER(name) static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                                          struct vm_run *run)

/* Linux's BPF_F_* flags of these helpers. */
enum {
    F_RECOMPUTE_CSUM = 1 << 0, F_INVALIDATE_HASH = 1 << 1,
    F_HDR_FIELD_MASK = 0xf, F_PSEUDO_HDR = 1 << 4, F_MARK_MANGLED_0 = 1 << 5, F_MARK_ENFORCE = 1 << 6,
};
enum { HDR_START_MAC = 0, HDR_START_NET = 1 };

/* The skb of this invocation, if r1 really is its context. */
static struct runtime_skb *skb_of(struct vm_run *run, uint64_t ctx)
{
    struct runtime_skb *skb = runtime_ctx_host(run, RUNTIME_CTX_SKB);
    return skb && (uintptr_t)&skb->md == ctx ? skb : NULL;
}

static bool in_bounds(const struct runtime_skb *skb, uint64_t offset, uint64_t len)
{
    return offset <= skb->len && len <= skb->len - offset;
}

HELPER(helper_skb_load_bytes)
{
    struct runtime_skb *skb = skb_of(run, r1);
    void *to = (void *)(uintptr_t)r3;
    uint32_t len = (uint32_t)r4;
    if (!skb || !in_bounds(skb, (uint32_t)r2, len)) {
        memset(to, 0, len); /* Linux clears the buffer on failure */
        return (uint64_t)-EFAULT;
    }
    memcpy(to, skb->data + (uint32_t)r2, len);
    return 0;
}

/* bpf_skb_load_bytes_relative(skb, offset, to, len, start_header): offset from the
 * Ethernet or the network header, whatever the program's view starts at. */
HELPER(helper_skb_load_bytes_relative)
{
    struct runtime_skb *skb = skb_of(run, r1);
    void *to = (void *)(uintptr_t)r3;
    uint32_t len = (uint32_t)r4;
    if (skb && (r5 == HDR_START_MAC || r5 == HDR_START_NET)) {
        const uint8_t *start = skb->mac + (r5 == HDR_START_NET ? SKB_ETH_HLEN : 0);
        size_t available = (size_t)(skb->data + skb->len - start);
        uint32_t offset = (uint32_t)r2;
        if (offset <= available && len <= available - offset) {
            memcpy(to, start + offset, len);
            return 0;
        }
    }
    memset(to, 0, len);
    return (uint64_t)-EFAULT;
}

HELPER(helper_skb_store_bytes)
{
    struct runtime_skb *skb = skb_of(run, r1);
    uint32_t offset = (uint32_t)r2, len = (uint32_t)r4;
    if (!skb || !skb->l2 || (r5 & ~(uint64_t)(F_RECOMPUTE_CSUM | F_INVALIDATE_HASH)))
        return (uint64_t)-EINVAL;
    if (offset > 0xffff || !in_bounds(skb, offset, len))
        return (uint64_t)-EFAULT;
    memmove(skb->data + offset, (const void *)(uintptr_t)r3, len);
    if (r5 & F_INVALIDATE_HASH)
        skb->md.hash = 0;
    return 0;
}

/* Folds a one's-complement sum to 16 bits and complements it (csum_fold). */
static uint16_t fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint64_t add32(uint64_t sum, uint32_t value) { return sum + (value & 0xffff) + (value >> 16); }

/* RFC 1624 incremental update of the 16-bit checksum at offset: from is replaced by to
 * (2 or 4 bytes as stored in the packet), or size 0 adds the partial sum to (csum_diff's
 * result). Values are in memory order, so the arithmetic holds on any host. */
static int replace_checksum(struct runtime_skb *skb, uint32_t offset, uint64_t from, uint64_t to,
                            unsigned size, bool mangled_zero)
{
    if (offset > 0xffff || offset & 1 || !in_bounds(skb, offset, 2))
        return -EFAULT;
    uint16_t check;
    memcpy(&check, skb->data + offset, 2);
    if (mangled_zero && !check)
        return 0;
    uint64_t sum = (uint16_t)~check;
    switch (size) {
    case 0:
        if (from)
            return -EINVAL;
        sum = add32(sum, (uint32_t)to);
        break;
    case 2:
        sum += (uint16_t)~(uint16_t)from + (uint64_t)(uint16_t)to;
        break;
    case 4:
        sum = add32(add32(sum, ~(uint32_t)from), (uint32_t)to);
        break;
    default:
        return -EINVAL;
    }
    check = fold(sum);
    if (mangled_zero && !check)
        check = 0xffff; /* CSUM_MANGLED_0: a UDP checksum of 0 means "none" */
    memcpy(skb->data + offset, &check, 2);
    return 0;
}

HELPER(helper_l3_csum_replace)
{
    struct runtime_skb *skb = skb_of(run, r1);
    if (!skb || !skb->l2 || (r5 & ~(uint64_t)F_HDR_FIELD_MASK))
        return (uint64_t)-EINVAL;
    return (uint64_t)(int64_t)replace_checksum(skb, (uint32_t)r2, r3, r4, r5 & F_HDR_FIELD_MASK, false);
}

/* The pseudo-header flag matters to Linux only for CHECKSUM_COMPLETE packets, which
 * test-run packets are not. */
HELPER(helper_l4_csum_replace)
{
    struct runtime_skb *skb = skb_of(run, r1);
    uint64_t known = F_HDR_FIELD_MASK | F_PSEUDO_HDR | F_MARK_MANGLED_0 | F_MARK_ENFORCE;
    if (!skb || !skb->l2 || (r5 & ~known))
        return (uint64_t)-EINVAL;
    bool mangled_zero = (r5 & F_MARK_MANGLED_0) && !(r5 & F_MARK_ENFORCE);
    return (uint64_t)(int64_t)replace_checksum(skb, (uint32_t)r2, r3, r4, r5 & F_HDR_FIELD_MASK, mangled_zero);
}

void helpers_register_skb(struct vm_helpers *table)
{
    table->fn[HELPER_SKB_LOAD_BYTES] = helper_skb_load_bytes;
    table->fn[HELPER_SKB_LOAD_BYTES_RELATIVE] = helper_skb_load_bytes_relative;
    table->fn[HELPER_SKB_STORE_BYTES] = helper_skb_store_bytes;
    table->fn[HELPER_L3_CSUM_REPLACE] = helper_l3_csum_replace;
    table->fn[HELPER_L4_CSUM_REPLACE] = helper_l4_csum_replace;
}
