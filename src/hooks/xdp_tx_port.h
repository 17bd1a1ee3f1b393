/* Batched transmission on one interface (hooks layer): frames are queued as pointers and
 * leave in one sendmmsg() per batch, on an AF_PACKET socket that bypasses the qdisc (the
 * hook is the queueing discipline, as a driver's XDP_TX ring is). Queued bytes must stay
 * in place until the next flush. */
#ifndef BPFHOST_HOOKS_XDP_TX_PORT_H
#define BPFHOST_HOOKS_XDP_TX_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

enum { HOOK_XDP_TX_BATCH = 64 };

struct hook_xdp_tx_port {
    int fd;
    unsigned ifindex;
    unsigned queued;
    struct mmsghdr msgs[HOOK_XDP_TX_BATCH];
    struct iovec iov[HOOK_XDP_TX_BATCH];
};

/* Returns 0, or a negative errno with msg naming the interface and the step. */
int hook_xdp_tx_port_open(struct hook_xdp_tx_port *port, unsigned ifindex, char *msg, size_t msg_size);
void hook_xdp_tx_port_close(struct hook_xdp_tx_port *port);

/* Queues one frame, flushing first when the batch is full. Returns the number of frames
 * that such a flush failed to send. */
unsigned hook_xdp_tx_port_queue(struct hook_xdp_tx_port *port, const void *data, size_t len);

/* Sends everything queued. Returns the number of frames the interface refused (each is
 * dropped, as a full XDP transmit ring drops). */
unsigned hook_xdp_tx_port_flush(struct hook_xdp_tx_port *port);

#endif
