/* Kernel side of the map bench: loads one XDP program of a BPF object with libbpf, fills its
 * maps as maps_prefill.h says, and times it with BPF_PROG_TEST_RUN (the kernel reports the
 * mean duration of <repeat> runs). Ring buffers are drained between timed runs.
 * usage: maps_kbench OBJ.o PROG REPEAT RUNS
 * Prints: kernel OBJ/PROG ... median_ns=... min_ns=... retval=... (ns per program run). */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <stdio.h>
#include <string.h>

#include "maps_prefill.h"
#include "packet.h"
#include "stats.h"

static int prefill(struct bpf_map *m)
{
    int fd = bpf_map__fd(m);
    switch (bpf_map__type(m)) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_LRU_HASH:
        for (__u32 k = 0; k < bpf_map__max_entries(m) && k < MAPS_NKEYS; k++) {
            __u64 v[MAPS_VALUE_MAX / 8] = {k * 3ull}; /* larger values: the rest zero */
            if (bpf_map__value_size(m) > sizeof v || bpf_map_update_elem(fd, &k, v, BPF_ANY))
                return -1;
        }
        return 0;
    case BPF_MAP_TYPE_LPM_TRIE: {
        struct maps_lpm_key key = {.prefixlen = 8, .addr = htonl(0x0a000000u)};
        __u64 v = 1;
        if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
            return -1;
        for (__u32 k = 0; k < MAPS_NKEYS; k++) {
            key = (struct maps_lpm_key){.prefixlen = 22, .addr = htonl(maps_lpm_net(k))};
            v = k * 3ull;
            if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
                return -1;
        }
        return 0;
    }
    default:
        return 0;
    }
}

static int ignore_record(void *ctx, void *data, size_t size)
{
    (void)ctx, (void)data, (void)size;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s OBJ.o PROG REPEAT RUNS\n", argv[0]);
        return 2;
    }
    int repeat = atoi(argv[3]), runs = atoi(argv[4]);
    if (runs < 1 || runs > MAXRUNS || repeat < 1) {
        fprintf(stderr, "maps_kbench: bad REPEAT or RUNS\n");
        return 2;
    }
    if (!getenv("KBENCH_VERBOSE"))
        libbpf_set_print(NULL);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        perror(argv[1]);
        return 1;
    }
    struct bpf_program *p, *prog = NULL;
    bpf_object__for_each_program(p, obj) {
        if (!strcmp(bpf_program__name(p), argv[2]))
            prog = p;
        else
            bpf_program__set_autoload(p, false);
    }
    if (!prog) {
        fprintf(stderr, "maps_kbench: no program %s in %s\n", argv[2], argv[1]);
        return 1;
    }
    if (bpf_object__load(obj)) {
        fprintf(stderr, "maps_kbench: the kernel refused to load %s\n", argv[1]);
        return 1;
    }
    struct ring_buffer *ring = NULL;
    struct bpf_map *m;
    bpf_object__for_each_map(m, obj) {
        if (prefill(m)) {
            perror("maps_kbench: prefill");
            return 1;
        }
        if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF && !ring)
            ring = ring_buffer__new(bpf_map__fd(m), ignore_record, NULL, NULL);
    }
    static uint8_t pkt[1500], out[1500];
    make_packet(pkt);
    double d[MAXRUNS];
    unsigned retval = 0;
    for (int r = 0; r < runs; r++) {
        LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof pkt,
                    .data_out = out, .data_size_out = sizeof out, .repeat = repeat);
        if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o)) {
            perror("maps_kbench: test_run");
            return 1;
        }
        d[r] = o.duration;
        retval = o.retval;
        if (ring)
            ring_buffer__consume(ring);
    }
    double least = d[0];
    for (int r = 1; r < runs; r++)
        least = d[r] < least ? d[r] : least;
    printf("kernel %s/%s repeat=%d runs=%d median_ns=%.1f min_ns=%.1f retval=0x%x\n", argv[1],
           argv[2], repeat, runs, median(d, runs), least, retval);
    ring_buffer__free(ring);
    bpf_object__close(obj);
    return 0;
}
