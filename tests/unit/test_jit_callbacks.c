/* Helpers that call the program back (bpf_loop, bpf_for_each_map_elem) on every engine: the
 * interpreter (fast and checked) and the JIT run the same assembled programs and must give the
 * same results, faults and messages; a clang-built object runs through the runtime. */
#include "helpers/helpers.h"
#include "jit/jit.h"
#include "platform/epoch.h"
#include "runtime/object.h"
#include "test.h"
#include "test_jit_insns.h"

#include <errno.h>

enum { W = EBPF_SIZE_W, DW = EBPF_SIZE_DW };
enum { HELPER_TEST_STOP = 500, HELPER_TEST_TAIL_CALL = 501 };
enum engine { INTERP, INTERP_CHECKED, JIT, ENGINE_COUNT };
static const char *const engine_names[] = {"interpreter", "checked interpreter", "JIT"};

/* The target of HELPER_TEST_TAIL_CALL on each engine. */
static struct vm_program *tail_target_vm;
static struct jit_program *tail_target_jit;

static uint64_t test_stop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                          struct vm_run *run)
{
    vm_run_stop(run, r1);
    return 0;
}

static uint64_t test_tail_call(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                               struct vm_run *run)
{
    return (uint64_t)vm_run_tail_call(run, tail_target_vm);
}

static const struct jit_program *resolve(const struct vm_program *target, struct vm_run *run)
{
    return target == tail_target_vm ? tail_target_jit : NULL;
}

static const struct vm_helpers *table(void)
{
    static struct vm_helpers helpers;
    if (!helpers.fn[HELPER_LOOP]) {
        helpers_fill_table(&helpers);
        helpers.fn[HELPER_TEST_STOP] = test_stop;
        helpers.fn[HELPER_TEST_TAIL_CALL] = test_tail_call;
    }
    return &helpers;
}

struct outcome {
    int error;
    uint64_t r0;
    uint64_t steps;
    size_t error_pc;
    char msg[VM_MSG_SIZE];
};

static struct outcome run_on(enum engine e, const struct ebpf_insn *insns, size_t count,
                             uint64_t r1, uint64_t r2, uint64_t max_steps)
{
    struct outcome o = {0};
    char msg[256];
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = max_steps;
    platform_epoch_enter();
    if (e == JIT) {
        struct jit_options opts = {.allow_unverified = true, .count_steps = max_steps != 0,
                                   .resolve_tail_call = resolve};
        struct jit_program *p = NULL;
        int err = jit_compile(insns, count, table(), &opts, &p, msg, sizeof msg);
        if (err)
            fprintf(stderr, "  jit_compile: %s\n", msg);
        CHECK_EQ(err, 0);
        if (p)
            o.error = jit_exec(p, &run, r1, r2, &o.r0);
        jit_free(p);
    } else {
        struct vm_program *p = NULL;
        int err = vm_load(insns, count, table(), &p, msg, sizeof msg);
        if (err)
            fprintf(stderr, "  vm_load: %s\n", msg);
        CHECK_EQ(err, 0);
        if (p)
            o.error = vm_exec(p, e == INTERP ? VM_MODE_FAST : VM_MODE_CHECKED, &run, r1, r2, &o.r0);
        vm_unload(p);
    }
    platform_epoch_exit();
    o.steps = run.steps;
    o.error_pc = run.error_pc;
    snprintf(o.msg, sizeof o.msg, "%s", run.msg);
    vm_run_release(&run);
    return o;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LDDW_FUNC(d, target, at) LDDW_SRC(d, EBPF_LDDW_FUNC, (int32_t)((target) - (at) - 1))
#define FOR_EACH_ENGINE(e) for (enum engine e = INTERP; e < ENGINE_COUNT; e++)

/* main: r0 = bpf_loop(r1, add_index, &sum, r2) * 1000 + sum, where add_index adds i to sum and
 * stops (returns 1) at i == 5. */
static const struct ebpf_insn loop_sum[] = {
    ST(DW, 10, -8, 0),                /* 0 */
    MOV64_R(4, 2),                    /* 1: flags */
    LDDW_FUNC(2, 11, 2),              /* 2-3: the callback */
    MOV64_R(3, 10),                   /* 4 */
    ALU64_IMM(OP_ADD, 3, -8),         /* 5: ctx = &sum */
    CALL(HELPER_LOOP),                /* 6 */
    LDX(DW, 1, 10, -8),               /* 7 */
    ALU64_IMM(OP_MUL, 0, 1000),       /* 8 */
    ALU64_REG(OP_ADD, 0, 1),          /* 9 */
    EXIT,                             /* 10 */
    LDX(DW, 3, 2, 0),                 /* 11: add_index(i = r1, ctx = r2) */
    ALU64_REG(OP_ADD, 3, 1),          /* 12 */
    STX(DW, 2, 3, 0),                 /* 13 */
    MOV64(0, 0),                      /* 14 */
    JMP_IMM(OP_JNE, 1, 5, 1),         /* 15 */
    MOV64(0, 1),                      /* 16 */
    EXIT,                             /* 17 */
};

TEST(bpf_loop_calls_back_until_told_to_stop)
{
    const struct {
        uint64_t loops, flags, r0;
    } cases[] = {
        {4, 0, 4 * 1000 + 6},                         /* 0+1+2+3 */
        {10, 0, 6 * 1000 + 15},                       /* stops after i = 5 */
        {0, 0, 0},
        {(1ull << 32) + 3, 0, 3 * 1000 + 3},          /* the count is a u32 */
        {1 << 23, 0, 6 * 1000 + 15},                  /* the largest count */
        {(1 << 23) + 1, 0, (uint64_t)-E2BIG * 1000},
        {3, 1, (uint64_t)-EINVAL * 1000},
    };
    FOR_EACH_ENGINE(e) {
        for (size_t i = 0; i < COUNT(cases); i++) {
            struct outcome o = run_on(e, loop_sum, COUNT(loop_sum), cases[i].loops, cases[i].flags, 0);
            if (o.error || o.r0 != cases[i].r0)
                fprintf(stderr, "  %s, case %zu: %s\n", engine_names[e], i, o.msg);
            CHECK_EQ(o.error, 0);
            CHECK_EQ(o.r0, cases[i].r0);
        }
    }
    /* The checked interpreter counts the callback's instructions: 10 in main, 6 per call. */
    struct outcome o = run_on(INTERP_CHECKED, loop_sum, COUNT(loop_sum), 4, 0, 0);
    CHECK_EQ(o.steps, 10 + 4 * 6);
}

TEST(a_fault_in_a_callback_ends_the_run)
{
    const struct ebpf_insn prog[] = {
        LDDW_FUNC(2, 7, 0), MOV64(1, 3), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT,
        MOV64(5, 499), CALLX(5), MOV64(0, 0), EXIT, /* 7: callx to a helper that does not exist */
    };
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, prog, COUNT(prog), 0, 0, 0);
        CHECK_EQ(o.error, -EINVAL);
        CHECK_EQ(o.error_pc, 8);
        CHECK_CONTAINS(o.msg, "499");
    }
}

TEST(a_stop_in_a_callback_ends_the_run_with_its_value)
{
    const struct ebpf_insn prog[] = {
        LDDW_FUNC(2, 7, 0), MOV64(1, 3), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT,
        MOV64(1, 77), CALL(HELPER_TEST_STOP), MOV64(0, 0), EXIT, /* 7 */
    };
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, prog, COUNT(prog), 0, 0, 0);
        CHECK_EQ(o.error, 0);
        CHECK_EQ(o.r0, 77);
    }
}

TEST(callbacks_count_toward_the_call_depth)
{
    /* The callback passes itself to bpf_loop again: the eighth frame is one too many. */
    const struct ebpf_insn prog[] = {
        LDDW_FUNC(2, 7, 0), MOV64(1, 1), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT,
        LDDW_FUNC(2, 7, 7), MOV64(1, 1), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT, /* 7 */
    };
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, prog, COUNT(prog), 0, 0, 0);
        CHECK_EQ(o.error, -E2BIG);
        CHECK_CONTAINS(o.msg, "8 frames");
    }
    /* One level less fits: main + 7 callbacks (depth counted by r6 in the context). */
    const struct ebpf_insn deep[] = {
        ST(DW, 10, -8, 0), LDDW_FUNC(2, 10, 1), MOV64(1, 1), MOV64_R(3, 10),
        ALU64_IMM(OP_ADD, 3, -8), MOV64(4, 0), CALL(HELPER_LOOP), LDX(DW, 0, 10, -8), EXIT,
        /* 10: callback(i, ctx): if ++*ctx < 7, bpf_loop(1, callback, ctx) */
        LDX(DW, 3, 2, 0), ALU64_IMM(OP_ADD, 3, 1), STX(DW, 2, 3, 0), MOV64(0, 0),
        JMP_IMM(OP_JGE, 3, 7, 6), MOV64_R(3, 2), LDDW_FUNC(2, 10, 16), MOV64(1, 1), MOV64(4, 0),
        CALL(HELPER_LOOP), MOV64(0, 0), EXIT,
    };
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, deep, COUNT(deep), 0, 0, 0);
        if (o.error)
            fprintf(stderr, "  %s: %s\n", engine_names[e], o.msg);
        CHECK_EQ(o.error, 0);
        CHECK_EQ(o.r0, 7);
    }
}

TEST(only_the_programs_functions_can_be_called_back)
{
    /* r2 is the callback's address plus one instruction (8 bytes): not a function. */
    const struct ebpf_insn off_by_one[] = {
        LDDW_FUNC(2, 7, 0), ALU64_IMM(OP_ADD, 2, 8), MOV64(1, 1), MOV64(3, 0), MOV64(4, 0),
        CALL(HELPER_LOOP), EXIT, MOV64(0, 0), MOV64(0, 1), EXIT, /* 7 */
    };
    /* A program without function addresses passes a number. */
    const struct ebpf_insn number[] = {
        MOV64(2, 12345), MOV64(1, 1), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT,
    };
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, off_by_one, COUNT(off_by_one), 0, 0, 0);
        CHECK_EQ(o.error, -EINVAL);
        CHECK_CONTAINS(o.msg, "not a function of the program");
        o = run_on(e, number, COUNT(number), 0, 0, 0);
        CHECK_EQ(o.error, -EINVAL);
        CHECK_CONTAINS(o.msg, "0x3039, which is not a function of the program");
    }
}

TEST(a_callback_cannot_tail_call)
{
    const struct ebpf_insn target[] = {MOV64(0, 5), EXIT};
    const struct ebpf_insn prog[] = {
        LDDW_FUNC(2, 7, 0), MOV64(1, 3), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT,
        CALL(HELPER_TEST_TAIL_CALL), MOV64(0, 0), EXIT, /* 7 */
    };
    char msg[256];
    struct jit_options opts = {.allow_unverified = true};
    CHECK_EQ(vm_load(target, 2, table(), &tail_target_vm, msg, sizeof msg), 0);
    CHECK_EQ(jit_compile(target, 2, table(), &opts, &tail_target_jit, msg, sizeof msg), 0);
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, prog, COUNT(prog), 0, 0, 0);
        CHECK_EQ(o.error, -EINVAL);
        CHECK_CONTAINS(o.msg, "tail call from a function called back");
    }
    /* A tail call into a program with callbacks: they work there. */
    vm_unload(tail_target_vm);
    jit_free(tail_target_jit);
    CHECK_EQ(vm_load(loop_sum, COUNT(loop_sum), table(), &tail_target_vm, msg, sizeof msg), 0);
    CHECK_EQ(jit_compile(loop_sum, COUNT(loop_sum), table(), &opts, &tail_target_jit, msg, sizeof msg), 0);
    const struct ebpf_insn caller[] = {MOV64(1, 4), MOV64(2, 0), CALL(HELPER_TEST_TAIL_CALL),
                                       MOV64(0, 99), EXIT};
    FOR_EACH_ENGINE(e) {
        struct outcome o = run_on(e, caller, COUNT(caller), 0, 0, 0);
        if (o.error)
            fprintf(stderr, "  %s: %s\n", engine_names[e], o.msg);
        CHECK_EQ(o.error, 0);
        CHECK_EQ(o.r0, 4 * 1000 + 6);
    }
    vm_unload(tail_target_vm);
    jit_free(tail_target_jit);
    tail_target_vm = NULL;
    tail_target_jit = NULL;
}

TEST(a_step_budget_covers_callbacks)
{
    const struct ebpf_insn prog[] = {
        LDDW_FUNC(2, 7, 0), MOV64(1, 1), MOV64(3, 0), MOV64(4, 0), CALL(HELPER_LOOP), EXIT,
        JA(-1), /* 7: forever */
    };
    for (enum engine e = INTERP_CHECKED; e <= JIT; e++) {
        struct outcome o = run_on(e, prog, COUNT(prog), 0, 0, 1000);
        CHECK_EQ(o.error, -E2BIG);
        CHECK_CONTAINS(o.msg, "step budget");
    }
}

static struct bpfhost_map *make_map(uint32_t type, uint32_t max_entries)
{
    struct map_create_attr attr = {.map_type = type, .key_size = 4, .value_size = 8,
                                   .max_entries = max_entries};
    struct bpfhost_map *map = NULL;
    char msg[256];
    CHECK_EQ(map_create(&attr, &map, msg, sizeof msg), 0);
    return map;
}

TEST(for_each_map_elem_visits_until_told_to_stop)
{
    /* r0 = for_each(map = r1, add_value, &sum, flags = r2) * 1000 + sum; add_value adds the
     * value to sum, increments it and stops at key 5. */
    const struct ebpf_insn prog[] = {
        MOV64_R(4, 2), ST(DW, 10, -8, 0), LDDW_FUNC(2, 11, 2), MOV64_R(3, 10),
        ALU64_IMM(OP_ADD, 3, -8), CALL(HELPER_FOR_EACH_MAP_ELEM), LDX(DW, 1, 10, -8),
        ALU64_IMM(OP_MUL, 0, 1000), ALU64_REG(OP_ADD, 0, 1), EXIT,
        /* 11: add_value(map, key, value, ctx) */
        LDX(DW, 5, 3, 0), LDX(DW, 6, 4, 0), ALU64_REG(OP_ADD, 6, 5), STX(DW, 4, 6, 0),
        ALU64_IMM(OP_ADD, 5, 1), STX(DW, 3, 5, 0), LDX(W, 5, 2, 0), MOV64(0, 0),
        JMP_IMM(OP_JNE, 5, 5, 1), MOV64(0, 1), EXIT,
    };
    struct bpfhost_map *array = make_map(MAP_TYPE_ARRAY, 8);
    struct bpfhost_map *hash = make_map(MAP_TYPE_HASH, 16);
    if (!array || !hash)
        return;
    FOR_EACH_ENGINE(e) {
        for (uint32_t key = 0; key < 8; key++) {
            uint64_t value = key * 10;
            CHECK_EQ(map_sys_update_elem(array, &key, &value, 0), 0);
        }
        for (uint32_t key = 100; key < 104; key++) {
            uint64_t value = key - 99;
            CHECK_EQ(map_sys_update_elem(hash, &key, &value, 0), 0);
        }
        struct outcome o = run_on(e, prog, COUNT(prog), (uintptr_t)array, 0, 0);
        if (o.error)
            fprintf(stderr, "  %s: %s\n", engine_names[e], o.msg);
        CHECK_EQ(o.r0, 6 * 1000 + 150); /* keys 0-5 */
        uint32_t key = 5;
        uint64_t value = 0;
        CHECK_EQ(map_sys_lookup_elem(array, &key, &value, 0), 0);
        CHECK_EQ(value, 51);
        key = 6;
        CHECK_EQ(map_sys_lookup_elem(array, &key, &value, 0), 0);
        CHECK_EQ(value, 60);
        o = run_on(e, prog, COUNT(prog), (uintptr_t)hash, 0, 0);
        CHECK_EQ(o.r0, 4 * 1000 + 1 + 2 + 3 + 4);
        o = run_on(e, prog, COUNT(prog), (uintptr_t)hash, 1, 0);
        CHECK_EQ(o.r0, (uint64_t)-EINVAL * 1000);
    }
    /* In checked mode a callback's key and value are its memory only during its call. */
    const struct ebpf_insn keep[] = {
        ST(DW, 10, -8, 0), LDDW_FUNC(2, 10, 1), MOV64_R(3, 10), ALU64_IMM(OP_ADD, 3, -8),
        MOV64(4, 0), CALL(HELPER_FOR_EACH_MAP_ELEM), LDX(DW, 1, 10, -8), LDX(DW, 0, 1, 0), EXIT,
        STX(DW, 4, 3, 0), MOV64(0, 1), EXIT, /* 10: keeps the value's address in *ctx */
    };
    struct outcome o = run_on(INTERP_CHECKED, keep, COUNT(keep), (uintptr_t)array, 0, 0);
    CHECK_EQ(o.error, -EFAULT);
    CHECK_EQ(o.error_pc, 8);
    map_put(array);
    map_put(hash);
    platform_epoch_barrier();
}

/* --- a clang-built object through the runtime ------------------------------------------------ */

/* tests/bpf/callbacks.bpf.c's struct results, its only .bss variable. */
struct results {
    uint64_t loop_total, loop_calls, loop_return, loop_bad_flags, loop_too_many;
    uint64_t array_total, array_visited, hash_total, hash_visited, hash_key_total;
};

static struct results results_of(struct runtime_object *obj)
{
    struct results r = {0};
    for (size_t i = 0; i < obj->map_count; i++) {
        size_t size = 0;
        void *memory = strstr(obj->maps[i]->name, ".bss") ? map_array_memory(obj->maps[i], &size) : NULL;
        CHECK(!memory || size >= sizeof r);
        if (memory && size >= sizeof r)
            memcpy(&r, memory, sizeof r);
    }
    return r;
}

TEST(clang_built_callbacks_run_on_the_interpreter_and_the_jit)
{
    struct elf_object *elf = NULL;
    char msg[512];
    if (elf_object_open_file("build/bpf/callbacks.bpf.o", NULL, &elf, msg, sizeof msg))
        fprintf(stderr, "  %s\n", msg);
    CHECK(elf != NULL);
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    struct runtime_object_options opts = {.allow_unverified = true};
    int err = runtime_object_load(elf, &opts, &obj, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    if (!obj) {
        elf_object_free(elf);
        return;
    }
    struct runtime_prog *loop = runtime_object_prog(obj, "loop_prog");
    struct runtime_prog *each = runtime_object_prog(obj, "each_prog");
    struct bpfhost_map *values = runtime_object_map(obj, "values");
    struct bpfhost_map *table_map = runtime_object_map(obj, "table");
    CHECK(loop && each && values && table_map);
    if (!loop || !each || !values || !table_map)
        goto out;
    for (int engine = 0; engine < 2; engine++) {
        /* The JIT from the runtime's relocated instructions (the runtime picks engines itself
         * once programs are verified). */
        struct jit_program *loop_jit = NULL, *each_jit = NULL;
        if (engine == 1) {
            struct jit_options jopts = {.allow_unverified = true};
            CHECK_EQ(jit_compile(loop->insns, loop->insn_count, runtime_helpers(), &jopts,
                                 &loop_jit, msg, sizeof msg), 0);
            CHECK_EQ(jit_compile(each->insns, each->insn_count, runtime_helpers(), &jopts,
                                 &each_jit, msg, sizeof msg), 0);
            if (!loop_jit || !each_jit)
                break;
        }
        for (uint32_t key = 0; key < 8; key++) {
            uint64_t value = key;
            CHECK_EQ(map_sys_update_elem(values, &key, &value, 0), 0);
        }
        for (uint32_t key = 1; key <= 3; key++) {
            uint64_t value = 100 * key;
            CHECK_EQ(map_sys_update_elem(table_map, &key, &value, 0), 0);
        }
        struct vm_run run;
        uint64_t r0 = 0;
        vm_run_init(&run);
        platform_epoch_enter();
        err = engine ? jit_exec(loop_jit, &run, 0, 0, &r0) : runtime_prog_run(loop, &run, 0, 0, &r0);
        platform_epoch_exit();
        if (err)
            fprintf(stderr, "  loop_prog: %s\n", run.msg);
        CHECK_EQ(err, 0);
        struct results r = results_of(obj);
        CHECK_EQ(r0, 6);
        CHECK_EQ(r.loop_return, 6);
        CHECK_EQ(r.loop_total, 0 + 1 + 2 + 3 + 4 + 5);
        CHECK_EQ(r.loop_calls, 6);
        CHECK_EQ(r.loop_bad_flags, (uint64_t)-EINVAL);
        CHECK_EQ(r.loop_too_many, (uint64_t)-E2BIG);
        vm_run_release(&run);
        vm_run_init(&run);
        platform_epoch_enter();
        err = engine ? jit_exec(each_jit, &run, 0, 0, &r0) : runtime_prog_run(each, &run, 0, 0, &r0);
        platform_epoch_exit();
        if (err)
            fprintf(stderr, "  each_prog: %s\n", run.msg);
        CHECK_EQ(err, 0);
        r = results_of(obj);
        CHECK_EQ(r0, 8 + 3);
        CHECK_EQ(r.array_visited, 8);
        CHECK_EQ(r.array_total, 28);
        CHECK_EQ(r.hash_visited, 3);
        CHECK_EQ(r.hash_total, 600);
        vm_run_release(&run);
        uint32_t key = 7;
        uint64_t value = 0;
        CHECK_EQ(map_sys_lookup_elem(values, &key, &value, 0), 0);
        CHECK_EQ(value, 8);
        jit_free(loop_jit);
        jit_free(each_jit);
    }
    CHECK_EQ(results_of(obj).hash_key_total, 2 * (1 + 2 + 3));
out:
    runtime_object_free(obj);
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST(a_verified_bpf_loop_program_runs_on_the_runtimes_jit)
{
    struct elf_object *elf = NULL;
    char msg[512];
    if (elf_object_open_file("build/bpf/callbacks.bpf.o", NULL, &elf, msg, sizeof msg))
        fprintf(stderr, "  %s\n", msg);
    CHECK(elf != NULL);
    if (!elf)
        return;
    struct runtime_object *obj = NULL;
    struct runtime_object_options opts = {.only_program = "loop_prog"};
    int err = runtime_object_load(elf, &opts, &obj, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  %s\n", msg);
    CHECK_EQ(err, 0);
    struct runtime_prog *loop = obj ? runtime_object_prog(obj, "loop_prog") : NULL;
    CHECK(loop != NULL);
    if (loop) {
        CHECK(loop->verified);
        CHECK_EQ(loop->engine, jit_supported() ? RUNTIME_ENGINE_JIT : RUNTIME_ENGINE_INTERP);
        struct vm_run run;
        uint64_t r0 = 0;
        vm_run_init(&run);
        err = runtime_prog_run(loop, &run, 0, 0, &r0);
        if (err)
            fprintf(stderr, "  %s\n", run.msg);
        CHECK_EQ(err, 0);
        CHECK_EQ(r0, 6);
        struct results r = results_of(obj);
        CHECK_EQ(r.loop_total, 0 + 1 + 2 + 3 + 4 + 5);
        CHECK_EQ(r.loop_bad_flags, (uint64_t)-EINVAL);
        vm_run_release(&run);
    }
    runtime_object_free(obj);
    elf_object_free(elf);
    for (int level = 0; level < 4; level++)
        platform_epoch_barrier();
}

TEST_MAIN
