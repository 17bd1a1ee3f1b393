/* Loading programs: the verifier decides what runs, the engine follows from the verdict and the
 * caller's choice, and rejections say which instruction failed and why. */
#include "platform/epoch.h"
#include "runtime/prog.h"
#include "runtime/xdp_context.h"
#include "test.h"
#include "verifier_asm.h"

#include <errno.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* XDP_TX (3) when the first byte of the frame is 0xaa, XDP_PASS (2) otherwise; bounds checked. */
static const struct ebpf_insn first_byte_prog[] = {
    LDX(W, 2, 1, 0),              /* r2 = data */
    LDX(W, 3, 1, 4),              /* r3 = data_end */
    MOV64_IMM(0, 2),
    MOV64_REG(4, 2),
    ALU64_IMM(ADD, 4, 1),
    JMP_REG(JGT, 4, 3, 3),        /* no byte: pass */
    LDX(B, 5, 2, 0),
    JMP_IMM(JNE, 5, 0xaa, 1),
    MOV64_IMM(0, 3),
    EXIT(),
};

/* Reads the first byte without proving that it exists. */
static const struct ebpf_insn unchecked_read_prog[] = {
    LDX(W, 2, 1, 0),
    LDX(B, 0, 2, 0),
    ALU64_IMM(AND, 0, 1),
    EXIT(),
};

static struct runtime_prog *load(const struct ebpf_insn *insns, size_t count, enum runtime_engine engine,
                                 bool unverified, struct bpfhost_map *const *maps, size_t map_count)
{
    struct runtime_prog_attr attr = {
        .name = "test", .prog_type = 6 /* XDP */, .insns = insns, .insn_count = count,
        .maps = maps, .map_count = map_count, .engine = engine, .allow_unverified = unverified,
    };
    struct runtime_prog *prog = NULL;
    char msg[512];
    int err = runtime_prog_load(&attr, &prog, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  load: %s\n", msg);
    CHECK_EQ(err, 0);
    return prog;
}

/* The action prog gives a one-byte frame holding byte. */
static uint32_t run_on_byte(const struct runtime_prog *prog, uint8_t byte)
{
    struct runtime_xdp_frame frame;
    CHECK_EQ(runtime_xdp_frame_init(&frame), 0);
    uint8_t data[64] = {byte};
    CHECK_EQ(runtime_xdp_frame_load(&frame, data, sizeof data, 1, 0), 0);
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 100000;
    uint32_t action = 99;
    int err = runtime_xdp_run(prog, &frame, &run, &action);
    if (err)
        fprintf(stderr, "  run: %s\n", run.msg);
    CHECK_EQ(err, 0);
    vm_run_release(&run);
    runtime_xdp_frame_release(&frame);
    return action;
}

TEST(verified_programs_run_on_the_jit_by_default)
{
    struct runtime_prog *prog = load(first_byte_prog, COUNT(first_byte_prog), RUNTIME_ENGINE_DEFAULT, false, NULL, 0);
    if (!prog)
        return;
    CHECK(prog->verified);
    CHECK_EQ(prog->engine, jit_supported() ? RUNTIME_ENGINE_JIT : RUNTIME_ENGINE_INTERP);
    CHECK(prog->verifier_stats.steps > 0);
    CHECK(prog->verifier_stats.seconds >= 0);
    CHECK_EQ(run_on_byte(prog, 0xaa), 3);
    CHECK_EQ(run_on_byte(prog, 0x01), 2);
    runtime_prog_put(prog);
}

TEST(every_engine_gives_the_same_verdicts)
{
    enum runtime_engine engines[] = {RUNTIME_ENGINE_INTERP, RUNTIME_ENGINE_JIT, RUNTIME_ENGINE_DEFAULT};
    for (size_t i = 0; i < COUNT(engines); i++) {
        if (engines[i] == RUNTIME_ENGINE_JIT && !jit_supported())
            continue;
        struct runtime_prog *prog = load(first_byte_prog, COUNT(first_byte_prog), engines[i], false, NULL, 0);
        if (!prog)
            continue;
        CHECK(prog->verified);
        if (engines[i] != RUNTIME_ENGINE_DEFAULT)
            CHECK_EQ(prog->engine, engines[i]);
        CHECK_EQ(run_on_byte(prog, 0xaa), 3);
        CHECK_EQ(run_on_byte(prog, 0xab), 2);
        runtime_prog_put(prog);
    }
    struct runtime_prog *prog = load(first_byte_prog, COUNT(first_byte_prog), RUNTIME_ENGINE_DEFAULT, true, NULL, 0);
    if (prog) {
        CHECK(!prog->verified);
        CHECK_EQ(prog->engine, RUNTIME_ENGINE_CHECKED);
        CHECK_EQ(prog->verifier_stats.steps, 0);
        CHECK_EQ(run_on_byte(prog, 0xaa), 3);
        runtime_prog_put(prog);
    }
}

TEST(rejections_name_the_instruction_the_property_and_the_values)
{
    char log[8192] = "";
    struct runtime_prog_attr attr = {
        .name = "unchecked", .prog_type = 6, .insns = unchecked_read_prog,
        .insn_count = COUNT(unchecked_read_prog), .log = log, .log_size = sizeof log,
    };
    struct runtime_prog *prog = (struct runtime_prog *)1;
    char msg[512];
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EACCES);
    CHECK(prog == NULL);
    CHECK_CONTAINS(msg, "rejected by the verifier");
    CHECK_CONTAINS(msg, "insn 1");
    CHECK_CONTAINS(msg, "packet");
    CHECK(strlen(log) > 0);
    /* Unverified, the same program loads and the checked interpreter stops the bad read. */
    prog = load(unchecked_read_prog, COUNT(unchecked_read_prog), RUNTIME_ENGINE_DEFAULT, true, NULL, 0);
    if (prog)
        runtime_prog_put(prog);
}

TEST(engine_requests_that_cannot_be_honoured_are_refused)
{
    struct runtime_prog_attr attr = {
        .name = "p", .prog_type = 6, .insns = first_byte_prog, .insn_count = COUNT(first_byte_prog),
        .engine = RUNTIME_ENGINE_JIT, .allow_unverified = true,
    };
    struct runtime_prog *prog = NULL;
    char msg[512];
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EPERM);
    CHECK_CONTAINS(msg, "checked interpreter only");
    attr.engine = RUNTIME_ENGINE_INTERP;
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EPERM);
    attr.engine = RUNTIME_ENGINE_CHECKED;
    attr.allow_unverified = false;
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EINVAL);
    attr.engine = RUNTIME_ENGINE_DEFAULT;
    attr.prog_type = 4242;
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EOPNOTSUPP);
    CHECK_CONTAINS(msg, "program type 4242");
    attr.insn_count = 0;
    CHECK_EQ(runtime_prog_load(&attr, &prog, msg, sizeof msg), -EINVAL);
    CHECK(prog == NULL);
}

static struct bpfhost_map *make_map(uint32_t type, uint32_t value_size, uint32_t flags,
                                    const struct bpfhost_map *inner)
{
    struct map_create_attr attr = {
        .map_type = type, .key_size = 4, .value_size = value_size, .max_entries = 4,
        .map_flags = flags, .inner_map = inner,
        .object_ops = type == MAP_TYPE_PROG_ARRAY ? &runtime_prog_object_ops : NULL,
    };
    snprintf(attr.name, sizeof attr.name, "m%u", type);
    struct bpfhost_map *map = NULL;
    char msg[256];
    int err = map_create(&attr, &map, msg, sizeof msg);
    if (err)
        fprintf(stderr, "  map_create: %s\n", msg);
    CHECK_EQ(err, 0);
    return map;
}

static int load_err(const struct ebpf_insn *insns, size_t count, struct bpfhost_map *const *maps,
                    size_t map_count, char *msg, size_t msg_size)
{
    struct runtime_prog_attr attr = {
        .name = "m", .prog_type = 6, .insns = insns, .insn_count = count, .maps = maps,
        .map_count = map_count,
    };
    struct runtime_prog *prog = NULL;
    int err = runtime_prog_load(&attr, &prog, msg, msg_size);
    runtime_prog_put(prog);
    return err;
}

TEST(read_only_maps_stay_read_only)
{
    struct bpfhost_map *map = make_map(MAP_TYPE_ARRAY, 8, MAP_F_RDONLY_PROG, NULL);
    if (!map)
        return;
    const struct ebpf_insn reads[] = {LD_MAP_VALUE(1, 0, 0), LDX(DW, 0, 1, 0), ALU64_IMM(AND, 0, 1), EXIT()};
    const struct ebpf_insn writes[] = {LD_MAP_VALUE(1, 0, 0), ST(DW, 1, 0, 1), MOV64_IMM(0, 2), EXIT()};
    char msg[512];
    CHECK_EQ(load_err(reads, COUNT(reads), &map, 1, msg, sizeof msg), 0);
    CHECK_EQ(load_err(writes, COUNT(writes), &map, 1, msg, sizeof msg), -EACCES);
    CHECK_CONTAINS(msg, "insn 2");
    map_put(map);
    platform_epoch_barrier();
}

TEST(maps_of_maps_are_checked_against_their_inner_template)
{
    struct bpfhost_map *inner = make_map(MAP_TYPE_ARRAY, 8, 0, NULL);
    struct bpfhost_map *outer = inner ? make_map(MAP_TYPE_ARRAY_OF_MAPS, 4, 0, inner) : NULL;
    if (!outer) {
        map_put(inner);
        return;
    }
#define LOOKUP_INNER_VALUE(read_offset)                                                            \
    {                                                                                              \
        ST(W, 10, -4, 0), LD_MAP(1, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),          \
            JMP_IMM(JEQ, 0, 0, 6), MOV64_REG(1, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4),      \
            CALL(1), JMP_IMM(JEQ, 0, 0, 1), LDX(W, 0, 0, read_offset), MOV64_IMM(0, 2), EXIT()      \
    }
    const struct ebpf_insn inside[] = LOOKUP_INNER_VALUE(4);
    const struct ebpf_insn beyond[] = LOOKUP_INNER_VALUE(8);
    char msg[512];
    CHECK_EQ(load_err(inside, COUNT(inside), &outer, 1, msg, sizeof msg), 0);
    CHECK_EQ(load_err(beyond, COUNT(beyond), &outer, 1, msg, sizeof msg), -EACCES);
    CHECK_CONTAINS(msg, "insn 12");
    map_put(outer);
    map_put(inner);
    for (int level = 0; level < 3; level++)
        platform_epoch_barrier();
}

/* r0 = 1 (XDP_DROP) unless the tail call to slot 0 of map 0 goes through. */
static const struct ebpf_insn tail_caller[] = {
    LD_MAP(2, 0), MOV64_IMM(3, 0), CALL(12), MOV64_IMM(0, 1), EXIT(),
};
static const struct ebpf_insn tail_target[] = {MOV64_IMM(0, 3), EXIT()};

static uint32_t tail_call_action(enum runtime_engine caller_engine, bool caller_unverified,
                                 bool target_unverified)
{
    struct bpfhost_map *array = make_map(MAP_TYPE_PROG_ARRAY, 4, 0, NULL);
    if (!array)
        return 99;
    struct runtime_prog *caller = load(tail_caller, COUNT(tail_caller), caller_engine, caller_unverified, &array, 1);
    struct runtime_prog *target = load(tail_target, COUNT(tail_target), RUNTIME_ENGINE_DEFAULT, target_unverified, NULL, 0);
    uint32_t action = 99, key = 0;
    if (caller && target) {
        CHECK_EQ(map_sys_update_object(array, &key, target, MAP_ANY), 0);
        action = run_on_byte(caller, 0);
    }
    map_sys_delete_elem(array, &key);
    runtime_prog_put(caller);
    runtime_prog_put(target);
    map_put(array);
    for (int level = 0; level < 3; level++)
        platform_epoch_barrier();
    return action;
}

TEST(tail_calls_continue_in_verified_programs_on_every_engine)
{
    CHECK_EQ(tail_call_action(RUNTIME_ENGINE_INTERP, false, false), 3);
    if (jit_supported())
        CHECK_EQ(tail_call_action(RUNTIME_ENGINE_JIT, false, false), 3);
    CHECK_EQ(tail_call_action(RUNTIME_ENGINE_DEFAULT, true, false), 3);
    CHECK_EQ(tail_call_action(RUNTIME_ENGINE_DEFAULT, true, true), 3);
}

TEST(runs_without_checks_never_continue_in_unverified_programs)
{
    CHECK_EQ(tail_call_action(RUNTIME_ENGINE_INTERP, false, true), 1);
    if (jit_supported())
        CHECK_EQ(tail_call_action(RUNTIME_ENGINE_JIT, false, true), 1);
}

TEST(engine_names)
{
    CHECK_STR(runtime_engine_name(RUNTIME_ENGINE_JIT), "jit");
    CHECK_STR(runtime_engine_name(RUNTIME_ENGINE_INTERP), "interpreter");
    CHECK_STR(runtime_engine_name(RUNTIME_ENGINE_CHECKED), "checked interpreter");
}

TEST_MAIN
