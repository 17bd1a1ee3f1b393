/* Writes traffic.pcap, about 200 frames of mixed traffic for the XDP firewall demo, and
 * traffic.expected, the firewall's verdict on each frame and the counters its maps end with.
 *
 *   make_traffic OUT.pcap OUT.expected
 *
 * Everything is deterministic (fixed addresses, timestamps, sequence numbers and a fixed
 * pseudo-random stream for encrypted payloads), so running it again gives the same bytes.
 * Each frame is built with the verdict it is meant to get; the expected file is computed
 * by a line-by-line model of xdp_firewall.bpf.c's parsing, and the two must agree, so a
 * frame that does not test what it claims to stops the generator. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the blocklist the demo loads into the firewall's maps ------------------------------ */

static const uint8_t BLOCKED_V4[4] = {10, 0, 0, 66};
static const uint8_t BLOCKED_V6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x66};
enum { BLOCKED_TCP_PORT = 23, BLOCKED_UDP_PORT = 53 };

/* ---- frames ----------------------------------------------------------------------------- */

enum { MAX_FRAMES = 256, MAX_FRAME_LEN = 1514, MIN_FRAME_LEN = 60 };
enum intent { PASS, DROP };

struct frame {
    uint8_t bytes[MAX_FRAME_LEN];
    size_t len;
    uint64_t ts_us; /* microseconds from the start of the capture */
    unsigned order; /* creation order, to keep sorting stable */
    enum intent intent;
};

static struct frame frames[MAX_FRAMES];
static unsigned frame_count;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "make_traffic: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Internet checksum (RFC 1071) of a pseudo-header sum plus bytes. */
static uint16_t checksum(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t sum_bytes(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 2)
        sum += get16(p + i);
    return sum;
}

/* A fixed pseudo-random stream (xorshift32) for payloads that look encrypted. */
static uint32_t random_state = 0x2545f491u;

static void fill_random(uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        random_state ^= random_state << 13;
        random_state ^= random_state >> 17;
        random_state ^= random_state << 5;
        p[i] = (uint8_t)random_state;
    }
}

/* ---- hosts and links -------------------------------------------------------------------- */

struct host {
    uint8_t mac[6]; /* as seen on the capture's segment: a remote host has the router's MAC */
    uint8_t v4[4];
    uint8_t v6[16];
};

#define MAC(last) {0x02, 0x42, 0xac, 0x10, 0x00, last}
#define V6(a, b, c) {0x20, 0x01, 0x0d, 0xb8, 0, a, [13] = b, [15] = c}

static const struct host router = {MAC(0x01), {10, 0, 0, 1}, V6(0, 0, 0x01)};
static const struct host laptop = {MAC(0x0a), {10, 0, 0, 10}, V6(0, 0, 0x10)};
static const struct host desktop = {MAC(0x0b), {10, 0, 0, 11}, V6(0, 0, 0x11)};
static const struct host intruder = {MAC(0x42), {10, 0, 0, 66}, V6(0, 0, 0x66)};
static const struct host vlan_host = {MAC(0x55), {10, 0, 10, 5}, V6(0x10, 0, 0x05)};
static const struct host web = {MAC(0x01), {203, 0, 113, 80}, V6(1, 0, 0x80)};
static const struct host tls = {MAC(0x01), {203, 0, 113, 43}, V6(1, 0, 0x43)};
static const struct host ssh = {MAC(0x01), {198, 51, 100, 22}, V6(1, 0, 0x22)};
static const struct host dns = {MAC(0x01), {198, 51, 100, 53}, V6(1, 0, 0x53)};
static const struct host ntp = {MAC(0x01), {198, 51, 100, 123}, V6(1, 0, 0x7b)};
static const struct host telnet = {MAC(0x01), {198, 51, 100, 23}, V6(1, 0, 0x23)};
static const struct host mdns_group = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb},
                                       {224, 0, 0, 251},
                                       {0xff, 0x02, [15] = 0xfb}};
static const struct host mdns_group6 = {{0x33, 0x33, 0x00, 0x00, 0x00, 0xfb},
                                        {224, 0, 0, 251},
                                        {0xff, 0x02, [15] = 0xfb}};
static const struct host mld_routers = {{0x33, 0x33, 0x00, 0x00, 0x00, 0x16},
                                        {0},
                                        {0xff, 0x02, [15] = 0x16}};

/* VLAN tags in front of the payload, outermost first. */
struct link {
    unsigned tags;
    uint16_t tpid[3];
    uint16_t vid[3];
};

static const struct link untagged = {0, {0}, {0}};
static const struct link vlan10 = {1, {0x8100}, {10}};
static const struct link qinq = {2, {0x88a8, 0x8100}, {100, 10}};
static const struct link triple = {3, {0x88a8, 0x8100, 0x8100}, {100, 10, 20}};

static struct frame *new_frame(uint64_t ts_us, enum intent intent)
{
    if (frame_count == MAX_FRAMES)
        die("more than %d frames", MAX_FRAMES);
    struct frame *f = &frames[frame_count];
    *f = (struct frame){.ts_us = ts_us, .order = frame_count, .intent = intent};
    frame_count++;
    return f;
}

static uint8_t *append(struct frame *f, size_t len)
{
    if (f->len + len > MAX_FRAME_LEN)
        die("frame %u longer than %d bytes", f->order, MAX_FRAME_LEN);
    uint8_t *p = f->bytes + f->len;
    f->len += len;
    return p;
}

static void put_ethernet(struct frame *f, const uint8_t dst[6], const uint8_t src[6],
                         const struct link *link, uint16_t ethertype)
{
    uint8_t *p = append(f, 12);
    memcpy(p, dst, 6);
    memcpy(p + 6, src, 6);
    for (unsigned i = 0; i < link->tags; i++) {
        p = append(f, 4);
        put16(p, link->tpid[i]);
        put16(p + 2, link->vid[i]); /* priority 0 */
    }
    put16(append(f, 2), ethertype);
}

/* Ethernet pads short frames to 60 bytes (without the FCS, which captures leave out). */
static void pad(struct frame *f)
{
    if (f->len < MIN_FRAME_LEN)
        append(f, MIN_FRAME_LEN - f->len);
}

/* ---- IP -------------------------------------------------------------------------------- */

enum { IPPROTO_HOPOPTS_ = 0, ICMP = 1, IGMP = 2, TCP = 6, UDP = 17, ICMPV6 = 58 };

/* Options after an IPv4 header, or extension headers after an IPv6 one (whose next-header
 * field then says first_header). */
struct ip_extra {
    const uint8_t *bytes;
    size_t len;
    uint8_t first_header;
};

static uint16_t ipv4_id = 0x3a10;

/* An IPv4 or IPv6 packet carrying the l4 message (its checksum computed here) from src to
 * dst. Returns the frame, to be tampered with by malformed cases. */
static struct frame *ip_frame(uint64_t ts_us, enum intent intent, int family, const struct host *src,
                              const struct host *dst, const struct link *link, uint8_t ttl,
                              uint8_t proto, const uint8_t *l4, size_t l4_len,
                              const struct ip_extra *extra)
{
    struct frame *f = new_frame(ts_us, intent);
    size_t extra_len = extra ? extra->len : 0;
    uint32_t pseudo;
    if (family == 4) {
        put_ethernet(f, dst->mac, src->mac, link, 0x0800);
        uint8_t *ip = append(f, 20 + extra_len);
        ip[0] = (uint8_t)(0x40 | (20 + extra_len) / 4);
        put16(ip + 2, (uint16_t)(20 + extra_len + l4_len));
        put16(ip + 4, ipv4_id++);
        put16(ip + 6, proto == TCP ? 0x4000 : 0); /* TCP sets don't-fragment, as Linux does */
        ip[8] = ttl;
        ip[9] = proto;
        memcpy(ip + 12, src->v4, 4);
        memcpy(ip + 16, dst->v4, 4);
        if (extra_len)
            memcpy(ip + 20, extra->bytes, extra_len);
        put16(ip + 10, checksum(0, ip, 20 + extra_len));
        pseudo = sum_bytes(src->v4, 4) + sum_bytes(dst->v4, 4) + proto + (uint32_t)l4_len;
    } else {
        put_ethernet(f, dst->mac, src->mac, link, 0x86dd);
        uint8_t *ip = append(f, 40 + extra_len);
        put32(ip, 0x60000000u | (0x2f4a0u + ipv4_id++ % 64)); /* version 6, a flow label */
        put16(ip + 4, (uint16_t)(extra_len + l4_len));
        ip[6] = extra_len ? extra->first_header : proto;
        ip[7] = ttl;
        memcpy(ip + 8, src->v6, 16);
        memcpy(ip + 24, dst->v6, 16);
        if (extra_len)
            memcpy(ip + 40, extra->bytes, extra_len);
        pseudo = sum_bytes(src->v6, 16) + sum_bytes(dst->v6, 16) + proto + (uint32_t)l4_len;
    }
    uint8_t *p = append(f, l4_len);
    memcpy(p, l4, l4_len);
    switch (proto) {
    case TCP:
        put16(p + 16, checksum(pseudo, p, l4_len));
        break;
    case UDP: {
        uint16_t sum = checksum(pseudo, p, l4_len);
        put16(p + 6, sum ? sum : 0xffff);
        break;
    }
    case ICMPV6:
        put16(p + 2, checksum(pseudo, p, l4_len));
        break;
    case ICMP:
    case IGMP:
        put16(p + 2, checksum(0, p, l4_len));
        break;
    }
    pad(f);
    return f;
}

static uint8_t ttl_of(const struct host *src)
{
    return src->mac[5] == router.mac[5] ? 57 : 64; /* remote hosts are a few hops away */
}

/* ---- UDP, ICMP ------------------------------------------------------------------------- */

static struct frame *udp(uint64_t ts, enum intent intent, int family, const struct host *src,
                         uint16_t sport, const struct host *dst, uint16_t dport,
                         const struct link *link, const uint8_t *payload, size_t len)
{
    uint8_t l4[1500] = {0};
    put16(l4, sport);
    put16(l4 + 2, dport);
    put16(l4 + 4, (uint16_t)(8 + len));
    memcpy(l4 + 8, payload, len);
    uint8_t ttl = dst == &mdns_group || dst == &mdns_group6 ? 255 : ttl_of(src);
    return ip_frame(ts, intent, family, src, dst, link, ttl, UDP, l4, 8 + len, NULL);
}

/* An echo request (reply false) or reply with a ping-like payload. */
static struct frame *echo(uint64_t ts, enum intent intent, int family, const struct host *src,
                          const struct host *dst, const struct link *link, bool reply,
                          uint16_t id, uint16_t seq)
{
    uint8_t l4[64] = {0};
    if (family == 4)
        l4[0] = reply ? 0 : 8;
    else
        l4[0] = reply ? 129 : 128;
    put16(l4 + 4, id);
    put16(l4 + 6, seq);
    put32(l4 + 8, 0x65a2b0c0u + seq); /* ping's timestamp */
    for (int i = 16; i < 64; i++)
        l4[i] = (uint8_t)i;
    return ip_frame(ts, intent, family, src, dst, link, ttl_of(src), family == 4 ? ICMP : ICMPV6,
                    l4, sizeof l4, NULL);
}

/* ---- TCP ------------------------------------------------------------------------------- */

enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

struct tcp_flow {
    int family;
    const struct host *client, *server;
    uint16_t client_port, server_port;
    const struct link *link;
    uint32_t client_seq, server_seq; /* next sequence number each side sends */
    uint32_t client_tsval, server_tsval; /* last timestamp each side sent, echoed by the other */
    enum intent intent_to_server, intent_to_client;
};

/* A segment from the client (to_server) or the server; advances the sequence numbers. */
static struct frame *tcp_send(struct tcp_flow *flow, uint64_t ts, bool to_server, uint8_t flags,
                              const uint8_t *payload, size_t len)
{
    uint8_t l4[1500] = {0};
    uint32_t *seq = to_server ? &flow->client_seq : &flow->server_seq;
    uint32_t ack = to_server ? flow->server_seq : flow->client_seq;
    put16(l4, to_server ? flow->client_port : flow->server_port);
    put16(l4 + 2, to_server ? flow->server_port : flow->client_port);
    put32(l4 + 4, *seq);
    put32(l4 + 8, flags & ACK ? ack : 0);
    size_t options;
    uint8_t *o = l4 + 20;
    uint32_t tsval = (uint32_t)(ts / 1000) + (to_server ? 0x1c2a0000u : 0x7e110000u);
    uint32_t tsecr = flags & ACK ? (to_server ? flow->server_tsval : flow->client_tsval) : 0;
    *(to_server ? &flow->client_tsval : &flow->server_tsval) = tsval;
    if (flags & SYN) { /* MSS, SACK permitted, timestamps, window scale: Linux's SYN */
        static const uint8_t syn_options[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                                0, 0, 0, 0, 0, 0, 1, 3, 3, 7};
        memcpy(o, syn_options, sizeof syn_options);
        put32(o + 8, tsval);
        put32(o + 12, tsecr);
        options = sizeof syn_options;
    } else {
        o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
        put32(o + 4, tsval);
        put32(o + 8, tsecr);
        options = 12;
    }
    l4[12] = (uint8_t)((20 + options) / 4 << 4);
    l4[13] = flags;
    put16(l4 + 14, flags & SYN ? 64240 : 502);
    memcpy(l4 + 20 + options, payload, len);
    *seq += (uint32_t)len + (flags & (SYN | FIN) ? 1 : 0);
    const struct host *src = to_server ? flow->client : flow->server;
    const struct host *dst = to_server ? flow->server : flow->client;
    enum intent intent = to_server ? flow->intent_to_server : flow->intent_to_client;
    return ip_frame(ts, intent, flow->family, src, dst, flow->link, ttl_of(src), TCP, l4,
                    20 + options + len, NULL);
}

static struct tcp_flow flow(int family, const struct host *client, uint16_t client_port,
                            const struct host *server, uint16_t server_port,
                            const struct link *link, uint32_t isn)
{
    return (struct tcp_flow){family, client, server, client_port, server_port, link,
                             isn, isn * 7 + 0x1000, 0, 0, PASS, PASS};
}

static void tcp_handshake(struct tcp_flow *f, uint64_t ts)
{
    tcp_send(f, ts, true, SYN, NULL, 0);
    tcp_send(f, ts + 11200, false, SYN | ACK, NULL, 0);
    tcp_send(f, ts + 11260, true, ACK, NULL, 0);
}

static void tcp_close(struct tcp_flow *f, uint64_t ts)
{
    tcp_send(f, ts, true, FIN | ACK, NULL, 0);
    tcp_send(f, ts + 11100, false, FIN | ACK, NULL, 0);
    tcp_send(f, ts + 11150, true, ACK, NULL, 0);
}

static void tcp_text(struct tcp_flow *f, uint64_t ts, bool to_server, const char *text)
{
    tcp_send(f, ts, to_server, PSH | ACK, (const uint8_t *)text, strlen(text));
}

static void tcp_random(struct tcp_flow *f, uint64_t ts, bool to_server, size_t len)
{
    uint8_t payload[1448];
    fill_random(payload, len);
    tcp_send(f, ts, to_server, PSH | ACK, payload, len);
}

/* ---- sessions -------------------------------------------------------------------------- */

enum { MS = 1000, S = 1000 * 1000 };

static void arp(uint64_t ts, const struct link *link, const struct host *asker,
                const struct host *target, bool reply)
{
    static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    struct frame *f = new_frame(ts, PASS);
    put_ethernet(f, reply ? asker->mac : broadcast, reply ? target->mac : asker->mac, link, 0x0806);
    uint8_t *p = append(f, 28);
    put16(p, 1);
    put16(p + 2, 0x0800);
    p[4] = 6, p[5] = 4;
    put16(p + 6, reply ? 2 : 1);
    const struct host *sender = reply ? target : asker, *receiver = reply ? asker : target;
    memcpy(p + 8, sender->mac, 6);
    memcpy(p + 14, sender->v4, 4);
    if (reply)
        memcpy(p + 18, receiver->mac, 6);
    memcpy(p + 24, receiver->v4, 4);
    pad(f);
}

static void lldp(uint64_t ts)
{
    static const uint8_t nearest_bridge[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e};
    static const uint8_t tlvs[] = {
        0x02, 0x07, 0x04, 0x02, 0x42, 0xac, 0x10, 0x00, 0xfe,     /* chassis id: MAC */
        0x04, 0x07, 0x03, 0x02, 0x42, 0xac, 0x10, 0x00, 0xfe,     /* port id: MAC */
        0x06, 0x02, 0x00, 0x78,                                   /* TTL 120 s */
        0x0a, 0x06, 's', 'w', 'i', 't', 'c', 'h',                 /* system name */
        0x00, 0x00,                                               /* end */
    };
    static const uint8_t switch_mac[6] = {0x02, 0x42, 0xac, 0x10, 0x00, 0xfe};
    struct frame *f = new_frame(ts, PASS);
    put_ethernet(f, nearest_bridge, switch_mac, &untagged, 0x88cc);
    memcpy(append(f, sizeof tlvs), tlvs, sizeof tlvs);
    pad(f);
}

/* A DNS query for name (type 1 = A, 28 = AAAA), or its answer. */
static size_t dns_message(uint8_t *p, uint16_t id, const char *name, uint16_t type, bool answer)
{
    size_t n = 12;
    put16(p, id);
    put16(p + 2, answer ? 0x8180 : 0x0100);
    put16(p + 4, 1);
    put16(p + 6, answer ? 1 : 0);
    memset(p + 8, 0, 4);
    for (const char *label = name; *label;) {
        const char *dot = strchr(label, '.');
        size_t len = dot ? (size_t)(dot - label) : strlen(label);
        p[n++] = (uint8_t)len;
        memcpy(p + n, label, len);
        n += len;
        label += len + (dot ? 1 : 0);
    }
    p[n++] = 0;
    put16(p + n, type);
    put16(p + n + 2, 1);
    n += 4;
    if (answer) {
        put16(p + n, 0xc00c); /* the name in the question */
        put16(p + n + 2, type);
        put16(p + n + 4, 1);
        put32(p + n + 6, 3600);
        uint16_t rdlen = type == 28 ? 16 : 4;
        put16(p + n + 10, rdlen);
        memcpy(p + n + 12, type == 28 ? web.v6 : web.v4, rdlen);
        n += 12 + rdlen;
    }
    return n;
}

static void dns_udp(uint64_t ts, enum intent intent, int family, const struct host *client,
                    uint16_t port, uint16_t id, uint16_t type)
{
    uint8_t msg[512];
    size_t len = dns_message(msg, id, "www.example.com", type, false);
    udp(ts, intent, family, client, port, &dns, 53, &untagged, msg, len);
}

static void dns_over_tcp(uint64_t ts)
{
    struct tcp_flow f = flow(4, &laptop, 41822, &dns, 53, &untagged, 0x5c1e7a02u);
    tcp_handshake(&f, ts);
    uint8_t msg[514];
    size_t len = dns_message(msg + 2, 0x9b31, "www.example.com", 1, false);
    put16(msg, (uint16_t)len);
    tcp_send(&f, ts + 11400, true, PSH | ACK, msg, len + 2);
    len = dns_message(msg + 2, 0x9b31, "www.example.com", 1, true);
    put16(msg, (uint16_t)len);
    tcp_send(&f, ts + 24800, false, PSH | ACK, msg, len + 2);
    tcp_close(&f, ts + 25100);
}

static void ntp_exchange(uint64_t ts, int family, const struct host *client,
                         const struct link *link)
{
    uint8_t msg[48] = {0x23, 0, 6, 0xe9}; /* version 4, mode client */
    put32(msg + 40, 0xe9a5c2d0u + (uint32_t)(ts / S));
    udp(ts, PASS, family, client, 123, &ntp, 123, link, msg, sizeof msg);
    msg[0] = 0x24, msg[1] = 2, msg[2] = 0, msg[3] = 0xe9; /* mode server, stratum 2 */
    memcpy(msg + 12, "\xc0\x00\x02\x01", 4);
    memcpy(msg + 24, msg + 40, 8);
    put32(msg + 32, 0xe9a5c2d0u + (uint32_t)(ts / S));
    put32(msg + 40, 0xe9a5c2d0u + (uint32_t)(ts / S));
    put32(msg + 44, 0x1234abcdu);
    udp(ts + 18400, PASS, family, &ntp, 123, client, 123, link, msg, sizeof msg);
}

static void mdns_query(uint64_t ts, int family, const struct host *src, const char *name)
{
    uint8_t msg[512];
    size_t len = dns_message(msg, 0, name, 12 /* PTR */, false);
    udp(ts, PASS, family, src, 5353, family == 4 ? &mdns_group : &mdns_group6, 5353, &untagged,
        msg, len);
}

static void http_session(uint64_t ts, const struct host *client, const struct link *link,
                         uint16_t port, uint32_t isn, int body_segments)
{
    struct tcp_flow f = flow(4, client, port, &web, 80, link, isn);
    tcp_handshake(&f, ts);
    tcp_text(&f, ts + 11400, true,
             "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
             "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
    tcp_send(&f, ts + 22600, false, ACK, NULL, 0);
    tcp_text(&f, ts + 23900, false,
             "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"
             "Content-Length: 1256\r\nServer: ECS (dcb/7F84)\r\n\r\n"
             "<!doctype html>\n<html>\n<head>\n    <title>Example Domain</title>\n");
    for (int i = 0; i < body_segments; i++)
        tcp_text(&f, ts + 24000 + (uint64_t)i * 150, false,
                 "<p>This domain is for use in illustrative examples in documents. You may "
                 "use this domain in literature without prior coordination or asking for "
                 "permission.</p>\n");
    tcp_send(&f, ts + 24500 + (uint64_t)body_segments * 150, true, ACK, NULL, 0);
    tcp_close(&f, ts + 30 * MS);
}

static void tls_session(uint64_t ts, int family, const struct host *client, const struct host *server,
                        const struct link *link, uint16_t port, uint32_t isn, int exchanges)
{
    struct tcp_flow f = flow(family, client, port, server, 443, link, isn);
    tcp_handshake(&f, ts);
    uint8_t hello[517] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    fill_random(hello + 11, sizeof hello - 11);
    tcp_send(&f, ts + 11500, true, PSH | ACK, hello, sizeof hello);
    tcp_send(&f, ts + 22700, false, ACK, NULL, 0);
    uint8_t server_hello[1448] = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03};
    fill_random(server_hello + 11, sizeof server_hello - 11);
    size_t full_segment = family == 4 ? 1448 : 1428; /* MSS less the timestamp option */
    tcp_send(&f, ts + 23100, false, ACK, server_hello, full_segment);
    tcp_random(&f, ts + 23150, false, 1200);
    tcp_send(&f, ts + 23300, true, ACK, NULL, 0);
    tcp_random(&f, ts + 24000, true, 80);
    for (int i = 0; i < exchanges; i++) {
        uint64_t t = ts + 36 * MS + (uint64_t)i * 40 * MS;
        tcp_random(&f, t, true, 120 + (size_t)i * 16);
        tcp_random(&f, t + 11800, false, 900 - (size_t)i * 64);
        tcp_send(&f, t + 11900, true, ACK, NULL, 0);
    }
    tcp_close(&f, ts + 40 * MS + (uint64_t)exchanges * 40 * MS);
}

static void ssh_session(uint64_t ts)
{
    struct tcp_flow f = flow(4, &laptop, 50514, &ssh, 22, &untagged, 0x0d3f6a11u);
    tcp_handshake(&f, ts);
    tcp_text(&f, ts + 11500, true, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    tcp_text(&f, ts + 23000, false, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n");
    tcp_random(&f, ts + 23200, true, 1512 - 66 - 64);
    tcp_random(&f, ts + 34600, false, 1080);
    tcp_random(&f, ts + 35100, true, 48);
    tcp_random(&f, ts + 47900, false, 564);
    for (int i = 0; i < 5; i++) { /* keystrokes and their echoes */
        uint64_t t = ts + 400 * MS + (uint64_t)i * 180 * MS;
        tcp_random(&f, t, true, 36);
        tcp_random(&f, t + 12100, false, 36);
        tcp_send(&f, t + 12200, true, ACK, NULL, 0);
    }
    tcp_close(&f, ts + 2 * S);
}

/* Connection attempts the firewall stops: SYN and its retransmissions. */
static void blocked_syns(uint64_t ts, int family, const struct host *client, uint16_t port,
                         const struct host *server, uint16_t server_port, const struct link *link,
                         int tries, enum intent intent)
{
    struct tcp_flow f = flow(family, client, port, server, server_port, link, 0x71c3e004u + port);
    f.intent_to_server = intent;
    for (int i = 0; i < tries; i++) {
        tcp_send(&f, ts + ((1u << i) - 1) * S, true, SYN, NULL, 0);
        f.client_seq--; /* a retransmission repeats the sequence number */
    }
}

/* ---- malformed frames ------------------------------------------------------------------ */

static struct frame *tcp_syn_frame(uint64_t ts, enum intent intent, int family,
                                   const struct host *src, const struct host *dst,
                                   const struct link *link, uint16_t dport)
{
    struct tcp_flow f = flow(family, src, 47000 + dport, dst, dport, link, 0x44a1c2e3u);
    f.intent_to_server = intent;
    return tcp_send(&f, ts, true, SYN, NULL, 0);
}

static void set_ihl(struct frame *f, size_t ip_offset, uint8_t ihl)
{
    uint8_t *ip = f->bytes + ip_offset;
    ip[0] = (uint8_t)(0x40 | ihl);
    put16(ip + 10, 0);
    put16(ip + 10, checksum(0, ip, 20));
}

static void malformed(uint64_t ts)
{
    /* A runt cut inside the Ethernet header. */
    struct frame *f = tcp_syn_frame(ts, DROP, 4, &laptop, &web, &untagged, 80);
    f->len = 10;
    /* A VLAN tag cut short. */
    f = tcp_syn_frame(ts + 1 * MS, DROP, 4, &laptop, &web, &vlan10, 80);
    f->len = 16;
    /* The second of two tags cut short. */
    f = tcp_syn_frame(ts + 2 * MS, DROP, 4, &laptop, &web, &qinq, 80);
    f->len = 20;
    /* IPv4 header cut short (12 of 20 bytes). */
    f = tcp_syn_frame(ts + 3 * MS, DROP, 4, &laptop, &web, &untagged, 80);
    f->len = 14 + 12;
    /* IPv4 header cut short behind a VLAN tag. */
    f = tcp_syn_frame(ts + 4 * MS, DROP, 4, &laptop, &web, &vlan10, 80);
    f->len = 18 + 19;
    /* IPv6 header cut short. */
    f = tcp_syn_frame(ts + 5 * MS, DROP, 6, &laptop, &web, &untagged, 443);
    f->len = 14 + 30;
    /* TCP header cut short (10 of 20 bytes): counted as IPv4, not as TCP. */
    f = tcp_syn_frame(ts + 6 * MS, DROP, 4, &laptop, &web, &untagged, 80);
    f->len = 14 + 20 + 10;
    /* The same behind IPv6. */
    f = tcp_syn_frame(ts + 7 * MS, DROP, 6, &laptop, &web, &untagged, 443);
    f->len = 14 + 40 + 12;
    /* UDP header cut short (4 of 8 bytes). */
    uint8_t msg[48] = {0x23};
    f = udp(ts + 8 * MS, DROP, 4, &laptop, 123, &ntp, 123, &untagged, msg, sizeof msg);
    f->len = 14 + 20 + 4;
    /* IPv4 header lengths below the minimum of 5 words. */
    f = tcp_syn_frame(ts + 9 * MS, DROP, 4, &laptop, &web, &untagged, 80);
    set_ihl(f, 14, 3);
    f = tcp_syn_frame(ts + 10 * MS, DROP, 4, &desktop, &web, &vlan10, 443);
    set_ihl(f, 18, 0);
    /* A header length pointing past the end of the frame: the TCP header is then missing. */
    f = tcp_syn_frame(ts + 11 * MS, DROP, 4, &desktop, &web, &untagged, 80);
    set_ihl(f, 14, 15);
    /* A short header length from a blocked address: the address check comes first. */
    f = tcp_syn_frame(ts + 12 * MS, DROP, 4, &intruder, &web, &untagged, 80);
    set_ihl(f, 14, 2);
}

/* ---- the capture ----------------------------------------------------------------------- */

static void build_traffic(void)
{
    static const uint8_t router_alert[4] = {0x94, 0x04, 0x00, 0x00};
    static const uint8_t record_route[8] = {0x07, 0x07, 0x04, 0, 0, 0, 0, 0x00};
    /* Hop-by-hop options with a router alert, in front of an MLD report. */
    static const uint8_t hop_by_hop[8] = {ICMPV6, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};

    lldp(0);
    arp(120 * MS, &untagged, &laptop, &router, false);
    arp(120 * MS + 310, &untagged, &laptop, &router, true);

    /* Name lookups: UDP to port 53 is blocked, TCP to port 53 is not. */
    dns_udp(130 * MS, DROP, 4, &laptop, 51034, 0x1f2e, 1);
    dns_udp(130 * MS + 90, DROP, 4, &laptop, 40211, 0x6c01, 28);
    dns_udp(5130 * MS, DROP, 4, &laptop, 51034, 0x1f2e, 1);
    dns_udp(5131 * MS, DROP, 6, &laptop, 58320, 0x77a0, 28);
    dns_over_tcp(5300 * MS);
    /* A reply from port 53 passes: only the destination port is checked. */
    {
        uint8_t msg[512];
        size_t len = dns_message(msg, 0x4d10, "www.example.com", 1, true);
        udp(5400 * MS, PASS, 4, &dns, 53, &desktop, 38777, &untagged, msg, len);
    }

    http_session(5500 * MS, &laptop, &untagged, 48126, 0x9c0a3f51u, 3);
    tls_session(5600 * MS, 4, &desktop, &tls, &untagged, 36970, 0x2b6d90e4u, 2);
    ssh_session(6000 * MS);
    tls_session(6200 * MS, 6, &laptop, &tls, &untagged, 55310, 0x3e0f1a27u, 2);

    /* Telnet: attempts to port 23 are dropped; replies from port 23 would pass. */
    blocked_syns(7000 * MS, 4, &desktop, 45002, &telnet, 23, &untagged, 3, DROP);
    blocked_syns(7100 * MS, 6, &laptop, 45010, &telnet, 23, &untagged, 2, DROP);
    blocked_syns(7200 * MS, 4, &vlan_host, 45020, &telnet, 23, &vlan10, 1, DROP);

    /* Ping over IPv4 and IPv6. */
    for (uint16_t seq = 1; seq <= 4; seq++) {
        uint64_t t = 8000 * MS + (uint64_t)(seq - 1) * S;
        echo(t, PASS, 4, &laptop, &web, &untagged, false, 0x1d07, seq);
        echo(t + 11800, PASS, 4, &web, &laptop, &untagged, true, 0x1d07, seq);
        if (seq <= 2) {
            echo(t + 300 * MS, PASS, 6, &laptop, &web, &untagged, false, 0x1d08, seq);
            echo(t + 312 * MS, PASS, 6, &web, &laptop, &untagged, true, 0x1d08, seq);
        }
    }
    /* IPv6 neighbor discovery: solicitation and advertisement are ICMPv6 too. */
    {
        uint8_t ns[32] = {135};
        memcpy(ns + 8, router.v6, 16);
        ns[24] = 1, ns[25] = 1;
        memcpy(ns + 26, laptop.mac, 6);
        struct host solicited = {{0x33, 0x33, 0xff, 0x00, 0x00, 0x01}, {0},
                                 {0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 0x01}};
        ip_frame(8050 * MS, PASS, 6, &laptop, &solicited, &untagged, 255, ICMPV6, ns, sizeof ns,
                 NULL);
        uint8_t na[32] = {136, 0, 0, 0, 0xe0};
        memcpy(na + 8, router.v6, 16);
        na[24] = 2, na[25] = 1;
        memcpy(na + 26, router.mac, 6);
        ip_frame(8050 * MS + 420, PASS, 6, &router, &laptop, &untagged, 255, ICMPV6, na, sizeof na,
                 NULL);
    }

    /* Time, service discovery and their group memberships. */
    ntp_exchange(9000 * MS, 4, &laptop, &untagged);
    ntp_exchange(9100 * MS, 6, &desktop, &untagged);
    mdns_query(9500 * MS, 4, &desktop, "_googlecast._tcp.local");
    mdns_query(9500 * MS + 200, 6, &desktop, "_googlecast._tcp.local");
    mdns_query(10500 * MS, 4, &laptop, "_ipp._tcp.local");
    mdns_query(10500 * MS + 150, 6, &laptop, "_ipp._tcp.local");
    {
        uint8_t report[8] = {0x16, 0, 0, 0, 224, 0, 0, 251}; /* IGMPv2 membership report */
        struct ip_extra options = {router_alert, sizeof router_alert, 0};
        ip_frame(9400 * MS, PASS, 4, &desktop, &mdns_group, &untagged, 1, IGMP, report,
                 sizeof report, &options);
        uint8_t mld[28] = {143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0xff, 0x02, [27] = 0xfb};
        struct ip_extra ext = {hop_by_hop, sizeof hop_by_hop, IPPROTO_HOPOPTS_};
        ip_frame(9400 * MS + 80, PASS, 6, &desktop, &mld_routers, &untagged, 1, ICMPV6, mld,
                 sizeof mld, &ext);
    }
    /* IPv4 options move the TCP header: the port is still found (and 23 still blocked). */
    {
        uint8_t syn[40] = {0};
        put16(syn, 46001), put16(syn + 2, 80), put32(syn + 4, 0x0badf00du);
        syn[12] = 0x50, syn[13] = SYN, put16(syn + 14, 64240);
        struct ip_extra options = {record_route, sizeof record_route, 0};
        ip_frame(9600 * MS, PASS, 4, &laptop, &web, &untagged, 64, TCP, syn, 20, &options);
        put16(syn, 46002), put16(syn + 2, 23);
        ip_frame(9601 * MS, DROP, 4, &laptop, &telnet, &untagged, 64, TCP, syn, 20, &options);
    }

    /* A VLAN: its own web session, ARP and ping; then 802.1ad (Q-in-Q) double tags. */
    arp(11000 * MS, &vlan10, &vlan_host, &router, false);
    arp(11000 * MS + 280, &vlan10, &vlan_host, &router, true);
    http_session(11010 * MS, &vlan_host, &vlan10, 39004, 0x11d0e9a3u, 1);
    echo(11200 * MS, PASS, 4, &vlan_host, &web, &vlan10, false, 0x2a01, 1);
    echo(11212 * MS, PASS, 4, &web, &vlan_host, &vlan10, true, 0x2a01, 1);
    ntp_exchange(11500 * MS, 4, &vlan_host, &qinq);
    echo(11600 * MS, PASS, 6, &vlan_host, &web, &qinq, false, 0x2a02, 1);
    echo(11612 * MS, PASS, 6, &web, &vlan_host, &qinq, true, 0x2a02, 1);
    {
        struct tcp_flow f = flow(4, &vlan_host, 51200, &tls, 443, &qinq, 0x6602e1b7u);
        tcp_handshake(&f, 11700 * MS);
        tcp_random(&f, 11712 * MS, true, 517);
    }
    blocked_syns(11800 * MS, 4, &vlan_host, 45030, &telnet, 23, &qinq, 1, DROP);
    dns_udp(11900 * MS, DROP, 4, &vlan_host, 52001, 0x0101, 1);
    /* A third tag is more than the firewall parses: it sees an unknown EtherType and passes. */
    echo(12000 * MS, PASS, 4, &vlan_host, &web, &triple, false, 0x2a03, 1);

    /* The blocked addresses, as source and as destination, IPv4 and IPv6. */
    blocked_syns(13000 * MS, 4, &intruder, 40001, &web, 80, &untagged, 3, DROP);
    echo(13500 * MS, DROP, 4, &intruder, &router, &untagged, false, 0x0666, 1);
    echo(13500 * MS + 30, DROP, 4, &router, &intruder, &untagged, true, 0x0666, 1);
    dns_udp(13600 * MS, DROP, 4, &intruder, 53000, 0x0066, 1);
    ntp_exchange(13700 * MS, 4, &intruder, &untagged);
    frames[frame_count - 1].intent = DROP;
    frames[frame_count - 2].intent = DROP;
    tcp_syn_frame(13800 * MS, DROP, 4, &web, &intruder, &untagged, 22);
    blocked_syns(14000 * MS, 6, &intruder, 40002, &tls, 443, &untagged, 2, DROP);
    echo(14500 * MS, DROP, 6, &intruder, &web, &untagged, false, 0x0667, 1);
    echo(14500 * MS + 40, DROP, 6, &web, &intruder, &untagged, true, 0x0667, 1);
    tcp_syn_frame(14600 * MS, DROP, 6, &web, &intruder, &vlan10, 80);

    malformed(15000 * MS);

    /* More ordinary traffic after the noise. */
    arp(16000 * MS, &untagged, &desktop, &router, false);
    arp(16000 * MS + 290, &untagged, &desktop, &router, true);
    http_session(16100 * MS, &desktop, &untagged, 48200, 0x5ab1c3d2u, 2);
    tls_session(17000 * MS, 4, &laptop, &tls, &untagged, 36990, 0x7f00e151u, 1);
    lldp(30000 * MS);
}

/* ---- the firewall, as a model ---------------------------------------------------------- */

/* Indexes of the firewall's maps: enum proto_index and enum xdp_action. */
enum { PROTO_OTHER, PROTO_IPV4, PROTO_IPV6, PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_MAX };
static const char *const proto_names[PROTO_MAX] = {"PROTO_OTHER", "PROTO_IPV4", "PROTO_IPV6",
                                                   "PROTO_TCP", "PROTO_UDP", "PROTO_ICMP"};
enum { XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT, VERDICT_MAX };
static const char *const verdict_names[VERDICT_MAX] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS",
                                                       "XDP_TX", "XDP_REDIRECT"};

static uint64_t protocols[PROTO_MAX], verdicts[VERDICT_MAX];

static const char *l4_name(uint8_t proto)
{
    return proto == TCP ? "tcp" : proto == UDP ? "udp" : proto == ICMP ? "icmp" : "icmpv6";
}

/* The firewall's verdict on one frame, counting as it does; reason says why. */
static int firewall(const uint8_t *p, size_t len, char *reason, size_t reason_size)
{
#define VERDICT(action, ...) (snprintf(reason, reason_size, __VA_ARGS__), verdicts[action]++, action)
    if (len < 14)
        return VERDICT(XDP_DROP, "truncated ethernet header");
    uint16_t proto = get16(p + 12);
    size_t cursor = 14;
    for (int i = 0; i < 2; i++) {
        if (proto != 0x8100 && proto != 0x88a8)
            break;
        if (cursor + 4 > len)
            return VERDICT(XDP_DROP, "truncated vlan tag %d", i + 1);
        proto = get16(p + cursor + 2);
        cursor += 4;
    }
    const char *family;
    uint8_t l4_proto;
    size_t l4;
    if (proto == 0x0800) {
        family = "ipv4";
        if (cursor + 20 > len)
            return VERDICT(XDP_DROP, "truncated ipv4 header");
        protocols[PROTO_IPV4]++;
        const uint8_t *ip = p + cursor;
        if (!memcmp(ip + 12, BLOCKED_V4, 4))
            return VERDICT(XDP_DROP, "ipv4 src %u.%u.%u.%u blocked", ip[12], ip[13], ip[14], ip[15]);
        if (!memcmp(ip + 16, BLOCKED_V4, 4))
            return VERDICT(XDP_DROP, "ipv4 dst %u.%u.%u.%u blocked", ip[16], ip[17], ip[18], ip[19]);
        unsigned ihl = ip[0] & 0x0f;
        if (ihl < 5)
            return VERDICT(XDP_DROP, "ipv4 ihl %u < 5", ihl);
        l4 = cursor + ihl * 4;
        l4_proto = ip[9];
    } else if (proto == 0x86dd) {
        family = "ipv6";
        if (cursor + 40 > len)
            return VERDICT(XDP_DROP, "truncated ipv6 header");
        protocols[PROTO_IPV6]++;
        const uint8_t *ip6 = p + cursor;
        if (!memcmp(ip6 + 8, BLOCKED_V6, 16))
            return VERDICT(XDP_DROP, "ipv6 src 2001:db8::66 blocked");
        if (!memcmp(ip6 + 24, BLOCKED_V6, 16))
            return VERDICT(XDP_DROP, "ipv6 dst 2001:db8::66 blocked");
        l4 = cursor + 40;
        l4_proto = ip6[6];
    } else {
        protocols[PROTO_OTHER]++;
        return VERDICT(XDP_PASS, "ethertype 0x%04x not ip", proto);
    }
    unsigned port = 0;
    if (l4_proto == TCP || l4_proto == UDP) {
        size_t header = l4_proto == TCP ? 20 : 8;
        if (l4 + header > len)
            return VERDICT(XDP_DROP, "%s truncated %s header", family, l4_name(l4_proto));
        protocols[l4_proto == TCP ? PROTO_TCP : PROTO_UDP]++;
        port = get16(p + l4 + 2);
    } else if (l4_proto == ICMP || l4_proto == ICMPV6) {
        protocols[PROTO_ICMP]++;
        return VERDICT(XDP_PASS, "%s %s", family, l4_name(l4_proto));
    } else {
        return VERDICT(XDP_PASS, "%s protocol %u not parsed", family, l4_proto);
    }
    if ((l4_proto == TCP && port == BLOCKED_TCP_PORT) || (l4_proto == UDP && port == BLOCKED_UDP_PORT))
        return VERDICT(XDP_DROP, "%s dport %u blocked", l4_name(l4_proto), port);
    return VERDICT(XDP_PASS, "%s %s dport %u", family, l4_name(l4_proto), port);
#undef VERDICT
}

/* ---- output ---------------------------------------------------------------------------- */

static int by_time(const void *a, const void *b)
{
    const struct frame *x = a, *y = b;
    if (x->ts_us != y->ts_us)
        return x->ts_us < y->ts_us ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* 2024-03-14 09:26:53 UTC: where the capture starts. */
enum { CAPTURE_START = 1710408413 };

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: make_traffic OUT.pcap OUT.expected");
    build_traffic();
    qsort(frames, frame_count, sizeof frames[0], by_time);

    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    if (!dead)
        die("pcap_open_dead failed");
    pcap_dumper_t *dumper = pcap_dump_open(dead, argv[1]);
    if (!dumper)
        die("%s: %s", argv[1], pcap_geterr(dead));
    FILE *expected = fopen(argv[2], "w");
    if (!expected)
        die("%s: %s", argv[2], strerror(errno));

    fprintf(expected,
            "# Verdicts of examples/xdp/xdp_firewall.bpf.c on examples/xdp/traffic.pcap, both\n"
            "# written by examples/xdp/make_traffic.c (run examples/xdp/make_traffic.sh).\n"
            "#\n"
            "# Blocklist: the demo must load exactly these entries into the maps:\n"
            "#   blocked_v4     10.0.0.66\n"
            "#   blocked_v6     2001:db8::66\n"
            "#   blocked_ports  tcp 23, udp 53   (struct port_key: proto, pad 0, port in network order)\n"
            "#\n"
            "# One line per frame: INDEX VERDICT REASON (INDEX from 0, in file order).\n"
            "# Then the maps' final values: verdicts KEY NAME COUNT and protocols KEY NAME COUNT.\n");
    for (unsigned i = 0; i < frame_count; i++) {
        struct frame *f = &frames[i];
        char reason[128];
        int action = firewall(f->bytes, f->len, reason, sizeof reason);
        if ((action == XDP_PASS) != (f->intent == PASS))
            die("frame %u was built to %s but the firewall would %s it (%s)", i,
                f->intent == PASS ? "pass" : "drop", action == XDP_PASS ? "pass" : "drop", reason);
        fprintf(expected, "%u %s %s\n", i, action == XDP_PASS ? "PASS" : "DROP", reason);
        uint64_t ts = (uint64_t)CAPTURE_START * S + f->ts_us;
        struct pcap_pkthdr header = {
            .ts = {.tv_sec = (time_t)(ts / S), .tv_usec = (suseconds_t)(ts % S)},
            .caplen = (bpf_u_int32)f->len,
            .len = (bpf_u_int32)f->len,
        };
        pcap_dump((u_char *)dumper, &header, f->bytes);
    }
    for (int v = 0; v < VERDICT_MAX; v++)
        fprintf(expected, "verdicts %d %s %llu\n", v, verdict_names[v],
                (unsigned long long)verdicts[v]);
    for (int p = 0; p < PROTO_MAX; p++)
        fprintf(expected, "protocols %d %s %llu\n", p, proto_names[p],
                (unsigned long long)protocols[p]);

    if (pcap_dump_flush(dumper) != 0 || ferror(pcap_dump_file(dumper)))
        die("%s: write failed", argv[1]);
    pcap_dump_close(dumper);
    pcap_close(dead);
    if (fclose(expected) != 0)
        die("%s: %s", argv[2], strerror(errno));
    printf("%s: %u frames; %s\n", argv[1], frame_count, argv[2]);
    return 0;
}
