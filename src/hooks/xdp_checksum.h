/* Completing transport checksums left to offload (hooks layer).
 *
 * A local sender on a veth or a TAP device hands TCP and UDP frames down with only the
 * pseudo-header sum in the checksum field (CHECKSUM_PARTIAL): the "hardware" is meant to
 * finish it. AF_PACKET reports such frames with TP_STATUS_CSUMNOTREADY. When the XDP hook
 * transmits them again (PASS to a peer, TX, REDIRECT) there is no hardware left to do it, so
 * the hook finishes the checksum itself before the program sees the frame. */
#ifndef BPFHOST_HOOKS_XDP_CHECKSUM_H
#define BPFHOST_HOOKS_XDP_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finishes the TCP or UDP checksum of an Ethernet frame (up to two VLAN tags, IPv4 without
 * fragmentation or IPv6 without extension headers) whose checksum field holds the folded
 * pseudo-header sum. Returns false, leaving the frame alone, for anything else or when the
 * headers claim more bytes than len. */
bool hook_xdp_checksum_complete(uint8_t *frame, size_t len);

/* The Internet checksum's 32-bit one's-complement accumulation of len bytes, added to sum. */
uint32_t hook_xdp_checksum_add(uint32_t sum, const uint8_t *bytes, size_t len);

/* Folds an accumulated sum to 16 bits (not complemented). */
uint16_t hook_xdp_checksum_fold(uint32_t sum);

#endif
