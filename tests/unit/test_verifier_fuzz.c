/* Random programs: whatever the verifier answers, it must answer (no crash, no hang, no
 * leak under ASan) with one of its documented errors and a message. */
#include <errno.h>

#include "test.h"
#include "verifier/verifier.h"

static uint64_t rng_state = 0x853c49e6748fea9bull;
static uint32_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static const int32_t interesting_imm[] = {0, 1, -1, 4, 8, 14, 16, 64, 255, -8, -16, -512, 0x7fffffff,
                                          (int32_t)0x80000000, 1, 2, 5, 7, 12, 130, 131, 132, 181};

/* One instruction of a random valid form (fields the form ignores left zero). */
static size_t random_insn(struct ebpf_insn *out, size_t pc, size_t count)
{
    for (;;) {
        enum isa_form_id id = (enum isa_form_id)(1 + next_random() % (ISA_FORM_COUNT - 1));
        const struct isa_form *f = &isa_forms[id];
        struct ebpf_insn insn = {.code = f->code};
        uint8_t zero = f->must_be_zero;
        if (!(zero & ISA_Z_DST))
            insn.dst = next_random() % 4 == 0 ? 10 : next_random() % 10;
        if (!(zero & ISA_Z_SRC))
            insn.src = next_random() % 3 == 0 ? 10 : next_random() % 10;
        if (!(zero & ISA_Z_OFF))
            insn.off = (int16_t)((int)(next_random() % 32) - 24);
        if (!(zero & ISA_Z_IMM))
            insn.imm = interesting_imm[next_random() % (sizeof interesting_imm / sizeof interesting_imm[0])];
        switch (f->match) {
        case ISA_MATCH_OFF: insn.off = (int16_t)f->match_value; break;
        case ISA_MATCH_IMM: insn.imm = f->match_value; break;
        case ISA_MATCH_SRC: insn.src = (uint8_t)f->match_value; break;
        default: break;
        }
        enum isa_operands ops = (enum isa_operands)f->operands;
        if (ops == ISA_OPS_JUMP || ops == ISA_OPS_COND_IMM || ops == ISA_OPS_COND_REG)
            insn.off = (int16_t)((int)(next_random() % 9) - 4);
        if (ops == ISA_OPS_JUMP32 || ops == ISA_OPS_CALL_LOCAL)
            insn.imm = (int32_t)(next_random() % 9) - 4;
        if (ops == ISA_OPS_CALL_HELPER)
            insn.imm = interesting_imm[next_random() % (sizeof interesting_imm / sizeof interesting_imm[0])];
        if (ops == ISA_OPS_LDDW) {
            if (pc + 2 > count)
                continue;
            if (id != ISA_LDDW)
                insn.imm = (int32_t)(next_random() % 3);
            out[0] = insn;
            out[1] = (struct ebpf_insn){0};
            out[1].imm = (int32_t)(next_random() % 16);
            return 2;
        }
        *out = insn;
        return 1;
    }
}

TEST(random_programs_get_an_answer)
{
    static const struct verifier_map maps[] = {
        {1, 4, 8, 16, false, 0, false, 0}, {2, 4, 64, 4, false, 0, false, 0}, {27, 0, 0, 4096, false, 0, false, 0},
    };
    const char *types[] = {"xdp", "socket", "kprobe", "cgroup/sock_addr", "tc"};
    int valid = 0, accepted = 0;
    for (int round = 0; round < 40000; round++) {
        struct ebpf_insn prog[40];
        size_t count = 4 + next_random() % 30;
        prog[0] = (struct ebpf_insn){.code = 0xb7, .dst = 0}; /* r0 = 0 */
        for (size_t pc = 1; pc + 1 < count;)
            pc += random_insn(&prog[pc], pc, count - 1);
        prog[count - 1] = (struct ebpf_insn){.code = 0x95};
        size_t bad_pc;
        char msg[256];
        if (isa_validate_program(prog, count, &bad_pc, msg, sizeof msg))
            continue;
        valid++;
        struct verifier_options opts = {
            .prog_type = prog_type_by_name(types[next_random() % 5]),
            .maps = maps,
            .map_count = 3,
            .max_steps = 20000,
        };
        struct verifier_result result;
        int err = verifier_verify(prog, count, &opts, &result);
        CHECK(err == 0 || err == -EACCES || err == -EINVAL || err == -E2BIG);
        CHECK(err == 0 || result.message[0]);
        CHECK(err == 0 || result.error_pc >= 0);
        CHECK(result.accepted == (err == 0));
        accepted += err == 0;
    }
    CHECK(valid > 3000);
    CHECK(accepted > 50);
    printf("  %d valid random programs, %d accepted\n", valid, accepted);
}

TEST_MAIN
