/* For hook tests that need real frames without touching the host's interfaces: a private
 * network namespace whose loopback is up, with a bound UDP discard port that datagrams can
 * be sent to (an unbound port would send ICMP errors back: more frames). */
#ifndef BPFHOST_TEST_LOOPBACK_H
#define BPFHOST_TEST_LOOPBACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"

/* 127.0.0.1, port 9 (discard) */
static inline struct sockaddr_in test_discard_addr(void)
{
    return (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(0x7f000001)};
}

/* Enters a private namespace with its loopback up, once per process; false (and a SKIP line
 * naming what) where the machine does not allow it. */
static inline bool test_private_loopback(const char *what)
{
    static int state; /* 0 unknown, 1 ready, -1 unavailable */
    if (state)
        return state > 0;
    state = -1;
    if (unshare(CLONE_NEWNET)) {
        printf("SKIP %s on loopback: no private network namespace (%s)\n", what, strerror(errno));
        return false;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    bool up = fd >= 0 && !ioctl(fd, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags |= IFF_UP, !ioctl(fd, SIOCSIFFLAGS, &ifr));
    if (fd >= 0)
        close(fd);
    int sink = socket(AF_INET, SOCK_DGRAM, 0); /* stays open: the namespace is this test's */
    struct sockaddr_in discard = test_discard_addr();
    up = up && sink >= 0 && !bind(sink, (const struct sockaddr *)&discard, sizeof discard);
    if (!up)
        printf("SKIP %s on loopback: cannot bring lo up or bind its discard port\n", what);
    state = up ? 1 : -1;
    return up;
}

/* count datagrams of 50 bytes on the wire, to the discard port. */
static inline void test_send_datagrams(int count)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in discard = test_discard_addr();
    for (int i = 0; i < count; i++)
        CHECK_EQ(sendto(fd, "12345678", 8, 0, (const struct sockaddr *)&discard, sizeof discard), 8);
    close(fd);
}

#endif
