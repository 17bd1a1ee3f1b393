/* Copying map values to and from the memory programs share: relaxed atomic words, and
 * Linux's rules for the spin lock a value may hold (copy_map_value, copy_map_value_locked). */
#include <string.h>

#include "maps/map.h"

/* The widest naturally aligned access at p that fits in size (> 0) bytes, at most 4: the
 * callers move whole aligned words themselves. */
static size_t part_width(const unsigned char *p, size_t size)
{
    if (size >= 4 && (uintptr_t)p % 4 == 0)
        return 4;
    if (size >= 2 && (uintptr_t)p % 2 == 0)
        return 2;
    return 1;
}

static size_t load_part(unsigned char *out, const unsigned char *in, size_t size)
{
    size_t n = part_width(in, size);
    if (n == 4) {
        uint32_t w = __atomic_load_n((const uint32_t *)(const void *)in, __ATOMIC_RELAXED);
        memcpy(out, &w, 4);
    } else if (n == 2) {
        uint16_t w = __atomic_load_n((const uint16_t *)(const void *)in, __ATOMIC_RELAXED);
        memcpy(out, &w, 2);
    } else {
        *out = __atomic_load_n(in, __ATOMIC_RELAXED);
    }
    return n;
}

static size_t store_part(unsigned char *out, const unsigned char *in, size_t size)
{
    size_t n = part_width(out, size);
    if (n == 4) {
        uint32_t w;
        memcpy(&w, in, 4);
        __atomic_store_n((uint32_t *)(void *)out, w, __ATOMIC_RELAXED);
    } else if (n == 2) {
        uint16_t w;
        memcpy(&w, in, 2);
        __atomic_store_n((uint16_t *)(void *)out, w, __ATOMIC_RELAXED);
    } else {
        __atomic_store_n(out, *in, __ATOMIC_RELAXED);
    }
    return n;
}

void map_value_load(void *dst, const void *value, size_t size)
{
    unsigned char *out = dst;
    const unsigned char *in = value;
    size_t n = 0;
    for (; size && (uintptr_t)in % 8; in += n, out += n, size -= n)
        n = load_part(out, in, size);
    /* Four words per round: the compiler never merges atomics into wider moves, so a long
     * copy pays the loop's own overhead (200 bytes: 7.3 ns one word at a time, 4.8 ns four,
     * memcpy 2.5 ns; up to 24 bytes all three are within half a nanosecond). */
    for (; size >= 32; in += 32, out += 32, size -= 32) {
        const uint64_t *words = (const uint64_t *)(const void *)in;
        uint64_t w0 = __atomic_load_n(&words[0], __ATOMIC_RELAXED);
        uint64_t w1 = __atomic_load_n(&words[1], __ATOMIC_RELAXED);
        uint64_t w2 = __atomic_load_n(&words[2], __ATOMIC_RELAXED);
        uint64_t w3 = __atomic_load_n(&words[3], __ATOMIC_RELAXED);
        memcpy(out, &w0, 8);
        memcpy(out + 8, &w1, 8);
        memcpy(out + 16, &w2, 8);
        memcpy(out + 24, &w3, 8);
    }
    for (; size >= 8; in += 8, out += 8, size -= 8) {
        uint64_t w = __atomic_load_n((const uint64_t *)(const void *)in, __ATOMIC_RELAXED);
        memcpy(out, &w, 8);
    }
    for (; size; in += n, out += n, size -= n)
        n = load_part(out, in, size);
}

void map_value_store(void *value, const void *src, size_t size)
{
    unsigned char *out = value;
    const unsigned char *in = src;
    size_t n = 0;
    for (; size && (uintptr_t)out % 8; in += n, out += n, size -= n)
        n = store_part(out, in, size);
    for (; size >= 32; in += 32, out += 32, size -= 32) {
        uint64_t *words = (uint64_t *)(void *)out, w0, w1, w2, w3;
        memcpy(&w0, in, 8);
        memcpy(&w1, in + 8, 8);
        memcpy(&w2, in + 16, 8);
        memcpy(&w3, in + 24, 8);
        __atomic_store_n(&words[0], w0, __ATOMIC_RELAXED);
        __atomic_store_n(&words[1], w1, __ATOMIC_RELAXED);
        __atomic_store_n(&words[2], w2, __ATOMIC_RELAXED);
        __atomic_store_n(&words[3], w3, __ATOMIC_RELAXED);
    }
    for (; size >= 8; in += 8, out += 8, size -= 8) {
        uint64_t w;
        memcpy(&w, in, 8);
        __atomic_store_n((uint64_t *)(void *)out, w, __ATOMIC_RELAXED);
    }
    for (; size; in += n, out += n, size -= n)
        n = store_part(out, in, size);
}

void map_copy_value_out(const struct bpfhost_map *map, void *dst, const void *value)
{
    if (!map->has_spin_lock) {
        map_value_load(dst, value, map->value_size);
        return;
    }
    uint32_t off = map->spin_lock_offset, after = off + 4;
    map_value_load(dst, value, off);
    memset((unsigned char *)dst + off, 0, 4);
    map_value_load((unsigned char *)dst + after, (const unsigned char *)value + after,
                   map->value_size - after);
}

void map_copy_value_in(const struct bpfhost_map *map, void *value, const void *src)
{
    if (!map->has_spin_lock) {
        map_value_store(value, src, map->value_size);
        return;
    }
    uint32_t off = map->spin_lock_offset, after = off + 4;
    map_value_store(value, src, off);
    map_value_store((unsigned char *)value + after, (const unsigned char *)src + after,
                    map->value_size - after);
}

void map_copy_value_out_locked(const struct bpfhost_map *map, void *dst, const void *value)
{
    void *lock = (unsigned char *)(uintptr_t)value + map->spin_lock_offset;
    map_spin_lock(lock);
    map_copy_value_out(map, dst, value);
    map_spin_unlock(lock);
}

void map_copy_value_in_locked(const struct bpfhost_map *map, void *value, const void *src)
{
    void *lock = (unsigned char *)value + map->spin_lock_offset;
    map_spin_lock(lock);
    map_copy_value_in(map, value, src);
    map_spin_unlock(lock);
}
