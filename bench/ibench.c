/* Times a raw-entry bench program (r1 = packet, r2 = length) on a bpfhost engine.
 * usage: ibench PROG.bin ENGINE ITERS RUNS    ENGINE: interp | interp-checked | interp-switch | jit
 *        ibench --object OBJ.o PROGRAM ENGINE ITERS RUNS    ENGINE: interp | jit | jit-inline
 * The second form loads a clang-built object through the runtime (maps created and filled with
 * value = key) and runs PROGRAM with a null context: jit-inline lets the JIT inline array map
 * lookups (runtime_prog_jit_array_maps). 
 * Prints the median and least ns per run (wall clock; the thread's CPU time as cpu_median_ns), the
 * instructions one run executes and ns per instruction.
 * IBENCH_DUMP=FILE (jit): writes the generated machine code to FILE, for
 * objdump -D -b binary -m i386:x86-64 FILE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/testdata.h"
#include "jit/jit.h"
#include "platform/epoch.h"
#include "runtime/object.h"
#include "packet.h"
#include "stats.h"
#include "vm/vm_internal.h"

/* The thread's CPU time: what the kernel's BPF_PROG_TEST_RUN clock counts too (it stops while
 * the test run yields the CPU), so the two compare fairly on a loaded machine. */
static double cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Array and hash maps get value = key for every key below max_entries (u32 keys, u64
 * values), so that lookups hit. */
static void fill_maps(struct runtime_object *obj)
{
    for (size_t i = 0; i < obj->map_count; i++) {
        struct bpfhost_map *map = obj->maps[i];
        if ((map->map_type != MAP_TYPE_ARRAY && map->map_type != MAP_TYPE_HASH) ||
            map->key_size != 4 || map->value_size != 8)
            continue;
        for (uint32_t key = 0; key < map->max_entries; key++) {
            uint64_t value = key;
            map_sys_update_elem(map, &key, &value, 0);
        }
    }
}

/* IBENCH_DUMP=FILE: the generated machine code, for objdump. */
static void dump_code(const struct jit_program *jitted)
{
    const char *dump = getenv("IBENCH_DUMP");
    FILE *f = dump ? fopen(dump, "wb") : NULL;
    if (f) {
        fwrite(jit_code(jitted), 1, jit_code_size(jitted), f);
        fclose(f);
    }
}

static int bench_object(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s --object OBJ.o PROGRAM interp|jit|jit-inline ITERS RUNS\n", argv[0]);
        return 2;
    }
    const char *engine = argv[4];
    long iters = atol(argv[5]);
    int runs = atoi(argv[6]);
    if (runs < 1 || runs > MAXRUNS || iters < 1) {
        fprintf(stderr, "ibench: bad ITERS or RUNS\n");
        return 2;
    }
    char msg[512];
    struct elf_object *elf = NULL;
    struct runtime_object *obj = NULL;
    struct runtime_object_options opts = {.allow_unverified = true, .only_program = argv[3]};
    if (elf_object_open_file(argv[2], NULL, &elf, msg, sizeof msg) ||
        runtime_object_load(elf, &opts, &obj, msg, sizeof msg)) {
        fprintf(stderr, "ibench: %s: %s\n", argv[2], msg);
        return 1;
    }
    fill_maps(obj);
    struct runtime_prog *prog = runtime_object_prog(obj, argv[3]);
    bool inline_maps = !strcmp(engine, "jit-inline");
    struct jit_program *jitted = NULL;
    if (inline_maps || !strcmp(engine, "jit")) {
        struct jit_array_map *maps = NULL;
        size_t map_count = 0;
        if (inline_maps && runtime_prog_jit_array_maps(prog, &maps, &map_count)) {
            fprintf(stderr, "ibench: out of memory\n");
            return 1;
        }
        struct jit_options jopts = {.allow_unverified = true, .array_maps = maps,
                                    .array_map_count = map_count};
        int err = jit_compile(prog->insns, prog->insn_count, runtime_helpers(), &jopts, &jitted,
                              msg, sizeof msg);
        free(maps);
        if (err) {
            fprintf(stderr, "ibench: jit: %s\n", msg);
            return 1;
        }
        dump_code(jitted);
    } else if (strcmp(engine, "interp")) {
        fprintf(stderr, "ibench: unknown engine %s\n", engine);
        return 2;
    }
    struct vm_run run;
    vm_run_init(&run);
    double d[MAXRUNS];
    uint64_t ret = 0;
    for (int r = 0; r < runs; r++) {
        platform_epoch_enter();
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            if (jitted)
                jit_exec(jitted, &run, 0, 0, &ret);
            else
                vm_exec(prog->vm, VM_MODE_FAST, &run, 0, 0, &ret);
        }
        d[r] = (now_ns() - t0) / (double)iters;
        platform_epoch_exit();
    }
    printf("%s %s %s median_ns=%.1f retval=0x%x\n", engine, argv[2], argv[3], median(d, runs),
           (unsigned)ret);
    vm_run_release(&run);
    jit_free(jitted);
    runtime_object_free(obj);
    elf_object_free(elf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--object"))
        return bench_object(argc, argv);
    if (argc < 5) {
        fprintf(stderr, "usage: %s PROG.bin interp|interp-checked|interp-switch|jit ITERS RUNS\n", argv[0]);
        return 2;
    }
    const char *engine = argv[2];
    long iters = atol(argv[3]);
    int runs = atoi(argv[4]);
    if (runs < 1 || runs > MAXRUNS || iters < 1) {
        fprintf(stderr, "ibench: bad ITERS or RUNS\n");
        return 2;
    }
    char *code;
    size_t len;
    if (isa_read_file(argv[1], &code, &len) || len % 8 || !len) {
        fprintf(stderr, "ibench: cannot read bytecode from %s\n", argv[1]);
        return 2;
    }
    struct vm_program *prog;
    char msg[256];
    if (vm_load((const struct ebpf_insn *)code, len / 8, NULL, &prog, msg, sizeof msg)) {
        fprintf(stderr, "ibench: %s: %s\n", argv[1], msg);
        return 1;
    }
    static uint8_t pkt[1500] __attribute__((aligned(64)));
    make_packet(pkt);
    struct vm_run run;
    vm_run_init(&run);
    vm_run_add_region(&run, pkt, sizeof pkt, true);

    /* One checked run counts the instructions and proves the program stays in bounds. */
    uint64_t ret = 0;
    if (vm_exec(prog, VM_MODE_CHECKED, &run, (uintptr_t)pkt, sizeof pkt, &ret)) {
        fprintf(stderr, "ibench: %s faulted: %s\n", argv[1], run.msg);
        return 1;
    }
    uint64_t insns = run.steps;

    enum { FAST, CHECKED, SWITCH, JIT } kind;
    if (!strcmp(engine, "interp"))
        kind = FAST;
    else if (!strcmp(engine, "interp-checked"))
        kind = CHECKED;
    else if (!strcmp(engine, "interp-switch"))
        kind = SWITCH;
    else if (!strcmp(engine, "jit"))
        kind = JIT;
    else {
        fprintf(stderr, "ibench: unknown engine %s\n", engine);
        return 2;
    }
    struct jit_program *jitted = NULL;
    jit_entry_fn entry = NULL;
    if (kind == JIT) {
        /* The bench programs are not verified yet (no verifier in this build): say so. */
        struct jit_options jopts = {.allow_unverified = true};
        if (jit_compile((const struct ebpf_insn *)code, len / 8, NULL, &jopts, &jitted, msg, sizeof msg)) {
            fprintf(stderr, "ibench: jit: %s\n", msg);
            return 1;
        }
        entry = jit_entry(jitted);
        dump_code(jitted);
    }
    double d[MAXRUNS], cpu[MAXRUNS];
    uint64_t sink = 0;
    for (int r = 0; r < runs; r++) {
        double c0 = cpu_ns(), t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            switch (kind) {
            case FAST: ret = vm_interp_start(prog, vm_interp_fast, &run, (uintptr_t)pkt, sizeof pkt); break;
            case CHECKED: ret = vm_interp_start(prog, vm_interp_checked, &run, (uintptr_t)pkt, sizeof pkt); break;
            case SWITCH: ret = vm_interp_start(prog, vm_interp_portable, &run, (uintptr_t)pkt, sizeof pkt); break;
            case JIT: ret = entry((uintptr_t)pkt, sizeof pkt, &run); break;
            }
            sink += ret;
        }
        d[r] = (now_ns() - t0) / (double)iters;
        cpu[r] = (cpu_ns() - c0) / (double)iters;
    }
    double med = median(d, runs), least = d[0]; /* median() sorted d */
    printf("%s %s median_ns=%.1f min_ns=%.1f cpu_median_ns=%.1f insns=%llu ns_per_insn=%.2f "
           "retval=0x%x (sink %llu)\n", engine, argv[1], med, least, median(cpu, runs),
           (unsigned long long)insns, insns ? med / (double)insns : 0.0, (unsigned)ret,
           (unsigned long long)(sink & 1));
    vm_run_release(&run);
    vm_unload(prog);
    jit_free(jitted);
    free(code);
    return 0;
}
