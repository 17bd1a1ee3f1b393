/* Programs on several threads and the control API on another, on the same maps at once:
 * counters updated with atomic adds through lookup pointers must add up exactly, churned
 * elements must never be seen torn or freed (ASan), and nothing may leak. Bounded: a fixed
 * number of operations per thread. */
#include <pthread.h>
#include <stdatomic.h>

#include "platform/cpu_slot.h"
#include "test_map_support.h"

/* Under TSan every deferred free is a race report that tests/tsan.supp then suppresses
 * (liburcu's ordering is invisible to it), and the cost of each grows with their number:
 * 20000 runs take many minutes there, 2000 seconds. */
#ifdef __SANITIZE_THREAD__
#define STRESS_RUNS 2000
#else
#define STRESS_RUNS 20000
#endif

enum {
    THREADS = 4,
    RUNS = STRESS_RUNS,  /* program runs per thread */
    OPS_PER_RUN = 8,    /* map operations per run (one read-side section) */
    COUNTERS = 16,      /* keys 0..15: never deleted by the control thread */
    CHURN_BASE = 1000,  /* keys 1000..1000+CHURN-1: inserted by programs, deleted by control */
    CHURN = 200,
    SLOTS = 2,          /* fewer than threads: slots are shared, atomics keep totals exact */
};

struct churn_value {
    uint64_t key;
    uint64_t check; /* ~key */
};

struct shared {
    struct bpfhost_map *hash, *lru, *percpu_hash, *percpu_array;
    atomic_bool workers_done;
    uint64_t adds[THREADS];
    atomic_int bad_values;
    atomic_int missing_counters;
    uint64_t control_deletes;
    uint64_t control_walks;
};

struct worker {
    struct shared *s;
    int index;
};

static bool churn_ok(const struct churn_value *v, uint64_t key)
{
    return v->key == key && v->check == ~key;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct shared *s = w->s;
    uint64_t rng = 0x9e3779b97f4a7c15ull * (uint64_t)(w->index + 1);
    for (int run = 0; run < RUNS; run++) {
        platform_epoch_enter(); /* one program run */
        for (int op = 0; op < OPS_PER_RUN; op++) {
            uint64_t counter = rng_below(&rng, COUNTERS);
            uint64_t churn = CHURN_BASE + rng_below(&rng, CHURN);
            struct churn_value v = {churn, ~churn};
            switch (rng_below(&rng, 8)) {
            case 0: { /* hash counter */
                _Atomic uint64_t *p = map_lookup_elem(s->hash, &counter);
                if (p) {
                    atomic_fetch_add(p, 1);
                    s->adds[w->index]++;
                } else {
                    s->missing_counters++;
                }
                _Atomic uint64_t *q = map_lookup_elem(s->percpu_hash, &counter);
                _Atomic uint64_t *r = map_lookup_elem(s->percpu_array, &(uint32_t){(uint32_t)counter});
                if (q && r) {
                    atomic_fetch_add(q, 1);
                    atomic_fetch_add(r, 1);
                } else {
                    s->missing_counters++;
                }
                break;
            }
            case 1:
            case 2: { /* churn inserts */
                map_update_elem(s->hash, &churn, &v, rng_below(&rng, 2) ? MAP_ANY : MAP_NOEXIST);
                map_update_elem(s->lru, &churn, &v, MAP_ANY);
                struct churn_value pv[1] = {v};
                map_update_elem(s->percpu_hash, &churn, pv, MAP_ANY);
                break;
            }
            case 3: { /* churn deletes from programs too */
                map_delete_elem(s->hash, &churn);
                map_delete_elem(s->lru, &churn);
                break;
            }
            default: { /* churn lookups: whatever is found is whole */
                struct churn_value *p = map_lookup_elem(s->hash, &churn);
                if (p && !churn_ok(p, churn))
                    s->bad_values++;
                p = map_lookup_elem(s->lru, &churn);
                if (p && !churn_ok(p, churn))
                    s->bad_values++;
                break;
            }
            }
        }
        platform_epoch_exit();
    }
    return NULL;
}

/* Walks a map with get_next_key, checks every value it can still read, deletes churn keys. */
static void control_pass(struct shared *s, struct bpfhost_map *map, bool percpu)
{
    uint64_t key, next;
    const void *from = NULL;
    struct churn_value values[SLOTS];
    int steps = 0;
    while (map_sys_get_next_key(map, from, &next) == 0 && steps++ < 4 * (COUNTERS + CHURN)) {
        if (next >= CHURN_BASE) {
            if (next >= CHURN_BASE + CHURN)
                s->bad_values++;
            if (map_sys_lookup_elem(map, &next, values, 0) == 0 && !percpu &&
                !churn_ok(&values[0], next))
                s->bad_values++;
            if (map_sys_delete_elem(map, &next) == 0)
                s->control_deletes++;
        } else if (next >= COUNTERS) {
            s->bad_values++;
        }
        key = next;
        from = &key;
    }
    s->control_walks++;
}

static void *control_main(void *arg)
{
    struct shared *s = arg;
    uint64_t keys[32], cursor;
    struct churn_value values[32];
    while (!s->workers_done) {
        control_pass(s, s->hash, false);
        control_pass(s, s->lru, false);
        control_pass(s, s->percpu_hash, true);
        uint32_t count = 32;
        int err = map_sys_lookup_batch(s->hash, NULL, &cursor, keys, values, &count, 0);
        if (err && err != -ENOENT && err != -EINTR)
            s->bad_values++;
        for (uint32_t i = 0; i < count; i++)
            if (keys[i] >= CHURN_BASE && !churn_ok(&values[i], keys[i]))
                s->bad_values++;
    }
    return NULL;
}

TEST(programs_and_control_share_maps_exactly)
{
    CHECK_EQ(platform_cpu_slot_set_count(SLOTS), 0);
    static struct shared s;
    s.hash = make_map(MAP_TYPE_HASH, 8, 16, 4096, 0);
    s.lru = make_map(MAP_TYPE_LRU_HASH, 8, 16, 64, 0); /* smaller than the churn: evicts */
    s.percpu_hash = make_map(MAP_TYPE_PERCPU_HASH, 8, 16, 4096, 0);
    s.percpu_array = make_map(MAP_TYPE_PERCPU_ARRAY, 4, 8, COUNTERS, 0);
    uint64_t zero[2 * SLOTS] = {0};
    for (uint64_t k = 0; k < COUNTERS; k++) {
        CHECK_EQ(map_sys_update_elem(s.hash, &k, zero, MAP_NOEXIST), 0);
        CHECK_EQ(map_sys_update_elem(s.percpu_hash, &k, zero, MAP_NOEXIST), 0);
    }
    pthread_t threads[THREADS], control;
    struct worker workers[THREADS];
    CHECK_EQ(pthread_create(&control, NULL, control_main, &s), 0);
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){&s, i};
        CHECK_EQ(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    s.workers_done = true;
    pthread_join(control, NULL);

    uint64_t adds = 0;
    for (int i = 0; i < THREADS; i++)
        adds += s.adds[i];
    uint64_t hash_total = 0, percpu_total = 0, array_total = 0;
    for (uint64_t k = 0; k < COUNTERS; k++) {
        uint64_t v[2 * SLOTS] = {0}, per[SLOTS * 2];
        CHECK_EQ(map_sys_lookup_elem(s.hash, &k, v, 0), 0);
        hash_total += v[0];
        CHECK_EQ(map_sys_lookup_elem(s.percpu_hash, &k, per, 0), 0);
        for (int slot = 0; slot < SLOTS; slot++)
            percpu_total += per[slot * 2];
        uint32_t index = (uint32_t)k;
        CHECK_EQ(map_sys_lookup_elem(s.percpu_array, &index, per, 0), 0);
        for (int slot = 0; slot < SLOTS; slot++)
            array_total += per[slot];
    }
    CHECK(adds > (uint64_t)THREADS * RUNS * OPS_PER_RUN / 16);
    CHECK_EQ(hash_total, adds);
    CHECK_EQ(percpu_total, adds);
    CHECK_EQ(array_total, adds);
    CHECK_EQ(s.bad_values, 0);
    CHECK_EQ(s.missing_counters, 0);
    CHECK(s.control_walks > 0);
    CHECK(s.control_deletes > 0);
    printf("  %llu adds, %llu control walks, %llu control deletes\n", (unsigned long long)adds,
           (unsigned long long)s.control_walks, (unsigned long long)s.control_deletes);

    /* The LRU map never holds more than max_entries. */
    uint64_t key, next;
    const void *from = NULL;
    int lru_count = 0;
    while (map_sys_get_next_key(s.lru, from, &next) == 0) {
        lru_count++;
        key = next;
        from = &key;
    }
    CHECK(lru_count <= 64);
    drop_map(s.hash);
    drop_map(s.lru);
    drop_map(s.percpu_hash);
    drop_map(s.percpu_array);
}

/* bpf_spin_lock as programs use it: a plain (non-atomic) read-modify-write under the lock
 * of the value, from several threads. */
static void *locked_adder(void *arg)
{
    struct bpfhost_map *map = arg;
    uint32_t key = 0;
    for (int i = 0; i < 20000; i++) {
        platform_epoch_enter();
        uint64_t *value = map_lookup_elem(map, &key);
        map_spin_lock(&value[1]);
        value[0]++;
        map_spin_unlock(&value[1]);
        platform_epoch_exit();
    }
    return NULL;
}

TEST(spin_lock_in_a_value_serializes_programs)
{
    struct map_create_attr attr = {.map_type = MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16,
                                   .max_entries = 1, .has_spin_lock = true,
                                   .spin_lock_offset = 8};
    struct bpfhost_map *map = NULL;
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ(pthread_create(&threads[i], NULL, locked_adder, map), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    uint32_t key = 0;
    uint64_t value[2];
    CHECK_EQ(map_sys_lookup_elem(map, &key, value, MAP_F_LOCK), 0);
    CHECK_EQ(value[0], THREADS * 20000);
    drop_map(map);
}

TEST_MAIN
