/* xdp_gen IFACE SECONDS DST_PORT: sends 64-byte Ethernet/IPv4/UDP frames (the minimum
 * frame without its FCS is 60; 64 keeps a 22-byte payload) out of IFACE as fast as one
 * thread can, in batches of 64 on a qdisc-bypassing AF_PACKET socket, for SECONDS. The
 * source port cycles so that frames are not all alike. Prints "sent N cpu_ns T": T is this
 * process's CPU time, which on a kernel without IRQ time accounting includes the softirq
 * work its sends trigger (veth delivery, the kernel's XDP, AF_PACKET capture). */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

enum { FRAME = 64, BATCH = 64 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t ip_checksum(const uint8_t *ip)
{
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: xdp_gen IFACE SECONDS DST_PORT\n");
        return 2;
    }
    unsigned ifindex = if_nametoindex(argv[1]);
    double seconds = atof(argv[2]);
    int port = atoi(argv[3]);
    int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;
    struct sockaddr_ll addr = {.sll_family = AF_PACKET, .sll_ifindex = (int)ifindex};
    if (!ifindex || fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr)) {
        perror("xdp_gen: socket");
        return 1;
    }
    static uint8_t frames[BATCH][FRAME];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    for (int i = 0; i < BATCH; i++) {
        uint8_t *f = frames[i];
        memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
        uint8_t *ip = f + 14, *udp = ip + 20;
        ip[0] = 0x45;
        ip[2] = 0;
        ip[3] = FRAME - 14;
        ip[8] = 64;
        ip[9] = 17;
        memcpy(ip + 12, "\xc6\x12\x07\x01\xc6\x12\x07\x02", 8);
        uint16_t check = ip_checksum(ip);
        ip[10] = (uint8_t)(check >> 8);
        ip[11] = (uint8_t)check;
        udp[0] = (uint8_t)((40000 + i) >> 8);
        udp[1] = (uint8_t)(40000 + i);
        udp[2] = (uint8_t)(port >> 8);
        udp[3] = (uint8_t)port;
        udp[5] = FRAME - 34; /* UDP length; checksum 0: none */
        iov[i] = (struct iovec){.iov_base = f, .iov_len = FRAME};
        msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    unsigned long long sent = 0;
    double end = now() + seconds;
    while (now() < end) {
        for (int round = 0; round < 16; round++) {
            int n = sendmmsg(fd, msgs, BATCH, 0);
            if (n > 0)
                sent += (unsigned long long)n;
        }
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_stime.tv_sec +
                 ((double)usage.ru_utime.tv_usec + (double)usage.ru_stime.tv_usec) / 1e6;
    printf("sent %llu cpu_ns %.0f\n", sent, cpu * 1e9);
    return 0;
}
