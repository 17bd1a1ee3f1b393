/* BLOOM_FILTER: push adds a value, peek answers "maybe present" (0) or "certainly absent"
 * (-ENOENT). Sized as Linux sizes it: max_entries * hash functions / ln 2 bits, rounded up
 * to a power of two. Bits are set with atomic OR, so no lock is needed. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "platform/random.h"

struct bloom_filter {
    struct bpfhost_map map;
    uint32_t hash_count;
    uint64_t bit_mask;
    uint64_t seed;
    _Atomic uint64_t *words;
};

static struct bloom_filter *bloom_of(struct bpfhost_map *map)
{
    return (struct bloom_filter *)map;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    x ^= x >> 33;
    return x;
}

static uint64_t bit_for(const struct bloom_filter *bloom, const void *value, uint32_t index)
{
    const unsigned char *p = value;
    uint64_t acc = mix(bloom->seed + index);
    size_t n = bloom->map.value_size;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        acc = mix(acc ^ w);
    }
    uint64_t tail = 0;
    memcpy(&tail, p, n);
    return mix(acc ^ tail ^ ((uint64_t)n << 59)) & bloom->bit_mask;
}

static long bloom_push(struct bpfhost_map *map, const void *value, uint64_t flags)
{
    if (flags != MAP_ANY)
        return -EINVAL;
    struct bloom_filter *bloom = bloom_of(map);
    for (uint32_t i = 0; i < bloom->hash_count; i++) {
        uint64_t bit = bit_for(bloom, value, i);
        atomic_fetch_or_explicit(&bloom->words[bit / 64], 1ull << (bit % 64),
                                 memory_order_relaxed);
    }
    return 0;
}

static long bloom_peek(struct bpfhost_map *map, void *value)
{
    struct bloom_filter *bloom = bloom_of(map);
    for (uint32_t i = 0; i < bloom->hash_count; i++) {
        uint64_t bit = bit_for(bloom, value, i);
        if (!(atomic_load_explicit(&bloom->words[bit / 64], memory_order_relaxed) &
              (1ull << (bit % 64))))
            return -ENOENT;
    }
    return 0;
}

static void bloom_destroy(struct bpfhost_map *map)
{
    struct bloom_filter *bloom = bloom_of(map);
    free(bloom->words);
    free(bloom);
}

static const struct map_ops bloom_ops = {
    .push = bloom_push,
    .peek = bloom_peek,
    .destroy = bloom_destroy,
};

static int bloom_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    uint32_t allowed = MAP_F_NUMA_NODE | MAP_F_ZERO_SEED | MAP_F_RDONLY | MAP_F_WRONLY |
                       MAP_F_RDONLY_PROG | MAP_F_WRONLY_PROG;
    if (attr->key_size != 0)
        return msg_error(-EINVAL, msg, msg_size, "bloom_filter: key_size %u, must be 0",
                         attr->key_size);
    if (attr->value_size == 0 || attr->value_size > MAP_VALUE_SIZE_MAX)
        return msg_error(-EINVAL, msg, msg_size, "bloom_filter: value_size %u, must be 1..%u",
                         attr->value_size, MAP_VALUE_SIZE_MAX);
    if (attr->max_entries == 0)
        return msg_error(-EINVAL, msg, msg_size, "bloom_filter: max_entries 0");
    if (attr->map_flags & ~allowed)
        return msg_error(-EINVAL, msg, msg_size, "bloom_filter: unsupported map flags 0x%x",
                         attr->map_flags & ~allowed);
    if (attr->map_extra & ~0xfull)
        return msg_error(-EINVAL, msg, msg_size,
                         "bloom_filter: map_extra 0x%llx, only bits 0-3 (hash functions) allowed",
                         (unsigned long long)attr->map_extra);
    return 0;
}

static int bloom_create(const struct map_create_attr *attr, struct bpfhost_map **out,
                        char *msg, size_t msg_size)
{
    uint32_t hash_count = attr->map_extra ? (uint32_t)attr->map_extra : 5;
    /* 1/ln 2 ~ 1.4427: the bit count that makes each bit half likely to be set when full. */
    uint64_t wanted = (uint64_t)attr->max_entries * hash_count * 14427 / 10000 + 1;
    uint64_t bits = 64;
    while (bits < wanted && bits < (1ull << 32))
        bits <<= 1;
    struct bloom_filter *bloom = calloc(1, sizeof *bloom);
    _Atomic uint64_t *words = bloom ? calloc(bits / 64, sizeof *words) : NULL;
    if (!words) {
        free(bloom);
        return msg_error(-ENOMEM, msg, msg_size, "bloom_filter: cannot allocate %llu bits",
                         (unsigned long long)bits);
    }
    bloom->seed = 0;
    if (!(attr->map_flags & MAP_F_ZERO_SEED) &&
        platform_random_bytes(&bloom->seed, sizeof bloom->seed))
        bloom->seed = mix((uintptr_t)bloom); /* no entropy source: still a working filter */
    bloom->hash_count = hash_count;
    bloom->bit_mask = bits - 1;
    bloom->words = words;
    map_init_common(&bloom->map, &bloom_ops, attr);
    *out = &bloom->map;
    return 0;
}

const struct map_type_impl map_bloom_filter_impl = {.check = bloom_check, .create = bloom_create};
