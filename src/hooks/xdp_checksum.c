/* Finishing CHECKSUM_PARTIAL TCP/UDP checksums in software. */
#include "hooks/xdp_checksum.h"

enum { ETH_HEADER = 14, VLAN_HEADER = 4, IPV4_MIN_HEADER = 20, IPV6_HEADER = 40 };
enum { PROTO_TCP = 6, PROTO_UDP = 17 };

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

uint32_t hook_xdp_checksum_add(uint32_t sum, const uint8_t *bytes, size_t len)
{
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        acc += be16(bytes + i);
    if (i < len)
        acc += (uint32_t)bytes[i] << 8;
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    return (uint32_t)acc;
}

uint16_t hook_xdp_checksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

bool hook_xdp_checksum_complete(uint8_t *frame, size_t len)
{
    size_t offset = ETH_HEADER;
    if (len < offset)
        return false;
    uint16_t ethertype = be16(frame + 12);
    for (int tags = 0; tags < 2 && (ethertype == 0x8100 || ethertype == 0x88a8); tags++) {
        if (len < offset + VLAN_HEADER)
            return false;
        ethertype = be16(frame + offset + 2);
        offset += VLAN_HEADER;
    }
    size_t l4, l4_len;
    uint8_t proto;
    if (ethertype == 0x0800) {
        const uint8_t *ip = frame + offset;
        if (len < offset + IPV4_MIN_HEADER || ip[0] >> 4 != 4)
            return false;
        size_t header = (size_t)(ip[0] & 0xf) * 4;
        size_t total = be16(ip + 2);
        if (header < IPV4_MIN_HEADER || total < header || len < offset + total)
            return false;
        if (be16(ip + 6) & 0x3fff) /* a fragment: the checksum spans other frames */
            return false;
        proto = ip[9];
        l4 = offset + header;
        l4_len = total - header;
    } else if (ethertype == 0x86dd) {
        const uint8_t *ip6 = frame + offset;
        if (len < offset + IPV6_HEADER || ip6[0] >> 4 != 6)
            return false;
        proto = ip6[6];
        l4 = offset + IPV6_HEADER;
        l4_len = be16(ip6 + 4);
        if (len < l4 + l4_len)
            return false;
    } else {
        return false;
    }
    size_t field;
    if (proto == PROTO_TCP && l4_len >= 20)
        field = l4 + 16;
    else if (proto == PROTO_UDP && l4_len >= 8)
        field = l4 + 6;
    else
        return false;
    /* The field holds the pseudo-header sum, so summing the segment over it gives the lot. */
    uint16_t check = (uint16_t)~hook_xdp_checksum_fold(hook_xdp_checksum_add(0, frame + l4, l4_len));
    if (proto == PROTO_UDP && check == 0)
        check = 0xffff; /* 0 means "no checksum" in UDP */
    frame[field] = (uint8_t)(check >> 8);
    frame[field + 1] = (uint8_t)check;
    return true;
}
