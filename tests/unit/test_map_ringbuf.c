/* RINGBUF: records read back by a consumer written the way libbpf's ringbuf.c reads (raw
 * memory, positions, header bits), through wrap-around, discards and out-of-order commits. */
#include <linux/bpf.h> /* the consumer uses Linux's constants, as libbpf does */
#include <sys/mman.h>
#include <stdatomic.h>
#include <unistd.h>

#include "platform/ring_memory.h"
#include "test_map_support.h"

/* libbpf's ringbuf_process_ring, reduced: returns records seen, copies them to out. */
struct record {
    uint32_t size;
    unsigned char bytes[600];
};

static int libbpf_style_consume(const struct map_ringbuf_view *v, struct record *out, int max)
{
    _Atomic uint64_t *consumer_pos = v->consumer_page, *producer_pos = v->producer_page;
    uint64_t mask = v->data_size - 1;
    int n = 0;
    uint64_t cons = atomic_load_explicit(consumer_pos, memory_order_acquire);
    for (;;) {
        bool got_new_data = false;
        uint64_t prod = atomic_load_explicit(producer_pos, memory_order_acquire);
        while (cons < prod) {
            uint32_t *len_ptr = (uint32_t *)((char *)v->data + (cons & mask));
            uint32_t len = atomic_load_explicit((_Atomic uint32_t *)len_ptr, memory_order_acquire);
            if (len & BPF_RINGBUF_BUSY_BIT)
                return n;
            got_new_data = true;
            uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
            cons += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7u;
            if (!(len & BPF_RINGBUF_DISCARD_BIT) && n < max) {
                out[n].size = size;
                memcpy(out[n].bytes, (char *)len_ptr + 8, size); /* contiguous across the end */
                n++;
            }
            atomic_store_explicit(consumer_pos, cons, memory_order_release);
        }
        if (!got_new_data)
            return n;
    }
}


static struct bpfhost_map *make_ring(uint32_t size)
{
    struct map_create_attr attr = {.map_type = MAP_TYPE_RINGBUF, .max_entries = size};
    struct bpfhost_map *map = NULL;
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    return map;
}

static bool notified(int fd)
{
    uint64_t n;
    return read(fd, &n, sizeof n) == sizeof n;
}

struct pending {
    unsigned char *sample;
    uint32_t size;
    bool discard;
    unsigned char fill;
};

TEST(ring_buffer_matches_the_model_through_wraparound)
{
    uint32_t ring_size = (uint32_t)platform_page_size();
    struct bpfhost_map *map = make_ring(ring_size);
    struct map_ringbuf_view view;
    CHECK_EQ(map_ringbuf_view(map, &view), 0);
    CHECK_EQ(view.data_size, ring_size);
    /* Expected records in order, including those still pending (uncommitted). */
    static struct pending fifo[4096];
    int head = 0, tail = 0; /* fifo[tail..head) reserved and not yet consumed */
    uint64_t prod_model = 0, cons_model = 0;
    uint64_t rng = 5;
    int committed_upto = 0; /* fifo index below which every record is committed */
    int produced = 0, consumed = 0, wrapped = 0;
    for (int op = 0; op < 20000 && head < 4096; op++) {
        switch (rng_below(&rng, 3)) {
        case 0: { /* reserve */
            uint32_t size = rng_below(&rng, 4) == 0 ? rng_below(&rng, 600) : rng_below(&rng, 40);
            uint64_t len = (size + 8 + 7) & ~7ull;
            platform_epoch_enter();
            unsigned char *s = map_ringbuf_reserve(map, size, 0);
            platform_epoch_exit();
            bool fits = prod_model + len - cons_model <= ring_size - 1;
            CHECK_EQ(s != NULL, fits);
            if (!s)
                break;
            if ((prod_model & (ring_size - 1)) + len > ring_size)
                wrapped++;
            prod_model += len;
            unsigned char fill = (unsigned char)rng_next(&rng);
            memset(s, fill, size);
            fifo[head++] = (struct pending){s, size, rng_below(&rng, 4) == 0, fill};
            produced++;
            break;
        }
        case 1: { /* commit one pending record, not necessarily the oldest */
            int uncommitted = 0;
            for (int i = committed_upto; i < head; i++)
                uncommitted += fifo[i].sample != NULL;
            if (!uncommitted)
                break;
            int pick = (int)rng_below(&rng, (uint32_t)uncommitted);
            for (int i = committed_upto; i < head; i++) {
                if (!fifo[i].sample || pick--)
                    continue;
                platform_epoch_enter();
                if (fifo[i].discard)
                    map_ringbuf_discard(fifo[i].sample, MAP_RB_NO_WAKEUP);
                else
                    map_ringbuf_submit(fifo[i].sample, MAP_RB_NO_WAKEUP);
                platform_epoch_exit();
                fifo[i].sample = NULL;
                break;
            }
            while (committed_upto < head && !fifo[committed_upto].sample)
                committed_upto++;
            break;
        }
        default: { /* consume: exactly the committed prefix comes out */
            static struct record out[4096];
            int n = libbpf_style_consume(&view, out, 4096);
            int k = 0;
            for (; tail < committed_upto; tail++) {
                cons_model += (fifo[tail].size + 8 + 7) & ~7u;
                if (fifo[tail].discard)
                    continue;
                CHECK(k < n);
                if (k >= n)
                    break;
                CHECK_EQ(out[k].size, fifo[tail].size);
                for (uint32_t b = 0; b < out[k].size; b++)
                    if (out[k].bytes[b] != fifo[tail].fill) {
                        CHECK_EQ(out[k].bytes[b], fifo[tail].fill);
                        break;
                    }
                k++;
                consumed++;
            }
            CHECK_EQ(k, n);
            CHECK_EQ(map_ringbuf_query(map, MAP_RB_CONS_POS), cons_model);
            break;
        }
        }
        CHECK_EQ(map_ringbuf_query(map, MAP_RB_PROD_POS), prod_model);
    }
    CHECK(produced > 1000);
    CHECK(consumed > 500);
    CHECK(wrapped > 10);
    CHECK_EQ(map_ringbuf_query(map, MAP_RB_RING_SIZE), ring_size);
    CHECK_EQ(map_ringbuf_query(map, MAP_RB_AVAIL_DATA), prod_model - cons_model);
    CHECK_EQ(map_ringbuf_query(map, 99), 0);
    /* Leave nothing busy behind. */
    for (int i = committed_upto; i < head; i++)
        if (fifo[i].sample)
            map_ringbuf_discard(fifo[i].sample, 0);
    drop_map(map);
}

static int collect(void *ctx, void *data, size_t size)
{
    uint64_t *sum = ctx;
    for (size_t i = 0; i < size; i++)
        *sum += ((unsigned char *)data)[i];
    return 0;
}

static int stop_at_first(void *ctx, void *data, size_t size)
{
    return 7;
}

TEST(output_wakeups_and_the_builtin_consumer)
{
    struct bpfhost_map *map = make_ring((uint32_t)platform_page_size() * 2);
    struct map_ringbuf_view view;
    CHECK_EQ(map_ringbuf_view(map, &view), 0);
    unsigned char data[16] = {1, 2, 3};
    platform_epoch_enter();
    CHECK_EQ(map_ringbuf_output(map, data, sizeof data, 0), 0);
    platform_epoch_exit();
    CHECK(notified(view.notify_fd)); /* the consumer was caught up */
    CHECK_EQ(map_ringbuf_output(map, data, sizeof data, 0), 0);
    CHECK(!notified(view.notify_fd)); /* it was not: one wakeup is enough */
    CHECK_EQ(map_ringbuf_output(map, data, sizeof data, MAP_RB_FORCE_WAKEUP), 0);
    CHECK(notified(view.notify_fd));
    CHECK_EQ(map_ringbuf_output(map, data, sizeof data, 4), -EINVAL);
    CHECK_EQ(map_ringbuf_output(map, data, 1u << 20, 0), -EAGAIN);
    CHECK(map_ringbuf_reserve(map, 8, 1) == NULL);
    CHECK(map_ringbuf_reserve(map, 1ull << 40, 0) == NULL);
    uint64_t sum = 0;
    CHECK_EQ(map_ringbuf_consume(map, collect, &sum), 3);
    CHECK_EQ(sum, 18);
    CHECK_EQ(map_ringbuf_query(map, MAP_RB_AVAIL_DATA), 0);
    CHECK_EQ(map_ringbuf_output(map, data, 1, MAP_RB_NO_WAKEUP), 0);
    CHECK(!notified(view.notify_fd));
    CHECK_EQ(map_ringbuf_output(map, data, 1, 0), 0);
    CHECK_EQ(map_ringbuf_consume(map, stop_at_first, NULL), 7);
    CHECK_EQ(map_ringbuf_consume(map, collect, &sum), 1);

    /* The shareable part really is in the memfd: a second mapping sees the same positions. */
    void *again = mmap(NULL, view.page_size * 2, PROT_READ, MAP_SHARED, view.memfd, 0);
    CHECK(again != MAP_FAILED);
    if (again != MAP_FAILED) {
        CHECK_EQ(*(uint64_t *)again, map_ringbuf_query(map, MAP_RB_CONS_POS));
        CHECK_EQ(*(uint64_t *)((char *)again + view.page_size),
                 map_ringbuf_query(map, MAP_RB_PROD_POS));
        munmap(again, view.page_size * 2);
    }

    struct bpfhost_map *array = make_map(MAP_TYPE_ARRAY, 4, 4, 1, 0);
    CHECK(map_ringbuf_reserve(array, 8, 0) == NULL);
    CHECK_EQ(map_ringbuf_output(array, data, 1, 0), -EINVAL);
    CHECK_EQ(map_ringbuf_view(array, &view), -EINVAL);
    CHECK_EQ(map_ringbuf_query(array, MAP_RB_RING_SIZE), 0);
    CHECK_EQ(map_ringbuf_consume(array, collect, &sum), -EINVAL);
    drop_map(array);
    uint32_t key = 0;
    CHECK_EQ(map_sys_lookup_elem(map, &key, data, 0), -EOPNOTSUPP);
    CHECK_EQ(map_sys_update_elem(map, &key, data, 0), -EOPNOTSUPP);
    CHECK_EQ(map_sys_get_next_key(map, NULL, &key), -EINVAL);
    drop_map(map);
}

TEST(ring_buffer_creation_errors)
{
    char msg[256];
    struct map_create_attr attr = {.map_type = MAP_TYPE_RINGBUF, .max_entries = 3 * 4096};
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "max_entries 12288 is not a power of two");
    attr.max_entries = 1024;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.max_entries = 0;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    attr.max_entries = (uint32_t)platform_page_size();
    attr.key_size = 4;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "must be 0");
    attr.key_size = 0;
    attr.map_flags = MAP_F_MMAPABLE;
    CHECK_EQ(create_error(&attr, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unsupported map flags");
}

TEST_MAIN
