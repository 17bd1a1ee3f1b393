/* A user-space loader written against a bpftool-generated skeleton, as libbpf users write
 * them (tests/suites/libbpf_skeleton.sh generates libbpf_skeleton.skel.h from
 * build/bpf/libbpf_skeleton.bpf.o and builds this against bpfhost's include/). Each
 * scenario (argv[1]) prints "ok", or what went wrong. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libbpf_skeleton.skel.h"

static int failures;

#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            printf("line %d: expected %s\n", __LINE__, #cond);                                     \
        }                                                                                          \
    } while (0)

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level, (void)fmt, (void)ap;
    return 0;
}

/* Runs accumulate on a packet starting with input; returns its verdict. */
static int run_accumulate(struct libbpf_skeleton_bpf *skel, __u32 input)
{
    unsigned char packet[64] = {0};
    memcpy(packet, &input, sizeof input);
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet);
    int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.accumulate), &opts);
    EXPECT(err == 0);
    return err ? -1 : (int)opts.retval;
}

/* Variables set before load are the programs' initial values; after load skel->bss and
 * skel->data are the variables themselves, both ways. */
static void globals(void)
{
    struct libbpf_skeleton_bpf *skel = libbpf_skeleton_bpf__open();
    EXPECT(skel != NULL);
    if (!skel)
        return;
    EXPECT(skel->rodata->multiplier == 1);
    EXPECT(skel->data->bias == 100);
    EXPECT(strcmp(skel->data->greeting, "hello") == 0);
    EXPECT(skel->data_custom->custom_counter == 5);
    EXPECT(skel->bss->total == 0);
    skel->rodata->multiplier = 3;
    skel->data->bias = 7;
    skel->bss->total = 1000;
    bpf_program__set_autoload(skel->progs.probe_sleep, false);
    EXPECT(libbpf_skeleton_bpf__load(skel) == 0);
    EXPECT(skel->rodata->multiplier == 3);
    EXPECT(skel->bss->total == 1000);
    EXPECT(run_accumulate(skel, 5) == XDP_PASS);
    EXPECT(skel->bss->total == 1000 + 5 * 3 + 7);
    EXPECT(skel->bss->calls == 1);
    EXPECT(skel->bss->last_input == 5);
    EXPECT(skel->data_custom->custom_counter == 6);
    EXPECT(strcmp(skel->data->greeting, "jello") == 0);
    /* Written here, seen by the program. */
    skel->data->bias = 50;
    skel->bss->calls = 40;
    EXPECT(run_accumulate(skel, 1) == XDP_PASS);
    EXPECT(skel->bss->total == 1022 + 1 * 3 + 50);
    EXPECT(skel->bss->calls == 41);
    /* The same memory as the map's elements and bpf_map__initial_value. */
    __u32 zero = 0;
    struct libbpf_skeleton_bpf__bss bss;
    EXPECT(bpf_map__lookup_elem(skel->maps.bss, &zero, sizeof zero, &bss, sizeof bss, 0) == 0);
    EXPECT(bss.total == skel->bss->total && bss.calls == 41 && bss.last_input == 1);
    size_t size = 0;
    EXPECT(bpf_map__initial_value(skel->maps.bss, &size) == (const void *)skel->bss);
    EXPECT(size == sizeof bss);
    bss.total = 9;
    EXPECT(bpf_map__update_elem(skel->maps.bss, &zero, sizeof zero, &bss, sizeof bss, 0) == 0);
    EXPECT(skel->bss->total == 9);
    /* Ordinary maps through skel->maps. */
    __u32 key = 5;
    __u64 value = 0;
    EXPECT(bpf_map__lookup_elem(skel->maps.seen_inputs, &key, sizeof key, &value, sizeof value,
                                0) == 0);
    EXPECT(value == 1);
    /* .rodata is frozen. */
    __u32 multiplier = 4;
    EXPECT(bpf_map__update_elem(skel->maps.rodata, &zero, sizeof zero, &multiplier,
                                sizeof multiplier, 0) == -EPERM);
    libbpf_skeleton_bpf__destroy(skel);
}

/* skel->rodata after load is read-only memory, as libbpf maps it: a write faults. */
static void readonly(void)
{
    struct libbpf_skeleton_bpf *skel = libbpf_skeleton_bpf__open();
    EXPECT(skel != NULL);
    if (!skel)
        return;
    skel->rodata->multiplier = 2;
    bpf_program__set_autoload(skel->progs.probe_sleep, false);
    EXPECT(libbpf_skeleton_bpf__load(skel) == 0);
    EXPECT(skel->rodata->multiplier == 2);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        *(volatile __u32 *)&skel->rodata->multiplier = 9;
        _exit(0);
    }
    int status = 0;
    EXPECT(waitpid(child, &status, 0) == child);
    EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    EXPECT(run_accumulate(skel, 10) == XDP_PASS);
    EXPECT(skel->bss->total == 10 * 2 + 100);
    libbpf_skeleton_bpf__destroy(skel);
}

/* Programs without an attach target are skipped, as libbpf skips them; a kprobe on a
 * function has no hook on bpfhost. */
static void attach(void)
{
    struct libbpf_skeleton_bpf *skel = libbpf_skeleton_bpf__open();
    EXPECT(skel != NULL);
    if (!skel)
        return;
    bpf_program__set_autoload(skel->progs.probe_sleep, false);
    EXPECT(libbpf_skeleton_bpf__load(skel) == 0);
    EXPECT(libbpf_skeleton_bpf__attach(skel) == 0);
    EXPECT(skel->links.accumulate == NULL);
    libbpf_skeleton_bpf__detach(skel);
    libbpf_skeleton_bpf__destroy(skel);

    skel = libbpf_skeleton_bpf__open_and_load();
    EXPECT(skel != NULL);
    if (!skel)
        return;
    EXPECT(bpf_program__fd(skel->progs.probe_sleep) >= 0);
    EXPECT(libbpf_skeleton_bpf__attach(skel) == -EOPNOTSUPP);
    EXPECT(errno == EOPNOTSUPP);
    libbpf_skeleton_bpf__destroy(skel);
}

/* Open options reach the object; a skeleton naming a map the object lacks is refused. */
static void errors(void)
{
    char log[256] = "";
    LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = log, .kernel_log_size = sizeof log);
    struct libbpf_skeleton_bpf *skel = libbpf_skeleton_bpf__open_opts(&opts);
    EXPECT(skel != NULL);
    if (skel) {
        /* The generator's object name is kept: the global data maps are found by it. */
        EXPECT(strcmp(bpf_object__name(skel->obj), "libbpf_skeleton_bpf") == 0);
        EXPECT(strcmp(bpf_map__name(skel->maps.bss), "libbpf_s.bss") == 0);
        libbpf_skeleton_bpf__destroy(skel);
    }

    skel = calloc(1, sizeof *skel);
    EXPECT(libbpf_skeleton_bpf__create_skeleton(skel) == 0);
    skel->skeleton->maps[1].name = "no_such_map";
    EXPECT(bpf_object__open_skeleton(skel->skeleton, NULL) == -ESRCH);
    libbpf_skeleton_bpf__destroy(skel);

    skel = calloc(1, sizeof *skel);
    EXPECT(libbpf_skeleton_bpf__create_skeleton(skel) == 0);
    skel->skeleton->data_sz = 100; /* a truncated ELF image */
    EXPECT(bpf_object__open_skeleton(skel->skeleton, NULL) < 0);
    EXPECT(skel->obj == NULL);
    libbpf_skeleton_bpf__destroy(skel);

    /* Loading fails (a verifier rejection is not needed: a second load is refused). */
    skel = libbpf_skeleton_bpf__open_and_load();
    EXPECT(skel != NULL);
    if (skel) {
        EXPECT(libbpf_skeleton_bpf__load(skel) == -EINVAL);
        libbpf_skeleton_bpf__destroy(skel);
    }
    bpf_object__destroy_skeleton(NULL);
}

int main(int argc, char **argv)
{
    libbpf_set_print(quiet);
    const char *scenario = argc > 1 ? argv[1] : "";
    if (!strcmp(scenario, "globals"))
        globals();
    else if (!strcmp(scenario, "readonly"))
        readonly();
    else if (!strcmp(scenario, "attach"))
        attach();
    else if (!strcmp(scenario, "errors"))
        errors();
    else {
        printf("usage: %s globals|readonly|attach|errors\n", argv[0]);
        return 2;
    }
    if (failures)
        return 1;
    printf("ok\n");
    return 0;
}
