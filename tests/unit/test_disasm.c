/* The disassembler: exact Linux-syntax output, refusal of instructions no form describes,
 * and a round trip through the assembler for every form of the table. */
#include "isa/asm.h"
#include "isa/disasm.h"
#include "test.h"

#include <errno.h>

static struct ebpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct ebpf_insn){.code = code, .dst = dst, .src = src, .off = off, .imm = imm};
}

/* Disassembles one instruction (or an lddw with its second slot holding tail_imm). */
static void check_linux(struct ebpf_insn first, int32_t tail_imm, const char *expected)
{
    struct ebpf_insn insns[2] = {first, insn(0, 0, 0, 0, tail_imm)};
    char text[128];
    int slots = disasm_insn(insns, 2, 0, text, sizeof text);
    CHECK_EQ(slots, isa_is_lddw(&first) ? 2 : 1);
    CHECK_STR(text, expected);
}

static void check_asm_text(struct ebpf_insn first, int32_t tail_imm, const char *expected)
{
    struct ebpf_insn insns[2] = {first, insn(0, 0, 0, 0, tail_imm)};
    char text[128];
    int slots = disasm_insn_asm(insns, 2, 0, text, sizeof text);
    CHECK_EQ(slots, isa_is_lddw(&first) ? 2 : 1);
    CHECK_STR(text, expected);
}

TEST(linux_syntax_of_representative_forms)
{
    check_linux(insn(0x69, 0, 1, 2, 0), 0, "r0 = *(u16 *)(r1 + 2)");
    check_linux(insn(0x79, 3, 10, -8, 0), 0, "r3 = *(u64 *)(r10 - 8)");
    check_linux(insn(0x91, 0, 10, -1, 0), 0, "r0 = *(s8 *)(r10 - 1)");
    check_linux(insn(0x2d, 1, 2, 3, 0), 0, "if r1 > r2 goto +3");
    check_linux(insn(0x16, 1, 0, -2, 5), 0, "if w1 == 5 goto -2");
    check_linux(insn(0x45, 1, 0, 1, 4), 0, "if r1 & 4 goto +1");
    check_linux(insn(0x6d, 1, 2, 0, 0), 0, "if r1 s> r2 goto +0");
    check_linux(insn(0xde, 3, 4, 7, 0), 0, "if w3 s<= w4 goto +7");
    check_linux(insn(0x04, 0, 0, 0, 5), 0, "w0 += 5");
    check_linux(insn(0x07, 1, 0, 0, -1), 0, "r1 += -1");
    check_linux(insn(0x1c, 2, 3, 0, 0), 0, "w2 -= w3");
    check_linux(insn(0x9c, 1, 2, 0, 0), 0, "w1 %= w2");
    check_linux(insn(0x9f, 1, 2, 1, 0), 0, "r1 s%= r2");
    check_linux(insn(0x37, 1, 0, 1, 3), 0, "r1 s/= 3");
    check_linux(insn(0x3f, 1, 2, 0, 0), 0, "r1 /= r2");
    check_linux(insn(0xc7, 1, 0, 0, 3), 0, "r1 s>>= 3");
    check_linux(insn(0x6c, 1, 2, 0, 0), 0, "w1 <<= w2");
    check_linux(insn(0x87, 0, 0, 0, 0), 0, "r0 = -r0");
    check_linux(insn(0x84, 1, 0, 0, 0), 0, "w1 = -w1");
    check_linux(insn(0xb7, 0, 0, 0, -2147483647 - 1), 0, "r0 = -2147483648");
    check_linux(insn(0xbc, 1, 2, 0, 0), 0, "w1 = w2");
    check_linux(insn(0xbf, 0, 1, 8, 0), 0, "r0 = (s8)r1");
    check_linux(insn(0xbc, 0, 1, 16, 0), 0, "w0 = (s16)w1");
    check_linux(insn(0xdc, 0, 0, 0, 16), 0, "r0 = be16 r0");
    check_linux(insn(0xd4, 2, 0, 0, 64), 0, "r2 = le64 r2");
    check_linux(insn(0xd7, 2, 0, 0, 32), 0, "r2 = bswap32 r2");
    check_linux(insn(0x85, 0, 0, 0, 1), 0, "call bpf_map_lookup_elem#1");
    check_linux(insn(0x85, 0, 0, 0, 1234), 0, "call #1234");
    check_linux(insn(0x85, 0, 0, 0, -1), 0, "call #-1");
    check_linux(insn(0x85, 0, 1, 0, 5), 0, "call pc+5");
    check_linux(insn(0x85, 0, 1, 0, -3), 0, "call pc-3");
    check_linux(insn(0x85, 0, 2, 0, 7), 0, "call kfunc#7");
    check_linux(insn(0x8d, 2, 0, 0, 0), 0, "callx r2");
    check_linux(insn(0x95, 0, 0, 0, 0), 0, "exit");
    check_linux(insn(0x05, 0, 0, 3, 0), 0, "goto +3");
    check_linux(insn(0x05, 0, 0, -1, 0), 0, "goto -1");
    check_linux(insn(0x06, 0, 0, 0, 70000), 0, "gotol +70000");
    check_linux(insn(0x18, 1, 0, 0, (int32_t)0x9abcdef0), 0x12345678, "r1 = 0x123456789abcdef0 ll");
    check_linux(insn(0x18, 0, 0, 0, 0), 0, "r0 = 0x0 ll");
    check_linux(insn(0x18, 1, 1, 0, 3), 0, "r1 = map[fd:3]");
    check_linux(insn(0x18, 1, 2, 0, 3), 8, "r1 = map[fd:3][0]+8");
    check_linux(insn(0x18, 1, 3, 0, 9), 0, "r1 = btf_var[9]");
    check_linux(insn(0x18, 1, 4, 0, 5), 0, "r1 = func[pc+5]");
    check_linux(insn(0x18, 2, 5, 0, 1), 0, "r2 = map[idx:1]");
    check_linux(insn(0x18, 2, 6, 0, 1), 16, "r2 = map[idx:1][0]+16");
    check_linux(insn(0x28, 0, 0, 0, 12), 0, "r0 = *(u16 *)skb[12]");
    check_linux(insn(0x50, 0, 3, 0, 4), 0, "r0 = *(u8 *)skb[r3 + 4]");
    check_linux(insn(0x62, 1, 0, 4, 5), 0, "*(u32 *)(r1 + 4) = 5");
    check_linux(insn(0x7a, 10, 0, -16, -1), 0, "*(u64 *)(r10 - 16) = -1");
    check_linux(insn(0x7b, 10, 1, -8, 0), 0, "*(u64 *)(r10 - 8) = r1");
    check_linux(insn(0x63, 1, 2, 0, 0), 0, "*(u32 *)(r1 + 0) = w2");
    check_linux(insn(0x73, 1, 2, -32768, 0), 0, "*(u8 *)(r1 - 32768) = w2");
    check_linux(insn(0xdb, 10, 1, -8, 0x00), 0, "lock *(u64 *)(r10 - 8) += r1");
    check_linux(insn(0xc3, 10, 1, -4, 0x50), 0, "lock *(u32 *)(r10 - 4) &= w1");
    check_linux(insn(0xdb, 10, 1, -8, 0x01), 0, "r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)");
    check_linux(insn(0xc3, 10, 3, -4, 0xa1), 0, "w3 = atomic_fetch_xor((u32 *)(r10 - 4), w3)");
    check_linux(insn(0xdb, 10, 1, -8, 0xe1), 0, "r1 = xchg_64(r10 - 8, r1)");
    check_linux(insn(0xc3, 10, 1, -8, 0xf1), 0, "w0 = cmpxchg32_32(r10 - 8, w0, w1)");
    check_linux(insn(0xdb, 10, 1, -8, 0xf1), 0, "r0 = cmpxchg_64(r10 - 8, r0, r1)");
}

TEST(asm_syntax_of_representative_forms)
{
    check_asm_text(insn(0x69, 0, 1, 2, 0), 0, "ldxh %r0, [%r1+2]");
    check_asm_text(insn(0x79, 0, 10, -8, 0), 0, "ldxdw %r0, [%r10-8]");
    check_asm_text(insn(0x7b, 10, 1, -8, 0), 0, "stxdw [%r10-8], %r1");
    check_asm_text(insn(0x62, 1, 0, 0, 5), 0, "stw [%r1+0], 5");
    check_asm_text(insn(0xdb, 10, 1, -8, 0x01), 0, "lock fetch add [%r10-8], %r1");
    check_asm_text(insn(0xc3, 10, 1, -8, 0xf1), 0, "lock cmpxchg32 [%r10-8], %r1");
    check_asm_text(insn(0x04, 0, 0, 0, 5), 0, "add32 %r0, 5");
    check_asm_text(insn(0xbf, 0, 1, 0, 0), 0, "mov %r0, %r1");
    check_asm_text(insn(0x3f, 1, 2, 1, 0), 0, "sdiv %r1, %r2");
    check_asm_text(insn(0x5e, 1, 2, 1, 0), 0, "jne32 %r1, %r2, +1");
    check_asm_text(insn(0x15, 1, 0, -3, 5), 0, "jeq %r1, 5, -3");
    check_asm_text(insn(0x05, 0, 0, 3, 0), 0, "ja +3");
    check_asm_text(insn(0x06, 0, 0, 0, -70000), 0, "ja32 -70000");
    check_asm_text(insn(0x85, 0, 0, 0, 5), 0, "call 5");
    check_asm_text(insn(0x85, 0, 1, 0, 2), 0, "call local +2");
    check_asm_text(insn(0x85, 0, 2, 0, 7), 0, "call kfunc 7");
    check_asm_text(insn(0x8d, 2, 0, 0, 0), 0, "callx %r2");
    check_asm_text(insn(0xd7, 0, 0, 0, 16), 0, "bswap16 %r0");
    check_asm_text(insn(0x18, 0, 0, 0, (int32_t)0x9abcdef0), 0x12345678,
                   "lddw %r0, 0x123456789abcdef0");
    check_asm_text(insn(0x18, 1, 2, 0, 3), 8, "lddw.map_value %r1, 0x800000003");
    check_asm_text(insn(0x40, 0, 1, 0, -4), 0, "ldindw %r1, -4");
    check_asm_text(insn(0x95, 0, 0, 0, 0), 0, "exit");
}

static void check_invalid(const struct ebpf_insn *insns, size_t count, size_t pc, const char *why)
{
    char text[160];
    CHECK_EQ(disasm_insn(insns, count, pc, text, sizeof text), -EINVAL);
    CHECK_CONTAINS(text, "invalid: ");
    CHECK_CONTAINS(text, why);
    CHECK_EQ(disasm_insn_asm(insns, count, pc, text, sizeof text), -EINVAL);
    CHECK_CONTAINS(text, why);
}

TEST(instructions_no_form_describes_are_invalid)
{
    struct ebpf_insn bad = insn(0xff, 0, 0, 0, 0);
    check_invalid(&bad, 1, 0, "unknown opcode 0xff");
    bad = insn(0x3f, 1, 2, 2, 0); /* div with offset 2 */
    check_invalid(&bad, 1, 0, "offset 2");
    bad = insn(0x95, 1, 0, 0, 0);
    check_invalid(&bad, 1, 0, "exit: unused dst register field is 1, must be 0");
    bad = insn(0x07, 0, 0, 0, 1);
    bad.src = 1;
    check_invalid(&bad, 1, 0, "unused src register");
    bad = insn(0xbf, 11, 1, 0, 0);
    check_invalid(&bad, 1, 0, "invalid dst register r11");
    bad = insn(0xbf, 1, 15, 0, 0);
    check_invalid(&bad, 1, 0, "invalid src register r15");
    bad = insn(0x95, 10, 0, 0, 0); /* r10 in a field that must be zero is still wrong */
    check_invalid(&bad, 1, 0, "unused dst register field is 10");
    bad = insn(0x18, 1, 0, 0, 1);
    check_invalid(&bad, 1, 0, "lddw is truncated");
    struct ebpf_insn lddw[2] = {insn(0x18, 1, 0, 0, 1), insn(0, 1, 0, 0, 0)};
    check_invalid(lddw, 2, 0, "second half of lddw");
    lddw[1] = insn(0x95, 0, 0, 0, 0);
    check_invalid(lddw, 2, 0, "second half of lddw");
    /* The second slot on its own is no instruction. */
    lddw[1] = insn(0, 0, 0, 0, 0);
    check_invalid(lddw, 2, 1, "unknown opcode 0x00");
    check_invalid(lddw, 2, 2, "pc 2 is outside the program");
    check_invalid(NULL, 0, 0, "outside the program");
}

TEST(kfunc_call_with_module_offset_has_no_asm_syntax)
{
    struct ebpf_insn call = insn(0x85, 0, 2, 3, 7);
    char text[128];
    CHECK_EQ(disasm_insn(&call, 1, 0, text, sizeof text), 1);
    CHECK_STR(text, "call kfunc#7");
    CHECK_EQ(disasm_insn_asm(&call, 1, 0, text, sizeof text), -EINVAL);
    CHECK_CONTAINS(text, "call kfunc with offset 3 has no assembler syntax");
}

TEST(writes_to_r10_print_normally)
{
    /* Refusing them is the validator's job; the disassembler shows what is there. */
    struct ebpf_insn mov = insn(0xb7, 10, 0, 0, 1);
    char text[64];
    CHECK_EQ(disasm_insn(&mov, 1, 0, text, sizeof text), 1);
    CHECK_STR(text, "r10 = 1");
    struct ebpf_insn lddw[2] = {insn(0x18, 10, 0, 0, 1), insn(0, 0, 0, 0, 0)};
    CHECK_EQ(disasm_insn_asm(lddw, 2, 0, text, sizeof text), 2);
    CHECK_STR(text, "lddw %r10, 0x1");
    /* ...but not when another field is wrong too. */
    struct ebpf_insn bad = insn(0x07, 10, 0, 1, 1);
    CHECK_EQ(disasm_insn(&bad, 1, 0, text, sizeof text), -EINVAL);
    CHECK_CONTAINS(text, "unused offset");
}

TEST(output_is_truncated_and_terminated)
{
    struct ebpf_insn ld = insn(0x69, 0, 1, 2, 0);
    char text[8];
    memset(text, 'x', sizeof text);
    CHECK_EQ(disasm_insn(&ld, 1, 0, text, 6), 1);
    CHECK_STR(text, "r0 = ");
    CHECK_EQ(text[6], 'x');
    CHECK_EQ(disasm_insn_asm(&ld, 1, 0, text, 1), 1);
    CHECK_STR(text, "");
    CHECK_EQ(disasm_insn(&ld, 1, 0, NULL, 0), 1);
    struct ebpf_insn bad = insn(0xff, 0, 0, 0, 0);
    CHECK_EQ(disasm_insn(&bad, 1, 0, text, sizeof text), -EINVAL);
    CHECK_STR(text, "invalid");
}

/* ---- round trip over the whole table ------------------------------------------------------ */

static const int16_t offsets[] = {0, 1, -1, -8, INT16_MAX, INT16_MIN, 0x1234};
static const int32_t immediates[] = {0, 1, -1, 0x12345678, INT32_MAX, INT32_MIN, -70000};
enum { VARIANTS = 22 };

/* Variant v of form id: registers, offset and immediate vary wherever the form has them. */
static size_t build_variant(enum isa_form_id id, int v, struct ebpf_insn out[2])
{
    const struct isa_form *form = &isa_forms[id];
    uint8_t zero = form->must_be_zero;
    struct ebpf_insn i = insn(form->code, 0, 0, 0, 0);
    if (!(zero & ISA_Z_DST))
        i.dst = (uint8_t)(v % EBPF_REG_COUNT);
    if (!(zero & ISA_Z_SRC) && form->match != ISA_MATCH_SRC)
        i.src = (uint8_t)((v * 7 + 3) % EBPF_REG_COUNT);
    /* A kfunc's offset names a module, which the assembler syntax cannot write. */
    if (!(zero & ISA_Z_OFF) && form->match != ISA_MATCH_OFF && id != ISA_CALL_KFUNC)
        i.off = offsets[v % 7];
    if (!(zero & ISA_Z_IMM) && form->match != ISA_MATCH_IMM)
        i.imm = immediates[(v + 3) % 7];
    if (form->match == ISA_MATCH_OFF)
        i.off = (int16_t)form->match_value;
    else if (form->match == ISA_MATCH_IMM)
        i.imm = form->match_value;
    else if (form->match == ISA_MATCH_SRC)
        i.src = (uint8_t)form->match_value;
    out[0] = i;
    out[1] = insn(0, 0, 0, 0, immediates[(v + 5) % 7]);
    return form->operands == ISA_OPS_LDDW ? 2 : 1;
}

TEST(every_form_round_trips_through_asm_syntax)
{
    int checked = 0;
    for (int id = ISA_FORM_INVALID + 1; id < ISA_FORM_COUNT; id++)
        for (int v = 0; v < VARIANTS; v++) {
            struct ebpf_insn original[2];
            size_t slots = build_variant((enum isa_form_id)id, v, original);
            char text[160];
            int printed = disasm_insn_asm(original, 2, 0, text, sizeof text);
            if (printed != (int)slots) {
                fprintf(stderr, "  %s variant %d: %s\n", isa_forms[id].name, v, text);
                CHECK_EQ(printed, slots);
                continue;
            }
            struct ebpf_insn *insns;
            size_t count;
            char msg[256];
            int err = asm_assemble(text, &insns, &count, msg, sizeof msg);
            if (err) {
                fprintf(stderr, "  %s variant %d: '%s': %s\n", isa_forms[id].name, v, text, msg);
                CHECK_EQ(err, 0);
                continue;
            }
            bool same = count == slots && !memcmp(insns, original, slots * sizeof *insns);
            if (!same)
                fprintf(stderr, "  %s variant %d: '%s' assembles differently\n",
                        isa_forms[id].name, v, text);
            CHECK(same);
            CHECK_EQ(isa_decode(&insns[0]), id);
            free(insns);
            checked++;
        }
    CHECK_EQ(checked, (ISA_FORM_COUNT - 1) * VARIANTS);
}

TEST(every_form_has_linux_syntax)
{
    for (int id = ISA_FORM_INVALID + 1; id < ISA_FORM_COUNT; id++)
        for (int v = 0; v < VARIANTS; v++) {
            struct ebpf_insn original[2];
            size_t slots = build_variant((enum isa_form_id)id, v, original);
            char text[160];
            CHECK_EQ(disasm_insn(original, 2, 0, text, sizeof text), slots);
            /* Every placeholder was expanded: no '%' is left but the one of "%=". */
            for (const char *p = strchr(text, '%'); p; p = strchr(p + 1, '%'))
                if (p[1] != '=') {
                    fprintf(stderr, "  %s: '%s'\n", isa_forms[id].name, text);
                    CHECK(0);
                }
            CHECK(!strstr(text, "invalid"));
        }
}

TEST_MAIN
