/* LPM_TRIE against brute force: longest match, exact-prefix update/delete, postorder walk. */
#include "test_map_support.h"

enum { MAX_ENTRIES = 48, MAX_DATA = 16 };

struct prefix {
    uint32_t plen;
    unsigned char data[MAX_DATA];
    uint64_t value;
    bool used;
};

static struct prefix model[MAX_ENTRIES * 4];
static int model_size;

static bool bit(const unsigned char *data, uint32_t i)
{
    return (data[i / 8] >> (7 - i % 8)) & 1;
}

static bool covers(uint32_t plen, const unsigned char *prefix, const unsigned char *addr)
{
    for (uint32_t i = 0; i < plen; i++)
        if (bit(prefix, i) != bit(addr, i))
            return false;
    return true;
}

static struct prefix *model_find(uint32_t plen, const unsigned char *data)
{
    for (int i = 0; i < model_size; i++)
        if (model[i].used && model[i].plen == plen && covers(plen, model[i].data, data))
            return &model[i];
    return NULL;
}

static int model_count(void)
{
    int n = 0;
    for (int i = 0; i < model_size; i++)
        n += model[i].used;
    return n;
}

/* Zeroes the bits past plen, as a canonical prefix. */
static void canonical(unsigned char *data, uint32_t data_size, uint32_t plen)
{
    for (uint32_t i = plen; i < data_size * 8; i++)
        data[i / 8] &= (unsigned char)~(1u << (7 - i % 8));
}

static void make_key(unsigned char *key, uint32_t plen, const unsigned char *data, uint32_t size)
{
    memcpy(key, &plen, 4);
    memcpy(key + 4, data, size);
}

static void random_address(uint64_t *rng, unsigned char *data, uint32_t size)
{
    /* Few distinct leading bytes, so prefixes nest and fork often. */
    for (uint32_t i = 0; i < size; i++)
        data[i] = (unsigned char)(i < 2 ? 0xa0 | rng_below(rng, 3) : rng_next(rng));
}

static void check_walk(struct bpfhost_map *map, uint32_t data_size)
{
    unsigned char key[4 + MAX_DATA], next[4 + MAX_DATA];
    struct prefix order[MAX_ENTRIES];
    int n = 0;
    const void *from = NULL;
    while (n < MAX_ENTRIES + 1 && map_sys_get_next_key(map, from, next) == 0) {
        uint32_t plen;
        memcpy(&plen, next, 4);
        struct prefix *p = model_find(plen, next + 4);
        CHECK(p != NULL);
        if (!p)
            return;
        for (int i = 0; i < n; i++) /* each once */
            CHECK(!(order[i].plen == plen && covers(plen, order[i].data, next + 4)));
        order[n].plen = plen;
        memcpy(order[n].data, next + 4, data_size);
        /* Postorder: nothing already listed contains this prefix... unless it is an
         * ancestor listed before us, which postorder forbids. */
        for (int i = 0; i < n; i++)
            CHECK(!(order[i].plen < plen && covers(order[i].plen, order[i].data, next + 4)));
        n++;
        memcpy(key, next, sizeof key);
        from = key;
    }
    CHECK_EQ(n, model_count());
}

static void run_lpm(uint32_t data_size, uint64_t seed)
{
    uint32_t max_plen = data_size * 8, key_size = 4 + data_size;
    struct bpfhost_map *map = make_map(MAP_TYPE_LPM_TRIE, key_size, 8, MAX_ENTRIES,
                                       MAP_F_NO_PREALLOC);
    memset(model, 0, sizeof model);
    model_size = 0;
    uint64_t rng = seed;
    for (int op = 0; op < 6000; op++) {
        unsigned char data[MAX_DATA] = {0}, key[4 + MAX_DATA];
        random_address(&rng, data, data_size);
        uint32_t plen = rng_below(&rng, max_plen + 1);
        unsigned what = rng_below(&rng, 10);
        if (what <= 3) { /* update */
            canonical(data, data_size, plen);
            make_key(key, plen, data, data_size);
            uint64_t value = rng_next(&rng), flags = rng_below(&rng, 3);
            struct prefix *p = model_find(plen, data);
            long want = flags == MAP_NOEXIST && p                              ? -EEXIST
                        : flags == MAP_EXIST && !p                             ? -ENOENT
                        : !p && model_count() == MAX_ENTRIES                   ? -ENOSPC
                                                                               : 0;
            platform_epoch_enter();
            long err = map_update_elem(map, key, &value, flags);
            platform_epoch_exit();
            CHECK_EQ(err, want);
            if (err)
                continue;
            if (!p) {
                int slot = 0;
                while (model[slot].used)
                    slot++;
                p = &model[slot];
                if (slot == model_size)
                    model_size++;
                p->used = true;
                p->plen = plen;
                memcpy(p->data, data, data_size);
            }
            p->value = value;
        } else if (what <= 5) { /* delete an existing prefix or a random one */
            struct prefix *p = NULL;
            if (model_count() && rng_below(&rng, 2)) {
                int pick = (int)rng_below(&rng, (uint32_t)model_count());
                for (int i = 0; i < model_size; i++)
                    if (model[i].used && pick-- == 0)
                        p = &model[i];
                plen = p->plen;
                memcpy(data, p->data, data_size);
            } else {
                canonical(data, data_size, plen);
                p = model_find(plen, data);
            }
            make_key(key, plen, data, data_size);
            int err = map_sys_delete_elem(map, key);
            CHECK_EQ(err, p ? 0 : -ENOENT);
            if (p)
                p->used = false;
        } else if (what <= 8) { /* longest match */
            uint32_t lookup_plen = rng_below(&rng, 4) ? max_plen : plen;
            make_key(key, lookup_plen, data, data_size);
            struct prefix *best = NULL;
            for (int i = 0; i < model_size; i++)
                if (model[i].used && model[i].plen <= lookup_plen &&
                    covers(model[i].plen, model[i].data, data) &&
                    (!best || model[i].plen > best->plen))
                    best = &model[i];
            platform_epoch_enter();
            uint64_t *v = map_lookup_elem(map, key);
            CHECK_EQ(v != NULL, best != NULL);
            if (v && best)
                CHECK_EQ(*v, best->value);
            platform_epoch_exit();
            uint64_t out;
            CHECK_EQ(map_sys_lookup_elem(map, key, &out, 0), best ? 0 : -ENOENT);
        } else {
            check_walk(map, data_size);
        }
    }
    check_walk(map, data_size);
    drop_map(map);
}

TEST(lpm_ipv4_matches_brute_force)
{
    for (uint64_t seed = 1; seed <= 4; seed++)
        run_lpm(4, seed * 0x3c6ef372fe94f82bull);
}

TEST(lpm_ipv6_matches_brute_force)
{
    for (uint64_t seed = 1; seed <= 2; seed++)
        run_lpm(16, seed * 0xa54ff53a5f1d36f1ull);
}

TEST(lpm_odd_width_matches_brute_force)
{
    run_lpm(3, 0x510e527fade682d1ull);
}

TEST(lpm_classic_example)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_LPM_TRIE, 8, 4, 8, MAP_F_NO_PREALLOC);
    struct {
        uint32_t plen;
        unsigned char addr[4];
        uint32_t value;
    } entries[] = {{16, {192, 168, 0, 0}, 1}, {24, {192, 168, 0, 0}, 2},
                   {24, {192, 168, 1, 0}, 3}, {24, {192, 168, 128, 0}, 4}};
    unsigned char key[8];
    for (int i = 0; i < 4; i++) {
        make_key(key, entries[i].plen, entries[i].addr, 4);
        CHECK_EQ(map_sys_update_elem(map, key, &entries[i].value, MAP_NOEXIST), 0);
    }
    unsigned char probe[4] = {192, 168, 1, 77};
    make_key(key, 32, probe, 4);
    uint32_t v = 0;
    CHECK_EQ(map_sys_lookup_elem(map, key, &v, 0), 0);
    CHECK_EQ(v, 3);
    probe[2] = 200;
    make_key(key, 32, probe, 4);
    CHECK_EQ(map_sys_lookup_elem(map, key, &v, 0), 0);
    CHECK_EQ(v, 1);
    probe[0] = 10;
    make_key(key, 32, probe, 4);
    CHECK_EQ(map_sys_lookup_elem(map, key, &v, 0), -ENOENT);
    /* Linux's documented walk order for this trie. */
    uint32_t expect[] = {2, 3, 4, 1};
    unsigned char next[8];
    const void *from = NULL;
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(map_sys_get_next_key(map, from, next), 0);
        CHECK_EQ(map_sys_lookup_elem(map, next, &v, 0), 0);
        CHECK_EQ(v, expect[i]);
        memcpy(key, next, 8);
        from = key;
    }
    CHECK_EQ(map_sys_get_next_key(map, from, next), -ENOENT);
    make_key(key, 33, probe, 4);
    CHECK_EQ(map_sys_update_elem(map, key, &v, 0), -EINVAL);
    CHECK_EQ(map_sys_delete_elem(map, key), -EINVAL);
    CHECK_EQ(map_sys_update_elem(map, key, &v, 7), -EINVAL);
    drop_map(map);
}

TEST(lpm_creation_errors)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_LPM_TRIE, .key_size = 8, .value_size = 4,
                                   .max_entries = 4};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "NO_PREALLOC");
    attr.map_flags = MAP_F_NO_PREALLOC;
    attr.key_size = 4;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "key_size 4");
    attr.key_size = 4 + 257;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.key_size = 8;
    attr.value_size = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "value_size 0");
    attr.value_size = 4;
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 0");
    attr.max_entries = 4;
    attr.map_flags |= MAP_F_ZERO_SEED;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags 0x40");
}

TEST_MAIN
