/* The system trace buffer: the lock-free trace ring (wrap-around, overrun counting, dead and
 * lapped writers, damaged records, concurrent writers from threads and from processes), the
 * shared file it lives in, the trace_pipe line format and the choice of output. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/shared_file.h"
#include "runtime/trace_pipe.h"
#include "runtime/trace_ring.h"
#include "test.h"

static void *new_ring(struct trace_ring *ring, uint32_t slots)
{
    size_t size = trace_ring_size(slots);
    void *memory = calloc(1, size);
    if (!memory || trace_ring_prepare(memory, size, NULL)) {
        free(memory);
        return NULL;
    }
    trace_ring_attach(ring, memory);
    return memory;
}

static void write_text(const struct trace_ring *ring, int32_t pid, const char *text)
{
    struct trace_ring_event e = {.timestamp_ns = 1000, .pid = pid, .tid = pid + 1, .cpu = 2};
    snprintf(e.comm, sizeof e.comm, "comm%d", pid);
    snprintf(e.program, sizeof e.program, "prog");
    e.text_len = (uint32_t)snprintf(e.text, sizeof e.text, "%s", text);
    trace_ring_write(ring, &e);
}

static int read_one(const struct trace_ring *ring, struct trace_ring_cursor *c, struct trace_ring_event *e,
                    uint64_t *lost)
{
    return trace_ring_read(ring, c, 1, e, lost);
}

TEST(records_come_back_whole_and_in_order)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 8);
    CHECK(memory);
    if (!memory)
        return;
    CHECK_EQ(ring.slot_count, 8);
    write_text(&ring, 7, "first");
    write_text(&ring, 8, "second");
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&ring, &c, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0;
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "first");
    CHECK_EQ(e.text_len, 5);
    CHECK_EQ(e.pid, 7);
    CHECK_EQ(e.tid, 8);
    CHECK_EQ(e.cpu, 2);
    CHECK_EQ(e.timestamp_ns, 1000);
    CHECK_STR(e.comm, "comm7");
    CHECK_STR(e.program, "prog");
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "second");
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 0);
    CHECK_EQ(lost, 0);
    free(memory);
}

TEST(wrap_around_keeps_the_newest_and_counts_the_overwritten)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 8);
    if (!memory)
        return;
    struct trace_ring_cursor early, late;
    trace_ring_cursor_start(&ring, &early, TRACE_RING_FROM_OLDEST);
    char text[16];
    for (int i = 0; i < 20; i++) {
        snprintf(text, sizeof text, "line %d", i);
        write_text(&ring, 1, text);
    }
    trace_ring_cursor_start(&ring, &late, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0;
    /* The reader that started before the writes lost the 12 overwritten lines. */
    for (int i = 12; i < 20; i++) {
        CHECK_EQ(read_one(&ring, &early, &e, &lost), 1);
        snprintf(text, sizeof text, "line %d", i);
        CHECK_STR(e.text, text);
    }
    CHECK_EQ(lost, 12);
    CHECK_EQ(read_one(&ring, &early, &e, &lost), 0);
    /* One that starts now gets what the ring holds, nothing lost. */
    uint64_t late_lost = 0;
    CHECK_EQ(read_one(&ring, &late, &e, &late_lost), 1);
    CHECK_STR(e.text, "line 12");
    CHECK_EQ(late_lost, 0);
    free(memory);
}

TEST(new_readers_start_at_the_unread_lines)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 8);
    if (!memory)
        return;
    write_text(&ring, 1, "a");
    write_text(&ring, 1, "b");
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&ring, &c, TRACE_RING_FROM_UNREAD);
    struct trace_ring_event e;
    uint64_t lost = 0;
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "a");
    write_text(&ring, 1, "c");
    /* A second reader starts where the first got to; nobody consumed anything. */
    struct trace_ring_cursor second, now;
    trace_ring_cursor_start(&ring, &second, TRACE_RING_FROM_UNREAD);
    trace_ring_cursor_start(&ring, &now, TRACE_RING_FROM_NOW);
    CHECK_EQ(read_one(&ring, &second, &e, &lost), 1);
    CHECK_STR(e.text, "b");
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "b");
    CHECK_EQ(read_one(&ring, &now, &e, &lost), 0);
    write_text(&ring, 1, "d");
    CHECK_EQ(read_one(&ring, &now, &e, &lost), 1);
    CHECK_STR(e.text, "d");
    CHECK_EQ(lost, 0);
    free(memory);
}

TEST(long_text_is_cut_at_linux_limit)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 4);
    if (!memory)
        return;
    struct trace_ring_event big = {.pid = 1};
    memset(big.text, 'x', sizeof big.text);
    big.text_len = 5000; /* more than the text holds: clamped, not trusted */
    trace_ring_write(&ring, &big);
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&ring, &c, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0;
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_EQ(e.text_len, TRACE_RING_TEXT_MAX - 1);
    CHECK_EQ(strlen(e.text), TRACE_RING_TEXT_MAX - 1);
    free(memory);
}

TEST(a_writer_that_died_mid_record_is_skipped_after_the_stall_time)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 8);
    if (!memory)
        return;
    /* What a writer killed between claim and completion leaves: ticket 0 claimed. */
    uint64_t ticket = atomic_fetch_add(&ring.header->head, 1);
    atomic_store(&ring.slots[ticket].state, (ticket + 1) << 1 | 1);
    write_text(&ring, 1, "after");
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&ring, &c, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0;
    CHECK_EQ(trace_ring_read(&ring, &c, 5000, &e, &lost), -EAGAIN);
    CHECK_EQ(trace_ring_read(&ring, &c, 5000 + TRACE_RING_STALL_NS - 1, &e, &lost), -EAGAIN);
    CHECK_EQ(lost, 0);
    CHECK_EQ(trace_ring_read(&ring, &c, 5000 + TRACE_RING_STALL_NS, &e, &lost), 1);
    CHECK_STR(e.text, "after");
    CHECK_EQ(lost, 1);
    /* Writers never waited for it: the next lap writes over the dead claim. */
    for (int i = 0; i < 8; i++)
        write_text(&ring, 2, "lap");
    CHECK_EQ(atomic_load(&ring.slots[0].state), (uint64_t)(8 + 1) << 1);
    free(memory);
}

TEST(a_lapped_writer_drops_its_record_and_a_damaged_one_is_not_printed)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 4);
    if (!memory)
        return;
    /* Slot 0 already holds record 4 when the writer of record 0 gets to it. */
    atomic_store(&ring.slots[0].state, (uint64_t)(4 + 1) << 1);
    write_text(&ring, 1, "too late");
    CHECK_EQ(atomic_load(&ring.slots[0].state), (uint64_t)(4 + 1) << 1);
    write_text(&ring, 1, "kept");
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&ring, &c, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0;
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "kept");
    CHECK_EQ(lost, 1);
    /* A resumed writer scribbling over a newer record: the checksum catches it. */
    write_text(&ring, 1, "scribbled");
    atomic_fetch_xor(&ring.slots[2].words[8], 0x20);
    write_text(&ring, 1, "fine");
    CHECK_EQ(read_one(&ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "fine");
    CHECK_EQ(lost, 2);
    free(memory);
}

TEST(prepare_accepts_only_its_own_layout)
{
    size_t size = trace_ring_size(4);
    uint8_t *memory = calloc(1, size + sizeof(struct trace_ring_slot));
    if (!memory)
        return;
    CHECK_EQ(trace_ring_prepare(memory, size, NULL), 0);
    CHECK_EQ(trace_ring_prepare(memory, size, NULL), 0); /* prepared already: accepted */
    CHECK_EQ(trace_ring_prepare(memory, size + sizeof(struct trace_ring_slot), NULL), -ESTALE);
    struct trace_ring_header *h = (struct trace_ring_header *)memory;
    h->version = TRACE_RING_VERSION + 1;
    CHECK_EQ(trace_ring_prepare(memory, size, NULL), -ESTALE);
    h->magic = 0x12345678;
    CHECK_EQ(trace_ring_prepare(memory, size, NULL), -ESTALE);
    memset(memory, 0, size);
    CHECK_EQ(trace_ring_prepare(memory, sizeof(struct trace_ring_header) + 10, NULL), -EINVAL);
    CHECK_EQ(trace_ring_prepare(memory, 8, NULL), -ESTALE);
    free(memory);
}

/* --- concurrency ------------------------------------------------------------------------- */

enum { WRITERS = 4, PER_WRITER = 5000 };

struct writer_arg {
    const struct trace_ring *ring;
    int id;
};

static void *writer_thread(void *p)
{
    struct writer_arg *a = p;
    char text[32];
    for (int i = 0; i < PER_WRITER; i++) {
        snprintf(text, sizeof text, "%d %d", a->id, i);
        write_text(a->ring, a->id, text);
    }
    return NULL;
}

/* Reads from the first record until total records are accounted for (delivered or lost); checks each writer's
 * records arrive whole and in its order. Returns the number delivered. */
static uint64_t drain(const struct trace_ring *ring, uint64_t total, uint64_t *lost, bool *in_order)
{
    struct trace_ring_cursor c = {.next = 0}; /* the writers may have started already */
    int last[WRITERS + 1];
    for (int i = 0; i <= WRITERS; i++)
        last[i] = -1;
    uint64_t delivered = 0;
    *in_order = true;
    struct trace_ring_event e;
    while (delivered + *lost < total) {
        int got = trace_ring_read(ring, &c, 1, &e, lost); /* time stands still: never skip */
        if (got != 1) {
            sched_yield();
            continue;
        }
        int id, seq;
        if (sscanf(e.text, "%d %d", &id, &seq) != 2 || id < 0 || id > WRITERS || seq <= last[id] ||
            e.pid != id) {
            *in_order = false;
            continue;
        }
        last[id] = seq;
        delivered++;
    }
    return delivered;
}

TEST(threads_write_concurrently_and_every_record_is_accounted_for)
{
    struct trace_ring ring;
    void *memory = new_ring(&ring, 256);
    if (!memory)
        return;
    pthread_t threads[WRITERS];
    struct writer_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        args[i] = (struct writer_arg){&ring, i + 1};
        pthread_create(&threads[i], NULL, writer_thread, &args[i]);
    }
    uint64_t lost = 0;
    bool in_order;
    uint64_t delivered = drain(&ring, WRITERS * PER_WRITER, &lost, &in_order);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    CHECK(in_order);
    CHECK_EQ(delivered + lost, WRITERS * PER_WRITER);
    CHECK(delivered > 0);
    CHECK_EQ(atomic_load(&ring.header->head), WRITERS * PER_WRITER);
    free(memory);
}

TEST(forked_processes_share_one_ring)
{
    size_t size = trace_ring_size(WRITERS * PER_WRITER);
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(memory != MAP_FAILED);
    if (memory == MAP_FAILED)
        return;
    CHECK_EQ(trace_ring_prepare(memory, size, NULL), 0);
    struct trace_ring ring;
    trace_ring_attach(&ring, memory);
    pid_t children[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        children[i] = fork();
        if (children[i] == 0) {
            struct writer_arg a = {&ring, i + 1};
            writer_thread(&a);
            _exit(0);
        }
    }
    /* The ring holds every record, so none may be lost. */
    uint64_t lost = 0;
    bool in_order;
    uint64_t delivered = drain(&ring, WRITERS * PER_WRITER, &lost, &in_order);
    for (int i = 0; i < WRITERS; i++) {
        int status = -1;
        waitpid(children[i], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK(in_order);
    CHECK_EQ(lost, 0);
    CHECK_EQ(delivered, WRITERS * PER_WRITER);
    munmap(memory, size);
}

TEST(writers_killed_at_random_points_wedge_nobody)
{
    size_t size = trace_ring_size(64);
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
        return;
    CHECK_EQ(trace_ring_prepare(memory, size, NULL), 0);
    struct trace_ring ring;
    trace_ring_attach(&ring, memory);
    for (int round = 0; round < 20; round++) {
        pid_t child = fork();
        if (child == 0) {
            for (;;)
                write_text(&ring, 9, "doomed");
        }
        usleep(200 + round * 50);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    /* Whatever state the killed writers left, this process still writes and a reader gets
     * past everything (with the clock moved beyond the stall time). */
    for (int i = 0; i < 70; i++)
        write_text(&ring, 1, "alive");
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&ring, &c, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0, delivered = 0, now = 1;
    for (int tries = 0; tries < 1000; tries++) {
        int got = trace_ring_read(&ring, &c, now, &e, &lost);
        if (got == 0)
            break;
        if (got == -EAGAIN)
            now += TRACE_RING_STALL_NS;
        else if (!strcmp(e.text, "alive"))
            delivered++;
    }
    CHECK_EQ(c.next, atomic_load(&ring.header->head));
    CHECK(delivered >= 60); /* of the last 64 slots, only ones a dead writer still claims are missing */
    munmap(memory, size);
}

/* --- the file, the line, the output choice ------------------------------------------------- */

static char tmpdir[64];
static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bpfhost-trace-XXXXXX");
    if (!mkdtemp(tmpdir))
        tmpdir[0] = 0;
}

TEST(the_buffer_file_is_shared_replaced_when_foreign_and_never_a_symlink)
{
    make_tmpdir();
    if (!tmpdir[0])
        return;
    char path[128], msg[256];
    snprintf(path, sizeof path, "%s/run/trace", tmpdir); /* the run directory is created */
    struct runtime_trace_file a, b;
    CHECK_EQ(runtime_trace_open(path, &a, msg, sizeof msg), 0);
    CHECK_EQ(runtime_trace_open(path, &b, msg, sizeof msg), 0);
    write_text(&a.ring, 3, "through the file");
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&b.ring, &c, TRACE_RING_FROM_OLDEST);
    struct trace_ring_event e;
    uint64_t lost = 0;
    CHECK_EQ(read_one(&b.ring, &c, &e, &lost), 1);
    CHECK_STR(e.text, "through the file");
    runtime_trace_close(&a);
    runtime_trace_close(&b);
    /* A file of another layout (here: another size) is replaced by a new ring. */
    CHECK_EQ(truncate(path, 4096), 0);
    CHECK_EQ(runtime_trace_open(path, &a, msg, sizeof msg), 0);
    CHECK_EQ(atomic_load(&a.ring.header->head), 0);
    CHECK_EQ(a.ring.slot_count, TRACE_RING_DEFAULT_SLOTS);
    runtime_trace_close(&a);
    /* A preparer that died before the magic: prepared again in place. */
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    uint32_t zero = 0;
    CHECK_EQ(pwrite(fd, &zero, sizeof zero, 0), sizeof zero);
    close(fd);
    CHECK_EQ(runtime_trace_open(path, &a, msg, sizeof msg), 0);
    runtime_trace_close(&a);
    char link[160];
    snprintf(link, sizeof link, "%s/link", tmpdir);
    CHECK_EQ(symlink(path, link), 0);
    CHECK_EQ(runtime_trace_open(link, &a, msg, sizeof msg), -ELOOP);
    CHECK_CONTAINS(msg, "link");
    unlink(link);
    unlink(path);
    snprintf(path, sizeof path, "%s/run", tmpdir);
    rmdir(path);
    rmdir(tmpdir);
}

TEST(lines_have_the_linux_trace_pipe_form)
{
    struct trace_ring_event e = {.timestamp_ns = 12345678901234ull, .pid = 42, .cpu = 3};
    snprintf(e.comm, sizeof e.comm, "bpfhost");
    e.text_len = (uint32_t)snprintf(e.text, sizeof e.text, "hello 7\n");
    char line[256];
    int n = runtime_trace_format(&e, line, sizeof line);
    CHECK_STR(line, "         bpfhost-42      [003] ..... 12345.678901: bpf_trace_printk: hello 7\n");
    CHECK_EQ(n, strlen(line));
    e.comm[0] = '\0';
    e.text_len = (uint32_t)snprintf(e.text, sizeof e.text, "no newline");
    runtime_trace_format(&e, line, sizeof line);
    CHECK_STR(line, "           <...>-42      [003] ..... 12345.678901: bpf_trace_printk: no newline\n");
}

TEST(output_goes_to_the_run_directory_or_falls_back_to_stderr)
{
    enum runtime_trace_output o;
    CHECK_EQ(runtime_trace_output_parse("stderr", &o), 0);
    CHECK_EQ(o, RUNTIME_TRACE_STDERR);
    CHECK_EQ(runtime_trace_output_parse("pipe", &o), 0);
    CHECK_EQ(o, RUNTIME_TRACE_PIPE);
    CHECK_EQ(runtime_trace_output_parse("file", &o), -EINVAL);
    CHECK_EQ(runtime_trace_output_parse(NULL, &o), -EINVAL);
    char msg[256] = "";
    /* A run directory that cannot be created: pipe is an error, auto is stderr. */
    setenv("BPFHOST_RUN_DIR", "/proc/no/such/dir", 1);
    CHECK(runtime_trace_set_output(RUNTIME_TRACE_PIPE, msg, sizeof msg) < 0);
    CHECK_CONTAINS(msg, "/proc/no/such/dir");
    CHECK_EQ(runtime_trace_set_output(RUNTIME_TRACE_AUTO, msg, sizeof msg), 0);
    make_tmpdir();
    if (!tmpdir[0])
        return;
    setenv("BPFHOST_RUN_DIR", tmpdir, 1);
    CHECK_EQ(runtime_trace_set_output(RUNTIME_TRACE_PIPE, msg, sizeof msg), 0);
    struct trace_ring_event e = {.pid = 5, .text_len = 6};
    memcpy(e.text, "to the", 7);
    runtime_trace_emit(&e);
    char path[128];
    CHECK_EQ(runtime_trace_path(path, sizeof path), 0);
    struct runtime_trace_file reader;
    CHECK_EQ(runtime_trace_open(path, &reader, msg, sizeof msg), 0);
    struct trace_ring_cursor c;
    trace_ring_cursor_start(&reader.ring, &c, TRACE_RING_FROM_OLDEST);
    uint64_t lost = 0;
    struct trace_ring_event got;
    CHECK_EQ(read_one(&reader.ring, &c, &got, &lost), 1);
    CHECK_STR(got.text, "to the");
    /* stderr from now on: nothing more reaches the buffer. */
    CHECK_EQ(runtime_trace_set_output(RUNTIME_TRACE_STDERR, msg, sizeof msg), 0);
    runtime_trace_emit(&e);
    CHECK_EQ(read_one(&reader.ring, &c, &got, &lost), 0);
    runtime_trace_close(&reader);
    unlink(path);
    rmdir(tmpdir);
    unsetenv("BPFHOST_RUN_DIR");
}

TEST_MAIN
