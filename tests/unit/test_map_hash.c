/* HASH and PERCPU_HASH against a reference model with random operation sequences that
 * fill the map, and every error path of creation and update. */
#include "platform/cpu_slot.h"
#include "test_map_support.h"

enum { SLOTS = 3, KSIZE = 6, VSIZE = 12, DOMAIN = 90, MAX = 64 };

struct model {
    bool present[DOMAIN];
    unsigned char value[DOMAIN][SLOTS][VSIZE];
    uint32_t count;
};

static void key_of(uint32_t k, unsigned char key[KSIZE])
{
    memset(key, 0, KSIZE);
    memcpy(key, &k, 2);
    key[5] = (unsigned char)(k * 7); /* bytes past the first eight are compared too */
}

static uint32_t index_of(const unsigned char key[KSIZE])
{
    uint16_t k;
    memcpy(&k, key, 2);
    return k;
}

/* Every key once, every present key, through get_next_key. */
static void check_iteration(struct bpfhost_map *map, const struct model *m)
{
    bool seen[DOMAIN] = {false};
    unsigned char key[KSIZE], next[KSIZE];
    uint32_t n = 0;
    const void *from = NULL;
    while (map_sys_get_next_key(map, from, next) == 0) {
        uint32_t k = index_of(next);
        CHECK(k < DOMAIN && m->present[k] && !seen[k]);
        if (k >= DOMAIN || seen[k])
            break;
        seen[k] = true;
        n++;
        memcpy(key, next, KSIZE);
        from = key;
    }
    CHECK_EQ(n, m->count);
}

static void run_model(uint32_t type, uint64_t seed, int ops)
{
    bool percpu = type == MAP_TYPE_PERCPU_HASH;
    uint32_t slots = percpu ? SLOTS : 1, stride = percpu ? 16 : VSIZE;
    struct bpfhost_map *map = make_map(type, KSIZE, VSIZE, MAX, seed & 1 ? MAP_F_NO_PREALLOC : 0);
    static struct model m;
    memset(&m, 0, sizeof m);
    unsigned mine = percpu ? platform_cpu_slot() : 0;
    uint64_t rng = seed;
    for (int op = 0; op < ops; op++) {
        if (op % 2000 == 1999)
            platform_epoch_barrier(); /* freed elements' memory gets reused */
        uint32_t k = rng_below(&rng, DOMAIN);
        unsigned char key[KSIZE], value[SLOTS * 16], out[SLOTS * 16];
        key_of(k, key);
        for (size_t i = 0; i < sizeof value; i++)
            value[i] = (unsigned char)rng_next(&rng);
        uint64_t flags = rng_below(&rng, 3);
        /* Deletions less often than insertions, so the map spends time full. */
        unsigned what = rng_below(&rng, 9);
        if (what <= 2) {
            bool sys = what == 2;
            long want = flags == MAP_NOEXIST && m.present[k]  ? -EEXIST
                        : flags == MAP_EXIST && !m.present[k] ? -ENOENT
                        : !m.present[k] && m.count == MAX    ? -E2BIG
                                                              : 0;
            long err;
            if (sys) {
                err = map_sys_update_elem(map, key, value, flags);
            } else {
                platform_epoch_enter();
                err = map_update_elem(map, key, value, flags);
                platform_epoch_exit();
            }
            CHECK_EQ(err, want);
            if (err)
                continue;
            if (!m.present[k]) {
                m.present[k] = true;
                m.count++;
                memset(m.value[k], 0, sizeof m.value[k]);
            }
            if (sys)
                for (uint32_t s = 0; s < slots; s++)
                    memcpy(m.value[k][s], value + s * stride, VSIZE);
            else
                memcpy(m.value[k][mine], value, VSIZE);
        } else if (what == 3) {
            platform_epoch_enter();
            long err = map_delete_elem(map, key);
            platform_epoch_exit();
            CHECK_EQ(err, m.present[k] ? 0 : -ENOENT);
            if (!err) {
                m.present[k] = false;
                m.count--;
            }
        } else if (what == 4) {
            int err = map_sys_lookup_and_delete_elem(map, key, out, 0);
            CHECK_EQ(err, m.present[k] ? 0 : -ENOENT);
            for (uint32_t s = 0; !err && s < slots; s++)
                CHECK(memcmp(out + s * stride, m.value[k][s], VSIZE) == 0);
            if (!err) {
                m.present[k] = false;
                m.count--;
            }
        } else if (what <= 6) {
            platform_epoch_enter();
            unsigned char *p = map_lookup_elem(map, key);
            CHECK_EQ(p != NULL, m.present[k]);
            if (p)
                CHECK(memcmp(p, m.value[k][mine], VSIZE) == 0);
            platform_epoch_exit();
        } else if (what == 7) {
            int err = map_sys_lookup_elem(map, key, out, 0);
            CHECK_EQ(err, m.present[k] ? 0 : -ENOENT);
            for (uint32_t s = 0; !err && s < slots; s++)
                CHECK(memcmp(out + s * stride, m.value[k][s], VSIZE) == 0);
        } else {
            check_iteration(map, &m);
        }
    }
    check_iteration(map, &m);
    drop_map(map);
}

TEST(hash_matches_the_model)
{
    for (uint64_t seed = 1; seed <= 4; seed++)
        run_model(MAP_TYPE_HASH, seed * 0x9e3779b9ull, 8000);
}

TEST(percpu_hash_matches_the_model)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
    for (uint64_t seed = 1; seed <= 4; seed++)
        run_model(MAP_TYPE_PERCPU_HASH, seed * 0x51ed27ull, 8000);
}

TEST(full_hash_says_e2big_until_something_goes)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, 4, 4, 2, 0);
    uint32_t a = 1, b = 2, c = 3, v = 0;
    CHECK_EQ(map_sys_update_elem(map, &a, &v, MAP_NOEXIST), 0);
    CHECK_EQ(map_sys_update_elem(map, &b, &v, MAP_ANY), 0);
    CHECK_EQ(map_sys_update_elem(map, &c, &v, MAP_ANY), -E2BIG);
    CHECK_EQ(map_sys_update_elem(map, &a, &v, MAP_ANY), 0); /* replacing is not growing */
    CHECK_EQ(map_sys_update_elem(map, &a, &v, MAP_NOEXIST), -EEXIST);
    CHECK_EQ(map_sys_update_elem(map, &c, &v, MAP_EXIST), -ENOENT);
    CHECK_EQ(map_sys_delete_elem(map, &b), 0);
    CHECK_EQ(map_sys_delete_elem(map, &b), -ENOENT);
    CHECK_EQ(map_sys_update_elem(map, &c, &v, MAP_ANY), 0);
    CHECK_EQ(map_sys_update_elem(map, &c, &v, 3), -EINVAL);
    CHECK_EQ(map_sys_update_elem(map, &c, &v, 1ull << 40), -EINVAL);
    CHECK_EQ(map_sys_update_elem(map, &c, &v, MAP_F_LOCK), -EINVAL);
    CHECK_EQ(map_sys_lookup_elem(map, &b, &v, 0), -ENOENT);
    drop_map(map);
}

TEST(replaced_values_stay_readable_until_the_section_ends)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, 4, 16, 4, 0);
    uint32_t key = 5;
    uint64_t v1[2] = {111, 112}, v2[2] = {222, 223};
    CHECK_EQ(map_sys_update_elem(map, &key, v1, 0), 0);
    platform_epoch_enter();
    uint64_t *old = map_lookup_elem(map, &key);
    CHECK(old != NULL);
    CHECK_EQ(map_update_elem(map, &key, v2, 0), 0);
    CHECK_EQ(map_delete_elem(map, &key), 0);
    /* Freed only after this section: ASan would report a use. */
    CHECK_EQ(old[0], 111);
    CHECK_EQ(old[1], 112);
    platform_epoch_exit();
    drop_map(map);
}

TEST(word_values_are_updated_in_place)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, 4, 8, 4, 0);
    uint32_t key = 5;
    uint64_t v1 = 111, v2 = 222;
    CHECK_EQ(map_sys_update_elem(map, &key, &v1, 0), 0);
    platform_epoch_enter();
    uint64_t *old = map_lookup_elem(map, &key);
    CHECK(old != NULL);
    CHECK_EQ(map_update_elem(map, &key, &v2, MAP_EXIST), 0);
    CHECK(map_lookup_elem(map, &key) == old);
    CHECK_EQ(*old, 222);
    CHECK_EQ(map_delete_elem(map, &key), 0);
    CHECK_EQ(*old, 222); /* deleted, but freed only after this section */
    platform_epoch_exit();
    drop_map(map);
}

/* Keys and values of one word (the fast paths of hashing, comparing and updating) against
 * a model, with grace periods in between so that freed memory gets reused. */
static void run_word_model(uint32_t key_size, uint32_t value_size, uint64_t seed)
{
    enum { WORD_DOMAIN = 200, WORD_MAX = 128 };
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, key_size, value_size, WORD_MAX, 0);
    static bool present[WORD_DOMAIN];
    static uint64_t value_of[WORD_DOMAIN];
    memset(present, 0, sizeof present);
    uint32_t count = 0;
    uint64_t rng = seed, value_mask = value_size == 8 ? ~0ull : 0xffffffffull;
    for (int op = 0; op < 6000; op++) {
        if (op % 1500 == 0)
            platform_epoch_barrier();
        uint32_t k = rng_below(&rng, WORD_DOMAIN);
        /* Keys differ in every byte, and in the high half of 8-byte keys only for some. */
        uint64_t key = (k * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(k & 3) << 40);
        uint64_t value = rng_next(&rng) & value_mask, out = 0;
        uint64_t flags = rng_below(&rng, 3);
        unsigned what = rng_below(&rng, 6);
        if (what <= 1) {
            long want = flags == MAP_NOEXIST && present[k]  ? -EEXIST
                        : flags == MAP_EXIST && !present[k] ? -ENOENT
                        : !present[k] && count == WORD_MAX  ? -E2BIG
                                                            : 0;
            long err;
            if (what == 0) {
                err = map_sys_update_elem(map, &key, &value, flags);
            } else {
                platform_epoch_enter();
                err = map_update_elem(map, &key, &value, flags);
                platform_epoch_exit();
            }
            CHECK_EQ(err, want);
            if (!err) {
                count += !present[k];
                present[k] = true;
                value_of[k] = value;
            }
        } else if (what == 2) {
            CHECK_EQ(map_sys_delete_elem(map, &key), present[k] ? 0 : -ENOENT);
            count -= present[k];
            present[k] = false;
        } else if (what == 3) {
            CHECK_EQ(map_sys_lookup_elem(map, &key, &out, 0), present[k] ? 0 : -ENOENT);
            if (present[k])
                CHECK_EQ(out, value_of[k]);
        } else {
            platform_epoch_enter();
            void *p = map_lookup_elem(map, &key);
            CHECK_EQ(p != NULL, present[k]);
            if (p) {
                memcpy(&out, p, value_size);
                CHECK_EQ(out, value_of[k]);
            }
            platform_epoch_exit();
        }
    }
    uint32_t walked = 0;
    uint64_t key, next;
    for (const void *from = NULL; map_sys_get_next_key(map, from, &next) == 0; from = &key) {
        key = next;
        walked++;
    }
    CHECK_EQ(walked, count);
    drop_map(map);
}

TEST(word_keys_and_values_match_the_model)
{
    run_word_model(4, 8, 0x1234567ull);
    run_word_model(8, 8, 0x7654321ull);
    run_word_model(4, 4, 0x2468aceull);
    run_word_model(8, 4, 0x13579bdull);
}

TEST(reinserted_percpu_keys_start_with_zeroed_slots)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
    struct bpfhost_map *map = make_map(MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0);
    unsigned mine = platform_cpu_slot();
    uint64_t all[SLOTS], out[SLOTS];
    for (int round = 0; round < 40; round++) {
        uint32_t key = (uint32_t)round % 3;
        for (unsigned s = 0; s < SLOTS; s++)
            all[s] = 1000u * (unsigned)round + s + 1;
        CHECK_EQ(map_sys_update_elem(map, &key, all, MAP_ANY), 0);
        CHECK_EQ(map_sys_delete_elem(map, &key), 0);
        if (round % 10 == 9)
            platform_epoch_barrier(); /* the deleted elements are gone: memory is reused */
        uint64_t mine_value = 7;
        platform_epoch_enter();
        CHECK_EQ(map_update_elem(map, &key, &mine_value, MAP_NOEXIST), 0);
        platform_epoch_exit();
        CHECK_EQ(map_sys_lookup_elem(map, &key, out, 0), 0);
        for (unsigned s = 0; s < SLOTS; s++)
            CHECK_EQ(out[s], s == mine ? 7u : 0u); /* a program insert zeroes the other slots */
        CHECK_EQ(map_sys_delete_elem(map, &key), 0);
    }
    drop_map(map);
}

TEST(zero_seed_gives_a_reproducible_order)
{
    struct bpfhost_map *a = make_map(MAP_TYPE_HASH, 4, 4, 32, MAP_F_ZERO_SEED);
    struct bpfhost_map *b = make_map(MAP_TYPE_HASH, 4, 4, 32, MAP_F_ZERO_SEED);
    for (uint32_t k = 0; k < 20; k++) {
        CHECK_EQ(map_sys_update_elem(a, &k, &k, 0), 0);
        CHECK_EQ(map_sys_update_elem(b, &k, &k, 0), 0);
    }
    uint32_t ka, kb;
    int ea = map_sys_get_next_key(a, NULL, &ka), eb = map_sys_get_next_key(b, NULL, &kb);
    while (ea == 0 && eb == 0) {
        CHECK_EQ(ka, kb);
        ea = map_sys_get_next_key(a, &ka, &ka);
        eb = map_sys_get_next_key(b, &kb, &kb);
    }
    CHECK_EQ(ea, -ENOENT);
    CHECK_EQ(eb, -ENOENT);
    drop_map(a);
    drop_map(b);
}

TEST(hash_creation_errors_name_the_field)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_HASH, .key_size = 0, .value_size = 4,
                                   .max_entries = 1};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "key_size 0");
    attr.key_size = 4;
    attr.value_size = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 0");
    attr.value_size = 4;
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 0");
    attr.max_entries = 1;
    attr.key_size = 513;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "key_size 513");
    attr.key_size = 4;
    attr.map_flags = MAP_F_MMAPABLE;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags 0x400");
    attr.map_flags = MAP_F_NO_COMMON_LRU;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "NO_COMMON_LRU");
    attr.map_flags = 0;
    attr.map_type = MAP_TYPE_PERCPU_HASH;
    attr.value_size = 32769;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -E2BIG);
    attr.map_type = MAP_TYPE_HASH;
    attr.value_size = 4;
    attr.max_entries = 0xffffffffu; /* buckets are capped: this succeeds and stays small */
    struct bpfhost_map *big = NULL;
    CHECK_EQ(map_create(&attr, &big, msg, sizeof msg), 0);
    drop_map(big);
}

TEST(queue_operations_do_not_apply_to_hashes)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, 4, 4, 2, 0);
    uint32_t v = 0;
    platform_epoch_enter();
    CHECK_EQ(map_push_elem(map, &v, 0), -EOPNOTSUPP);
    CHECK_EQ(map_pop_elem(map, &v), -EOPNOTSUPP);
    CHECK_EQ(map_peek_elem(map, &v), -EOPNOTSUPP);
    platform_epoch_exit();
    CHECK_EQ(map_sys_update_object(map, &v, map, 0), -EINVAL);
    drop_map(map);
}

static long sum_values(struct bpfhost_map *map, const void *key, void *value, void *ctx)
{
    uint64_t *sum = ctx, v;
    uint32_t k;
    memcpy(&k, key, 4);
    memcpy(&v, value, 8);
    CHECK_EQ(v, k * 10ull);
    *sum += v;
    return 0;
}

static long stop_at_third(struct bpfhost_map *map, const void *key, void *value, void *ctx)
{
    return ++*(int *)ctx == 3;
}

TEST(for_each_walks_every_element_and_stops_on_request)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_HASH, 4, 8, 64, 0);
    uint64_t want = 0;
    for (uint32_t k = 1; k <= 20; k++) {
        uint64_t v = k * 10ull;
        want += v;
        CHECK_EQ(map_sys_update_elem(map, &k, &v, 0), 0);
    }
    uint64_t sum = 0;
    int calls = 0;
    platform_epoch_enter();
    CHECK_EQ(map_for_each_elem(map, sum_values, &sum, 0), 20);
    CHECK_EQ(sum, want);
    CHECK_EQ(map_for_each_elem(map, stop_at_third, &calls, 0), 3);
    CHECK_EQ(map_for_each_elem(map, stop_at_third, &calls, 1), -EINVAL);
    platform_epoch_exit();
    drop_map(map);
    struct bpfhost_map *queue = make_map(MAP_TYPE_QUEUE, 0, 4, 4, 0);
    CHECK_EQ(map_for_each_elem(queue, stop_at_third, &calls, 0), -EINVAL);
    drop_map(queue);
}

TEST(lookup_percpu_reads_any_slot)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
    struct bpfhost_map *map = make_map(MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0);
    struct bpfhost_map *plain = make_map(MAP_TYPE_HASH, 4, 8, 4, 0);
    uint32_t key = 3, missing = 4;
    uint64_t values[SLOTS] = {100, 200, 300};
    CHECK_EQ(map_sys_update_elem(map, &key, values, 0), 0);
    CHECK_EQ(map_sys_update_elem(plain, &key, values, 0), 0);
    platform_epoch_enter();
    for (uint32_t slot = 0; slot < SLOTS; slot++) {
        uint64_t *p = map_lookup_percpu_elem(map, &key, slot);
        CHECK(p && *p == values[slot]);
    }
    CHECK(map_lookup_percpu_elem(map, &key, SLOTS) == NULL);
    CHECK(map_lookup_percpu_elem(map, &missing, 0) == NULL);
    CHECK(map_lookup_percpu_elem(plain, &key, 0) == NULL);
    uint64_t *mine = map_lookup_elem(map, &key);
    CHECK(mine && *mine == values[platform_cpu_slot()]);
    platform_epoch_exit();
    drop_map(map);
    drop_map(plain);
}

TEST_MAIN
