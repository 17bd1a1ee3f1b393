/* ARRAY and PERCPU_ARRAY against a plain array, and their creation checks. */
#include "platform/cpu_slot.h"
#include "test_map_support.h"

enum { SLOTS = 4 };

static void fix_slots(void)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
}

TEST(array_matches_a_plain_array)
{
    enum { N = 37, VSIZE = 12, OPS = 20000 };
    struct bpfhost_map *map = make_map(MAP_TYPE_ARRAY, 4, VSIZE, N, 0);
    unsigned char model[N][VSIZE] = {{0}};
    uint64_t rng = 0x1234;
    for (int op = 0; op < OPS; op++) {
        uint32_t key = rng_below(&rng, N + 3); /* sometimes out of range */
        unsigned char value[VSIZE], out[VSIZE];
        for (int i = 0; i < VSIZE; i++)
            value[i] = (unsigned char)rng_next(&rng);
        uint64_t flags = rng_below(&rng, 3);
        switch (rng_below(&rng, 5)) {
        case 0: {
            platform_epoch_enter();
            long err = map_update_elem(map, &key, value, flags);
            platform_epoch_exit();
            long want = key >= N ? -E2BIG : flags == MAP_NOEXIST ? -EEXIST : 0;
            CHECK_EQ(err, want);
            if (!err)
                memcpy(model[key], value, VSIZE);
            break;
        }
        case 1: {
            int err = map_sys_update_elem(map, &key, value, flags);
            int want = key >= N ? -E2BIG : flags == MAP_NOEXIST ? -EEXIST : 0;
            CHECK_EQ(err, want);
            if (!err)
                memcpy(model[key], value, VSIZE);
            break;
        }
        case 2: {
            platform_epoch_enter();
            unsigned char *p = map_lookup_elem(map, &key);
            CHECK_EQ(p == NULL, key >= N);
            if (p)
                CHECK(memcmp(p, model[key], VSIZE) == 0);
            platform_epoch_exit();
            break;
        }
        case 3: {
            int err = map_sys_lookup_elem(map, &key, out, 0);
            CHECK_EQ(err, key >= N ? -ENOENT : 0);
            if (!err)
                CHECK(memcmp(out, model[key], VSIZE) == 0);
            break;
        }
        default:
            CHECK_EQ(map_sys_delete_elem(map, &key), -EINVAL);
            break;
        }
    }
    drop_map(map);
}

TEST(array_get_next_key_walks_every_index)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_ARRAY, 4, 4, 5, 0);
    uint32_t key, next;
    CHECK_EQ(map_sys_get_next_key(map, NULL, &next), 0);
    CHECK_EQ(next, 0);
    for (key = 0; key < 4; key++) {
        CHECK_EQ(map_sys_get_next_key(map, &key, &next), 0);
        CHECK_EQ(next, key + 1);
    }
    CHECK_EQ(map_sys_get_next_key(map, &key, &next), -ENOENT);
    key = 99; /* out of range: start over */
    CHECK_EQ(map_sys_get_next_key(map, &key, &next), 0);
    CHECK_EQ(next, 0);
    CHECK_EQ(map_sys_lookup_and_delete_elem(map, &key, &next, 0), -EOPNOTSUPP);
    drop_map(map);
}

TEST(array_memory_is_the_values)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_ARRAY, 4, 6, 3, MAP_F_MMAPABLE);
    size_t size = 0;
    unsigned char *mem = map_array_memory(map, &size);
    CHECK(mem != NULL);
    CHECK(size >= 3 * 8);
    uint32_t key = 2;
    unsigned char value[6] = {1, 2, 3, 4, 5, 6};
    CHECK_EQ(map_sys_update_elem(map, &key, value, 0), 0);
    CHECK(memcmp(mem + 16, value, 6) == 0);
    struct bpfhost_map *hash = make_map(MAP_TYPE_HASH, 4, 4, 3, 0);
    CHECK(map_array_memory(hash, NULL) == NULL);
    drop_map(hash);
    drop_map(map);
}

TEST(array_creation_errors_name_the_field)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_ARRAY, .key_size = 8, .value_size = 4,
                                   .max_entries = 1};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "key_size 8, must be 4");
    attr.key_size = 4;
    attr.value_size = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 0");
    attr.value_size = 4;
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 0");
    attr.max_entries = 1;
    attr.map_flags = MAP_F_NO_PREALLOC;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags 0x1");
    attr.map_flags = 1u << 20;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.map_flags = 0;
    attr.value_size = MAP_VALUE_SIZE_MAX + 1;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "value_size");
    attr.value_size = 1u << 20;
    attr.max_entries = 0xffffffffu; /* 4 TiB: refused, not crashed */
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "exceed");
    attr.map_type = MAP_TYPE_PERCPU_ARRAY;
    attr.max_entries = 1;
    attr.value_size = 40000;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    attr.value_size = 4;
    attr.map_flags = MAP_F_MMAPABLE;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "percpu_array");
}

TEST(percpu_array_keeps_one_value_per_slot)
{
    fix_slots();
    enum { N = 9, VSIZE = 12, STRIDE = 16, OPS = 5000 };
    struct bpfhost_map *map = make_map(MAP_TYPE_PERCPU_ARRAY, 4, VSIZE, N, 0);
    CHECK_EQ(map_sys_value_size(map), STRIDE * SLOTS);
    unsigned char model[N][SLOTS][VSIZE] = {{{0}}};
    unsigned mine = platform_cpu_slot();
    CHECK(mine < SLOTS);
    uint64_t rng = 99;
    for (int op = 0; op < OPS; op++) {
        uint32_t key = rng_below(&rng, N + 1);
        unsigned char all[SLOTS * STRIDE], out[SLOTS * STRIDE];
        for (size_t i = 0; i < sizeof all; i++)
            all[i] = (unsigned char)rng_next(&rng);
        switch (rng_below(&rng, 4)) {
        case 0: {
            platform_epoch_enter();
            long err = map_update_elem(map, &key, all, MAP_ANY);
            platform_epoch_exit();
            CHECK_EQ(err, key >= N ? -E2BIG : 0);
            if (!err)
                memcpy(model[key][mine], all, VSIZE);
            break;
        }
        case 1: {
            int err = map_sys_update_elem(map, &key, all, MAP_EXIST);
            CHECK_EQ(err, key >= N ? -E2BIG : 0);
            for (unsigned s = 0; !err && s < SLOTS; s++)
                memcpy(model[key][s], all + s * STRIDE, VSIZE);
            break;
        }
        case 2: {
            platform_epoch_enter();
            unsigned char *p = map_lookup_elem(map, &key);
            CHECK_EQ(p == NULL, key >= N);
            if (p)
                CHECK(memcmp(p, model[key][mine], VSIZE) == 0);
            platform_epoch_exit();
            break;
        }
        default: {
            memset(out, 0xee, sizeof out);
            int err = map_sys_lookup_elem(map, &key, out, 0);
            CHECK_EQ(err, key >= N ? -ENOENT : 0);
            for (unsigned s = 0; !err && s < SLOTS; s++) {
                CHECK(memcmp(out + s * STRIDE, model[key][s], VSIZE) == 0);
                CHECK_EQ(out[s * STRIDE + VSIZE], 0); /* padding is zeroed */
            }
            break;
        }
        }
    }
    drop_map(map);
}

TEST(percpu_slots_are_per_thread)
{
    fix_slots();
    CHECK_EQ(platform_cpu_slot_count(), SLOTS);
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS + 1), -EBUSY);
    CHECK_EQ(platform_cpu_slot_set_count(0), -EINVAL);
    CHECK_EQ(platform_cpu_slot(), platform_cpu_slot());
}

static long count_and_stop_at(struct bpfhost_map *map, const void *key, void *value, void *ctx)
{
    uint32_t index;
    memcpy(&index, key, 4);
    return index == *(uint32_t *)ctx;
}

TEST(array_for_each_and_percpu_lookup)
{
    fix_slots();
    struct bpfhost_map *map = make_map(MAP_TYPE_PERCPU_ARRAY, 4, 8, 6, 0);
    uint32_t stop = 99, key = 2;
    uint64_t values[SLOTS] = {1, 2, 3, 4};
    CHECK_EQ(map_sys_update_elem(map, &key, values, 0), 0);
    platform_epoch_enter();
    CHECK_EQ(map_for_each_elem(map, count_and_stop_at, &stop, 0), 6);
    stop = 3;
    CHECK_EQ(map_for_each_elem(map, count_and_stop_at, &stop, 0), 4);
    for (uint32_t slot = 0; slot < SLOTS; slot++) {
        uint64_t *p = map_lookup_percpu_elem(map, &key, slot);
        CHECK(p && *p == values[slot]);
    }
    key = 6;
    CHECK(map_lookup_percpu_elem(map, &key, 0) == NULL);
    platform_epoch_exit();
    drop_map(map);
}

TEST(array_with_a_spin_lock_updates_under_it)
{
    struct map_create_attr attr = {.map_type = MAP_TYPE_ARRAY, .key_size = 4, .value_size = 12,
                                   .max_entries = 2, .has_spin_lock = true,
                                   .spin_lock_offset = 0};
    struct bpfhost_map *map = NULL;
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    uint32_t key = 1, value[3] = {0xdead, 5, 6}, out[3] = {0x77, 0, 0};
    CHECK_EQ(map_sys_update_elem(map, &key, value, MAP_F_LOCK), 0);
    CHECK_EQ(map_sys_lookup_elem(map, &key, out, MAP_F_LOCK), 0);
    CHECK_EQ(out[0], 0); /* the lock word is neither copied in nor out: zero in the copy */
    CHECK_EQ(out[1], 5);
    CHECK_EQ(out[2], 6);
    platform_epoch_enter();
    uint32_t *p = map_lookup_elem(map, &key);
    CHECK(p && p[0] == 0); /* unlocked */
    value[1] = 9;
    CHECK_EQ(map_update_elem(map, &key, value, MAP_F_LOCK | MAP_EXIST), 0);
    CHECK(p && p[1] == 9 && p[0] == 0);
    platform_epoch_exit();
    drop_map(map);
}

TEST_MAIN
