/* Per-action counters of an attached XDP program (hooks layer). Each worker owns one row and
 * is its only writer; readers (the same process, or another one that maps the row block
 * from shared memory) sum the rows. The layout is fixed-size and pointer-free so that it can
 * live in a shared file. */
#ifndef BPFHOST_HOOKS_XDP_COUNTERS_H
#define BPFHOST_HOOKS_XDP_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

enum { HOOK_XDP_MAX_WORKERS = 64 };

enum hook_xdp_stat {
    /* Frames per verdict, indexed by the XDP action code (XDP_ABORTED .. XDP_REDIRECT). */
    HOOK_XDP_STAT_ABORTED,
    HOOK_XDP_STAT_DROP,
    HOOK_XDP_STAT_PASS,
    HOOK_XDP_STAT_TX,
    HOOK_XDP_STAT_REDIRECT,
    HOOK_XDP_STAT_RX_BYTES,        /* bytes of the frames the program saw */
    HOOK_XDP_STAT_FAULTS,          /* runs the engine stopped (also counted as ABORTED) */
    HOOK_XDP_STAT_OVERSIZE,        /* frames larger than an XDP frame: never run, dropped inline */
    HOOK_XDP_STAT_TX_ERRORS,       /* frames that a verdict sent but the interface refused */
    HOOK_XDP_STAT_REDIRECT_ERRORS, /* REDIRECT to an interface that cannot be opened */
    HOOK_XDP_STAT_PEER_FRAMES,     /* inline: frames from the peer forwarded to the interface */
    HOOK_XDP_STAT_RING_DROPS,      /* frames the kernel dropped because a receive ring was full */
    HOOK_XDP_STAT_COUNT
};

struct hook_xdp_worker_counters {
    _Atomic uint64_t stat[HOOK_XDP_STAT_COUNT];
} __attribute__((aligned(128))); /* one row per cache-line pair: no false sharing */

struct hook_xdp_counters {
    _Atomic uint32_t worker_count;
    struct hook_xdp_worker_counters worker[HOOK_XDP_MAX_WORKERS];
};

/* Sums every worker's row into totals[HOOK_XDP_STAT_COUNT]. */
void hook_xdp_counters_sum(const struct hook_xdp_counters *counters, uint64_t *totals);

/* Frames the program decided on (the five verdicts). */
uint64_t hook_xdp_counters_frames(const uint64_t *totals);

/* "XDP_PASS", "rx_bytes", ...; NULL outside the enum. */
const char *hook_xdp_stat_name(unsigned stat);

#endif
