/* The XDP datapath (hooks/xdp_datapath) on a real interface: the loopback device of a
 * private network namespace, observed, with real datagrams. Needs CAP_SYS_ADMIN and
 * CAP_NET_RAW for that part (skipped, with a SKIP line, without them); option checks need
 * nothing. */
#include "hooks/xdp_datapath.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform/epoch.h"
#include "test.h"
#include "test_loopback.h"

static struct runtime_prog *load(uint32_t prog_type, int32_t r0)
{
    const struct ebpf_insn insns[] = {
        {.code = 0xb7, .dst = 0, .imm = r0}, /* r0 = imm */
        {.code = 0x95},                      /* exit */
    };
    struct runtime_prog_attr attr = {.name = "returns", .prog_type = prog_type, .insns = insns,
                                     .insn_count = 2, .allow_unverified = true};
    struct runtime_prog *prog = NULL;
    char msg[256];
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), 0);
    return prog;
}

TEST(bad_options_are_refused_with_a_message)
{
    char msg[256];
    struct hook_xdp *xdp = (struct hook_xdp *)1;
    struct hook_xdp_options opts = {.mode = HOOK_XDP_MODE_OBSERVE};
    CHECK_EQ(hook_xdp_attach(0, NULL, &opts, &xdp, msg, sizeof msg), -ENODEV);
    CHECK(xdp == NULL);
    CHECK_CONTAINS(msg, "no interface with index 0");
    CHECK_EQ(hook_xdp_attach(999999, NULL, &opts, &xdp, msg, sizeof msg), -ENODEV);
    unsigned lo = if_nametoindex("lo");
    opts.mode = 7;
    CHECK_EQ(hook_xdp_attach(lo, NULL, &opts, &xdp, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unknown XDP hook mode");
    opts.mode = HOOK_XDP_MODE_INLINE;
    CHECK_EQ(hook_xdp_attach(lo, NULL, &opts, &xdp, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "needs a peer");
    opts.peer_ifindex = lo;
    CHECK_EQ(hook_xdp_attach(lo, NULL, &opts, &xdp, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "another interface");
    opts.peer_ifindex = 999999;
    CHECK_EQ(hook_xdp_attach(lo, NULL, &opts, &xdp, msg, sizeof msg), -ENODEV);
    struct runtime_prog *socket_filter = load(1, 0);
    opts = (struct hook_xdp_options){.mode = HOOK_XDP_MODE_OBSERVE};
    CHECK_EQ(hook_xdp_attach(lo, socket_filter, &opts, &xdp, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "not an XDP program");
    runtime_prog_put(socket_filter);
    hook_xdp_detach(NULL);
}


/* Waits until the verdicts add up to frames (2 s at most) and returns the totals. */
static void wait_for_frames(struct hook_xdp *xdp, uint64_t frames, uint64_t *totals)
{
    for (int i = 0; i < 200; i++) {
        hook_xdp_counters_sum(hook_xdp_counters(xdp), totals);
        if (hook_xdp_counters_frames(totals) >= frames)
            return;
        poll(NULL, 0, 10);
    }
}

TEST(observe_counts_every_frame_once)
{
    if (!test_private_loopback("xdp datapath"))
        return;
    char msg[256];
    struct hook_xdp *xdp;
    struct hook_xdp_options opts = {.mode = HOOK_XDP_MODE_OBSERVE};
    int err = hook_xdp_attach(if_nametoindex("lo"), NULL, &opts, &xdp, msg, sizeof msg);
    CHECK_EQ(err, 0);
    if (err) {
        printf("  %s\n", msg);
        return;
    }
    CHECK_EQ(hook_xdp_worker_count(xdp), 1);
    test_send_datagrams(5);
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    wait_for_frames(xdp, 5, totals);
    hook_xdp_detach(xdp);
    CHECK_EQ(totals[HOOK_XDP_STAT_PASS], 5); /* not 10: the outgoing copies are ignored */
    CHECK_EQ(totals[HOOK_XDP_STAT_RX_BYTES], 5 * (14 + 20 + 8 + 8));
    CHECK_EQ(totals[HOOK_XDP_STAT_OVERSIZE], 0);
}

TEST(program_verdicts_are_counted_and_out_of_range_is_aborted)
{
    if (!test_private_loopback("xdp datapath"))
        return;
    struct runtime_prog *drop = load(6, 1), *bogus = load(6, 99);
    char msg[256];
    struct hook_xdp *xdp;
    struct hook_xdp_options opts = {.mode = HOOK_XDP_MODE_OBSERVE};
    CHECK_EQ(hook_xdp_attach(if_nametoindex("lo"), drop, &opts, &xdp, msg, sizeof msg), 0);
    runtime_prog_put(drop); /* the attachment holds its own reference */
    test_send_datagrams(3);
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    wait_for_frames(xdp, 3, totals);
    hook_xdp_detach(xdp);
    CHECK_EQ(totals[HOOK_XDP_STAT_DROP], 3);

    CHECK_EQ(hook_xdp_attach(if_nametoindex("lo"), bogus, &opts, &xdp, msg, sizeof msg), 0);
    test_send_datagrams(2);
    wait_for_frames(xdp, 2, totals);
    hook_xdp_detach(xdp);
    CHECK_EQ(totals[HOOK_XDP_STAT_ABORTED], 2);
    runtime_prog_put(bogus);
}

TEST(the_program_is_replaced_without_stopping_the_workers)
{
    if (!test_private_loopback("xdp datapath"))
        return;
    struct runtime_prog *drop = load(6, 1), *pass = load(6, 2), *socket_filter = load(1, 0);
    char msg[256];
    struct hook_xdp *xdp;
    struct hook_xdp_options opts = {.mode = HOOK_XDP_MODE_OBSERVE};
    CHECK_EQ(hook_xdp_attach(if_nametoindex("lo"), drop, &opts, &xdp, msg, sizeof msg), 0);
    test_send_datagrams(2);
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    wait_for_frames(xdp, 2, totals);
    CHECK_EQ(hook_xdp_replace_prog(xdp, socket_filter, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "not an XDP program");
    CHECK_EQ(hook_xdp_replace_prog(xdp, pass, msg, sizeof msg), 0);
    runtime_prog_put(drop); /* the old program goes after a grace period, not under a worker */
    runtime_prog_put(pass);
    test_send_datagrams(3);
    wait_for_frames(xdp, 5, totals);
    CHECK_EQ(totals[HOOK_XDP_STAT_DROP], 2);
    CHECK_EQ(totals[HOOK_XDP_STAT_PASS], 3);
    CHECK_EQ(hook_xdp_replace_prog(xdp, NULL, msg, sizeof msg), 0); /* no program: XDP_PASS */
    test_send_datagrams(1);
    wait_for_frames(xdp, 6, totals);
    CHECK_EQ(totals[HOOK_XDP_STAT_PASS], 4);
    hook_xdp_detach(xdp);
    runtime_prog_put(socket_filter);
}

static _Atomic bool sending;

static void *send_until_stopped(void *arg)
{
    (void)arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in discard = test_discard_addr();
    while (atomic_load(&sending))
        sendto(fd, "12345678", 8, 0, (const struct sockaddr *)&discard, sizeof discard);
    close(fd);
    return NULL;
}

/* An XDP program of 1000 instructions returning r0: long enough for a replacement to land
 * while a worker runs it. */
static struct runtime_prog *load_long(int32_t r0)
{
    enum { LENGTH = 1000 };
    static struct ebpf_insn insns[LENGTH];
    for (int i = 0; i < LENGTH - 1; i++)
        insns[i] = (struct ebpf_insn){.code = 0xb7, .dst = 0, .imm = r0}; /* r0 = imm */
    insns[LENGTH - 1] = (struct ebpf_insn){.code = 0x95};                 /* exit */
    struct runtime_prog_attr attr = {.name = "long", .prog_type = 6, .insns = insns,
                                     .insn_count = LENGTH, .allow_unverified = true};
    struct runtime_prog *prog = NULL;
    char msg[256];
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), 0);
    return prog;
}

/* Programs replaced while frames flow are freed only after the workers are done with them
 * (ASan would see a worker run a freed program). */
TEST(replacing_under_traffic_never_runs_a_freed_program)
{
    if (!test_private_loopback("xdp datapath"))
        return;
    char msg[256];
    struct hook_xdp *xdp;
    struct hook_xdp_options opts = {.mode = HOOK_XDP_MODE_OBSERVE};
    CHECK_EQ(hook_xdp_attach(if_nametoindex("lo"), NULL, &opts, &xdp, msg, sizeof msg), 0);
    atomic_store(&sending, true);
    pthread_t sender;
    CHECK_EQ(pthread_create(&sender, NULL, send_until_stopped, NULL), 0);
    for (int i = 0; i < 200; i++) {
        struct runtime_prog *prog = load_long(i % 2 ? 2 : 1);
        CHECK_EQ(hook_xdp_replace_prog(xdp, prog, msg, sizeof msg), 0);
        runtime_prog_put(prog); /* the attachment's reference is the last one */
        if (i % 20 == 0)
            poll(NULL, 0, 1);
    }
    atomic_store(&sending, false);
    pthread_join(sender, NULL);
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    hook_xdp_counters_sum(hook_xdp_counters(xdp), totals);
    hook_xdp_detach(xdp);
    platform_epoch_barrier();
    CHECK(hook_xdp_counters_frames(totals) > 0);
    CHECK_EQ(totals[HOOK_XDP_STAT_ABORTED], 0);
}

TEST(frame_limit_signals_done_and_stops_counting)
{
    if (!test_private_loopback("xdp datapath"))
        return;
    char msg[256];
    struct hook_xdp *xdp;
    struct hook_xdp_options opts = {.mode = HOOK_XDP_MODE_OBSERVE, .frame_limit = 3};
    CHECK_EQ(hook_xdp_attach(if_nametoindex("lo"), NULL, &opts, &xdp, msg, sizeof msg), 0);
    struct pollfd done = {.fd = hook_xdp_done_fd(xdp), .events = POLLIN};
    CHECK_EQ(poll(&done, 1, 0), 0);
    test_send_datagrams(6);
    CHECK_EQ(poll(&done, 1, 2000), 1);
    poll(NULL, 0, 20);
    uint64_t totals[HOOK_XDP_STAT_COUNT];
    hook_xdp_counters_sum(hook_xdp_counters(xdp), totals);
    hook_xdp_detach(xdp);
    CHECK_EQ(hook_xdp_counters_frames(totals), 3);
}

TEST_MAIN
