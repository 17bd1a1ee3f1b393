/* Loads each program of an eBPF object into the Linux kernel, one at a time (the others are
 * not loaded), and prints what the kernel's verifier reports for it, one tab-separated line
 * per program:
 *   program  insns  verified_insns  verify_us  load_us  status  message
 * verify_us is the kernel's own "verification time" (log level BPF_LOG_STATS); load_us is
 * the wall time of bpf_object__load, map creation included. status is "ok" or "rejected";
 * a rejection's message is the last line of the kernel's log. Needs root (CAP_BPF). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_SIZE (16u << 20)

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long log_number(const char *log, const char *label)
{
    const char *at = NULL;
    for (const char *p = strstr(log, label); p; p = strstr(p + 1, label))
        at = p; /* the last one: the main program's, after any subprogram lines */
    return at ? strtol(at + strlen(label), NULL, 10) : -1;
}

/* The kernel's reason for a rejection: the last line before its statistics ("processed N
 * insns ..."), or the last line when there are none. */
static void last_line(const char *log, char *out, size_t size)
{
    const char *stats = strstr(log, "\nprocessed ");
    size_t end = stats ? (size_t)(stats - log) : strlen(log);
    while (end > 0 && (log[end - 1] == '\n' || log[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start > 0 && log[start - 1] != '\n')
        start--;
    size_t n = end - start < size - 1 ? end - start : size - 1;
    memcpy(out, log + start, n);
    out[n] = '\0';
    for (char *c = out; *c; c++)
        if (*c == '\t')
            *c = ' ';
}

static int load_one(const char *path, const char *name, char *log)
{
    struct bpf_object *obj = bpf_object__open_file(path, NULL);
    if (!obj) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    struct bpf_program *prog, *target = NULL;
    bpf_object__for_each_program(prog, obj) {
        int is_target = strcmp(bpf_program__name(prog), name) == 0;
        bpf_program__set_autoload(prog, is_target);
        if (is_target)
            target = prog;
    }
    log[0] = '\0';
    bpf_program__set_log_buf(target, log, LOG_SIZE);
    bpf_program__set_log_level(target, 4);
    size_t insns = bpf_program__insn_cnt(target); /* the entry only: libbpf appends subprograms at load */
    double start = now_us();
    int err = bpf_object__load(obj);
    double load_us = now_us() - start;
    if (err) {
        /* Reload at log level 1 to get the reason: level 4 keeps only statistics. */
        bpf_object__close(obj);
        obj = bpf_object__open_file(path, NULL);
        bpf_object__for_each_program(prog, obj) {
            int is_target = strcmp(bpf_program__name(prog), name) == 0;
            bpf_program__set_autoload(prog, is_target);
            if (is_target) {
                log[0] = '\0';
                bpf_program__set_log_buf(prog, log, LOG_SIZE);
                bpf_program__set_log_level(prog, 1);
            }
        }
        bpf_object__load(obj);
        char reason[300];
        last_line(log, reason, sizeof(reason));
        printf("%s\t%zu\t-\t-\t%.0f\trejected\t%s\n", name, insns, load_us, reason);
        bpf_object__close(obj);
        return 1;
    }
    struct bpf_prog_info info = {0};
    __u32 info_len = sizeof(info);
    long verified = -1;
    if (bpf_obj_get_info_by_fd(bpf_program__fd(target), &info, &info_len) == 0)
        verified = info.verified_insns;
    printf("%s\t%zu\t%ld\t%ld\t%.0f\tok\t-\n", name, insns, verified,
           log_number(log, "verification time "), load_us);
    bpf_object__close(obj);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.bpf.o\n", argv[0]);
        return 2;
    }
    libbpf_set_print(NULL);
    char *log = malloc(LOG_SIZE);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!log || !obj) {
        fprintf(stderr, "%s: cannot open\n", argv[1]);
        return 2;
    }
    int names = 0;
    char name[64][128];
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj) {
        if (names < 64)
            snprintf(name[names++], sizeof(name[0]), "%s", bpf_program__name(prog));
    }
    bpf_object__close(obj);
    int rejected = 0;
    for (int i = 0; i < names; i++)
        rejected += load_one(argv[1], name[i], log) != 0;
    free(log);
    return rejected ? 1 : 0;
}
