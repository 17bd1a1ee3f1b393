/* The libbpf-compatible object API (include/bpf/libbpf.h) on build/bpf/libbpf_api.bpf.o:
 * opening, listing, finding, the getters and setters before and after load, and every
 * error path (NULL arguments, unknown names, setters after load, malformed input). */
#include <bpf/libbpf.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#define OBJECT "build/bpf/libbpf_api.bpf.o"

/* Messages of libbpf_set_print, kept for checks; the default printer would fill the log. */
static char printed[8192];
static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    size_t used = strlen(printed);
    if (used + 1 < sizeof printed) {
        int n = snprintf(printed + used, sizeof printed - used, "%d:", (int)level);
        if (n > 0 && used + (size_t)n < sizeof printed)
            vsnprintf(printed + used + n, sizeof printed - used - n, fmt, ap);
    }
    return 0;
}

static struct bpf_object *open_test_object(void)
{
    libbpf_set_print(capture);
    printed[0] = 0;
    struct bpf_object *obj = bpf_object__open_file(OBJECT, NULL);
    CHECK(obj != NULL);
    return obj;
}

/* The file's bytes, for open_mem. */
static void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

TEST(open_lists_programs_without_subprograms_in_elf_order)
{
    struct bpf_object *obj = open_test_object();
    if (!obj)
        return;
    CHECK_STR(bpf_object__name(obj), "libbpf_api");
    const char *names[8];
    size_t count = 0;
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (count < 8)
            names[count] = bpf_program__name(prog);
        count++;
    }
    CHECK_EQ(count, 3);
    if (count == 3) {
        CHECK_STR(names[0], "xdp_count");
        CHECK_STR(names[1], "socket_count");
        CHECK_STR(names[2], "untyped");
    }
    struct bpf_program *xdp = bpf_object__find_program_by_name(obj, "xdp_count");
    CHECK(xdp != NULL);
    CHECK_STR(bpf_program__section_name(xdp), "xdp");
    CHECK_EQ(bpf_program__type(xdp), BPF_PROG_TYPE_XDP);
    CHECK_EQ(bpf_program__expected_attach_type(xdp), BPF_XDP);
    CHECK(bpf_program__autoload(xdp));
    /* Before load: the function alone, as libbpf counts it. */
    size_t own = bpf_program__insn_cnt(xdp);
    CHECK(own > 5);
    const struct bpf_insn *insns = bpf_program__insns(xdp);
    CHECK(insns != NULL);
    if (insns)
        CHECK_EQ(insns[own - 1].code, BPF_JMP | BPF_EXIT);
    struct bpf_program *socket = bpf_object__find_program_by_name(obj, "socket_count");
    CHECK_EQ(bpf_program__type(socket), BPF_PROG_TYPE_SOCKET_FILTER);
    struct bpf_program *untyped = bpf_object__find_program_by_name(obj, "untyped");
    CHECK_STR(bpf_program__section_name(untyped), "bpfhost_unknown_section");
    CHECK_EQ(bpf_program__type(untyped), BPF_PROG_TYPE_UNSPEC);
    /* The .text subprogram is not a program of the object, as in libbpf. */
    errno = 0;
    CHECK(bpf_object__find_program_by_name(obj, "bump") == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK_CONTAINS(printed, "found program 'xdp_count'");
    bpf_object__close(obj);
}

TEST(open_lists_maps_in_libbpfs_order_with_their_definitions)
{
    struct bpf_object *obj = open_test_object();
    if (!obj)
        return;
    static const char *const expected[] = {"shared_config", "events", "counters",
                                           "libbpf_a.data", "libbpf_a.rodata", "libbpf_a.bss"};
    size_t count = 0;
    struct bpf_map *map;
    bpf_object__for_each_map(map, obj) {
        if (count < 6)
            CHECK_STR(bpf_map__name(map), expected[count]);
        count++;
    }
    CHECK_EQ(count, 6);
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK(counters != NULL);
    CHECK_EQ(bpf_map__type(counters), BPF_MAP_TYPE_HASH);
    CHECK_EQ(bpf_map__key_size(counters), 4);
    CHECK_EQ(bpf_map__value_size(counters), 8);
    CHECK_EQ(bpf_map__max_entries(counters), 16);
    CHECK_EQ(bpf_map__map_flags(counters), 0);
    CHECK_EQ(bpf_map__fd(counters), -1); /* not created yet */
    CHECK_EQ(bpf_object__find_map_fd_by_name(obj, "counters"), -1);
    struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
    CHECK_EQ(bpf_map__type(events), BPF_MAP_TYPE_RINGBUF);
    CHECK_EQ(bpf_map__max_entries(events), 4096);
    /* Global data: by name and by section, with its initial contents. */
    struct bpf_map *data = bpf_object__find_map_by_name(obj, "libbpf_a.data");
    CHECK(data != NULL);
    CHECK(bpf_object__find_map_by_name(obj, ".data") == data);
    CHECK_EQ(bpf_map__map_flags(data), BPF_F_MMAPABLE);
    size_t size = 0;
    const int *packets = bpf_map__initial_value(data, &size);
    CHECK(packets != NULL);
    CHECK_EQ(size, 4);
    if (packets)
        CHECK_EQ(*packets, 7);
    struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
    const int *limit = bpf_map__initial_value(rodata, &size);
    CHECK(limit && *limit == 3);
    /* Not global data: no initial value. */
    CHECK(bpf_map__initial_value(counters, &size) == NULL);
    errno = 0;
    CHECK(bpf_object__find_map_by_name(obj, "no_such_map") == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK(bpf_object__find_map_by_name(obj, ".maps") == NULL);
    CHECK_EQ(bpf_object__find_map_fd_by_name(obj, "no_such_map"), -EINVAL);
    bpf_object__close(obj);
}

TEST(open_mem_sees_the_same_object_and_names_it_like_libbpf)
{
    size_t size = 0;
    void *buf = read_file(OBJECT, &size);
    CHECK(buf != NULL);
    if (!buf)
        return;
    libbpf_set_print(capture);
    struct bpf_object *obj = bpf_object__open_mem(buf, size, NULL);
    CHECK(obj != NULL);
    char name[64];
    snprintf(name, sizeof name, "%lx-%lx", (unsigned long)buf, (unsigned long)size);
    CHECK_STR(bpf_object__name(obj), name);
    memset(buf, 0, size); /* the object keeps its own copy */
    CHECK(bpf_object__find_program_by_name(obj, "socket_count") != NULL);
    bpf_object__close(obj);
    free(buf);
}

TEST(open_options_name_the_object_and_are_checked_like_libbpf)
{
    libbpf_set_print(capture);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "custom");
    struct bpf_object *obj = bpf_object__open_file(OBJECT, &opts);
    CHECK_STR(bpf_object__name(obj), "custom");
    CHECK(bpf_object__find_map_by_name(obj, "custom.data") != NULL);
    bpf_object__close(obj);

    /* A newer caller's larger struct is fine when the unknown tail is zero... */
    struct {
        struct bpf_object_open_opts opts;
        char newer_fields[16];
    } larger = {{.sz = sizeof larger}, {0}};
    obj = bpf_object__open_file(OBJECT, &larger.opts);
    CHECK(obj != NULL);
    bpf_object__close(obj);
    /* ... and refused when it is not, as is a size smaller than sz itself. */
    larger.newer_fields[3] = 1;
    printed[0] = 0;
    errno = 0;
    CHECK(bpf_object__open_file(OBJECT, &larger.opts) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_CONTAINS(printed, "non-zero extra bytes");
    struct bpf_object_open_opts tiny = {.sz = 4};
    errno = 0;
    CHECK(bpf_object__open_file(OBJECT, &tiny) == NULL);
    CHECK_EQ(errno, EINVAL);
    /* An old caller's smaller struct: the fields it lacks take their defaults. */
    struct bpf_object_open_opts old = {.sz = sizeof(size_t), .object_name = "ignored"};
    obj = bpf_object__open_file(OBJECT, &old);
    CHECK_STR(bpf_object__name(obj), "libbpf_api");
    bpf_object__close(obj);
    /* A log buffer needs its size. */
    char log[16];
    LIBBPF_OPTS(bpf_object_open_opts, no_size, .kernel_log_buf = log);
    errno = 0;
    CHECK(bpf_object__open_file(OBJECT, &no_size) == NULL);
    CHECK_EQ(errno, EINVAL);
}

TEST(malformed_and_missing_files_give_null_errno_and_a_warning)
{
    libbpf_set_print(capture);
    printed[0] = 0;
    errno = 0;
    struct bpf_object *obj = bpf_object__open("build/bpf/no_such_file.o");
    CHECK(obj == NULL);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(libbpf_get_error(obj), -ENOENT);
    CHECK_CONTAINS(printed, "0:libbpf: failed to open build/bpf/no_such_file.o");

    static const char not_elf[] = "this is not an ELF file at all, just some text...........";
    errno = 0;
    CHECK(bpf_object__open_mem(not_elf, sizeof not_elf, NULL) == NULL);
    CHECK(errno != 0);
    CHECK(libbpf_get_error(NULL) < 0);

    /* A real object cut short. */
    size_t size = 0;
    void *buf = read_file(OBJECT, &size);
    if (buf) {
        for (size_t cut = 16; cut < size; cut += size / 7) {
            errno = 0;
            obj = bpf_object__open_mem(buf, cut, NULL);
            CHECK(obj == NULL);
            CHECK(errno != 0);
            bpf_object__close(obj);
        }
        free(buf);
    }
    errno = 0;
    CHECK(bpf_object__open_mem(NULL, 10, NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(bpf_object__open_mem(not_elf, 0, NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(bpf_object__open_file(NULL, NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
}

TEST(null_arguments_are_refused_with_einval)
{
    libbpf_set_print(capture);
    errno = 0;
    CHECK(bpf_object__name(NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(bpf_object__next_program(NULL, NULL) == NULL);
    CHECK(bpf_object__next_map(NULL, NULL) == NULL);
    CHECK(bpf_object__find_program_by_name(NULL, "x") == NULL);
    CHECK(bpf_object__find_map_by_name(NULL, "x") == NULL);
    CHECK_EQ(bpf_object__find_map_fd_by_name(NULL, "x"), -EINVAL);
    CHECK_EQ(bpf_object__load(NULL), -EINVAL);
    bpf_object__close(NULL);

    CHECK(bpf_program__name(NULL) == NULL);
    CHECK(bpf_program__section_name(NULL) == NULL);
    CHECK(bpf_program__insns(NULL) == NULL);
    CHECK_EQ(bpf_program__insn_cnt(NULL), 0);
    CHECK(!bpf_program__autoload(NULL));
    CHECK_EQ(bpf_program__set_autoload(NULL, false), -EINVAL);
    CHECK_EQ(bpf_program__type(NULL), BPF_PROG_TYPE_UNSPEC);
    CHECK_EQ(bpf_program__set_type(NULL, BPF_PROG_TYPE_XDP), -EINVAL);
    CHECK_EQ(bpf_program__expected_attach_type(NULL), 0);
    CHECK_EQ(bpf_program__set_expected_attach_type(NULL, BPF_XDP), -EINVAL);
    CHECK_EQ(bpf_program__fd(NULL), -EINVAL);

    errno = 0;
    CHECK(bpf_map__name(NULL) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(bpf_map__fd(NULL), -EINVAL);
    CHECK_EQ(bpf_map__type(NULL), BPF_MAP_TYPE_UNSPEC);
    CHECK_EQ(bpf_map__key_size(NULL), 0);
    CHECK_EQ(bpf_map__value_size(NULL), 0);
    CHECK_EQ(bpf_map__max_entries(NULL), 0);
    CHECK_EQ(bpf_map__map_flags(NULL), 0);
    CHECK_EQ(bpf_map__set_max_entries(NULL, 1), -EINVAL);
    CHECK_EQ(bpf_map__set_value_size(NULL, 1), -EINVAL);
    CHECK_EQ(bpf_map__set_initial_value(NULL, "x", 1), -EINVAL);
    size_t size;
    CHECK(bpf_map__initial_value(NULL, &size) == NULL);

    struct bpf_object *obj = open_test_object();
    if (!obj)
        return;
    CHECK(bpf_object__find_program_by_name(obj, NULL) == NULL);
    CHECK(bpf_object__find_map_by_name(obj, NULL) == NULL);
    struct bpf_map *data = bpf_object__find_map_by_name(obj, ".data");
    CHECK(bpf_map__initial_value(data, NULL) == NULL);
    CHECK_EQ(bpf_map__set_initial_value(data, NULL, 4), -EINVAL);
    /* Iterating with another object's program or map is an error, not a walk off the end. */
    struct bpf_object *other = bpf_object__open(OBJECT);
    errno = 0;
    CHECK(bpf_object__next_program(obj, bpf_object__next_program(other, NULL)) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK(bpf_object__next_map(obj, bpf_object__next_map(other, NULL)) == NULL);
    bpf_object__close(other);
    bpf_object__close(obj);
}

TEST(setters_change_the_definitions_before_load)
{
    struct bpf_object *obj = open_test_object();
    if (!obj)
        return;
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK_EQ(bpf_map__set_max_entries(counters, 1000), 0);
    CHECK_EQ(bpf_map__max_entries(counters), 1000);
    CHECK_EQ(bpf_map__set_value_size(counters, 16), 0);
    CHECK_EQ(bpf_map__value_size(counters), 16);
    /* Ring buffers: rounded up to a power-of-two number of pages, as libbpf does. */
    struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
    CHECK_EQ(bpf_map__set_max_entries(events, 5000), 0);
    CHECK_EQ(bpf_map__max_entries(events), 8192);
    CHECK_EQ(bpf_map__set_max_entries(events, 16384), 0);
    CHECK_EQ(bpf_map__max_entries(events), 16384);
    /* Initial values: global data only, of the exact size. */
    struct bpf_map *data = bpf_object__find_map_by_name(obj, ".data");
    int packets = 42;
    CHECK_EQ(bpf_map__set_initial_value(data, &packets, sizeof packets), 0);
    size_t size = 0;
    const int *value = bpf_map__initial_value(data, &size);
    CHECK(value && *value == 42);
    CHECK_EQ(bpf_map__set_initial_value(data, &packets, 2), -EINVAL);
    CHECK_EQ(bpf_map__set_initial_value(counters, &packets, 16), -EINVAL);
    /* A larger value size keeps the contents and zero-fills the rest. */
    CHECK_EQ(bpf_map__set_value_size(data, 12), 0);
    const int *grown = bpf_map__initial_value(data, &size);
    CHECK_EQ(size, 12);
    if (grown) {
        CHECK_EQ(grown[0], 42);
        CHECK_EQ(grown[1], 0);
        CHECK_EQ(grown[2], 0);
    }
    int three[3] = {1, 2, 3};
    CHECK_EQ(bpf_map__set_initial_value(data, three, sizeof three), 0);
    CHECK_EQ(bpf_map__set_value_size(data, 4), 0);

    struct bpf_program *untyped = bpf_object__find_program_by_name(obj, "untyped");
    CHECK_EQ(bpf_program__set_type(untyped, BPF_PROG_TYPE_SOCKET_FILTER), 0);
    CHECK_EQ(bpf_program__type(untyped), BPF_PROG_TYPE_SOCKET_FILTER);
    CHECK_EQ(bpf_program__set_expected_attach_type(untyped, BPF_CGROUP_INET_EGRESS), 0);
    CHECK_EQ(bpf_program__expected_attach_type(untyped), BPF_CGROUP_INET_EGRESS);
    CHECK_EQ(bpf_program__set_autoload(untyped, false), 0);
    CHECK(!bpf_program__autoload(untyped));
    CHECK_EQ(bpf_program__set_autoload(untyped, true), 0);
    CHECK(bpf_program__autoload(untyped));
    CHECK_EQ(bpf_program__fd(untyped), -ENOENT);
    bpf_object__close(obj);
}

TEST(load_refuses_a_program_of_unknown_type_and_cannot_be_retried)
{
    struct bpf_object *obj = open_test_object();
    if (!obj)
        return;
    char log[256] = "";
    bpf_object__close(obj);
    LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log, .kernel_log_size = sizeof log);
    obj = bpf_object__open_file(OBJECT, &opts);
    printed[0] = 0;
    CHECK_EQ(bpf_object__load(obj), -EINVAL);
    CHECK_EQ(errno, EINVAL);
    CHECK_CONTAINS(printed, "0:libbpf: failed to load object 'libbpf_api': prog 'untyped': "
                            "missing BPF prog type, check ELF section name "
                            "'bpfhost_unknown_section'");
    CHECK_CONTAINS(log, "prog 'untyped': missing BPF prog type");
    /* Nothing was created, and like libbpf a second attempt is refused. */
    CHECK_EQ(bpf_map__fd(bpf_object__find_map_by_name(obj, "counters")), -1);
    CHECK_EQ(bpf_program__fd(bpf_object__find_program_by_name(obj, "xdp_count")), -ENOENT);
    printed[0] = 0;
    CHECK_EQ(bpf_object__load(obj), -EINVAL);
    CHECK_CONTAINS(printed, "load can't be attempted twice");
    bpf_object__close(obj);
}

TEST(load_creates_maps_and_loads_programs_and_freezes_the_definitions)
{
    struct bpf_object *obj = open_test_object();
    if (!obj)
        return;
    struct bpf_program *untyped = bpf_object__find_program_by_name(obj, "untyped");
    CHECK_EQ(bpf_program__set_autoload(untyped, false), 0);
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK_EQ(bpf_map__set_max_entries(counters, 64), 0);
    struct bpf_map *data = bpf_object__find_map_by_name(obj, ".data");
    int packets = 11;
    CHECK_EQ(bpf_map__set_initial_value(data, &packets, sizeof packets), 0);
    printed[0] = 0;
    int err = bpf_object__load(obj);
    CHECK_EQ(err, 0);
    if (err)
        fprintf(stderr, "  %s\n", printed);
    CHECK_CONTAINS(printed, "2:libbpf: prog 'xdp_count': verified in ");

    struct bpf_program *xdp = bpf_object__find_program_by_name(obj, "xdp_count");
    CHECK(bpf_program__fd(xdp) >= 0);
    CHECK_EQ(bpf_program__fd(untyped), -ENOENT);
    /* After load: the program with its subprogram appended. */
    CHECK(bpf_program__insn_cnt(xdp) > bpf_program__insn_cnt(untyped));
    CHECK(bpf_map__fd(counters) >= 0);
    CHECK_EQ(bpf_object__find_map_fd_by_name(obj, "counters"), bpf_map__fd(counters));
    CHECK(bpf_map__fd(counters) != bpf_map__fd(data));
    /* The live global variables, with the value set before load. */
    size_t size = 0;
    int *live = (int *)bpf_map__initial_value(data, &size);
    CHECK(live && *live == 11);

    /* Every setter is refused now. */
    errno = 0;
    CHECK_EQ(bpf_program__set_type(xdp, BPF_PROG_TYPE_SOCKET_FILTER), -EBUSY);
    CHECK_EQ(errno, EBUSY);
    CHECK_EQ(bpf_program__set_expected_attach_type(xdp, BPF_XDP_DEVMAP), -EBUSY);
    CHECK_EQ(bpf_program__set_autoload(untyped, true), -EINVAL);
    CHECK_EQ(bpf_map__set_max_entries(counters, 4), -EBUSY);
    CHECK_EQ(bpf_map__set_value_size(counters, 4), -EBUSY);
    CHECK_EQ(bpf_map__set_initial_value(data, &packets, sizeof packets), -EBUSY);
    CHECK_EQ(bpf_map__max_entries(counters), 64);
    bpf_object__close(obj);
}

TEST(the_verifiers_rejection_is_a_warning_and_goes_to_the_log_buffer)
{
    libbpf_set_print(capture);
    char log[512] = "";
    LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log, .kernel_log_size = sizeof log);
    struct bpf_object *obj = bpf_object__open_file("build/bpf/runtime_unsafe.bpf.o", &opts);
    CHECK(obj != NULL);
    printed[0] = 0;
    int err = bpf_object__load(obj);
    CHECK(err < 0);
    CHECK_EQ(errno, -err);
    CHECK_CONTAINS(printed, "0:libbpf: failed to load object 'runtime_unsafe': ");
    CHECK_CONTAINS(printed, "unchecked_read");
    CHECK_CONTAINS(log, "unchecked_read");
    CHECK_EQ(bpf_program__fd(bpf_object__find_program_by_name(obj, "checked_read")), -ENOENT);
    bpf_object__close(obj);

    /* Without the rejected program the object loads; log level 1 asks for the verifier's
     * own log, truncated to the buffer. */
    LIBBPF_OPTS(bpf_object_open_opts, verbose, .kernel_log_buf = log,
                .kernel_log_size = sizeof log, .kernel_log_level = 1);
    obj = bpf_object__open_file("build/bpf/runtime_unsafe.bpf.o", &verbose);
    CHECK_EQ(bpf_program__set_autoload(bpf_object__find_program_by_name(obj, "unchecked_read"),
                                       false), 0);
    log[0] = 0;
    CHECK_EQ(bpf_object__load(obj), 0);
    CHECK(log[0] != 0);
    CHECK(strlen(log) < sizeof log);
    CHECK(bpf_program__fd(bpf_object__find_program_by_name(obj, "checked_read")) >= 0);
    bpf_object__close(obj);
}

TEST(relaxed_maps_ignores_unknown_map_attributes)
{
    /* The test object with its maps' "max_entries" attribute renamed in the BTF strings:
     * an attribute the loader does not know. */
    size_t size = 0;
    char *buf = read_file(OBJECT, &size);
    CHECK(buf != NULL);
    if (!buf)
        return;
    static const char known[] = "max_entries", unknown[] = "max_entriez";
    size_t renamed = 0;
    for (size_t i = 0; i + sizeof known <= size; i++) {
        if (!memcmp(buf + i, known, sizeof known)) {
            memcpy(buf + i, unknown, sizeof unknown);
            renamed++;
        }
    }
    CHECK(renamed > 0);
    libbpf_set_print(capture);
    printed[0] = 0;
    errno = 0;
    CHECK(bpf_object__open_mem(buf, size, NULL) == NULL);
    CHECK_EQ(errno, ENOTSUP);
    CHECK_CONTAINS(printed, "unknown field 'max_entriez'");
    LIBBPF_OPTS(bpf_object_open_opts, opts, .relaxed_maps = true);
    struct bpf_object *obj = bpf_object__open_mem(buf, size, &opts);
    CHECK(obj != NULL);
    struct bpf_map *counters = bpf_object__find_map_by_name(obj, "counters");
    CHECK_EQ(bpf_map__key_size(counters), 4);
    CHECK_EQ(bpf_map__max_entries(counters), 0);
    bpf_object__close(obj);
    free(buf);
}

#define KCONFIG_OBJECT "build/bpf/libbpf_kconfig.bpf.o"

/* The .kconfig map's contents after opening with that kconfig text, or NULL (errno). */
static struct bpf_object *open_with_kconfig(const char *kconfig, const uint8_t **value)
{
    libbpf_set_print(capture);
    printed[0] = 0;
    LIBBPF_OPTS(bpf_object_open_opts, opts, .kconfig = kconfig);
    struct bpf_object *obj = bpf_object__open_file(KCONFIG_OBJECT, &opts);
    size_t size = 0;
    *value = obj ? bpf_map__initial_value(bpf_object__find_map_by_name(obj, ".kconfig"), &size)
                 : NULL;
    if (obj)
        CHECK_EQ(size, 28);
    return obj;
}

TEST(kconfig_gives_config_externs_their_values)
{
    const uint8_t *v;
    struct bpf_object *obj = open_with_kconfig(
        "# a comment line\nCONFIG_BOOL=y\nCONFIG_TRISTATE=m\nCONFIG_CHAR=120\n"
        "CONFIG_USHORT=0x1234\nCONFIG_INT=-5\nCONFIG_ULONG=123456789012\n"
        "CONFIG_STR=\"abcdefghij\"\nCONFIG_INT=7\nCONFIG_UNUSED=1", &v);
    CHECK(obj && v);
    if (v) {
        /* libbpf's layout: larger alignment first, then by name. */
        uint64_t ulong;
        int32_t i;
        uint32_t tristate;
        uint16_t ushort;
        memcpy(&ulong, v, 8);
        memcpy(&i, v + 8, 4);
        memcpy(&tristate, v + 12, 4);
        memcpy(&ushort, v + 16, 2);
        CHECK_EQ(ulong, 123456789012ull);
        CHECK_EQ(i, -5); /* the first line naming an extern wins */
        CHECK_EQ(tristate, 2);
        CHECK_EQ(ushort, 0x1234);
        CHECK_EQ(v[18], 1);
        CHECK_EQ(v[19], 'x');
        CHECK_STR((const char *)v + 20, "abcdefg"); /* truncated to the array */
    }
    /* They load and the program reads them. */
    CHECK_EQ(bpf_object__load(obj), 0);
    bpf_object__close(obj);

    obj = open_with_kconfig(NULL, &v);
    CHECK(obj && v);
    for (int b = 0; v && b < 28; b++)
        CHECK_EQ(v[b], 0); /* weak externs without a value */
    bpf_object__close(obj);
    obj = open_with_kconfig("CONFIG_BOOL=n\nCONFIG_TRISTATE=y\nCONFIG_CHAR=m", &v);
    CHECK(v && v[18] == 0 && v[12] == 1 && v[19] == 'm');
    bpf_object__close(obj);
}

TEST(kconfig_values_the_extern_cannot_take_are_refused)
{
    static const struct {
        const char *kconfig, *message;
        int err;
    } cases[] = {
        {"CONFIG_BOOL=m", "value 'm' implies tristate or char type", EINVAL},
        {"CONFIG_INT=y", "implies bool, tristate, or char type", EINVAL},
        {"CONFIG_USHORT=70000", "doesn't fit in 2 bytes", ERANGE},
        {"CONFIG_CHAR=300", "doesn't fit in 1 bytes", ERANGE},
        {"CONFIG_INT=0x80000000", "doesn't fit in 4 bytes", ERANGE},
        {"CONFIG_INT=12abc", "isn't a valid integer", EINVAL},
        {"CONFIG_INT=\"text\"", "implies char array type", EINVAL},
        {"CONFIG_STR=12", "implies integer type", EINVAL},
        {"CONFIG_STR=\"unterminated", "invalid string config", EINVAL},
        {"CONFIG_TRISTATE=", "no value", EINVAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *v;
        errno = 0;
        struct bpf_object *obj = open_with_kconfig(cases[i].kconfig, &v);
        CHECK(obj == NULL);
        CHECK_EQ(errno, cases[i].err);
        CHECK_CONTAINS(printed, cases[i].message);
        bpf_object__close(obj);
    }
}

TEST(code_outside_functions_is_neither_listed_nor_loaded_as_in_libbpf)
{
    /* An object from an old compiler: its one program has no function symbol. */
    const char *shared = getenv("SHARED");
    char path[512];
    snprintf(path, sizeof path, "%s/corpus/linux/tracex1_kern.o", shared ? shared : "../shared");
    libbpf_set_print(capture);
    struct bpf_object *obj = bpf_object__open(path);
    if (!obj) {
        printf("SKIP %s not found\n", path);
        return;
    }
    CHECK(bpf_object__next_program(obj, NULL) == NULL);
    CHECK(bpf_object__find_program_by_name(obj, "kprobe/__netif_receive_skb_core") == NULL);
    CHECK_EQ(bpf_object__load(obj), 0);
    bpf_object__close(obj);
}

TEST(print_levels_and_silencing)
{
    libbpf_set_print(capture);
    printed[0] = 0;
    struct bpf_object *obj = bpf_object__open(OBJECT);
    CHECK_CONTAINS(printed, "2:libbpf: loading build/bpf/libbpf_api.bpf.o");
    CHECK_CONTAINS(printed, "2:libbpf: map 'counters' (section .maps): type 1, key 4, value 8");
    bpf_object__close(obj);
    CHECK(libbpf_set_print(NULL) == capture);
    printed[0] = 0;
    errno = 0;
    CHECK(bpf_object__open("build/bpf/no_such_file.o") == NULL);
    CHECK_EQ(errno, ENOENT); /* printing (or not) leaves errno alone */
    CHECK_STR(printed, "");
    CHECK(libbpf_set_print(capture) == NULL);
}

TEST_MAIN
