/* A user-space loader for examples/xdp/xdp_firewall.bpf.o written for libbpf 1.x, nothing
 * bpfhost-specific: the libbpf_object_compat suite compiles it unchanged against the
 * system's libbpf and against bpfhost's include/, and runs the bpfhost build. It opens the
 * object, sizes a map, loads, and fills and reads the blocklists through <bpf/bpf.h>. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "line %d: %s\n", __LINE__, #cond);                                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s xdp_firewall.bpf.o\n", argv[0]);
        return 2;
    }
    libbpf_set_print(print_warnings);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "open: %s\n", strerror(errno));
        return 1;
    }
    struct bpf_map *blocked = bpf_object__find_map_by_name(obj, "blocked_v4");
    EXPECT(blocked != NULL);
    EXPECT(bpf_map__set_max_entries(blocked, 4096) == 0);
    int err = bpf_object__load(obj);
    if (err) {
        char why[128];
        libbpf_strerror(err, why, sizeof why);
        fprintf(stderr, "load: %s\n", why);
        bpf_object__close(obj);
        return 1;
    }
    EXPECT(bpf_map__max_entries(blocked) == 4096);
    EXPECT(bpf_map__set_max_entries(blocked, 8) == -EBUSY);

    int fd = bpf_object__find_map_fd_by_name(obj, "blocked_v4");
    EXPECT(fd >= 0 && fd == bpf_map__fd(blocked));
    __u32 address = inet_addr("10.0.0.1");
    __u8 yes = 1, read_back = 0;
    EXPECT(bpf_map_update_elem(fd, &address, &yes, BPF_NOEXIST) == 0);
    EXPECT(bpf_map_lookup_elem(fd, &address, &read_back) == 0 && read_back == 1);
    EXPECT(bpf_map_update_elem(fd, &address, &yes, BPF_NOEXIST) == -EEXIST);

    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "xdp_firewall");
    EXPECT(prog != NULL);
    EXPECT(bpf_program__type(prog) == BPF_PROG_TYPE_XDP);
    EXPECT(bpf_program__fd(prog) >= 0);

    __u32 index = XDP_PASS;
    __u64 count = 1;
    EXPECT(bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(obj, "verdicts"), &index,
                               &count) == 0 && count == 0);
    bpf_object__close(obj);
    if (failures)
        return 1;
    printf("ok\n");
    return 0;
}
