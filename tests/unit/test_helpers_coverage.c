/* The helpers that no other clang-compiled program of tests/ or examples/ runs, called by
 * tests/bpf/helpers_coverage.bpf.c through bpf_prog_test_run_opts, each checked by its
 * effect: time against the host's clocks, identity against the process, strings,
 * trace_printk's line on the trace pipe, csum_diff's sum, map deletes, queue pop/peek,
 * spin-locked updates, tail calls, the ring buffer's records and positions, XDP head/tail
 * adjustment and redirects, and skb relative loads, L4 checksum fixes and socket cookies. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "test.h"

#define OBJECT "build/bpf/helpers_coverage.bpf.o"

/* The programs' result variables (tests/bpf/helpers_coverage.bpf.c). */
struct basics {
    uint64_t ktime, boot, coarse, jiffies;
    uint64_t pid_tgid, uid_gid;
    uint32_t random[4];
    char comm[16];
    long comm_ret;
    char text[32];
    long snprintf_ret;
    long strncmp_equal, strncmp_less, strncmp_greater;
    long printk_ret;
    uint64_t csum;
};

struct map_results {
    long delete_first, delete_again;
    long peek_ret, pop_ret, pop_empty_ret;
    uint32_t peeked, popped;
};

struct ring_results {
    uint64_t avail_data, ring_size, producer_pos;
    long output_ret;
    uint32_t reserved;
};

struct skb_results {
    uint32_t ip_first_word;
    long relative_ret;
    uint64_t cookie, cookie_again;
};

struct locked_value {
    uint32_t lock, pad;
    uint64_t counter;
};

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return 0;
}

static struct bpf_object *load(void)
{
    libbpf_set_print(quiet);
    struct bpf_object *obj = bpf_object__open_file(OBJECT, NULL);
    CHECK(obj != NULL);
    if (obj && bpf_object__load(obj)) {
        CHECK(0);
        bpf_object__close(obj);
        return NULL;
    }
    return obj;
}

/* The live variable of a program's data section. */
static volatile void *results(struct bpf_object *obj, const char *section, size_t size)
{
    size_t got = 0;
    const void *p = bpf_map__initial_value(bpf_object__find_map_by_name(obj, section), &got);
    CHECK(p != NULL);
    CHECK_EQ(got, size);
    return (volatile void *)p;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
    int fd = bpf_program__fd(bpf_object__find_program_by_name(obj, name));
    CHECK(fd >= 0);
    return fd;
}

/* Runs an XDP or tc program on data; the verdict, or -1. */
static int run_packet(struct bpf_object *obj, const char *name, const void *data, uint32_t size,
                      void *out, uint32_t *out_size)
{
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = size, .data_out = out,
                .data_size_out = out_size ? *out_size : 0);
    int err = bpf_prog_test_run_opts(prog_fd(obj, name), &opts);
    CHECK_EQ(err, 0);
    if (out_size)
        *out_size = opts.data_size_out;
    return err ? -1 : (int)opts.retval;
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct trace_capture {
    char line[256];
    int lines;
};

static void capture_trace(const char *line, size_t len, void *arg)
{
    struct trace_capture *c = arg;
    size_t n = len < sizeof c->line - 1 ? len : sizeof c->line - 1;
    memcpy(c->line, line, n);
    c->line[n] = '\0';
    c->lines++;
}

TEST(time_random_strings_printing_and_checksums)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    volatile struct basics *b = results(obj, ".data.basics", sizeof(struct basics));
    struct trace_capture trace = {.lines = 0};
    helpers_set_trace_sink(capture_trace, &trace);
    uint8_t frame[64] = {0};
    uint64_t mono0 = clock_ns(CLOCK_MONOTONIC), boot0 = clock_ns(CLOCK_BOOTTIME),
             coarse0 = clock_ns(CLOCK_MONOTONIC_COARSE);
    CHECK_EQ(run_packet(obj, "call_basics", frame, sizeof frame, NULL, NULL), XDP_PASS);
    uint64_t mono1 = clock_ns(CLOCK_MONOTONIC), boot1 = clock_ns(CLOCK_BOOTTIME),
             coarse1 = clock_ns(CLOCK_MONOTONIC_COARSE);
    helpers_set_trace_sink(NULL, NULL);
    CHECK(b->ktime >= mono0 && b->ktime <= mono1);
    CHECK(b->boot >= boot0 && b->boot <= boot1);
    CHECK(b->coarse >= coarse0 && b->coarse <= coarse1);
    CHECK(b->jiffies >= coarse0 / 1000000 && b->jiffies <= coarse1 / 1000000);
    /* Four draws of 32 random bits are not all equal (odds 2^-96). */
    CHECK(b->random[0] != b->random[1] || b->random[1] != b->random[2] ||
          b->random[2] != b->random[3]);
    CHECK_STR((const char *)b->text, "-5|7|ff");
    CHECK_EQ(b->snprintf_ret, strlen("-5|7|ff") + 1);
    CHECK_EQ(b->strncmp_equal, 0);
    CHECK_EQ(b->strncmp_less, -1);
    CHECK_EQ(b->strncmp_greater, 1);
    CHECK_EQ(trace.lines, 1);
    CHECK_CONTAINS(trace.line, "coverage 42 done");
    CHECK_EQ(b->printk_ret, strlen("coverage 42 done"));
    /* The seed plus both words (0x0b0d1011), folded to 16 bits as Linux 6.12 and later
     * return it (docs/oracle.md). */
    CHECK_EQ(b->csum, 0x0b0du + 0x1011u);
    bpf_object__close(obj);
}

TEST(identity_of_the_calling_task)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    volatile struct basics *b = results(obj, ".data.basics", sizeof(struct basics));
    char name[16] = "";
    prctl(PR_GET_NAME, name);
    struct bpf_sock_addr ctx = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx, .ctx_size_in = sizeof ctx);
    CHECK_EQ(bpf_prog_test_run_opts(prog_fd(obj, "call_identity"), &opts), 0);
    CHECK_EQ(opts.retval, 1);
    CHECK_EQ(b->pid_tgid, ((uint64_t)getpid() << 32) | (uint32_t)gettid());
    CHECK_EQ(b->uid_gid, ((uint64_t)getgid() << 32) | getuid());
    CHECK_EQ(b->comm_ret, 0);
    CHECK_STR((const char *)b->comm, name);
    bpf_object__close(obj);
}

TEST(map_delete_queue_pop_peek_and_spin_locks)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    volatile struct map_results *m = results(obj, ".data.maps", sizeof(struct map_results));
    uint32_t key = 1, value = 9, zero = 0;
    struct bpf_map *doomed = bpf_object__find_map_by_name(obj, "doomed");
    CHECK_EQ(bpf_map__update_elem(doomed, &key, 4, &value, 4, BPF_ANY), 0);
    value = 5;
    CHECK_EQ(bpf_map__update_elem(bpf_object__find_map_by_name(obj, "fifo"), NULL, 0, &value, 4,
                                  BPF_ANY), 0);
    struct bpf_map *locked = bpf_object__find_map_by_name(obj, "locked");
    struct locked_value lv = {.counter = 10};
    CHECK_EQ(bpf_map__update_elem(locked, &zero, 4, &lv, sizeof lv, BPF_ANY), 0);
    uint8_t frame[64] = {0};
    CHECK_EQ(run_packet(obj, "call_map_helpers", frame, sizeof frame, NULL, NULL), XDP_PASS);
    CHECK_EQ(m->delete_first, 0);
    CHECK_EQ(m->delete_again, -ENOENT);
    CHECK_EQ(bpf_map__lookup_elem(doomed, &key, 4, &value, 4, 0), -ENOENT);
    CHECK_EQ(m->peek_ret, 0);
    CHECK_EQ(m->peeked, 5);
    CHECK_EQ(m->pop_ret, 0);
    CHECK_EQ(m->popped, 5);
    CHECK_EQ(m->pop_empty_ret, -ENOENT);
    CHECK_EQ(run_packet(obj, "call_map_helpers", frame, sizeof frame, NULL, NULL), XDP_PASS);
    CHECK_EQ(bpf_map__lookup_elem(locked, &zero, 4, &lv, sizeof lv, BPF_F_LOCK), 0);
    CHECK_EQ(lv.counter, 16);
    bpf_object__close(obj);
}

struct locker {
    struct bpf_object *obj;
    int runs;
};

static void *run_locked_updates(void *arg)
{
    struct locker *l = arg;
    uint8_t frame[64] = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof frame,
                .repeat = l->runs);
    bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(l->obj,
                                                                           "call_map_helpers")),
                           &opts);
    return NULL;
}

TEST(spin_locked_updates_from_several_threads_add_up)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    struct locker l = {obj, 2000};
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        CHECK_EQ(pthread_create(&threads[i], NULL, run_locked_updates, &l), 0);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    uint32_t zero = 0;
    struct locked_value lv;
    CHECK_EQ(bpf_map__lookup_elem(bpf_object__find_map_by_name(obj, "locked"), &zero, 4, &lv,
                                  sizeof lv, 0), 0);
    CHECK_EQ(lv.counter, 3 * 2000 * 3);
    bpf_object__close(obj);
}

TEST(tail_call_jumps_to_the_slot_program)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    volatile uint32_t *runs = results(obj, ".data.tail", sizeof(uint32_t));
    uint8_t frame[64] = {0};
    /* An empty slot: the call falls through. */
    CHECK_EQ(run_packet(obj, "call_tail_call", frame, sizeof frame, NULL, NULL), XDP_ABORTED);
    CHECK_EQ(*runs, 0);
    uint32_t slot = 0;
    int target = prog_fd(obj, "tail_target");
    CHECK_EQ(bpf_map__update_elem(bpf_object__find_map_by_name(obj, "jumps"), &slot, 4, &target,
                                  4, BPF_ANY), 0);
    CHECK_EQ(run_packet(obj, "call_tail_call", frame, sizeof frame, NULL, NULL), XDP_TX);
    CHECK_EQ(*runs, 1);
    bpf_object__close(obj);
}

struct ring_records {
    uint64_t values[8];
    int count;
};

static int collect_record(void *ctx, void *data, size_t size)
{
    struct ring_records *r = ctx;
    CHECK_EQ(size, sizeof(uint64_t));
    if (r->count < 8 && size == sizeof(uint64_t))
        memcpy(&r->values[r->count], data, sizeof(uint64_t));
    r->count++;
    return 0;
}

TEST(ring_buffer_reserve_submit_discard_output_and_query)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    volatile struct ring_results *r = results(obj, ".data.ring", sizeof(struct ring_results));
    uint8_t frame[64] = {0};
    CHECK_EQ(run_packet(obj, "call_ringbuf", frame, sizeof frame, NULL, NULL), XDP_PASS);
    CHECK_EQ(r->output_ret, 0);
    /* Three records of 8 bytes, each with its 8-byte header, the discarded one included
     * until it is consumed. */
    CHECK_EQ(r->avail_data, 3 * 16);
    CHECK_EQ(r->producer_pos, 3 * 16);
    CHECK_EQ(r->ring_size, 4096);
    struct ring_records records = {.count = 0};
    struct ring_buffer *rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "ring"),
                                              collect_record, &records, NULL);
    CHECK(rb != NULL);
    CHECK_EQ(ring_buffer__consume(rb), 2);
    CHECK_EQ(records.count, 2);
    CHECK_EQ(records.values[0], 0x11);
    CHECK_EQ(records.values[1], 0x33);
    /* Consumed: the next run's query sees only its own records. */
    CHECK_EQ(run_packet(obj, "call_ringbuf", frame, sizeof frame, NULL, NULL), XDP_PASS);
    CHECK_EQ(r->avail_data, 3 * 16);
    CHECK_EQ(r->producer_pos, 6 * 16);
    ring_buffer__free(rb);
    bpf_object__close(obj);
}

TEST(xdp_adjust_head_and_tail_and_redirects)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    uint8_t frame[64], out[128];
    for (int i = 0; i < 64; i++)
        frame[i] = (uint8_t)i;
    uint32_t out_size = sizeof out;
    CHECK_EQ(run_packet(obj, "call_xdp_adjust", frame, sizeof frame, out, &out_size), XDP_PASS);
    CHECK_EQ(out_size, 56);
    CHECK_EQ(out[0], 4);
    CHECK_EQ(out[55], 59);
    /* bpf_redirect to an interface; bpf_redirect_map through a devmap entry, or the
     * fallback action when the slot is empty. */
    frame[0] = 0xff;
    CHECK_EQ(run_packet(obj, "call_redirect", frame, sizeof frame, NULL, NULL), XDP_REDIRECT);
    uint32_t slot = 2, ifindex = 1;
    CHECK_EQ(bpf_map__update_elem(bpf_object__find_map_by_name(obj, "ports"), &slot, 4, &ifindex,
                                  4, BPF_ANY), 0);
    frame[0] = 2;
    CHECK_EQ(run_packet(obj, "call_redirect", frame, sizeof frame, NULL, NULL), XDP_REDIRECT);
    frame[0] = 3;
    CHECK_EQ(run_packet(obj, "call_redirect", frame, sizeof frame, NULL, NULL), XDP_PASS);
    bpf_object__close(obj);
}

/* One's-complement sum of 16-bit big-endian words. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len % 2)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* The UDP checksum's verification sum (0xffff when right) over the pseudo header. */
static uint16_t udp_check_sum(const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HLEN, *udp = ip + sizeof(struct iphdr);
    size_t udp_len = len - ETH_HLEN - sizeof(struct iphdr);
    uint32_t sum = sum16(ip + 12, 8, 0) + IPPROTO_UDP + (uint32_t)udp_len;
    return fold(sum16(udp, udp_len, sum));
}

TEST(skb_relative_load_l4_checksum_and_socket_cookie)
{
    struct bpf_object *obj = load();
    if (!obj)
        return;
    volatile struct skb_results *s = results(obj, ".data.skb", sizeof(struct skb_results));
    /* Headers built apart (aligned) and copied in: the IP header sits at offset 14. */
    uint8_t frame[ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr) + 6] = {0};
    struct ethhdr eth = {.h_proto = htons(ETH_P_IP)};
    struct iphdr ip = {.version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_UDP,
                       .tot_len = htons(sizeof frame - ETH_HLEN), .saddr = htonl(0x0a000001),
                       .daddr = htonl(0x0a000002)};
    ip.check = htons((uint16_t)~fold(sum16((uint8_t *)&ip, sizeof ip, 0)));
    struct udphdr udp = {.source = htons(40000), .dest = htons(53),
                         .len = htons(sizeof frame - ETH_HLEN - sizeof ip)};
    size_t udp_off = ETH_HLEN + sizeof ip;
    memcpy(frame, &eth, sizeof eth);
    memcpy(frame + ETH_HLEN, &ip, sizeof ip);
    memcpy(frame + udp_off + sizeof udp, "query!", 6);
    memcpy(frame + udp_off, &udp, sizeof udp);
    udp.check = htons((uint16_t)~udp_check_sum(frame, sizeof frame));
    memcpy(frame + udp_off, &udp, sizeof udp);
    CHECK_EQ(udp_check_sum(frame, sizeof frame), 0xffff);
    uint8_t out[128];
    uint32_t out_size = sizeof out;
    CHECK_EQ(run_packet(obj, "call_skb_helpers", frame, sizeof frame, out, &out_size), 0);
    CHECK_EQ(out_size, sizeof frame);
    struct udphdr out_udp;
    memcpy(&out_udp, out + udp_off, sizeof out_udp);
    CHECK_EQ(ntohs(out_udp.dest), 5353);
    CHECK(out_udp.check != udp.check);
    CHECK_EQ(udp_check_sum(out, out_size), 0xffff);
    CHECK_EQ(s->relative_ret, 0);
    uint32_t first_word;
    memcpy(&first_word, &ip, 4);
    CHECK_EQ(s->ip_first_word, first_word);
    /* A socket of its own per run, the same one within the run. */
    uint64_t cookie = s->cookie;
    CHECK(cookie != 0);
    CHECK_EQ(s->cookie_again, cookie);
    out_size = sizeof out;
    CHECK_EQ(run_packet(obj, "call_skb_helpers", frame, sizeof frame, out, &out_size), 0);
    CHECK(s->cookie != 0 && s->cookie != cookie);
    bpf_object__close(obj);
}

TEST_MAIN
