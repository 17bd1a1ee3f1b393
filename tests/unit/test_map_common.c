/* What every map shares: creation checks, Linux's numbering, reference counting. */
#include <linux/bpf.h>

#include "platform/cpu_slot.h"
#include "test_map_support.h"

_Static_assert((int)MAP_TYPE_HASH == (int)BPF_MAP_TYPE_HASH, "numbering");
_Static_assert((int)MAP_TYPE_PERCPU_ARRAY == (int)BPF_MAP_TYPE_PERCPU_ARRAY, "numbering");
_Static_assert((int)MAP_TYPE_LRU_PERCPU_HASH == (int)BPF_MAP_TYPE_LRU_PERCPU_HASH, "numbering");
_Static_assert((int)MAP_TYPE_ARRAY_OF_MAPS == (int)BPF_MAP_TYPE_ARRAY_OF_MAPS, "numbering");
_Static_assert((int)MAP_TYPE_QUEUE == (int)BPF_MAP_TYPE_QUEUE, "numbering");
_Static_assert((int)MAP_TYPE_DEVMAP_HASH == (int)BPF_MAP_TYPE_DEVMAP_HASH, "numbering");
_Static_assert((int)MAP_TYPE_RINGBUF == (int)BPF_MAP_TYPE_RINGBUF, "numbering");
_Static_assert((int)MAP_TYPE_BLOOM_FILTER == (int)BPF_MAP_TYPE_BLOOM_FILTER, "numbering");
_Static_assert(MAP_ANY == BPF_ANY && MAP_NOEXIST == BPF_NOEXIST && MAP_EXIST == BPF_EXIST &&
                   MAP_F_LOCK == BPF_F_LOCK,
               "update flags");
_Static_assert(MAP_F_NO_PREALLOC == BPF_F_NO_PREALLOC && MAP_F_NO_COMMON_LRU == BPF_F_NO_COMMON_LRU &&
                   MAP_F_NUMA_NODE == BPF_F_NUMA_NODE && MAP_F_RDONLY == BPF_F_RDONLY &&
                   MAP_F_WRONLY == BPF_F_WRONLY && MAP_F_ZERO_SEED == BPF_F_ZERO_SEED &&
                   MAP_F_RDONLY_PROG == BPF_F_RDONLY_PROG &&
                   MAP_F_WRONLY_PROG == BPF_F_WRONLY_PROG && MAP_F_MMAPABLE == BPF_F_MMAPABLE &&
                   MAP_F_PRESERVE_ELEMS == BPF_F_PRESERVE_ELEMS &&
                   MAP_F_INNER_MAP == BPF_F_INNER_MAP,
               "map flags");
_Static_assert(MAP_RB_NO_WAKEUP == BPF_RB_NO_WAKEUP && MAP_RB_FORCE_WAKEUP == BPF_RB_FORCE_WAKEUP &&
                   MAP_RB_AVAIL_DATA == BPF_RB_AVAIL_DATA && MAP_RB_PROD_POS == BPF_RB_PROD_POS &&
                   MAP_RINGBUF_BUSY_BIT == BPF_RINGBUF_BUSY_BIT &&
                   MAP_RINGBUF_DISCARD_BIT == BPF_RINGBUF_DISCARD_BIT &&
                   MAP_RINGBUF_HDR_SIZE == BPF_RINGBUF_HDR_SZ,
               "ring buffer");
_Static_assert(MAP_F_CURRENT_CPU == BPF_F_CURRENT_CPU, "perf flags");

TEST(unknown_and_unsupported_types_are_named)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = 99, .key_size = 4, .value_size = 4,
                                   .max_entries = 1};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unknown map type 99");
    attr.map_type = MAP_TYPE_UNSPEC;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unknown map type 0");
    attr.map_type = MAP_TYPE_SOCKMAP;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "sockmap");
    attr.map_type = MAP_TYPE_STACK_TRACE;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "stack_trace");
}

TEST(names_are_checked_like_linux)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4,
                                   .max_entries = 1, .name = "bad name"};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "map name \"bad name\"");
    memset(attr.name, 'a', sizeof attr.name);
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "not NUL-terminated");
    strcpy(attr.name, "my_map.bss");
    struct bpfhost_map *map = NULL;
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    CHECK_STR(map->name, "my_map.bss");
    CHECK_EQ(map->map_type, MAP_TYPE_ARRAY);
    CHECK_EQ(map->max_entries, 1);
    drop_map(map);
}

TEST(contradictory_access_flags_are_rejected)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_HASH, .key_size = 4, .value_size = 4,
                                   .max_entries = 1,
                                   .map_flags = MAP_F_RDONLY_PROG | MAP_F_WRONLY_PROG};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "RDONLY_PROG and WRONLY_PROG");
    attr.map_flags = MAP_F_RDONLY | MAP_F_WRONLY;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "RDONLY and WRONLY");
}

TEST(inner_map_and_map_extra_only_where_they_belong)
{
    char msg[256];
    struct bpfhost_map *inner = make_map(MAP_TYPE_ARRAY, 4, 4, 1, 0);
    struct map_create_attr attr = {.map_type = MAP_TYPE_HASH, .key_size = 4, .value_size = 4,
                                   .max_entries = 1, .inner_map = inner};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "inner map");
    attr.inner_map = NULL;
    attr.map_extra = 3;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "map_extra");
    drop_map(inner);
}

TEST(spin_lock_placement_is_checked)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_HASH, .key_size = 4, .value_size = 8,
                                   .max_entries = 1, .has_spin_lock = true,
                                   .spin_lock_offset = 6};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "spin lock offset 6");
    attr.spin_lock_offset = 8;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.map_type = MAP_TYPE_PERCPU_HASH;
    attr.spin_lock_offset = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "percpu_hash");
}

TEST(f_lock_needs_a_lock_and_keeps_it_out_of_copies)
{
    struct map_create_attr attr = {.map_type = MAP_TYPE_HASH, .key_size = 4, .value_size = 16,
                                   .max_entries = 4, .has_spin_lock = true,
                                   .spin_lock_offset = 4};
    struct bpfhost_map *map = NULL, *plain = make_map(MAP_TYPE_HASH, 4, 16, 4, 0);
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    uint32_t key = 1, value[4] = {10, 0, 30, 40}, out[4];
    CHECK_EQ(map_sys_update_elem(plain, &key, value, MAP_F_LOCK), -EINVAL);
    CHECK_EQ(map_sys_lookup_elem(plain, &key, out, MAP_F_LOCK), -EINVAL);
    CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_ANY), 0);
    platform_epoch_enter();
    uint32_t *stored = map_lookup_elem(map, &key);
    CHECK(stored != NULL);
    map_spin_lock(&stored[1]);
    CHECK_EQ(stored[1], 1);
    map_spin_unlock(&stored[1]);
    platform_epoch_exit();
    value[0] = 11;
    value[1] = 0xdead; /* the lock word in the source is never copied */
    CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_F_LOCK | MAP_EXIST), 0);
    memset(out, 0xff, sizeof out);
    CHECK_EQ(map_sys_lookup_elem(map, &key, out, MAP_F_LOCK), 0);
    CHECK_EQ(out[0], 11);
    CHECK_EQ(out[1], 0); /* the lock word is not copied out: zero, as on Linux */
    CHECK_EQ(out[2], 30);
    CHECK_EQ(map_sys_lookup_elem(map, &key, out, 8), -EINVAL);
    CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_F_LOCK | MAP_NOEXIST), -EEXIST);
    CHECK_EQ(map_sys_lookup_and_delete_elem(map, &key, out, MAP_F_LOCK), 0);
    CHECK_EQ(out[0], 11);
    drop_map(map);
    drop_map(plain);
}

/* A program holds the value's lock while the control side writes the value without
 * BPF_F_LOCK: the lock word is not the control side's to write (Linux copies around it). */
TEST(control_side_writes_leave_a_held_lock_alone)
{
    uint32_t types[] = {MAP_TYPE_ARRAY, MAP_TYPE_HASH};
    for (int t = 0; t < 2; t++) {
        struct map_create_attr attr = {.map_type = types[t], .key_size = 4, .value_size = 16,
                                       .max_entries = 2, .has_spin_lock = true,
                                       .spin_lock_offset = 8};
        struct bpfhost_map *map = NULL;
        char msg[256];
        CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
        uint32_t key = 1, value[4] = {1, 2, 0, 4}, out[4];
        CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_ANY), 0);
        platform_epoch_enter();
        uint32_t *held = map_lookup_elem(map, &key);
        map_spin_lock(&held[2]);
        value[0] = 10;
        value[2] = 0; /* an unlocked lock word in the source */
        CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_ANY), 0);
        CHECK_EQ(held[2], 1); /* still held */
        if (types[t] == MAP_TYPE_ARRAY)
            CHECK_EQ(held[0], 10); /* written in place, around the lock */
        map_spin_unlock(&held[2]);
        platform_epoch_exit();
        memset(out, 0xff, sizeof out);
        CHECK_EQ(map_sys_lookup_elem(map, &key, out, MAP_F_LOCK), 0);
        CHECK(out[0] == 10 && out[1] == 2 && out[2] == 0 && out[3] == 4);
        /* Batches take BPF_F_LOCK too. */
        uint32_t keys[2], values[2][4], count = 2, cursor;
        int err = map_sys_lookup_batch(map, NULL, &cursor, keys, values, &count, MAP_F_LOCK);
        CHECK(err == 0 || err == -ENOENT);
        CHECK(count >= 1);
        drop_map(map);
    }
}

TEST(access_flags_restrict_each_side)
{
    struct bpfhost_map *rdonly = make_map(MAP_TYPE_HASH, 4, 4, 4, MAP_F_RDONLY);
    struct bpfhost_map *wronly = make_map(MAP_TYPE_HASH, 4, 4, 4, MAP_F_WRONLY);
    struct bpfhost_map *rdonly_prog = make_map(MAP_TYPE_HASH, 4, 4, 4, MAP_F_RDONLY_PROG);
    uint32_t key = 1, value = 2, next;
    CHECK_EQ(map_sys_update_elem(rdonly, &key, &value, 0), -EPERM);
    CHECK_EQ(map_sys_delete_elem(rdonly, &key), -EPERM);
    CHECK_EQ(map_sys_update_elem(wronly, &key, &value, 0), 0);
    CHECK_EQ(map_sys_lookup_elem(wronly, &key, &value, 0), -EPERM);
    CHECK_EQ(map_sys_get_next_key(wronly, NULL, &next), 0);
    platform_epoch_enter();
    CHECK_EQ(map_update_elem(rdonly_prog, &key, &value, 0), -EPERM);
    CHECK_EQ(map_delete_elem(rdonly_prog, &key), -EPERM);
    CHECK_EQ(map_update_elem(rdonly, &key, &value, 0), 0); /* RDONLY is about the control side */
    platform_epoch_exit();
    CHECK_EQ(map_sys_update_elem(rdonly_prog, &key, &value, 0), 0);
    drop_map(rdonly);
    drop_map(wronly);
    drop_map(rdonly_prog);
}

TEST(references_keep_a_map_alive)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_ARRAY, 4, 8, 2, 0);
    map_get(map);
    map_put(map);
    platform_epoch_barrier();
    uint32_t key = 1;
    uint64_t value = 7;
    CHECK_EQ(map_sys_update_elem(map, &key, &value, 0), 0); /* still there (ASan would see) */
    drop_map(map);
}

TEST(type_names_and_sys_value_sizes)
{
    CHECK_STR(map_type_name(MAP_TYPE_LRU_PERCPU_HASH), "lru_percpu_hash");
    CHECK_STR(map_type_name(1000), "unknown");
    struct bpfhost_map *percpu = make_map(MAP_TYPE_PERCPU_HASH, 4, 12, 2, 0);
    CHECK_EQ(map_sys_value_size(percpu), 16 * platform_cpu_slot_count());
    drop_map(percpu);
}

TEST(batches_walk_update_and_delete)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, 4, 8, 64, 0);
    uint32_t keys[40], got_keys[40], count = 40;
    uint64_t values[40], got_values[40];
    for (uint32_t i = 0; i < 40; i++) {
        keys[i] = i * 3;
        values[i] = i * 100;
    }
    CHECK_EQ(map_sys_update_batch(map, keys, values, &count, MAP_ANY), 0);
    CHECK_EQ(count, 40);
    uint32_t again[2] = {1000, 3}; /* 3 is already there */
    count = 2;
    CHECK_EQ(map_sys_update_batch(map, again, values, &count, MAP_NOEXIST), -EEXIST);
    CHECK_EQ(count, 1);
    CHECK_EQ(map_sys_delete_elem(map, &again[0]), 0);

    /* Walk in chunks of 7 until -ENOENT; every key exactly once, with its value. */
    uint32_t seen = 0, cursor, chunk;
    bool first = true, present[40] = {false};
    for (;;) {
        chunk = 7;
        int err = map_sys_lookup_batch(map, first ? NULL : &cursor, &cursor, got_keys, got_values,
                                       &chunk, 0);
        for (uint32_t i = 0; i < chunk; i++) {
            CHECK_EQ(got_keys[i] % 3, 0);
            CHECK_EQ(got_values[i], got_keys[i] / 3 * 100);
            CHECK(!present[got_keys[i] / 3]);
            present[got_keys[i] / 3] = true;
        }
        seen += chunk;
        first = false;
        if (err) {
            CHECK_EQ(err, -ENOENT);
            break;
        }
        CHECK_EQ(chunk, 7);
    }
    CHECK_EQ(seen, 40);

    count = 10;
    CHECK_EQ(map_sys_delete_batch(map, keys, &count), 0);
    CHECK_EQ(count, 10);
    count = 2;
    CHECK_EQ(map_sys_delete_batch(map, keys, &count), -ENOENT);
    CHECK_EQ(count, 0);

    count = 40;
    CHECK_EQ(map_sys_lookup_and_delete_batch(map, NULL, &cursor, got_keys, got_values, &count, 0),
             -ENOENT);
    CHECK_EQ(count, 30);
    for (uint32_t i = 0; i < count; i++)
        CHECK(got_keys[i] >= 30 && got_values[i] == got_keys[i] / 3 * 100);
    CHECK_EQ(map_sys_get_next_key(map, NULL, &cursor), -ENOENT);
    count = 3;
    CHECK_EQ(map_sys_lookup_batch(map, NULL, &cursor, got_keys, got_values, &count, 4), -EINVAL);
    CHECK_EQ(count, 0);
    drop_map(map);

    struct bpfhost_map *array = make_map(MAP_TYPE_ARRAY, 4, 8, 4, 0);
    count = 4;
    CHECK_EQ(map_sys_lookup_and_delete_batch(array, NULL, &cursor, got_keys, got_values, &count,
                                             0),
             -EOPNOTSUPP);
    count = 10;
    CHECK_EQ(map_sys_lookup_batch(array, NULL, &cursor, got_keys, got_values, &count, 0), -ENOENT);
    CHECK_EQ(count, 4);
    CHECK_EQ(cursor, 3);
    drop_map(array);
}

TEST_MAIN
