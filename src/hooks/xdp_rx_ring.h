/* An AF_PACKET receive ring on one interface (hooks layer): TPACKET_V3, so that the kernel
 * fills whole blocks of frames and one wake-up hands over a batch. Frames the host itself
 * sends on the interface are not seen (PACKET_IGNORE_OUTGOING): the hook transmits on the
 * same interfaces it receives on and must not see its own frames again. */
#ifndef BPFHOST_HOOKS_XDP_RX_RING_H
#define BPFHOST_HOOKS_XDP_RX_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hook_xdp_rx_ring {
    int fd;
    uint8_t *memory;
    size_t memory_size;
    unsigned block_size, block_count;
    unsigned next_block;
};

struct hook_xdp_rx_ring_options {
    unsigned block_size;   /* bytes, a multiple of the page size; 0: 256 KiB */
    unsigned block_count;  /* 0: 16 */
    unsigned block_timeout_ms; /* a partly filled block is handed over after this; 0: 1 ms */
    bool promiscuous;      /* receive frames for other MAC addresses (inline mode) */
    /* Spread the interface's frames over several rings by receive queue: the first ring of
     * a group passes fanout_id 0 and reads the kernel's id back; the others pass that id. */
    bool fanout;
    uint16_t fanout_id;
};

/* One received frame, as the block holds it. */
struct hook_xdp_rx_frame {
    const uint8_t *data;
    uint32_t len;          /* bytes captured (data) */
    uint32_t wire_len;     /* bytes on the wire: larger than len when the frame was cut */
    bool checksum_partial; /* TP_STATUS_CSUMNOTREADY */
    bool vlan_valid;       /* the driver took a VLAN tag out of the frame: vlan_tci, vlan_tpid */
    uint16_t vlan_tci, vlan_tpid;
};

/* Opens a ring on ifindex. Returns 0, or a negative errno with msg naming the step. */
int hook_xdp_rx_ring_open(struct hook_xdp_rx_ring *ring, unsigned ifindex,
                          const struct hook_xdp_rx_ring_options *opts, char *msg, size_t msg_size);
/* The fanout group id this ring joined (after open with fanout). */
int hook_xdp_rx_ring_fanout_id(const struct hook_xdp_rx_ring *ring, uint16_t *id);
void hook_xdp_rx_ring_close(struct hook_xdp_rx_ring *ring);

/* The next block the kernel has handed over, or NULL. Must be released before asking for
 * the next one. */
void *hook_xdp_rx_ring_block(struct hook_xdp_rx_ring *ring);
/* Number of frames in a block, and iteration: cursor starts NULL. Returns false after the
 * last frame. */
unsigned hook_xdp_rx_block_frames(const void *block);
bool hook_xdp_rx_block_next(const void *block, const void **cursor, struct hook_xdp_rx_frame *frame);
/* Gives the block back to the kernel. */
void hook_xdp_rx_ring_release(struct hook_xdp_rx_ring *ring, void *block);

/* Frames the kernel dropped because the ring was full, since the last call. */
uint64_t hook_xdp_rx_ring_drops(struct hook_xdp_rx_ring *ring);

#endif
