/* BLOOM_FILTER: never a false negative, few false positives, Linux's checks. */
#include "test_map_support.h"

TEST(bloom_filter_has_no_false_negatives_and_few_false_positives)
{
    enum { N = 2000 };
    struct map_create_attr attr = {.map_type = MAP_TYPE_BLOOM_FILTER, .value_size = 8,
                                   .max_entries = N, .map_extra = 3};
    struct bpfhost_map *map = NULL;
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    uint64_t rng = 77;
    for (uint64_t i = 0; i < N; i++) {
        uint64_t v = i * 2; /* even values go in */
        if (i % 2) {
            CHECK_EQ(map_sys_update_elem(map, NULL, &v, MAP_ANY), 0);
        } else {
            platform_epoch_enter();
            CHECK_EQ(map_push_elem(map, &v, MAP_ANY), 0);
            platform_epoch_exit();
        }
    }
    for (uint64_t i = 0; i < N; i++) {
        uint64_t v = i * 2;
        platform_epoch_enter();
        CHECK_EQ(map_peek_elem(map, &v), 0);
        platform_epoch_exit();
        CHECK_EQ(map_sys_lookup_elem(map, NULL, &v, 0), 0);
    }
    int false_positives = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t v = (rng_next(&rng) << 1) | 1; /* odd: never added */
        if (map_sys_lookup_elem(map, NULL, &v, 0) == 0)
            false_positives++;
    }
    CHECK(false_positives < 1000); /* ~3% expected with 3 hash functions */
    CHECK(false_positives > 0);    /* it is a Bloom filter, not a set */
    uint64_t v = 1;
    platform_epoch_enter();
    CHECK_EQ(map_push_elem(map, &v, MAP_EXIST), -EINVAL);
    CHECK_EQ(map_pop_elem(map, &v), -EOPNOTSUPP);
    platform_epoch_exit();
    CHECK_EQ(map_sys_delete_elem(map, NULL), -EINVAL);
    CHECK_EQ(map_sys_lookup_and_delete_elem(map, NULL, &v, 0), -EOPNOTSUPP);
    drop_map(map);
}

TEST(bloom_filter_creation_errors)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_BLOOM_FILTER, .key_size = 4,
                                   .value_size = 4, .max_entries = 10};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "key_size 4, must be 0");
    attr.key_size = 0;
    attr.map_extra = 16;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "map_extra");
    attr.map_extra = 0;
    attr.value_size = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.value_size = 4;
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 0");
    attr.max_entries = 0xffffffffu; /* capped at 2^32 bits: 512 MiB, allocated lazily */
    attr.map_flags = MAP_F_NO_PREALLOC;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags");
}

TEST_MAIN
