/* bpfhost side of the map bench: loads one program of a BPF object through the runtime
 * (runtime_object_load, as the CLI and hooks do), fills its maps as maps_prefill.h says (the
 * kernel runner, maps_kbench, does the same) and times it on one engine.
 * usage: maps_bench OBJ.o PROG ENGINE REPEAT RUNS
 *   ENGINE checked  runtime_prog_run of the program loaded unverified: the checked interpreter
 *          fast     runtime_prog_run of the program verified for RUNTIME_ENGINE_INTERP; when
 *                   the verifier rejects it, vm_exec in VM_MODE_FAST inside an epoch section
 *          jit      runtime_prog_run of the program verified for RUNTIME_ENGINE_JIT; when the
 *                   verifier rejects it, jit_compile (allow_unverified), entered directly
 *          direct   the same map calls made from C (map_lookup_elem ...): the floor
 * verified=no on the output line says the program ran unverified.
 * Prints: ENGINE OBJ/PROG ... median_ns=... min_ns=... retval=... (ns of this thread's CPU
 * time per program run over RUNS timings, each the mean of REPEAT runs). Ring buffers are drained between timed runs. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "elf/elf_object.h"
#include "jit/jit.h"
#include "maps/map.h"
#include "maps_prefill.h"
#include "platform/epoch.h"
#include "runtime/object.h"
#include "runtime/prog.h"
#include "stats.h"

static int prefill(struct bpfhost_map *m)
{
    int err = 0;
    switch (m->map_type) {
    case MAP_TYPE_HASH:
    case MAP_TYPE_ARRAY:
    case MAP_TYPE_LRU_HASH:
        for (__u32 k = 0; k < m->max_entries && k < MAPS_NKEYS && !err; k++) {
            __u64 v[MAPS_VALUE_MAX / 8] = {k * 3ull}; /* larger values: the rest zero */
            err = m->value_size > sizeof v ? -E2BIG : map_sys_update_elem(m, &k, v, MAP_ANY);
        }
        return err;
    case MAP_TYPE_LPM_TRIE: {
        struct maps_lpm_key key = {.prefixlen = 8, .addr = htonl(0x0a000000u)};
        __u64 v = 1;
        err = map_sys_update_elem(m, &key, &v, MAP_ANY);
        for (__u32 k = 0; k < MAPS_NKEYS && !err; k++) {
            key = (struct maps_lpm_key){.prefixlen = 22, .addr = htonl(maps_lpm_net(k))};
            v = k * 3ull;
            err = map_sys_update_elem(m, &key, &v, MAP_ANY);
        }
        return err;
    }
    default:
        return 0;
    }
}

/* --- the programs written in C against the map API (engine "direct") ---------------------- */

struct direct_maps {
    struct bpfhost_map *hmap, *amap, *hmap16, *lru, *lpm, *ring;
};

static uint64_t direct_base_loop(const struct direct_maps *m)
{
    (void)m;
    uint64_t sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        volatile __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        sum += k;
    }
    return sum;
}

static uint64_t lookup_loop(struct bpfhost_map *map, __u32 offset)
{
    uint64_t sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = offset + ((i * 7) & (MAPS_NKEYS - 1));
        __u64 *v = map_lookup_elem(map, &k);
        if (v)
            sum += *v;
        else
            sum += offset ? 1 : 0;
    }
    return sum;
}

static uint64_t update_loop(struct bpfhost_map *map, uint64_t flags)
{
    uint64_t sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        __u64 v = i;
        sum += (uint64_t)map_update_elem(map, &k, &v, flags);
    }
    return sum;
}

static uint64_t direct_hash_lookup_hit(const struct direct_maps *m) { return lookup_loop(m->hmap, 0); }
static uint64_t direct_hash_lookup_miss(const struct direct_maps *m) { return lookup_loop(m->hmap, MAPS_NKEYS); }
static uint64_t direct_hash_update_exist(const struct direct_maps *m) { return update_loop(m->hmap, MAP_EXIST); }
static uint64_t direct_array_lookup(const struct direct_maps *m) { return lookup_loop(m->amap, 0); }
static uint64_t direct_array_update(const struct direct_maps *m) { return update_loop(m->amap, MAP_ANY); }
static uint64_t direct_lru_update(const struct direct_maps *m) { return update_loop(m->lru, MAP_ANY); }

static uint64_t direct_hash16_update_exist(const struct direct_maps *m)
{
    uint64_t sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        __u64 v[2] = {i, i + 1};
        sum += (uint64_t)map_update_elem(m->hmap16, &k, v, MAP_EXIST);
    }
    return sum;
}

static uint64_t direct_lpm_lookup(const struct direct_maps *m)
{
    uint64_t sum = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u32 k = (i * 7) & (MAPS_NKEYS - 1);
        struct maps_lpm_key key = {.prefixlen = 32, .addr = htonl(maps_lpm_probe(k))};
        __u64 *v = map_lookup_elem(m->lpm, &key);
        if (v)
            sum += *v;
    }
    return sum;
}

static uint64_t direct_ringbuf_reserve_submit(const struct direct_maps *m)
{
    uint64_t failed = 0;
    for (__u32 i = 0; i < MAPS_K; i++) {
        __u64 *sample = map_ringbuf_reserve(m->ring, MAPS_RECORD_SIZE, 0);
        if (!sample) {
            failed++;
            continue;
        }
        sample[0] = i;
        map_ringbuf_submit(sample, 0);
    }
    return failed;
}

static const struct {
    const char *name;
    uint64_t (*run)(const struct direct_maps *m);
} direct_programs[] = {
    {"base_loop", direct_base_loop},
    {"hash_lookup_hit", direct_hash_lookup_hit},
    {"hash_lookup_miss", direct_hash_lookup_miss},
    {"hash_update_exist", direct_hash_update_exist},
    {"array_lookup", direct_array_lookup},
    {"array_update", direct_array_update},
    {"lru_update", direct_lru_update},
    {"hash16_update_exist", direct_hash16_update_exist},
    {"lpm_lookup", direct_lpm_lookup},
    {"ringbuf_reserve_submit", direct_ringbuf_reserve_submit},
};

/* --- driver ------------------------------------------------------------------------------- */

/* The machine is shared: time on this thread's CPU clock, which stops while another process
 * runs, as the kernel's BPF_PROG_TEST_RUN stops its timer when it reschedules. */
static double thread_cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int ignore_record(void *ctx, void *data, size_t size)
{
    (void)ctx, (void)data, (void)size;
    return 0;
}

static struct bpfhost_map *first_map_of_type(const struct runtime_object *obj, uint32_t type)
{
    for (size_t i = 0; i < obj->map_count; i++)
        if (obj->maps[i]->map_type == type)
            return obj->maps[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s OBJ.o PROG checked|fast|jit|direct REPEAT RUNS\n", argv[0]);
        return 2;
    }
    const char *path = argv[1], *name = argv[2], *engine = argv[3];
    long repeat = atol(argv[4]);
    int runs = atoi(argv[5]);
    if (runs < 1 || runs > MAXRUNS || repeat < 1) {
        fprintf(stderr, "maps_bench: bad REPEAT or RUNS\n");
        return 2;
    }
    enum { CHECKED, FAST, JIT, DIRECT } kind;
    if (!strcmp(engine, "checked"))
        kind = CHECKED;
    else if (!strcmp(engine, "fast"))
        kind = FAST;
    else if (!strcmp(engine, "jit"))
        kind = JIT;
    else if (!strcmp(engine, "direct"))
        kind = DIRECT;
    else {
        fprintf(stderr, "maps_bench: unknown engine %s\n", engine);
        return 2;
    }
    char msg[512];
    struct elf_object *elf;
    if (elf_object_open_file(path, NULL, &elf, msg, sizeof msg)) {
        fprintf(stderr, "maps_bench: %s: %s\n", path, msg);
        return 1;
    }
    /* JIT and fast interpreter run what the verifier accepts, through runtime_prog_run as a
     * hook would. What it rejects (Linux may accept it) loads unverified, for the checked
     * interpreter, and the bench then drives the JIT or the fast interpreter itself. */
    struct runtime_object_options opts = {
        .engine = kind == JIT ? RUNTIME_ENGINE_JIT : RUNTIME_ENGINE_INTERP, .only_program = name};
    struct runtime_object *obj = NULL;
    bool verified = (kind == JIT || kind == FAST) &&
                    runtime_object_load(elf, &opts, &obj, msg, sizeof msg) == 0;
    if (!verified) {
        opts.allow_unverified = true;
        opts.engine = RUNTIME_ENGINE_DEFAULT;
        if (runtime_object_load(elf, &opts, &obj, msg, sizeof msg)) {
            fprintf(stderr, "maps_bench: %s: %s\n", path, msg);
            return 1;
        }
    }
    struct runtime_prog *prog = runtime_object_prog(obj, name);
    for (size_t i = 0; i < obj->map_count; i++)
        if (prefill(obj->maps[i])) {
            fprintf(stderr, "maps_bench: cannot fill map %s\n", obj->maps[i]->name);
            return 1;
        }
    struct direct_maps maps = {
        .hmap = runtime_object_map(obj, "hmap"),
        .amap = runtime_object_map(obj, "amap"),
        .hmap16 = runtime_object_map(obj, "hmap16"),
        .lru = first_map_of_type(obj, MAP_TYPE_LRU_HASH),
        .lpm = first_map_of_type(obj, MAP_TYPE_LPM_TRIE),
        .ring = first_map_of_type(obj, MAP_TYPE_RINGBUF),
    };
    uint64_t (*direct)(const struct direct_maps *) = NULL;
    for (size_t i = 0; i < sizeof direct_programs / sizeof direct_programs[0]; i++)
        if (!strcmp(direct_programs[i].name, name))
            direct = direct_programs[i].run;
    if (kind == DIRECT && !direct) {
        fprintf(stderr, "maps_bench: no C version of %s\n", name);
        return 1;
    }
    struct jit_program *jitted = NULL;
    jit_entry_fn entry = NULL;
    if (kind == JIT && !verified) {
        struct jit_options jopts = {.allow_unverified = true};
        int err = jit_compile(prog->insns, prog->insn_count, runtime_helpers(), &jopts, &jitted,
                              msg, sizeof msg);
        if (err) {
            fprintf(stderr, "maps_bench: jit: %s\n", msg);
            return 1;
        }
        entry = jit_entry(jitted);
    }

    /* The programs ignore their context; the checked interpreter still gets it as a region. */
    static uint8_t ctx[64];
    struct vm_run run;
    vm_run_init(&run);
    vm_run_add_region(&run, ctx, sizeof ctx, false);
    size_t base_regions = run.region_count;
    struct bpfhost_map *ring = maps.ring;

    double d[MAXRUNS];
    uint64_t ret = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = thread_cpu_ns();
        for (long i = 0; i < repeat; i++) {
            int err = 0;
            switch (kind) {
            case CHECKED:
                /* Each invocation starts with the regions of a fresh one, as a hook's would. */
                run.region_count = base_regions;
                err = runtime_prog_run(prog, &run, (uintptr_t)ctx, 0, &ret);
                break;
            case FAST:
                if (verified) {
                    err = runtime_prog_run(prog, &run, (uintptr_t)ctx, 0, &ret);
                    break;
                }
                platform_epoch_enter();
                err = vm_exec(prog->vm, VM_MODE_FAST, &run, (uintptr_t)ctx, 0, &ret);
                platform_epoch_exit();
                break;
            case JIT:
                if (verified) {
                    err = runtime_prog_run(prog, &run, (uintptr_t)ctx, 0, &ret);
                    break;
                }
                platform_epoch_enter();
                ret = entry((uintptr_t)ctx, 0, &run);
                err = run.error;
                platform_epoch_exit();
                break;
            case DIRECT:
                platform_epoch_enter();
                ret = direct(&maps);
                platform_epoch_exit();
                break;
            }
            if (err) {
                fprintf(stderr, "maps_bench: %s on %s: %s\n", name, engine, run.msg);
                return 1;
            }
        }
        d[r] = (thread_cpu_ns() - t0) / (double)repeat;
        if (ring)
            map_ringbuf_consume(ring, ignore_record, NULL);
    }
    double least = d[0];
    for (int r = 1; r < runs; r++)
        least = d[r] < least ? d[r] : least;
    printf("%s %s/%s repeat=%ld runs=%d median_ns=%.1f min_ns=%.1f retval=0x%x verified=%s\n",
           engine, path, name, repeat, runs, median(d, runs), least, (unsigned)ret,
           verified ? "yes" : "no");
    jit_free(jitted);
    vm_run_release(&run);
    runtime_object_free(obj);
    elf_object_free(elf);
    platform_epoch_barrier();
    return 0;
}
