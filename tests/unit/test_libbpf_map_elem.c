/* bpf_map__{lookup,update,delete,lookup_and_delete}_elem and __get_next_key on the maps of
 * a loaded clang-compiled object (size checks as libbpf makes them, values a program run
 * through bpf_prog_test_run_opts wrote, frozen .rodata), and bpf_object__pin_maps /
 * __unpin_maps / __pin_programs / __unpin_programs / __pin with their undo on failure. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "platform/cpu_slot.h"
#include "test.h"

#define OBJECT "build/bpf/libbpf_map_elem.bpf.o"
#define SLOTS 3

__attribute__((constructor)) static void fix_slot_count(void)
{
    platform_cpu_slot_set_count(SLOTS);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return 0;
}

static struct bpf_object *open_object(void)
{
    libbpf_set_print(quiet);
    struct bpf_object *obj = bpf_object__open_file(OBJECT, NULL);
    CHECK(obj != NULL);
    return obj;
}

static struct bpf_object *load_object(void)
{
    struct bpf_object *obj = open_object();
    if (obj && bpf_object__load(obj)) {
        CHECK(0);
        bpf_object__close(obj);
        return NULL;
    }
    return obj;
}

static int run(struct bpf_object *obj, const char *prog_name)
{
    uint8_t packet[64] = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet);
    int err = bpf_prog_test_run_opts(
        bpf_program__fd(bpf_object__find_program_by_name(obj, prog_name)), &opts);
    CHECK_EQ(err, 0);
    CHECK_EQ(opts.retval, XDP_PASS);
    return err;
}

static struct bpf_map *map_named(struct bpf_object *obj, const char *name)
{
    struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
    CHECK(map != NULL);
    return map;
}

TEST(before_load_the_maps_do_not_exist)
{
    struct bpf_object *obj = open_object();
    if (!obj)
        return;
    struct bpf_map *counts = map_named(obj, "counts");
    uint32_t key = 1;
    uint64_t value = 0;
    CHECK_EQ(bpf_map__lookup_elem(counts, &key, 4, &value, 8, 0), -ENOENT);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(bpf_map__update_elem(counts, &key, 4, &value, 8, 0), -ENOENT);
    CHECK_EQ(bpf_map__delete_elem(counts, &key, 4, 0), -ENOENT);
    CHECK_EQ(bpf_map__get_next_key(counts, NULL, &key, 4), -ENOENT);
    CHECK_EQ(bpf_object__pin_maps(obj, "/sys/fs/bpf/elem_early"), -ENOENT);
    CHECK_EQ(bpf_object__pin_programs(obj, "/sys/fs/bpf/elem_early"), -ENOENT);
    CHECK_EQ(bpf_map__lookup_elem(NULL, &key, 4, &value, 8, 0), -EINVAL);
    CHECK_EQ(bpf_object__pin_maps(NULL, "/sys/fs/bpf/x"), -ENOENT);
    bpf_object__close(obj);
}

TEST(sizes_must_be_the_maps)
{
    struct bpf_object *obj = load_object();
    if (!obj)
        return;
    struct bpf_map *counts = map_named(obj, "counts");
    uint32_t key = 1;
    uint64_t value = 5;
    CHECK_EQ(bpf_map__update_elem(counts, &key, 8, &value, 8, BPF_ANY), -EINVAL);
    CHECK_EQ(bpf_map__update_elem(counts, &key, 4, &value, 4, BPF_ANY), -EINVAL);
    CHECK_EQ(bpf_map__lookup_elem(counts, &key, 4, &value, 16, 0), -EINVAL);
    CHECK_EQ(bpf_map__lookup_and_delete_elem(counts, &key, 3, &value, 8, 0), -EINVAL);
    CHECK_EQ(bpf_map__delete_elem(counts, &key, 2, 0), -EINVAL);
    CHECK_EQ(bpf_map__get_next_key(counts, NULL, &key, 0), -EINVAL);
    CHECK_EQ(errno, EINVAL);
    /* Per-CPU: one value per possible CPU, each rounded up to 8 bytes. */
    struct bpf_map *per_cpu = map_named(obj, "per_cpu");
    uint64_t slots[SLOTS] = {0};
    uint32_t zero = 0;
    CHECK_EQ(bpf_map__lookup_elem(per_cpu, &zero, 4, slots, 4, 0), -EINVAL);
    CHECK_EQ(bpf_map__lookup_elem(per_cpu, &zero, 4, slots, SLOTS * 4, 0), -EINVAL);
    CHECK_EQ(bpf_map__lookup_elem(per_cpu, &zero, 4, slots, sizeof slots, 0), 0);
    /* A queue has no key. */
    struct bpf_map *jobs = map_named(obj, "jobs");
    uint32_t job = 9;
    CHECK_EQ(bpf_map__update_elem(jobs, &key, 4, &job, 4, 0), -EINVAL);
    CHECK_EQ(bpf_map__update_elem(jobs, NULL, 0, &job, 4, 0), 0);
    job = 0;
    CHECK_EQ(bpf_map__lookup_and_delete_elem(jobs, NULL, 0, &job, 4, 0), 0);
    CHECK_EQ(job, 9);
    CHECK_EQ(bpf_map__lookup_and_delete_elem(jobs, NULL, 0, &job, 4, 0), -ENOENT);
    bpf_object__close(obj);
}

TEST(elements_written_here_and_by_the_program)
{
    struct bpf_object *obj = load_object();
    if (!obj)
        return;
    struct bpf_map *counts = map_named(obj, "counts");
    uint32_t key = 1, next = 0;
    uint64_t value = 40;
    CHECK_EQ(bpf_map__update_elem(counts, &key, 4, &value, 8, BPF_NOEXIST), 0);
    CHECK_EQ(bpf_map__update_elem(counts, &key, 4, &value, 8, BPF_NOEXIST), -EEXIST);
    run(obj, "count_packet");
    run(obj, "count_packet");
    value = 0;
    CHECK_EQ(bpf_map__lookup_elem(counts, &key, 4, &value, 8, 0), 0);
    CHECK_EQ(value, 42);
    key = 7;
    value = 70;
    CHECK_EQ(bpf_map__update_elem(counts, &key, 4, &value, 8, BPF_ANY), 0);
    /* Both keys, in some order, then the end. */
    uint32_t seen_keys = 0;
    int err = bpf_map__get_next_key(counts, NULL, &next, 4);
    while (err == 0) {
        seen_keys |= 1u << next;
        key = next;
        err = bpf_map__get_next_key(counts, &key, &next, 4);
    }
    CHECK_EQ(err, -ENOENT);
    CHECK_EQ(seen_keys, (1u << 1) | (1u << 7));
    key = 7;
    CHECK_EQ(bpf_map__delete_elem(counts, &key, 4, BPF_F_LOCK), -EINVAL);
    CHECK_EQ(bpf_map__delete_elem(counts, &key, 4, 0), 0);
    CHECK_EQ(bpf_map__delete_elem(counts, &key, 4, 0), -ENOENT);
    key = 1;
    value = 0;
    CHECK_EQ(bpf_map__lookup_and_delete_elem(counts, &key, 4, &value, 8, 0), 0);
    CHECK_EQ(value, 42);
    CHECK_EQ(bpf_map__lookup_elem(counts, &key, 4, &value, 8, 0), -ENOENT);
    /* The program's per-CPU counter is in this thread's slot; its jobs are queued. */
    struct bpf_map *per_cpu = map_named(obj, "per_cpu");
    uint64_t slots[SLOTS] = {0};
    uint32_t zero = 0;
    CHECK_EQ(bpf_map__lookup_elem(per_cpu, &zero, 4, slots, sizeof slots, 0), 0);
    for (unsigned i = 0; i < SLOTS; i++)
        CHECK_EQ((uint32_t)slots[i], i == platform_cpu_slot() ? 2 : 0);
    uint32_t job = 0;
    CHECK_EQ(bpf_map__lookup_and_delete_elem(map_named(obj, "jobs"), NULL, 0, &job, 4, 0), 0);
    CHECK_EQ(job, 1);
    /* Global data: .bss by its one key; .rodata is frozen after load, as libbpf does. */
    struct bpf_map *bss = map_named(obj, ".bss");
    uint64_t runs = 0;
    CHECK_EQ(bpf_map__lookup_elem(bss, &zero, 4, &runs, 8, 0), 0);
    CHECK_EQ(runs, 2);
    struct bpf_map *rodata = map_named(obj, ".rodata");
    uint32_t step = 0;
    CHECK_EQ(bpf_map__lookup_elem(rodata, &zero, 4, &step, 4, 0), 0);
    CHECK_EQ(step, 1);
    step = 5;
    CHECK_EQ(bpf_map__update_elem(rodata, &zero, 4, &step, 4, 0), -EPERM);
    CHECK_EQ(bpf_map_freeze(bpf_map__fd(rodata)), -EBUSY);
    bpf_object__close(obj);
}

static bool pinned(const char *path)
{
    int fd = bpf_obj_get(path);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

TEST(maps_pin_under_a_directory_with_periods_replaced)
{
    struct bpf_object *obj = load_object();
    if (!obj)
        return;
    CHECK_EQ(bpf_object__pin_maps(obj, "/sys/fs/bpf/elem.maps"), 0);
    /* libbpf turns every '.' of the path into '_', the directory's too. */
    CHECK(pinned("/sys/fs/bpf/elem_maps/counts"));
    CHECK(pinned("/sys/fs/bpf/elem_maps/jobs"));
    CHECK(pinned("/sys/fs/bpf/elem_maps/libbpf_m_bss"));
    CHECK(pinned("/sys/fs/bpf/elem_maps/libbpf_m_rodata"));
    CHECK(!pinned("/sys/fs/bpf/elem.maps/counts"));
    /* The pin is the map: what is written through it shows in the object's map. */
    int fd = bpf_obj_get("/sys/fs/bpf/elem_maps/counts");
    uint32_t key = 3;
    uint64_t value = 33;
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
    close(fd);
    value = 0;
    CHECK_EQ(bpf_map__lookup_elem(map_named(obj, "counts"), &key, 4, &value, 8, 0), 0);
    CHECK_EQ(value, 33);
    /* Pinned again at the same paths: nothing to do; at other paths: refused. */
    CHECK_EQ(bpf_object__pin_maps(obj, "/sys/fs/bpf/elem.maps"), 0);
    CHECK_EQ(bpf_object__pin_maps(obj, "/sys/fs/bpf/elsewhere"), -EINVAL);
    /* NULL: the maps that have a pin path, which now all do. */
    CHECK_EQ(bpf_object__unpin_maps(obj, NULL), 0);
    CHECK(!pinned("/sys/fs/bpf/elem_maps/counts"));
    CHECK(!pinned("/sys/fs/bpf/elem_maps/libbpf_m_bss"));
    CHECK_EQ(bpf_object__unpin_maps(obj, NULL), -ENOENT);
    bpf_object__close(obj);
}

TEST(a_failed_pin_undoes_the_pins_before_it)
{
    struct bpf_object *obj = load_object();
    if (!obj)
        return;
    /* The second map's path is taken: the first one is unpinned again. */
    int other = bpf_map_create(BPF_MAP_TYPE_ARRAY, "other", 4, 4, 1, NULL);
    CHECK(other >= 0);
    CHECK_EQ(bpf_obj_pin(other, "/sys/fs/bpf/elem_fail/per_cpu"), 0);
    CHECK_EQ(bpf_object__pin_maps(obj, "/sys/fs/bpf/elem_fail"), -EEXIST);
    CHECK(!pinned("/sys/fs/bpf/elem_fail/counts"));
    CHECK(!pinned("/sys/fs/bpf/elem_fail/jobs"));
    CHECK(pinned("/sys/fs/bpf/elem_fail/per_cpu"));
    unlink("/sys/fs/bpf/elem_fail/per_cpu"); /* not bpfhost's: the pin stays */
    CHECK(pinned("/sys/fs/bpf/elem_fail/per_cpu"));
    close(other);
    bpf_object__close(obj);
    /* Outside /sys/fs/bpf, or too long a path (a new object: the maps above keep the pin
     * paths they were given, as in libbpf). */
    obj = load_object();
    if (!obj)
        return;
    CHECK_EQ(bpf_object__pin_maps(obj, "/tmp/not_bpffs"), -EPERM);
    char long_path[5000];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    CHECK_EQ(bpf_object__pin_maps(obj, long_path), -ENAMETOOLONG);
    CHECK_EQ(bpf_object__pin_programs(obj, long_path), -ENAMETOOLONG);
    CHECK_EQ(bpf_object__pin_programs(obj, NULL), -EINVAL);
    bpf_object__close(obj);
}

TEST(programs_pin_and_unpin)
{
    struct bpf_object *obj = load_object();
    if (!obj)
        return;
    CHECK_EQ(bpf_object__pin_programs(obj, "/sys/fs/bpf/elem_progs"), 0);
    int fd = bpf_obj_get("/sys/fs/bpf/elem_progs/count_packet");
    CHECK(fd >= 0);
    uint8_t packet[64] = {0};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet);
    CHECK_EQ(bpf_prog_test_run_opts(fd, &opts), 0);
    uint32_t key = 1;
    uint64_t value = 0;
    CHECK_EQ(bpf_map__lookup_elem(map_named(obj, "counts"), &key, 4, &value, 8, 0), 0);
    CHECK_EQ(value, 1);
    close(fd);
    CHECK(pinned("/sys/fs/bpf/elem_progs/idle"));
    CHECK_EQ(bpf_object__pin_programs(obj, "/sys/fs/bpf/elem_progs"), -EEXIST);
    CHECK_EQ(bpf_object__unpin_programs(obj, "/sys/fs/bpf/elem_progs"), 0);
    CHECK(!pinned("/sys/fs/bpf/elem_progs/count_packet"));
    CHECK(!pinned("/sys/fs/bpf/elem_progs/idle"));
    CHECK_EQ(bpf_object__unpin_programs(obj, "/sys/fs/bpf/elem_progs"), -ENOENT);
    bpf_object__close(obj);
}

TEST(a_program_not_loaded_cannot_be_pinned)
{
    struct bpf_object *obj = open_object();
    if (!obj)
        return;
    bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "idle"), false);
    CHECK_EQ(bpf_object__load(obj), 0);
    /* As libbpf: count_packet is pinned, idle fails, count_packet is unpinned. */
    CHECK_EQ(bpf_object__pin_programs(obj, "/sys/fs/bpf/elem_partial"), -EINVAL);
    CHECK(!pinned("/sys/fs/bpf/elem_partial/count_packet"));
    /* bpf_object__pin: the maps go when the programs fail. */
    CHECK_EQ(bpf_object__pin(obj, "/sys/fs/bpf/elem_all"), -EINVAL);
    CHECK(!pinned("/sys/fs/bpf/elem_all/counts"));
    bpf_object__close(obj);
}

TEST(object_pin_pins_maps_and_programs)
{
    struct bpf_object *obj = load_object();
    if (!obj)
        return;
    CHECK_EQ(bpf_object__pin(obj, "/sys/fs/bpf/elem_obj"), 0);
    CHECK(pinned("/sys/fs/bpf/elem_obj/counts"));
    CHECK(pinned("/sys/fs/bpf/elem_obj/count_packet"));
    CHECK_EQ(bpf_object__unpin_programs(obj, "/sys/fs/bpf/elem_obj"), 0);
    CHECK_EQ(bpf_object__unpin_maps(obj, "/sys/fs/bpf/elem_obj"), 0);
    CHECK(!pinned("/sys/fs/bpf/elem_obj/counts"));
    CHECK(!pinned("/sys/fs/bpf/elem_obj/count_packet"));
    bpf_object__close(obj);
}

TEST_MAIN
