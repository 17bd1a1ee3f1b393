/* Summing and naming the per-worker XDP counters. */
#include "hooks/xdp_counters.h"

#include <stddef.h>
#include <string.h>

static const char *const stat_names[HOOK_XDP_STAT_COUNT] = {
    [HOOK_XDP_STAT_ABORTED] = "XDP_ABORTED",
    [HOOK_XDP_STAT_DROP] = "XDP_DROP",
    [HOOK_XDP_STAT_PASS] = "XDP_PASS",
    [HOOK_XDP_STAT_TX] = "XDP_TX",
    [HOOK_XDP_STAT_REDIRECT] = "XDP_REDIRECT",
    [HOOK_XDP_STAT_RX_BYTES] = "rx_bytes",
    [HOOK_XDP_STAT_FAULTS] = "faults",
    [HOOK_XDP_STAT_OVERSIZE] = "oversize",
    [HOOK_XDP_STAT_TX_ERRORS] = "tx_errors",
    [HOOK_XDP_STAT_REDIRECT_ERRORS] = "redirect_errors",
    [HOOK_XDP_STAT_PEER_FRAMES] = "peer_frames",
    [HOOK_XDP_STAT_RING_DROPS] = "ring_drops",
};

void hook_xdp_counters_sum(const struct hook_xdp_counters *counters, uint64_t *totals)
{
    memset(totals, 0, HOOK_XDP_STAT_COUNT * sizeof *totals);
    uint32_t workers = atomic_load_explicit(&counters->worker_count, memory_order_acquire);
    if (workers > HOOK_XDP_MAX_WORKERS)
        workers = HOOK_XDP_MAX_WORKERS; /* the block may come from another process's file */
    for (uint32_t w = 0; w < workers; w++)
        for (unsigned s = 0; s < HOOK_XDP_STAT_COUNT; s++)
            totals[s] += atomic_load_explicit(&counters->worker[w].stat[s], memory_order_relaxed);
}

uint64_t hook_xdp_counters_frames(const uint64_t *totals)
{
    uint64_t frames = 0;
    for (unsigned s = HOOK_XDP_STAT_ABORTED; s <= HOOK_XDP_STAT_REDIRECT; s++)
        frames += totals[s];
    return frames;
}

const char *hook_xdp_stat_name(unsigned stat)
{
    return stat < HOOK_XDP_STAT_COUNT ? stat_names[stat] : NULL;
}
