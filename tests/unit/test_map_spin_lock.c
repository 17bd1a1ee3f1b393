/* struct bpf_spin_lock in BTF-defined map values, end to end: the loader finds the lock in
 * the value's BTF, the map is created with its offset, programs (tests/bpf/
 * map_spin_lock.bpf.c) update pairs under it on several threads while the control side
 * reads and writes them with BPF_F_LOCK, and the verifier refuses a lock anywhere else. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "elf/elf_object.h"
#include "test.h"

#define OBJECT "build/bpf/map_spin_lock.bpf.o"
#define BAD_OBJECT "build/bpf/map_spin_lock_bad.bpf.o"
#define TWO_LOCKS_OBJECT "build/bpf/map_spin_lock_two.bpf.o"

/* The values as tests/bpf/map_spin_lock.bpf.c declares them. */
struct pair {
    uint32_t lock, pad;
    uint64_t a, b;
};
struct middle_pair {
    uint64_t a;
    uint32_t lock, pad;
    uint64_t b;
};

enum { THREADS = 3, RUNS = 50000, START = 1000 };

static char last_warning[1024];

static int keep_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_WARN)
        vsnprintf(last_warning, sizeof last_warning, fmt, ap);
    return 0;
}

static struct bpf_object *load(const char *path, const char *only)
{
    libbpf_set_print(keep_warnings);
    last_warning[0] = '\0';
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    CHECK(obj != NULL);
    if (!obj)
        return NULL;
    struct bpf_program *prog;
    if (only)
        bpf_object__for_each_program(prog, obj)
            bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), only));
    if (bpf_object__load(obj)) {
        bpf_object__close(obj);
        return NULL;
    }
    return obj;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
    return bpf_map__fd(bpf_object__find_map_by_name(obj, name));
}

TEST(the_loader_finds_the_lock_in_the_values_btf)
{
    struct elf_object *elf = NULL;
    char msg[256];
    CHECK_EQ(elf_object_open_file(OBJECT, NULL, &elf, msg, sizeof msg), 0);
    if (!elf)
        return;
    const struct elf_map *pairs = elf_object_map(elf, (size_t)elf_object_find_map(elf, "pairs"));
    const struct elf_map *middle =
        elf_object_map(elf, (size_t)elf_object_find_map(elf, "middle_pairs"));
    const struct elf_map *plain = elf_object_map(elf, (size_t)elf_object_find_map(elf, "plain"));
    CHECK(pairs->has_spin_lock);
    CHECK_EQ(pairs->spin_lock_offset, 0);
    CHECK_EQ(pairs->value_size, sizeof(struct pair));
    CHECK(middle->has_spin_lock);
    CHECK_EQ(middle->spin_lock_offset, 8);
    CHECK(!plain->has_spin_lock);
    CHECK_EQ(pairs->spin_lock_count, 1);
    CHECK_EQ(plain->spin_lock_count, 0);
    elf_object_free(elf);
}

/* As on Linux, the object opens (libbpf does not look at locks) and the map is refused. */
TEST(two_locks_in_one_value_are_refused_at_load)
{
    struct elf_object *elf = NULL;
    char msg[256];
    CHECK_EQ(elf_object_open_file(TWO_LOCKS_OBJECT, NULL, &elf, msg, sizeof msg), 0);
    if (elf) {
        const struct elf_map *two = elf_object_map(elf, (size_t)elf_object_find_map(elf, "two"));
        CHECK_EQ(two->spin_lock_count, 2);
        elf_object_free(elf);
    }
    CHECK(load(TWO_LOCKS_OBJECT, NULL) == NULL);
    CHECK_CONTAINS(last_warning, "map 'two': its value holds 2 struct bpf_spin_lock members");
}

TEST(f_lock_on_a_map_without_a_lock_is_einval)
{
    struct bpf_object *obj = load(OBJECT, NULL);
    if (!obj)
        return;
    uint32_t key = 0;
    uint64_t value = 5;
    CHECK_EQ(bpf_map_update_elem(map_fd(obj, "plain"), &key, &value, BPF_F_LOCK), -EINVAL);
    CHECK_EQ(bpf_map_lookup_elem_flags(map_fd(obj, "plain"), &key, &value, BPF_F_LOCK), -EINVAL);
    CHECK_EQ(bpf_map_update_elem(map_fd(obj, "plain"), &key, &value, BPF_ANY), 0);
    bpf_object__close(obj);
}

struct shared {
    struct bpf_object *obj;
    atomic_int runners_left;
    atomic_bool write_too;  /* the control side also stores pairs (a == b) under the lock */
    atomic_int unequal;
    atomic_int locks_seen;  /* copies out showing a lock word that is not zero */
    atomic_int reads, writes, torn_plain_reads;
};

static void *run_program(void *arg)
{
    struct shared *s = arg;
    uint8_t frame[64] = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof frame,
                .repeat = RUNS);
    int fd = bpf_program__fd(bpf_object__find_program_by_name(s->obj, "add_pairs"));
    CHECK_EQ(bpf_prog_test_run_opts(fd, &opts), 0);
    CHECK_EQ(opts.retval, XDP_PASS);
    s->runners_left--;
    return NULL;
}

/* Reads both maps with BPF_F_LOCK until the programs are done; optionally stores a fresh
 * pair now and then, also under the lock. */
static void *control(void *arg)
{
    struct shared *s = arg;
    int pairs = map_fd(s->obj, "pairs"), middle = map_fd(s->obj, "middle_pairs");
    uint32_t key = 0;
    for (uint64_t round = 0; s->runners_left > 0; round++) {
        struct pair p;
        struct middle_pair m;
        /* Without the lock nothing is promised: a != b here shows a program inside its
         * critical section right now, which is when the locked read must wait for it. */
        CHECK_EQ(bpf_map_lookup_elem(pairs, &key, &p), 0);
        s->torn_plain_reads += p.a != p.b;
        CHECK_EQ(bpf_map_lookup_elem_flags(pairs, &key, &p, BPF_F_LOCK), 0);
        CHECK_EQ(bpf_map_lookup_elem_flags(middle, &key, &m, BPF_F_LOCK), 0);
        s->unequal += (p.a != p.b) + (m.a != m.b);
        s->locks_seen += (p.lock != 0) + (m.lock != 0);
        s->reads++;
        if (s->write_too && round % 4 == 0) {
            /* A lock word in the source is never copied into the map. */
            struct pair fresh = {.lock = 0, .a = round, .b = round};
            struct middle_pair fresh_middle = {.a = round, .lock = 0, .b = round};
            CHECK_EQ(bpf_map_update_elem(pairs, &key, &fresh, BPF_F_LOCK | BPF_EXIST), 0);
            CHECK_EQ(bpf_map_update_elem(middle, &key, &fresh_middle, BPF_F_LOCK | BPF_EXIST), 0);
            s->writes++;
        }
    }
    return NULL;
}

static void run_concurrently(struct shared *s)
{
    pthread_t runners[THREADS], reader;
    s->runners_left = THREADS;
    CHECK_EQ(pthread_create(&reader, NULL, control, s), 0);
    for (int i = 0; i < THREADS; i++)
        CHECK_EQ(pthread_create(&runners[i], NULL, run_program, s), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(runners[i], NULL);
    pthread_join(reader, NULL);
}

TEST(programs_update_under_the_lock_while_the_control_side_reads_with_f_lock)
{
    static struct shared s;
    s.obj = load(OBJECT, NULL);
    if (!s.obj)
        return;
    int pairs = map_fd(s.obj, "pairs"), middle = map_fd(s.obj, "middle_pairs");
    uint32_t key = 0;
    struct pair start = {.a = START, .b = START};
    struct middle_pair start_middle = {.a = START, .b = START};
    CHECK_EQ(bpf_map_update_elem(pairs, &key, &start, BPF_F_LOCK), 0);
    /* BPF_F_LOCK on a hash key that is not there yet inserts it, as on Linux. */
    CHECK_EQ(bpf_map_update_elem(middle, &key, &start_middle, BPF_F_LOCK | BPF_NOEXIST), 0);
    run_concurrently(&s);
    CHECK(s.reads > 0);
    CHECK_EQ(s.unequal, 0);
    CHECK_EQ(s.locks_seen, 0);
    struct pair p;
    struct middle_pair m;
    CHECK_EQ(bpf_map_lookup_elem_flags(pairs, &key, &p, BPF_F_LOCK), 0);
    CHECK_EQ(bpf_map_lookup_elem_flags(middle, &key, &m, BPF_F_LOCK), 0);
    CHECK_EQ(p.a, START + THREADS * RUNS);
    CHECK_EQ(p.b, START + THREADS * RUNS);
    CHECK_EQ(m.a, START + THREADS * RUNS);
    CHECK_EQ(m.b, START + THREADS * RUNS);
    printf("  %d locked reads during %d program runs, %d plain reads saw a != b\n",
           (int)s.reads, THREADS * RUNS, (int)s.torn_plain_reads);
    bpf_object__close(s.obj);
}

TEST(control_side_locked_stores_and_program_updates_keep_pairs_whole)
{
    static struct shared s;
    s.obj = load(OBJECT, NULL);
    if (!s.obj)
        return;
    s.write_too = true;
    uint32_t key = 0;
    struct middle_pair start_middle = {0};
    CHECK_EQ(bpf_map_update_elem(map_fd(s.obj, "middle_pairs"), &key, &start_middle, BPF_ANY),
             0);
    run_concurrently(&s);
    CHECK(s.writes > 0);
    CHECK_EQ(s.unequal, 0);
    CHECK_EQ(s.locks_seen, 0);
    /* The lock still works after every store: one more run, then a locked read. */
    uint8_t frame[64] = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof frame);
    CHECK_EQ(bpf_prog_test_run_opts(
                 bpf_program__fd(bpf_object__find_program_by_name(s.obj, "add_pairs")), &opts),
             0);
    struct pair p;
    CHECK_EQ(bpf_map_lookup_elem_flags(map_fd(s.obj, "pairs"), &key, &p, BPF_F_LOCK), 0);
    CHECK_EQ(p.a, p.b);
    bpf_object__close(s.obj);
}

TEST(the_verifier_takes_only_the_values_own_lock)
{
    struct bpf_object *obj = load(BAD_OBJECT, "lock_right");
    CHECK(obj != NULL);
    bpf_object__close(obj);
    CHECK(load(BAD_OBJECT, "lock_beside_the_lock") == NULL);
    CHECK_CONTAINS(last_warning, "points to offset 4 of map");
    CHECK_CONTAINS(last_warning, "its struct bpf_spin_lock is at 0");
    CHECK(load(BAD_OBJECT, "lock_without_a_lock") == NULL);
    CHECK_CONTAINS(last_warning, "value has no struct bpf_spin_lock");
}

TEST_MAIN
