/* ring_buffer__*: libbpf's consumer of BPF ring buffer maps. Records are read in place
 * from the map's ring memory (map_ringbuf_consume); waiting is an epoll set over the maps'
 * notification eventfds, which the map signals on submit as Linux wakes a ring buffer's
 * pollers. */
#include "libbpf/libbpf_impl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "runtime/handles.h"

struct ring_buffer_ring {
    struct bpfhost_map *map; /* a reference */
    ring_buffer_sample_fn sample;
    void *ctx;
    int notify_fd;
};

struct ring_buffer {
    struct ring_buffer_ring *rings;
    size_t ring_count;
    struct epoll_event *events; /* room for one per ring */
    int epoll_fd;
};

struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
                                     const struct ring_buffer_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, ring_buffer_opts))
        return libbpf_err_ptr(-EINVAL);
    struct ring_buffer *rb = calloc(1, sizeof *rb);
    if (!rb)
        return libbpf_err_ptr(-ENOMEM);
    rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (rb->epoll_fd < 0) {
        int err = -errno;
        pr_warn("ringbuf: failed to create epoll instance: %s\n", strerror(-err));
        free(rb);
        return libbpf_err_ptr(err);
    }
    int err = ring_buffer__add(rb, map_fd, sample_cb, ctx);
    if (err) {
        ring_buffer__free(rb);
        return libbpf_err_ptr(err);
    }
    return rb;
}

int ring_buffer__add(struct ring_buffer *rb, int map_fd, ring_buffer_sample_fn sample_cb,
                     void *ctx)
{
    if (!rb || !sample_cb)
        return libbpf_err(-EINVAL);
    struct bpfhost_map *map;
    int err = handles_map_from_fd(map_fd, &map);
    if (err) {
        pr_warn("ringbuf: failed to get map info for fd=%d: %s\n", map_fd, strerror(-err));
        return libbpf_err(err);
    }
    struct map_ringbuf_view view;
    if (map->map_type != MAP_TYPE_RINGBUF || map_ringbuf_view(map, &view)) {
        pr_warn("ringbuf: map fd=%d is not BPF_MAP_TYPE_RINGBUF\n", map_fd);
        map_put(map);
        return libbpf_err(-EINVAL);
    }
    struct ring_buffer_ring *rings = realloc(rb->rings, (rb->ring_count + 1) * sizeof *rings);
    if (rings)
        rb->rings = rings;
    struct epoll_event *events =
        rings ? realloc(rb->events, (rb->ring_count + 1) * sizeof *events) : NULL;
    if (!events) {
        map_put(map);
        return libbpf_err(-ENOMEM);
    }
    rb->events = events;
    struct epoll_event wanted = {.events = EPOLLIN, .data.u32 = (uint32_t)rb->ring_count};
    if (epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, view.notify_fd, &wanted) < 0) {
        err = -errno;
        pr_warn("ringbuf: failed to epoll add map fd=%d: %s\n", map_fd, strerror(-err));
        map_put(map);
        return libbpf_err(err);
    }
    rb->rings[rb->ring_count++] = (struct ring_buffer_ring){
        .map = map, .sample = sample_cb, .ctx = ctx, .notify_fd = view.notify_fd};
    return 0;
}

void ring_buffer__free(struct ring_buffer *rb)
{
    if (!rb)
        return;
    for (size_t i = 0; i < rb->ring_count; i++)
        map_put(rb->rings[i].map);
    if (rb->epoll_fd >= 0)
        close(rb->epoll_fd);
    free(rb->rings);
    free(rb->events);
    free(rb);
}

/* libbpf goes on after a sample callback's positive return and stops at a negative one;
 * map_ringbuf_consume stops at any non-zero return. */
struct sample_call {
    const struct ring_buffer_ring *ring;
};
static int call_sample(void *arg, void *data, size_t size)
{
    const struct ring_buffer_ring *ring = ((struct sample_call *)arg)->ring;
    int ret = ring->sample(ring->ctx, data, size);
    return ret < 0 ? ret : 0;
}

static long consume_ring(const struct ring_buffer_ring *ring)
{
    struct sample_call call = {ring};
    return map_ringbuf_consume(ring->map, call_sample, &call);
}

static int add_count(int64_t *total, long count)
{
    if (count < 0)
        return (int)count;
    *total += count;
    return 0;
}

int ring_buffer__consume(struct ring_buffer *rb)
{
    if (!rb)
        return libbpf_err(-EINVAL);
    int64_t total = 0;
    for (size_t i = 0; i < rb->ring_count; i++) {
        int err = add_count(&total, consume_ring(&rb->rings[i]));
        if (err)
            return libbpf_err(err);
    }
    return total > INT_MAX ? INT_MAX : (int)total;
}

int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms)
{
    if (!rb)
        return libbpf_err(-EINVAL);
    int ready = epoll_wait(rb->epoll_fd, rb->events, (int)rb->ring_count, timeout_ms);
    if (ready < 0)
        return libbpf_err(-errno);
    int64_t total = 0;
    for (int i = 0; i < ready; i++) {
        const struct ring_buffer_ring *ring = &rb->rings[rb->events[i].data.u32];
        /* Reset the eventfd before reading the ring: a record submitted from now on
         * signals it again, so none is left waiting for the next poll. */
        uint64_t signals;
        if (read(ring->notify_fd, &signals, sizeof signals) < 0 && errno != EAGAIN)
            return libbpf_err(-errno);
        int err = add_count(&total, consume_ring(ring));
        if (err)
            return libbpf_err(err);
    }
    return total > INT_MAX ? INT_MAX : (int)total;
}

int ring_buffer__epoll_fd(const struct ring_buffer *rb)
{
    return rb ? rb->epoll_fd : libbpf_err(-EINVAL);
}
