/* struct __sk_buff contexts, built as Linux's net/bpf/test_run.c builds its skb. */
#include "runtime/ctx_skb.h"

#include <errno.h>
#include <string.h>

#include "base/message.h"
#include "verifier/prog_types.h"

#define SKB_FIELD(name) {offsetof(struct sk_buff_abi, name), sizeof(((struct sk_buff_abi *)0)->name)}

_Static_assert(sizeof(struct sk_buff_abi) == 192, "struct __sk_buff is 192 bytes");
_Static_assert(offsetof(struct sk_buff_abi, data) == 76, "__sk_buff.data");
_Static_assert(offsetof(struct sk_buff_abi, data_meta) == 140, "__sk_buff.data_meta");
_Static_assert(offsetof(struct sk_buff_abi, tstamp) == 152, "__sk_buff.tstamp");
_Static_assert(offsetof(struct sk_buff_abi, sk) == 168, "__sk_buff.sk");
_Static_assert(offsetof(struct sk_buff_abi, hwtstamp) == 184, "__sk_buff.hwtstamp");
_Static_assert(offsetof(struct runtime_skb, pointers) == offsetof(struct runtime_skb, md) + sizeof(struct sk_buff_abi),
               "the full-width pointers follow __sk_buff");

/* What convert___skb_to_skb accepts from the caller. */
static const struct ctx_range settable[] = {
    SKB_FIELD(mark), SKB_FIELD(priority), SKB_FIELD(ingress_ifindex), SKB_FIELD(ifindex),
    SKB_FIELD(cb), SKB_FIELD(tstamp), SKB_FIELD(wire_len), SKB_FIELD(gso_segs),
    SKB_FIELD(gso_size), SKB_FIELD(hwtstamp),
};
static const struct ctx_range filter_writable[] = {SKB_FIELD(cb)};
static const struct ctx_range tc_writable[] = {
    SKB_FIELD(mark), SKB_FIELD(queue_mapping), SKB_FIELD(priority), SKB_FIELD(tc_index),
    SKB_FIELD(cb), SKB_FIELD(tc_classid), SKB_FIELD(tstamp),
};

enum { PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3 };
enum { GSO_MAX_SEGS = 65535, GSO_LEGACY_MAX_SIZE = 65536 };

size_t runtime_skb_writable(uint32_t prog_type, const struct ctx_range **ranges)
{
    if (prog_type == PROG_TYPE_SOCKET_FILTER) {
        *ranges = filter_writable;
        return sizeof filter_writable / sizeof filter_writable[0];
    }
    *ranges = tc_writable;
    return sizeof tc_writable / sizeof tc_writable[0];
}

int runtime_skb_init(struct runtime_skb *skb)
{
    memset(skb, 0, sizeof *skb);
    skb->kind = RUNTIME_CTX_SKB;
    return runtime_ctx_buffer_alloc(&skb->buffer, SKB_BUFFER_SIZE);
}

void runtime_skb_release(struct runtime_skb *skb)
{
    runtime_ctx_buffer_free(&skb->buffer);
}

/* The program's view of the packet, from skb->data and skb->len. */
static void set_pointers(struct runtime_skb *skb)
{
    skb->pointers.data = skb->pointers.data_meta = (uintptr_t)skb->data;
    skb->pointers.data_end = (uintptr_t)(skb->data + skb->len);
    /* Linux's 32-bit fields: real addresses when the buffer is below 4 GiB. */
    skb->md.data = skb->md.data_meta = (uint32_t)skb->pointers.data;
    skb->md.data_end = (uint32_t)skb->pointers.data_end;
}

/* eth_type_trans on a device whose address is all zeros (loopback). */
static uint32_t packet_type(const uint8_t *dest)
{
    static const uint8_t zero[6], broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (dest[0] & 1)
        return memcmp(dest, broadcast, 6) ? PACKET_MULTICAST : PACKET_BROADCAST;
    return memcmp(dest, zero, 6) ? PACKET_OTHERHOST : PACKET_HOST;
}

/* eth_type_trans's protocol (__be16, in memory order): an Ethernet type, or for a length
 * field (below 0x600) 802.3 when the payload starts with 0xffff (raw IPX), else 802.2. */
static uint16_t wire_protocol(const uint8_t *frame, size_t len)
{
    enum { ETH_P_802_3 = 0x0001, ETH_P_802_2 = 0x0004, ETH_P_802_3_MIN = 0x0600 };
    uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);
    if (type < ETH_P_802_3_MIN)
        type = len >= SKB_ETH_HLEN + 2 && frame[14] == 0xff && frame[15] == 0xff ? ETH_P_802_3 : ETH_P_802_2;
    uint8_t wire[2] = {(uint8_t)(type >> 8), (uint8_t)type};
    uint16_t protocol;
    memcpy(&protocol, wire, 2);
    return protocol;
}

/* Linux's test-run gives the skb a socket holding the packet's addresses: local is the
 * source, remote the destination. */
static void fill_addresses(struct runtime_skb *skb, const uint8_t *frame, size_t len)
{
    struct sk_buff_abi *md = &skb->md;
    struct bpf_sock_abi *sock = &skb->sock;
    uint16_t ethertype = (uint16_t)(frame[12] << 8 | frame[13]);
    if (ethertype == 0x0800 && len >= SKB_ETH_HLEN + 20) {
        md->family = sock->family = CTX_AF_INET;
        memcpy(&md->local_ip4, frame + SKB_ETH_HLEN + 12, 4);
        memcpy(&md->remote_ip4, frame + SKB_ETH_HLEN + 16, 4);
        sock->src_ip4 = md->local_ip4;
        sock->dst_ip4 = md->remote_ip4;
    } else if (ethertype == 0x86dd && len >= SKB_ETH_HLEN + 40) {
        md->family = sock->family = CTX_AF_INET6;
        memcpy(md->local_ip6, frame + SKB_ETH_HLEN + 8, 16);
        memcpy(md->remote_ip6, frame + SKB_ETH_HLEN + 24, 16);
        memcpy(sock->src_ip6, md->local_ip6, 16);
        memcpy(sock->dst_ip6, md->remote_ip6, 16);
    }
}

static int apply_caller_fields(struct runtime_skb *skb, const struct sk_buff_abi *in,
                               const struct prog_type_desc *desc, char *msg, size_t msg_size)
{
    int err = runtime_ctx_check_zero_except(in, sizeof *in, settable, sizeof settable / sizeof settable[0],
                                            desc, msg, msg_size);
    if (err)
        return err;
    struct sk_buff_abi *md = &skb->md;
    if (in->wire_len && (in->wire_len < skb->len || in->wire_len > GSO_LEGACY_MAX_SIZE))
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: __sk_buff wire_len %u must lie between the "
                         "packet length %u and %u", in->wire_len, skb->len, GSO_LEGACY_MAX_SIZE);
    if (in->gso_segs > GSO_MAX_SEGS)
        return msg_error(-EINVAL, msg, msg_size, "ctx_in: __sk_buff gso_segs %u exceeds %u",
                         in->gso_segs, GSO_MAX_SEGS);
    md->mark = in->mark;
    md->priority = in->priority;
    md->ingress_ifindex = in->ingress_ifindex;
    if (in->ifindex)
        md->ifindex = in->ifindex;
    memcpy(md->cb, in->cb, sizeof md->cb);
    md->tstamp = in->tstamp;
    if (in->wire_len)
        md->wire_len = in->wire_len;
    md->gso_segs = in->gso_segs;
    md->gso_size = in->gso_size;
    md->hwtstamp = in->hwtstamp;
    return 0;
}

int runtime_skb_load(struct runtime_skb *skb, uint32_t prog_type, const void *frame, size_t len,
                     const struct sk_buff_abi *in, char *msg, size_t msg_size)
{
    const struct prog_type_desc *desc = prog_type_by_linux_type(
        prog_type == PROG_TYPE_SOCKET_FILTER ? PROG_TYPE_SOCKET_FILTER : PROG_TYPE_SCHED_CLS);
    if (len < SKB_ETH_HLEN || len > SKB_MAX_FRAME)
        return msg_error(-EINVAL, msg, msg_size, "packet of %zu bytes: an skb holds %d to %d bytes "
                         "(an Ethernet header at least)", len, SKB_ETH_HLEN, SKB_MAX_FRAME);
    /* Linux (6.18 as the kernel oracle runs it, tests/suites/kernel_oracle.sh) refuses an IPv4
     * or IPv6 frame too short for the fixed network header it reads the socket's addresses
     * from; older kernels skipped the addresses instead. */
    uint16_t ethertype = (uint16_t)(((const uint8_t *)frame)[12] << 8 | ((const uint8_t *)frame)[13]);
    size_t network_min = ethertype == 0x0800 ? 20 : ethertype == 0x86dd ? 40 : 0;
    if (len < SKB_ETH_HLEN + network_min)
        return msg_error(-EINVAL, msg, msg_size, "packet of %zu bytes: an %s frame holds a %zu-byte "
                         "network header after the Ethernet header", len,
                         ethertype == 0x0800 ? "IPv4" : "IPv6", network_min);
    struct runtime_ctx_buffer buffer = skb->buffer;
    memset(skb, 0, sizeof *skb);
    skb->kind = RUNTIME_CTX_SKB;
    skb->buffer = buffer;
    skb->prog_type = prog_type;
    skb->l2 = prog_type != PROG_TYPE_SOCKET_FILTER;
    skb->mac = buffer.bytes + SKB_HEADROOM;
    memcpy(skb->mac, frame, len);
    skb->data = skb->l2 ? skb->mac : skb->mac + SKB_ETH_HLEN;
    skb->len = (uint32_t)(len - (size_t)(skb->data - skb->mac));
    skb->cookie = runtime_ctx_new_cookie();

    struct sk_buff_abi *md = &skb->md;
    md->len = skb->len;
    md->pkt_type = packet_type(skb->mac);
    md->protocol = wire_protocol(skb->mac, len);
    md->ifindex = SKB_DEFAULT_IFINDEX;
    set_pointers(skb);
    md->wire_len = skb->len;
    md->sk = (uintptr_t)&skb->sock;
    fill_addresses(skb, skb->mac, len);
    return in ? apply_caller_fields(skb, in, desc, msg, msg_size) : 0;
}

int runtime_skb_prepare_run(struct runtime_skb *skb, struct vm_run *run, bool checked)
{
    run->host = skb;
    run->packet = skb->data;
    run->packet_len = skb->len;
    if (!checked)
        return 0;
    ptrdiff_t moved;
    int err = runtime_ctx_buffer_lower(&skb->buffer, &moved);
    if (err) {
        msg_set(run->msg, sizeof run->msg, "an unverified program reads __sk_buff's 32-bit packet "
                "pointers, so its packet must lie below 4 GiB, and this host has no memory there");
        return run->error = err;
    }
    size_t data_offset = (size_t)(skb->data - skb->mac);
    skb->mac = skb->buffer.bytes + SKB_HEADROOM;
    skb->data = skb->mac + data_offset;
    run->packet = skb->data;
    set_pointers(skb);
    const struct ctx_range *writable;
    size_t count = runtime_skb_writable(skb->prog_type, &writable);
    /* The regions cover the full-width pointers too: a checked run may tail-call a verified
     * program, whose loads of them were rewritten. */
    err = runtime_ctx_add_regions(run, &skb->md, sizeof skb->md + sizeof skb->pointers, writable, count);
    if (!err)
        err = vm_run_add_region(run, &skb->sock, sizeof skb->sock, false);
    if (!err) /* tc programs write packet data directly; a socket filter cannot reach it */
        err = vm_run_add_region(run, skb->data, skb->len, skb->l2);
    return err;
}

void runtime_skb_ctx_out(const struct runtime_skb *skb, struct sk_buff_abi *out)
{
    const struct sk_buff_abi *md = &skb->md;
    memset(out, 0, sizeof *out);
    out->mark = md->mark;
    out->priority = md->priority;
    out->ingress_ifindex = md->ingress_ifindex;
    out->ifindex = md->ifindex;
    out->tstamp = md->tstamp;
    memcpy(out->cb, md->cb, sizeof out->cb);
    out->wire_len = md->wire_len;
    out->gso_segs = md->gso_segs;
    out->gso_size = md->gso_size;
    out->hwtstamp = md->hwtstamp;
}

const uint8_t *runtime_skb_frame(struct runtime_skb *skb, size_t *len)
{
    if (!skb->l2)
        memset(skb->mac, 0, SKB_ETH_HLEN);
    *len = (size_t)(skb->data - skb->mac) + skb->len;
    return skb->mac;
}
