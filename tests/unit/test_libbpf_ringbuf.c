/* ring_buffer__* on the ring buffer map of a loaded object: records in order, discarded ones
 * skipped, callback return values as libbpf treats them, poll that sleeps until a producer
 * submits (from another thread), several rings, and the error paths. */
#include <bpf/libbpf.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "maps/map.h"
#include "runtime/handles.h"
#include "test.h"

#define OBJECT "build/bpf/libbpf_api.bpf.o"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return 0;
}

struct loaded {
    struct bpf_object *obj;
    int events_fd;
    struct bpfhost_map *events; /* a reference, for producing as a program would */
};

static bool load(struct loaded *l)
{
    libbpf_set_print(quiet);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = "/sys/fs/bpf/ringbuf_test");
    l->obj = bpf_object__open_file(OBJECT, &opts);
    CHECK(l->obj != NULL);
    if (!l->obj)
        return false;
    bpf_program__set_autoload(bpf_object__find_program_by_name(l->obj, "untyped"), false);
    CHECK_EQ(bpf_object__load(l->obj), 0);
    l->events_fd = bpf_object__find_map_fd_by_name(l->obj, "events");
    l->events = NULL;
    CHECK_EQ(handles_map_from_fd(l->events_fd, &l->events), 0);
    if (!l->events) {
        bpf_object__close(l->obj);
        return false;
    }
    return true;
}

static void unload(struct loaded *l)
{
    bpf_map__unpin(bpf_object__find_map_by_name(l->obj, "shared_config"), NULL);
    map_put(l->events);
    bpf_object__close(l->obj);
}

static int produce(struct bpfhost_map *map, uint32_t value)
{
    platform_epoch_enter();
    int err = (int)map_ringbuf_output(map, &value, sizeof value, 0);
    platform_epoch_exit();
    return err;
}

struct seen {
    uint32_t values[64];
    int count;
    int stop_at;   /* return -1 when the value is this one */
    int tag;       /* added to values, to tell rings apart */
};

static int collect(void *ctx, void *data, size_t size)
{
    struct seen *seen = ctx;
    uint32_t value;
    if (size != sizeof value)
        return -EPROTO;
    memcpy(&value, data, sizeof value);
    if (seen->count < 64)
        seen->values[seen->count++] = value + (uint32_t)seen->tag;
    if ((int)value == seen->stop_at)
        return -1;
    return 1; /* positive: libbpf goes on */
}

TEST(consume_delivers_records_in_order_and_skips_discarded_ones)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {.stop_at = -100};
    struct ring_buffer *rb = ring_buffer__new(l.events_fd, collect, &seen, NULL);
    CHECK(rb != NULL);
    CHECK_EQ(ring_buffer__consume(rb), 0);
    for (uint32_t v = 1; v <= 3; v++)
        CHECK_EQ(produce(l.events, v), 0);
    platform_epoch_enter();
    void *dropped = map_ringbuf_reserve(l.events, 4, 0);
    CHECK(dropped != NULL);
    if (dropped)
        map_ringbuf_discard(dropped, 0);
    platform_epoch_exit();
    CHECK_EQ(produce(l.events, 4), 0);
    CHECK_EQ(ring_buffer__consume(rb), 4);
    CHECK_EQ(seen.count, 4);
    for (int i = 0; i < 4 && i < seen.count; i++)
        CHECK_EQ(seen.values[i], (uint32_t)i + 1);
    CHECK_EQ(ring_buffer__consume(rb), 0);
    ring_buffer__free(rb);
    unload(&l);
}

TEST(a_negative_callback_return_stops_and_is_returned)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {.stop_at = 2};
    struct ring_buffer *rb = ring_buffer__new(l.events_fd, collect, &seen, NULL);
    for (uint32_t v = 1; v <= 3; v++)
        produce(l.events, v);
    CHECK_EQ(ring_buffer__consume(rb), -1);
    CHECK_EQ(seen.count, 2);
    /* The stopping record was consumed; the next call goes on after it. */
    CHECK_EQ(ring_buffer__consume(rb), 1);
    CHECK_EQ(seen.values[2], 3);
    ring_buffer__free(rb);
    unload(&l);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct producer {
    struct bpfhost_map *map;
    int delay_ms;
};

static void *produce_later(void *arg)
{
    struct producer *p = arg;
    usleep((useconds_t)p->delay_ms * 1000);
    produce(p->map, 77);
    return NULL;
}

TEST(poll_sleeps_until_a_record_is_submitted_or_the_timeout)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {.stop_at = -100};
    struct ring_buffer *rb = ring_buffer__new(l.events_fd, collect, &seen, NULL);
    double start = now_ms();
    CHECK_EQ(ring_buffer__poll(rb, 50), 0);
    CHECK(now_ms() - start >= 45);

    struct producer p = {l.events, 30};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, produce_later, &p), 0);
    start = now_ms();
    int got = ring_buffer__poll(rb, 5000);
    double waited = now_ms() - start;
    pthread_join(thread, NULL);
    CHECK_EQ(got, 1);
    CHECK(waited >= 20 && waited < 4000);
    CHECK_EQ(seen.count, 1);
    CHECK_EQ(seen.values[0], 77);
    /* Woken once per submission: nothing left, so the next poll times out again. */
    CHECK_EQ(ring_buffer__poll(rb, 0), 0);
    /* The epoll fd works in the caller's own loop too. */
    produce(l.events, 78);
    struct epoll_event event;
    CHECK_EQ(epoll_wait(ring_buffer__epoll_fd(rb), &event, 1, 1000), 1);
    CHECK_EQ(ring_buffer__poll(rb, 0), 1);
    ring_buffer__free(rb);
    unload(&l);
}

TEST(several_rings_in_one_ring_buffer)
{
    struct loaded a, b;
    if (!load(&a))
        return;
    if (!load(&b)) {
        unload(&a);
        return;
    }
    struct seen seen_a = {.stop_at = -100, .tag = 1000}, seen_b = {.stop_at = -100, .tag = 2000};
    struct ring_buffer *rb = ring_buffer__new(a.events_fd, collect, &seen_a, NULL);
    CHECK_EQ(ring_buffer__add(rb, b.events_fd, collect, &seen_b), 0);
    produce(a.events, 1);
    produce(b.events, 2);
    produce(b.events, 3);
    int total = 0;
    for (int i = 0; i < 10 && total < 3; i++) {
        int got = ring_buffer__poll(rb, 1000);
        CHECK(got >= 0);
        total += got > 0 ? got : 0;
    }
    CHECK_EQ(total, 3);
    CHECK_EQ(seen_a.count, 1);
    CHECK_EQ(seen_a.values[0], 1001);
    CHECK_EQ(seen_b.count, 2);
    CHECK_EQ(seen_b.values[1], 2003);
    ring_buffer__free(rb);
    unload(&b);
    unload(&a);
}

TEST(ring_buffer_error_paths)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {0};
    errno = 0;
    CHECK(ring_buffer__new(bpf_object__find_map_fd_by_name(l.obj, "counters"), collect, &seen,
                           NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(ring_buffer__new(-1, collect, &seen, NULL) == NULL);
    CHECK_EQ(errno, EBADF);
    CHECK(ring_buffer__new(0, collect, &seen, NULL) == NULL); /* stdin: not a map */
    CHECK(ring_buffer__new(l.events_fd, NULL, &seen, NULL) == NULL);
    struct ring_buffer_opts bad = {.sz = 2};
    errno = 0;
    CHECK(ring_buffer__new(l.events_fd, collect, &seen, &bad) == NULL);
    CHECK_EQ(errno, EINVAL);
    LIBBPF_OPTS(ring_buffer_opts, good);
    struct ring_buffer *rb = ring_buffer__new(l.events_fd, collect, &seen, &good);
    CHECK(rb != NULL);
    CHECK_EQ(ring_buffer__add(rb, bpf_object__find_map_fd_by_name(l.obj, "counters"), collect,
                              &seen), -EINVAL);
    CHECK_EQ(ring_buffer__add(rb, -1, collect, &seen), -EBADF);
    CHECK_EQ(ring_buffer__add(NULL, l.events_fd, collect, &seen), -EINVAL);
    CHECK_EQ(ring_buffer__poll(NULL, 0), -EINVAL);
    CHECK_EQ(ring_buffer__consume(NULL), -EINVAL);
    CHECK_EQ(ring_buffer__epoll_fd(NULL), -EINVAL);
    ring_buffer__free(NULL);
    /* The ring buffer keeps its map alive after the object is gone. */
    produce(l.events, 5);
    unload(&l);
    CHECK_EQ(ring_buffer__consume(rb), 1);
    ring_buffer__free(rb);
}

TEST_MAIN
