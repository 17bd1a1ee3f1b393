/* Copies between map values and callers' buffers (map_value.c): every size, alignment of
 * either side and spin lock position copies exactly the bytes it should, and the locked
 * copies really wait for the value's lock. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "test_map_support.h"

enum { MAX_SIZE = 80, GUARD = 16 };

static unsigned char pattern(size_t i, unsigned seed)
{
    return (unsigned char)(i * 31u + seed * 7u + 1u);
}

TEST(load_and_store_copy_exactly_at_any_size_and_alignment)
{
    _Alignas(8) unsigned char map_side[MAX_SIZE + 2 * GUARD];
    unsigned char caller[MAX_SIZE + 2 * GUARD];
    int bad = 0;
    for (size_t size = 0; size <= MAX_SIZE; size++)
        for (size_t map_off = 0; map_off < 8; map_off++)
            for (size_t caller_off = 0; caller_off < 8; caller_off++) {
                /* load: map -> caller; bytes around the destination stay as they were */
                for (size_t i = 0; i < sizeof map_side; i++)
                    map_side[i] = pattern(i, 1);
                memset(caller, 0xee, sizeof caller);
                map_value_load(caller + GUARD + caller_off, map_side + GUARD + map_off, size);
                for (size_t i = 0; i < sizeof caller; i++) {
                    size_t at = GUARD + caller_off;
                    unsigned char want = i >= at && i < at + size
                                             ? pattern(i - at + GUARD + map_off, 1)
                                             : 0xee;
                    bad += caller[i] != want;
                }
                /* store: caller -> map */
                for (size_t i = 0; i < sizeof caller; i++)
                    caller[i] = pattern(i, 2);
                memset(map_side, 0xee, sizeof map_side);
                map_value_store(map_side + GUARD + map_off, caller + GUARD + caller_off, size);
                for (size_t i = 0; i < sizeof map_side; i++) {
                    size_t at = GUARD + map_off;
                    unsigned char want = i >= at && i < at + size
                                             ? pattern(i - at + GUARD + caller_off, 2)
                                             : 0xee;
                    bad += map_side[i] != want;
                }
            }
    CHECK_EQ(bad, 0);
}

/* Only the fields the value copies read. */
static struct bpfhost_map locked_map(uint32_t value_size, uint32_t lock_offset)
{
    struct bpfhost_map map = {.value_size = value_size, .has_spin_lock = true,
                              .spin_lock_offset = lock_offset};
    return map;
}

TEST(whole_value_copies_leave_the_spin_lock_out)
{
    int bad = 0;
    for (uint32_t size = 4; size <= 40; size += 4)
        for (uint32_t lock = 0; lock + 4 <= size; lock += 4) {
            struct bpfhost_map map = locked_map(size, lock);
            _Alignas(8) unsigned char value[40], buffer[41];
            for (uint32_t i = 0; i < size; i++)
                value[i] = pattern(i, 3);
            memset(buffer, 0xee, sizeof buffer);
            /* out: an odd caller address; zero where the lock is, as Linux returns it */
            map_copy_value_out(&map, buffer + 1, value);
            for (uint32_t i = 0; i < size; i++) {
                bool in_lock = i >= lock && i < lock + 4;
                bad += buffer[1 + i] != (in_lock ? 0 : pattern(i, 3));
            }
            bad += buffer[0] != 0xee || (size + 1 < sizeof buffer && buffer[size + 1] != 0xee);
            /* in: the map's lock word is never written */
            for (uint32_t i = 0; i < size; i++)
                buffer[1 + i] = pattern(i, 4);
            map_copy_value_in(&map, value, buffer + 1);
            for (uint32_t i = 0; i < size; i++) {
                bool in_lock = i >= lock && i < lock + 4;
                bad += value[i] != (in_lock ? pattern(i, 3) : pattern(i, 4));
            }
        }
    CHECK_EQ(bad, 0);
    /* Without a lock, the whole value goes both ways. */
    struct bpfhost_map plain = {.value_size = 12};
    _Alignas(8) uint32_t value[3] = {1, 2, 3};
    uint32_t out[3];
    map_copy_value_out(&plain, out, value);
    CHECK(out[0] == 1 && out[1] == 2 && out[2] == 3);
    uint32_t in[3] = {7, 8, 9};
    map_copy_value_in(&plain, value, in);
    CHECK(value[0] == 7 && value[1] == 8 && value[2] == 9);
}

struct locked_copy {
    struct bpfhost_map *map;
    uint64_t *value;
    atomic_bool done;
};

static void *copy_in_locked(void *arg)
{
    struct locked_copy *c = arg;
    uint64_t src[2] = {0, 42};
    map_copy_value_in_locked(c->map, c->value, src);
    c->done = true;
    return NULL;
}

TEST(locked_copies_wait_for_the_values_lock)
{
    struct bpfhost_map map = locked_map(16, 0);
    _Alignas(8) uint64_t value[2] = {0, 7};
    struct locked_copy c = {&map, value, false};
    map_spin_lock(&value[0]);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, copy_in_locked, &c), 0);
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    CHECK(!c.done); /* held here: the copy waits */
    uint64_t seen[2];
    map_copy_value_out(&map, seen, value);
    CHECK_EQ(seen[1], 7);
    map_spin_unlock(&value[0]);
    pthread_join(thread, NULL);
    CHECK(c.done);
    map_copy_value_out_locked(&map, seen, value);
    CHECK_EQ(seen[1], 42);
    CHECK_EQ(seen[0], 0);
    uint32_t lock_word;
    memcpy(&lock_word, value, 4);
    CHECK_EQ(lock_word, 0); /* released after each copy */
}

TEST_MAIN
