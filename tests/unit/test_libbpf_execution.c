/* bpfhost's execution-type extension (bpf/bpfhost.h): the engine is chosen per object before
 * load, read back per program, and both engines give the same answer. */
#include <bpf/bpf.h>
#include <bpf/bpfhost.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <unistd.h>

#include "test.h"

#define OBJECT "build/bpf/runtime_unsafe.bpf.o"

/* Opens OBJECT with only checked_read loaded (unchecked_read is the verifier's reject case). */
static struct bpf_object *open_checked_read(void)
{
    struct bpf_object *obj = bpf_object__open_file(OBJECT, NULL);
    if (obj)
        bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "unchecked_read"), false);
    return obj;
}

static int run_on(int prog_fd, unsigned char first_byte, __u32 *retval)
{
    unsigned char frame[64] = {first_byte};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof frame);
    int err = bpf_prog_test_run_opts(prog_fd, &opts);
    *retval = opts.retval;
    return err;
}

TEST(each_engine_runs_what_was_asked_with_the_same_results)
{
    static const enum bpfhost_execution_type asked[] = {BPFHOST_EXECUTION_JIT, BPFHOST_EXECUTION_INTERPRET};
    for (size_t i = 0; i < 2; i++) {
        struct bpf_object *obj = open_checked_read();
        CHECK(obj != NULL);
        CHECK_EQ(bpfhost_object__set_execution_type(obj, asked[i]), 0);
        CHECK_EQ(bpf_object__load(obj), 0);
        int fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "checked_read"));
        CHECK_EQ(bpfhost_prog_execution_type(fd), (int)asked[i]);
        __u32 retval = 0;
        CHECK_EQ(run_on(fd, 0xaa, &retval), 0);
        CHECK_EQ(retval, XDP_DROP);
        CHECK_EQ(run_on(fd, 0x01, &retval), 0);
        CHECK_EQ(retval, XDP_PASS);
        bpf_object__close(obj);
    }
}

TEST(the_default_is_the_jit_on_this_host)
{
    struct bpf_object *obj = open_checked_read();
    CHECK_EQ(bpf_object__load(obj), 0);
    int fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "checked_read"));
    CHECK_EQ(bpfhost_prog_execution_type(fd), BPFHOST_EXECUTION_JIT);
    bpf_object__close(obj);
}

TEST(bad_requests_are_refused)
{
    CHECK_EQ(bpfhost_object__set_execution_type(NULL, BPFHOST_EXECUTION_JIT), -EINVAL);
    struct bpf_object *obj = open_checked_read();
    CHECK_EQ(bpfhost_object__set_execution_type(obj, (enum bpfhost_execution_type)7), -EINVAL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(bpf_object__load(obj), 0);
    CHECK_EQ(bpfhost_object__set_execution_type(obj, BPFHOST_EXECUTION_INTERPRET), -EBUSY);
    int map_like_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 4, 1, NULL);
    CHECK(map_like_fd >= 0);
    CHECK_EQ(bpfhost_prog_execution_type(map_like_fd), -EINVAL);
    CHECK_EQ(bpfhost_prog_execution_type(-1), -EBADF);
    close(map_like_fd);
    bpf_object__close(obj);
}

TEST_MAIN
