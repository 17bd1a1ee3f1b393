/* perf_buffer__*: libbpf's consumer of BPF_MAP_TYPE_PERF_EVENT_ARRAY maps. Where libbpf
 * opens a perf event per CPU, maps its ring and stores the event's fd in the map slot of
 * that CPU, bpfhost creates an event output per CPU slot (runtime/perf_output.h) and stores
 * it in the slot: bpf_perf_event_output(ctx, &map, BPF_F_CURRENT_CPU, ...) then reaches the
 * output of the thread's slot, the number bpf_get_smp_processor_id returns. Waiting is an
 * epoll set over the outputs' notification eventfds. */
#include "libbpf/libbpf_impl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "platform/cpu_slot.h"
#include "platform/ring_memory.h"
#include "runtime/handles.h"
#include "runtime/perf_output.h"

struct perf_buffer_cpu {
    struct runtime_perf_output *output; /* also held by the map slot `cpu` */
    int notify_fd;
    int cpu;
};

struct perf_buffer {
    perf_buffer_sample_fn sample_cb;
    perf_buffer_lost_fn lost_cb;
    void *ctx;
    struct bpfhost_map *map; /* a reference */
    struct perf_buffer_cpu *cpus;
    size_t cpu_cnt;
    size_t cpus_set;         /* slots filled so far, for cleaning up */
    struct epoll_event *events;
    int epoll_fd;
};

static int check_page_cnt(size_t page_cnt, uint32_t *ring_size)
{
    if (page_cnt == 0 || (page_cnt & (page_cnt - 1))) {
        pr_warn("perf_buffer: page count should be power of two, but is %zu\n", page_cnt);
        return -EINVAL;
    }
    size_t page = platform_page_size();
    if (page_cnt > UINT32_MAX / page) {
        pr_warn("perf_buffer: page count %zu is too large\n", page_cnt);
        return -E2BIG;
    }
    *ring_size = (uint32_t)(page_cnt * page);
    return 0;
}

/* An output for one CPU slot, stored in the map at that slot and watched by epoll. */
static int add_cpu(struct perf_buffer *pb, int cpu, uint32_t ring_size)
{
    struct perf_buffer_cpu *c = &pb->cpus[cpu];
    c->cpu = cpu;
    char msg[256];
    int err = runtime_perf_output_create(ring_size, &c->output, msg, sizeof msg);
    if (err) {
        pr_warn("perf_buffer: failed to create buffer for cpu #%d: %s\n", cpu, msg);
        return err;
    }
    struct map_ringbuf_view view;
    err = map_ringbuf_view(c->output->ring, &view);
    if (err)
        return err;
    c->notify_fd = view.notify_fd;
    uint32_t key = (uint32_t)cpu;
    err = map_sys_update_object(pb->map, &key, c->output, MAP_ANY);
    if (err) {
        pr_warn("perf_buffer: failed to set cpu #%d, key %u -> event output: %s\n", cpu, key,
                strerror(-err));
        return err;
    }
    pb->cpus_set = (size_t)cpu + 1;
    struct epoll_event wanted = {.events = EPOLLIN, .data.u32 = (uint32_t)cpu};
    if (epoll_ctl(pb->epoll_fd, EPOLL_CTL_ADD, c->notify_fd, &wanted) < 0) {
        err = -errno;
        pr_warn("perf_buffer: failed to epoll_ctl cpu #%d: %s\n", cpu, strerror(-err));
        return err;
    }
    return 0;
}

static struct perf_buffer *create(int map_fd, uint32_t ring_size, int *err)
{
    struct perf_buffer *pb = calloc(1, sizeof *pb);
    if (!pb) {
        *err = -ENOMEM;
        return NULL;
    }
    pb->epoll_fd = -1;
    *err = handles_map_from_fd(map_fd, &pb->map);
    if (*err) {
        pr_warn("perf_buffer: failed to get map info for map FD %d: %s\n", map_fd, strerror(-*err));
        return pb;
    }
    if (pb->map->map_type != MAP_TYPE_PERF_EVENT_ARRAY) {
        pr_warn("map '%s' should be BPF_MAP_TYPE_PERF_EVENT_ARRAY\n", pb->map->name);
        *err = -EINVAL;
        return pb;
    }
    pb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (pb->epoll_fd < 0) {
        *err = -errno;
        pr_warn("perf_buffer: failed to create epoll instance: %s\n", strerror(-*err));
        return pb;
    }
    /* As libbpf: one buffer per possible CPU, fewer when the map has fewer slots. */
    pb->cpu_cnt = platform_cpu_slot_count();
    if (pb->map->max_entries < pb->cpu_cnt)
        pb->cpu_cnt = pb->map->max_entries;
    pb->cpus = calloc(pb->cpu_cnt, sizeof *pb->cpus);
    pb->events = calloc(pb->cpu_cnt, sizeof *pb->events);
    if (!pb->cpus || !pb->events) {
        *err = -ENOMEM;
        return pb;
    }
    for (size_t cpu = 0; cpu < pb->cpu_cnt && !*err; cpu++)
        *err = add_cpu(pb, (int)cpu, ring_size);
    return pb;
}

struct perf_buffer *perf_buffer__new(int map_fd, size_t page_cnt, perf_buffer_sample_fn sample_cb,
                                     perf_buffer_lost_fn lost_cb, void *ctx,
                                     const struct perf_buffer_opts *opts)
{
    if (!LIBBPF_OPTS_VALID(opts, perf_buffer_opts))
        return libbpf_err_ptr(-EINVAL);
    uint32_t ring_size;
    int err = check_page_cnt(page_cnt, &ring_size);
    if (err)
        return libbpf_err_ptr(err);
    struct perf_buffer *pb = create(map_fd, ring_size, &err);
    if (err) {
        perf_buffer__free(pb);
        return libbpf_err_ptr(err);
    }
    pb->sample_cb = sample_cb;
    pb->lost_cb = lost_cb;
    pb->ctx = ctx;
    return pb;
}

void perf_buffer__free(struct perf_buffer *pb)
{
    if (!pb)
        return;
    /* As libbpf: the map slots stop pointing at buffers that are going away. */
    for (size_t cpu = 0; cpu < pb->cpus_set; cpu++) {
        uint32_t key = (uint32_t)cpu;
        map_sys_delete_elem(pb->map, &key);
    }
    for (size_t cpu = 0; pb->cpus && cpu < pb->cpu_cnt; cpu++)
        runtime_perf_output_put(pb->cpus[cpu].output);
    if (pb->map)
        map_put(pb->map);
    if (pb->epoll_fd >= 0)
        close(pb->epoll_fd);
    free(pb->cpus);
    free(pb->events);
    free(pb);
}

struct sample_call {
    const struct perf_buffer *pb;
    int cpu;
};

static int call_sample(void *arg, void *data, size_t size)
{
    const struct sample_call *call = arg;
    if (call->pb->sample_cb)
        call->pb->sample_cb(call->pb->ctx, call->cpu, data, (__u32)size);
    return 0;
}

/* The records of one buffer in order, then the count of those lost since the last time
 * (Linux puts a PERF_RECORD_LOST where the loss happened; here it comes after the records
 * this call saw). */
static void process_records(const struct perf_buffer *pb, const struct perf_buffer_cpu *c)
{
    struct sample_call call = {pb, c->cpu};
    runtime_perf_output_consume(c->output, call_sample, &call);
    uint64_t lost = runtime_perf_output_take_lost(c->output);
    if (lost && pb->lost_cb)
        pb->lost_cb(pb->ctx, c->cpu, lost);
}

int perf_buffer__consume(struct perf_buffer *pb)
{
    if (!pb)
        return libbpf_err(-EINVAL);
    for (size_t cpu = 0; cpu < pb->cpu_cnt; cpu++)
        process_records(pb, &pb->cpus[cpu]);
    return 0;
}

int perf_buffer__consume_buffer(struct perf_buffer *pb, size_t buf_idx)
{
    if (!pb || buf_idx >= pb->cpu_cnt)
        return libbpf_err(-EINVAL);
    process_records(pb, &pb->cpus[buf_idx]);
    return 0;
}

int perf_buffer__poll(struct perf_buffer *pb, int timeout_ms)
{
    if (!pb)
        return libbpf_err(-EINVAL);
    int ready = epoll_wait(pb->epoll_fd, pb->events, (int)pb->cpu_cnt, timeout_ms);
    if (ready < 0)
        return libbpf_err(-errno);
    for (int i = 0; i < ready; i++) {
        const struct perf_buffer_cpu *c = &pb->cpus[pb->events[i].data.u32];
        /* Reset the eventfd before reading: a record written from now on signals again. */
        uint64_t signals;
        if (read(c->notify_fd, &signals, sizeof signals) < 0 && errno != EAGAIN)
            return libbpf_err(-errno);
        process_records(pb, c);
    }
    return ready;
}

size_t perf_buffer__buffer_cnt(const struct perf_buffer *pb)
{
    return pb ? pb->cpu_cnt : 0;
}

int perf_buffer__epoll_fd(const struct perf_buffer *pb)
{
    return pb ? pb->epoll_fd : libbpf_err(-EINVAL);
}
