/* The form table and program validation. */
#include "isa/isa.h"
#include "test.h"

#include <errno.h>

static struct ebpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct ebpf_insn){.code = code, .dst = dst, .src = src, .off = off, .imm = imm};
}

TEST(every_form_decodes_to_itself)
{
    for (int id = 1; id < ISA_FORM_COUNT; id++) {
        const struct isa_form *f = &isa_forms[id];
        struct ebpf_insn i = insn(f->code, 0, 0, 0, 0);
        if (f->match == ISA_MATCH_OFF)
            i.off = (int16_t)f->match_value;
        else if (f->match == ISA_MATCH_IMM)
            i.imm = f->match_value;
        else if (f->match == ISA_MATCH_SRC)
            i.src = (uint8_t)f->match_value;
        if ((int)isa_decode(&i) != id)
            fprintf(stderr, "  form %s decodes as %s\n", f->name, isa_forms[isa_decode(&i)].name);
        CHECK_EQ(isa_decode(&i), id);
    }
}

TEST(no_two_forms_share_an_encoding)
{
    for (int a = 1; a < ISA_FORM_COUNT; a++)
        for (int b = a + 1; b < ISA_FORM_COUNT; b++) {
            const struct isa_form *fa = &isa_forms[a], *fb = &isa_forms[b];
            if (fa->code != fb->code)
                continue;
            CHECK(fa->match != ISA_MATCH_NONE && fa->match == fb->match);
            CHECK(fa->match_value != fb->match_value);
        }
}

TEST(unknown_opcodes_are_rejected_with_a_message)
{
    char msg[128];
    struct ebpf_insn i = insn(0xff, 0, 0, 0, 0);
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_FORM_INVALID);
    CHECK_CONTAINS(msg, "unknown opcode 0xff");
    i = insn(0x3f, 1, 2, 2, 0); /* div64 reg with off 2: reserved */
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_FORM_INVALID);
    CHECK_CONTAINS(msg, "offset 2");
    i = insn(0x3f, 1, 2, 0, 7); /* div64 reg with imm set */
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_FORM_INVALID);
    CHECK_CONTAINS(msg, "unused immediate");
}

TEST(registers_are_checked)
{
    char msg[128];
    struct ebpf_insn i = insn(0xbf, 11, 1, 0, 0);
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_FORM_INVALID);
    CHECK_CONTAINS(msg, "invalid dst register r11");
    i = insn(0xbf, 1, 12, 0, 0);
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_FORM_INVALID);
    CHECK_CONTAINS(msg, "invalid src register r12");
    i = insn(0xb7, 10, 0, 0, 1);
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_FORM_INVALID);
    CHECK_CONTAINS(msg, "read-only frame pointer");
    i = insn(0x7b, 10, 1, -8, 0); /* storing through r10 is fine */
    CHECK_EQ(isa_check_insn(&i, msg, sizeof msg), ISA_STXDW);
}

TEST(validation_finds_structural_errors)
{
    char msg[128];
    size_t pc;
    struct ebpf_insn exit_insn = insn(0x95, 0, 0, 0, 0);
    CHECK_EQ(isa_validate_program(NULL, 0, &pc, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "empty");

    struct ebpf_insn jump_out[] = {insn(0x05, 0, 0, 5, 0), exit_insn};
    CHECK_EQ(isa_validate_program(jump_out, 2, &pc, msg, sizeof msg), -EINVAL);
    CHECK_EQ(pc, 0);
    CHECK_CONTAINS(msg, "outside the program");

    struct ebpf_insn truncated[] = {exit_insn, insn(0x18, 0, 0, 0, 1)};
    CHECK_EQ(isa_validate_program(truncated, 2, &pc, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "truncated");

    struct ebpf_insn into_lddw[] = {insn(0x05, 0, 0, 1, 0), insn(0x18, 0, 0, 0, 1),
                                    insn(0, 0, 0, 0, 2), exit_insn};
    CHECK_EQ(isa_validate_program(into_lddw, 4, &pc, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "second half of an lddw");

    struct ebpf_insn falls_off[] = {insn(0xb7, 0, 0, 0, 1)};
    CHECK_EQ(isa_validate_program(falls_off, 1, &pc, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "fall off the end");

    struct ebpf_insn call_out[] = {insn(0x85, 0, 1, 0, -5), exit_insn};
    CHECK_EQ(isa_validate_program(call_out, 2, &pc, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "call target");

    struct ebpf_insn good[] = {insn(0x18, 0, 0, 0, 1), insn(0, 0, 0, 0, 2), exit_insn};
    CHECK_EQ(isa_validate_program(good, 3, &pc, msg, sizeof msg), 0);
}

TEST(programs_longer_than_the_limit_are_refused)
{
    size_t count = (size_t)EBPF_MAX_INSNS + 1;
    struct ebpf_insn *big = calloc(count, sizeof *big);
    CHECK(big != NULL);
    if (!big)
        return;
    for (size_t i = 0; i < count; i++)
        big[i] = insn(0xb7, 0, 0, 0, 0);
    big[count - 1] = insn(0x95, 0, 0, 0, 0);
    char msg[128];
    size_t pc;
    CHECK_EQ(isa_validate_program(big, count, &pc, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "more than the limit of 1000000");
    CHECK_EQ(isa_validate_program(big + 1, count - 1, &pc, msg, sizeof msg), 0);
    free(big);
}

TEST(helper_names_follow_linux_ids)
{
    CHECK_STR(isa_helper_name(1), "map_lookup_elem");
    CHECK_STR(isa_helper_name(12), "tail_call");
    CHECK_STR(isa_helper_name(130), "ringbuf_output");
    CHECK(isa_helper_name(0) == NULL);
    CHECK(isa_helper_name(100000) == NULL);
}

TEST_MAIN
