/* The assembler: encodings, aliases, labels, numbers, error messages. */
#include "isa/asm.h"
#include "test.h"

#include <errno.h>

static struct ebpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct ebpf_insn){.code = code, .dst = dst, .src = src, .off = off, .imm = imm};
}

static bool same_insn(struct ebpf_insn a, struct ebpf_insn b) { return !memcmp(&a, &b, sizeof a); }

static void print_insn(const char *what, struct ebpf_insn i)
{
    fprintf(stderr, "    %s: code 0x%02x dst %u src %u off %d imm %d\n", what, i.code, i.dst, i.src,
            i.off, i.imm);
}

/* Assembles text and compares with the expected instructions. */
static void check_assembles_to(const char *text, const struct ebpf_insn *expected, size_t count)
{
    struct ebpf_insn *insns;
    size_t n;
    char msg[256];
    int err = asm_assemble(text, &insns, &n, msg, sizeof msg);
    if (err) {
        fprintf(stderr, "  '%s': %s\n", text, msg);
        CHECK_EQ(err, 0);
        return;
    }
    CHECK_EQ(n, count);
    for (size_t i = 0; i < n && i < count; i++)
        if (!same_insn(insns[i], expected[i])) {
            fprintf(stderr, "  '%s' slot %zu:\n", text, i);
            print_insn("got", insns[i]);
            print_insn("expected", expected[i]);
            CHECK(0);
        }
    free(insns);
}

#define CHECK_ASM(text, ...)                                                                       \
    do {                                                                                           \
        const struct ebpf_insn expected_[] = {__VA_ARGS__};                                        \
        check_assembles_to(text, expected_, sizeof expected_ / sizeof expected_[0]);               \
    } while (0)

/* Assembling must fail with -EINVAL and a message containing what. */
static void check_rejects(const char *text, const char *what)
{
    struct ebpf_insn *insns = (struct ebpf_insn *)&insns;
    size_t n = 99;
    char msg[256] = "";
    int err = asm_assemble(text, &insns, &n, msg, sizeof msg);
    if (!err)
        fprintf(stderr, "  '%s' assembled, expected error '%s'\n", text, what);
    CHECK_EQ(err, -EINVAL);
    CHECK(insns == NULL);
    CHECK_EQ(n, 0);
    CHECK_CONTAINS(msg, what);
}

static const struct ebpf_insn EXIT = {.code = 0x95};

TEST(alu_forms)
{
    CHECK_ASM("mov32 %r0, 0", insn(0xb4, 0, 0, 0, 0));
    CHECK_ASM("mov %r1, -1", insn(0xb7, 1, 0, 0, -1));
    CHECK_ASM("mov %r1, %r2", insn(0xbf, 1, 2, 0, 0));
    CHECK_ASM("add %r9, 0x7fffffff", insn(0x07, 9, 0, 0, INT32_MAX));
    CHECK_ASM("add32 %r3, %r4", insn(0x0c, 3, 4, 0, 0));
    CHECK_ASM("sdiv %r1, 3", insn(0x37, 1, 0, 1, 3));
    CHECK_ASM("smod32 %r1, %r2", insn(0x9c, 1, 2, 1, 0));
    CHECK_ASM("div %r1, %r2", insn(0x3f, 1, 2, 0, 0));
    CHECK_ASM("arsh32 %r1, 3", insn(0xc4, 1, 0, 0, 3));
    CHECK_ASM("neg %r0", insn(0x87, 0, 0, 0, 0));
    CHECK_ASM("neg32 %r5", insn(0x84, 5, 0, 0, 0));
    CHECK_ASM("be16 %r0", insn(0xdc, 0, 0, 0, 16));
    CHECK_ASM("le64 %r2", insn(0xd4, 2, 0, 0, 64));
    CHECK_ASM("bswap32 %r2", insn(0xd7, 2, 0, 0, 32));
    CHECK_ASM("movsx864 %r0, %r1", insn(0xbf, 0, 1, 8, 0));
    CHECK_ASM("movsx1632 %r0, %r1", insn(0xbc, 0, 1, 16, 0));
    CHECK_ASM("mov %r10, 1", insn(0xb7, 10, 0, 0, 1)); /* encoded as written: the validator refuses it */
}

TEST(aliases)
{
    CHECK_ASM("add64 %r1, 2", insn(0x07, 1, 0, 0, 2));
    CHECK_ASM("mov64 %r1, %r2", insn(0xbf, 1, 2, 0, 0));
    CHECK_ASM("neg64 %r3", insn(0x87, 3, 0, 0, 0));
    CHECK_ASM("sdiv64 %r3, %r4", insn(0x3f, 3, 4, 1, 0));
    CHECK_ASM("swap16 %r0", insn(0xd7, 0, 0, 0, 16));
    CHECK_ASM("swap64 %r0", insn(0xd7, 0, 0, 0, 64));
    CHECK_ASM("call %r2", insn(0x8d, 2, 0, 0, 0));
    CHECK_ASM("callx %r2", insn(0x8d, 2, 0, 0, 0));
    /* Only 64-bit ALU forms take the suffix. */
    check_rejects("jeq64 %r1, 1, +1", "unknown mnemonic 'jeq64'");
    check_rejects("add3264 %r1, 1", "unknown mnemonic");
    check_rejects("lock add64 [%r1+0], %r2", "unknown mnemonic 'lock add64'");
}

TEST(memory_forms)
{
    CHECK_ASM("ldxh %r0, [%r1+2]", insn(0x69, 0, 1, 2, 0));
    CHECK_ASM("ldxdw %r0, [%r1]", insn(0x79, 0, 1, 0, 0));
    CHECK_ASM("ldxsb %r0, [%r10-1]", insn(0x91, 0, 10, -1, 0));
    CHECK_ASM("ldxb %r8, [%r0+0x1]", insn(0x71, 8, 0, 1, 0));
    CHECK_ASM("ldxw %r0, [ %r1 - 0x8000 ]", insn(0x61, 0, 1, INT16_MIN, 0));
    CHECK_ASM("ldxw %r0, [%r1+32767]", insn(0x61, 0, 1, INT16_MAX, 0));
    CHECK_ASM("stxdw [%r10-8], %r1", insn(0x7b, 10, 1, -8, 0));
    CHECK_ASM("stw [%r1+4], 5", insn(0x62, 1, 0, 4, 5));
    CHECK_ASM("stdw [%r1+4], 0xffffffff", insn(0x7a, 1, 0, 4, -1));
    CHECK_ASM("lock add [%r10-8], %r1", insn(0xdb, 10, 1, -8, 0x00));
    CHECK_ASM("lock fetch add [%r10-8], %r1", insn(0xdb, 10, 1, -8, 0x01));
    CHECK_ASM("lock  fetch\txor32 [%r10-4], %r3", insn(0xc3, 10, 3, -4, 0xa1));
    CHECK_ASM("lock cmpxchg32 [%r10-8], %r1", insn(0xc3, 10, 1, -8, 0xf1));
    CHECK_ASM("lock xchg [%r10-8], %r1", insn(0xdb, 10, 1, -8, 0xe1));
    CHECK_ASM("ldabsh 12", insn(0x28, 0, 0, 0, 12));
    CHECK_ASM("ldindw %r1, -4", insn(0x40, 0, 1, 0, -4));
}

TEST(jumps_and_calls)
{
    CHECK_ASM("ja +3", insn(0x05, 0, 0, 3, 0));
    CHECK_ASM("ja -32768", insn(0x05, 0, 0, INT16_MIN, 0));
    CHECK_ASM("ja 0", insn(0x05, 0, 0, 0, 0));
    CHECK_ASM("ja32 +70000", insn(0x06, 0, 0, 0, 70000));
    CHECK_ASM("jeq %r1, 5, +1", insn(0x15, 1, 0, 1, 5));
    CHECK_ASM("jeq %r1, 0x80000000, +1", insn(0x15, 1, 0, 1, INT32_MIN));
    CHECK_ASM("jne32 %r1, %r2, -1", insn(0x5e, 1, 2, -1, 0));
    CHECK_ASM("jsle %r1, -5, +0", insn(0xd5, 1, 0, 0, -5));
    CHECK_ASM("call 5", insn(0x85, 0, 0, 0, 5));
    CHECK_ASM("call local +2", insn(0x85, 0, 1, 0, 2));
    CHECK_ASM("call kfunc 77", insn(0x85, 0, 2, 0, 77));
    CHECK_ASM("exit", EXIT);
}

TEST(lddw_forms)
{
    CHECK_ASM("lddw %r0, 0x123456789abcdef0", insn(0x18, 0, 0, 0, (int32_t)0x9abcdef0),
              insn(0, 0, 0, 0, 0x12345678));
    CHECK_ASM("lddw %r0, 0xffffffffffffffff", insn(0x18, 0, 0, 0, -1), insn(0, 0, 0, 0, -1));
    CHECK_ASM("lddw %r0, 18446744073709551615", insn(0x18, 0, 0, 0, -1), insn(0, 0, 0, 0, -1));
    CHECK_ASM("lddw %r0, -1", insn(0x18, 0, 0, 0, -1), insn(0, 0, 0, 0, -1));
    CHECK_ASM("lddw %r0, -9223372036854775808", insn(0x18, 0, 0, 0, 0), insn(0, 0, 0, 0, INT32_MIN));
    CHECK_ASM("lddw %r0, 2147483648", insn(0x18, 0, 0, 0, INT32_MIN), insn(0, 0, 0, 0, 0));
    CHECK_ASM("lddw.map_fd %r1, 3", insn(0x18, 1, 1, 0, 3), insn(0, 0, 0, 0, 0));
    CHECK_ASM("lddw.map_value %r1, 0x800000003", insn(0x18, 1, 2, 0, 3), insn(0, 0, 0, 0, 8));
    CHECK_ASM("lddw.btf_id %r1, 7", insn(0x18, 1, 3, 0, 7), insn(0, 0, 0, 0, 0));
    CHECK_ASM("lddw.map_idx %r2, 1", insn(0x18, 2, 5, 0, 1), insn(0, 0, 0, 0, 0));
    CHECK_ASM("lddw.map_idx_value %r2, 0x1000000001", insn(0x18, 2, 6, 0, 1), insn(0, 0, 0, 0, 16));
    CHECK_ASM("lddw.func %r1, +2\nexit\nexit\nf: exit", insn(0x18, 1, 4, 0, 2), insn(0, 0, 0, 0, 0),
              EXIT, EXIT, EXIT);
    CHECK_ASM("lddw.func %r1, f\nexit\nf: exit", insn(0x18, 1, 4, 0, 2), insn(0, 0, 0, 0, 0), EXIT,
              EXIT);
}

TEST(labels_resolve_forward_and_backward)
{
    CHECK_ASM("top:\n"
              "  jeq %r1, 0, done # comment\n"
              "  lddw %r0, 1\n"
              "  ja top\n"
              "done: exit\n",
              insn(0x15, 1, 0, 3, 0), insn(0x18, 0, 0, 0, 1), insn(0, 0, 0, 0, 0),
              insn(0x05, 0, 0, -4, 0), EXIT);
    CHECK_ASM("call local f\nexit\nf:\nja32 f\n", insn(0x85, 0, 1, 0, 1), EXIT,
              insn(0x06, 0, 0, 0, -1));
    /* Labels may hold dots and underscores, and a label can be the last line. */
    CHECK_ASM("ja .L_end\nexit\n.L_end:\nexit", insn(0x05, 0, 0, 1, 0), EXIT, EXIT);
}

TEST(exit_is_a_label_for_the_first_exit)
{
    CHECK_ASM("jne %r0, 1, exit\nmov %r0, 2\nexit\nexit", insn(0x55, 0, 0, 1, 1),
              insn(0xb7, 0, 0, 0, 2), EXIT, EXIT);
    /* A label called exit wins over the implicit one. */
    CHECK_ASM("ja exit\nexit\nexit:\nexit", insn(0x05, 0, 0, 1, 0), EXIT, EXIT);
    check_rejects("ja exit\nmov %r0, 0", "line 1: unknown label exit");
}

TEST(comments_blank_lines_and_line_endings)
{
    CHECK_ASM("# only a comment\r\n\r\n   \t\nmov %r0, 1 # trailing\r\nexit\r\n",
              insn(0xb7, 0, 0, 0, 1), EXIT);
    CHECK_ASM("mov\t%r0 ,\t1\nexit", insn(0xb7, 0, 0, 0, 1), EXIT);
}

TEST(immediate_ranges)
{
    CHECK_ASM("mov32 %r0, 2147483647", insn(0xb4, 0, 0, 0, INT32_MAX));
    CHECK_ASM("mov32 %r0, -2147483648", insn(0xb4, 0, 0, 0, INT32_MIN));
    CHECK_ASM("mov32 %r0, 0xffffffff", insn(0xb4, 0, 0, 0, -1));
    CHECK_ASM("mov32 %r0, 0XFFFFFFFF", insn(0xb4, 0, 0, 0, -1));
    CHECK_ASM("mov32 %r0, -0x80000000", insn(0xb4, 0, 0, 0, INT32_MIN));
    check_rejects("mov32 %r0, 2147483648", "line 1: immediate 2147483648 out of 32-bit range");
    check_rejects("mov32 %r0, -2147483649", "immediate -2147483649 out of 32-bit range");
    check_rejects("mov32 %r0, 0x100000000", "immediate 0x100000000 out of 32-bit range");
    check_rejects("mov32 %r0, -0x80000001", "out of 32-bit range");
    check_rejects("mov32 %r0, 99999999999999999999999", "out of 32-bit range");
    check_rejects("lddw %r0, 0x10000000000000000", "immediate 0x10000000000000000 out of 64-bit range");
    check_rejects("lddw %r0, -9223372036854775809", "out of 64-bit range");
    check_rejects("mov %r0, 12abc", "invalid immediate '12abc'");
    check_rejects("mov %r0, 0x", "invalid immediate '0x'");
    check_rejects("mov %r0, -", "invalid immediate '-'");
    check_rejects("mov %r0, 0xg", "invalid immediate");
    check_rejects("call 0x1ffffffff", "out of 32-bit range");
}

TEST(offset_ranges)
{
    check_rejects("ldxb %r0, [%r1+0x10000]", "line 1: offset 0x10000 out of 16-bit range");
    check_rejects("ldxb %r0, [%r1+32768]", "offset 32768 out of 16-bit range");
    check_rejects("ldxb %r0, [%r1-32769]", "offset -32769 out of 16-bit range");
    check_rejects("ldxb %r0, [%r1+0xffff]", "offset 0xffff out of 16-bit range");
    check_rejects("ldxb %r0, [%r1+]", "invalid offset ''");
    check_rejects("ldxb %r0, [%r1+2+3]", "invalid offset '2+3'");
    check_rejects("ldxb %r0, [%r1*2]", "invalid register %r1*2");
    check_rejects("ja +32768", "jump offset +32768 out of 16-bit range");
    check_rejects("jeq %r1, 1, -32769", "jump offset -32769 out of 16-bit range");
    check_rejects("ja32 +2147483648", "target offset +2147483648 out of 32-bit range");
    check_rejects("ja $x", "invalid target '$x'");
}

TEST(label_errors)
{
    check_rejects("ja NOT_A_LABEL\nexit", "line 1: unknown label NOT_A_LABEL");
    check_rejects("exit\nl:\nexit\nl: exit", "line 4: duplicate label l (first defined on line 2)");
    check_rejects("1abc:\nexit", "line 1: invalid label name '1abc'");
    check_rejects("exit\ncall local nowhere", "line 2: unknown label nowhere");
}

/* "JUMP far", 40000 exits, "far: exit". */
static char *far_jump(const char *jump)
{
    size_t lines = 40000;
    char *text = malloc(lines * 5 + 64);
    int len = sprintf(text, "%s far\n", jump);
    for (size_t i = 0; i < lines; i++, len += 5)
        memcpy(text + len, "exit\n", 5);
    strcpy(text + len, "far: exit\n");
    return text;
}

TEST(far_label_is_out_of_range)
{
    char *text = far_jump("ja");
    check_rejects(text, "line 1: label far is too far: offset 40000 out of 16-bit range");
    free(text);
    text = far_jump("jeq %r1, 0,");
    check_rejects(text, "line 1: label far is too far");
    free(text);
    /* gotol reaches it. */
    text = far_jump("ja32");
    struct ebpf_insn *insns;
    size_t n;
    char msg[128];
    CHECK_EQ(asm_assemble(text, &insns, &n, msg, sizeof msg), 0);
    CHECK_EQ(n, 40002);
    if (n)
        CHECK_EQ(insns[0].imm, 40000);
    free(insns);
    free(text);
}

TEST(register_errors)
{
    check_rejects("mov %r0, 1\nmov %r0, 2\nor %r0, %r50", "line 3: invalid register %r50");
    check_rejects("mov %r11, 1", "invalid register %r11");
    check_rejects("mov %r1x, 1", "invalid register %r1x");
    check_rejects("mov %x1, 1", "invalid register %x1");
    check_rejects("mov %r99999999999999999999, 1", "invalid register");
    check_rejects("neg r1", "expected register %rN, got 'r1'");
    check_rejects("ldxb %r0, [r1+2]", "expected register %rN, got 'r1'");
}

TEST(mnemonic_and_operand_errors)
{
    check_rejects("ldxq %r0, %r1", "line 1: unknown mnemonic 'ldxq'");
    check_rejects("lock or [%r10-8]", "line 1: invalid number of operands for lock or");
    check_rejects("lock", "line 1: invalid number of operands for lock");
    check_rejects("lock fetch", "invalid number of operands for lock fetch");
    check_rejects("lock nand [%r10-8], %r1", "unknown mnemonic 'lock nand'");
    check_rejects("lddw %r0", "line 1: invalid number of operands for lddw: expected 2, got 1");
    check_rejects("exit %r0", "invalid number of operands for exit: expected 0, got 1");
    check_rejects("jeq %r1, 1, +1, +2", "expected 3, got 4");
    check_rejects("mov %r0,", "operand 2 of mov is empty");
    check_rejects("mov , 1", "operand 1 of mov is empty");
    check_rejects("ldxb %r0, %r1", "line 1: expected memory operand [%rN+off], got '%r1'");
    check_rejects("stw %r1, 1", "expected memory operand [%rN+off], got '%r1'");
    check_rejects("ldxb %r0, [%r1", "expected memory operand");
    check_rejects("call local", "invalid number of operands for call local");
    check_rejects("add %r1", "invalid number of operands for add");
    check_rejects("exit\nfoo: bar", "line 2: unknown mnemonic 'bar'");
}

TEST(empty_program_is_rejected)
{
    check_rejects("", "program has no instructions");
    check_rejects("# nothing\n\nlabel:\n", "program has no instructions");
    struct ebpf_insn *insns;
    size_t n;
    char msg[64];
    CHECK_EQ(asm_assemble(NULL, &insns, &n, msg, sizeof msg), -EINVAL);
    CHECK_STR(msg, "no program text");
}

TEST(message_buffer_may_be_small_or_absent)
{
    struct ebpf_insn *insns;
    size_t n;
    char tiny[8];
    CHECK_EQ(asm_assemble("bogus", &insns, &n, tiny, sizeof tiny), -EINVAL);
    CHECK_STR(tiny, "line 1:");
    CHECK_EQ(asm_assemble("bogus", &insns, &n, NULL, 0), -EINVAL);
    CHECK_EQ(asm_assemble("exit", &insns, &n, NULL, 0), 0);
    CHECK_EQ(n, 1);
    free(insns);
}

TEST_MAIN
