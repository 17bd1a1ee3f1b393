/* perf_buffer__* over a clang-compiled program calling bpf_perf_event_output, run with
 * bpf_prog_test_run_opts: records reach the buffer of the writer's CPU slot with that CPU
 * number, explicit indexes reach other buffers, lost records are counted, poll wakes for a
 * writer on another thread, the slots are emptied on free, and the error paths. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "platform/cpu_slot.h"
#include "test.h"

#define OBJECT "build/bpf/libbpf_perf.bpf.o"
#define SLOTS 4

/* Four CPU slots whatever the machine has, so that there are other buffers to address. */
__attribute__((constructor)) static void fix_slot_count(void)
{
    platform_cpu_slot_set_count(SLOTS);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return 0;
}

struct request {
    uint32_t count, slot, tag;
};

struct event {
    uint32_t seq, cpu, tag, pad;
};

/* The program's .bss: its variables in declaration order, as clang lays them out. */
struct globals {
    long last_result;
    uint32_t written;
} __attribute__((packed));

struct loaded {
    struct bpf_object *obj;
    int prog_fd;
    int events_fd;
    volatile struct globals *bss;
};

static bool load(struct loaded *l)
{
    libbpf_set_print(quiet);
    l->obj = bpf_object__open_file(OBJECT, NULL);
    CHECK(l->obj != NULL);
    if (!l->obj)
        return false;
    CHECK_EQ(bpf_object__load(l->obj), 0);
    l->prog_fd = bpf_program__fd(bpf_object__find_program_by_name(l->obj, "emit"));
    l->events_fd = bpf_object__find_map_fd_by_name(l->obj, "events");
    size_t size = 0;
    l->bss = (volatile struct globals *)bpf_map__initial_value(
        bpf_object__find_map_by_name(l->obj, ".bss"), &size);
    CHECK(l->prog_fd >= 0);
    CHECK(l->events_fd >= 0);
    CHECK(l->bss != NULL && size >= sizeof(struct globals));
    if (l->prog_fd < 0 || l->events_fd < 0 || !l->bss) {
        bpf_object__close(l->obj);
        return false;
    }
    return true;
}

/* Runs emit on a packet asking for count records to slot; repeat 0 runs once. */
static int emit(const struct loaded *l, uint32_t count, uint32_t slot, uint32_t tag, int repeat)
{
    uint8_t packet[64] = {0};
    struct request req = {count, slot, tag};
    memcpy(packet, &req, sizeof req);
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof packet,
                .repeat = repeat);
    int err = bpf_prog_test_run_opts(l->prog_fd, &run);
    CHECK_EQ(err, 0);
    CHECK_EQ(run.retval, XDP_PASS);
    return err;
}

struct seen {
    struct event events[64];
    int cpus[64];
    int count;
    uint64_t lost;
    int lost_cpu;
    int lost_calls;
};

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
    struct seen *seen = ctx;
    CHECK_EQ(size, sizeof(struct event));
    if (seen->count < 64 && size == sizeof(struct event)) {
        memcpy(&seen->events[seen->count], data, sizeof(struct event));
        seen->cpus[seen->count] = cpu;
    }
    seen->count++;
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
    struct seen *seen = ctx;
    seen->lost += cnt;
    seen->lost_cpu = cpu;
    seen->lost_calls++;
}

TEST(a_buffer_per_cpu_slot_and_the_map_sized_to_them)
{
    struct loaded l;
    if (!load(&l))
        return;
    CHECK_EQ(libbpf_num_possible_cpus(), SLOTS);
    CHECK_EQ(bpf_map__max_entries(bpf_object__find_map_by_name(l.obj, "events")), SLOTS);
    struct seen seen = {0};
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 1, on_sample, on_lost, &seen, NULL);
    CHECK(pb != NULL);
    if (pb) {
        CHECK_EQ(perf_buffer__buffer_cnt(pb), SLOTS);
        CHECK(perf_buffer__epoll_fd(pb) >= 0);
        perf_buffer__free(pb);
    }
    bpf_object__close(l.obj);
}

TEST(records_of_the_current_cpu_arrive_in_order_with_its_number)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {0};
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 1, on_sample, on_lost, &seen, NULL);
    CHECK(pb != NULL);
    if (!pb) {
        bpf_object__close(l.obj);
        return;
    }
    CHECK_EQ(perf_buffer__poll(pb, 0), 0); /* nothing yet */
    emit(&l, 3, BPF_F_CURRENT_CPU, 7, 0);
    CHECK_EQ(l.bss->last_result, 0);
    CHECK_EQ(perf_buffer__poll(pb, 1000), 1); /* one buffer was ready */
    CHECK_EQ(seen.count, 3);
    int my_cpu = (int)platform_cpu_slot();
    for (int i = 0; i < 3 && i < seen.count; i++) {
        CHECK_EQ(seen.events[i].seq, i);
        CHECK_EQ(seen.events[i].tag, 7);
        CHECK_EQ(seen.events[i].cpu, my_cpu); /* what bpf_get_smp_processor_id said */
        CHECK_EQ(seen.cpus[i], my_cpu);       /* the buffer it came from */
    }
    CHECK_EQ(seen.lost_calls, 0);
    CHECK_EQ(perf_buffer__consume(pb), 0);
    CHECK_EQ(seen.count, 3);
    perf_buffer__free(pb);
    bpf_object__close(l.obj);
}

TEST(an_explicit_index_reaches_that_buffer_only)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {0};
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 2, on_sample, NULL, &seen, NULL);
    CHECK(pb != NULL);
    if (!pb) {
        bpf_object__close(l.obj);
        return;
    }
    uint32_t other = (platform_cpu_slot() + 1) % SLOTS;
    emit(&l, 2, other, 9, 0);
    CHECK_EQ(l.bss->last_result, 0);
    /* The buffer of the current CPU has nothing; the other one has both. */
    CHECK_EQ(perf_buffer__consume_buffer(pb, platform_cpu_slot()), 0);
    CHECK_EQ(seen.count, 0);
    CHECK_EQ(perf_buffer__consume_buffer(pb, other), 0);
    CHECK_EQ(seen.count, 2);
    CHECK_EQ(seen.cpus[0], other);
    CHECK_EQ(seen.cpus[1], other);
    CHECK_EQ(seen.events[1].seq, 1);
    CHECK_EQ(perf_buffer__consume_buffer(pb, SLOTS), -EINVAL);
    CHECK_EQ(errno, EINVAL);
    /* An index beyond the map: the helper's -E2BIG, nothing written. */
    emit(&l, 1, SLOTS, 9, 0);
    CHECK_EQ(l.bss->last_result, -E2BIG);
    CHECK_EQ(perf_buffer__consume(pb), 0);
    CHECK_EQ(seen.count, 2);
    perf_buffer__free(pb);
    bpf_object__close(l.obj);
}

TEST(records_that_do_not_fit_are_reported_lost)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {0};
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 1, on_sample, on_lost, &seen, NULL);
    CHECK(pb != NULL);
    if (!pb) {
        bpf_object__close(l.obj);
        return;
    }
    /* 1000 records of 24 bytes with their headers do not fit in one page. */
    emit(&l, 1, BPF_F_CURRENT_CPU, 1, 1000);
    CHECK_EQ(l.bss->last_result, -ENOSPC);
    CHECK_EQ(perf_buffer__consume(pb), 0);
    CHECK(seen.count > 100);
    CHECK_EQ(seen.count, l.bss->written);
    CHECK_EQ((uint64_t)seen.count + seen.lost, 1000);
    CHECK_EQ(seen.lost_calls, 1);
    CHECK_EQ(seen.lost_cpu, (int)platform_cpu_slot());
    /* Reported once. */
    CHECK_EQ(perf_buffer__consume(pb), 0);
    CHECK_EQ(seen.lost_calls, 1);
    perf_buffer__free(pb);
    bpf_object__close(l.obj);
}

struct writer {
    const struct loaded *l;
    int cpu;
};

static void *write_from_thread(void *arg)
{
    struct writer *w = arg;
    w->cpu = (int)platform_cpu_slot();
    emit(w->l, 4, BPF_F_CURRENT_CPU, 5, 0);
    return NULL;
}

TEST(poll_wakes_for_a_writer_on_another_thread)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct seen seen = {0};
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 1, on_sample, on_lost, &seen, NULL);
    CHECK(pb != NULL);
    if (!pb) {
        bpf_object__close(l.obj);
        return;
    }
    struct writer w = {&l, -1};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, write_from_thread, &w), 0);
    while (seen.count < 4) {
        int ready = perf_buffer__poll(pb, 5000);
        CHECK(ready > 0);
        if (ready <= 0)
            break;
    }
    pthread_join(thread, NULL);
    CHECK_EQ(seen.count, 4);
    CHECK_EQ(seen.cpus[0], w.cpu);
    CHECK_EQ(seen.events[3].cpu, w.cpu);
    CHECK_EQ(seen.events[3].seq, 3);
    perf_buffer__free(pb);
    bpf_object__close(l.obj);
}

TEST(free_empties_the_slots_and_a_null_sample_callback_drops_records)
{
    struct loaded l;
    if (!load(&l))
        return;
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 1, NULL, NULL, NULL, NULL);
    CHECK(pb != NULL);
    emit(&l, 2, BPF_F_CURRENT_CPU, 1, 0);
    CHECK_EQ(l.bss->last_result, 0);
    CHECK_EQ(perf_buffer__consume(pb), 0);
    perf_buffer__free(pb);
    emit(&l, 1, BPF_F_CURRENT_CPU, 1, 0);
    CHECK_EQ(l.bss->last_result, -ENOENT);
    /* A new buffer takes the slots again. */
    struct seen seen = {0};
    pb = perf_buffer__new(l.events_fd, 1, on_sample, NULL, &seen, NULL);
    emit(&l, 1, BPF_F_CURRENT_CPU, 1, 0);
    CHECK_EQ(perf_buffer__consume(pb), 0);
    CHECK_EQ(seen.count, 1);
    perf_buffer__free(pb);
    bpf_object__close(l.obj);
}

TEST(bad_arguments_are_refused)
{
    struct loaded l;
    if (!load(&l))
        return;
    static const size_t bad_pages[] = {0, 3, 6};
    for (size_t i = 0; i < sizeof bad_pages / sizeof bad_pages[0]; i++) {
        errno = 0;
        CHECK(perf_buffer__new(l.events_fd, bad_pages[i], on_sample, NULL, NULL, NULL) == NULL);
        CHECK_EQ(errno, EINVAL);
    }
    errno = 0;
    CHECK(perf_buffer__new(l.events_fd, (size_t)1 << 40, on_sample, NULL, NULL, NULL) == NULL);
    CHECK_EQ(errno, E2BIG);
    int bss_fd = bpf_object__find_map_fd_by_name(l.obj, ".bss");
    errno = 0;
    CHECK(perf_buffer__new(bss_fd, 1, on_sample, NULL, NULL, NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(perf_buffer__new(l.prog_fd, 1, on_sample, NULL, NULL, NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(perf_buffer__new(-1, 1, on_sample, NULL, NULL, NULL) == NULL);
    CHECK_EQ(errno, EBADF);
    struct {
        struct perf_buffer_opts opts;
        uint64_t newer_field;
    } newer = {{.sz = sizeof newer}, 1};
    errno = 0;
    CHECK(perf_buffer__new(l.events_fd, 1, on_sample, NULL, NULL, &newer.opts) == NULL);
    CHECK_EQ(errno, EINVAL);
    newer.newer_field = 0;
    struct perf_buffer *pb = perf_buffer__new(l.events_fd, 1, on_sample, NULL, NULL, &newer.opts);
    CHECK(pb != NULL);
    perf_buffer__free(pb);
    CHECK_EQ(perf_buffer__consume(NULL), -EINVAL);
    CHECK_EQ(perf_buffer__poll(NULL, 0), -EINVAL);
    CHECK_EQ(perf_buffer__epoll_fd(NULL), -EINVAL);
    CHECK_EQ(perf_buffer__buffer_cnt(NULL), 0);
    perf_buffer__free(NULL);
    bpf_object__close(l.obj);
}

TEST_MAIN
