/* The XDP datapath: workers that move frames from receive rings through the program to
 * transmit batches. */
#include "hooks/xdp_datapath.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/message.h"
#include "elf/elf_object.h"
#include "hooks/xdp_checksum.h"
#include "hooks/xdp_rx_ring.h"
#include "hooks/xdp_tx_port.h"
#include "platform/cpu_slot.h"
#include "platform/epoch.h"
#include "platform/host.h"
#include "runtime/xdp_context.h"

enum {
    FRAME_BATCH = 64,              /* frames a worker holds before it must flush */
    REDIRECT_PORTS_MAX = 32,       /* interfaces one worker keeps open for REDIRECT */
    VLAN_TAG = 4,
    POLL_MS = 100,
    BLOCK_TIMEOUT_MS = 1,          /* a partly filled receive block is handed over this soon */
    MAX_STEPS = 1000000,           /* checked interpreter: instructions per frame */
};

struct xdp_worker {
    struct hook_xdp *xdp;
    unsigned index;
    pthread_t thread;
    bool started;
    struct hook_xdp_rx_ring rx, peer_rx;
    struct hook_xdp_tx_port ingress_tx, peer_tx;
    struct hook_xdp_tx_port *redirect[REDIRECT_PORTS_MAX];
    unsigned redirect_count;
    struct runtime_xdp_frame frames[FRAME_BATCH];
    unsigned frames_used;
    struct vm_run run;
    uint64_t stat[HOOK_XDP_STAT_COUNT]; /* running totals, published after each block */
    uint64_t drops_checked_ns;
};

struct hook_xdp {
    unsigned ifindex, peer_ifindex;
    enum hook_xdp_mode mode;
    /* One reference. Workers load it for each frame, inside an epoch section that spans the
     * receive block, so a program replaced under them is released only after a grace period. */
    _Atomic(struct runtime_prog *) prog;
    struct hook_xdp_counters *counters;
    struct hook_xdp_counters *own_counters;
    bool limited;
    _Atomic int64_t remaining;
    _Atomic bool stopping;
    _Atomic unsigned lost_ifindex;  /* an interface that disappeared while attached */
    int stop_fd, done_fd;
    unsigned worker_count;
    struct xdp_worker *workers;
};

static void publish(struct xdp_worker *w)
{
    struct hook_xdp_worker_counters *row = &w->xdp->counters->worker[w->index];
    for (unsigned s = 0; s < HOOK_XDP_STAT_COUNT; s++)
        atomic_store_explicit(&row->stat[s], w->stat[s], memory_order_relaxed);
}

static void flush_all(struct xdp_worker *w)
{
    unsigned failed = hook_xdp_tx_port_flush(&w->ingress_tx);
    if (w->peer_tx.fd >= 0)
        failed += hook_xdp_tx_port_flush(&w->peer_tx);
    for (unsigned i = 0; i < w->redirect_count; i++)
        failed += hook_xdp_tx_port_flush(w->redirect[i]);
    w->stat[HOOK_XDP_STAT_TX_ERRORS] += failed;
    w->frames_used = 0;
}

static void queue(struct xdp_worker *w, struct hook_xdp_tx_port *port, struct runtime_xdp_frame *frame)
{
    size_t len;
    const uint8_t *data = runtime_xdp_frame_data(frame, &len);
    w->stat[HOOK_XDP_STAT_TX_ERRORS] += hook_xdp_tx_port_queue(port, data, len);
    w->frames_used++; /* the slot now backs a queued frame until the next flush */
}

/* The port for a REDIRECT target, opened on first use; NULL when it cannot be. */
static struct hook_xdp_tx_port *redirect_port(struct xdp_worker *w, unsigned ifindex)
{
    if (ifindex == w->xdp->ifindex)
        return &w->ingress_tx;
    if (w->peer_tx.fd >= 0 && ifindex == w->peer_tx.ifindex)
        return &w->peer_tx;
    for (unsigned i = 0; i < w->redirect_count; i++)
        if (w->redirect[i]->ifindex == ifindex)
            return w->redirect[i];
    if (w->redirect_count == REDIRECT_PORTS_MAX)
        return NULL;
    struct hook_xdp_tx_port *port = malloc(sizeof *port);
    if (!port || hook_xdp_tx_port_open(port, ifindex, NULL, 0)) {
        free(port);
        return NULL;
    }
    w->redirect[w->redirect_count++] = port;
    return port;
}

/* Copies a received frame into the next free XDP frame, putting back a VLAN tag the driver
 * took out and finishing an offloaded checksum. NULL (counted) when it does not fit. */
static struct runtime_xdp_frame *load_frame(struct xdp_worker *w, const struct hook_xdp_rx_frame *rx,
                                            unsigned ifindex)
{
    size_t tag = rx->vlan_valid ? VLAN_TAG : 0;
    if (rx->len < rx->wire_len || rx->len + tag > XDP_FRAME_SIZE - XDP_FRAME_HEADROOM || (tag && rx->len < 12)) {
        w->stat[HOOK_XDP_STAT_OVERSIZE]++;
        return NULL;
    }
    if (w->frames_used == FRAME_BATCH)
        flush_all(w);
    struct runtime_xdp_frame *frame = &w->frames[w->frames_used];
    runtime_xdp_frame_load(frame, rx->data, rx->len, ifindex, w->index);
    if (tag) {
        uint8_t *data = (uint8_t *)(uintptr_t)frame->md.data;
        memmove(data + 12 + VLAN_TAG, data + 12, rx->len - 12);
        data[12] = (uint8_t)(rx->vlan_tpid >> 8);
        data[13] = (uint8_t)rx->vlan_tpid;
        data[14] = (uint8_t)(rx->vlan_tci >> 8);
        data[15] = (uint8_t)rx->vlan_tci;
        frame->md.data_end += VLAN_TAG;
    }
    if (rx->checksum_partial) {
        size_t len;
        uint8_t *data = runtime_xdp_frame_data(frame, &len);
        hook_xdp_checksum_complete(data, len);
    }
    return frame;
}

/* Claims one frame of the limit; false once it is used up. */
static bool claim_frame(struct hook_xdp *xdp)
{
    if (!xdp->limited)
        return true;
    int64_t left = atomic_fetch_sub(&xdp->remaining, 1);
    if (left == 1) {
        uint64_t one = 1;
        ssize_t ignored = write(xdp->done_fd, &one, sizeof one);
        (void)ignored; /* an eventfd counter cannot overflow from one write */
    }
    return left > 0;
}

static void run_ingress_frame(struct xdp_worker *w, const struct hook_xdp_rx_frame *rx)
{
    struct hook_xdp *xdp = w->xdp;
    if (!claim_frame(xdp))
        return;
    struct runtime_xdp_frame *frame = load_frame(w, rx, xdp->ifindex);
    if (!frame)
        return;
    size_t len;
    runtime_xdp_frame_data(frame, &len);
    w->stat[HOOK_XDP_STAT_RX_BYTES] += len;
    uint32_t action = XDP_CODE_PASS;
    struct runtime_prog *prog = atomic_load_explicit(&xdp->prog, memory_order_acquire);
    if (prog) {
        w->run.region_count = 0;
        if (runtime_xdp_run(prog, frame, &w->run, &action)) {
            w->stat[HOOK_XDP_STAT_FAULTS]++;
            action = XDP_CODE_ABORTED;
        }
    }
    w->stat[action]++;
    switch (action) {
    case XDP_CODE_PASS:
        if (xdp->mode == HOOK_XDP_MODE_INLINE)
            queue(w, &w->peer_tx, frame);
        break;
    case XDP_CODE_TX:
        queue(w, &w->ingress_tx, frame);
        break;
    case XDP_CODE_REDIRECT: {
        struct hook_xdp_tx_port *port = redirect_port(w, frame->redirect_ifindex);
        if (port)
            queue(w, port, frame);
        else
            w->stat[HOOK_XDP_STAT_REDIRECT_ERRORS]++;
        break;
    }
    default: /* DROP, ABORTED: the slot is simply reused */
        break;
    }
}

static void forward_peer_frame(struct xdp_worker *w, const struct hook_xdp_rx_frame *rx)
{
    struct runtime_xdp_frame *frame = load_frame(w, rx, w->xdp->peer_ifindex);
    if (!frame)
        return;
    w->stat[HOOK_XDP_STAT_PEER_FRAMES]++;
    queue(w, &w->ingress_tx, frame);
}

static bool drain(struct xdp_worker *w, struct hook_xdp_rx_ring *ring, bool ingress)
{
    void *block = hook_xdp_rx_ring_block(ring);
    if (!block)
        return false;
    const void *cursor = NULL;
    struct hook_xdp_rx_frame rx;
    platform_epoch_enter(); /* the program of this block outlives a replacement */
    while (hook_xdp_rx_block_next(block, &cursor, &rx)) {
        if (ingress)
            run_ingress_frame(w, &rx);
        else
            forward_peer_frame(w, &rx);
    }
    platform_epoch_exit();
    flush_all(w); /* frames sent before the block (and the slots) are reused */
    hook_xdp_rx_ring_release(ring, block);
    return true;
}

static void count_ring_drops(struct xdp_worker *w)
{
    uint64_t now = platform_monotonic_ns();
    if (now - w->drops_checked_ns < POLL_MS * 1000000ull)
        return;
    w->drops_checked_ns = now;
    w->stat[HOOK_XDP_STAT_RING_DROPS] += hook_xdp_rx_ring_drops(&w->rx);
    if (w->peer_rx.fd >= 0)
        w->stat[HOOK_XDP_STAT_RING_DROPS] += hook_xdp_rx_ring_drops(&w->peer_rx);
}

/* A ring reported an error: an interface went down (it may come back: the error is cleared
 * and the ring resumes with it) or away (the attachment is over: done_fd tells). */
static bool lost_interface(struct xdp_worker *w)
{
    struct hook_xdp *xdp = w->xdp;
    int err;
    socklen_t len = sizeof err;
    getsockopt(w->rx.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (w->peer_rx.fd >= 0)
        getsockopt(w->peer_rx.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    char name[IF_NAMESIZE];
    unsigned gone = !if_indextoname(xdp->ifindex, name) ? xdp->ifindex
                  : xdp->peer_ifindex && !if_indextoname(xdp->peer_ifindex, name) ? xdp->peer_ifindex : 0;
    if (!gone) {
        poll(NULL, 0, POLL_MS); /* down, not gone: no busy loop while it stays down */
        return false;
    }
    unsigned expected = 0;
    atomic_compare_exchange_strong(&xdp->lost_ifindex, &expected, gone);
    uint64_t one = 1;
    ssize_t ignored = write(xdp->done_fd, &one, sizeof one);
    (void)ignored; /* an eventfd counter cannot overflow from a few writes */
    return true;
}

static void *worker_main(void *arg)
{
    struct xdp_worker *w = arg;
    struct hook_xdp *xdp = w->xdp;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the embedding process's business */
    platform_cpu_slot(); /* per-CPU maps: this worker is one CPU */
    struct pollfd fds[3] = {{.fd = xdp->stop_fd, .events = POLLIN}, {.fd = w->rx.fd, .events = POLLIN},
                            {.fd = w->peer_rx.fd, .events = POLLIN}};
    nfds_t nfds = w->peer_rx.fd >= 0 ? 3 : 2;
    while (!atomic_load_explicit(&xdp->stopping, memory_order_acquire)) {
        bool busy = drain(w, &w->rx, true);
        if (w->peer_rx.fd >= 0)
            busy |= drain(w, &w->peer_rx, false);
        count_ring_drops(w);
        publish(w);
        if (!busy && poll(fds, nfds, POLL_MS) > 0 &&
            ((fds[1].revents | (nfds > 2 ? fds[2].revents : 0)) & (POLLERR | POLLNVAL)) && lost_interface(w))
            break;
    }
    /* Frames that arrived before the stop still get their verdict: wait out the kernel's
     * block timeout once, then take what it handed over. */
    poll(NULL, 0, 2 * BLOCK_TIMEOUT_MS);
    while (drain(w, &w->rx, true) || (w->peer_rx.fd >= 0 && drain(w, &w->peer_rx, false)))
        ;
    count_ring_drops(w);
    publish(w);
    return NULL;
}

static unsigned receive_queues(unsigned ifindex)
{
    char name[IF_NAMESIZE], path[64 + IF_NAMESIZE];
    if (!if_indextoname(ifindex, name))
        return 1;
    snprintf(path, sizeof path, "/sys/class/net/%s/queues", name);
    DIR *dir = opendir(path);
    if (!dir)
        return 1;
    unsigned count = 0;
    for (struct dirent *e; (e = readdir(dir));)
        count += !strncmp(e->d_name, "rx-", 3);
    closedir(dir);
    return count ? count : 1;
}

static void worker_release(struct xdp_worker *w)
{
    hook_xdp_rx_ring_close(&w->rx);
    hook_xdp_rx_ring_close(&w->peer_rx);
    hook_xdp_tx_port_close(&w->ingress_tx);
    hook_xdp_tx_port_close(&w->peer_tx);
    for (unsigned i = 0; i < w->redirect_count; i++) {
        hook_xdp_tx_port_close(w->redirect[i]);
        free(w->redirect[i]);
    }
    for (unsigned i = 0; i < FRAME_BATCH; i++)
        runtime_xdp_frame_release(&w->frames[i]);
    vm_run_release(&w->run);
}

/* Every worker's ring on the interface, or on the peer. */
static int open_rings(struct hook_xdp *xdp, bool peer, char *msg, size_t msg_size)
{
    unsigned ifindex = peer ? xdp->peer_ifindex : xdp->ifindex;
    struct hook_xdp_rx_ring_options ring_opts = {
        .block_timeout_ms = BLOCK_TIMEOUT_MS,
        .promiscuous = xdp->mode == HOOK_XDP_MODE_INLINE,
        .fanout = xdp->worker_count > 1,
    };
    for (unsigned i = 0; i < xdp->worker_count; i++) {
        struct hook_xdp_rx_ring *ring = peer ? &xdp->workers[i].peer_rx : &xdp->workers[i].rx;
        char ring_msg[256];
        int err = hook_xdp_rx_ring_open(ring, ifindex, &ring_opts, ring_msg, sizeof ring_msg);
        if (!err && ring_opts.fanout && i == 0)
            err = hook_xdp_rx_ring_fanout_id(ring, &ring_opts.fanout_id);
        if (err)
            return msg_error(err, msg, msg_size, "%s (interface %u), worker %u: %s",
                             peer ? "peer receive ring" : "receive ring", ifindex, i, ring_msg);
    }
    return 0;
}

static int setup(struct hook_xdp *xdp, const struct hook_xdp_options *opts, char *msg, size_t msg_size)
{
    for (unsigned i = 0; i < xdp->worker_count; i++) {
        struct xdp_worker *w = &xdp->workers[i];
        vm_run_init(&w->run);
        w->run.max_steps = MAX_STEPS;
        for (unsigned f = 0; f < FRAME_BATCH; f++)
            if (runtime_xdp_frame_init(&w->frames[f]))
                return msg_error(-ENOMEM, msg, msg_size, "out of memory below 4 GiB for XDP frames");
        int err = hook_xdp_tx_port_open(&w->ingress_tx, xdp->ifindex, msg, msg_size);
        if (!err && xdp->mode == HOOK_XDP_MODE_INLINE)
            err = hook_xdp_tx_port_open(&w->peer_tx, xdp->peer_ifindex, msg, msg_size);
        if (err)
            return err;
    }
    int err = open_rings(xdp, false, msg, msg_size);
    if (!err && opts->mode == HOOK_XDP_MODE_INLINE)
        err = open_rings(xdp, true, msg, msg_size);
    return err;
}

int hook_xdp_attach(unsigned ifindex, struct runtime_prog *prog, const struct hook_xdp_options *opts,
                    struct hook_xdp **out, char *msg, size_t msg_size)
{
    *out = NULL;
    char name[IF_NAMESIZE];
    if (!ifindex || !if_indextoname(ifindex, name))
        return msg_error(-ENODEV, msg, msg_size, "no interface with index %u", ifindex);
    if (opts->mode != HOOK_XDP_MODE_INLINE && opts->mode != HOOK_XDP_MODE_OBSERVE)
        return msg_error(-EINVAL, msg, msg_size, "unknown XDP hook mode %d", (int)opts->mode);
    if (opts->mode == HOOK_XDP_MODE_INLINE) {
        if (!opts->peer_ifindex || !if_indextoname(opts->peer_ifindex, name))
            return msg_error(opts->peer_ifindex ? -ENODEV : -EINVAL, msg, msg_size,
                             "inline mode needs a peer interface (index %u does not exist)", opts->peer_ifindex);
        if (opts->peer_ifindex == ifindex)
            return msg_error(-EINVAL, msg, msg_size, "the peer must be another interface than %s", name);
    }
    if (prog && prog->prog_type != EBPF_PROG_TYPE_XDP)
        return msg_error(-EINVAL, msg, msg_size, "program '%s' is not an XDP program", prog->name);
    unsigned workers = opts->workers ? opts->workers : receive_queues(ifindex);
    unsigned slots = platform_cpu_slot_count();
    if (workers > slots)
        workers = slots;
    if (workers > HOOK_XDP_MAX_WORKERS)
        workers = HOOK_XDP_MAX_WORKERS;

    struct hook_xdp *xdp = calloc(1, sizeof *xdp);
    if (!xdp)
        return msg_error(-ENOMEM, msg, msg_size, "out of memory attaching XDP");
    xdp->ifindex = ifindex;
    xdp->peer_ifindex = opts->mode == HOOK_XDP_MODE_INLINE ? opts->peer_ifindex : 0;
    xdp->mode = opts->mode;
    xdp->limited = opts->frame_limit != 0;
    atomic_init(&xdp->remaining, (int64_t)opts->frame_limit);
    atomic_init(&xdp->stopping, false);
    xdp->worker_count = workers;
    xdp->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    xdp->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    xdp->workers = calloc(workers, sizeof *xdp->workers);
    for (unsigned i = 0; xdp->workers && i < workers; i++) {
        struct xdp_worker *w = &xdp->workers[i];
        w->xdp = xdp;
        w->index = i;
        w->rx.fd = w->peer_rx.fd = w->ingress_tx.fd = w->peer_tx.fd = -1; /* for detach on failure */
    }
    xdp->counters = opts->counters;
    if (!xdp->counters) {
        xdp->own_counters = aligned_alloc(128, sizeof *xdp->own_counters);
        xdp->counters = xdp->own_counters;
    }
    if (xdp->stop_fd < 0 || xdp->done_fd < 0 || !xdp->workers || !xdp->counters) {
        int err = xdp->stop_fd < 0 || xdp->done_fd < 0 ? -errno : -ENOMEM;
        hook_xdp_detach(xdp);
        return msg_error(err, msg, msg_size, "attaching XDP: %s", strerror(-err));
    }
    memset(xdp->counters, 0, sizeof *xdp->counters);
    atomic_store(&xdp->counters->worker_count, workers);
    int err = setup(xdp, opts, msg, msg_size);
    if (err) {
        hook_xdp_detach(xdp);
        return err;
    }
    if (prog)
        runtime_prog_get(prog);
    atomic_store(&xdp->prog, prog);
    for (unsigned i = 0; i < workers; i++) {
        err = -pthread_create(&xdp->workers[i].thread, NULL, worker_main, &xdp->workers[i]);
        if (err) {
            hook_xdp_detach(xdp);
            return msg_error(err, msg, msg_size, "starting XDP worker %u: %s", i, strerror(-err));
        }
        xdp->workers[i].started = true;
    }
    *out = xdp;
    return 0;
}

void hook_xdp_detach(struct hook_xdp *xdp)
{
    if (!xdp)
        return;
    atomic_store_explicit(&xdp->stopping, true, memory_order_release);
    if (xdp->stop_fd >= 0) {
        uint64_t one = 1;
        ssize_t ignored = write(xdp->stop_fd, &one, sizeof one);
        (void)ignored; /* the workers also see `stopping` within one poll period */
    }
    for (unsigned i = 0; xdp->workers && i < xdp->worker_count; i++) {
        if (xdp->workers[i].started)
            pthread_join(xdp->workers[i].thread, NULL);
        worker_release(&xdp->workers[i]);
    }
    runtime_prog_put(atomic_load(&xdp->prog)); /* no worker runs any more */
    if (xdp->stop_fd >= 0)
        close(xdp->stop_fd);
    if (xdp->done_fd >= 0)
        close(xdp->done_fd);
    free(xdp->workers);
    free(xdp->own_counters);
    free(xdp);
}

struct deferred_prog_put {
    struct platform_epoch_entry reclaim; /* first: the entry is the record */
    struct runtime_prog *prog;
};

static void put_replaced_prog(struct platform_epoch_entry *entry)
{
    struct deferred_prog_put *put = (struct deferred_prog_put *)entry;
    runtime_prog_put(put->prog);
    free(put);
}

int hook_xdp_replace_prog(struct hook_xdp *xdp, struct runtime_prog *prog, char *msg, size_t msg_size)
{
    if (prog && prog->prog_type != EBPF_PROG_TYPE_XDP)
        return msg_error(-EINVAL, msg, msg_size, "program '%s' is not an XDP program", prog->name);
    /* Allocated before the swap so that nothing can fail after it. */
    struct deferred_prog_put *put = malloc(sizeof *put);
    if (!put)
        return msg_error(-ENOMEM, msg, msg_size, "out of memory replacing an XDP program");
    if (prog)
        runtime_prog_get(prog);
    put->prog = atomic_exchange_explicit(&xdp->prog, prog, memory_order_acq_rel);
    if (put->prog)
        platform_epoch_defer(&put->reclaim, put_replaced_prog);
    else
        free(put);
    return 0;
}

const struct hook_xdp_counters *hook_xdp_counters(const struct hook_xdp *xdp) { return xdp->counters; }
unsigned hook_xdp_worker_count(const struct hook_xdp *xdp) { return xdp->worker_count; }
int hook_xdp_done_fd(const struct hook_xdp *xdp) { return xdp->done_fd; }

int hook_xdp_error(const struct hook_xdp *xdp, char *msg, size_t msg_size)
{
    unsigned lost = atomic_load(&((struct hook_xdp *)xdp)->lost_ifindex);
    if (!lost)
        return 0;
    return msg_error(-ENODEV, msg, msg_size, "interface %u (%s) went away while attached", lost,
                     lost == xdp->ifindex ? "the attached interface" : "the peer");
}
