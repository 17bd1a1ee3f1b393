/* The x86-64 JIT: every instruction form on hand-built programs whose results are worked out
 * from RFC 9669, the calling convention (frames, helpers, stop, tail calls, faults), the
 * verified-only policy, and constant blinding. */
#include "jit/jit.h"
#include "test.h"
#include "test_jit_insns.h"

#include <errno.h>
#include <threads.h>

enum { W = EBPF_SIZE_W, H = EBPF_SIZE_H, B = EBPF_SIZE_B, DW = EBPF_SIZE_DW };
enum { MEM_SIZE = 64 };

/* Helper 1 weighs its arguments so that a misplaced one shows; helper 5 is the conformance
 * suite's "unwind": it stops the program when its argument is 0. */
static uint64_t weigh_args(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                           struct vm_run *run)
{
    return r1 + 2 * r2 + 3 * r3 + 4 * r4 + 5 * r5 + (run ? 0 : 1000);
}

static uint64_t unwind(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                       struct vm_run *run)
{
    if (r1 == 0) {
        run->stop = true;
        run->stop_value = 0;
    }
    return r1;
}

static uint64_t stop_with_r1(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                             struct vm_run *run)
{
    run->stop = true;
    run->stop_value = r1;
    return 0;
}

/* Stands in for the runtime's bpf_tail_call: r2 is a program array of jit programs,
 * r3 the index. Counts like vm_run_tail_call: past the limit the call fails and returns. */
static const struct vm_program *tail_targets[4];
static const struct jit_program *tail_programs[4];

static uint64_t tail_call(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                          struct vm_run *run)
{
    if (r3 >= 4 || run->tail_call_count >= EBPF_MAX_TAIL_CALLS)
        return (uint64_t)-1;
    run->tail_call_count++;
    run->tail_call_target = tail_targets[r3];
    return 0;
}

/* Requests tail calls without counting them, as a buggy helper could. */
static uint64_t tail_call_uncounted(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
                                    uint64_t r5, struct vm_run *run)
{
    run->tail_call_target = tail_targets[0];
    return 0;
}

static const struct jit_program *resolve(const struct vm_program *target, struct vm_run *run)
{
    for (int i = 0; i < 4; i++)
        if (tail_targets[i] == target)
            return tail_programs[i];
    return NULL;
}

static struct vm_helpers helpers;

static void init_helpers(void)
{
    helpers.fn[1] = weigh_args;
    helpers.fn[5] = unwind;
    helpers.fn[6] = stop_with_r1;
    helpers.fn[12] = tail_call;
    helpers.fn[13] = tail_call_uncounted;
}

static const uint8_t packet[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void fresh_run(struct vm_run *run)
{
    memset(run, 0, sizeof(*run));
    run->packet = packet;
    run->packet_len = sizeof(packet);
}

static void fill_memory(uint8_t *mem)
{
    for (int i = 0; i < MEM_SIZE; i++)
        mem[i] = (uint8_t)(0x81 + i);
}

struct outcome {
    int compile_error;
    int run_error;
    uint64_t r0;
    char msg[256];
    struct vm_run run;
};

static struct outcome run_program(const struct ebpf_insn *insns, size_t count, uint8_t *mem,
                                  const struct jit_options *opts)
{
    struct outcome o = {0};
    init_helpers();
    struct jit_options defaults = {.allow_unverified = true, .resolve_tail_call = resolve};
    struct jit_program *prog;
    o.compile_error = jit_compile(insns, count, &helpers, opts ? opts : &defaults, &prog, o.msg,
                                  sizeof(o.msg));
    if (o.compile_error)
        return o;
    fresh_run(&o.run);
    o.run_error = jit_exec(prog, &o.run, (uint64_t)(uintptr_t)mem, MEM_SIZE, &o.r0);
    jit_free(prog);
    return o;
}

#define PROG(...) ((const struct ebpf_insn[]){__VA_ARGS__})
#define COUNT(...) (sizeof(PROG(__VA_ARGS__)) / sizeof(struct ebpf_insn))

struct form_case {
    const char *name;
    const struct ebpf_insn *insns;
    size_t count;
    uint64_t expected;
};

#define CASE(name, expected, ...) {name, PROG(__VA_ARGS__), COUNT(__VA_ARGS__), expected}
/* r0 = 1 when the conditional jump is taken, else 0. */
#define BRANCH(name, taken, jump, ...) CASE(name, taken, __VA_ARGS__, MOV64(0, 1), jump, MOV64(0, 0), EXIT)

#define K 0x1122334455667788ull

static const struct form_case cases[] = {
    /* ALU, 64 and 32 bits; 32-bit results are zero-extended. */
    CASE("add64 imm", (uint64_t)-2, MOV64(0, 5), ALU64_IMM(OP_ADD, 0, -7), EXIT),
    CASE("add64 reg", 0x80000000, MOV64(3, 0x7fffffff), MOV64(0, 1), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("add32 imm", 1, LDDW(0, 0x1ffffffffull), ALU32_IMM(OP_ADD, 0, 2), EXIT),
    CASE("add32 reg", 0x9abcdf00, LDDW(0, 0x123456789abcdef0ull), MOV64(3, 0x10),
         ALU32_REG(OP_ADD, 0, 3), EXIT),
    CASE("sub64 imm", (uint64_t)-10, MOV64(0, 10), ALU64_IMM(OP_SUB, 0, 20), EXIT),
    CASE("sub64 reg", (uint64_t)-2, MOV64(0, 3), MOV64(3, 5), ALU64_REG(OP_SUB, 0, 3), EXIT),
    CASE("sub32 imm", 0xfffffffe, MOV64(0, 3), ALU32_IMM(OP_SUB, 0, 5), EXIT),
    CASE("sub32 reg", 0xfffffffe, LDDW(0, 0xffffffff00000005ull), MOV64(3, 7),
         ALU32_REG(OP_SUB, 0, 3), EXIT),
    CASE("mul64 imm", (uint64_t)-21, MOV64(0, -3), ALU64_IMM(OP_MUL, 0, 7), EXIT),
    CASE("mul64 reg", 0x200000001ull, LDDW(0, 0x100000001ull), LDDW(3, 0x100000001ull),
         ALU64_REG(OP_MUL, 0, 3), EXIT),
    CASE("mul32 imm", 0x10000, MOV64(0, 0x10000), ALU32_IMM(OP_MUL, 0, 0x10001), EXIT),
    CASE("mul32 reg", 1, MOV64(0, -1), MOV64(3, -1), ALU32_REG(OP_MUL, 0, 3), EXIT),
    CASE("div64 imm", 14, MOV64(0, 100), ALU64_IMM(OP_DIV, 0, 7), EXIT),
    CASE("div64 imm 0", 0, MOV64(0, 100), ALU64_IMM(OP_DIV, 0, 0), EXIT),
    CASE("div64 reg", 0x7fffffffffffffffull, MOV64(0, -1), MOV64(3, 2), ALU64_REG(OP_DIV, 0, 3), EXIT),
    CASE("div64 reg 0", 0, MOV64(0, -1), MOV64(3, 0), ALU64_REG(OP_DIV, 0, 3), EXIT),
    CASE("div64 keeps r0 r3", 0x1234 + 2 * 6 + 7, MOV64(0, 0x1234), MOV64(3, 7), MOV64(6, 25),
         MOV64(4, 4), ALU64_REG(OP_DIV, 6, 4), ALU64_REG(OP_ADD, 0, 6), ALU64_REG(OP_ADD, 0, 6),
         ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("div64 r3 by r0", 5, MOV64(0, 4), MOV64(3, 21), ALU64_REG(OP_DIV, 3, 0), MOV64_R(0, 3), EXIT),
    CASE("div32 imm", 4, LDDW(0, 0x100000010ull), ALU32_IMM(OP_DIV, 0, 4), EXIT),
    CASE("div32 reg", 0x0fffffff, MOV64(0, -1), MOV64(3, 0x10), ALU32_REG(OP_DIV, 0, 3), EXIT),
    CASE("div32 reg 0", 0, MOV64(0, -1), MOV64(3, 0), ALU32_REG(OP_DIV, 0, 3), EXIT),
    CASE("div32 high divisor bits ignored", 0xffffffff, MOV64(0, -1), LDDW(3, 0x100000001ull),
         ALU32_REG(OP_DIV, 0, 3), EXIT),
    CASE("mod64 imm", 2, MOV64(0, 100), ALU64_IMM(OP_MOD, 0, 7), EXIT),
    CASE("mod64 imm 0", 100, MOV64(0, 100), ALU64_IMM(OP_MOD, 0, 0), EXIT),
    CASE("mod64 reg", 5, MOV64(0, -1), MOV64(3, 10), ALU64_REG(OP_MOD, 0, 3), EXIT),
    CASE("mod64 reg 0", 0x100000005ull, LDDW(0, 0x100000005ull), MOV64(3, 0),
         ALU64_REG(OP_MOD, 0, 3), EXIT),
    CASE("mod32 imm", 1, LDDW(0, 0x100000065ull), ALU32_IMM(OP_MOD, 0, 10), EXIT),
    CASE("mod32 imm 0", 0x65, LDDW(0, 0x100000065ull), ALU32_IMM(OP_MOD, 0, 0), EXIT),
    CASE("mod32 reg", 3, MOV64(0, 23), MOV64(3, 5), ALU32_REG(OP_MOD, 0, 3), EXIT),
    CASE("mod32 reg 0", 0x65, LDDW(0, 0x100000065ull), MOV64(3, 0), ALU32_REG(OP_MOD, 0, 3), EXIT),
    CASE("sdiv64 imm", (uint64_t)-14, MOV64(0, -100), SALU64_IMM(OP_DIV, 0, 7), EXIT),
    CASE("sdiv64 imm -1", 0x8000000000000000ull, LDDW(0, 0x8000000000000000ull),
         SALU64_IMM(OP_DIV, 0, -1), EXIT),
    CASE("sdiv64 imm 0", 0, MOV64(0, -100), SALU64_IMM(OP_DIV, 0, 0), EXIT),
    CASE("sdiv64 reg", 14, MOV64(0, -100), MOV64(3, -7), SALU64_REG(OP_DIV, 0, 3), EXIT),
    CASE("sdiv64 reg INT_MIN/-1", 0x8000000000000000ull, LDDW(0, 0x8000000000000000ull),
         MOV64(3, -1), SALU64_REG(OP_DIV, 0, 3), EXIT),
    CASE("sdiv64 reg 0", 0, MOV64(0, -100), MOV64(3, 0), SALU64_REG(OP_DIV, 0, 3), EXIT),
    CASE("sdiv32 imm", 0xfffffff2, MOV64(0, -100), SALU32_IMM(OP_DIV, 0, 7), EXIT),
    CASE("sdiv32 reg INT_MIN/-1", 0x80000000, ALU32_IMM(OP_MOV, 0, INT32_MIN), MOV64(3, -1),
         SALU32_REG(OP_DIV, 0, 3), EXIT),
    CASE("sdiv32 reg", 0xfffffff2, MOV64(0, 100), MOV64(3, -7), SALU32_REG(OP_DIV, 0, 3), EXIT),
    CASE("smod64 imm", (uint64_t)-2, MOV64(0, -100), SALU64_IMM(OP_MOD, 0, 7), EXIT),
    CASE("smod64 imm -1", 0, LDDW(0, 0x8000000000000000ull), SALU64_IMM(OP_MOD, 0, -1), EXIT),
    CASE("smod64 reg", 2, MOV64(0, 100), MOV64(3, -7), SALU64_REG(OP_MOD, 0, 3), EXIT),
    CASE("smod64 reg INT_MIN%-1", 0, LDDW(0, 0x8000000000000000ull), MOV64(3, -1),
         SALU64_REG(OP_MOD, 0, 3), EXIT),
    CASE("smod64 reg 0", (uint64_t)-100, MOV64(0, -100), MOV64(3, 0), SALU64_REG(OP_MOD, 0, 3), EXIT),
    CASE("smod32 imm", 0xfffffffe, MOV64(0, -100), SALU32_IMM(OP_MOD, 0, 7), EXIT),
    CASE("smod32 reg 0", 0xffffff9c, MOV64(0, -100), MOV64(3, 0), SALU32_REG(OP_MOD, 0, 3), EXIT),
    CASE("smod32 reg INT_MIN%-1", 0, ALU32_IMM(OP_MOV, 0, INT32_MIN), MOV64(3, -1),
         SALU32_REG(OP_MOD, 0, 3), EXIT),
    CASE("or64 imm", 0xffffffffffffff10ull, MOV64(0, 0x10), ALU64_IMM(OP_OR, 0, -256), EXIT),
    CASE("or64 reg", 0xff, MOV64(0, 0xf0), MOV64(3, 0x0f), ALU64_REG(OP_OR, 0, 3), EXIT),
    CASE("or32 imm", 0xffffffff, MOV64(0, -1), ALU32_IMM(OP_OR, 0, 0), EXIT),
    CASE("or32 reg", 3, LDDW(0, 0x100000001ull), MOV64(3, 2), ALU32_REG(OP_OR, 0, 3), EXIT),
    CASE("and64 imm", 0xfffffffffffffff0ull, MOV64(0, -1), ALU64_IMM(OP_AND, 0, -16), EXIT),
    CASE("and64 reg", 0x0f00, MOV64(0, 0xff00), MOV64(3, 0x0ff0), ALU64_REG(OP_AND, 0, 3), EXIT),
    CASE("and32 imm", 0xfffffff0, MOV64(0, -1), ALU32_IMM(OP_AND, 0, -16), EXIT),
    CASE("and32 reg", 0x0f00, MOV64(0, -1), MOV64(3, 0x0f00), ALU32_REG(OP_AND, 0, 3), EXIT),
    CASE("xor64 imm", 0xffffffffffffff00ull, MOV64(0, 0xff), ALU64_IMM(OP_XOR, 0, -1), EXIT),
    CASE("xor64 reg", 0xf00f, MOV64(0, 0xff0f), MOV64(3, 0x0f00), ALU64_REG(OP_XOR, 0, 3), EXIT),
    CASE("xor32 imm", 0xffffff00, MOV64(0, 0xff), ALU32_IMM(OP_XOR, 0, -1), EXIT),
    CASE("xor32 reg", 0, MOV64(0, -1), MOV64(3, -1), ALU32_REG(OP_XOR, 0, 3), EXIT),
    /* Shifts: counts masked to 6 (64-bit) or 5 (32-bit) bits; r4 is x86's cl. */
    CASE("lsh64 imm", 0x8000000000000000ull, MOV64(0, 1), ALU64_IMM(OP_LSH, 0, 63), EXIT),
    CASE("lsh64 reg masked", 16, MOV64(0, 1), MOV64(3, 68), ALU64_REG(OP_LSH, 0, 3), EXIT),
    CASE("lsh64 by r4", 8, MOV64(0, 1), MOV64(4, 3), ALU64_REG(OP_LSH, 0, 4), EXIT),
    CASE("lsh64 r4 by r3", 20, MOV64(4, 5), MOV64(3, 2), ALU64_REG(OP_LSH, 4, 3), MOV64_R(0, 4), EXIT),
    CASE("lsh64 r4 by r4", 24, MOV64(4, 3), ALU64_REG(OP_LSH, 4, 4), MOV64_R(0, 4), EXIT),
    CASE("lsh64 keeps r4", 7 + 32, MOV64(4, 7), MOV64(0, 1), MOV64(3, 5), ALU64_REG(OP_LSH, 0, 3),
         ALU64_REG(OP_ADD, 0, 4), EXIT),
    CASE("lsh32 imm", 0xfffffff0, ALU32_IMM(OP_MOV, 0, -1), ALU32_IMM(OP_LSH, 0, 4), EXIT),
    CASE("lsh32 imm 0 zero-extends", 0xffffffff, MOV64(0, -1), ALU32_IMM(OP_LSH, 0, 0), EXIT),
    CASE("lsh32 reg masked", 2, MOV64(0, 1), MOV64(3, 33), ALU32_REG(OP_LSH, 0, 3), EXIT),
    CASE("rsh64 imm", 0xf, MOV64(0, -1), ALU64_IMM(OP_RSH, 0, 60), EXIT),
    CASE("rsh64 reg", 0xff, MOV64(0, -1), MOV64(3, 56), ALU64_REG(OP_RSH, 0, 3), EXIT),
    CASE("rsh32 imm", 0xf, MOV64(0, -1), ALU32_IMM(OP_RSH, 0, 28), EXIT),
    CASE("rsh32 reg masked", 0x0fffffff, MOV64(0, -1), MOV64(3, 36), ALU32_REG(OP_RSH, 0, 3), EXIT),
    CASE("arsh64 imm", (uint64_t)-16, MOV64(0, -256), ALU64_IMM(OP_ARSH, 0, 4), EXIT),
    CASE("arsh64 reg", (uint64_t)-1, MOV64(0, -256), MOV64(3, 63), ALU64_REG(OP_ARSH, 0, 3), EXIT),
    CASE("arsh32 imm", 0xf8000000, ALU32_IMM(OP_MOV, 0, INT32_MIN), ALU32_IMM(OP_ARSH, 0, 4), EXIT),
    CASE("arsh32 reg", 0xffffffff, ALU32_IMM(OP_MOV, 0, INT32_MIN), MOV64(3, 31),
         ALU32_REG(OP_ARSH, 0, 3), EXIT),
    CASE("neg64", (uint64_t)-5, MOV64(0, 5), ALU64_IMM(OP_NEG, 0, 0), EXIT),
    CASE("neg32", 0xfffffffb, MOV64(0, 5), ALU32_IMM(OP_NEG, 0, 0), EXIT),
    /* Moves and sign extension; r2 is sil, which needs a REX prefix as a byte register. */
    CASE("mov64 imm", (uint64_t)-1, MOV64(0, -1), EXIT),
    CASE("mov64 reg", K, LDDW(3, K), MOV64_R(0, 3), EXIT),
    CASE("mov32 imm", 0xffffffff, ALU32_IMM(OP_MOV, 0, -1), EXIT),
    CASE("mov32 reg", 0x55667788, LDDW(3, K), ALU32_REG(OP_MOV, 0, 3), EXIT),
    CASE("movsx8 64", (uint64_t)-1, MOV64(2, 0x1ff), MOVSX64(0, 2, 8), EXIT),
    CASE("movsx16 64", 0xffffffffffff8000ull, MOV64(3, 0x8000), MOVSX64(0, 3, 16), EXIT),
    CASE("movsx32 64", 0xffffffff80000000ull, ALU32_IMM(OP_MOV, 3, INT32_MIN), MOVSX64(0, 3, 32), EXIT),
    CASE("movsx8 32", 0xffffff80, MOV64(2, 0x80), MOVSX32(0, 2, 8), EXIT),
    CASE("movsx16 32", 0xffff8000, MOV64(3, 0x18000), MOVSX32(0, 3, 16), EXIT),
    /* Byte order (the host is little-endian). */
    CASE("le16", 0x7788, LDDW(0, K), LE(0, 16), EXIT),
    CASE("le32", 0x55667788, LDDW(0, K), LE(0, 32), EXIT),
    CASE("le64", K, LDDW(0, K), LE(0, 64), EXIT),
    CASE("be16", 0x8877, LDDW(0, K), BE(0, 16), EXIT),
    CASE("be32", 0x88776655, LDDW(0, K), BE(0, 32), EXIT),
    CASE("be64", 0x8877665544332211ull, LDDW(0, K), BE(0, 64), EXIT),
    CASE("bswap16 r9", 0x8877, LDDW(9, K), BSWAP(9, 16), MOV64_R(0, 9), EXIT),
    CASE("bswap32 r9", 0x88776655, LDDW(9, K), BSWAP(9, 32), MOV64_R(0, 9), EXIT),
    CASE("bswap64 r9", 0x8877665544332211ull, LDDW(9, K), BSWAP(9, 64), MOV64_R(0, 9), EXIT),
    /* Jumps. */
    CASE("ja", 1, MOV64(0, 1), JA(1), MOV64(0, 2), EXIT),
    CASE("gotol", 1, MOV64(0, 1), GOTOL(1), MOV64(0, 2), EXIT),
    CASE("ja backwards", 3, MOV64(0, 0), JA(2), EXIT, EXIT, ALU64_IMM(OP_ADD, 0, 1),
         JMP_IMM(OP_JLT, 0, 3, -2), JA(-5)),
    BRANCH("jeq imm", 1, JMP_IMM(OP_JEQ, 3, -1, 1), MOV64(3, -1)),
    BRANCH("jeq reg", 0, JMP_REG(OP_JEQ, 3, 4, 1), MOV64(3, 1), MOV64(4, 2)),
    BRANCH("jeq32 imm", 1, JMP32_IMM(OP_JEQ, 3, 0, 1), LDDW(3, 0x100000000ull)),
    BRANCH("jeq32 reg", 1, JMP32_REG(OP_JEQ, 3, 4, 1), LDDW(3, 0x100000005ull), MOV64(4, 5)),
    BRANCH("jgt imm unsigned", 1, JMP_IMM(OP_JGT, 3, 5, 1), MOV64(3, -1)),
    BRANCH("jgt reg", 0, JMP_REG(OP_JGT, 3, 4, 1), MOV64(3, 5), MOV64(4, 5)),
    BRANCH("jgt32 imm", 0, JMP32_IMM(OP_JGT, 3, 0, 1), LDDW(3, 0x100000000ull)),
    BRANCH("jgt32 reg", 1, JMP32_REG(OP_JGT, 3, 4, 1), MOV64(3, -1), MOV64(4, 1)),
    BRANCH("jge imm", 1, JMP_IMM(OP_JGE, 3, 5, 1), MOV64(3, 5)),
    BRANCH("jge reg", 0, JMP_REG(OP_JGE, 3, 4, 1), MOV64(3, 4), MOV64(4, 5)),
    BRANCH("jge32 imm", 1, JMP32_IMM(OP_JGE, 3, 5, 1), MOV64(3, 5)),
    BRANCH("jge32 reg", 0, JMP32_REG(OP_JGE, 3, 4, 1), LDDW(3, 0x100000000ull), MOV64(4, 1)),
    BRANCH("jset imm", 1, JMP_IMM(OP_JSET, 3, 2, 1), MOV64(3, 6)),
    BRANCH("jset imm sign-extended", 1, JMP_IMM(OP_JSET, 3, -1, 1), LDDW(3, 0x8000000000000000ull)),
    BRANCH("jset reg", 0, JMP_REG(OP_JSET, 3, 4, 1), MOV64(3, 6), MOV64(4, 9)),
    BRANCH("jset32 imm", 0, JMP32_IMM(OP_JSET, 3, -1, 1), LDDW(3, 0x100000000ull)),
    BRANCH("jset32 reg", 1, JMP32_REG(OP_JSET, 3, 4, 1), MOV64(3, 3), MOV64(4, 1)),
    BRANCH("jne imm", 1, JMP_IMM(OP_JNE, 3, 2, 1), MOV64(3, 1)),
    BRANCH("jne reg", 0, JMP_REG(OP_JNE, 3, 4, 1), MOV64(3, 2), MOV64(4, 2)),
    BRANCH("jne32 imm", 0, JMP32_IMM(OP_JNE, 3, 2, 1), LDDW(3, 0x100000002ull)),
    BRANCH("jne32 reg", 1, JMP32_REG(OP_JNE, 3, 4, 1), MOV64(3, 1), MOV64(4, 2)),
    BRANCH("jsgt imm signed", 0, JMP_IMM(OP_JSGT, 3, 5, 1), MOV64(3, -1)),
    BRANCH("jsgt reg", 1, JMP_REG(OP_JSGT, 3, 4, 1), MOV64(3, 1), MOV64(4, -1)),
    BRANCH("jsgt32 imm", 0, JMP32_IMM(OP_JSGT, 3, 0, 1), LDDW(3, 0x0000000080000000ull)),
    BRANCH("jsgt32 reg", 1, JMP32_REG(OP_JSGT, 3, 4, 1), MOV64(3, 1), ALU32_IMM(OP_MOV, 4, -1)),
    BRANCH("jsge imm", 1, JMP_IMM(OP_JSGE, 3, -5, 1), MOV64(3, -5)),
    BRANCH("jsge reg", 0, JMP_REG(OP_JSGE, 3, 4, 1), MOV64(3, -6), MOV64(4, -5)),
    BRANCH("jsge32 imm", 1, JMP32_IMM(OP_JSGE, 3, -5, 1), ALU32_IMM(OP_MOV, 3, -5)),
    BRANCH("jsge32 reg", 0, JMP32_REG(OP_JSGE, 3, 4, 1), ALU32_IMM(OP_MOV, 3, -6), MOV64(4, -5)),
    BRANCH("jlt imm", 1, JMP_IMM(OP_JLT, 3, -1, 1), MOV64(3, 4)),
    BRANCH("jlt reg", 0, JMP_REG(OP_JLT, 3, 4, 1), MOV64(3, -1), MOV64(4, 4)),
    BRANCH("jlt32 imm", 1, JMP32_IMM(OP_JLT, 3, 1, 1), LDDW(3, 0x100000000ull)),
    BRANCH("jlt32 reg", 0, JMP32_REG(OP_JLT, 3, 4, 1), MOV64(3, 2), MOV64(4, 2)),
    BRANCH("jle imm", 1, JMP_IMM(OP_JLE, 3, 5, 1), MOV64(3, 5)),
    BRANCH("jle reg", 0, JMP_REG(OP_JLE, 3, 4, 1), MOV64(3, 6), MOV64(4, 5)),
    BRANCH("jle32 imm", 1, JMP32_IMM(OP_JLE, 3, 0, 1), LDDW(3, 0x100000000ull)),
    BRANCH("jle32 reg", 0, JMP32_REG(OP_JLE, 3, 4, 1), MOV64(3, -1), MOV64(4, 5)),
    BRANCH("jslt imm", 1, JMP_IMM(OP_JSLT, 3, 0, 1), MOV64(3, -1)),
    BRANCH("jslt reg", 0, JMP_REG(OP_JSLT, 3, 4, 1), MOV64(3, 0), MOV64(4, -1)),
    BRANCH("jslt32 imm", 1, JMP32_IMM(OP_JSLT, 3, 0, 1), ALU32_IMM(OP_MOV, 3, -1)),
    BRANCH("jslt32 reg", 0, JMP32_REG(OP_JSLT, 3, 4, 1), LDDW(3, 0xffffffff00000000ull), MOV64(4, -1)),
    BRANCH("jsle imm", 1, JMP_IMM(OP_JSLE, 3, -1, 1), MOV64(3, -1)),
    BRANCH("jsle reg", 0, JMP_REG(OP_JSLE, 3, 4, 1), MOV64(3, 0), MOV64(4, -1)),
    BRANCH("jsle32 imm", 1, JMP32_IMM(OP_JSLE, 3, -1, 1), ALU32_IMM(OP_MOV, 3, -2)),
    BRANCH("jsle32 reg", 0, JMP32_REG(OP_JSLE, 3, 4, 1), MOV64(3, 1), MOV64(4, 0)),
    /* Loads from the memory block at r1 (bytes 0x81, 0x82, ...). */
    CASE("ldxb", 0x81, LDX(B, 0, 1, 0), EXIT),
    CASE("ldxh", 0x8483, LDX(H, 0, 1, 2), EXIT),
    CASE("ldxw", 0x84838281, LDX(W, 0, 1, 0), EXIT),
    CASE("ldxdw", 0x8887868584838281ull, LDX(DW, 0, 1, 0), EXIT),
    CASE("ldxdw far offset", 0xc0bfbebdbcbbbab9ull, MOV64_R(6, 1), ALU64_IMM(OP_ADD, 6, 300),
         LDX(DW, 0, 6, 56 - 300), EXIT),
    CASE("ldxsb", 0xffffffffffffff81ull, LDXS(B, 0, 1, 0), EXIT),
    CASE("ldxsh", 0xffffffffffff8281ull, LDXS(H, 0, 1, 0), EXIT),
    CASE("ldxsw", 0xffffffff84838281ull, LDXS(W, 0, 1, 0), EXIT),
    CASE("ldxb via r12-like base r9", 0x85, MOV64_R(9, 1), LDX(B, 0, 9, 4), EXIT),
    CASE("ldxb via r13-like base r7", 0x81, MOV64_R(7, 1), LDX(B, 0, 7, 0), EXIT),
    /* Stores to the stack (r10 is rbp: no disp-less form) and to memory. */
    CASE("stb", 0xab, ST(DW, 10, -8, 0), ST(B, 10, -8, 0xab), LDX(DW, 0, 10, -8), EXIT),
    CASE("sth", 0xbeef, ST(DW, 10, -8, 0), ST(H, 10, -8, 0xbeef), LDX(DW, 0, 10, -8), EXIT),
    CASE("stw", 0xdeadbeef, ST(DW, 10, -8, 0), ST(W, 10, -8, (int32_t)0xdeadbeef),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("stdw sign-extends", (uint64_t)-2, ST(DW, 10, -512, -2), LDX(DW, 0, 10, -512), EXIT),
    CASE("stxb from sil", 0xff, ST(DW, 10, -8, 0), MOV64(2, 0x1ff), STX(B, 10, 2, -8),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("stxh", 0x5678, ST(DW, 10, -8, 0), MOV64(3, 0x12345678), STX(H, 10, 3, -8),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("stxw", 0x12345678, ST(DW, 10, -8, -1), MOV64(3, 0x12345678), STX(W, 10, 3, -8),
         LDX(W, 0, 10, -8), EXIT),
    CASE("stxdw to memory", K, LDDW(3, K), STX(DW, 1, 3, 8), LDX(DW, 0, 1, 8), EXIT),
    /* Atomics on the stack. */
    CASE("lock add", 15, ST(DW, 10, -8, 10), MOV64(3, 5), ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_ADD),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("lock add32", 0xffffffff00000000ull, ST(DW, 10, -8, -1), MOV64(3, 1),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_ADD), LDX(DW, 0, 10, -8), EXIT),
    CASE("lock or", 0xff, ST(DW, 10, -8, 0xf0), MOV64(3, 0x0f), ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_OR),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("lock or32", 0xff, ST(DW, 10, -8, 0xf0), MOV64(3, 0x0f), ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_OR),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("lock and", 0x30, ST(DW, 10, -8, 0xf0), MOV64(3, 0x3f), ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_AND),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("lock and32", 0xffffffff00000030ull, ST(DW, 10, -8, -16), MOV64(3, 0x3f),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_AND), LDX(DW, 0, 10, -8), EXIT),
    CASE("lock xor", 0xcf, ST(DW, 10, -8, 0xf0), MOV64(3, 0x3f), ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_XOR),
         LDX(DW, 0, 10, -8), EXIT),
    CASE("lock xor32", 0xcf, ST(DW, 10, -8, 0xf0), MOV64(3, 0x3f), ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_XOR),
         LDX(DW, 0, 10, -8), EXIT),
    /* fetch forms: r0 = old * 0x1000 + new. */
    CASE("lock fetch add", 10 * 0x1000 + 15, ST(DW, 10, -8, 10), MOV64(3, 5),
         ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH), LDX(DW, 0, 10, -8),
         ALU64_IMM(OP_LSH, 3, 12), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("lock fetch add32 zero-extends", 0xffffffff, ST(DW, 10, -8, -1), MOV64(3, -1),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH), MOV64_R(0, 3), EXIT),
    CASE("lock fetch or", 0xf0 * 0x1000 + 0xff, ST(DW, 10, -8, 0xf0), MOV64(3, 0x0f),
         ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH), LDX(DW, 0, 10, -8),
         ALU64_IMM(OP_LSH, 3, 12), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("lock fetch or keeps r0", 0x77 + 0xf0 * 0x1000, ST(DW, 10, -8, 0xf0), MOV64(3, 0x0f),
         MOV64(0, 0x77), ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH),
         ALU64_IMM(OP_LSH, 3, 12), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("lock fetch or32", 0xffffffff, ST(DW, 10, -8, -1), MOV64(3, 1),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH), MOV64_R(0, 3), EXIT),
    CASE("lock fetch and with r0 as src", 0xf0 * 0x1000 + 0x30, ST(DW, 10, -8, 0xf0), MOV64(0, 0x3f),
         ATOMIC(DW, 10, 0, -8, EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH), ALU64_IMM(OP_LSH, 0, 12),
         LDX(DW, 3, 10, -8), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("lock fetch and32", 0xf0 * 0x1000 + 0x30, ST(DW, 10, -8, 0xf0), MOV64(3, 0x3f),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH), LDX(DW, 0, 10, -8),
         ALU64_IMM(OP_LSH, 3, 12), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("lock fetch xor with r0 as address", 0xf0 * 0x1000 + 0xcf, ST(DW, 10, -8, 0xf0),
         MOV64_R(0, 10), MOV64(3, 0x3f), ATOMIC(DW, 0, 3, -8, EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH),
         LDX(DW, 0, 10, -8), ALU64_IMM(OP_LSH, 3, 12), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("lock fetch xor32", 0xf0 * 0x1000 + 0xcf, ST(DW, 10, -8, 0xf0), MOV64(3, 0x3f),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH), LDX(DW, 0, 10, -8),
         ALU64_IMM(OP_LSH, 3, 12), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("xchg", 10 * 0x1000 + 5, ST(DW, 10, -8, 10), MOV64(3, 5),
         ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_XCHG), LDX(DW, 0, 10, -8), ALU64_IMM(OP_LSH, 3, 12),
         ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("xchg32", 0xffffffff, ST(DW, 10, -8, -1), MOV64(3, 5),
         ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_XCHG), MOV64_R(0, 3), EXIT),
    CASE("cmpxchg equal", 10 * 0x1000 + 99, ST(DW, 10, -8, 10), MOV64(0, 10), MOV64(3, 99),
         ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_CMPXCHG), ALU64_IMM(OP_LSH, 0, 12),
         LDX(DW, 3, 10, -8), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("cmpxchg different", 10 * 0x1000 + 10, ST(DW, 10, -8, 10), MOV64(0, 1), MOV64(3, 99),
         ATOMIC(DW, 10, 3, -8, EBPF_ATOMIC_CMPXCHG), ALU64_IMM(OP_LSH, 0, 12),
         LDX(DW, 3, 10, -8), ALU64_REG(OP_ADD, 0, 3), EXIT),
    CASE("cmpxchg32 equal zero-extends r0", 0xa * 0x1000 + 99, ST(DW, 10, -8, 10),
         LDDW(0, 0x70000000aull), MOV64(3, 99), ATOMIC(W, 10, 3, -8, EBPF_ATOMIC_CMPXCHG),
         ALU64_IMM(OP_LSH, 0, 12), LDX(DW, 3, 10, -8), ALU64_REG(OP_ADD, 0, 3), EXIT),
    /* Legacy packet loads: big-endian, out of bounds ends the program with r0 = 0. */
    CASE("ldabsw", 0x03040506, LD_ABS(W, 2), EXIT),
    CASE("ldabsh", 0x0203, LD_ABS(H, 1), EXIT),
    CASE("ldabsb", 0x10, LD_ABS(B, 15), EXIT),
    CASE("ldindw", 0x04050607, MOV64(3, 4), LD_IND(W, 3, -1), EXIT),
    CASE("ldindh", 0x0f10, MOV64(3, 10), LD_IND(H, 3, 4), EXIT),
    CASE("ldindb", 0x01, MOV64(3, 0), LD_IND(B, 3, 0), EXIT),
    CASE("ldabsw out of bounds", 0, MOV64(0, 7), LD_ABS(W, 13), MOV64(0, 7), EXIT),
    CASE("ldindb negative offset", 0, MOV64(3, 0), LD_IND(B, 3, -1), MOV64(0, 7), EXIT),
    CASE("ld_abs keeps r1-r5", 6 + 0x0304 * 0x100, MOV64(2, 1), MOV64(3, 2), MOV64(4, 3),
         LD_ABS(H, 2), ALU64_IMM(OP_LSH, 0, 8), ALU64_REG(OP_ADD, 0, 2), ALU64_REG(OP_ADD, 0, 3),
         ALU64_REG(OP_ADD, 0, 4), EXIT),
    /* Calls. */
    CASE("call helper", 1 + 4 + 9 + 16 + 25 + 7, MOV64(6, 7), MOV64(1, 1), MOV64(2, 2), MOV64(3, 3),
         MOV64(4, 4), MOV64(5, 5), CALL(1), ALU64_REG(OP_ADD, 0, 6), EXIT),
    CASE("callx", 55, MOV64(1, 1), MOV64(2, 2), MOV64(3, 3), MOV64(4, 4), MOV64(5, 5), MOV64(9, 1),
         CALLX(9), EXIT),
    CASE("call local", 10 + 7 + 0x55, MOV64(6, 7), ST(DW, 10, -8, 0x55), MOV64(1, 5),
         CALL_LOCAL(4), ALU64_REG(OP_ADD, 0, 6), LDX(DW, 1, 10, -8), ALU64_REG(OP_ADD, 0, 1), EXIT,
         MOV64(6, 100), MOV64_R(0, 1), ALU64_REG(OP_ADD, 0, 0), STX(DW, 10, 0, -8),
         ST(DW, 10, -16, 0), LDX(DW, 0, 10, -8), EXIT),
    CASE("helper stop unwinds local calls", 0x77, MOV64(1, 1), CALL_LOCAL(2), MOV64(0, 9), EXIT,
         CALL_LOCAL(1), EXIT, MOV64(1, 0x77), CALL(6), MOV64(0, 3), EXIT),
    CASE("unwind helper stops on 0", 0, MOV64(1, 0), CALL(5), MOV64(0, 2), EXIT),
    CASE("helper continues", 2, MOV64(1, -1), CALL(5), MOV64(0, 2), EXIT),
    CASE("ldabs out of bounds in a local call", 0, CALL_LOCAL(2), MOV64(0, 9), EXIT,
         LD_ABS(W, 100), EXIT),
};

static void run_case(const struct form_case *fc, bool blinding)
{
    uint8_t mem[MEM_SIZE];
    fill_memory(mem);
    struct jit_options opts = {.allow_unverified = true, .constant_blinding = blinding,
                               .resolve_tail_call = resolve};
    struct outcome o = run_program(fc->insns, fc->count, mem, &opts);
    if (o.compile_error || o.run_error || o.r0 != fc->expected)
        fprintf(stderr, "  case \"%s\"%s: compile %d, run %d (%s), r0 0x%" PRIx64 "\n", fc->name,
                blinding ? " (blinded)" : "", o.compile_error, o.run_error,
                o.compile_error ? o.msg : o.run.msg, o.r0);
    CHECK_EQ(o.compile_error, 0);
    CHECK_EQ(o.run_error, 0);
    CHECK_EQ(o.r0, fc->expected);
}

TEST(every_case_gives_the_rfc_result)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i], false);
}

TEST(every_case_gives_the_same_result_blinded)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i], true);
}

TEST(cases_cover_every_form)
{
    bool seen[ISA_FORM_COUNT] = {false};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        for (size_t pc = 0; pc < cases[i].count; pc++) {
            seen[isa_decode(&cases[i].insns[pc])] = true;
            if (isa_is_lddw(&cases[i].insns[pc]))
                pc++;
        }
    for (int id = 1; id < ISA_FORM_COUNT; id++) {
        if (id == ISA_CALL_KFUNC || (isa_forms[id].operands == ISA_OPS_LDDW && id != ISA_LDDW))
            continue; /* refused: see kfunc_calls_are_refused, unresolved_lddw_is_refused */
        if (!seen[id])
            fprintf(stderr, "  no case for form %s\n", isa_forms[id].name);
        CHECK(seen[id]);
    }
}

#define RUN(opts, ...) run_program(PROG(__VA_ARGS__), COUNT(__VA_ARGS__), mem, opts)

TEST(unverified_programs_are_refused_by_default)
{
    struct jit_program *prog = (struct jit_program *)1;
    char msg[256] = "";
    const struct ebpf_insn insns[] = {MOV64(0, 1), EXIT};
    CHECK_EQ(jit_compile(insns, 2, NULL, NULL, &prog, msg, sizeof(msg)), -EPERM);
    CHECK(prog == NULL);
    CHECK_CONTAINS(msg, "verifier");
    struct jit_options verified = {.verified = true};
    CHECK_EQ(jit_compile(insns, 2, NULL, &verified, &prog, msg, sizeof(msg)), 0);
    uint64_t r0 = 0;
    struct vm_run run;
    fresh_run(&run);
    CHECK_EQ(jit_exec(prog, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, 1);
    CHECK(jit_code_size(prog) > 0);
    jit_free(prog);
    jit_free(NULL);
}

TEST(invalid_programs_are_refused_with_the_pc)
{
    uint8_t mem[MEM_SIZE];
    struct outcome o = RUN(NULL, MOV64(0, 1), INSN(0xff, 0, 0, 0, 0), EXIT);
    CHECK_EQ(o.compile_error, -EINVAL);
    CHECK_CONTAINS(o.msg, "pc 1");
    o = RUN(NULL, MOV64(0, 1));
    CHECK_EQ(o.compile_error, -EINVAL);
    CHECK_CONTAINS(o.msg, "fall off");
    o = run_program(NULL, 0, mem, NULL);
    CHECK_EQ(o.compile_error, -EINVAL);
}

TEST(calls_to_missing_helpers_are_refused)
{
    uint8_t mem[MEM_SIZE];
    struct outcome o = RUN(NULL, MOV64(0, 1), CALL(2), EXIT);
    CHECK_EQ(o.compile_error, -EINVAL);
    CHECK_CONTAINS(o.msg, "pc 1");
    CHECK_CONTAINS(o.msg, "helper 2 (map_update_elem)");
    o = RUN(NULL, CALL(-1), EXIT);
    CHECK_EQ(o.compile_error, -EINVAL);
    o = RUN(NULL, CALL(VM_HELPER_MAX), EXIT);
    CHECK_EQ(o.compile_error, -EINVAL);
    struct jit_program *prog;
    char msg[256];
    const struct ebpf_insn insns[] = {CALL(1), EXIT};
    struct jit_options opts = {.allow_unverified = true};
    CHECK_EQ(jit_compile(insns, 2, NULL, &opts, &prog, msg, sizeof(msg)), -EINVAL);
}

TEST(kfunc_calls_are_refused)
{
    uint8_t mem[MEM_SIZE];
    struct outcome o = RUN(NULL, INSN(0x85, 0, EBPF_CALL_KFUNC, 0, 77), EXIT);
    CHECK_EQ(o.compile_error, -ENOTSUP);
    CHECK_CONTAINS(o.msg, "kfunc");
}

TEST(unresolved_lddw_is_refused)
{
    uint8_t mem[MEM_SIZE];
    static const uint8_t pseudo[] = {EBPF_LDDW_MAP_FD, EBPF_LDDW_MAP_VALUE, EBPF_LDDW_BTF_ID,
                                     EBPF_LDDW_MAP_IDX, EBPF_LDDW_MAP_IDX_VALUE};
    for (size_t i = 0; i < sizeof(pseudo); i++) {
        struct outcome o = RUN(NULL, MOV64(0, 0), LDDW_SRC(1, pseudo[i], 1), EXIT);
        CHECK_EQ(o.compile_error, -EINVAL);
        CHECK_CONTAINS(o.msg, "pc 1: unresolved lddw.");
    }
}

TEST(callx_to_an_unknown_helper_faults)
{
    uint8_t mem[MEM_SIZE];
    struct outcome o = RUN(NULL, MOV64(0, 1), MOV64(3, 3), CALLX(3), EXIT);
    CHECK_EQ(o.run_error, -EINVAL);
    CHECK_EQ(o.run.error_pc, 2);
    CHECK_CONTAINS(o.run.msg, "unknown helper 3");
    o = RUN(NULL, MOV64(3, -1), CALLX(3), EXIT);
    CHECK_EQ(o.run_error, -EINVAL);
    CHECK_CONTAINS(o.run.msg, "unknown helper 18446744073709551615");
    o = RUN(NULL, MOV64(3, VM_HELPER_MAX), CALLX(3), EXIT);
    CHECK_EQ(o.run_error, -EINVAL);
    /* Without any helper table. */
    struct jit_program *prog;
    char msg[256];
    const struct ebpf_insn insns[] = {MOV64(3, 1), CALLX(3), EXIT};
    struct jit_options opts = {.allow_unverified = true};
    CHECK_EQ(jit_compile(insns, 3, NULL, &opts, &prog, msg, sizeof(msg)), 0);
    struct vm_run run;
    fresh_run(&run);
    uint64_t r0 = 5;
    CHECK_EQ(jit_exec(prog, &run, 0, 0, &r0), -EINVAL);
    CHECK_EQ(r0, 5);
    jit_free(prog);
}

TEST(call_depth_is_limited_to_eight_frames)
{
    uint8_t mem[MEM_SIZE];
    /* f(n) = n ? f(n - 1) + 1 : 0, entered with n = 7 uses 8 frames; n = 8 would use 9. */
#define RECURSE(n)                                                                                 \
    RUN(NULL, MOV64(1, n), CALL_LOCAL(1), EXIT, MOV64(0, 0), JMP_IMM(OP_JEQ, 1, 0, 3),            \
        ALU64_IMM(OP_SUB, 1, 1), CALL_LOCAL(-4), ALU64_IMM(OP_ADD, 0, 1), EXIT)
    struct outcome o = RECURSE(6);
    CHECK_EQ(o.run_error, 0);
    CHECK_EQ(o.r0, 6);
    o = RECURSE(7);
    CHECK_EQ(o.run_error, -E2BIG);
    CHECK_EQ(o.run.error_pc, 6);
    CHECK_CONTAINS(o.run.msg, "frames");
    o = RUN(NULL, CALL_LOCAL(-1), EXIT);
    CHECK_EQ(o.run_error, -E2BIG);
#undef RECURSE
}

TEST(each_frame_has_its_own_512_bytes)
{
    uint8_t mem[MEM_SIZE];
    /* Every frame fills its whole stack with its depth; after the calls return, each frame
     * still sees its own bytes at both ends. */
    struct outcome o =
        RUN(NULL, MOV64(6, 0), CALL_LOCAL(1), EXIT,
            /* f: r7 = depth (r6 + 1); fill stack; recurse while depth < 7; check. */
            MOV64_R(7, 6), ALU64_IMM(OP_ADD, 7, 1), MOV64(8, -512),
            MOV64_R(9, 10), ALU64_REG(OP_ADD, 9, 8), STX(DW, 9, 7, 0),
            ALU64_IMM(OP_ADD, 8, 8), JMP_IMM(OP_JNE, 8, 0, -5),
            MOV64_R(6, 7), JMP_IMM(OP_JGE, 7, 7, 1), CALL_LOCAL(-12), MOV64_R(6, 7),
            LDX(DW, 1, 10, -512), LDX(DW, 2, 10, -8), MOV64(0, 0),
            JMP_REG(OP_JNE, 1, 7, 2), JMP_REG(OP_JNE, 2, 7, 1), MOV64(0, 1), EXIT);
    CHECK_EQ(o.run_error, 0);
    CHECK_EQ(o.r0, 1);
}

static struct jit_program *compile_or_die(const struct ebpf_insn *insns, size_t count)
{
    init_helpers();
    struct jit_options opts = {.allow_unverified = true, .resolve_tail_call = resolve};
    struct jit_program *prog = NULL;
    char msg[256];
    int err = jit_compile(insns, count, &helpers, &opts, &prog, msg, sizeof(msg));
    if (err)
        fprintf(stderr, "  compile: %s\n", msg);
    CHECK_EQ(err, 0);
    return prog;
}

TEST(tail_call_replaces_the_calling_function)
{
    /* main: r6 = 5; call f; r0 += r6 + 1. f: r1 += 1, tail call to B, which returns
     * *(u8 *)r1 + r2 + 1000 to main: B gets f's r1 and r2 and replaces f's frame. */
    const struct ebpf_insn a[] = {MOV64(6, 5), CALL_LOCAL(3), ALU64_REG(OP_ADD, 0, 6),
                                  ALU64_IMM(OP_ADD, 0, 1), EXIT, ALU64_IMM(OP_ADD, 1, 1),
                                  MOV64(3, 0), CALL(12), MOV64(0, 77), EXIT};
    const struct ebpf_insn b[] = {MOV64(6, 100), LDX(B, 0, 1, 0), ALU64_REG(OP_ADD, 0, 2),
                                  ALU64_IMM(OP_ADD, 0, 1000), EXIT};
    static int target_b;
    tail_targets[0] = (const struct vm_program *)&target_b;
    tail_programs[0] = compile_or_die(b, 5);
    struct jit_program *pa = compile_or_die(a, 10);
    if (!pa || !tail_programs[0])
        return;
    const uint64_t expected = 0x82 + 3 + 1000 + 5 + 1;
    uint8_t mem[MEM_SIZE];
    fill_memory(mem);
    struct vm_run run;
    fresh_run(&run);
    uint64_t r0 = 0;
    CHECK_EQ(jit_exec(pa, &run, (uintptr_t)mem, 3, &r0), 0);
    CHECK_EQ(r0, expected);
    CHECK_EQ(run.tail_call_count, 1);
    /* The raw entry behaves the same. */
    fresh_run(&run);
    CHECK_EQ(jit_entry(pa)((uintptr_t)mem, 3, &run), expected);
    /* A missing target (the helper returns -1 without a request) just continues. */
    fresh_run(&run);
    const struct ebpf_insn c[] = {MOV64(3, 9), CALL(12), EXIT};
    struct jit_program *pc = compile_or_die(c, 3);
    CHECK_EQ(jit_exec(pc, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, (uint64_t)-1);
    jit_free(pc);
    jit_free(pa);
    jit_free((struct jit_program *)tail_programs[0]);
    tail_programs[0] = NULL;
}

TEST(tail_calls_stop_at_the_limit)
{
    /* The program tail-calls itself: r6 is not preserved across tail calls, so count in the
     * memory block. After EBPF_MAX_TAIL_CALLS the helper refuses and the program goes on. */
    const struct ebpf_insn self[] = {LDX(DW, 6, 1, 0), ALU64_IMM(OP_ADD, 6, 1), STX(DW, 1, 6, 0),
                                     MOV64(3, 0), CALL(12), LDX(DW, 0, 1, 0), EXIT};
    static int target_self;
    tail_targets[0] = (const struct vm_program *)&target_self;
    struct jit_program *p = compile_or_die(self, 7);
    tail_programs[0] = p;
    uint64_t counter[MEM_SIZE / 8] = {0};
    struct vm_run run;
    fresh_run(&run);
    uint64_t r0 = 0;
    CHECK_EQ(jit_exec(p, &run, (uintptr_t)counter, 0, &r0), 0);
    CHECK_EQ(r0, EBPF_MAX_TAIL_CALLS + 1);
    CHECK_EQ(run.tail_call_count, EBPF_MAX_TAIL_CALLS);
    /* A helper that requests tail calls without counting is stopped by the JIT. */
    const struct ebpf_insn uncounted[] = {CALL(13), MOV64(0, 1), EXIT};
    struct jit_program *q = compile_or_die(uncounted, 3);
    tail_programs[0] = q;
    fresh_run(&run);
    CHECK_EQ(jit_exec(q, &run, 0, 0, &r0), -E2BIG);
    CHECK_CONTAINS(run.msg, "tail calls");
    jit_free(p);
    jit_free(q);
    tail_programs[0] = NULL;
}

TEST(tail_call_without_jitted_target_faults)
{
    const struct ebpf_insn a[] = {MOV64(3, 1), CALL(12), EXIT};
    static int unknown;
    tail_targets[1] = (const struct vm_program *)&unknown;
    tail_programs[1] = NULL;
    struct jit_program *p = compile_or_die(a, 3);
    struct vm_run run;
    fresh_run(&run);
    uint64_t r0 = 0;
    CHECK_EQ(jit_exec(p, &run, 0, 0, &r0), -ENOEXEC);
    CHECK_CONTAINS(run.msg, "tail call");
    jit_free(p);
    /* No resolver at all. */
    struct jit_options opts = {.allow_unverified = true};
    char msg[256];
    CHECK_EQ(jit_compile(a, 3, &helpers, &opts, &p, msg, sizeof(msg)), 0);
    fresh_run(&run);
    CHECK_EQ(jit_exec(p, &run, 0, 0, &r0), -ENOEXEC);
    jit_free(p);
}

TEST(jumps_of_every_length)
{
    /* Forward and backward jumps over 0..60 instructions of 7 bytes each cross the reach of
     * short branches (127 bytes) in both directions. */
    static struct ebpf_insn insns[200];
    uint8_t mem[MEM_SIZE];
    for (int n = 0; n <= 60; n++) {
        size_t count = 0;
        insns[count++] = (struct ebpf_insn)MOV64(0, 1);
        insns[count++] = (struct ebpf_insn)MOV64(3, 0);
        insns[count++] = (struct ebpf_insn)JMP_IMM(OP_JEQ, 0, 1, (int16_t)n);
        for (int i = 0; i < n; i++)
            insns[count++] = (struct ebpf_insn)ALU64_IMM(OP_ADD, 3, 1000);
        insns[count++] = (struct ebpf_insn)ALU64_IMM(OP_ADD, 0, 1);
        insns[count++] = (struct ebpf_insn)JMP_IMM(OP_JLT, 0, 3, (int16_t)-(n + 2));
        insns[count++] = (struct ebpf_insn)ALU64_REG(OP_ADD, 0, 3);
        insns[count++] = (struct ebpf_insn)EXIT;
        /* The first jump skips the additions to "r0 += 1" (r0 = 2); the jump back runs them
         * once: r0 = 3, r3 = 1000 n. */
        struct outcome o = run_program(insns, count, mem, NULL);
        CHECK_EQ(o.compile_error, 0);
        CHECK_EQ(o.r0, 3 + 1000 * (uint64_t)n);
    }
}

TEST(step_budget_stops_endless_loops)
{
    const struct ebpf_insn forever[] = {MOV64(0, 0), ALU64_IMM(OP_ADD, 0, 1), JA(-2)};
    const struct ebpf_insn counted[] = {MOV64(0, 0), ALU64_IMM(OP_ADD, 0, 1),
                                        JMP_IMM(OP_JLT, 0, 100, -2), EXIT};
    struct jit_options opts = {.allow_unverified = true, .count_steps = true};
    struct jit_program *p, *q;
    char msg[256];
    CHECK_EQ(jit_compile(forever, 3, NULL, &opts, &p, msg, sizeof(msg)), 0);
    CHECK_EQ(jit_compile(counted, 4, NULL, &opts, &q, msg, sizeof(msg)), 0);
    struct vm_run run;
    uint64_t r0 = 0;
    fresh_run(&run);
    run.max_steps = 10000;
    CHECK_EQ(jit_exec(p, &run, 0, 0, &r0), -E2BIG);
    CHECK_EQ(run.error_pc, 2);
    CHECK_CONTAINS(run.msg, "step budget of 10000");
    /* 100 iterations of a 2-instruction loop fit in 201 steps, not in 150. */
    fresh_run(&run);
    run.max_steps = 201;
    CHECK_EQ(jit_exec(q, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, 100);
    fresh_run(&run);
    run.max_steps = 150;
    CHECK_EQ(jit_exec(q, &run, 0, 0, &r0), -E2BIG);
    fresh_run(&run); /* max_steps 0: no limit */
    CHECK_EQ(jit_exec(q, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, 100);
    jit_free(p);
    jit_free(q);
}

TEST(packet_loads_without_a_packet_return_zero)
{
    const struct ebpf_insn insns[] = {MOV64(0, 5), LD_ABS(B, 0), MOV64(0, 7), EXIT};
    struct jit_options opts = {.allow_unverified = true};
    struct jit_program *p;
    char msg[256];
    CHECK_EQ(jit_compile(insns, 4, NULL, &opts, &p, msg, sizeof(msg)), 0);
    struct vm_run run;
    uint64_t r0 = 1;
    fresh_run(&run);
    run.packet = NULL; /* a length without a packet is still no packet */
    CHECK_EQ(jit_exec(p, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, 0);
    fresh_run(&run);
    CHECK_EQ(jit_exec(p, &run, 0, 0, &r0), 0);
    CHECK_EQ(r0, 7);
    jit_free(p);
}

struct thread_job {
    const struct jit_program *prog;
    uint64_t mismatches;
};

static int run_many(void *arg)
{
    struct thread_job *job = arg;
    for (uint64_t i = 0; i < 20000; i++) {
        struct vm_run run;
        fresh_run(&run);
        uint64_t r0 = 0;
        if (jit_exec(job->prog, &run, i, 0, &r0) || r0 != 2 * i + 55 + 0x0304)
            job->mismatches++;
    }
    return 0;
}

TEST(one_program_runs_on_many_threads_at_once)
{
    /* Every run keeps its state on its own stack: r0 = 2 * r1 (through a local call with a
     * stack round trip) + a helper's result + a packet load. */
    const struct ebpf_insn insns[] = {
        MOV64_R(6, 1), CALL_LOCAL(9), MOV64_R(7, 0), MOV64(1, 1), MOV64(2, 2), MOV64(3, 3),
        MOV64(4, 4), MOV64(5, 5), CALL(1), ALU64_REG(OP_ADD, 0, 7), EXIT,
        STX(DW, 10, 6, -8), LDX(DW, 0, 10, -8), ALU64_REG(OP_ADD, 0, 0), MOV64_R(7, 0),
        LD_ABS(H, 2), ALU64_REG(OP_ADD, 0, 7), EXIT};
    struct jit_program *p = compile_or_die(insns, sizeof(insns) / sizeof(insns[0]));
    if (!p)
        return;
    thrd_t threads[4];
    struct thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct thread_job){p, 0};
        CHECK_EQ(thrd_create(&threads[i], run_many, &jobs[i]), thrd_success);
    }
    for (int i = 0; i < 4; i++) {
        thrd_join(threads[i], NULL);
        CHECK_EQ(jobs[i].mismatches, 0);
    }
    jit_free(p);
}

static bool code_contains(const struct jit_program *p, uint32_t value)
{
    const uint8_t *code = (const uint8_t *)(uintptr_t)jit_entry(p);
    size_t size = jit_code_size(p);
    for (size_t i = 0; i + 4 <= size; i++)
        if (!memcmp(code + i, &value, 4))
            return true;
    return false;
}

TEST(constant_blinding_hides_immediates)
{
    const uint32_t magic = 0x3c5a7e19;
    const struct ebpf_insn insns[] = {MOV64(0, (int32_t)magic), ALU64_IMM(OP_ADD, 0, (int32_t)magic),
                                      JMP_IMM(OP_JEQ, 0, (int32_t)magic, 0),
                                      ST(W, 10, -4, (int32_t)magic), LDDW(3, 0x3c5a7e193c5a7e19ull),
                                      ALU64_IMM(OP_MOD, 0, (int32_t)magic), EXIT};
    char msg[256];
    struct jit_program *plain, *blinded;
    struct jit_options opts = {.allow_unverified = true};
    CHECK_EQ(jit_compile(insns, 8, NULL, &opts, &plain, msg, sizeof(msg)), 0);
    opts.constant_blinding = true;
    CHECK_EQ(jit_compile(insns, 8, NULL, &opts, &blinded, msg, sizeof(msg)), 0);
    CHECK(code_contains(plain, magic));
    CHECK(!code_contains(blinded, magic));
    struct vm_run run;
    uint64_t a = 0, b = 1;
    fresh_run(&run);
    CHECK_EQ(jit_exec(plain, &run, 0, 0, &a), 0);
    fresh_run(&run);
    CHECK_EQ(jit_exec(blinded, &run, 0, 0, &b), 0);
    CHECK_EQ(a, b);
    CHECK_EQ(a, (2ull * magic) % magic);
    jit_free(plain);
    jit_free(blinded);
}

TEST(registers_not_yet_written_read_as_zero)
{
    /* Leaves (no calls) zero what some path reads unwritten; r3 arrives as the run pointer. */
    uint8_t mem[MEM_SIZE];
    struct outcome o = RUN(NULL, ALU64_REG(OP_ADD, 0, 3), ALU64_REG(OP_ADD, 0, 6), EXIT);
    CHECK_EQ(o.r0, 0);
    /* r3 is written on one path only: r0 = r1 ? 5 : 0 (r1 = mem, not 0) */
    o = RUN(NULL, JMP_IMM(OP_JEQ, 1, 0, 1), MOV64(3, 5), MOV64_R(0, 3), EXIT);
    CHECK_EQ(o.r0, 5);
    const struct ebpf_insn one_path[] = {MOV64(1, 0), JMP_IMM(OP_JEQ, 1, 0, 1), MOV64(3, 5),
                                         MOV64_R(0, 3), EXIT};
    o = run_program(one_path, 5, mem, NULL);
    CHECK_EQ(o.r0, 0);
    /* r4 is read at the loop head before the body first writes it: sum of 0+1+2 */
    const struct ebpf_insn loop[] = {MOV64(0, 0), MOV64(5, 3), ALU64_REG(OP_ADD, 0, 4),
                                     MOV64(4, 1), ALU64_IMM(OP_SUB, 5, 1), JMP_IMM(OP_JNE, 5, 0, -4),
                                     EXIT};
    o = run_program(loop, 7, mem, NULL);
    CHECK_EQ(o.r0, 2);
    /* The same through the C entry with a non-zero third argument. */
    struct jit_options opts = {.allow_unverified = true};
    struct jit_program *p = NULL;
    char msg[256];
    CHECK_EQ(jit_compile(PROG(MOV64_R(0, 3), EXIT), 2, NULL, &opts, &p, msg, sizeof msg), 0);
    struct vm_run run;
    fresh_run(&run);
    CHECK_EQ(jit_entry(p)(1, 2, &run), 0);
    /* A leaf is its own entry: an empty program is a few bytes. */
    CHECK(jit_code_size(p) <= 8);
    jit_free(p);
}

TEST(code_pages_are_not_writable)
{
    const struct ebpf_insn insns[] = {MOV64(0, 1), EXIT};
    struct jit_options opts = {.allow_unverified = true};
    struct jit_program *p;
    char msg[256];
    CHECK_EQ(jit_compile(insns, 2, NULL, &opts, &p, msg, sizeof(msg)), 0);
    uintptr_t code = (uintptr_t)jit_entry(p);
    FILE *maps = fopen("/proc/self/maps", "r");
    bool found = false;
    char line[512];
    while (maps && fgets(line, sizeof(line), maps)) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && code >= lo && code < hi) {
            found = true;
            CHECK_STR(perms, "r-xp");
        }
    }
    if (maps)
        fclose(maps);
    CHECK(found);
    jit_free(p);
}

TEST_MAIN
