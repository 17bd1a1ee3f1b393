/* LRU_HASH and LRU_PERCPU_HASH against a model of their documented eviction policy
 * (second chance over one list, newest first; program lookups set the referenced bit). */
#include "platform/cpu_slot.h"
#include "test_map_support.h"

enum { SLOTS = 2, DOMAIN = 40, MAX = 16 };

struct lru_model {
    uint32_t order[DOMAIN]; /* keys, newest first */
    uint32_t count;
    bool present[DOMAIN];
    bool referenced[DOMAIN];
    uint64_t value[DOMAIN];
};

static void model_remove(struct lru_model *m, uint32_t k)
{
    for (uint32_t i = 0; i < m->count; i++)
        if (m->order[i] == k) {
            memmove(&m->order[i], &m->order[i + 1], (m->count - i - 1) * sizeof m->order[0]);
            m->count--;
            m->present[k] = false;
            m->referenced[k] = false;
            return;
        }
}

static void model_push_front(struct lru_model *m, uint32_t k)
{
    memmove(&m->order[1], &m->order[0], m->count * sizeof m->order[0]);
    m->order[0] = k;
    m->count++;
    m->present[k] = true;
}

static void model_evict(struct lru_model *m)
{
    for (;;) {
        uint32_t tail = m->order[m->count - 1];
        if (!m->referenced[tail]) {
            model_remove(m, tail);
            return;
        }
        m->referenced[tail] = false;
        model_remove(m, tail);
        model_push_front(m, tail);
    }
}

static void check_contents(struct bpfhost_map *map, const struct lru_model *m, bool percpu)
{
    uint64_t out[SLOTS * 1];
    for (uint32_t k = 0; k < DOMAIN; k++) {
        int err = map_sys_lookup_elem(map, &k, out, 0);
        CHECK_EQ(err, m->present[k] ? 0 : -ENOENT);
        if (!err && !percpu)
            CHECK_EQ(out[0], m->value[k]);
    }
}

static void run_lru(uint32_t type, uint64_t seed)
{
    bool percpu = type == MAP_TYPE_LRU_PERCPU_HASH;
    struct bpfhost_map *map = make_map(type, 4, 8, MAX, 0);
    static struct lru_model m;
    memset(&m, 0, sizeof m);
    unsigned mine = percpu ? platform_cpu_slot() : 0;
    uint64_t rng = seed;
    for (int op = 0; op < 6000; op++) {
        uint32_t k = rng_below(&rng, DOMAIN);
        uint64_t value = rng_next(&rng), all[SLOTS] = {value, value + 1};
        uint64_t flags = rng_below(&rng, 4) == 0 ? rng_below(&rng, 3) : MAP_ANY;
        switch (rng_below(&rng, 6)) {
        case 0:
        case 1: {
            bool sys = rng_below(&rng, 2);
            long want = flags == MAP_NOEXIST && m.present[k]  ? -EEXIST
                        : flags == MAP_EXIST && !m.present[k] ? -ENOENT
                                                              : 0;
            long err;
            if (sys) {
                err = map_sys_update_elem(map, &k, all, flags);
            } else {
                platform_epoch_enter();
                err = map_update_elem(map, &k, all, flags);
                platform_epoch_exit();
            }
            CHECK_EQ(err, want);
            if (err)
                break;
            if (m.present[k] && percpu) {
                m.referenced[k] = true; /* updated in place */
            } else {
                if (m.present[k])
                    model_remove(&m, k);
                else if (m.count == MAX)
                    model_evict(&m);
                model_push_front(&m, k);
            }
            m.value[k] = sys ? all[mine] : value;
            break;
        }
        case 2:
        case 3: {
            platform_epoch_enter();
            uint64_t *p = map_lookup_elem(map, &k);
            CHECK_EQ(p != NULL, m.present[k]);
            if (p) {
                m.referenced[k] = true;
                CHECK_EQ(*p, m.value[k]);
            }
            platform_epoch_exit();
            break;
        }
        case 4: {
            int err = map_sys_delete_elem(map, &k);
            CHECK_EQ(err, m.present[k] ? 0 : -ENOENT);
            if (!err)
                model_remove(&m, k);
            break;
        }
        default:
            check_contents(map, &m, percpu);
            break;
        }
    }
    check_contents(map, &m, percpu);
    drop_map(map);
}

TEST(lru_hash_evicts_like_the_model)
{
    for (uint64_t seed = 1; seed <= 5; seed++)
        run_lru(MAP_TYPE_LRU_HASH, seed * 0x2545f4914f6cdd1dull);
}

TEST(lru_percpu_hash_evicts_like_the_model)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
    for (uint64_t seed = 1; seed <= 5; seed++)
        run_lru(MAP_TYPE_LRU_PERCPU_HASH, seed * 0x9e3779b97f4a7c15ull);
}

TEST(a_key_in_use_survives_a_flood)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_LRU_HASH, 4, 8, 8, 0);
    uint32_t hot = 1000;
    uint64_t v = 1;
    CHECK_EQ(map_sys_update_elem(map, &hot, &v, 0), 0);
    for (uint32_t k = 0; k < 100; k++) {
        platform_epoch_enter();
        CHECK(map_lookup_elem(map, &hot) != NULL);
        CHECK_EQ(map_update_elem(map, &k, &v, MAP_NOEXIST), 0); /* full: evicts, never E2BIG */
        platform_epoch_exit();
    }
    CHECK_EQ(map_sys_lookup_elem(map, &hot, &v, 0), 0);
    uint32_t old = 0;
    CHECK_EQ(map_sys_lookup_elem(map, &old, &v, 0), -ENOENT);
    drop_map(map);
}

TEST(lru_creation_errors)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_LRU_HASH, .key_size = 4, .value_size = 4,
                                   .max_entries = 4, .map_flags = MAP_F_NO_PREALLOC};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "NO_PREALLOC");
    attr.map_flags = MAP_F_NO_COMMON_LRU;
    struct bpfhost_map *map = NULL;
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    drop_map(map);
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "lru_hash: max_entries 0");
}

TEST_MAIN
