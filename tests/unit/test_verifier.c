#include <errno.h>
#include <stdlib.h>

#include "test.h"
#include "verifier/verifier.h"
#include "verifier_asm.h"

/* Maps every test program may use, by index. */
static const struct verifier_map test_maps[] = {
    {1, 4, 8, 16, false, 0, false, 0},    /* 0: hash, 4-byte key, 8-byte value */
    {2, 4, 64, 4, false, 0, false, 0},    /* 1: array of 64-byte values */
    {27, 0, 0, 4096, false, 0, false, 0}, /* 2: ring buffer */
    {3, 4, 4, 8, false, 0, false, 0},     /* 3: program array */
    {2, 4, 16, 1, true, 0, false, 0},     /* 4: read-only array (.rodata) */
    {2, 4, 24, 4, false, 0, true, 8},     /* 5: array of 24-byte values, a bpf_spin_lock at 8 */
};

static struct verifier_result result;

static int verify_as(const char *type, const struct ebpf_insn *insns, size_t count)
{
    struct verifier_options opts = {
        .prog_type = prog_type_by_name(type),
        .maps = test_maps,
        .map_count = sizeof test_maps / sizeof test_maps[0],
    };
    int err = verifier_verify(insns, count, &opts, &result);
    if (err)
        fprintf(stderr, "    (%s)\n", result.message);
    return err;
}

#define VERIFY(type, ...)                                                                          \
    ({                                                                                             \
        const struct ebpf_insn prog_[] = {__VA_ARGS__};                                            \
        verify_as(type, prog_, sizeof prog_ / sizeof prog_[0]);                                    \
    })
#define XDP(...) VERIFY("xdp", __VA_ARGS__)

TEST(trivial_program_is_accepted)
{
    CHECK_EQ(XDP(MOV64_IMM(0, 2), EXIT()), 0);
    CHECK(result.accepted);
    CHECK_EQ(result.error_pc, -1);
    CHECK(result.stats.steps >= 2);
}

TEST(return_value_must_be_set)
{
    CHECK_EQ(XDP(EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 0 (exit): r0 is not set at exit");
    CHECK_EQ(result.error_pc, 0);
}

TEST(malformed_program_is_invalid)
{
    CHECK_EQ(XDP(MOV64_IMM(0, 2)), -EINVAL);
    CHECK(!result.accepted);
    CHECK_EQ(XDP(INSN(0xff, 0, 0, 0, 0), EXIT()), -EINVAL);
    CHECK_CONTAINS(result.message, "insn 0");
}

TEST(options_are_checked)
{
    struct ebpf_insn prog[] = {MOV64_IMM(0, 0), EXIT()};
    struct verifier_options none = {0};
    CHECK_EQ(verifier_verify(prog, 2, &none, &result), -EINVAL);
    CHECK_EQ(verifier_verify(prog, 2, NULL, &result), -EINVAL);
}

/* Raw programs: r1 = a memory block described by map 0, r2 = its size. */
TEST(memory_block_entry)
{
    static const struct verifier_map block = {2, 4, 16, 1, false, 0, false, 0};
    static const struct prog_type_desc raw = {.name = "memory", .ctx_name = "no context"};
    struct verifier_options opts = {.prog_type = &raw, .maps = &block, .map_count = 1,
                                    .entry_memory_block = true};
    /* r0 = block[r2 - 8] (the last 8 bytes): r2 is known to be 16. */
    struct ebpf_insn last[] = {MOV64_REG(3, 1), ALU64_REG(ADD, 3, 2), LDX(DW, 0, 3, -8), EXIT()};
    CHECK_EQ(verifier_verify(last, 4, &opts, &result), 0);
    struct ebpf_insn past[] = {MOV64_REG(3, 1), ALU64_REG(ADD, 3, 2), LDX(DW, 0, 3, -4), EXIT()};
    CHECK_EQ(verifier_verify(past, 4, &opts, &result), -EACCES);
    CHECK_CONTAINS(result.message, "outside the 16-byte map 0 value");
    opts.map_count = 0;
    opts.maps = NULL;
    CHECK_EQ(verifier_verify(last, 4, &opts, &result), -EINVAL);
    CHECK_CONTAINS(result.message, "needs map 0");
}

/* --- packets ------------------------------------------------------------------------------------- */

TEST(packet_access_after_data_end_check)
{
    CHECK_EQ(XDP(LDX(W, 2, 1, 0),            /* r2 = data */
                 LDX(W, 3, 1, 4),            /* r3 = data_end */
                 MOV64_REG(4, 2),
                 ALU64_IMM(ADD, 4, 14),
                 JMP_REG(JGT, 4, 3, 2),      /* if data + 14 > data_end goto drop */
                 LDX(B, 0, 2, 13),           /* ethertype low byte */
                 EXIT(),
                 MOV64_IMM(0, 1),
                 EXIT()), 0);
}

TEST(packet_access_without_check_is_rejected)
{
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(B, 0, 2, 12), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 1 (r0 = *(u8 *)(r2 + 12)): packet access r2+12 size 1 needs 13 bytes but only 0 are proven");
    CHECK_CONTAINS(result.message, "check r2 + 13 <= data_end first");
}

TEST(packet_access_one_byte_too_far)
{
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14),
                 JMP_REG(JGT, 4, 3, 2), LDX(H, 0, 2, 13), EXIT(), MOV64_IMM(0, 1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "needs 15 bytes but only 14 are proven");
}

TEST(packet_check_in_either_operand_order_and_strictness)
{
    /* if data_end >= data + 14 goto ok (jump branch proves 14 bytes) */
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14),
                 JMP_REG(JGE, 3, 4, 2), MOV64_IMM(0, 1), EXIT(),
                 LDX(H, 0, 2, 12), EXIT()), 0);
    /* if data + 14 < data_end goto ok: proves 15 bytes */
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 14),
                 JMP_REG(JLT, 4, 3, 2), MOV64_IMM(0, 1), EXIT(),
                 LDX(B, 0, 2, 14), EXIT()), 0);
}

TEST(packet_pointer_with_variable_offset)
{
    /* r5 = data + (byte & 0xf); check r5 + 4 <= end; read 4 bytes at r5 */
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 1),
                 JMP_REG(JGT, 4, 3, 9),
                 LDX(B, 5, 2, 0), ALU64_IMM(AND, 5, 0xf), ALU64_REG(ADD, 5, 2),
                 MOV64_REG(6, 5), ALU64_IMM(ADD, 6, 4), JMP_REG(JGT, 6, 3, 3),
                 LDX(W, 0, 5, 0), EXIT(), INSN(0x05, 0, 0, 0, 0),
                 MOV64_IMM(0, 1), EXIT()), 0);
    /* the check on the old pointer covers the new one, less what was added: data + 20 is
     * proven, so data + [0, 15] has 5 bytes (enough for 4), data + [0, 31] none */
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 20),
                 JMP_REG(JGT, 4, 3, 5),
                 LDX(B, 5, 2, 0), ALU64_IMM(AND, 5, 0xf), ALU64_REG(ADD, 5, 2),
                 LDX(W, 0, 5, 0), EXIT(),
                 MOV64_IMM(0, 1), EXIT()), 0);
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, 20),
                 JMP_REG(JGT, 4, 3, 5),
                 LDX(B, 5, 2, 0), ALU64_IMM(AND, 5, 0x1f), ALU64_REG(ADD, 5, 2),
                 LDX(W, 0, 5, 0), EXIT(),
                 MOV64_IMM(0, 1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "only 0 are proven");
}

/* if (data + 16 > data_end) return; for (i = 0; i < n; i++) sum += data[i]: the bound
 * proven before the loop covers data + i for i < 16, less what i may add. */
TEST(packet_bound_proven_once_covers_indexed_reads)
{
#define INDEXED_READS(checked, count)                                                              \
    XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 2), ALU64_IMM(ADD, 4, checked),            \
        MOV64_IMM(0, 0), JMP_REG(JGT, 4, 3, 7), MOV64_IMM(5, 0), MOV64_REG(6, 2),                 \
        ALU64_REG(ADD, 6, 5), LDX(B, 7, 6, 0), ALU64_REG(ADD, 0, 7), ALU64_IMM(ADD, 5, 1),       \
        JMP_IMM(JNE, 5, count, -6), MOV64_IMM(0, 2), EXIT())
    CHECK_EQ(INDEXED_READS(16, 16), 0);
    CHECK_EQ(INDEXED_READS(16, 17), -EACCES);
    CHECK_CONTAINS(result.message, "needs 1 bytes but only 0 are proven");
#undef INDEXED_READS
}

TEST(packet_changing_helper_invalidates_pointers)
{
    CHECK_EQ(XDP(MOV64_REG(6, 1), LDX(W, 7, 1, 0), LDX(W, 3, 1, 4), MOV64_REG(4, 7), ALU64_IMM(ADD, 4, 4),
                 JMP_REG(JGT, 4, 3, 5),
                 MOV64_REG(1, 6), MOV64_IMM(2, 4), CALL(44), /* xdp_adjust_head */
                 LDX(W, 0, 7, 0), EXIT(),
                 MOV64_IMM(0, 1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "r7 is a number, not a pointer");
}

/* --- maps ---------------------------------------------------------------------------------------- */

#define LOOKUP_MAP0                                                                                \
    ST(W, 10, -4, 0), LD_MAP(1, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1)

TEST(map_lookup_with_null_check)
{
    CHECK_EQ(XDP(LOOKUP_MAP0, JMP_IMM(JEQ, 0, 0, 2), LDX(DW, 1, 0, 0), ST(DW, 0, 0, 7),
                 MOV64_IMM(0, 2), EXIT()), 0);
}

TEST(map_lookup_without_null_check)
{
    CHECK_EQ(XDP(LOOKUP_MAP0, LDX(DW, 1, 0, 0), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "r0 may be null (map_value_or_null(map 0)");
    CHECK_CONTAINS(result.message, "compare it with 0 before using it");
}

TEST(map_value_out_of_bounds)
{
    CHECK_EQ(XDP(LOOKUP_MAP0, JMP_IMM(JEQ, 0, 0, 1), LDX(DW, 1, 0, 4), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "map 0 value access at offset 4 size 8 is outside the 8-byte map 0 value");
}

TEST(a_32_bit_comparison_is_no_null_check)
{
    CHECK_EQ(XDP(LOOKUP_MAP0, JMP32_IMM(JEQ, 0, 0, 2), LDX(DW, 1, 0, 0), MOV64_IMM(0, 2), EXIT(),
                 MOV64_IMM(0, 1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "r0 may be null");
    /* and a valid pointer's low half may be 0: both branches stay possible */
    CHECK_EQ(XDP(JMP32_IMM(JNE, 1, 0, 2), LDX(W, 0, 1, 12), EXIT(), MOV64_IMM(0, 2), EXIT()), 0);
    CHECK_EQ(XDP(JMP32_IMM(JNE, 1, 0, 2), LDX(W, 0, 1, 40), EXIT(), MOV64_IMM(0, 2), EXIT()), -EACCES);
}

TEST(null_check_reaches_copies)
{
    CHECK_EQ(XDP(LOOKUP_MAP0, MOV64_REG(6, 0), JMP_IMM(JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(),
                 LDX(DW, 1, 6, 0), MOV64_IMM(0, 2), EXIT()), 0);
}

TEST(map_key_must_be_initialized)
{
    CHECK_EQ(XDP(LD_MAP(1, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1), MOV64_IMM(0, 2), EXIT()),
             -EACCES);
    CHECK_CONTAINS(result.message, "call bpf_map_lookup_elem#1");
    CHECK_CONTAINS(result.message, "stack byte at offset -4 is read before it is written");
}

TEST(pointer_leak_into_map_is_rejected)
{
    CHECK_EQ(XDP(MOV64_REG(6, 1), LOOKUP_MAP0, JMP_IMM(JEQ, 0, 0, 1), STX(DW, 0, 6, 0), MOV64_IMM(0, 2),
                 EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "storing a pointer into map_value memory leaks it: ctx");
}

TEST(read_only_map_cannot_be_written)
{
    CHECK_EQ(XDP(LD_MAP_VALUE(1, 4, 0), LDX(DW, 0, 1, 8), EXIT()), 0);
    CHECK_EQ(XDP(LD_MAP_VALUE(1, 4, 0), ST(DW, 1, 0, 1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "map 4 is read-only");
}

TEST(map_value_indexed_by_a_bounded_loop)
{
    /* for (i = 0; i < 8; i++) sum += value[i]; value is 64 bytes */
    CHECK_EQ(XDP(ST(W, 10, -4, 0), LD_MAP(1, 1), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),
                 JMP_IMM(JEQ, 0, 0, 10),
                 MOV64_IMM(6, 0), MOV64_IMM(7, 0),
                 MOV64_REG(2, 6), ALU64_IMM(LSH, 2, 3), MOV64_REG(3, 0), ALU64_REG(ADD, 3, 2),
                 LDX(DW, 4, 3, 0), ALU64_REG(ADD, 7, 4), ALU64_IMM(ADD, 6, 1), JMP_IMM(JLT, 6, 8, -8),
                 MOV64_IMM(0, 2), EXIT()), 0);
    CHECK(result.stats.widenings > 0);
}

TEST(map_value_loop_one_past_the_end)
{
    CHECK_EQ(XDP(ST(W, 10, -4, 0), LD_MAP(1, 1), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),
                 JMP_IMM(JEQ, 0, 0, 8),
                 MOV64_IMM(6, 0),
                 MOV64_REG(2, 6), ALU64_IMM(LSH, 2, 3), MOV64_REG(3, 0), ALU64_REG(ADD, 3, 2),
                 LDX(DW, 4, 3, 0), ALU64_IMM(ADD, 6, 1), JMP_IMM(JLE, 6, 8, -7),
                 MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "64] size 8 is outside the 64-byte map 1 value");
}

/* for (i = start; i < n; i += 2) sum += *(u16 *)(value + i), n = value[0] <= 64: an even
 * counter below 64 is at most 62, so the 2-byte read stays in the 64-byte value; an odd one
 * may be 63. The parity must survive the loop head's joins and widening. */
#define STRIDE_TWO_LOOP(start)                                                                     \
    ST(W, 10, -4, 0), LD_MAP(1, 1), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),             \
        JMP_IMM(JEQ, 0, 0, 11), LDX(B, 3, 0, 0), JMP_IMM(JGT, 3, 64, 9), MOV64_IMM(4, start),     \
        MOV64_IMM(5, 0), JMP_REG(JGE, 4, 3, 6), MOV64_REG(6, 0), ALU64_REG(ADD, 6, 4),            \
        LDX(H, 7, 6, 0), ALU64_REG(ADD, 5, 7), ALU64_IMM(ADD, 4, 2), JA(-7), MOV64_IMM(0, 2), EXIT()

TEST(loop_counter_keeps_its_parity)
{
    CHECK_EQ(XDP(STRIDE_TWO_LOOP(0)), 0);
    CHECK(result.stats.widenings > 0);
    CHECK_EQ(XDP(STRIDE_TWO_LOOP(1)), -EACCES);
    CHECK_CONTAINS(result.message, "size 2 is outside the 64-byte map 1 value");
}

/* for (i = start; i != bound; i += 7), as clang writes "for (i = 0; i < 256; i++) k = i * 7":
 * the counter is start mod 7, so it meets the bound exactly when bound - start is a
 * multiple of 7 (and cannot pass it: the steps are exact below 2^32). */
#define STRIDE_SEVEN_LOOP(start, bound)                                                            \
    MOV64_IMM(2, 0), ALU32_IMM(MOV, 1, start), ALU64_REG(ADD, 2, 1), ALU32_IMM(ADD, 1, 7),         \
        JMP32_IMM(JEQ, 1, bound, 1), JA(-4), MOV64_IMM(0, 2), EXIT()

TEST(loop_with_an_exact_stride_and_an_equality_exit)
{
    CHECK_EQ(XDP(STRIDE_SEVEN_LOOP(0, 1792)), 0);
    CHECK_EQ(XDP(STRIDE_SEVEN_LOOP(5, 1792 + 5)), 0);
    /* 1793 is no multiple of 7: the counter passes it and wraps around */
    CHECK_EQ(XDP(STRIDE_SEVEN_LOOP(0, 1793)), -EACCES);
    CHECK_CONTAINS(result.message, "loop at insn 2 may not terminate");
    CHECK_EQ(XDP(STRIDE_SEVEN_LOOP(1, 1792)), -EACCES);
    CHECK_CONTAINS(result.message, "loop at insn 2 may not terminate");
    /* counting down: r1 = 1792; do r1 += -7 while (r1 != 0) */
    CHECK_EQ(XDP(MOV64_IMM(1, 1792), MOV64_IMM(2, 0), ALU64_REG(ADD, 2, 1), ALU64_IMM(ADD, 1, -7),
                 JMP_IMM(JNE, 1, 0, -3), MOV64_IMM(0, 2), EXIT()), 0);
    CHECK_EQ(XDP(MOV64_IMM(1, 1793), MOV64_IMM(2, 0), ALU64_REG(ADD, 2, 1), ALU64_IMM(ADD, 1, -7),
                 JMP_IMM(JNE, 1, 0, -3), MOV64_IMM(0, 2), EXIT()), -EACCES);
}

/* for (i = 0; i < 62; i += 7) sum += value[i + 7]: i is a multiple of 7 below 62, so at
 * most 56, and the read at 63 is the value's last byte; without the stride it could be 68. */
TEST(loop_counter_stride_bounds_the_access)
{
#define STRIDE_SEVEN_READ(limit)                                                                   \
    ST(W, 10, -4, 0), LD_MAP(1, 1), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),             \
        JMP_IMM(JEQ, 0, 0, 8), MOV64_IMM(4, 0), MOV64_IMM(5, 0), MOV64_REG(6, 0),                 \
        ALU64_REG(ADD, 6, 4), LDX(B, 7, 6, 7), ALU64_REG(ADD, 5, 7), ALU64_IMM(ADD, 4, 7),       \
        JMP_IMM(JLT, 4, limit, -6), MOV64_IMM(0, 2), EXIT()
    CHECK_EQ(XDP(STRIDE_SEVEN_READ(62)), 0);
    CHECK_EQ(XDP(STRIDE_SEVEN_READ(64)), -EACCES); /* i may be 63 */
    CHECK_CONTAINS(result.message, "outside the 64-byte map 1 value");
    CHECK_CONTAINS(result.message, "mod 7 = 0");
#undef STRIDE_SEVEN_READ
}

/* --- stack ------------------------------------------------------------------------------------- */

TEST(stack_read_before_write)
{
    CHECK_EQ(XDP(LDX(DW, 0, 10, -8), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "stack byte at offset -8 is read before it is written");
    CHECK_EQ(XDP(ST(W, 10, -8, 1), LDX(DW, 0, 10, -8), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "offset -4");
    CHECK_EQ(XDP(ST(DW, 10, -8, 1), LDX(DW, 0, 10, -8), EXIT()), 0);
}

TEST(stack_bounds)
{
    CHECK_EQ(XDP(ST(DW, 10, -520, 1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "outside the frame [-512, 0)");
    CHECK_EQ(XDP(ST(DW, 10, -4, 1), MOV64_IMM(0, 0), EXIT()), -EACCES);
}

TEST(spilled_pointer_is_filled_back)
{
    CHECK_EQ(XDP(STX(DW, 10, 1, -8), MOV64_IMM(1, 0), LDX(DW, 2, 10, -8), LDX(W, 0, 2, 12), EXIT()), 0);
    /* a narrow fill of a spilled pointer is a number */
    CHECK_EQ(XDP(STX(DW, 10, 1, -8), LDX(W, 2, 10, -8), LDX(W, 0, 2, 0), EXIT()), -EACCES);
}

TEST(spilled_constant_keeps_its_value)
{
    /* a spilled bound still bounds the map index when filled back */
    CHECK_EQ(XDP(ST(W, 10, -4, 0), LD_MAP(1, 1), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),
                 JMP_IMM(JEQ, 0, 0, 5), ST(DW, 10, -16, 56), LDX(DW, 3, 10, -16), ALU64_REG(ADD, 0, 3),
                 LDX(DW, 0, 0, 0), EXIT(),
                 MOV64_IMM(0, 2), EXIT()), 0);
}

/* --- scalars ------------------------------------------------------------------------------------ */

TEST(division_by_zero_is_defined)
{
    CHECK_EQ(XDP(CALL(5), MOV64_IMM(1, 0), ALU64_REG(DIV, 0, 1), ALU64_IMM(MOD, 0, 0), EXIT()), 0);
}

TEST(uninitialized_register_read)
{
    CHECK_EQ(XDP(MOV64_IMM(0, 10), ALU64_REG(MOD, 0, 3), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 1 (r0 %= r3): r3 is read before it is written");
}

#define LOOKUP_MAP1                                                                                \
    ST(W, 10, -4, 0), LD_MAP(1, 1), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),              \
        JMP_IMM(JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(), MOV64_REG(6, 0), CALL(7)

TEST(jmp32_bounds_only_the_low_half)
{
    /* r0 = random (64 bits); if w0 > 56 goto out: the high half is still unknown */
    CHECK_EQ(XDP(LOOKUP_MAP1, JMP32_IMM(JGT, 0, 56, 3), ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "outside the 64-byte map 1 value");
    /* zero-extend first (w0 = w0): then the 32-bit check bounds everything */
    CHECK_EQ(XDP(LOOKUP_MAP1, MOV32_REG(0, 0), JMP32_IMM(JGT, 0, 56, 3), ALU64_REG(ADD, 6, 0),
                 LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), 0);
}

TEST(a_bound_proven_on_a_copy_holds_for_the_original)
{
    /* r1 = r0; if r1 > 56 goto out; r6 += r0 */
    CHECK_EQ(XDP(LOOKUP_MAP1, MOV64_REG(1, 0), JMP_IMM(JGT, 1, 56, 3), ALU64_REG(ADD, 6, 0),
                 LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), 0);
    /* also through a spill to the stack */
    CHECK_EQ(XDP(LOOKUP_MAP1, MOV64_REG(1, 0), STX(DW, 10, 1, -16), JMP_IMM(JGT, 0, 56, 4),
                 LDX(DW, 2, 10, -16), ALU64_REG(ADD, 6, 2), LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), 0);
    /* but not once the copy was changed */
    CHECK_EQ(XDP(LOOKUP_MAP1, MOV64_REG(1, 0), ALU64_IMM(ADD, 1, 1), JMP_IMM(JGT, 1, 56, 3),
                 ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), -EACCES);
    /* operations that change no value keep the copy: += 0, &= a mask covering every bit */
    CHECK_EQ(XDP(LOOKUP_MAP1, MOV64_REG(1, 0), ALU64_IMM(ADD, 1, 0), JMP_IMM(JGT, 1, 56, 3),
                 ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), 0);
    CHECK_EQ(XDP(LOOKUP_MAP1, ALU64_IMM(AND, 0, 0xff), MOV64_REG(1, 0), ALU64_IMM(AND, 1, 0x1ff),
                 JMP_IMM(JGT, 1, 56, 3), ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), 0);
    CHECK_EQ(XDP(LOOKUP_MAP1, ALU64_IMM(AND, 0, 0xff), MOV64_REG(1, 0), ALU64_IMM(AND, 1, 0x7f),
                 JMP_IMM(JGT, 1, 56, 3), ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), -EACCES);
}

/* w1 = w0 and (r1 = r0; r1 <<= 32; r1 >>= 32) copy r0 when it fits in 32 bits: a bound
 * proven on the copy holds for r0. When r0 may not fit, the copy is only its low half. */
TEST(zero_extended_copies_share_bounds)
{
#define BOUND_THROUGH(...)                                                                          \
    XDP(LOOKUP_MAP1, __VA_ARGS__, JMP_IMM(JGT, 1, 56, 3), ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), \
        EXIT(), MOV64_IMM(0, 0), EXIT())
    CHECK_EQ(BOUND_THROUGH(ALU64_IMM(AND, 0, 0xffff), MOV32_REG(1, 0)), 0);
    CHECK_EQ(BOUND_THROUGH(ALU64_IMM(AND, 0, 0xffff), MOV64_REG(1, 0), ALU64_IMM(LSH, 1, 32),
                           ALU64_IMM(RSH, 1, 32)), 0);
    CHECK_EQ(BOUND_THROUGH(ALU64_IMM(AND, 0, 0xffff), MOV64_REG(1, 0), ALU64_IMM(LSH, 1, 32),
                           ALU64_IMM(ARSH, 1, 32)), 0);
    CHECK_EQ(BOUND_THROUGH(MOV32_REG(1, 0)), -EACCES); /* r0 is 64 bits of anything */
    CHECK_EQ(BOUND_THROUGH(MOV64_REG(1, 0), ALU64_IMM(LSH, 1, 32), ALU64_IMM(RSH, 1, 32)), -EACCES);
    /* a sign-extension pair keeps r0 only while its bit 31 is clear */
    CHECK_EQ(BOUND_THROUGH(MOV32_REG(0, 0), MOV64_REG(1, 0), ALU64_IMM(LSH, 1, 32), ALU64_IMM(ARSH, 1, 32)),
             -EACCES);
    CHECK_EQ(BOUND_THROUGH(MOV32_REG(0, 0), MOV64_REG(1, 0), ALU64_IMM(LSH, 1, 32), ALU64_IMM(RSH, 1, 32)), 0);
    /* a pair split by a jump target is two separate instructions */
    CHECK_EQ(BOUND_THROUGH(ALU64_IMM(AND, 0, 0xffff), MOV64_REG(1, 0), ALU64_IMM(LSH, 1, 32),
                           JA(0), ALU64_IMM(RSH, 1, 32)), -EACCES);
#undef BOUND_THROUGH
}

TEST(signed_upper_bound_alone_allows_negative_offsets)
{
    CHECK_EQ(XDP(LOOKUP_MAP1, JMP_IMM(JSGT, 0, 56, 3), ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "outside the 64-byte map 1 value");
    CHECK_EQ(XDP(LOOKUP_MAP1, JMP_IMM(JSGT, 0, 56, 4), JMP_IMM(JSLT, 0, 0, 3), ALU64_REG(ADD, 6, 0),
                 LDX(DW, 0, 6, 0), EXIT(), MOV64_IMM(0, 0), EXIT()), 0);
    /* an unsigned bound covers both */
    CHECK_EQ(XDP(LOOKUP_MAP1, JMP_IMM(JGT, 0, 56, 3), ALU64_REG(ADD, 6, 0), LDX(DW, 0, 6, 0), EXIT(),
                 MOV64_IMM(0, 0), EXIT()), 0);
}

TEST(pointer_arithmetic_rules)
{
    CHECK_EQ(XDP(ALU64_IMM(AND, 1, 0xff), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "operation &= on a pointer is not allowed: r1 (ctx)");
    CHECK_EQ(XDP(ALU32_IMM(ADD, 1, 4), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "32-bit arithmetic on a pointer");
    CHECK_EQ(XDP(LOOKUP_MAP0, ALU64_IMM(ADD, 0, 4), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "pointer arithmetic on r0 (map_value_or_null(map 0) off=0) is not allowed: compare it with 0 first");
    /* packet length: end - data is a number */
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), ALU64_REG(SUB, 3, 2), MOV64_REG(0, 3), EXIT()), 0);
    CHECK_EQ(XDP(LDX(W, 2, 1, 0), ALU64_REG(SUB, 2, 1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "subtraction of pointers into different objects");
}

TEST(return_value_leak_and_range)
{
    CHECK_EQ(XDP(MOV64_REG(0, 1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "the return value leaks a pointer: r0 (ctx)");
    CHECK_EQ(VERIFY("cgroup/sock_addr", MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "cgroup/sock_addr programs must return a value in [0, 1], r0 is 2");
    CHECK_EQ(VERIFY("cgroup/sock_addr", MOV64_IMM(0, 1), EXIT()), 0);
    CHECK_EQ(VERIFY("cgroup/sock_addr", CALL(7), ALU64_IMM(AND, 0, 1), EXIT()), 0);
}

/* --- context ------------------------------------------------------------------------------------ */

TEST(context_fields)
{
    CHECK_EQ(XDP(LDX(W, 0, 1, 12), EXIT()), 0);
    CHECK_EQ(XDP(LDX(W, 0, 1, 24), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "struct xdp_md has no field at offset 24 size 4");
    CHECK_EQ(XDP(ST(W, 1, 12, 0), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "read-only");
    CHECK_EQ(VERIFY("cgroup/sock_addr", ST(W, 1, 24, 0x5000), MOV64_IMM(0, 1), EXIT()), 0);
    CHECK_EQ(VERIFY("kprobe", LDX(DW, 0, 1, 112), EXIT()), 0);
}

TEST(legacy_packet_loads)
{
    CHECK_EQ(VERIFY("socket", MOV64_REG(6, 1), INSN(0x30, 0, 0, 0, 12), EXIT()), 0);
    CHECK_EQ(XDP(MOV64_REG(6, 1), INSN(0x30, 0, 0, 0, 12), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "not allowed in xdp programs");
}

/* --- helpers ------------------------------------------------------------------------------------ */

TEST(helper_argument_checks)
{
    CHECK_EQ(XDP(MOV64_IMM(1, 0), MOV64_REG(2, 10), CALL(1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "argument 1 of map_lookup_elem must be a map, r1 is scalar 0");
    CHECK_EQ(XDP(CALL(9999), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "helper 9999 is not available");
    /* tail_call needs a program array */
    CHECK_EQ(XDP(LD_MAP(2, 0), MOV64_IMM(3, 0), CALL(12), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "tail_call needs a map of type 3, map 0 has type 1");
    CHECK_EQ(XDP(LD_MAP(2, 3), MOV64_IMM(3, 0), CALL(12), MOV64_IMM(0, 0), EXIT()), 0);
    /* r1-r5 are clobbered by calls */
    CHECK_EQ(XDP(CALL(5), MOV64_REG(0, 1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "r1 is read before it is written");
}

TEST(helper_memory_and_size)
{
    /* get_current_comm(buf, 16) fills the buffer, which may then be read */
    CHECK_EQ(VERIFY("kprobe", MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), MOV64_IMM(2, 16), CALL(16),
                 LDX(DW, 0, 10, -16), EXIT()), 0);
    CHECK_EQ(VERIFY("kprobe", MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), MOV64_IMM(2, 17), CALL(16),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "outside the frame");
    CHECK_EQ(VERIFY("kprobe", MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), MOV64_IMM(2, 0), CALL(16),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "argument 2 of get_current_comm may be 0");
    CHECK_EQ(VERIFY("kprobe", CALL(7), MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), MOV64_REG(2, 0), CALL(16),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "unbounded size");
    /* helpers belong to program types */
    CHECK_EQ(XDP(MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -16), MOV64_IMM(2, 16), CALL(16),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "helper get_current_comm#16 is not available to xdp programs");
    CHECK_EQ(VERIFY("socket", MOV64_IMM(2, 0), ST(DW, 10, -8, 0), MOV64_REG(3, 10), ALU64_IMM(ADD, 3, -8),
                    MOV64_IMM(4, 8), MOV64_IMM(5, 0), CALL(9), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "helper skb_store_bytes#9 is not available to socket programs");
    CHECK_EQ(VERIFY("tc", MOV64_IMM(2, 0), ST(DW, 10, -8, 0), MOV64_REG(3, 10), ALU64_IMM(ADD, 3, -8),
                    MOV64_IMM(4, 8), MOV64_IMM(5, 0), CALL(9), MOV64_IMM(0, 0), EXIT()), 0);
}

TEST(ring_buffer_reservation)
{
    CHECK_EQ(XDP(LD_MAP(1, 2), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(131), JMP_IMM(JEQ, 0, 0, 4),
                 ST(DW, 0, 8, 1), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(132),
                 MOV64_IMM(0, 0), EXIT()), 0);
    CHECK_EQ(XDP(LD_MAP(1, 2), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(131), JMP_IMM(JEQ, 0, 0, 4),
                 ST(DW, 0, 16, 1), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(132),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "ring buffer reservation access at offset 16 size 8 is outside the 16-byte");
    /* a submitted reservation is gone */
    CHECK_EQ(XDP(LD_MAP(1, 2), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(131), JMP_IMM(JEQ, 0, 0, 5),
                 MOV64_REG(6, 0), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(132), ST(DW, 6, 0, 1),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
}

TEST(references_must_be_released)
{
    /* reserve, check, write, but never submit */
    CHECK_EQ(XDP(LD_MAP(1, 2), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(131), JMP_IMM(JEQ, 0, 0, 1),
                 ST(DW, 0, 8, 1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "the ringbuf_reserve result of insn 4 is not released on this path");
    /* submitted twice */
    CHECK_EQ(XDP(LD_MAP(1, 2), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(131), JMP_IMM(JEQ, 0, 0, 7),
                 MOV64_REG(6, 0), MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(132), MOV64_REG(1, 6), MOV64_IMM(2, 0),
                 CALL(132), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 12 (call bpf_ringbuf_submit#132): argument 1 of ringbuf_submit must be a ring buffer reservation");
    /* a socket from a lookup is released on every path that got one */
    CHECK_EQ(XDP(ST(DW, 10, -16, 0), ST(DW, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -16),
                 MOV64_IMM(3, 12), MOV64_IMM(4, -1), MOV64_IMM(5, 0), CALL(84), JMP_IMM(JEQ, 0, 0, 2),
                 MOV64_REG(1, 0), CALL(86), MOV64_IMM(0, 2), EXIT()), 0);
    CHECK_EQ(XDP(ST(DW, 10, -16, 0), ST(DW, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -16),
                 MOV64_IMM(3, 12), MOV64_IMM(4, -1), MOV64_IMM(5, 0), CALL(84), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "sk_lookup_tcp result of insn 7 is not released");
    /* nor may a tail call leave with one */
    CHECK_EQ(XDP(MOV64_REG(6, 1), ST(DW, 10, -16, 0), ST(DW, 10, -8, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -16),
                 MOV64_IMM(3, 12), MOV64_IMM(4, -1), MOV64_IMM(5, 0), CALL(84), MOV64_REG(7, 0), MOV64_REG(1, 6),
                 LD_MAP(2, 3), MOV64_IMM(3, 0), CALL(12), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "tail call while holding the sk_lookup_tcp result of insn 8");
}

/* bpf_loop(10, callback, &sum, 0) where callback(i, ctx) adds i to *ctx. The call is at
 * insn 6, the callback at insn 11. */
#define LOOP_PROGRAM(callback_body...)                                                             \
    ST(DW, 10, -8, 0), MOV64_IMM(1, 10), INSN(0x18, 2, 4, 0, 8), INSN(0, 0, 0, 0, 0),               \
        MOV64_REG(3, 10), ALU64_IMM(ADD, 3, -8), MOV64_IMM(4, 0), CALL(181), LDX(DW, 0, 10, -8),    \
        MOV64_IMM(0, 2), EXIT(), callback_body

TEST(loop_callbacks)
{
    CHECK_EQ(XDP(LOOP_PROGRAM(LDX(DW, 3, 2, 0), ALU64_REG(ADD, 3, 1), STX(DW, 2, 3, 0), MOV64_IMM(0, 0),
                              EXIT())), 0);
    CHECK_EQ(result.stats.contexts, 2);
    /* the callback's verdict must be 0 or 1 */
    CHECK_EQ(XDP(LOOP_PROGRAM(MOV64_IMM(0, 2), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "insn 12 (exit): a callback must return 0 (go on) or 1 (stop), r0 is scalar 2");
    /* the callback's context is 8 bytes of the caller's stack */
    CHECK_EQ(XDP(LOOP_PROGRAM(ST(DW, 2, 8, 1), MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "insn 11 (*(u64 *)(r2 + 8) = 1): stack access at offset 0 size 8 is outside the frame");
    /* the loop keeps what the callback may have done to the stack: a spilled pointer is gone */
    CHECK_EQ(XDP(STX(DW, 10, 1, -8), MOV64_IMM(1, 10), INSN(0x18, 2, 4, 0, 8), INSN(0, 0, 0, 0, 0),
                 MOV64_REG(3, 10), ALU64_IMM(ADD, 3, -8), MOV64_IMM(4, 0), CALL(181), LDX(DW, 1, 10, -8),
                 LDX(W, 0, 1, 12), EXIT(),
                 ST(DW, 2, 0, 1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 9 (r0 = *(u32 *)(r1 + 12)): r1 is a number, not a pointer");
}

/* for_each_map_elem(map 0 (hash: 4-byte keys, 8-byte values), callback at insn 11, ctx = fp-8,
 * 0): the caller writes 0 to its fp-8 first; the callback body follows insn 10. */
#define FOR_EACH_PROGRAM(map, ...)                                                                \
    ST(DW, 10, -8, 0), LD_MAP(1, map), INSN(0x18, 2, 4, 0, 7), INSN(0, 0, 0, 0, 0), MOV64_REG(3, 10),    \
        ALU64_IMM(ADD, 3, -8), MOV64_IMM(4, 0), CALL(164), MOV64_IMM(0, 0), EXIT(), __VA_ARGS__

TEST(for_each_map_elem_callbacks)
{
    /* reads the key, reads and writes the value, adds into the caller's stack through ctx */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, LDX(W, 0, 2, 0), LDX(DW, 5, 3, 0), ALU64_REG(ADD, 5, 0), STX(DW, 3, 5, 0),
                                  LDX(DW, 6, 4, 0), ALU64_REG(ADD, 6, 5), STX(DW, 4, 6, 0), MOV64_IMM(0, 0),
                                  EXIT())), 0);
    CHECK_EQ(result.stats.contexts, 2);
    /* r1 is the map: the callback may look the key up in it */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, CALL(1), MOV64_IMM(0, 0), EXIT())), 0);
    /* keys are read-only */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, ST(W, 2, 0, 1), MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "insn 11 (*(u32 *)(r2 + 0) = 1): map 0's keys are read-only");
    /* and key_size long */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, LDX(DW, 0, 2, 0), MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "outside the 4-byte map 0 key");
    /* values are value_size long */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, LDX(DW, 0, 3, 8), MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "outside the 8-byte map 0 value");
    /* the read-only array's values stay read-only */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(4, ST(W, 3, 0, 1), MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "map 4 is read-only");
    /* r5 is not an argument */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, MOV64_REG(0, 5), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "r5 is read before it is written");
    /* verdict 0 or 1 */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(0, MOV64_IMM(0, 2), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "a callback must return 0 (go on) or 1 (stop)");
    /* only hash and array maps can be walked (map 2 is a ring buffer) */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(2, MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "for_each_map_elem cannot walk map 2: its type 27 is not a hash or array map");
    /* the callback must be a function: a number in r2 is refused */
    CHECK_EQ(XDP(LD_MAP(1, 0), MOV64_IMM(2, 0), MOV64_IMM(3, 0), MOV64_IMM(4, 0), CALL(164), MOV64_IMM(0, 0),
                 EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "argument 2 of for_each_map_elem");
}

/* --- loops ------------------------------------------------------------------------------------- */

TEST(constant_bound_loop_is_not_unrolled)
{
    /* for (i = 0; i < 100000; i++) sum += i; */
    CHECK_EQ(XDP(MOV64_IMM(0, 0), MOV64_IMM(1, 0), ALU64_REG(ADD, 0, 1), ALU64_IMM(ADD, 1, 1),
                 JMP_IMM(JLT, 1, 100000, -3), EXIT()), 0);
    CHECK(result.stats.steps < 100);
}

TEST(counting_down_loop)
{
    CHECK_EQ(XDP(MOV64_IMM(1, 100), MOV64_IMM(0, 0), ALU64_IMM(ADD, 0, 3), ALU64_IMM(SUB, 1, 1),
                 JMP_IMM(JNE, 1, 0, -3), EXIT()), 0);
}

TEST(infinite_loops_are_rejected)
{
    CHECK_EQ(XDP(MOV64_IMM(0, 0), JA(-1), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "loop at insn 1 may not terminate");
    /* the bound is tested but the counter never moves */
    CHECK_EQ(XDP(MOV64_IMM(0, 0), MOV64_IMM(1, 0), JMP_IMM(JGT, 1, 10, 1), JA(-2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "may not terminate");
    /* the counter moves but nothing bounds it (it could wrap around forever) */
    CHECK_EQ(XDP(CALL(7), MOV64_REG(1, 0), ALU64_IMM(ADD, 1, 1), JMP_IMM(JNE, 1, 0, -2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "may not terminate");
}

/* for (r6 = 1; (u32)r6 != 1000; r6++), the loop of bounded_loop.o: the comparison is on a
 * zero-extended copy, which is r6 itself while r6 fits in 32 bits. */
TEST(loop_counter_compared_through_a_zero_extended_copy)
{
    CHECK_EQ(XDP(MOV64_IMM(6, 0), ALU64_IMM(ADD, 6, 1), MOV64_REG(1, 6), ALU64_IMM(LSH, 1, 32),
                 ALU64_IMM(RSH, 1, 32), JMP_IMM(JEQ, 1, 1000, 1), JA(-6), MOV64_IMM(0, 0), EXIT()), 0);
    CHECK_EQ(XDP(MOV64_IMM(6, 0), ALU64_IMM(ADD, 6, 1), MOV32_REG(1, 6), JMP_IMM(JEQ, 1, 1000, 1),
                 JA(-4), MOV64_IMM(0, 0), EXIT()), 0);
    /* (r6 << 32) >> 33 is no copy: nothing bounds r6 */
    CHECK_EQ(XDP(MOV64_IMM(6, 0), ALU64_IMM(ADD, 6, 1), MOV64_REG(1, 6), ALU64_IMM(LSH, 1, 32),
                 ALU64_IMM(RSH, 1, 33), JMP_IMM(JEQ, 1, 1000, 1), JA(-6), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "loop at insn 1 may ");
}

TEST(loop_bound_larger_than_the_limit)
{
    const struct ebpf_insn prog[] = {MOV64_IMM(0, 0), MOV64_IMM(1, 0), ALU64_IMM(ADD, 1, 1),
                                     JMP_IMM(JLT, 1, 1000000, -2), EXIT()};
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp"), .max_loop_iterations = 1000};
    CHECK_EQ(verifier_verify(prog, 5, &opts, &result), -EACCES);
    CHECK_CONTAINS(result.message, "loop at insn 2 may run 999999 times, more than the limit of 1000");
}

TEST(nested_loops)
{
    /* for (i = 0; i < 10; i++) for (j = 0; j < 10; j++) n++; */
    CHECK_EQ(XDP(MOV64_IMM(0, 0), MOV64_IMM(1, 0),
                 MOV64_IMM(2, 0),
                 ALU64_IMM(ADD, 0, 1), ALU64_IMM(ADD, 2, 1), JMP_IMM(JLT, 2, 10, -3),
                 ALU64_IMM(ADD, 1, 1), JMP_IMM(JLT, 1, 10, -6),
                 EXIT()), 0);
    /* the outer loop forgets its increment */
    CHECK_EQ(XDP(MOV64_IMM(0, 0), MOV64_IMM(1, 0),
                 MOV64_IMM(2, 0),
                 ALU64_IMM(ADD, 0, 1), ALU64_IMM(ADD, 2, 1), JMP_IMM(JLT, 2, 10, -3),
                 JMP_IMM(JLT, 1, 10, -5),
                 EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "loop at insn 2 may not terminate");
}

TEST(complexity_budget)
{
    const struct ebpf_insn prog[] = {MOV64_IMM(0, 0), ALU64_IMM(ADD, 0, 1), ALU64_IMM(ADD, 0, 1),
                                     ALU64_IMM(ADD, 0, 1), EXIT()};
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp"), .max_steps = 3};
    CHECK_EQ(verifier_verify(prog, 5, &opts, &result), -E2BIG);
    CHECK_CONTAINS(result.message, "insn 3 (r0 += 1): the program is too complex: 3 instructions analysed, the limit is 3");
}

/* A hostile program: seven levels of functions, each calling the next three times and then
 * running 400 instructions. Analysed per call site, that is 3280 call contexts and over a
 * million instructions: the default budget stops it with a clear -E2BIG, quickly. */
TEST(hostile_program_hits_the_default_step_budget)
{
    enum { LEVELS = 8, BODY = 400, FUNC = 3 + BODY + 2 };
    struct ebpf_insn *prog = calloc(LEVELS * FUNC, sizeof *prog);
    size_t n = 0;
    for (int level = 0; level < LEVELS; level++) {
        size_t next = (size_t)(level + 1) * FUNC;
        for (int c = 0; c < 3; c++, n++)
            prog[n] = level + 1 < LEVELS ? CALL_LOCAL((int32_t)(next - n - 1)) : MOV64_IMM(0, 0);
        for (int i = 0; i < BODY; i++)
            prog[n++] = MOV64_IMM(2, i);
        prog[n++] = MOV64_IMM(0, 0);
        prog[n++] = EXIT();
    }
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp")};
    CHECK_EQ(verifier_verify(prog, n, &opts, &result), -E2BIG);
    CHECK_CONTAINS(result.message, "the program is too complex: 1000000 instructions analysed, the limit is 1000000");
    CHECK(!result.accepted);
    CHECK(result.stats.seconds < 10);
    fprintf(stderr, "    (hostile program: %zu insns, %u contexts, %.3f s)\n", n, result.stats.contexts,
            result.stats.seconds);
    free(prog);
}

/* --- paths ------------------------------------------------------------------------------------- */

/* r2 is a stack pointer on one path and 0 on the other; after the merge, "if r2 == 0"
 * separates them again. Joining the two would give a register of mixed type. */
static const struct ebpf_insn two_types[] = {
    LDX(W, 3, 1, 12), JMP_IMM(JEQ, 3, 0, 3), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -8), JA(1),
    MOV64_IMM(2, 0), JMP_IMM(JEQ, 2, 0, 1), ST(DW, 2, 0, 1), MOV64_IMM(0, 2), EXIT(),
};

TEST(paths_with_different_types_are_kept_apart)
{
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp")};
    CHECK_EQ(verifier_verify(two_types, sizeof two_types / sizeof two_types[0], &opts, &result), 0);
    CHECK(result.stats.max_states_at_point >= 2);
    opts.max_states_per_point = 1;
    CHECK_EQ(verifier_verify(two_types, sizeof two_types / sizeof two_types[0], &opts, &result), -EACCES);
    CHECK_CONTAINS(result.message, "r2 holds different types on paths merged before this instruction");
}

/* --- bpf-to-bpf calls ------------------------------------------------------------------------- */

/* Instructions no path reaches are still loaded by the engines: ones that could never be
 * valid refuse the whole program (behind "if r0 == 0", with r0 = 0, nothing runs them). */
TEST(unreachable_instructions_are_checked_statically)
{
#define BEHIND_A_DEAD_BRANCH(slots, ...) XDP(MOV64_IMM(0, 0), JMP_IMM(JEQ, 0, 0, slots), __VA_ARGS__, EXIT())
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(1, CALL(16)), -EACCES); /* get_current_comm: not for xdp */
    CHECK_CONTAINS(result.message, "insn 2 (call bpf_get_current_comm#16): helper get_current_comm#16 is not "
                                   "available to xdp programs");
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(1, CALL(9999)), -EACCES);
    CHECK_CONTAINS(result.message, "helper 9999 is not available");
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(1, INSN(0x85, 0, 2, 0, 1)), -EACCES);
    CHECK_CONTAINS(result.message, "kfunc calls are not supported");
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(1, INSN(0x30, 0, 0, 0, 12)), -EACCES); /* ldabsb */
    CHECK_CONTAINS(result.message, "legacy packet loads");
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(2, LD_MAP(1, 9)), -EINVAL);
    CHECK_CONTAINS(result.message, "lddw refers to map index 9, which the loader did not provide");
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(2, LD_MAP_VALUE(1, 4, 16)), -EACCES);
    CHECK_CONTAINS(result.message, "offset 16 is outside map 4's 16-byte value");
    /* valid instructions behind the branch are fine, whatever they would do */
    CHECK_EQ(BEHIND_A_DEAD_BRANCH(2, CALL(7), LDX(DW, 0, 9, 0)), 0);
#undef BEHIND_A_DEAD_BRANCH
}

TEST(local_calls)
{
    /* main: r1 = 5; call f; exit   f: r0 = r1 + 1; exit */
    CHECK_EQ(XDP(MOV64_IMM(1, 5), CALL_LOCAL(1), EXIT(), MOV64_REG(0, 1), ALU64_IMM(ADD, 0, 1), EXIT()), 0);
    CHECK_EQ(result.stats.contexts, 2);
    /* the callee has its own r6 */
    CHECK_EQ(XDP(MOV64_IMM(6, 5), CALL_LOCAL(1), EXIT(), MOV64_REG(0, 6), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 3 (r0 = r6): r6 is read before it is written");
    /* but keeps the caller's r6 across the call */
    CHECK_EQ(XDP(MOV64_IMM(6, 5), CALL_LOCAL(2), MOV64_REG(0, 6), EXIT(), MOV64_IMM(0, 1), EXIT()), 0);
    /* a stack pointer passed down may be written by the callee */
    CHECK_EQ(XDP(MOV64_REG(1, 10), ALU64_IMM(ADD, 1, -8), CALL_LOCAL(2), LDX(DW, 0, 10, -8), EXIT(),
                 ST(DW, 1, 0, 7), MOV64_IMM(0, 0), EXIT()), 0);
}

TEST(local_call_errors)
{
    CHECK_EQ(XDP(CALL_LOCAL(1), EXIT(), CALL_LOCAL(-1), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "recursive call");
    CHECK_EQ(XDP(CALL_LOCAL(1), EXIT(), MOV64_REG(0, 10), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "returns a pointer to its own stack");
    /* a function may leave r0 unset (clang does when no caller uses the result) ... */
    CHECK_EQ(XDP(CALL_LOCAL(2), MOV64_IMM(0, 1), EXIT(), MOV64_IMM(2, 0), EXIT()), 0);
    /* ... but then the caller cannot read it */
    CHECK_EQ(XDP(CALL_LOCAL(1), EXIT(), MOV64_IMM(2, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 1 (exit): r0 is not set at exit");
    /* the same function analysed per call site: the second call passes a bad argument */
    CHECK_EQ(XDP(LDX(W, 1, 1, 0), CALL_LOCAL(4), MOV64_IMM(1, 0), CALL_LOCAL(2), MOV64_IMM(0, 0), EXIT(),
                 LDX(B, 0, 1, 0), EXIT()), -EACCES);
}

TEST(verbose_log_shows_invariants)
{
    char log[4096];
    const struct ebpf_insn prog[] = {LDX(W, 0, 1, 12), JMP_IMM(JGT, 0, 0, 1), MOV64_IMM(0, 2), EXIT()};
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp"), .log = log, .log_size = sizeof log};
    CHECK_EQ(verifier_verify(prog, 4, &opts, &result), 0);
    CHECK_CONTAINS(log, "context 0 insn 0: r1=ctx r10=stack off=0");
    CHECK_CONTAINS(log, "insn 3: r0=scalar [1, 4294967295] r10");
    CHECK_CONTAINS(log, "context 0 insn 2: r10=stack off=0\n"); /* r0 is dead there */
    /* stack slots: a spill keeps its value, data is shown by the bytes written */
    const struct ebpf_insn spills[] = {STX(DW, 10, 1, -8), ST(W, 10, -12, 7), MOV64_IMM(0, 0), EXIT()};
    opts.log_every_insn = true;
    CHECK_EQ(verifier_verify(spills, 4, &opts, &result), 0);
    CHECK_CONTAINS(log, "context 0 insn 2: r1=ctx r10=stack off=0 fp-16=data(bytes 0xf0) fp-8=ctx\n");
}

static bool fake_source(void *user, size_t pc, char *where, size_t where_size, char *text, size_t text_size)
{
    if (pc != *(const size_t *)user)
        return false;
    snprintf(where, where_size, "prog.c:%zu", pc + 10);
    snprintf(text, text_size, "return *p;");
    return true;
}

TEST(source_lines_in_messages_and_log)
{
    char log[4096];
    size_t line_at = 1;
    const struct ebpf_insn prog[] = {MOV64_IMM(1, 0), LDX(W, 0, 1, 0), EXIT()};
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp"), .source_line = fake_source,
                                    .user = &line_at, .log = log, .log_size = sizeof log, .log_every_insn = true};
    CHECK_EQ(verifier_verify(prog, 3, &opts, &result), -EACCES);
    CHECK_CONTAINS(result.message, "insn 1 (r0 = *(u32 *)(r1 + 0)) at prog.c:11: r1 is a number");
    CHECK_STR(result.source_line, "return *p;");
    CHECK_CONTAINS(log, "context 0 insn 0: r10=stack off=0\n    0: r1 = 0\n" /* r1 dead */
                        "; return *p;  prog.c:11\ncontext 0 insn 1: r1=scalar 0 r10=stack off=0\n");
    /* no line for the failing instruction: none in the message */
    line_at = 0;
    CHECK_EQ(verifier_verify(prog, 3, &opts, &result), -EACCES);
    CHECK_CONTAINS(result.message, "insn 1 (r0 = *(u32 *)(r1 + 0)): r1 is a number");
    CHECK_STR(result.source_line, "");
}

/* Found by the soundness generator (seed 0x6b01c0c5): two unchecked packet pointers at
 * different offsets meet at a loop head; the joined pointer has no proven range. */
TEST(unchecked_packet_pointers_joined_at_a_loop_head_stay_unchecked)
{
    int err = XDP(LDX(W, 7, 1, 0), LD_MAP_VALUE(3, 1, 24), LDX(DW, 9, 3, 0),
                  MOV64_REG(2, 7), ALU64_IMM(ADD, 2, 45),
                  JMP32_IMM(JEQ, 9, 4, 1), JA(1), ALU64_IMM(ADD, 2, 34),
                  MOV64_IMM(6, 0),
                  ALU64_IMM(ADD, 6, 2), JMP_IMM(JLT, 6, 30, -2),
                  ST(DW, 10, -40, 0), LD_MAP(1, 0), ALU64_IMM(ADD, 2, -4), MOV64_REG(3, 10),
                  ALU64_IMM(ADD, 3, -40), MOV64_IMM(4, 0), CALL(2), MOV64_IMM(0, 0), EXIT());
    CHECK_EQ(err, -EACCES);
    CHECK_CONTAINS(result.message, "range=-79");
    /* the same claim made by adding a number: data + [8, 100], then 8 bytes before it */
    err = XDP(LDX(W, 2, 1, 0), LD_MAP_VALUE(3, 1, 0), LDX(DW, 4, 3, 0), ALU64_IMM(AND, 4, 63),
              ALU64_IMM(ADD, 4, 8), ALU64_REG(ADD, 2, 4), LDX(DW, 0, 2, -8), EXIT());
    CHECK_EQ(err, -EACCES);
    CHECK_CONTAINS(result.message, "range=-71");
}

static int verify_one_state_per_point(const struct ebpf_insn *insns, size_t count)
{
    struct verifier_options opts = {
        .prog_type = prog_type_by_name("xdp"),
        .maps = test_maps,
        .map_count = sizeof test_maps / sizeof test_maps[0],
        .max_states_per_point = 1, /* every merge joins */
    };
    return verifier_verify(insns, count, &opts, &result);
}

#define ONE_STATE(...)                                                                             \
    ({                                                                                             \
        const struct ebpf_insn prog_[] = {__VA_ARGS__};                                            \
        verify_one_state_per_point(prog_, sizeof prog_ / sizeof prog_[0]);                         \
    })

/* Pointers into values of different maps, joined: a pointer into the smaller value (no less
 * read-only) serves for both, where it used to become mixed (l7_parse's shared counter tail). */
TEST(map_values_of_different_maps_join_into_the_smaller)
{
    /* map 1 (64 bytes) or map 0 (8 bytes): writes within 8 bytes pass, beyond fail */
    CHECK_EQ(ONE_STATE(LDX(W, 2, 1, 12), LD_MAP_VALUE(0, 1, 0), JMP_IMM(JEQ, 2, 0, 2),
                       LD_MAP_VALUE(0, 0, 0), MOV64_IMM(1, 1), STX(DW, 0, 1, 0),
                       MOV64_IMM(0, 0), EXIT()), 0);
    CHECK_EQ(ONE_STATE(LDX(W, 2, 1, 12), LD_MAP_VALUE(0, 1, 0), JMP_IMM(JEQ, 2, 0, 2),
                       LD_MAP_VALUE(0, 0, 0), MOV64_IMM(1, 1), STX(DW, 0, 1, 8),
                       MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "8-byte map 0 value");
    /* map 4 is read-only (16 bytes), map 0 writable and smaller: no common form */
    CHECK_EQ(ONE_STATE(LDX(W, 2, 1, 12), LD_MAP_VALUE(0, 4, 0), JMP_IMM(JEQ, 2, 0, 2),
                       LD_MAP_VALUE(0, 0, 0), MOV64_IMM(1, 1), STX(DW, 0, 1, 0),
                       MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "different types");
    /* map 4 (read-only, 16 bytes) or map 1 (64 bytes): read-only 16 bytes; reads pass */
    CHECK_EQ(ONE_STATE(LDX(W, 2, 1, 12), LD_MAP_VALUE(0, 4, 0), JMP_IMM(JEQ, 2, 0, 2),
                       LD_MAP_VALUE(0, 1, 0), LDX(DW, 1, 0, 8), MOV64_IMM(0, 0), EXIT()), 0);
    CHECK_EQ(ONE_STATE(LDX(W, 2, 1, 12), LD_MAP_VALUE(0, 4, 0), JMP_IMM(JEQ, 2, 0, 2),
                       LD_MAP_VALUE(0, 1, 0), MOV64_IMM(1, 1), STX(DW, 0, 1, 0),
                       MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "read-only");
    /* map 4 (read-only, 16 bytes) or map 5, whose lock is at 8: no common form, or the read
     * at 8 would reach map 5's lock */
    CHECK_EQ(ONE_STATE(LDX(W, 2, 1, 12), LD_MAP_VALUE(0, 4, 0), JMP_IMM(JEQ, 2, 0, 2),
                       LD_MAP_VALUE(0, 5, 0), LDX(W, 1, 0, 8), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "different types");
}

/* --- bpf_spin_lock ---------------------------------------------------------------------------- */

/* reg = a value of map 5 (whose bpf_spin_lock is at offset 8), or return 0: 8 instructions. */
#define LOOKUP_LOCK_MAP(reg)                                                                       \
    ST(W, 10, -4, 0), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), LD_MAP(1, 5), CALL(1),              \
        JMP_IMM(JNE, 0, 0, 2), MOV64_IMM(0, 0), EXIT(), MOV64_REG(reg, 0)
/* r1 = &reg->lock; call helper: 3 instructions. */
#define LOCK_CALL(reg, helper) MOV64_REG(1, reg), ALU64_IMM(ADD, 1, 8), CALL(helper)
#define SPIN_LOCK(reg) LOCK_CALL(reg, 93)
#define SPIN_UNLOCK(reg) LOCK_CALL(reg, 94)

TEST(spin_lock_taken_and_released_is_accepted)
{
    /* 0-9: r6 = value; 10-12: lock; 13-14: value->a = 1; 15-17: unlock */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), MOV64_IMM(1, 1), STX(DW, 6, 1, 0), SPIN_UNLOCK(6),
                 LDX(DW, 0, 6, 16), ALU64_IMM(AND, 0, 1), EXIT()), 0);
    /* a value addressed without a lookup is one value: the same lock both times */
    CHECK_EQ(XDP(LD_MAP_VALUE(1, 5, 8), CALL(93), LD_MAP_VALUE(1, 5, 8), CALL(94), MOV64_IMM(0, 2), EXIT()), 0);
}

TEST(spin_lock_must_be_released_before_exit)
{
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 14 (exit): bpf_spin_lock taken at insn 12 is not released on this "
                                   "path before exit");
    CHECK_EQ(result.error_pc, 14);
    /* released on one path only: 15 reads value->a, 16 skips the unlock when it is 0 */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), MOV64_IMM(0, 2), LDX(DW, 1, 6, 0), JMP_IMM(JEQ, 1, 0, 3),
                 SPIN_UNLOCK(6), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 19 (exit): bpf_spin_lock taken at insn 12 is not released");
}

TEST(spin_lock_forbids_calls_while_held)
{
    /* a helper (ktime_get_ns) */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), CALL(5), SPIN_UNLOCK(6), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 13 (call bpf_ktime_get_ns#5): bpf_spin_lock taken at insn 12 is not "
                                   "released on this path before calling bpf_ktime_get_ns: no helper but bpf_spin_unlock");
    /* a tail call would leave the lock taken for good */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), MOV64_REG(1, 6), LD_MAP(2, 3), MOV64_IMM(3, 0), CALL(12),
                 SPIN_UNLOCK(6), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 17 (");
    CHECK_CONTAINS(result.message, "before calling bpf_tail_call");
    /* a bpf-to-bpf call */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), CALL_LOCAL(5), SPIN_UNLOCK(6), MOV64_IMM(0, 2), EXIT(),
                 MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 13 (");
    CHECK_CONTAINS(result.message, "bpf_spin_lock taken at insn 12 is not released on this path before "
                                   "calling a function");
}

TEST(spin_lock_must_be_released_before_a_function_returns)
{
    /* 0: call the function at 3, which takes the lock of its argument and returns */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(1), CALL_LOCAL(2), MOV64_IMM(0, 2), EXIT(),
                 MOV64_REG(6, 1), SPIN_LOCK(6), MOV64_IMM(0, 0), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 18 (exit): bpf_spin_lock taken at insn 16 is not released on this "
                                   "path before the function returns");
}

TEST(spin_lock_taken_twice_is_refused)
{
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), SPIN_LOCK(6), SPIN_UNLOCK(6), MOV64_IMM(0, 2), EXIT()),
             -EACCES);
    CHECK_CONTAINS(result.message, "insn 15 (call bpf_spin_lock#93): bpf_spin_lock while the bpf_spin_lock "
                                   "taken at insn 12 (map 5) is held: only one lock may be held at a time");
}

TEST(spin_unlock_must_release_the_lock_held)
{
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_UNLOCK(6), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 12 (call bpf_spin_unlock#94): bpf_spin_unlock without a "
                                   "bpf_spin_lock held on this path");
    /* two lookups of the same key are two pointers the verifier cannot prove equal */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), LOOKUP_LOCK_MAP(7), SPIN_LOCK(6), SPIN_UNLOCK(7), MOV64_IMM(0, 2), EXIT()),
             -EACCES);
    CHECK_CONTAINS(result.message, "insn 25 (call bpf_spin_unlock#94): bpf_spin_unlock of a different lock "
                                   "than the one taken at insn 22 (map 5): this one is in another value of map 5");
    /* the value addressed without a lookup is not the one looked up */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), LD_MAP_VALUE(1, 5, 8), CALL(94), MOV64_IMM(0, 2), EXIT()),
             -EACCES);
    CHECK_CONTAINS(result.message, "bpf_spin_unlock of a different lock");
    /* taken on one path only: the paths meet before the unlock, and are not merged into one */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), LDX(DW, 1, 6, 0), JMP_IMM(JEQ, 1, 0, 3), SPIN_LOCK(6), SPIN_UNLOCK(6),
                 MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 17 (call bpf_spin_unlock#94): bpf_spin_unlock without a bpf_spin_lock");
}

TEST(states_holding_different_locks_are_never_joined)
{
    /* one state per point: the paths with and without the lock meet at 15 */
    CHECK_EQ(ONE_STATE(LOOKUP_LOCK_MAP(6), LDX(DW, 1, 6, 0), JMP_IMM(JEQ, 1, 0, 3), SPIN_LOCK(6),
                       MOV64_IMM(0, 2), SPIN_UNLOCK(6), EXIT()), -EACCES);
    CHECK_EQ(result.error_pc, 15);
    CHECK_CONTAINS(result.message, "paths that disagree on the bpf_spin_lock held meet here");
    /* the same lock on both paths: joined, and released */
    CHECK_EQ(ONE_STATE(LOOKUP_LOCK_MAP(6), SPIN_LOCK(6), LDX(DW, 1, 6, 0), JMP_IMM(JEQ, 1, 0, 1),
                       MOV64_IMM(1, 7), STX(DW, 6, 1, 16), SPIN_UNLOCK(6), MOV64_IMM(0, 2), EXIT()), 0);
}

/* A reference held on one path and not on another: joining the two would keep only the
 * references both hold (or the first state's), and a path that never releases its
 * reservation could be accepted. */
TEST(states_holding_different_references_are_never_joined)
{
    /* 0: r6 = a packet word; 1: if 0, skip to 7 without reserving; 2-6: reserve (never
     * submitted); 7: the paths meet; 8: exit */
    CHECK_EQ(ONE_STATE(LDX(W, 6, 1, 12), JMP_IMM(JEQ, 6, 0, 5), LD_MAP(1, 2), MOV64_IMM(2, 16),
                       MOV64_IMM(3, 0), CALL(131), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_EQ(result.error_pc, 7);
    CHECK_CONTAINS(result.message, "paths that disagree on the references held (ring buffer");
    /* the same with the paths the other way round (9-10 skip the reservation) */
    CHECK_EQ(ONE_STATE(LDX(W, 6, 1, 12), JMP_IMM(JNE, 6, 0, 7), LD_MAP(1, 2), MOV64_IMM(2, 16),
                       MOV64_IMM(3, 0), CALL(131), MOV64_IMM(0, 2), EXIT(), MOV64_IMM(0, 1), JA(-4)), -EACCES);
    CHECK_CONTAINS(result.message, "paths that disagree on the references held (ring buffer");
    /* a socket from a lookup on one path only */
    CHECK_EQ(ONE_STATE(LDX(W, 6, 1, 12), ST(DW, 10, -16, 0), ST(DW, 10, -8, 0), JMP_IMM(JEQ, 6, 0, 6),
                       MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -16), MOV64_IMM(3, 12), MOV64_IMM(4, -1),
                       MOV64_IMM(5, 0), CALL(84), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "paths that disagree on the references held (ring buffer");
    /* a loop that reserves on every iteration (0: i = 0; 1: loop head, leaves at i >= 4;
     * 2-6: reserve; 7-8: i++ and back): its head may not forget the reservations */
    CHECK_EQ(ONE_STATE(MOV64_IMM(6, 0), JMP_IMM(JGE, 6, 4, 7), LD_MAP(1, 2), MOV64_IMM(2, 16),
                       MOV64_IMM(3, 0), CALL(131), ALU64_IMM(ADD, 6, 1), JA(-8), MOV64_IMM(0, 2), EXIT()),
             -EACCES);
    CHECK_EQ(result.error_pc, 1);
    CHECK_CONTAINS(result.message, "paths that disagree on the references held (ring buffer");
    /* with room for both, they are kept apart and the leak is found at the exit */
    CHECK_EQ(XDP(LDX(W, 6, 1, 12), JMP_IMM(JEQ, 6, 0, 5), LD_MAP(1, 2), MOV64_IMM(2, 16),
                 MOV64_IMM(3, 0), CALL(131), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "the ringbuf_reserve result of insn 6 is not released on this path");
    /* the same reservation on both paths: joined, and submitted */
    CHECK_EQ(ONE_STATE(LD_MAP(1, 2), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(131), JMP_IMM(JEQ, 0, 0, 7),
                       MOV64_REG(6, 0), LDX(W, 1, 6, 0), JMP_IMM(JEQ, 1, 0, 1), ST(DW, 6, 8, 1),
                       MOV64_REG(1, 6), MOV64_IMM(2, 0), CALL(132), MOV64_IMM(0, 2), EXIT()), 0);
}

TEST(spin_lock_in_a_for_each_map_elem_callback)
{
    /* the callback (at 11) locks and unlocks the element it is given */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(5, MOV64_REG(6, 3), SPIN_LOCK(6), SPIN_UNLOCK(6), MOV64_IMM(0, 0), EXIT())), 0);
    /* the element is not the value lddw addresses */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(5, MOV64_REG(6, 3), SPIN_LOCK(6), LD_MAP_VALUE(1, 5, 8), CALL(94),
                                  MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "insn 17 (call bpf_spin_unlock#94): bpf_spin_unlock of a different lock");
    /* nor may it return holding the lock */
    CHECK_EQ(XDP(FOR_EACH_PROGRAM(5, MOV64_REG(6, 3), SPIN_LOCK(6), MOV64_IMM(0, 0), EXIT())), -EACCES);
    CHECK_CONTAINS(result.message, "insn 16 (exit): bpf_spin_lock taken at insn 14 is not released on this "
                                   "path before the callback returns");
}

TEST(spin_lock_word_cannot_be_accessed_directly)
{
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), LDX(W, 0, 6, 8), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "insn 10 (");
    CHECK_CONTAINS(result.message, "the bpf_spin_lock at offset 8 of map 5's value cannot be read or written "
                                   "directly (access at [8, 12) overlaps it)");
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), ST(B, 6, 11, 0), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "access at [11, 12) overlaps it");
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), LDX(DW, 0, 6, 4), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "access at [4, 12) overlaps it");
    /* through a helper: the value passed to bpf_map_update_elem holds the lock */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), LD_MAP(1, 5), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), MOV64_REG(3, 6),
                 MOV64_IMM(4, 0), CALL(2), MOV64_IMM(0, 2), EXIT()), -EACCES);
    CHECK_CONTAINS(result.message, "cannot be read or written directly");
    /* the words beside it are data */
    CHECK_EQ(XDP(LOOKUP_LOCK_MAP(6), LDX(DW, 0, 6, 0), ST(W, 6, 12, 0), ALU64_IMM(AND, 0, 1), EXIT()), 0);
}

TEST_MAIN
