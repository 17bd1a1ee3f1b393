/* Map helpers (lookup/update/delete, queue/stack, ring buffer, spin locks) and tail_call.
 * Programs hold map handles (struct bpfhost_map *) in registers, as the loader relocated
 * them; the engine runs the program inside an epoch read-side section. */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map.h"
#include "platform/cpu_slot.h"
#include "runtime/prog.h"

#define HELPER(name) static uint64_t name(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
                                          struct vm_run *run)
#define MAP(r) ((struct bpfhost_map *)(uintptr_t)(r))
#define PTR(r) ((void *)(uintptr_t)(r))

/* In checked mode a value handed to the program becomes memory it may touch. */
static void allow_value(struct vm_run *run, const struct bpfhost_map *map, void *value, size_t size)
{
    if (value && run->checked)
        vm_run_add_region(run, value, size, !(map->map_flags & MAP_F_RDONLY_PROG));
}

HELPER(helper_map_lookup_elem)
{
    if (!r1)
        return 0;
    void *value = map_lookup_elem(MAP(r1), PTR(r2));
    allow_value(run, MAP(r1), value, MAP(r1)->value_size);
    return (uintptr_t)value;
}

HELPER(helper_map_update_elem) { return r1 ? (uint64_t)map_update_elem(MAP(r1), PTR(r2), PTR(r3), r4) : (uint64_t)-EINVAL; }
HELPER(helper_map_delete_elem) { return r1 ? (uint64_t)map_delete_elem(MAP(r1), PTR(r2)) : (uint64_t)-EINVAL; }
HELPER(helper_map_push_elem) { return r1 ? (uint64_t)map_push_elem(MAP(r1), PTR(r2), r3) : (uint64_t)-EINVAL; }
HELPER(helper_map_pop_elem) { return r1 ? (uint64_t)map_pop_elem(MAP(r1), PTR(r2)) : (uint64_t)-EINVAL; }
HELPER(helper_map_peek_elem) { return r1 ? (uint64_t)map_peek_elem(MAP(r1), PTR(r2)) : (uint64_t)-EINVAL; }

HELPER(helper_ringbuf_reserve)
{
    if (!r1)
        return 0;
    void *sample = map_ringbuf_reserve(MAP(r1), r2, r3);
    allow_value(run, MAP(r1), sample, (size_t)r2);
    return (uintptr_t)sample;
}

HELPER(helper_ringbuf_submit)
{
    map_ringbuf_submit(PTR(r1), r2);
    return 0;
}

HELPER(helper_ringbuf_discard)
{
    map_ringbuf_discard(PTR(r1), r2);
    return 0;
}

HELPER(helper_ringbuf_output) { return r1 ? (uint64_t)map_ringbuf_output(MAP(r1), PTR(r2), r3, r4) : (uint64_t)-EINVAL; }
HELPER(helper_ringbuf_query) { return r1 ? map_ringbuf_query(MAP(r1), r2) : 0; }

HELPER(helper_spin_lock)
{
    map_spin_lock(PTR(r1));
    return 0;
}

HELPER(helper_spin_unlock)
{
    map_spin_unlock(PTR(r1));
    return 0;
}

/* bpf_tail_call(ctx, prog_array, index): on success the program does not come back here; on
 * failure (empty slot, index out of range, 33 calls made, an unverified target of a run
 * without checks) it continues with r0 = -ENOENT. */
HELPER(helper_tail_call)
{
    struct bpfhost_map *map = MAP(r2);
    if (!map || map->map_type != MAP_TYPE_PROG_ARRAY || (uint32_t)r3 >= map->max_entries)
        return (uint64_t)-EINVAL;
    const struct runtime_prog *target = map_object_at(map, (uint32_t)r3);
    if (!target || !target->vm)
        return (uint64_t)-ENOENT;
    return (uint64_t)(int64_t)runtime_prog_tail_call(run, target);
}

HELPER(helper_get_smp_processor_id) { return platform_cpu_slot(); }

/* For the checked interpreter: the sizes of the keys and values map helpers touch. */
static size_t map_key_size(uint64_t map) { return map ? MAP(map)->key_size : 0; }
static size_t map_value_size(uint64_t map) { return map ? MAP(map)->value_size : 0; }

void helpers_register_maps(struct vm_helpers *table)
{
    table->fn[HELPER_MAP_LOOKUP_ELEM] = helper_map_lookup_elem;
    table->fn[HELPER_MAP_UPDATE_ELEM] = helper_map_update_elem;
    table->fn[HELPER_MAP_DELETE_ELEM] = helper_map_delete_elem;
    table->fn[HELPER_MAP_PUSH_ELEM] = helper_map_push_elem;
    table->fn[HELPER_MAP_POP_ELEM] = helper_map_pop_elem;
    table->fn[HELPER_MAP_PEEK_ELEM] = helper_map_peek_elem;
    table->fn[HELPER_RINGBUF_RESERVE] = helper_ringbuf_reserve;
    table->fn[HELPER_RINGBUF_SUBMIT] = helper_ringbuf_submit;
    table->fn[HELPER_RINGBUF_DISCARD] = helper_ringbuf_discard;
    table->fn[HELPER_RINGBUF_OUTPUT] = helper_ringbuf_output;
    table->fn[HELPER_RINGBUF_QUERY] = helper_ringbuf_query;
    table->fn[HELPER_SPIN_LOCK] = helper_spin_lock;
    table->fn[HELPER_SPIN_UNLOCK] = helper_spin_unlock;
    table->fn[HELPER_TAIL_CALL] = helper_tail_call;
    table->fn[HELPER_GET_SMP_PROCESSOR_ID] = helper_get_smp_processor_id;
    table->map_key_size = map_key_size;
    table->map_value_size = map_value_size;
}

void helpers_fill_table(struct vm_helpers *table)
{
    helpers_register_basic(table);
    helpers_register_maps(table);
    helpers_register_xdp(table);
    helpers_register_callbacks(table);
    helpers_register_skb(table);
    helpers_register_sock(table);
    helpers_register_perf(table);
    helpers_describe_arg_memory(table);
}
