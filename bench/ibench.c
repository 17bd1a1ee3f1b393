/* Times a raw-entry bench program (r1 = packet, r2 = length) on a bpfhost engine.
 * usage: ibench PROG.bin ENGINE ITERS RUNS    ENGINE: interp | interp-checked | interp-switch | jit
 * Prints the median ns per run, the instructions one run executes and ns per instruction.
 * IBENCH_DUMP=FILE (jit): writes the generated machine code to FILE, for
 * objdump -D -b binary -m i386:x86-64 FILE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/testdata.h"
#include "jit/jit.h"
#include "packet.h"
#include "stats.h"
#include "vm/vm_internal.h"

int main(int argc, char **argv)
{
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
        const char *dump = getenv("IBENCH_DUMP");
        FILE *f = dump ? fopen(dump, "wb") : NULL;
        if (f) {
            fwrite(jit_code(jitted), 1, jit_code_size(jitted), f);
            fclose(f);
        }
    }
    double d[MAXRUNS];
    uint64_t sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ns();
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
    }
    double med = median(d, runs);
    printf("%s %s median_ns=%.1f insns=%llu ns_per_insn=%.2f retval=0x%x (sink %llu)\n", engine,
           argv[1], med, (unsigned long long)insns, insns ? med / (double)insns : 0.0,
           (unsigned)ret, (unsigned long long)(sink & 1));
    vm_run_release(&run);
    vm_unload(prog);
    jit_free(jitted);
    free(code);
    return 0;
}
