/* The object table: fds that are real descriptors, closed-fd detection, ids, enumeration,
 * pins and when objects are released. */
#include "platform/epoch.h"
#include "runtime/handles.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static struct bpfhost_map *new_map(const char *name)
{
    struct map_create_attr attr = {
        .map_type = MAP_TYPE_HASH, .key_size = 4, .value_size = 8, .max_entries = 16,
    };
    snprintf(attr.name, sizeof attr.name, "%s", name);
    struct bpfhost_map *map = NULL;
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    return map;
}

/* r1 = map 0 (lddw src 5); r0 = 0; exit */
static struct runtime_prog *new_prog(const char *name, struct bpfhost_map *map)
{
    struct ebpf_insn insns[] = {
        {.code = 0x18, .dst = 1, .src = EBPF_LDDW_MAP_IDX, .imm = 0},
        {0},
        {.code = 0xb7, .dst = 0, .imm = 0},
        {.code = 0x95},
    };
    struct bpfhost_map *maps[] = {map};
    struct runtime_prog_attr attr = {
        .name = name, .prog_type = 6 /* XDP */, .insns = map ? insns : insns + 2,
        .insn_count = map ? 4 : 2, .maps = maps, .map_count = map ? 1 : 0,
        .allow_unverified = true,
    };
    struct runtime_prog *prog = NULL;
    char msg[256];
    int err = runtime_prog_load(&attr, &prog, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    return prog;
}

struct test_link {
    struct runtime_link link;
    int detached, released, updates;
};

static int *release_counter;

static int test_link_update(struct runtime_link *link, struct runtime_prog *prog)
{
    ((struct test_link *)link)->updates++;
    return 0;
}
static void test_link_detach(struct runtime_link *link) { ((struct test_link *)link)->detached++; }
static void test_link_release(struct runtime_link *link)
{
    (*release_counter)++;
    free(link);
}
static const struct runtime_link_ops test_link_ops = {test_link_update, test_link_detach,
                                                      test_link_release};

static uint64_t map_refs(struct bpfhost_map *map) { return atomic_load(&map->refcount); }

TEST(map_fd_is_a_real_descriptor_and_gives_the_map_back)
{
    struct bpfhost_map *map = new_map("m1");
    int fd = handles_map_fd(map);
    CHECK(fd > 2);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    char link[64], target[256] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    CHECK(readlink(link, target, sizeof target - 1) > 0);
    CHECK_CONTAINS(target, "bpf-map:m1");
    struct bpfhost_map *got = NULL;
    CHECK_EQ(handles_map_from_fd(fd, &got), 0);
    CHECK(got == map);
    CHECK(map->id != 0);
    map_put(got);
    struct runtime_prog *prog = NULL;
    CHECK_EQ(handles_prog_from_fd(fd, &prog), -EINVAL);
    CHECK(prog == NULL);
    CHECK_EQ(map_refs(map), 2); /* ours and the table's */
    CHECK_EQ(handles_close(fd), 0);
    CHECK_EQ(handles_close(fd), -EBADF);
    CHECK_EQ(map_refs(map), 2); /* an object someone holds keeps its id, as in Linux */
    uint32_t id = map->id;
    map_put(map);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id), -ENOENT); /* nobody holds it: released */
    platform_epoch_barrier();
}

TEST(foreign_and_negative_fds_are_not_handles)
{
    struct handle_object object;
    CHECK_EQ(handles_object_from_fd(-1, &object), -EBADF);
    CHECK_EQ(handles_object_from_fd(0, &object), -EBADF);
    CHECK_EQ(handles_object_from_fd(1 << 20, &object), -EBADF);
    int pipe_fds[2];
    CHECK_EQ(pipe(pipe_fds), 0);
    CHECK_EQ(handles_object_from_fd(pipe_fds[0], &object), -EBADF);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

TEST(closing_the_fd_is_noticed_even_when_its_number_is_reused)
{
    struct bpfhost_map *map = new_map("closed");
    int fd = handles_map_fd(map);
    CHECK(fd >= 0);
    CHECK_EQ(map_refs(map), 2);
    close(fd);
    /* Put another file at the same number (the lowest free number would usually be it, but
     * a sanitizer's or library's thread may take it first). */
    int other = open("/dev/null", O_RDONLY);
    CHECK(other >= 0);
    CHECK_EQ(dup2(other, fd), fd);
    if (other != fd)
        close(other);
    struct bpfhost_map *got = NULL;
    CHECK_EQ(handles_map_from_fd(fd, &got), -EBADF);
    CHECK(got == NULL);
    close(fd);
    uint32_t id = map->id;
    map_put(map);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id), -ENOENT);
    platform_epoch_barrier();
}

TEST(a_closed_fd_reused_by_another_handle_refers_to_the_new_object)
{
    struct bpfhost_map *a = new_map("a"), *b = new_map("b");
    /* The new handle gets the closed number when it is the lowest free one; another thread
     * (a sanitizer's) may take it in between, so try a few times. */
    int fd_a = -1, fd_b = -1;
    for (int attempt = 0; attempt < 20 && (fd_b < 0 || fd_b != fd_a); attempt++) {
        if (fd_b >= 0)
            handles_close(fd_b);
        fd_a = handles_map_fd(a);
        close(fd_a);
        fd_b = handles_map_fd(b);
    }
    CHECK_EQ(fd_b, fd_a);
    struct bpfhost_map *got = NULL;
    CHECK_EQ(handles_map_from_fd(fd_b, &got), 0);
    CHECK(got == b);
    map_put(got);
    handles_close(fd_b);
    uint32_t id_a = a->id;
    map_put(a);
    map_put(b);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id_a), -ENOENT);
    platform_epoch_barrier();
}

TEST(sweep_releases_objects_whose_fds_were_closed)
{
    struct bpfhost_map *map = new_map("swept");
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = handles_map_fd(map);
    CHECK(fds[0] != fds[1] && fds[1] != fds[2]);
    CHECK_EQ(map_refs(map), 2); /* one entry, one reference, however many fds */
    uint32_t id = map->id;
    map_put(map); /* from now on only the fds hold it */
    close(fds[0]);
    close(fds[1]);
    handles_sweep();
    struct bpfhost_map *got = NULL;
    CHECK_EQ(handles_map_from_fd(fds[2], &got), 0);
    CHECK(got == map);
    CHECK_EQ(map_refs(got), 2);
    map_put(got);
    close(fds[2]);
    handles_sweep();
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id), -ENOENT);
    platform_epoch_barrier();
}

TEST(ids_enumerate_in_order_and_give_new_fds)
{
    struct bpfhost_map *a = new_map("ida"), *b = new_map("idb");
    int fd_a = handles_map_fd(a), fd_b = handles_map_fd(b);
    CHECK(a->id < b->id);
    uint32_t id = 0, next = 0;
    bool seen_a = false, seen_b = false;
    while (handles_get_next_id(HANDLE_MAP, id, &next) == 0) {
        CHECK(next > id);
        seen_a |= next == a->id;
        seen_b |= next == b->id;
        id = next;
    }
    CHECK(seen_a && seen_b);
    CHECK_EQ(handles_get_next_id(HANDLE_MAP, b->id, &next) == 0 && next <= b->id, 0);
    int fd = handles_fd_by_id(HANDLE_MAP, b->id);
    CHECK(fd >= 0 && fd != fd_b);
    struct bpfhost_map *got = NULL;
    CHECK_EQ(handles_map_from_fd(fd, &got), 0);
    CHECK(got == b);
    map_put(got);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, 0xfffffff0u), -ENOENT);
    CHECK_EQ(handles_fd_by_id(HANDLE_PROG, b->id + 100000), -ENOENT);
    /* Once its fds are closed (without telling the table), an object has no id any more. */
    uint32_t id_a = a->id;
    map_put(a);
    close(fd_a);
    CHECK_EQ(handles_get_next_id(HANDLE_MAP, id_a - 1, &next) == 0 && next == id_a, 0);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id_a), -ENOENT);
    handles_close(fd);
    handles_close(fd_b);
    map_put(b);
    platform_epoch_barrier();
}

TEST(a_program_keeps_its_maps_enumerable_and_releases_them_with_it)
{
    struct bpfhost_map *map = new_map("progmap");
    struct runtime_prog *prog = new_prog("p1", map);
    if (!prog) {
        map_put(map);
        return;
    }
    map_put(map); /* the program holds it now */
    int prog_fd = handles_prog_fd(prog);
    uint32_t prog_id = prog->id, map_id = map->id;
    CHECK(map_id != 0);
    runtime_prog_put(prog);
    uint32_t next;
    CHECK_EQ(handles_get_next_id(HANDLE_PROG, prog_id - 1, &next), 0);
    CHECK_EQ(next, prog_id);
    int map_fd = handles_fd_by_id(HANDLE_MAP, map_id);
    CHECK(map_fd >= 0);
    handles_close(map_fd);
    handles_sweep();
    map_fd = handles_fd_by_id(HANDLE_MAP, map_id); /* still held by the program */
    CHECK(map_fd >= 0);
    close(map_fd);
    close(prog_fd);
    handles_sweep();
    CHECK_EQ(handles_fd_by_id(HANDLE_PROG, prog_id), -ENOENT);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, map_id), -ENOENT);
    platform_epoch_barrier();
}

TEST(pinned_objects_survive_their_last_fd)
{
    struct bpfhost_map *map = new_map("pinned");
    int fd = handles_map_fd(map);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/test_pinned"), 0);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/test_pinned"), -EEXIST);
    handles_close(fd);
    map_put(map);
    int again = handles_get_pinned("/sys/fs/bpf/test_pinned");
    CHECK(again >= 0);
    struct bpfhost_map *got = NULL;
    CHECK_EQ(handles_map_from_fd(again, &got), 0);
    CHECK(got == map);
    map_put(got);
    handles_close(again);
    struct handle_object object;
    CHECK_EQ(handles_pinned_object("/sys/fs/bpf/test_pinned", &object), 0);
    CHECK_EQ(object.kind, HANDLE_MAP);
    CHECK(object.map == map);
    uint32_t id = map->id;
    handle_object_put(&object);
    CHECK_EQ(handles_unpin("/sys/fs/bpf/test_pinned"), 0);
    CHECK_EQ(handles_unpin("/sys/fs/bpf/test_pinned"), -ENOENT);
    CHECK_EQ(handles_get_pinned("/sys/fs/bpf/test_pinned"), -ENOENT);
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id), -ENOENT); /* released with the pin */
    platform_epoch_barrier();
}

TEST(pin_paths_are_checked_as_linux_does)
{
    struct bpfhost_map *map = new_map("paths");
    int fd = handles_map_fd(map);
    CHECK_EQ(handles_pin(fd, "/tmp/x"), -EPERM);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpfx"), -EPERM);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/"), -EINVAL);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/a//b"), -EINVAL);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/a/"), -EINVAL);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/../etc"), -EINVAL);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/./x"), -EINVAL);
    CHECK_EQ(handles_pin(fd, NULL), -EINVAL);
    char long_name[300];
    memset(long_name, 'n', sizeof long_name);
    snprintf(long_name, sizeof long_name, "/sys/fs/bpf/%0280d", 1);
    CHECK_EQ(handles_pin(fd, long_name), -ENAMETOOLONG);
    CHECK_EQ(handles_pin(-1, "/sys/fs/bpf/x"), -EBADF);
    CHECK_EQ(handles_get_pinned("/sys/fs/bpf/nothing"), -ENOENT);
    CHECK_EQ(handles_get_pinned("/etc/passwd"), -EPERM);

    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/dir/obj"), 0);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/dir"), -EEXIST);       /* a directory now */
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/dir/obj/x"), -ENOTDIR); /* through an object */
    CHECK_EQ(handles_get_pinned("/sys/fs/bpf/dir/obj/x"), -ENOTDIR);
    CHECK_EQ(handles_get_pinned("/sys/fs/bpf/dir"), -EACCES);
    CHECK_EQ(handles_unpin("/sys/fs/bpf/dir"), -EISDIR);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/dirx"), 0); /* "dir" is not a prefix of "dirx" */
    char path[HANDLES_PATH_MAX];
    CHECK_EQ(handles_next_pin(NULL, path, sizeof path), 0);
    CHECK_STR(path, "/sys/fs/bpf/dir/obj");
    CHECK_EQ(handles_next_pin(path, path, sizeof path), 0);
    CHECK_STR(path, "/sys/fs/bpf/dirx");
    CHECK_EQ(handles_next_pin(path, path, sizeof path), -ENOENT);
    CHECK_EQ(handles_next_pin(NULL, path, 5), -ENAMETOOLONG);
    CHECK_EQ(handles_unpin("/sys/fs/bpf/dir/obj"), 0);
    CHECK_EQ(handles_unpin("/sys/fs/bpf/dirx"), 0);
    CHECK_EQ(handles_pin(fd, "/sys/fs/bpf/dir"), 0); /* the directory went with its last pin */
    CHECK_EQ(handles_unpin("/sys/fs/bpf/dir"), 0);
    handles_close(fd);
    map_put(map);
}

TEST(links_get_fds_ids_and_detach_when_released)
{
    int released = 0;
    release_counter = &released;
    struct runtime_prog *prog = new_prog("linked", NULL), *other = new_prog("other", NULL);
    if (!prog || !other)
        return;
    struct test_link *test = calloc(1, sizeof *test);
    runtime_link_init(&test->link, &test_link_ops, 2, 37, prog);
    int fd = handles_link_fd(&test->link);
    CHECK(fd >= 0);
    CHECK(test->link.id != 0);
    runtime_link_put(&test->link); /* the table's reference remains */
    struct runtime_link *link = NULL;
    CHECK_EQ(handles_link_from_fd(fd, &link), 0);
    CHECK_EQ(runtime_link_update(link, other, prog), 0);
    CHECK_EQ(test->updates, 1);
    CHECK_EQ(runtime_link_update(link, prog, prog), -EPERM); /* other is attached now */
    struct runtime_prog *attached = runtime_link_prog(link);
    CHECK(attached == other);
    runtime_prog_put(attached);
    CHECK_EQ(runtime_link_detach(link), 0);
    CHECK_EQ(test->detached, 1);
    CHECK_EQ(runtime_link_detach(link), -ENOLINK);
    CHECK_EQ(runtime_link_update(link, prog, NULL), -ENOLINK);
    runtime_link_put(link);
    uint32_t next;
    CHECK_EQ(handles_get_next_id(HANDLE_LINK, 0, &next), 0);
    handles_close(fd);
    CHECK_EQ(released, 1);
    CHECK_EQ(atomic_load(&prog->refcount), 1);
    CHECK_EQ(atomic_load(&other->refcount), 1);
    runtime_prog_put(prog);
    runtime_prog_put(other);
}

static void *open_and_close(void *arg)
{
    struct bpfhost_map *map = arg;
    for (int i = 0; i < 200; i++) {
        int fd = handles_map_fd(map);
        struct bpfhost_map *got = NULL;
        if (handles_map_from_fd(fd, &got) == 0 && got == map)
            map_put(got);
        else
            return (void *)1;
        if (i % 2)
            close(fd);
        else
            handles_close(fd);
        uint32_t next;
        handles_get_next_id(HANDLE_MAP, 0, &next);
    }
    return NULL;
}

TEST(threads_open_look_up_and_close_at_once)
{
    struct bpfhost_map *map = new_map("threads");
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, open_and_close, map);
    for (int i = 0; i < 4; i++) {
        void *result;
        pthread_join(threads[i], &result);
        CHECK(result == NULL);
    }
    CHECK_EQ(map_refs(map), 2); /* ours and the table's: the map stays known */
    uint32_t id = map->id;
    map_put(map);
    handles_sweep();
    CHECK_EQ(handles_fd_by_id(HANDLE_MAP, id), -ENOENT);
    platform_epoch_barrier();
}

TEST_MAIN
