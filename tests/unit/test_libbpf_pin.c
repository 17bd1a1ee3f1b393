/* Pins and reused maps through the libbpf-compatible API: maps pinned by name are pinned at
 * load and shared by the next object that loads, bpf_map__pin / unpin, bpf_program__pin /
 * unpin, bpf_map__reuse_fd. */
#include <bpf/libbpf.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/handles.h"
#include "test.h"

#define OBJECT "build/bpf/libbpf_api.bpf.o"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return 0;
}

static bool same_map(int fd_a, int fd_b)
{
    struct bpfhost_map *a = NULL, *b = NULL;
    bool same = !handles_map_from_fd(fd_a, &a) && !handles_map_from_fd(fd_b, &b) && a == b;
    if (a)
        map_put(a);
    if (b)
        map_put(b);
    return same;
}

/* Opened with the pin root, the unknown-section program off, loaded. */
static struct bpf_object *load_object(const char *pin_root)
{
    libbpf_set_print(quiet);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
    struct bpf_object *obj = bpf_object__open_file(OBJECT, &opts);
    CHECK(obj != NULL);
    if (!obj)
        return NULL;
    bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "untyped"), false);
    int err = bpf_object__load(obj);
    CHECK_EQ(err, 0);
    if (err) {
        bpf_object__close(obj);
        return NULL;
    }
    return obj;
}

TEST(maps_pinned_by_name_are_shared_between_objects)
{
    struct bpf_object *first = load_object("/sys/fs/bpf/share_test");
    struct bpf_object *second = load_object("/sys/fs/bpf/share_test");
    if (!first || !second) {
        bpf_object__close(first);
        bpf_object__close(second);
        return;
    }
    struct bpf_map *a = bpf_object__find_map_by_name(first, "shared_config");
    struct bpf_map *b = bpf_object__find_map_by_name(second, "shared_config");
    CHECK(bpf_map__fd(a) >= 0 && bpf_map__fd(b) >= 0 && bpf_map__fd(a) != bpf_map__fd(b));
    /* The same map behind both fds; the maps not pinned are each object's own. */
    CHECK(same_map(bpf_map__fd(a), bpf_map__fd(b)));
    CHECK(!same_map(bpf_object__find_map_fd_by_name(first, "counters"),
                    bpf_object__find_map_fd_by_name(second, "counters")));
    /* Still pinned after both objects are gone, as in libbpf; unpinned on request. */
    bpf_object__close(first);
    bpf_object__close(second);
    struct bpf_object *third = load_object("/sys/fs/bpf/share_test");
    struct bpf_map *c = third ? bpf_object__find_map_by_name(third, "shared_config") : NULL;
    CHECK_EQ(bpf_map__unpin(c, NULL), 0);
    CHECK_EQ(bpf_map__unpin(c, NULL), -ENOENT);
    CHECK_EQ(bpf_map__unpin(c, "/sys/fs/bpf/elsewhere"), -EINVAL);
    bpf_object__close(third);
}

TEST(a_pinned_map_of_another_definition_is_refused)
{
    struct bpf_object *obj = load_object("/sys/fs/bpf/mismatch");
    if (!obj)
        return;
    bpf_object__close(obj);
    libbpf_set_print(quiet);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = "/sys/fs/bpf/mismatch");
    obj = bpf_object__open_file(OBJECT, &opts);
    bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "untyped"), false);
    struct bpf_map *config = bpf_object__find_map_by_name(obj, "shared_config");
    CHECK_EQ(bpf_map__set_max_entries(config, 8), 0);
    CHECK_EQ(bpf_object__load(obj), -EINVAL);
    bpf_object__close(obj);
    /* Clean up the pin through a fresh object. */
    obj = load_object("/sys/fs/bpf/mismatch");
    CHECK_EQ(bpf_map__unpin(bpf_object__find_map_by_name(obj, "shared_config"), NULL), 0);
    bpf_object__close(obj);
}

TEST(map_and_program_pins_on_request)
{
    struct bpf_object *obj = load_object("/sys/fs/bpf/on_request");
    if (!obj)
        return;
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK_EQ(bpf_map__pin(counters, NULL), -EINVAL); /* no path to pin at */
    CHECK_EQ(bpf_map__pin(counters, "/sys/fs/bpf/on_request/counters"), 0);
    CHECK_EQ(bpf_map__pin(counters, NULL), 0);      /* already pinned there */
    CHECK_EQ(bpf_map__pin(counters, "/sys/fs/bpf/other"), -EINVAL);
    CHECK_EQ(bpf_map__unpin(counters, NULL), 0);
    CHECK_EQ(bpf_map__pin(counters, NULL), 0);      /* the path is remembered */
    CHECK_EQ(bpf_map__unpin(counters, "/sys/fs/bpf/on_request/counters"), 0);
    CHECK_EQ(bpf_map__pin(NULL, "/sys/fs/bpf/x"), -EINVAL);
    CHECK_EQ(bpf_map__unpin(NULL, "/sys/fs/bpf/x"), -EINVAL);

    struct bpf_program *xdp = bpf_object__find_program_by_name(obj, "xdp_count");
    CHECK_EQ(bpf_program__pin(xdp, "/sys/fs/bpf/on_request/xdp"), 0);
    CHECK_EQ(bpf_program__pin(xdp, "/sys/fs/bpf/on_request/xdp"), -EEXIST);
    CHECK_EQ(bpf_program__pin(xdp, "/tmp/outside"), -EPERM);
    CHECK_EQ(bpf_program__unpin(xdp, "/sys/fs/bpf/on_request/xdp"), 0);
    CHECK_EQ(bpf_program__unpin(xdp, "/sys/fs/bpf/on_request/xdp"), -ENOENT);
    struct bpf_program *untyped = bpf_object__find_program_by_name(obj, "untyped");
    CHECK_EQ(bpf_program__pin(untyped, "/sys/fs/bpf/on_request/untyped"), -EINVAL);
    CHECK_EQ(bpf_program__unpin(untyped, "/sys/fs/bpf/on_request/untyped"), -EINVAL);
    CHECK_EQ(bpf_program__pin(NULL, "/sys/fs/bpf/x"), -EINVAL);
    CHECK_EQ(bpf_program__pin(xdp, NULL), -EINVAL);
    CHECK_EQ(bpf_program__unpin(NULL, "/sys/fs/bpf/x"), -EINVAL);
    CHECK_EQ(bpf_map__unpin(bpf_object__find_map_by_name(obj, "shared_config"), NULL), 0);
    bpf_object__close(obj);
}

TEST(a_map_is_not_pinned_before_it_exists)
{
    libbpf_set_print(quiet);
    struct bpf_object *obj = bpf_object__open(OBJECT);
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK_EQ(bpf_map__pin(counters, "/sys/fs/bpf/too_early"), -EINVAL);
    bpf_object__close(obj);
}

TEST(reuse_fd_shares_a_map_of_another_object)
{
    struct bpf_object *owner = load_object("/sys/fs/bpf/reuse");
    if (!owner)
        return;
    struct bpf_map *owned = bpf_object__find_map_by_name(owner, "counters");
    libbpf_set_print(quiet);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = "/sys/fs/bpf/reuse");
    struct bpf_object *user = bpf_object__open_file(OBJECT, &opts);
    bpf_program__set_autoload(bpf_object__find_program_by_name(user, "untyped"), false);
    struct bpf_map *counters = bpf_object__find_map_by_name(user, "counters");
    CHECK_EQ(bpf_map__set_max_entries(owned, 1), -EBUSY);
    CHECK_EQ(bpf_map__set_max_entries(counters, 99), 0);
    CHECK_EQ(bpf_map__reuse_fd(counters, bpf_map__fd(owned)), 0);
    /* The definition is now the reused map's, and frozen. */
    CHECK_EQ(bpf_map__max_entries(counters), 16);
    CHECK_EQ(bpf_map__set_max_entries(counters, 99), -EBUSY);
    CHECK(bpf_map__fd(counters) >= 0 && bpf_map__fd(counters) != bpf_map__fd(owned));
    CHECK_EQ(bpf_map__reuse_fd(counters, -1), -EBADF);
    CHECK_EQ(bpf_map__reuse_fd(counters, 0), -EBADF); /* stdin is not a map */
    CHECK_EQ(bpf_map__reuse_fd(counters,
                               bpf_program__fd(bpf_object__find_program_by_name(owner, "xdp_count"))),
             -EINVAL);
    CHECK_EQ(bpf_map__reuse_fd(NULL, bpf_map__fd(owned)), -EINVAL);
    CHECK_EQ(bpf_object__load(user), 0);
    CHECK(same_map(bpf_map__fd(counters), bpf_map__fd(owned)));
    CHECK_EQ(bpf_map__reuse_fd(counters, bpf_map__fd(owned)), -EBUSY);
    bpf_map__unpin(bpf_object__find_map_by_name(user, "shared_config"), NULL);
    bpf_object__close(user);
    bpf_object__close(owner);
}

TEST_MAIN
