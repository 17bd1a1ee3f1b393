/* RINGBUF: Linux's BPF ring buffer, multi-producer, single consumer, with the same memory
 * layout (see platform/ring_memory.h) so that a libbpf-style consumer reads it as it is.
 *
 * A record is an 8-byte header (u32 len with BUSY and DISCARD bits, u32 page offset of the
 * header from the private page) followed by the sample, rounded up to 8 bytes. Producers
 * reserve under a lock by advancing producer_pos; they commit without it by clearing the
 * BUSY bit. The page offset lets submit/discard find the ring from the sample alone, as
 * Linux does, through a pointer kept in the private page. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "platform/ring_memory.h"

#define RINGBUF_MAX_RECORD_SIZE (UINT32_MAX >> 2)

struct ringbuf_map {
    struct bpfhost_map map;
    struct platform_ring_memory memory;
    pthread_mutex_t lock;
    uint64_t mask;
};

static _Atomic uint64_t *consumer_pos(struct ringbuf_map *rb)
{
    return rb->memory.consumer_page;
}

static _Atomic uint64_t *producer_pos(struct ringbuf_map *rb)
{
    return rb->memory.producer_page;
}

static struct ringbuf_map *ringbuf_of(struct bpfhost_map *map)
{
    return map->map_type == MAP_TYPE_RINGBUF ? (struct ringbuf_map *)map : NULL;
}

static uint32_t record_size(uint32_t len)
{
    len &= ~(MAP_RINGBUF_BUSY_BIT | MAP_RINGBUF_DISCARD_BIT);
    return (len + MAP_RINGBUF_HDR_SIZE + 7) & ~7u;
}

void *map_ringbuf_reserve(struct bpfhost_map *map, uint64_t size, uint64_t flags)
{
    struct ringbuf_map *rb = ringbuf_of(map);
    if (!rb || flags || size > RINGBUF_MAX_RECORD_SIZE)
        return NULL;
    uint64_t len = (size + MAP_RINGBUF_HDR_SIZE + 7) & ~7ull;
    if (len > rb->mask + 1)
        return NULL;
    uint64_t cons = atomic_load_explicit(consumer_pos(rb), memory_order_acquire);
    pthread_mutex_lock(&rb->lock);
    uint64_t prod = atomic_load_explicit(producer_pos(rb), memory_order_relaxed);
    if (prod + len - cons > rb->mask) {
        pthread_mutex_unlock(&rb->lock);
        return NULL;
    }
    unsigned char *hdr = (unsigned char *)rb->memory.data + (prod & rb->mask);
    uint32_t header[2] = {
        (uint32_t)size | MAP_RINGBUF_BUSY_BIT,
        (uint32_t)((hdr - (unsigned char *)rb->memory.private_page) / rb->memory.page_size),
    };
    memcpy(hdr, header, sizeof header);
    atomic_store_explicit(producer_pos(rb), prod + len, memory_order_release);
    pthread_mutex_unlock(&rb->lock);
    return hdr + MAP_RINGBUF_HDR_SIZE;
}

static void commit(void *sample, uint64_t flags, bool discard)
{
    unsigned char *hdr = (unsigned char *)sample - MAP_RINGBUF_HDR_SIZE;
    uint32_t pg_off;
    memcpy(&pg_off, hdr + 4, sizeof pg_off);
    struct ringbuf_map *rb;
    /* The private page sits pg_off pages before the header and points back at the ring. */
    size_t page = platform_page_size();
    uintptr_t hdr_page = (uintptr_t)hdr & ~(uintptr_t)(page - 1);
    memcpy(&rb, (void *)(hdr_page - (uintptr_t)pg_off * page), sizeof rb);
    _Atomic uint32_t *len = (_Atomic uint32_t *)hdr;
    uint32_t new_len = atomic_load_explicit(len, memory_order_relaxed) ^ MAP_RINGBUF_BUSY_BIT;
    if (discard)
        new_len |= MAP_RINGBUF_DISCARD_BIT;
    atomic_exchange(len, new_len);
    uint64_t record_pos = (uint64_t)(hdr - (unsigned char *)rb->memory.data);
    uint64_t cons = atomic_load_explicit(consumer_pos(rb), memory_order_acquire) & rb->mask;
    /* Linux wakes the consumer only when it has caught up to this record. */
    if ((flags & MAP_RB_FORCE_WAKEUP) || (cons == record_pos && !(flags & MAP_RB_NO_WAKEUP)))
        platform_ring_memory_notify(&rb->memory);
}

void map_ringbuf_submit(void *sample, uint64_t flags)
{
    commit(sample, flags, false);
}

void map_ringbuf_discard(void *sample, uint64_t flags)
{
    commit(sample, flags, true);
}

long map_ringbuf_output(struct bpfhost_map *map, const void *data, uint64_t size,
                        uint64_t flags)
{
    if (flags & ~(uint64_t)(MAP_RB_NO_WAKEUP | MAP_RB_FORCE_WAKEUP))
        return -EINVAL;
    void *sample = map_ringbuf_reserve(map, size, 0);
    if (!sample)
        return ringbuf_of(map) ? -EAGAIN : -EINVAL;
    memcpy(sample, data, size);
    commit(sample, flags, false);
    return 0;
}

uint64_t map_ringbuf_query(struct bpfhost_map *map, uint64_t flags)
{
    struct ringbuf_map *rb = ringbuf_of(map);
    if (!rb)
        return 0;
    uint64_t cons = atomic_load_explicit(consumer_pos(rb), memory_order_acquire);
    uint64_t prod = atomic_load_explicit(producer_pos(rb), memory_order_acquire);
    switch (flags) {
    case MAP_RB_AVAIL_DATA:
        return prod - cons;
    case MAP_RB_RING_SIZE:
        return rb->mask + 1;
    case MAP_RB_CONS_POS:
        return cons;
    case MAP_RB_PROD_POS:
        return prod;
    default:
        return 0;
    }
}

int map_ringbuf_view(struct bpfhost_map *map, struct map_ringbuf_view *view)
{
    struct ringbuf_map *rb = ringbuf_of(map);
    if (!rb)
        return -EINVAL;
    *view = (struct map_ringbuf_view){
        .consumer_page = rb->memory.consumer_page,
        .producer_page = rb->memory.producer_page,
        .data = rb->memory.data,
        .data_size = rb->memory.data_size,
        .page_size = rb->memory.page_size,
        .memfd = rb->memory.memfd,
        .notify_fd = rb->memory.notify_fd,
    };
    return 0;
}

long map_ringbuf_consume(struct bpfhost_map *map,
                         int (*sample)(void *ctx, void *data, size_t size), void *ctx)
{
    struct ringbuf_map *rb = ringbuf_of(map);
    if (!rb)
        return -EINVAL;
    long count = 0;
    uint64_t cons = atomic_load_explicit(consumer_pos(rb), memory_order_acquire);
    for (;;) {
        uint64_t prod = atomic_load_explicit(producer_pos(rb), memory_order_acquire);
        if (cons >= prod)
            return count;
        _Atomic uint32_t *len_ptr =
            (_Atomic uint32_t *)((unsigned char *)rb->memory.data + (cons & rb->mask));
        uint32_t len = atomic_load_explicit(len_ptr, memory_order_acquire);
        if (len & MAP_RINGBUF_BUSY_BIT)
            return count;
        cons += record_size(len);
        if (!(len & MAP_RINGBUF_DISCARD_BIT)) {
            int stop = sample(ctx, (unsigned char *)len_ptr + MAP_RINGBUF_HDR_SIZE,
                              len & ~MAP_RINGBUF_DISCARD_BIT);
            if (stop) {
                atomic_store_explicit(consumer_pos(rb), cons, memory_order_release);
                return stop;
            }
            count++;
        }
        atomic_store_explicit(consumer_pos(rb), cons, memory_order_release);
    }
}

static void ringbuf_destroy(struct bpfhost_map *map)
{
    struct ringbuf_map *rb = (struct ringbuf_map *)map;
    platform_ring_memory_destroy(&rb->memory);
    pthread_mutex_destroy(&rb->lock);
    free(rb);
}

static const struct map_ops ringbuf_ops = {.destroy = ringbuf_destroy};

static int ringbuf_check(const struct map_create_attr *attr, char *msg, size_t msg_size)
{
    uint32_t n = attr->max_entries;
    if (attr->map_flags & ~MAP_F_NUMA_NODE)
        return msg_error(-EINVAL, msg, msg_size, "ringbuf: unsupported map flags 0x%x",
                         attr->map_flags & ~MAP_F_NUMA_NODE);
    if (attr->key_size || attr->value_size)
        return msg_error(-EINVAL, msg, msg_size,
                         "ringbuf: key_size %u and value_size %u, both must be 0",
                         attr->key_size, attr->value_size);
    if (n == 0 || (n & (n - 1)) || n % platform_page_size())
        return msg_error(-EINVAL, msg, msg_size,
                         "ringbuf: max_entries %u is not a power of two multiple of the page "
                         "size (%zu)",
                         n, platform_page_size());
    return 0;
}

static int ringbuf_create(const struct map_create_attr *attr, struct bpfhost_map **out,
                          char *msg, size_t msg_size)
{
    struct ringbuf_map *rb = calloc(1, sizeof *rb);
    if (!rb)
        return msg_error(-ENOMEM, msg, msg_size, "ringbuf: out of memory");
    int err = platform_ring_memory_create(attr->max_entries, &rb->memory, msg, msg_size);
    if (err) {
        free(rb);
        return err;
    }
    memcpy(rb->memory.private_page, &rb, sizeof rb);
    rb->mask = attr->max_entries - 1;
    pthread_mutex_init(&rb->lock, NULL);
    map_init_common(&rb->map, &ringbuf_ops, attr);
    *out = &rb->map;
    return 0;
}

const struct map_type_impl map_ringbuf_impl = {.check = ringbuf_check, .create = ringbuf_create};
