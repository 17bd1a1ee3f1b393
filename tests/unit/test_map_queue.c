/* QUEUE and STACK against a double-ended reference list, with full maps and BPF_EXIST. */
#include "test_map_support.h"

enum { MAX = 7, OPS = 20000 };

struct deque {
    uint32_t items[MAX];
    uint32_t count; /* items[0] is the oldest */
};

static void run_queue_model(uint32_t type, uint64_t seed)
{
    bool fifo = type == MAP_TYPE_QUEUE;
    struct bpfhost_map *map = make_map(type, 0, 4, MAX, 0);
    struct deque d = {{0}, 0};
    uint64_t rng = seed;
    for (int op = 0; op < OPS; op++) {
        uint32_t value = (uint32_t)rng_next(&rng), out = 0;
        bool sys = rng_below(&rng, 2);
        switch (rng_below(&rng, 4)) {
        case 0: {
            uint64_t flags = rng_below(&rng, 2) ? MAP_EXIST : MAP_ANY;
            long want = d.count == MAX && flags != MAP_EXIST ? -E2BIG : 0;
            long err;
            if (sys) {
                err = map_sys_update_elem(map, NULL, &value, flags);
            } else {
                platform_epoch_enter();
                err = map_push_elem(map, &value, flags);
                platform_epoch_exit();
            }
            CHECK_EQ(err, want);
            if (err)
                break;
            if (d.count == MAX) { /* BPF_EXIST: the oldest makes room */
                memmove(&d.items[0], &d.items[1], (MAX - 1) * sizeof d.items[0]);
                d.count--;
            }
            d.items[d.count++] = value;
            break;
        }
        case 1: {
            long err;
            if (sys) {
                err = map_sys_lookup_and_delete_elem(map, NULL, &out, 0);
            } else {
                platform_epoch_enter();
                err = map_pop_elem(map, &out);
                platform_epoch_exit();
            }
            CHECK_EQ(err, d.count ? 0 : -ENOENT);
            if (err)
                break;
            if (fifo) {
                CHECK_EQ(out, d.items[0]);
                memmove(&d.items[0], &d.items[1], (d.count - 1) * sizeof d.items[0]);
            } else {
                CHECK_EQ(out, d.items[d.count - 1]);
            }
            d.count--;
            break;
        }
        default: {
            long err;
            if (sys) {
                err = map_sys_lookup_elem(map, NULL, &out, 0);
            } else {
                platform_epoch_enter();
                err = map_peek_elem(map, &out);
                platform_epoch_exit();
            }
            CHECK_EQ(err, d.count ? 0 : -ENOENT);
            if (!err)
                CHECK_EQ(out, fifo ? d.items[0] : d.items[d.count - 1]);
            break;
        }
        }
    }
    drop_map(map);
}

TEST(queue_is_first_in_first_out)
{
    for (uint64_t seed = 1; seed <= 3; seed++)
        run_queue_model(MAP_TYPE_QUEUE, seed * 0x1f123bb5ull);
}

TEST(stack_is_last_in_first_out)
{
    for (uint64_t seed = 1; seed <= 3; seed++)
        run_queue_model(MAP_TYPE_STACK, seed * 0x7a3c9d1ull);
}

TEST(queue_rejects_what_linux_rejects)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_QUEUE, 0, 4, 2, 0);
    uint32_t v = 1, key = 0;
    platform_epoch_enter();
    CHECK_EQ(map_push_elem(map, &v, MAP_NOEXIST), -EINVAL);
    CHECK_EQ(map_push_elem(map, &v, 8), -EINVAL);
    CHECK(map_lookup_elem(map, &key) == NULL);
    CHECK_EQ(map_update_elem(map, &key, &v, 0), -EOPNOTSUPP);
    CHECK_EQ(map_delete_elem(map, &key), -EOPNOTSUPP);
    platform_epoch_exit();
    CHECK_EQ(map_sys_delete_elem(map, NULL), -EINVAL);
    CHECK_EQ(map_sys_get_next_key(map, NULL, &key), -EINVAL);
    CHECK_EQ(map_sys_lookup_and_delete_elem(map, NULL, &v, MAP_F_LOCK), -EINVAL);
    uint32_t count = 1;
    CHECK_EQ(map_sys_lookup_batch(map, NULL, &key, &key, &v, &count, 0), -EINVAL);
    drop_map(map);

    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_STACK, .key_size = 4, .value_size = 4,
                                   .max_entries = 2};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "stack: key_size 4, must be 0");
    attr.key_size = 0;
    attr.value_size = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 0");
    attr.value_size = 4;
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 0");
    attr.max_entries = 0xffffffffu;
    attr.value_size = 1u << 20;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "preallocate");
    attr.value_size = 4;
    attr.max_entries = 2;
    attr.map_flags = MAP_F_NO_PREALLOC;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags");
}

TEST_MAIN
