/* Shared by the map unit tests: a reproducible random generator and map set-up/tear-down
 * that waits for deferred frees, so that ASan's leak check sees everything released. */
#ifndef BPFHOST_TEST_MAP_SUPPORT_H
#define BPFHOST_TEST_MAP_SUPPORT_H

#include <errno.h>
#include <stdint.h>

#include "maps/map.h"
#include "platform/epoch.h"
#include "test.h"

static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static inline uint32_t rng_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(rng_next(state) % n);
}

static inline struct bpfhost_map *make_map(uint32_t type, uint32_t key_size, uint32_t value_size,
                                           uint32_t max_entries, uint32_t flags)
{
    struct map_create_attr attr = {.map_type = type,
                                   .key_size = key_size,
                                   .value_size = value_size,
                                   .max_entries = max_entries,
                                   .map_flags = flags};
    struct bpfhost_map *map = NULL;
    char msg[256];
    int err = map_create(&attr, &map, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  map_create(%s): %d %s\n", map_type_name(type), err, msg);
    CHECK_EQ(err, 0);
    return map;
}

/* Creation that must fail: returns the error, the message lands in msg. */
static inline int create_error(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    struct bpfhost_map *map = NULL;
    int err = map_create(attr, &map, msg, msg_size);
    CHECK(map == NULL);
    if (map)
        map_put(map);
    return err;
}

/* Drops the map and waits until it and everything it deferred are freed. */
static inline void drop_map(struct bpfhost_map *map)
{
    map_put(map);
    /* A reclaim may defer another one (a map-in-map releasing its template). */
    platform_epoch_barrier();
    platform_epoch_barrier();
}

#endif
