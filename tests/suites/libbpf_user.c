/* A user-space program written for libbpf 1.x's <bpf/bpf.h>, nothing bpfhost-specific: the
 * libbpf_compat suite compiles it unchanged against the system's libbpf headers and against
 * bpfhost's include/, links it with libbpfhost and runs it. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "line %d: %s\n", __LINE__, #cond);                                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

int main(void)
{
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
    int map = bpf_map_create(BPF_MAP_TYPE_HASH, "flows", sizeof(__u32), sizeof(__u64), 128, &opts);
    EXPECT(map >= 0);
    for (__u32 key = 1; key <= 10; key++) {
        __u64 value = key * 100;
        EXPECT(bpf_map_update_elem(map, &key, &value, BPF_NOEXIST) == 0);
    }
    __u32 key = 0, next;
    __u64 value, sum = 0;
    int count = 0;
    while (bpf_map_get_next_key(map, count ? &key : NULL, &next) == 0) {
        EXPECT(bpf_map_lookup_elem(map, &next, &value) == 0);
        sum += value;
        key = next;
        count++;
    }
    EXPECT(count == 10 && sum == 5500);
    key = 99;
    EXPECT(bpf_map_lookup_elem(map, &key, &value) == -ENOENT && errno == ENOENT);

    __u32 keys[16], batch_count = 16, cursor;
    __u64 values[16];
    int err = bpf_map_lookup_batch(map, NULL, &cursor, keys, values, &batch_count, NULL);
    EXPECT(err == -ENOENT && batch_count == 10);

    struct bpf_map_info info;
    memset(&info, 0, sizeof info);
    __u32 info_len = sizeof info;
    EXPECT(bpf_obj_get_info_by_fd(map, &info, &info_len) == 0);
    EXPECT(info.type == BPF_MAP_TYPE_HASH && strcmp(info.name, "flows") == 0);
    EXPECT(info.map_flags == BPF_F_NO_PREALLOC);

    EXPECT(bpf_obj_pin(map, "/sys/fs/bpf/flows") == 0);
    close(map);
    int pinned = bpf_obj_get("/sys/fs/bpf/flows");
    EXPECT(pinned >= 0);
    key = 3;
    EXPECT(bpf_map_lookup_elem(pinned, &key, &value) == 0 && value == 300);
    EXPECT(bpf_map_freeze(pinned) == 0);
    EXPECT(bpf_map_delete_elem(pinned, &key) == -EPERM);

    struct bpf_insn insns[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
        {.code = BPF_JMP | BPF_EXIT},
    };
    char log[256] = "";
    LIBBPF_OPTS(bpf_prog_load_opts, load, .log_buf = log, .log_size = sizeof log, .log_level = 1);
    int prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "pass", "GPL", insns, 2, &load);
    EXPECT(prog >= 0);
    __u8 frame[64] = {0}, out[64];
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = sizeof frame,
                .data_out = out, .data_size_out = sizeof out, .repeat = 3);
    EXPECT(bpf_prog_test_run_opts(prog, &run) == 0);
    EXPECT(run.retval == XDP_PASS && run.data_size_out == sizeof frame);
    __u32 id = 0, found = 0;
    while (bpf_prog_get_next_id(id, &id) == 0)
        found++;
    EXPECT(found >= 1);
    struct bpf_prog_info prog_info;
    memset(&prog_info, 0, sizeof prog_info);
    info_len = sizeof prog_info;
    EXPECT(bpf_obj_get_info_by_fd(prog, &prog_info, &info_len) == 0);
    int again = bpf_prog_get_fd_by_id(prog_info.id);
    EXPECT(again >= 0);
    close(again);
    close(prog);
    close(pinned);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
