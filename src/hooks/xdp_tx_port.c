/* sendmmsg() batches on qdisc-bypassing AF_PACKET sockets. */
#include "hooks/xdp_tx_port.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include "base/message.h"

int hook_xdp_tx_port_open(struct hook_xdp_tx_port *port, unsigned ifindex, char *msg, size_t msg_size)
{
    memset(port, 0, sizeof *port);
    port->ifindex = ifindex;
    /* Protocol 0: this socket only sends, it never queues received frames. */
    port->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    const char *step = "socket";
    if (port->fd >= 0) {
        int one = 1;
        struct sockaddr_ll addr = {.sll_family = AF_PACKET, .sll_ifindex = (int)ifindex};
        step = "PACKET_QDISC_BYPASS";
        if (!setsockopt(port->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one)) {
            step = "bind";
            if (!bind(port->fd, (struct sockaddr *)&addr, sizeof addr))
                return 0;
        }
    }
    int err = -errno;
    char name[IF_NAMESIZE] = "?";
    if_indextoname(ifindex, name);
    msg_set(msg, msg_size, "transmit on interface %u (%s): %s: %s", ifindex, name, step, strerror(errno));
    hook_xdp_tx_port_close(port);
    return err;
}

void hook_xdp_tx_port_close(struct hook_xdp_tx_port *port)
{
    if (port->fd >= 0)
        close(port->fd);
    port->fd = -1;
    port->queued = 0;
}

unsigned hook_xdp_tx_port_queue(struct hook_xdp_tx_port *port, const void *data, size_t len)
{
    unsigned failed = port->queued == HOOK_XDP_TX_BATCH ? hook_xdp_tx_port_flush(port) : 0;
    unsigned i = port->queued++;
    port->iov[i] = (struct iovec){.iov_base = (void *)data, .iov_len = len};
    port->msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &port->iov[i], .msg_iovlen = 1}};
    return failed;
}

unsigned hook_xdp_tx_port_flush(struct hook_xdp_tx_port *port)
{
    unsigned sent = 0, failed = 0;
    while (sent < port->queued) {
        int n = sendmmsg(port->fd, port->msgs + sent, port->queued - sent, 0);
        if (n > 0) {
            sent += (unsigned)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            /* sendmmsg stops at the first frame it cannot send: drop that one, go on. */
            sent++;
            failed++;
        }
    }
    port->queued = 0;
    return failed;
}
