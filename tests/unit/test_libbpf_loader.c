/* A user-space loader written the way libbpf programs are (open, size the maps, load, find
 * the maps, update and read them through <bpf/bpf.h>), compiled against bpfhost's
 * include/bpf. Nothing is attached or run. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#define OBJECT "build/bpf/libbpf_api.bpf.o"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return 0;
}

TEST(a_libbpf_style_loader_sizes_loads_and_uses_the_maps)
{
    libbpf_set_print(quiet);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = "/sys/fs/bpf/loader_test");
    struct bpf_object *obj = bpf_object__open_file(OBJECT, &opts);
    if (libbpf_get_error(obj)) {
        CHECK(0);
        return;
    }
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC)
            bpf_program__set_autoload(prog, false);
    }
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK_EQ(bpf_map__set_max_entries(counters, 3), 0);
    int err = bpf_object__load(obj);
    CHECK_EQ(err, 0);
    if (err) {
        bpf_object__close(obj);
        return;
    }

    int fd = bpf_object__find_map_fd_by_name(obj, "counters");
    CHECK(fd >= 0);
    for (__u32 key = 0; key < 3; key++) {
        __u64 value = 100 + key;
        CHECK_EQ(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), 0);
    }
    __u32 key = 3;
    __u64 value = 1;
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, BPF_ANY), -E2BIG); /* max_entries took */
    key = 1;
    CHECK_EQ(bpf_map_lookup_elem(fd, &key, &value), 0);
    CHECK_EQ(value, 101);
    CHECK_EQ(bpf_map_lookup_elem(bpf_map__fd(counters), &key, &value), 0);

    /* Global variables: the .data map's value is what bpf_map__initial_value shows. */
    struct bpf_map *data = bpf_object__find_map_by_name(obj, ".data");
    size_t size;
    int *packets = (int *)bpf_map__initial_value(data, &size);
    CHECK(packets && size == sizeof *packets);
    int read_back = 0;
    key = 0;
    CHECK_EQ(bpf_map_lookup_elem(bpf_map__fd(data), &key, &read_back), 0);
    CHECK_EQ(read_back, 7);
    if (packets)
        *packets = 9;
    CHECK_EQ(bpf_map_lookup_elem(bpf_map__fd(data), &key, &read_back), 0);
    CHECK_EQ(read_back, 9);

    /* The program fds are real programs of the runtime. */
    struct bpf_prog_info info;
    __u32 info_len = sizeof info;
    memset(&info, 0, sizeof info);
    struct bpf_program *xdp = bpf_object__find_program_by_name(obj, "xdp_count");
    CHECK_EQ(bpf_obj_get_info_by_fd(bpf_program__fd(xdp), &info, &info_len), 0);
    CHECK_EQ(info.type, BPF_PROG_TYPE_XDP);
    CHECK_STR(info.name, "xdp_count");

    /* A map pinned by name can be opened by path, as another process would. */
    int pinned = bpf_obj_get("/sys/fs/bpf/loader_test/shared_config");
    CHECK(pinned >= 0);
    __u32 config = 1;
    key = 0;
    CHECK_EQ(bpf_map_update_elem(pinned, &key, &config, BPF_ANY), 0);
    config = 0;
    CHECK_EQ(bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(obj, "shared_config"), &key,
                                 &config), 0);
    CHECK_EQ(config, 1);
    close(pinned);
    CHECK_EQ(bpf_map__unpin(bpf_object__find_map_by_name(obj, "shared_config"), NULL), 0);
    bpf_object__close(obj);
    /* Closing the object closed its fds. */
    CHECK_EQ(bpf_map_lookup_elem(fd, &key, &value), -EBADF);
}

TEST_MAIN
