/* bpf_perf_event_output (25): a record into the event output of a PERF_EVENT_ARRAY slot. */
#include <errno.h>

#include "helpers/helpers.h"
#include "runtime/perf_output.h"

/* bpf_perf_event_output(ctx, map, flags, data, size): flags is the slot index, or
 * BPF_F_CURRENT_CPU for the calling thread's slot. Linux's errors: -EINVAL for other flags
 * or map types, -E2BIG for an index beyond the map, -ENOENT for an empty slot, -ENOSPC
 * when the record does not fit. The skb and xdp variants' BPF_F_CTXLEN_MASK (appending
 * packet bytes) is not supported. */
static uint64_t helper_perf_event_output(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                         struct vm_run *run)
{
    struct bpfhost_map *map = (struct bpfhost_map *)(uintptr_t)r2;
    uint64_t flags = r3;
    if (!map || map->map_type != MAP_TYPE_PERF_EVENT_ARRAY || (flags & ~MAP_F_INDEX_MASK))
        return (uint64_t)-EINVAL;
    if (flags != MAP_F_CURRENT_CPU && flags >= map->max_entries)
        return (uint64_t)-E2BIG;
    struct runtime_perf_output *output = map_object_at(map, flags);
    if (!output)
        return (uint64_t)-ENOENT;
    return (uint64_t)(int64_t)runtime_perf_output_write(output, (const void *)(uintptr_t)r4, r5);
}

void helpers_register_perf(struct vm_helpers *table)
{
    table->fn[HELPER_PERF_EVENT_OUTPUT] = helper_perf_event_output;
}
