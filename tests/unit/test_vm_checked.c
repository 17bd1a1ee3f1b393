/* The checked interpreter's safety net: stack bytes must be written before they are read (per
 * frame, with helpers' fills), helpers' memory arguments are checked like the program's own
 * accesses, and regions - many of them, dropped ones no longer reachable. */
#include "helpers/helpers.h"
#include "test.h"
#include "verifier_asm.h"
#include "vm/vm.h"
#include "vm/vm_internal.h"

#include <errno.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LDDW_FUNC(d, target, at) INSN(0x18, d, EBPF_LDDW_FUNC, 0, (int32_t)((target) - (at) - 1)), INSN(0, 0, 0, 0, 0)

struct outcome {
    int error;
    uint64_t r0;
    size_t error_pc;
    char msg[VM_MSG_SIZE];
};

static struct outcome run_with(const struct ebpf_insn *insns, size_t n, const struct vm_helpers *helpers,
                               enum vm_mode mode, struct vm_run *run, uint64_t r1, uint64_t r2)
{
    struct outcome o = {0};
    struct vm_program *prog;
    o.error = vm_load(insns, n, helpers, &prog, o.msg, sizeof o.msg);
    if (o.error)
        return o;
    o.error = vm_exec(prog, mode, run, r1, r2, &o.r0);
    o.error_pc = run->error_pc;
    snprintf(o.msg, sizeof o.msg, "%s", run->msg);
    vm_unload(prog);
    return o;
}

static struct outcome run_checked(const struct ebpf_insn *insns, size_t n, const struct vm_helpers *helpers,
                                  uint64_t r1)
{
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 100000;
    struct outcome o = run_with(insns, n, helpers, VM_MODE_CHECKED, &run, r1, 0);
    vm_run_release(&run);
    return o;
}

#define CHECK_FAULT(o, pc, text)                                                                   \
    do {                                                                                           \
        CHECK_EQ((o).error, -EACCES);                                                              \
        CHECK_EQ((o).error_pc, pc);                                                                \
        CHECK_CONTAINS((o).msg, text);                                                             \
    } while (0)

TEST(a_stack_read_of_bytes_never_written_faults_naming_the_byte)
{
    const struct ebpf_insn never[] = {LDX(DW, 0, 10, -8), EXIT()};
    struct outcome o = run_checked(never, COUNT(never), NULL, 0);
    CHECK_FAULT(o, 0, "insn 0 (");
    CHECK_CONTAINS(o.msg, "stack byte at offset -8 of frame 0 is read before it is written "
                          "(read of 8 bytes at offset -8)");
    /* Half of a slot written: the first unwritten byte is named. */
    const struct ebpf_insn half[] = {ST(W, 10, -8, 1), LDX(DW, 0, 10, -8), EXIT()};
    o = run_checked(half, COUNT(half), NULL, 0);
    CHECK_FAULT(o, 1, "stack byte at offset -4 of frame 0");
    /* Fast mode trusts the verifier: no check. */
    struct vm_run run;
    vm_run_init(&run);
    o = run_with(never, COUNT(never), NULL, VM_MODE_FAST, &run, 0, 0);
    CHECK_EQ(o.error, 0);
    vm_run_release(&run);
}

TEST(written_bytes_read_back_at_any_alignment)
{
    /* 8 bytes at -13 (across two bytes of the record), then reads inside and around them. */
    const struct ebpf_insn inside[] = {
        LDDW(1, 0x1122334455667788ull), STX(DW, 10, 1, -13), LDX(DW, 0, 10, -13), LDX(B, 2, 10, -6),
        LDX(H, 3, 10, -12), ALU64_REG(ADD, 0, 2), ALU64_REG(ADD, 0, 3), EXIT()};
    struct outcome o = run_checked(inside, COUNT(inside), NULL, 0);
    CHECK_EQ(o.error, 0);
    CHECK_EQ(o.r0, 0x1122334455667788ull + 0x11 + 0x6677);
    const struct ebpf_insn below[] = {ST(DW, 10, -13, 0), LDX(H, 0, 10, -14), EXIT()};
    o = run_checked(below, COUNT(below), NULL, 0);
    CHECK_FAULT(o, 1, "offset -14 of frame 0");
    const struct ebpf_insn above[] = {ST(DW, 10, -16, 0), LDX(W, 0, 10, -9), EXIT()};
    o = run_checked(above, COUNT(above), NULL, 0);
    CHECK_FAULT(o, 1, "offset -8 of frame 0");
    /* The whole frame, byte by byte, then the lowest and highest words. */
    const struct ebpf_insn every_byte[] = {
        MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -512),           /* 0-1 */
        ST(B, 1, 0, 7), ALU64_IMM(ADD, 1, 1),                /* 2-3 */
        JMP_REG(JNE, 1, 10, -3),                             /* 4 */
        LDX(DW, 0, 10, -512), LDX(DW, 2, 10, -8), ALU64_REG(ADD, 0, 2), EXIT()};
    o = run_checked(every_byte, COUNT(every_byte), NULL, 0);
    CHECK_EQ(o.error, 0);
    CHECK_EQ(o.r0, 2 * 0x0707070707070707ull);
}

TEST(a_slot_written_on_one_path_only_faults_on_the_other)
{
    const struct ebpf_insn some_paths[] = {
        JMP_IMM(JEQ, 1, 0, 1), ST(DW, 10, -8, 5), LDX(DW, 0, 10, -8), EXIT()};
    struct outcome o = run_checked(some_paths, COUNT(some_paths), NULL, 1);
    CHECK_EQ(o.error, 0);
    CHECK_EQ(o.r0, 5);
    o = run_checked(some_paths, COUNT(some_paths), NULL, 0);
    CHECK_FAULT(o, 2, "offset -8 of frame 0");
}

TEST(atomics_need_written_stack_bytes)
{
    const struct ebpf_insn unwritten[] = {MOV64_IMM(1, 1), INSN(0xdb, 10, 1, -8, 0), MOV64_IMM(0, 0), EXIT()};
    struct outcome o = run_checked(unwritten, COUNT(unwritten), NULL, 0);
    CHECK_FAULT(o, 1, "offset -8 of frame 0");
    const struct ebpf_insn written[] = {ST(DW, 10, -8, 2), MOV64_IMM(1, 1), INSN(0xdb, 10, 1, -8, 0x01),
                                        LDX(DW, 0, 10, -8), ALU64_REG(ADD, 0, 1), EXIT()};
    o = run_checked(written, COUNT(written), NULL, 0);
    CHECK_EQ(o.error, 0);
    CHECK_EQ(o.r0, 3 + 2); /* fetch-add: r1 = the old 2 */
}

TEST(each_call_starts_with_an_unwritten_frame_and_may_read_its_callers)
{
    /* main writes its -8, then f reads main's -8 through r1 and writes its own -8; g, in the
     * same place f was, reads its own -8: unwritten although f wrote those bytes. */
    const struct ebpf_insn prog[] = {
        ST(DW, 10, -8, 40),                 /* 0 */
        MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), /* 1-2 */
        CALL_LOCAL(4),                      /* 3: f at 8 */
        JA(0),                              /* 4: (no g: ja +1) */
        CALL_LOCAL(6),                      /* 5: g at 12 */
        EXIT(),                             /* 6 */
        EXIT(),                             /* 7 */
        LDX(DW, 0, 1, 0),                   /* 8: f */
        ST(DW, 10, -8, 2),                  /* 9 */
        ALU64_IMM(ADD, 0, 2),               /* 10 */
        EXIT(),                             /* 11 */
        LDX(DW, 0, 10, -8),                 /* 12: g */
        EXIT(),                             /* 13 */
    };
    struct outcome o = run_checked(prog, COUNT(prog), NULL, 0);
    CHECK_FAULT(o, 12, "stack byte at offset -8 of frame 1");
    /* A frame that returned is unwritten again: h leaves a pointer to its -8 in r0. */
    const struct ebpf_insn dangling[] = {
        CALL_LOCAL(2), LDX(DW, 0, 0, 0), EXIT(),
        ST(DW, 10, -8, 1), MOV64_REG(0, 10), ALU64_IMM(ADD, 0, -8), EXIT()};
    o = run_checked(dangling, COUNT(dangling), NULL, 0);
    CHECK_FAULT(o, 1, "stack byte at offset -8 of frame 1");
    struct ebpf_insn without_g[COUNT(prog)];
    memcpy(without_g, prog, sizeof prog);
    without_g[4] = JA(1);
    o = run_checked(without_g, COUNT(without_g), NULL, 0);
    CHECK_EQ(o.error, 0);
    CHECK_EQ(o.r0, 42);
}

static uint64_t helper_writes_nothing(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                      struct vm_run *run)
{
    (void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)run;
    return 0;
}

static size_t value_size_is_the_number(uint64_t map) { return (size_t)map; }

TEST(helpers_fill_the_stack_their_prototypes_say)
{
    struct vm_helpers helpers = {0};
    helpers.fn[16] = helper_writes_nothing;
    helpers.args[16][0] = VM_ARG_FILL;
    helpers.fn[88] = helper_writes_nothing;
    helpers.args[88][1] = VM_ARG_FILL_VALUE;
    helpers.map_value_size = value_size_is_the_number;
    helpers.fn[5] = helper_writes_nothing;
    /* fill(r10 - 16, 12): bytes -16 .. -5 count as written, whatever the helper did. */
    const struct ebpf_insn sized[] = {
        MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), MOV64_IMM(2, 12), CALL(16), /* 0-3 */
        LDX(DW, 0, 10, -16), LDX(W, 3, 10, -8), LDX(B, 3, 10, -5),            /* 4-6 */
        LDX(B, 3, 10, -4), EXIT()};                                           /* 7 */
    struct outcome o = run_checked(sized, COUNT(sized), &helpers, 0);
    CHECK_FAULT(o, 7, "offset -4 of frame 0");
    /* pop(map with 24-byte values, r10 - 24) */
    const struct ebpf_insn map_value[] = {
        MOV64_IMM(1, 24), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -24), CALL(88),
        LDX(DW, 0, 10, -24), LDX(DW, 3, 10, -8), LDX(B, 3, 10, -25), EXIT()};
    o = run_checked(map_value, COUNT(map_value), &helpers, 0);
    CHECK_FAULT(o, 6, "offset -25 of frame 0");
    /* A helper without memory arguments writes nothing. */
    const struct ebpf_insn none[] = {MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), CALL(5), LDX(B, 0, 10, -8), EXIT()};
    o = run_checked(none, COUNT(none), &helpers, 0);
    CHECK_FAULT(o, 3, "offset -8 of frame 0");
    /* A fill past the top of the stack is refused before the helper runs. */
    const struct ebpf_insn past[] = {MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), MOV64_IMM(2, 9), CALL(16),
                                     LDX(DW, 0, 10, -8), EXIT()};
    o = run_checked(past, COUNT(past), &helpers, 0);
    CHECK_EQ(o.error, -EFAULT);
    CHECK_EQ(o.error_pc, 3);
    CHECK_CONTAINS(o.msg, "argument 1 of bpf_get_current_comm: 9 bytes at 0x");
    CHECK_CONTAINS(o.msg, "are outside the memory this program may write");
    /* The runtime's table takes its arguments from the verifier's prototypes. */
    static struct vm_helpers table;
    helpers_fill_table(&table);
    CHECK_EQ(table.args[HELPER_GET_CURRENT_COMM][0], VM_ARG_FILL);
    CHECK_EQ(table.args[HELPER_SKB_LOAD_BYTES][2], VM_ARG_FILL);
    CHECK_EQ(table.args[HELPER_MAP_POP_ELEM][1], VM_ARG_FILL_VALUE);
    CHECK_EQ(table.args[HELPER_MAP_LOOKUP_ELEM][0], VM_ARG_NONE);
    CHECK_EQ(table.args[HELPER_MAP_LOOKUP_ELEM][1], VM_ARG_READ_KEY);
    CHECK_EQ(table.args[HELPER_MAP_UPDATE_ELEM][2], VM_ARG_READ_VALUE);
    CHECK_EQ(table.args[HELPER_TRACE_PRINTK][0], VM_ARG_READ);
    CHECK_EQ(table.args[HELPER_SPIN_LOCK][0], VM_ARG_LOCK);
    CHECK(table.map_key_size != NULL && table.map_value_size != NULL);
}

static size_t key_size_is_the_number(uint64_t map) { return (size_t)map; }

TEST(helpers_read_only_written_stack_and_memory_the_program_may_touch)
{
    struct vm_helpers helpers = {0};
    helpers.fn[1] = helper_writes_nothing;
    helpers.args[1][1] = VM_ARG_READ_KEY;
    helpers.map_key_size = key_size_is_the_number;
    helpers.fn[69] = helper_writes_nothing;
    helpers.args[69][1] = VM_ARG_READ_WRITE;
    helpers.fn[6] = helper_writes_nothing;
    helpers.args[6][0] = VM_ARG_READ;
    /* lookup(map with 8-byte keys, r10 - 8) after a 4-byte store at r1's offset */
    struct ebpf_insn key[] = {ST(W, 10, -8, 0), MOV64_IMM(1, 8), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -8),
                              CALL(1), MOV64_IMM(0, 0), EXIT()};
    struct outcome o = run_checked(key, COUNT(key), &helpers, 0);
    CHECK_FAULT(o, 4, "argument 2 of bpf_map_lookup_elem: stack byte at offset -4 of frame 0 is read "
                      "before it is written (8 bytes from offset -8)");
    key[0] = ST(DW, 10, -8, 0);
    o = run_checked(key, COUNT(key), &helpers, 0);
    CHECK_EQ(o.error, 0);
    /* Outside the stack: only the run's regions, writable where the helper writes. */
    static uint8_t read_only[16], writable[16], elsewhere[16];
    const struct ebpf_insn key_at_r1[] = {MOV64_REG(2, 1), MOV64_IMM(1, 8), CALL(1), MOV64_IMM(0, 0), EXIT()};
    const struct ebpf_insn rw_at_r1[] = {MOV64_REG(2, 1), MOV64_IMM(3, 16), CALL(69), MOV64_IMM(0, 0), EXIT()};
    struct vm_run run;
    vm_run_init(&run);
    vm_run_add_region(&run, read_only, sizeof read_only, false);
    vm_run_add_region(&run, writable, sizeof writable, true);
    CHECK_EQ(run_with(key_at_r1, COUNT(key_at_r1), &helpers, VM_MODE_CHECKED, &run, (uintptr_t)read_only, 0).error, 0);
    CHECK_EQ(run_with(key_at_r1, COUNT(key_at_r1), &helpers, VM_MODE_CHECKED, &run, (uintptr_t)(read_only + 9), 0).error,
             -EFAULT);
    o = run_with(key_at_r1, COUNT(key_at_r1), &helpers, VM_MODE_CHECKED, &run, (uintptr_t)elsewhere, 0);
    CHECK_EQ(o.error, -EFAULT);
    CHECK_EQ(o.error_pc, 2);
    CHECK_CONTAINS(o.msg, "argument 2 of bpf_map_lookup_elem: 8 bytes at 0x");
    CHECK_CONTAINS(o.msg, "may read");
    o = run_with(rw_at_r1, COUNT(rw_at_r1), &helpers, VM_MODE_CHECKED, &run, (uintptr_t)read_only, 0);
    CHECK_EQ(o.error, -EFAULT);
    CHECK_CONTAINS(o.msg, "argument 2 of bpf_fib_lookup: 16 bytes at 0x");
    CHECK_CONTAINS(o.msg, "may write");
    CHECK_EQ(run_with(rw_at_r1, COUNT(rw_at_r1), &helpers, VM_MODE_CHECKED, &run, (uintptr_t)writable, 0).error, 0);
    /* Null with size 0 touches nothing; fast mode checks nothing. */
    const struct ebpf_insn empty[] = {MOV64_IMM(1, 0), MOV64_IMM(2, 0), CALL(6), EXIT()};
    CHECK_EQ(run_with(empty, COUNT(empty), &helpers, VM_MODE_CHECKED, &run, 0, 0).error, 0);
    CHECK_EQ(run_with(key_at_r1, COUNT(key_at_r1), &helpers, VM_MODE_FAST, &run, (uintptr_t)elsewhere, 0).error, 0);
    vm_run_release(&run);
}

static const struct vm_program *tail_target;

static uint64_t helper_tail_call(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                                 struct vm_run *run)
{
    (void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
    return (uint64_t)(int64_t)vm_run_tail_call(run, tail_target);
}

TEST(a_tail_call_target_starts_with_an_unwritten_frame)
{
    struct vm_helpers helpers = {0};
    helpers.fn[12] = helper_tail_call;
    const struct ebpf_insn target[] = {LDX(DW, 0, 10, -8), EXIT()};
    const struct ebpf_insn caller[] = {ST(DW, 10, -8, 1), CALL(12), EXIT()};
    struct vm_program *prog;
    char msg[256];
    CHECK_EQ(vm_load(target, COUNT(target), NULL, &prog, msg, sizeof msg), 0);
    tail_target = prog;
    struct outcome o = run_checked(caller, COUNT(caller), &helpers, 0);
    CHECK_FAULT(o, 0, "offset -8 of frame 0");
    CHECK_CONTAINS(o.msg, "insn 0 (");
    vm_unload(prog);
}

/* Callbacks (bpf_loop): their frame starts unwritten, their context on the caller's stack is
 * readable, and faults and the step budget name the callback's instruction. */
TEST(callbacks_have_frames_of_their_own_and_faults_name_their_instructions)
{
    static struct vm_helpers table;
    helpers_fill_table(&table);
    /* main: sum = 0 at -8; bpf_loop(2, cb, &sum, 0); r0 = sum */
    struct ebpf_insn prog[] = {
        ST(DW, 10, -8, 0),                  /* 0 */
        MOV64_IMM(1, 2), LDDW_FUNC(2, 10, 2), /* 1, 2-3 */
        MOV64_REG(3, 10), ALU64_IMM(ADD, 3, -8), MOV64_IMM(4, 0), /* 4-6 */
        CALL(HELPER_LOOP), LDX(DW, 0, 10, -8), EXIT(), /* 7-9 */
        LDX(DW, 3, 2, 0), ALU64_IMM(ADD, 3, 5), STX(DW, 2, 3, 0), /* 10-12: cb(i, ctx): *ctx += 5 */
        MOV64_IMM(0, 0), EXIT(),            /* 13-14 */
    };
    struct outcome o = run_checked(prog, COUNT(prog), &table, 0);
    CHECK_EQ(o.error, 0);
    CHECK_EQ(o.r0, 10);
    prog[12] = LDX(DW, 3, 10, -16); /* the callback's own frame: never written */
    o = run_checked(prog, COUNT(prog), &table, 0);
    CHECK_FAULT(o, 12, "stack byte at offset -16 of frame 1");
    CHECK_CONTAINS(o.msg, "insn 12 (");
    /* The step budget ends inside the callback, and names its instruction. */
    prog[13] = JA(-1);
    prog[12] = MOV64_IMM(0, 0);
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 500;
    o = run_with(prog, COUNT(prog), &table, VM_MODE_CHECKED, &run, 0, 0);
    CHECK_EQ(o.error, -E2BIG);
    CHECK_EQ(o.error_pc, 13);
    CHECK_CONTAINS(o.msg, "insn 13 (");
    CHECK_CONTAINS(o.msg, "step budget of 500");
    vm_run_release(&run);
}

/* --- regions ---------------------------------------------------------------------------------- */

static bool accessible(struct vm_run *run, const void *addr, bool write)
{
    const struct ebpf_insn read[] = {LDX(B, 0, 1, 0), EXIT()};
    const struct ebpf_insn store[] = {ST(B, 1, 0, 1), MOV64_IMM(0, 0), EXIT()};
    struct outcome o = run_with(write ? store : read, write ? 3 : 2, NULL, VM_MODE_CHECKED, run,
                                (uintptr_t)addr, 0);
    return o.error == 0;
}

TEST(dropped_regions_are_no_longer_accessible)
{
    static uint8_t a[64], b[64], c[64];
    struct vm_run run;
    vm_run_init(&run);
    CHECK_EQ(vm_run_add_region(&run, a, sizeof a, true), 0);
    size_t before = run.region_count;
    CHECK_EQ(vm_run_add_region(&run, b, sizeof b, true), 0);
    CHECK(accessible(&run, b + 10, true)); /* now the last hit */
    CHECK(accessible(&run, b + 10, false));
    vm_run_drop_regions(&run, before);
    CHECK(!accessible(&run, b + 10, false));
    CHECK(!accessible(&run, b + 10, true));
    CHECK(accessible(&run, a, true));
    /* A caller that forgets regions by lowering region_count (a hook between packets), then
     * adds another in the same slot. */
    CHECK(accessible(&run, a + 63, false));
    run.region_count = 0;
    CHECK(!accessible(&run, a + 63, false));
    CHECK_EQ(vm_run_add_region(&run, c, sizeof c, false), 0);
    CHECK(!accessible(&run, a, false));
    CHECK(!accessible(&run, b, false));
    CHECK(accessible(&run, c + 5, false));
    CHECK(!accessible(&run, c + 5, true));
    /* Adding the same region again changes nothing but may make it writable. */
    CHECK_EQ(vm_run_add_region(&run, c, sizeof c, true), 0);
    CHECK_EQ(run.region_count, 1);
    CHECK(accessible(&run, c + 5, true));
    vm_run_release(&run);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* The index against a plain scan: an access is allowed when some live region contains it and,
 * for a write, is writable. Regions overlap, nest, repeat and are dropped. */
TEST(region_lookup_agrees_with_a_scan_of_the_live_regions)
{
    static uint8_t arena[4096];
    struct vm_region live[VM_MAX_REGIONS];
    struct vm_run run;
    vm_run_init(&run);
    size_t mismatches = 0;
    for (int round = 0; round < 200; round++) {
        unsigned adds = 1 + rnd() % 40;
        for (unsigned i = 0; i < adds; i++) {
            size_t start = rnd() % sizeof arena;
            size_t size = rnd() % 4 == 0 ? rnd() % (sizeof arena - start + 1) : rnd() % 64;
            if (start + size > sizeof arena)
                size = sizeof arena - start;
            bool writable = rnd() % 2;
            if (vm_run_add_region(&run, arena + start, size, writable))
                break;
        }
        memcpy(live, run.regions, run.region_count * sizeof *live);
        for (int q = 0; q < 200; q++) {
            uint64_t size = 1 + rnd() % 8;
            uint64_t addr = (uintptr_t)arena - 8 + rnd() % (sizeof arena + 16);
            bool write = rnd() % 2, expected = false;
            for (size_t i = 0; i < run.region_count; i++)
                expected |= addr >= live[i].start && addr + size <= live[i].start + live[i].size &&
                            (!write || live[i].writable);
            mismatches += vm_run_region_allows(&run, addr, size, write) != expected;
        }
        if (rnd() % 3 == 0)
            vm_run_drop_regions(&run, rnd() % (run.region_count + 1));
        else if (rnd() % 5 == 0)
            run.region_count = rnd() % (run.region_count + 1);
    }
    CHECK_EQ(mismatches, 0);
    vm_run_release(&run);
}

TEST(thousands_of_regions_stay_exact)
{
    enum { N = 3000 };
    static uint64_t values[N][2];
    struct vm_run run;
    vm_run_init(&run);
    /* Added in a scattered order, as a hash map's values would be. */
    for (size_t i = 0; i < N; i++)
        CHECK_EQ(vm_run_add_region(&run, values[(i * 1237) % N], 8, i % 2 == 0), 0);
    CHECK_EQ(run.region_count, N);
    size_t wrong = 0;
    for (size_t i = 0; i < N; i++) {
        size_t j = (i * 1237) % N;
        wrong += !vm_run_region_allows(&run, (uintptr_t)values[j], 8, false);
        wrong += vm_run_region_allows(&run, (uintptr_t)values[j], 8, true) != (i % 2 == 0);
        wrong += vm_run_region_allows(&run, (uintptr_t)values[j] + 4, 8, false); /* half outside */
        wrong += vm_run_region_allows(&run, (uintptr_t)&values[j][1], 1, false);
    }
    CHECK_EQ(wrong, 0);
    vm_run_release(&run);
}

TEST_MAIN
