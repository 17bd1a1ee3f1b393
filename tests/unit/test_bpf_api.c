/* The libbpf-compatible low-level API (include/bpf/bpf.h): every function, with libbpf 1.x's
 * error convention (-errno returned and errno set) on each failure path. */
#include <bpf/bpf.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "platform/epoch.h"
#include "runtime/handles.h"
#include "test.h"

/* Checks that call returned -err and set errno to err. */
#define CHECK_ERR(call, err)                                                                       \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long check_result_ = (long)(call);                                                         \
        CHECK_EQ(check_result_, -(long)(err));                                                     \
        CHECK_EQ(errno, (err));                                                                    \
    } while (0)

static int hash_map(const char *name, __u32 max_entries)
{
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, 4, 8, max_entries, NULL);
    CHECK(fd >= 0);
    return fd;
}

/* Always valid as an XDP program: r0 = XDP_PASS; exit. */
static const struct bpf_insn pass_insns[] = {
    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
    {.code = BPF_JMP | BPF_EXIT},
};

/* Looks up key 0 in the map of fd map_fd (array, 8-byte values) and adds 1 to the value. */
static void counter_insns(struct bpf_insn insns[11], int map_fd, __u8 map_src)
{
    const struct bpf_insn program[11] = {
        {.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = map_src, .imm = map_fd},
        {0},
        {.code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0},
        {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10},
        {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4},
        {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem},
        {.code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 2, .imm = 0},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1},
        {.code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1, .imm = BPF_ADD},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
        {.code = BPF_JMP | BPF_EXIT},
    };
    memcpy(insns, program, sizeof program);
}

static int counter_map(void)
{
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "counter", 4, 8, 1, NULL);
    CHECK(fd >= 0);
    return fd;
}

/* --- maps ----------------------------------------------------------------------------------- */

TEST(hash_map_update_lookup_delete_and_iterate)
{
    int fd = hash_map("h", 8);
    __u32 key = 7;
    __u64 value = 70, got = 0;
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
    CHECK_EQ(bpf_map_lookup_elem(fd, &key, &got), 0);
    CHECK_EQ(got, 70);
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), EEXIST);
    key = 8;
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, BPF_EXIST), ENOENT);
    CHECK_ERR(bpf_map_lookup_elem(fd, &key, &got), ENOENT);
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, 0x100), EINVAL);
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, BPF_F_LOCK), EINVAL); /* no spin lock */
    CHECK_ERR(bpf_map_lookup_elem_flags(fd, &key, &got, 0x100), EINVAL);
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), 0);
    __u32 next = 0, seen = 0;
    const void *cursor = NULL;
    __u32 current;
    while (bpf_map_get_next_key(fd, cursor, &next) == 0) {
        seen |= 1u << next;
        current = next;
        cursor = &current;
    }
    CHECK_EQ(seen, (1u << 7) | (1u << 8));
    CHECK_ERR(bpf_map_get_next_key(fd, cursor, &next), ENOENT);
    CHECK_ERR(bpf_map_get_next_key(fd, NULL, NULL), EFAULT);
    CHECK_EQ(bpf_map_delete_elem(fd, &key), 0);
    CHECK_ERR(bpf_map_delete_elem(fd, &key), ENOENT);
    key = 7;
    CHECK_EQ(bpf_map_lookup_and_delete_elem(fd, &key, &got), 0);
    CHECK_EQ(got, 70);
    CHECK_ERR(bpf_map_lookup_and_delete_elem(fd, &key, &got), ENOENT);
    CHECK_ERR(bpf_map_lookup_and_delete_elem_flags(fd, &key, &got, 0x100), EINVAL);
    CHECK_ERR(bpf_map_lookup_elem(fd, NULL, &got), EFAULT);
    CHECK_ERR(bpf_map_lookup_elem(fd, &key, NULL), EFAULT);
    CHECK_ERR(bpf_map_update_elem(fd, NULL, &value, 0), EFAULT);
    CHECK_ERR(bpf_map_delete_elem(fd, NULL), EFAULT);
    close(fd);
}

TEST(full_hash_map_refuses_new_keys)
{
    int fd = hash_map("full", 2);
    __u64 value = 1;
    for (__u32 key = 0; key < 2; key++)
        CHECK_EQ(bpf_map_update_elem(fd, &key, &value, BPF_ANY), 0);
    __u32 key = 2;
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, BPF_ANY), E2BIG);
    close(fd);
}

TEST(map_create_checks_attributes_as_linux)
{
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "k0", 0, 8, 4, NULL), EINVAL);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "v0", 4, 0, 4, NULL), EINVAL);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "m0", 4, 8, 0, NULL), EINVAL);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_ARRAY, "key8", 8, 8, 4, NULL), EINVAL);
    CHECK_ERR(bpf_map_create((enum bpf_map_type)999, "type", 4, 8, 4, NULL), EINVAL);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "bad name", 4, 8, 4, NULL), EINVAL);
    LIBBPF_OPTS(bpf_map_create_opts, bad_flags, .map_flags = 0x80000000u);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "flags", 4, 8, 4, &bad_flags), EINVAL);
    LIBBPF_OPTS(bpf_map_create_opts, btf, .btf_key_type_id = 1, .btf_value_type_id = 2);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "btf", 4, 8, 4, &btf), EOPNOTSUPP);
    struct bpf_map_create_opts short_opts = {.sz = 4};
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "sz", 4, 8, 4, &short_opts), EINVAL);
    /* A caller built against a bigger struct: its extra bytes must be zero. */
    struct {
        struct bpf_map_create_opts opts;
        __u64 newer_field;
    } newer = {.opts = {.sz = sizeof newer}, .newer_field = 1};
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH, "newer", 4, 8, 4, &newer.opts), EINVAL);
    newer.newer_field = 0;
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "newer", 4, 8, 4, &newer.opts);
    CHECK(fd >= 0);
    close(fd);
    /* libbpf truncates long names. */
    fd = bpf_map_create(BPF_MAP_TYPE_HASH, "a_name_longer_than_fifteen", 4, 8, 4, NULL);
    CHECK(fd >= 0);
    struct bpf_map_info info = {0};
    __u32 length = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(fd, &info, &length), 0);
    CHECK_STR(info.name, "a_name_longer_t");
    close(fd);
}

TEST(bad_closed_and_foreign_fds_are_refused)
{
    __u32 key = 0;
    __u64 value = 0;
    CHECK_ERR(bpf_map_lookup_elem(-1, &key, &value), EBADF);
    CHECK_ERR(bpf_map_update_elem(12345, &key, &value, 0), EBADF);
    int pipe_fds[2];
    CHECK_EQ(pipe(pipe_fds), 0);
    CHECK_ERR(bpf_map_lookup_elem(pipe_fds[0], &key, &value), EBADF);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    int fd = hash_map("closed", 4);
    close(fd);
    CHECK_ERR(bpf_map_lookup_elem(fd, &key, &value), EBADF);
    CHECK_ERR(bpf_map_delete_elem(fd, &key), EBADF);
    /* The number comes back as another file: still not a map. */
    fd = hash_map("reused", 4);
    close(fd);
    int file = open("/dev/null", O_RDONLY);
    CHECK_EQ(file, fd);
    CHECK_ERR(bpf_map_update_elem(file, &key, &value, 0), EBADF);
    close(file);
    /* A program fd is not a map fd. */
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "pass", "GPL", pass_insns, 2, NULL);
    CHECK(prog >= 0);
    CHECK_ERR(bpf_map_lookup_elem(prog, &key, &value), EINVAL);
    CHECK_ERR(bpf_map_freeze(prog), EINVAL);
    close(prog);
}

TEST(array_and_percpu_values)
{
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, 4, 2, NULL);
    __u32 key = 2, value = 5;
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, 0), E2BIG);
    key = 1;
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, BPF_NOEXIST), EEXIST); /* arrays are full */
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, 0), 0);
    CHECK_ERR(bpf_map_delete_elem(fd, &key), EINVAL);
    close(fd);

    int cpus = libbpf_num_possible_cpus();
    CHECK(cpus >= 1);
    if (cpus < 1)
        return;
    fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "pcpu", 4, 4, 1, NULL);
    CHECK(fd >= 0);
    __u64 *values = calloc((size_t)cpus, sizeof *values); /* 4-byte values, 8-byte slots */
    for (int cpu = 0; cpu < cpus; cpu++)
        values[cpu] = 100u + (unsigned)cpu;
    key = 0;
    CHECK_EQ(bpf_map_update_elem(fd, &key, values, 0), 0);
    memset(values, 0, (size_t)cpus * sizeof *values);
    CHECK_EQ(bpf_map_lookup_elem(fd, &key, values), 0);
    CHECK_EQ(values[cpus - 1], 100u + (unsigned)cpus - 1);
    free(values);
    close(fd);
}

TEST(queue_pushes_peeks_and_pops_without_keys)
{
    int fd = bpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 0, 4, 2, NULL);
    CHECK(fd >= 0);
    __u32 value = 1, got = 0;
    CHECK_ERR(bpf_map_lookup_elem(fd, NULL, &got), ENOENT);
    CHECK_EQ(bpf_map_update_elem(fd, NULL, &value, 0), 0);
    value = 2;
    CHECK_EQ(bpf_map_update_elem(fd, NULL, &value, 0), 0);
    CHECK_ERR(bpf_map_update_elem(fd, NULL, &value, 0), E2BIG);
    CHECK_EQ(bpf_map_lookup_elem(fd, NULL, &got), 0);
    CHECK_EQ(got, 1);
    CHECK_EQ(bpf_map_lookup_and_delete_elem(fd, NULL, &got), 0);
    CHECK_EQ(got, 1);
    CHECK_EQ(bpf_map_lookup_and_delete_elem(fd, NULL, &got), 0);
    CHECK_EQ(got, 2);
    CHECK_ERR(bpf_map_lookup_and_delete_elem(fd, NULL, &got), ENOENT);
    close(fd);
}

TEST(batches_walk_update_and_delete)
{
    int fd = hash_map("batch", 64);
    __u32 keys[40], count = 40;
    __u64 values[40];
    for (__u32 i = 0; i < 40; i++) {
        keys[i] = i;
        values[i] = i * 10u;
    }
    CHECK_EQ(bpf_map_update_batch(fd, keys, values, &count, NULL), 0);
    CHECK_EQ(count, 40);
    /* Read back in chunks of 16 until the end (-ENOENT, last chunk still valid). */
    __u32 out_keys[16], batch_cursor = 0, total = 0;
    __u64 out_values[16], sum = 0;
    void *in = NULL;
    int err;
    do {
        count = 16;
        err = bpf_map_lookup_batch(fd, in, &batch_cursor, out_keys, out_values, &count, NULL);
        CHECK(err == 0 || (err == -ENOENT && errno == ENOENT));
        for (__u32 i = 0; i < count; i++) {
            CHECK_EQ(out_values[i], out_keys[i] * 10u);
            sum += out_values[i];
        }
        total += count;
        in = &batch_cursor;
    } while (err == 0);
    CHECK_EQ(total, 40);
    CHECK_EQ(sum, 7800);
    count = 10;
    CHECK_EQ(bpf_map_delete_batch(fd, keys, &count, NULL), 0);
    CHECK_EQ(count, 10);
    count = 1;
    CHECK_ERR(bpf_map_delete_batch(fd, keys, &count, NULL), ENOENT);
    total = 0;
    in = NULL;
    do {
        count = 16;
        err = bpf_map_lookup_and_delete_batch(fd, in, &batch_cursor, out_keys, out_values,
                                              &count, NULL);
        total += count;
        in = &batch_cursor;
    } while (err == 0);
    CHECK_EQ(total, 30);
    __u32 first;
    CHECK_ERR(bpf_map_get_next_key(fd, NULL, &first), ENOENT);

    LIBBPF_OPTS(bpf_map_batch_opts, flagged, .flags = 1);
    count = 1;
    CHECK_ERR(bpf_map_update_batch(fd, keys, values, &count, &flagged), EINVAL);
    LIBBPF_OPTS(bpf_map_batch_opts, locked, .elem_flags = BPF_F_LOCK);
    CHECK_ERR(bpf_map_update_batch(fd, keys, values, &count, &locked), EINVAL);
    CHECK_ERR(bpf_map_delete_batch(fd, keys, &count, &locked), EINVAL);
    CHECK_ERR(bpf_map_update_batch(fd, keys, values, NULL, NULL), EFAULT);
    CHECK_ERR(bpf_map_lookup_batch(fd, NULL, NULL, out_keys, out_values, &count, NULL), EFAULT);
    CHECK_ERR(bpf_map_lookup_batch(-1, NULL, &batch_cursor, out_keys, out_values, &count, NULL),
              EBADF);
    CHECK_EQ(count, 0);
    close(fd);
}

TEST(frozen_maps_refuse_writes_from_user_space)
{
    int fd = hash_map("frozen", 4);
    __u32 key = 1;
    __u64 value = 9, got = 0;
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, 0), 0);
    CHECK_EQ(bpf_map_freeze(fd), 0);
    CHECK_ERR(bpf_map_freeze(fd), EBUSY);
    CHECK_ERR(bpf_map_update_elem(fd, &key, &value, 0), EPERM);
    CHECK_ERR(bpf_map_delete_elem(fd, &key), EPERM);
    CHECK_ERR(bpf_map_lookup_and_delete_elem(fd, &key, &got), EPERM);
    __u32 count = 1;
    CHECK_ERR(bpf_map_update_batch(fd, &key, &value, &count, NULL), EPERM);
    CHECK_EQ(bpf_map_lookup_elem(fd, &key, &got), 0);
    CHECK_EQ(got, 9);
    /* Every fd of the map sees it frozen. */
    struct bpf_map_info info = {0};
    __u32 length = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(fd, &info, &length), 0);
    int other = bpf_map_get_fd_by_id(info.id);
    CHECK_ERR(bpf_map_update_elem(other, &key, &value, 0), EPERM);
    close(other);
    CHECK_ERR(bpf_map_freeze(-1), EBADF);
    close(fd);
}

TEST(maps_of_maps_and_prog_arrays_take_fds_and_give_ids)
{
    int inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "inner", 4, 8, 1, NULL);
    LIBBPF_OPTS(bpf_map_create_opts, opts, .inner_map_fd = (__u32)inner);
    int outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "outer", 4, 4, 2, &opts);
    CHECK(outer >= 0);
    LIBBPF_OPTS(bpf_map_create_opts, bad_inner, .inner_map_fd = 9999);
    CHECK_ERR(bpf_map_create(BPF_MAP_TYPE_HASH_OF_MAPS, "o2", 4, 4, 2, &bad_inner), EBADF);
    __u32 key = 1, id = 0;
    __s32 value = inner;
    CHECK_EQ(bpf_map_update_elem(outer, &key, &value, 0), 0);
    CHECK_EQ(bpf_map_lookup_elem(outer, &key, &id), 0);
    struct bpf_map_info info = {0};
    __u32 length = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(inner, &info, &length), 0);
    CHECK_EQ(id, info.id);
    close(inner);
    /* The outer map holds the inner one: its id still gives an fd. */
    int again = bpf_map_get_fd_by_id(id);
    CHECK(again >= 0);
    close(again);

    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "target", "GPL", pass_insns, 2, NULL);
    int jumps = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "jumps", 4, 4, 2, NULL);
    CHECK(prog >= 0 && jumps >= 0);
    value = prog;
    CHECK_EQ(bpf_map_update_elem(jumps, &key, &value, 0), 0);
    struct bpf_prog_info prog_info = {0};
    length = sizeof prog_info;
    CHECK_EQ(bpf_obj_get_info_by_fd(prog, &prog_info, &length), 0);
    CHECK_EQ(bpf_map_lookup_elem(jumps, &key, &id), 0);
    CHECK_EQ(id, prog_info.id);
    value = outer; /* a map where a program belongs */
    CHECK_ERR(bpf_map_update_elem(jumps, &key, &value, 0), EINVAL);
    value = -1;
    CHECK_ERR(bpf_map_update_elem(jumps, &key, &value, 0), EBADF);
    CHECK_EQ(bpf_map_delete_elem(jumps, &key), 0);
    close(prog);
    close(jumps);
    close(outer);
    handles_sweep();
    platform_epoch_barrier();
}

/* --- programs ------------------------------------------------------------------------------- */

TEST(prog_load_resolves_map_fds_and_reports_them)
{
    int map = counter_map();
    struct bpf_insn insns[11];
    counter_insns(insns, map, BPF_PSEUDO_MAP_FD);
    char log[512];
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof log, .log_level = 1);
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "counter_with_a_long_name", "GPL", insns, 11, &opts);
    if (prog < 0)
        fprintf(stderr, "  %s\n", log);
    CHECK(prog >= 0);

    struct bpf_map_info map_info = {0};
    __u32 length = sizeof map_info;
    CHECK_EQ(bpf_obj_get_info_by_fd(map, &map_info, &length), 0);
    CHECK_EQ(length, sizeof map_info);
    CHECK_EQ(map_info.type, BPF_MAP_TYPE_ARRAY);
    CHECK_EQ(map_info.key_size, 4);
    CHECK_EQ(map_info.value_size, 8);
    CHECK_EQ(map_info.max_entries, 1);
    CHECK_STR(map_info.name, "counter");

    __u32 map_ids[4] = {0};
    struct bpf_insn xlated[11];
    struct bpf_prog_info info = {
        .nr_map_ids = 4, .map_ids = (uintptr_t)map_ids,
        .xlated_prog_len = sizeof xlated, .xlated_prog_insns = (uintptr_t)xlated,
    };
    length = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(prog, &info, &length), 0);
    CHECK_EQ(info.type, BPF_PROG_TYPE_XDP);
    CHECK(info.id != 0);
    CHECK_STR(info.name, "counter_with_a_");
    CHECK_EQ(info.nr_map_ids, 1);
    CHECK_EQ(map_ids[0], map_info.id);
    CHECK_EQ(info.xlated_prog_len, sizeof xlated);
    /* The map reference comes back as its id, never as a host address. */
    CHECK_EQ(xlated[0].src_reg, BPF_PSEUDO_MAP_FD);
    CHECK_EQ(xlated[0].imm, map_info.id);
    CHECK_EQ(xlated[1].imm, 0);
    CHECK_EQ(xlated[5].imm, BPF_FUNC_map_lookup_elem);

    /* The same map through fd_array. */
    counter_insns(insns, 0, BPF_PSEUDO_MAP_IDX);
    int fd_array[] = {map};
    LIBBPF_OPTS(bpf_prog_load_opts, by_index, .fd_array = fd_array);
    int prog2 = bpf_prog_load(BPF_PROG_TYPE_XDP, "by_index", "GPL", insns, 11, &by_index);
    CHECK(prog2 >= 0);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "no_array", "GPL", insns, 11, NULL), EINVAL);
    close(prog2);
    close(prog);
    close(map);
}

TEST(prog_load_refusals)
{
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "none", "GPL", NULL, 2, NULL), EINVAL);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "empty", "GPL", pass_insns, 0, NULL), EINVAL);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "huge", "GPL", pass_insns, 2000000, NULL), E2BIG);
    LIBBPF_OPTS(bpf_prog_load_opts, flags, .prog_flags = 1);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "flags", "GPL", pass_insns, 2, &flags), EINVAL);
    LIBBPF_OPTS(bpf_prog_load_opts, level_only, .log_level = 1);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "log", "GPL", pass_insns, 2, &level_only), EINVAL);
    LIBBPF_OPTS(bpf_prog_load_opts, btf, .prog_btf_fd = 3);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "btf", "GPL", pass_insns, 2, &btf), EOPNOTSUPP);

    /* Map references through fds that are not maps. */
    struct bpf_insn insns[11];
    counter_insns(insns, 9999, BPF_PSEUDO_MAP_FD);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "badfd", "GPL", insns, 11, NULL), EBADF);
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "pass", "GPL", pass_insns, 2, NULL);
    counter_insns(insns, prog, BPF_PSEUDO_MAP_FD);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "progfd", "GPL", insns, 11, NULL), EINVAL);
    close(prog);

    /* Unsafe: r0 is never set. The verifier says why in the log. */
    const struct bpf_insn unsafe[] = {{.code = BPF_JMP | BPF_EXIT}};
    char log[1024] = "untouched";
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof log, .log_level = 1);
    CHECK_ERR(bpf_prog_load(BPF_PROG_TYPE_XDP, "unsafe", "GPL", unsafe, 1, &opts), EACCES);
    CHECK(strlen(log) > 0 && strcmp(log, "untouched") != 0);
    CHECK_CONTAINS(log, "r0");
}

TEST(test_run_runs_the_program_on_a_frame)
{
    int map = counter_map();
    struct bpf_insn insns[11];
    counter_insns(insns, map, BPF_PSEUDO_MAP_FD);
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "counter", "GPL", insns, 11, NULL);
    CHECK(prog >= 0);
    __u8 frame[64], out[64];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (__u8)i;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof frame,
                .data_out = out, .data_size_out = sizeof out, .repeat = 5);
    CHECK_EQ(bpf_prog_test_run_opts(prog, &opts), 0);
    CHECK_EQ(opts.retval, XDP_PASS);
    CHECK_EQ(opts.data_size_out, sizeof frame);
    CHECK(memcmp(out, frame, sizeof frame) == 0);
    __u32 key = 0;
    __u64 runs = 0;
    CHECK_EQ(bpf_map_lookup_elem(map, &key, &runs), 0);
    CHECK_EQ(runs, 5); /* each run added one */

    /* Output too small: -ENOSPC, the full size reported, what fitted copied. */
    memset(out, 0, sizeof out);
    opts.data_size_out = 16;
    opts.repeat = 1;
    CHECK_ERR(bpf_prog_test_run_opts(prog, &opts), ENOSPC);
    CHECK_EQ(opts.data_size_out, sizeof frame);
    CHECK(memcmp(out, frame, 16) == 0 && out[16] == 0);

    LIBBPF_OPTS(bpf_test_run_opts, flagged, .data_in = frame, .data_size_in = sizeof frame,
                .flags = 1u << 7);
    CHECK(bpf_prog_test_run_opts(prog, &flagged) < 0 && (errno == EINVAL || errno == EOPNOTSUPP));
    LIBBPF_OPTS(bpf_test_run_opts, tiny, .data_in = frame, .data_size_in = 4);
    CHECK_ERR(bpf_prog_test_run_opts(prog, &tiny), EINVAL); /* shorter than an Ethernet header */
    CHECK_ERR(bpf_prog_test_run_opts(prog, NULL), EINVAL);
    CHECK_ERR(bpf_prog_test_run_opts(map, &opts), EINVAL);
    CHECK_ERR(bpf_prog_test_run_opts(-1, &opts), EBADF);
    close(prog);
    close(map);
}

/* --- pins, ids, info ------------------------------------------------------------------------ */

TEST(pinned_map_outlives_its_fd_and_keeps_its_contents)
{
    int fd = hash_map("pinme", 4);
    __u32 key = 3;
    __u64 value = 33, got = 0;
    CHECK_EQ(bpf_map_update_elem(fd, &key, &value, 0), 0);
    CHECK_EQ(bpf_obj_pin(fd, "/sys/fs/bpf/api_test_map"), 0);
    CHECK_ERR(bpf_obj_pin(fd, "/sys/fs/bpf/api_test_map"), EEXIST);
    CHECK_ERR(bpf_obj_pin(fd, "/tmp/api_test_map"), EPERM);
    CHECK_ERR(bpf_obj_pin(fd, "/sys/fs/bpf/"), EINVAL);
    CHECK_ERR(bpf_obj_pin(-1, "/sys/fs/bpf/x"), EBADF);
    close(fd);
    handles_sweep();
    int again = bpf_obj_get("/sys/fs/bpf/api_test_map");
    CHECK(again >= 0);
    CHECK_EQ(bpf_map_lookup_elem(again, &key, &got), 0);
    CHECK_EQ(got, 33);
    close(again);
    CHECK_ERR(bpf_obj_get("/sys/fs/bpf/api_missing"), ENOENT);
    CHECK_ERR(bpf_obj_get("relative"), EPERM);
    CHECK_EQ(handles_unpin("/sys/fs/bpf/api_test_map"), 0);
    CHECK_ERR(bpf_obj_get("/sys/fs/bpf/api_test_map"), ENOENT);
    platform_epoch_barrier();
}

static bool enumerates(int (*next)(__u32, __u32 *), __u32 id)
{
    __u32 current = 0, found;
    while (next(current, &found) == 0) {
        if (found == id)
            return true;
        current = found;
    }
    return false;
}

TEST(ids_enumerate_and_open_objects)
{
    int map = hash_map("ids", 4);
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "ids", "GPL", pass_insns, 2, NULL);
    struct bpf_map_info map_info = {0};
    struct bpf_prog_info prog_info = {0};
    __u32 length = sizeof map_info;
    CHECK_EQ(bpf_obj_get_info_by_fd(map, &map_info, &length), 0);
    length = sizeof prog_info;
    CHECK_EQ(bpf_obj_get_info_by_fd(prog, &prog_info, &length), 0);
    CHECK(enumerates(bpf_map_get_next_id, map_info.id));
    CHECK(enumerates(bpf_prog_get_next_id, prog_info.id));
    CHECK(!enumerates(bpf_map_get_next_id, prog_info.id + 1000000));
    __u32 next;
    CHECK_ERR(bpf_map_get_next_id(0xffffffffu, &next), ENOENT);
    CHECK_ERR(bpf_prog_get_next_id(0, NULL), EFAULT);
    int map2 = bpf_map_get_fd_by_id(map_info.id);
    int prog2 = bpf_prog_get_fd_by_id(prog_info.id);
    CHECK(map2 >= 0 && map2 != map);
    CHECK(prog2 >= 0 && prog2 != prog);
    CHECK_ERR(bpf_map_get_fd_by_id(0), ENOENT);
    CHECK_ERR(bpf_prog_get_fd_by_id(0xfffffff0u), ENOENT);
    CHECK_ERR(bpf_link_get_fd_by_id(0xfffffff0u), ENOENT);
    close(map);
    close(prog);
    close(map2);
    close(prog2);
    CHECK_ERR(bpf_map_get_fd_by_id(map_info.id), ENOENT);
    CHECK_ERR(bpf_prog_get_fd_by_id(prog_info.id), ENOENT);
    platform_epoch_barrier();
}

TEST(info_lengths_follow_linux)
{
    int map = hash_map("len", 4);
    /* Shorter than the struct: only that much is written. */
    struct bpf_map_info info;
    memset(&info, 0xaa, sizeof info);
    __u32 length = 8;
    CHECK_EQ(bpf_obj_get_info_by_fd(map, &info, &length), 0);
    CHECK_EQ(length, 8);
    CHECK_EQ(info.type, BPF_MAP_TYPE_HASH);
    CHECK_EQ(info.key_size, 0xaaaaaaaau);
    /* Longer: accepted when the extra bytes are zero, refused otherwise. */
    struct {
        struct bpf_map_info info;
        __u64 extra;
    } bigger = {.extra = 0};
    length = sizeof bigger;
    CHECK_EQ(bpf_obj_get_info_by_fd(map, &bigger, &length), 0);
    CHECK_EQ(length, sizeof bigger.info);
    bigger.extra = 1;
    length = sizeof bigger;
    CHECK_ERR(bpf_obj_get_info_by_fd(map, &bigger, &length), E2BIG);
    CHECK_ERR(bpf_obj_get_info_by_fd(map, NULL, &length), EFAULT);
    CHECK_ERR(bpf_obj_get_info_by_fd(map, &info, NULL), EFAULT);
    CHECK_ERR(bpf_obj_get_info_by_fd(-1, &info, &length), EBADF);
    close(map);
}

/* --- links ---------------------------------------------------------------------------------- */

struct test_link {
    struct runtime_link link;
    int updates, detaches;
};
static int link_update(struct runtime_link *link, struct runtime_prog *prog)
{
    ((struct test_link *)link)->updates++;
    return 0;
}
static void link_detach(struct runtime_link *link) { ((struct test_link *)link)->detaches++; }
static void link_release(struct runtime_link *link) { free(link); }
static const struct runtime_link_ops link_ops = {link_update, link_detach, link_release};

TEST(links_update_detach_and_report)
{
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "first", "GPL", pass_insns, 2, NULL);
    int other = bpf_prog_load(BPF_PROG_TYPE_XDP, "second", "GPL", pass_insns, 2, NULL);
    int socket_prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sock", "GPL", pass_insns, 2, NULL);
    struct runtime_prog *attached;
    CHECK_EQ(handles_prog_from_fd(prog, &attached), 0);
    struct test_link *test = calloc(1, sizeof *test);
    runtime_link_init(&test->link, &link_ops, BPF_LINK_TYPE_XDP, BPF_XDP, attached);
    runtime_prog_put(attached);
    int link = handles_link_fd(&test->link);
    runtime_link_put(&test->link);
    CHECK(link >= 0);

    struct bpf_link_info info = {0};
    __u32 length = sizeof info;
    CHECK_EQ(bpf_obj_get_info_by_fd(link, &info, &length), 0);
    CHECK_EQ(info.type, BPF_LINK_TYPE_XDP);
    CHECK(info.id != 0);
    struct bpf_prog_info prog_info = {0};
    __u32 prog_length = sizeof prog_info;
    CHECK_EQ(bpf_obj_get_info_by_fd(prog, &prog_info, &prog_length), 0);
    CHECK_EQ(info.prog_id, prog_info.id);
    CHECK(enumerates(bpf_link_get_next_id, info.id));

    CHECK_EQ(bpf_link_update(link, other, NULL), 0);
    CHECK_EQ(test->updates, 1);
    LIBBPF_OPTS(bpf_link_update_opts, replace, .flags = BPF_F_REPLACE, .old_prog_fd = (__u32)prog);
    CHECK_ERR(bpf_link_update(link, prog, &replace), EPERM); /* other is attached, not prog */
    replace.old_prog_fd = (__u32)other;
    CHECK_EQ(bpf_link_update(link, prog, &replace), 0);
    LIBBPF_OPTS(bpf_link_update_opts, old_without_flag, .old_prog_fd = (__u32)prog);
    CHECK_ERR(bpf_link_update(link, other, &old_without_flag), EINVAL);
    CHECK_ERR(bpf_link_update(link, socket_prog, NULL), EINVAL); /* another program type */
    CHECK_ERR(bpf_link_update(prog, other, NULL), EINVAL);       /* not a link */
    CHECK_ERR(bpf_link_update(link, -1, NULL), EBADF);

    int by_id = bpf_link_get_fd_by_id(info.id);
    CHECK(by_id >= 0);
    CHECK_EQ(bpf_link_detach(by_id), 0);
    CHECK_EQ(test->detaches, 1);
    CHECK_ERR(bpf_link_detach(link), ENOLINK);
    CHECK_ERR(bpf_link_update(link, other, NULL), ENOLINK);
    CHECK_ERR(bpf_link_detach(-1), EBADF);
    close(by_id);
    close(link);
    close(prog);
    close(other);
    close(socket_prog);
    handles_sweep();
    CHECK_ERR(bpf_link_get_fd_by_id(info.id), ENOENT);
}

TEST_MAIN
