/* TPACKET_V3 receive rings. */
#include "hooks/xdp_rx_ring.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/message.h"
#include "platform/ring_memory.h"

static int fail(struct hook_xdp_rx_ring *ring, const char *step, char *msg, size_t msg_size)
{
    int err = -errno;
    msg_set(msg, msg_size, "AF_PACKET receive ring: %s: %s", step, strerror(errno));
    hook_xdp_rx_ring_close(ring);
    return err;
}

int hook_xdp_rx_ring_open(struct hook_xdp_rx_ring *ring, unsigned ifindex,
                          const struct hook_xdp_rx_ring_options *opts, char *msg, size_t msg_size)
{
    memset(ring, 0, sizeof *ring);
    ring->fd = -1;
    size_t page = platform_page_size();
    ring->block_size = opts->block_size ? opts->block_size : 256 * 1024;
    ring->block_count = opts->block_count ? opts->block_count : 16;
    if (ring->block_size % page || ring->block_count > 4096)
        return msg_error(-EINVAL, msg, msg_size, "AF_PACKET receive ring: %u blocks of %u bytes "
                         "(a block must be a multiple of %zu bytes)", ring->block_count,
                         ring->block_size, page);
    /* Protocol 0 receives nothing until bind(): no frame of another interface slips in. */
    ring->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (ring->fd < 0)
        return fail(ring, "socket", msg, msg_size);
    int version = TPACKET_V3, one = 1;
    if (setsockopt(ring->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version))
        return fail(ring, "PACKET_VERSION", msg, msg_size);
    struct tpacket_req3 req = {
        .tp_block_size = ring->block_size,
        .tp_block_nr = ring->block_count,
        .tp_frame_size = 2048, /* only a hint in V3: frames are packed */
        .tp_frame_nr = (unsigned)((size_t)ring->block_size * ring->block_count / 2048),
        .tp_retire_blk_tov = opts->block_timeout_ms ? opts->block_timeout_ms : 1,
    };
    if (setsockopt(ring->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req))
        return fail(ring, "PACKET_RX_RING", msg, msg_size);
    ring->memory_size = (size_t)ring->block_size * ring->block_count;
    void *memory = mmap(NULL, ring->memory_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                        ring->fd, 0);
    if (memory == MAP_FAILED)
        return fail(ring, "mmap", msg, msg_size);
    ring->memory = memory;
    if (setsockopt(ring->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one))
        return fail(ring, "PACKET_IGNORE_OUTGOING", msg, msg_size);
    struct sockaddr_ll addr = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                               .sll_ifindex = (int)ifindex};
    if (bind(ring->fd, (struct sockaddr *)&addr, sizeof addr))
        return fail(ring, "bind", msg, msg_size);
    if (opts->fanout) {
        /* By receive queue, so that a worker's ring holds one queue's frames. */
        int arg = opts->fanout_id ? (PACKET_FANOUT_QM << 16) | opts->fanout_id
                                  : (PACKET_FANOUT_QM | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
        if (setsockopt(ring->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg))
            return fail(ring, "PACKET_FANOUT", msg, msg_size);
    }
    if (opts->promiscuous) {
        struct packet_mreq mreq = {.mr_ifindex = (int)ifindex, .mr_type = PACKET_MR_PROMISC};
        if (setsockopt(ring->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq))
            return fail(ring, "PACKET_MR_PROMISC", msg, msg_size);
    }
    return 0;
}

int hook_xdp_rx_ring_fanout_id(const struct hook_xdp_rx_ring *ring, uint16_t *id)
{
    int arg = 0;
    socklen_t len = sizeof arg;
    if (getsockopt(ring->fd, SOL_PACKET, PACKET_FANOUT, &arg, &len))
        return -errno;
    *id = (uint16_t)arg;
    return 0;
}

void hook_xdp_rx_ring_close(struct hook_xdp_rx_ring *ring)
{
    if (ring->memory)
        munmap(ring->memory, ring->memory_size);
    if (ring->fd >= 0)
        close(ring->fd);
    ring->memory = NULL;
    ring->fd = -1;
}

static struct tpacket_block_desc *block_at(const struct hook_xdp_rx_ring *ring, unsigned index)
{
    return (struct tpacket_block_desc *)(ring->memory + (size_t)index * ring->block_size);
}

void *hook_xdp_rx_ring_block(struct hook_xdp_rx_ring *ring)
{
    struct tpacket_block_desc *block = block_at(ring, ring->next_block);
    /* The status word is the hand-over point between the kernel and us. */
    uint32_t status = __atomic_load_n(&block->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
    return status & TP_STATUS_USER ? block : NULL;
}

unsigned hook_xdp_rx_block_frames(const void *block)
{
    return ((const struct tpacket_block_desc *)block)->hdr.bh1.num_pkts;
}

bool hook_xdp_rx_block_next(const void *block, const void **cursor, struct hook_xdp_rx_frame *frame)
{
    const struct tpacket_block_desc *desc = block;
    const struct tpacket3_hdr *hdr;
    if (!*cursor) {
        if (!desc->hdr.bh1.num_pkts)
            return false;
        hdr = (const void *)((const uint8_t *)block + desc->hdr.bh1.offset_to_first_pkt);
    } else {
        const struct tpacket3_hdr *prev = *cursor;
        if (!prev->tp_next_offset)
            return false;
        hdr = (const void *)((const uint8_t *)prev + prev->tp_next_offset);
    }
    *cursor = hdr;
    *frame = (struct hook_xdp_rx_frame){
        .data = (const uint8_t *)hdr + hdr->tp_mac,
        .len = hdr->tp_snaplen,
        .wire_len = hdr->tp_len,
        .checksum_partial = hdr->tp_status & TP_STATUS_CSUMNOTREADY,
        .vlan_valid = hdr->tp_status & TP_STATUS_VLAN_VALID,
        .vlan_tci = (uint16_t)hdr->hv1.tp_vlan_tci,
        .vlan_tpid = hdr->tp_status & TP_STATUS_VLAN_TPID_VALID ? (uint16_t)hdr->hv1.tp_vlan_tpid : 0x8100,
    };
    return true;
}

void hook_xdp_rx_ring_release(struct hook_xdp_rx_ring *ring, void *block)
{
    struct tpacket_block_desc *desc = block;
    __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    ring->next_block = (ring->next_block + 1) % ring->block_count;
}

uint64_t hook_xdp_rx_ring_drops(struct hook_xdp_rx_ring *ring)
{
    struct tpacket_stats_v3 stats;
    socklen_t len = sizeof stats;
    if (getsockopt(ring->fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len))
        return 0;
    return stats.tp_drops;
}
