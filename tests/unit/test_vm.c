/* The interpreter on hand-built programs: the semantics the conformance suite does not
 * reach (faults, limits, helpers, tail calls, threads), in both modes. */
#include "vm/vm.h"
#include "vm/vm_internal.h"
#include "test.h"

#include <errno.h>
#include <pthread.h>

#define I(code, dst, src, off, imm) ((struct ebpf_insn){code, dst, src, off, imm})
#define EXIT I(0x95, 0, 0, 0, 0)
#define MOV64_IMM(d, v) I(0xb7, d, 0, 0, v)
#define MOV64_REG(d, s) I(0xbf, d, s, 0, 0)
#define ADD64_REG(d, s) I(0x0f, d, s, 0, 0)
#define ADD64_IMM(d, v) I(0x07, d, 0, 0, v)
#define CALL(id) I(0x85, 0, 0, 0, id)
#define CALL_LOCAL(rel) I(0x85, 0, 1, 0, rel)
#define LDXDW(d, s, o) I(0x79, d, s, o, 0)
#define STXDW(d, s, o) I(0x7b, d, s, o, 0)

static const enum vm_mode modes[] = {VM_MODE_CHECKED, VM_MODE_FAST};

static int run_program(const struct ebpf_insn *insns, size_t n, const struct vm_helpers *helpers,
                       enum vm_mode mode, struct vm_run *run, uint64_t r1, uint64_t r2, uint64_t *r0)
{
    struct vm_program *prog;
    char msg[256];
    int err = vm_load(insns, n, helpers, &prog, msg, sizeof msg);
    if (err) {
        fprintf(stderr, "  load failed: %s\n", msg);
        return err;
    }
    err = vm_exec(prog, mode, run, r1, r2, r0);
    vm_unload(prog);
    return err;
}

static uint64_t run_simple(const struct ebpf_insn *insns, size_t n, enum vm_mode mode)
{
    struct vm_run run;
    vm_run_init(&run);
    uint64_t r0 = 0xdead;
    int err = run_program(insns, n, NULL, mode, &run, 0, 0, &r0);
    if (err)
        fprintf(stderr, "  run failed: %s\n", run.msg);
    CHECK_EQ(err, 0);
    vm_run_release(&run);
    return r0;
}

TEST(division_and_shift_edge_cases)
{
    for (size_t m = 0; m < 2; m++) {
        /* r0 = INT64_MIN sdiv -1 == INT64_MIN */
        struct ebpf_insn sdiv[] = {I(0x18, 0, 0, 0, 0), I(0, 0, 0, 0, (int32_t)0x80000000),
                                   I(0x37, 0, 0, 1, -1), EXIT};
        CHECK_EQ(run_simple(sdiv, 4, modes[m]), 0x8000000000000000ull);
        /* smod by -1 is 0; mod by 0 leaves dst; div by 0 is 0 */
        struct ebpf_insn smod[] = {MOV64_IMM(0, -7), I(0x97, 0, 0, 1, -1), EXIT};
        CHECK_EQ(run_simple(smod, 3, modes[m]), 0);
        struct ebpf_insn mod0[] = {MOV64_IMM(0, 9), MOV64_IMM(1, 0), I(0x9f, 0, 1, 0, 0), EXIT};
        CHECK_EQ(run_simple(mod0, 4, modes[m]), 9);
        struct ebpf_insn div0[] = {MOV64_IMM(0, 9), MOV64_IMM(1, 0), I(0x3c, 0, 1, 0, 0), EXIT};
        CHECK_EQ(run_simple(div0, 4, modes[m]), 0);
        /* shift count is masked: 1 << 65 == 2; arsh keeps the sign */
        struct ebpf_insn lsh[] = {MOV64_IMM(0, 1), MOV64_IMM(1, 65), I(0x6f, 0, 1, 0, 0), EXIT};
        CHECK_EQ(run_simple(lsh, 4, modes[m]), 2);
        struct ebpf_insn arsh[] = {MOV64_IMM(0, -16), I(0xc7, 0, 0, 0, 2), EXIT};
        CHECK_EQ(run_simple(arsh, 3, modes[m]), (uint64_t)-4);
        struct ebpf_insn arsh32[] = {MOV64_IMM(0, -16), I(0xc4, 0, 0, 0, 2), EXIT};
        CHECK_EQ(run_simple(arsh32, 3, modes[m]), 0xfffffffcull);
        /* 32-bit ops zero-extend */
        struct ebpf_insn add32[] = {MOV64_IMM(0, -1), I(0x04, 0, 0, 0, 1), EXIT};
        CHECK_EQ(run_simple(add32, 3, modes[m]), 0);
    }
}

TEST(checked_mode_stops_out_of_bounds_access)
{
    uint8_t mem[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct ebpf_insn prog[] = {LDXDW(0, 1, 4), EXIT};
    struct vm_run run;
    vm_run_init(&run);
    CHECK_EQ(vm_run_add_region(&run, mem, sizeof mem, false), 0);
    uint64_t r0;
    CHECK_EQ(run_program(prog, 2, NULL, VM_MODE_CHECKED, &run, (uintptr_t)mem, 8, &r0), -EFAULT);
    CHECK_EQ(run.error_pc, 0);
    CHECK_CONTAINS(run.msg, "insn 0 (r0 = *(u64 *)(r1 + 4)): read of 8 bytes");
    /* in bounds passes */
    struct ebpf_insn ok[] = {LDXDW(0, 1, 0), EXIT};
    CHECK_EQ(run_program(ok, 2, NULL, VM_MODE_CHECKED, &run, (uintptr_t)mem, 8, &r0), 0);
    CHECK_EQ(r0, 0x0807060504030201ull);
    /* writes to a read-only region fault */
    struct ebpf_insn store[] = {STXDW(1, 1, 0), MOV64_IMM(0, 0), EXIT};
    CHECK_EQ(run_program(store, 3, NULL, VM_MODE_CHECKED, &run, (uintptr_t)mem, 8, &r0), -EFAULT);
    CHECK_CONTAINS(run.msg, "write of 8 bytes");
    /* the stack is always allowed, but not below the last frame */
    struct ebpf_insn stack[] = {MOV64_IMM(1, 5), STXDW(10, 1, -512), LDXDW(0, 10, -512), EXIT};
    CHECK_EQ(run_program(stack, 4, NULL, VM_MODE_CHECKED, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, 5);
    struct ebpf_insn above[] = {MOV64_IMM(1, 5), STXDW(10, 1, 0), MOV64_IMM(0, 0), EXIT};
    CHECK_EQ(run_program(above, 4, NULL, VM_MODE_CHECKED, &run, 0, 0, &r0), -EFAULT);
    vm_run_release(&run);
}

TEST(checked_mode_rejects_reading_unwritten_registers)
{
    struct ebpf_insn prog[] = {I(0x4f, 0, 10, 0, 0), EXIT}; /* r0 |= r10 */
    struct vm_run run;
    vm_run_init(&run);
    uint64_t r0;
    CHECK_EQ(run_program(prog, 2, NULL, VM_MODE_CHECKED, &run, 0, 0, &r0), -EACCES);
    CHECK_CONTAINS(run.msg, "r0 is read before it is written");
    vm_run_release(&run);
}

static uint64_t helper_sum(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct vm_run *run)
{
    (void)run;
    return a + b + c + d + e;
}

static uint64_t helper_stop(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct vm_run *run)
{
    if (a == 0)
        vm_run_stop(run, 42);
    return a;
}

TEST(helpers_get_arguments_and_can_stop_the_program)
{
    struct vm_helpers helpers = {0};
    helpers.fn[7] = helper_sum;
    helpers.fn[5] = helper_stop;
    struct ebpf_insn sum[] = {MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4),
                              MOV64_IMM(5, 5), CALL(7), EXIT};
    struct ebpf_insn stop[] = {MOV64_IMM(1, 0), CALL(5), MOV64_IMM(0, 1), EXIT};
    struct ebpf_insn callx[] = {MOV64_IMM(1, 0), MOV64_IMM(2, 5), I(0x8d, 2, 0, 0, 0), MOV64_IMM(0, 1), EXIT};
    struct ebpf_insn clobbered[] = {MOV64_IMM(1, 1), MOV64_IMM(3, 1), CALL(7), MOV64_REG(0, 3), EXIT};
    for (size_t m = 0; m < 2; m++) {
        struct vm_run run;
        vm_run_init(&run);
        uint64_t r0 = 0;
        CHECK_EQ(run_program(sum, 7, &helpers, modes[m], &run, 0, 0, &r0), 0);
        CHECK_EQ(r0, 15);
        CHECK_EQ(run_program(stop, 4, &helpers, modes[m], &run, 0, 0, &r0), 0);
        CHECK_EQ(r0, 42);
        CHECK_EQ(run_program(callx, 5, &helpers, modes[m], &run, 0, 0, &r0), 0);
        CHECK_EQ(r0, 42);
        if (modes[m] == VM_MODE_CHECKED) {
            CHECK_EQ(run_program(clobbered, 5, &helpers, modes[m], &run, 0, 0, &r0), -EACCES);
            CHECK_CONTAINS(run.msg, "r3 is read before");
        }
        vm_run_release(&run);
    }
}

TEST(unknown_helpers_are_refused_at_load)
{
    struct ebpf_insn prog[] = {CALL(1), EXIT};
    struct vm_program *p;
    char msg[256];
    CHECK_EQ(vm_load(prog, 2, NULL, &p, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "insn 0: call to helper 1 (bpf_map_lookup_elem)");
    struct ebpf_insn map_ref[] = {I(0x18, 1, 1, 0, 3), I(0, 0, 0, 0, 0), MOV64_IMM(0, 0), EXIT};
    CHECK_EQ(vm_load(map_ref, 4, NULL, &p, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "unresolved lddw.map_fd");
    struct ebpf_insn bad[] = {I(0xff, 0, 0, 0, 0), EXIT};
    CHECK_EQ(vm_load(bad, 2, NULL, &p, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "insn 0: unknown opcode 0xff");
}

TEST(calls_nest_up_to_eight_frames)
{
    /* f(n): if n == 0 return 0; return f(n-1) + 1, called with n = depth */
    struct ebpf_insn prog[] = {
        CALL_LOCAL(1), EXIT,
        I(0x55, 1, 0, 2, 0),       /* if r1 != 0 goto +2 */
        MOV64_IMM(0, 0), EXIT,
        ADD64_IMM(1, -1), CALL_LOCAL(-5), ADD64_IMM(0, 1), EXIT,
    };
    for (size_t m = 0; m < 2; m++) {
        struct vm_run run;
        vm_run_init(&run);
        uint64_t r0 = 0;
        CHECK_EQ(run_program(prog, 9, NULL, modes[m], &run, 6, 0, &r0), 0); /* 7 frames + entry = 8 */
        CHECK_EQ(r0, 6);
        CHECK_EQ(run_program(prog, 9, NULL, modes[m], &run, 7, 0, &r0), -E2BIG);
        CHECK_CONTAINS(run.msg, "call depth exceeds 8");
        vm_run_release(&run);
    }
}

TEST(callee_saved_registers_survive_calls_and_frames_are_separate)
{
    struct ebpf_insn callee_prog[] = {
        MOV64_IMM(6, 6), MOV64_IMM(1, 11), STXDW(10, 1, -8), CALL_LOCAL(5),
        LDXDW(1, 10, -8), ADD64_REG(0, 1), ADD64_REG(0, 6), EXIT,
        EXIT, /* padding, never reached */
        MOV64_IMM(6, 100), MOV64_IMM(2, 7), STXDW(10, 2, -8), MOV64_IMM(0, 1000), EXIT,
    };
    for (size_t m = 0; m < 2; m++)
        CHECK_EQ(run_simple(callee_prog, 14, modes[m]), 1000 + 11 + 6);
}

static struct vm_program *tail_target;
static uint64_t helper_tail_call(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct vm_run *run)
{
    return vm_run_tail_call(run, tail_target) ? (uint64_t)-1 : 0;
}

TEST(tail_calls_replace_the_program_and_are_limited_to_33)
{
    struct vm_helpers helpers = {0};
    helpers.fn[12] = helper_tail_call;
    /* The target counts its runs in memory at r1 and tail-calls itself. */
    struct ebpf_insn self[] = {LDXDW(2, 1, 0), ADD64_IMM(2, 1), STXDW(1, 2, 0), CALL(12),
                               MOV64_IMM(0, 7), EXIT};
    char msg[256];
    CHECK_EQ(vm_load(self, 6, &helpers, &tail_target, msg, sizeof msg), 0);
    for (size_t m = 0; m < 2; m++) {
        uint64_t counter = 0, r0 = 0;
        struct vm_run run;
        vm_run_init(&run);
        vm_run_add_region(&run, &counter, sizeof counter, true);
        CHECK_EQ(vm_exec(tail_target, modes[m], &run, (uintptr_t)&counter, 0, &r0), 0);
        CHECK_EQ(r0, 7);
        CHECK_EQ(counter, 1 + EBPF_MAX_TAIL_CALLS);
        vm_run_release(&run);
    }
    vm_unload(tail_target);
}

TEST(legacy_packet_loads_are_big_endian_and_bounded)
{
    uint8_t pkt[6] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
    struct ebpf_insn absw[] = {MOV64_REG(6, 1), I(0x20, 0, 0, 0, 2), EXIT};
    struct ebpf_insn indh[] = {MOV64_REG(6, 1), MOV64_IMM(3, 3), I(0x48, 0, 3, 0, 1), EXIT};
    struct ebpf_insn oob[] = {MOV64_REG(6, 1), I(0x20, 0, 0, 0, 3), MOV64_IMM(0, 5), EXIT};
    for (size_t m = 0; m < 2; m++) {
        struct vm_run run;
        vm_run_init(&run);
        run.packet = pkt;
        run.packet_len = sizeof pkt;
        uint64_t r0 = 1;
        CHECK_EQ(run_program(absw, 3, NULL, modes[m], &run, 0, 0, &r0), 0);
        CHECK_EQ(r0, 0x56789abc);
        CHECK_EQ(run_program(indh, 4, NULL, modes[m], &run, 0, 0, &r0), 0);
        CHECK_EQ(r0, 0x9abc);
        CHECK_EQ(run_program(oob, 4, NULL, modes[m], &run, 0, 0, &r0), 0);
        CHECK_EQ(r0, 0);
        vm_run_release(&run);
    }
}

TEST(step_budget_stops_infinite_loops_in_checked_mode)
{
    struct ebpf_insn loop[] = {MOV64_IMM(0, 0), I(0x05, 0, 0, -1, 0), EXIT};
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 10000;
    uint64_t r0;
    CHECK_EQ(run_program(loop, 3, NULL, VM_MODE_CHECKED, &run, 0, 0, &r0), -E2BIG);
    CHECK_CONTAINS(run.msg, "step budget");
    vm_run_release(&run);
}

struct atomic_job {
    struct vm_program *prog;
    uint64_t *counter;
};

static void *atomic_worker(void *arg)
{
    struct atomic_job *job = arg;
    struct vm_run run;
    vm_run_init(&run);
    for (int i = 0; i < 20000; i++) {
        uint64_t r0;
        vm_exec(job->prog, VM_MODE_FAST, &run, (uintptr_t)job->counter, 0, &r0);
    }
    vm_run_release(&run);
    return NULL;
}

TEST(atomics_are_atomic_across_threads)
{
    /* lock *(u64 *)(r1 + 0) += 1 ; lock *(u32 *)(r1 + 8) += 2 */
    struct ebpf_insn prog[] = {MOV64_IMM(2, 1), I(0xdb, 1, 2, 0, 0x00), MOV64_IMM(2, 2),
                               I(0xc3, 1, 2, 8, 0x00), MOV64_IMM(0, 0), EXIT};
    uint64_t counter[2] __attribute__((aligned(8))) = {0, 0};
    struct atomic_job job = {NULL, counter};
    char msg[256];
    CHECK_EQ(vm_load(prog, 6, NULL, &job.prog, msg, sizeof msg), 0);
    pthread_t threads[4];
    for (int t = 0; t < 4; t++)
        pthread_create(&threads[t], NULL, atomic_worker, &job);
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    CHECK_EQ(counter[0], 4 * 20000);
    CHECK_EQ((uint32_t)counter[1], 4 * 20000 * 2);
    vm_unload(job.prog);
}

TEST(portable_switch_loop_matches_the_threaded_one)
{
    /* sum of i*i for i < 100, with a call, a store and a load: exercises most handler kinds */
    struct ebpf_insn prog[] = {
        MOV64_IMM(6, 0), MOV64_IMM(7, 0),
        MOV64_REG(1, 7), CALL_LOCAL(7),
        ADD64_REG(6, 0), STXDW(10, 6, -8), LDXDW(6, 10, -8), ADD64_IMM(7, 1),
        I(0xa5, 7, 0, -7, 100),    /* if r7 < 100 goto -7 */
        MOV64_REG(0, 6), EXIT,
        MOV64_REG(0, 1), I(0x2f, 0, 1, 0, 0), EXIT, /* r0 = r1 * r1 */
    };
    struct vm_program *p;
    char msg[256];
    CHECK_EQ(vm_load(prog, 14, NULL, &p, msg, sizeof msg), 0);
    struct vm_run run;
    vm_run_init(&run);
    uint64_t threaded = vm_interp_start(p, vm_interp_fast, &run, 0, 0);
    uint64_t portable = vm_interp_start(p, vm_interp_portable, &run, 0, 0);
    CHECK_EQ(threaded, 328350);
    CHECK_EQ(portable, threaded);
    CHECK_EQ(run.error, 0);
    vm_unload(p);
}

TEST_MAIN
