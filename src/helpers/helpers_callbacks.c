/* Helpers that call a function of the program back: bpf_loop and bpf_for_each_map_elem. The
 * program passes the function's address (lddw src 4); the engine running it makes the call
 * (vm_run_call_function). When a call ends the run (a fault, a stop), the helper returns at
 * once and the engine ends the program. */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map.h"

#define HELPER(name) static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                                          struct vm_run *run)

enum { LOOP_MAX = 1 << 23 }; /* Linux's BPF_MAX_LOOPS */

/* bpf_loop(nr_loops, callback_fn, callback_ctx, flags): callback(i, ctx) for i = 0, 1, ...
 * until it returns 1. Returns the number of calls made, -EINVAL for flags other than 0,
 * -E2BIG for more than LOOP_MAX loops. */
HELPER(helper_loop)
{
    uint32_t loops = (uint32_t)r1; /* the kernel's argument is a u32 */
    if (r4)
        return (uint64_t)-EINVAL;
    if (loops > LOOP_MAX)
        return (uint64_t)-E2BIG;
    for (uint32_t i = 0; i < loops; i++) {
        const uint64_t args[5] = {i, r3, 0, 0, 0};
        uint64_t stop;
        if (vm_run_call_function(run, r2, args, &stop))
            return 0;
        if (stop)
            return (uint64_t)i + 1;
    }
    return loops;
}

struct element_visit {
    struct vm_run *run;
    uint64_t fn, ctx;
};

static long visit_element(struct bpfhost_map *map, const void *key, void *value, void *arg)
{
    struct element_visit *visit = arg;
    struct vm_run *run = visit->run;
    size_t regions = run->region_count;
    if (run->checked) {
        /* The key and value are the callback's for the duration of the call. */
        if (vm_run_add_region(run, key, map->key_size, false) ||
            vm_run_add_region(run, value, map->value_size, !(map->map_flags & MAP_F_RDONLY_PROG))) {
            vm_run_drop_regions(run, regions); /* no room to check the callback: do not run it */
            return 1;
        }
    }
    const uint64_t args[5] = {(uintptr_t)map, (uintptr_t)key, (uintptr_t)value, visit->ctx, 0};
    uint64_t stop;
    int err = vm_run_call_function(run, visit->fn, args, &stop);
    vm_run_drop_regions(run, regions);
    return err || stop;
}

/* bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags): callback(map, key, value,
 * ctx) for each element until it returns 1. Returns the number of elements visited. */
HELPER(helper_for_each_map_elem)
{
    if (!r1)
        return (uint64_t)-EINVAL;
    struct element_visit visit = {run, r2, r3};
    return (uint64_t)map_for_each_elem((struct bpfhost_map *)(uintptr_t)r1, visit_element, &visit, r4);
}

void helpers_register_callbacks(struct vm_helpers *table)
{
    table->fn[HELPER_LOOP] = helper_loop;
    table->fn[HELPER_FOR_EACH_MAP_ELEM] = helper_for_each_map_elem;
}
