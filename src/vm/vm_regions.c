/* The checked mode's regions: the memory a run may touch besides its stack. A program may
 * collect thousands (every map value it looks up is one), so an access finds its region by
 * the last hit or a binary search over the regions sorted by start, never by a scan. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm_internal.h"

void vm_run_release(struct vm_run *run)
{
    free(run->regions);
    free(run->region_by_start);
    free(run->region_max_end);
    run->regions = NULL;
    run->region_by_start = NULL;
    run->region_max_end = NULL;
    run->region_count = run->region_capacity = run->region_sorted = run->region_hit = 0;
}

static uintptr_t region_end(const struct vm_region *r)
{
    return r->size > UINTPTR_MAX - r->start ? UINTPTR_MAX : r->start + r->size;
}

static bool region_contains(const struct vm_region *r, uint64_t addr, uint64_t size)
{
    return addr >= r->start && size <= r->size && addr - r->start <= r->size - size;
}

/* The number of indexed regions that start at or before addr. */
static size_t starting_at_or_before(const struct vm_run *run, uint64_t addr)
{
    size_t lo = 0, hi = run->region_sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (run->regions[run->region_by_start[mid]].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void recompute_max_end(struct vm_run *run, size_t from)
{
    uintptr_t max = from ? run->region_max_end[from - 1] : 0;
    for (size_t i = from; i < run->region_sorted; i++) {
        uintptr_t end = region_end(&run->regions[run->region_by_start[i]]);
        if (end > max)
            max = end;
        run->region_max_end[i] = max;
    }
}

/* Indexes region n (the next one: region_sorted) at position at. */
static void index_insert(struct vm_run *run, uint32_t n, size_t at)
{
    size_t moved = run->region_sorted - at;
    memmove(&run->region_by_start[at + 1], &run->region_by_start[at], moved * sizeof *run->region_by_start);
    memmove(&run->region_max_end[at + 1], &run->region_max_end[at], moved * sizeof *run->region_max_end);
    run->region_by_start[at] = n;
    run->region_sorted++;
    /* The largest ends never decrease along the index: they change only up to the first that
     * already reaches past the new region's end. */
    uintptr_t end = region_end(&run->regions[n]);
    run->region_max_end[at] = at && run->region_max_end[at - 1] > end ? run->region_max_end[at - 1] : end;
    for (size_t i = at + 1; i < run->region_sorted && run->region_max_end[i] < end; i++)
        run->region_max_end[i] = end;
}

/* The index always holds exactly the regions 0 .. region_sorted - 1. It follows region_count
 * lazily: vm_run_drop_regions and callers lower region_count without telling it. */
static void sync_index(struct vm_run *run)
{
    if (run->region_sorted > run->region_count) {
        size_t kept = 0, first_gap = SIZE_MAX;
        for (size_t i = 0; i < run->region_sorted; i++) {
            if (run->region_by_start[i] < run->region_count)
                run->region_by_start[kept++] = run->region_by_start[i];
            else if (first_gap == SIZE_MAX)
                first_gap = kept;
        }
        run->region_sorted = kept;
        recompute_max_end(run, first_gap);
    }
    while (run->region_sorted < run->region_count) {
        uint32_t n = (uint32_t)run->region_sorted;
        index_insert(run, n, starting_at_or_before(run, run->regions[n].start));
    }
}

bool vm_run_region_allows(struct vm_run *run, uint64_t addr, uint64_t size, bool write)
{
    if (run->region_hit < run->region_count) {
        const struct vm_region *r = &run->regions[run->region_hit];
        if (region_contains(r, addr, size) && (!write || r->writable))
            return true;
    }
    sync_index(run);
    /* Candidates start at or before addr; walking down, none before k reaches addr once the
     * largest end up to k does not. */
    for (size_t k = starting_at_or_before(run, addr); k-- > 0 && run->region_max_end[k] > addr;) {
        const struct vm_region *r = &run->regions[run->region_by_start[k]];
        if (region_contains(r, addr, size) && (!write || r->writable)) {
            run->region_hit = run->region_by_start[k];
            return true;
        }
    }
    return false;
}

static int grow(struct vm_run *run)
{
    if (run->region_capacity >= VM_MAX_REGIONS)
        return -E2BIG;
    size_t capacity = run->region_capacity ? run->region_capacity * 2 : 8;
    /* Each array keeps its contents if a later one cannot grow: the old capacity stays. */
    struct vm_region *regions = realloc(run->regions, capacity * sizeof *regions);
    if (!regions)
        return -ENOMEM;
    run->regions = regions;
    uint32_t *by_start = realloc(run->region_by_start, capacity * sizeof *by_start);
    if (!by_start)
        return -ENOMEM;
    run->region_by_start = by_start;
    uintptr_t *max_end = realloc(run->region_max_end, capacity * sizeof *max_end);
    if (!max_end)
        return -ENOMEM;
    run->region_max_end = max_end;
    run->region_capacity = capacity;
    return 0;
}

int vm_run_add_region(struct vm_run *run, const void *ptr, size_t size, bool writable)
{
    uintptr_t start = (uintptr_t)ptr;
    sync_index(run);
    size_t at = starting_at_or_before(run, start);
    for (size_t k = at; k-- > 0 && run->regions[run->region_by_start[k]].start == start;) {
        struct vm_region *r = &run->regions[run->region_by_start[k]];
        if (r->size == size) {
            r->writable = r->writable || writable;
            run->region_hit = run->region_by_start[k];
            return 0;
        }
    }
    if (run->region_count == run->region_capacity) {
        int err = grow(run);
        if (err)
            return err;
    }
    uint32_t n = (uint32_t)run->region_count++;
    run->regions[n] = (struct vm_region){start, size, writable};
    index_insert(run, n, at);
    /* What a helper hands out is what the program touches next. */
    run->region_hit = n;
    return 0;
}

void vm_run_drop_regions(struct vm_run *run, size_t count)
{
    if (count < run->region_count)
        run->region_count = count;
}
