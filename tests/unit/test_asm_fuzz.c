/* Bad input never crashes the assembler or disassembler (run under ASan+UBSan by
 * `make asan`): random bytes, random token soup, random instructions and buffer sizes.
 * Whatever they accept must round-trip: a program that assembles prints in asm syntax and
 * assembles back to the same words. Deterministic seed, so a failure reproduces. */
#include "isa/asm.h"
#include "isa/disasm.h"
#include "test.h"

#include <errno.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned below(unsigned n) { return (unsigned)(next_random() % n); }

/* Disassembles a program in asm syntax and checks that the listing assembles back to it. */
static void check_round_trip(const struct ebpf_insn *insns, size_t count)
{
    size_t cap = count * 161 + 1, len = 0;
    char *listing = malloc(cap);
    listing[0] = '\0';
    for (size_t pc = 0; pc < count;) {
        char line[160];
        int slots = disasm_insn_asm(insns, count, pc, line, sizeof line);
        if (slots <= 0) {
            fprintf(stderr, "  assembled instruction %zu does not disassemble: %s\n", pc, line);
            CHECK(0);
            free(listing);
            return;
        }
        len += (size_t)snprintf(listing + len, cap - len, "%s\n", line);
        pc += (size_t)slots;
    }
    struct ebpf_insn *again;
    size_t again_count;
    char msg[256];
    int err = asm_assemble(listing, &again, &again_count, msg, sizeof msg);
    CHECK_EQ(err, 0);
    if (!err) {
        bool same = again_count == count && !memcmp(again, insns, count * sizeof *insns);
        if (!same)
            fprintf(stderr, "  listing assembles differently:\n%s", listing);
        CHECK(same);
        free(again);
    }
    free(listing);
}

static void assemble_and_check(const char *text)
{
    struct ebpf_insn *insns = (struct ebpf_insn *)&insns;
    size_t count = 1234;
    char msg[128] = "";
    int err = asm_assemble(text, &insns, &count, msg, sizeof msg);
    if (err) {
        CHECK(err == -EINVAL || err == -E2BIG);
        CHECK(insns == NULL);
        CHECK_EQ(count, 0);
        CHECK(msg[0] != '\0');
        return;
    }
    CHECK(insns != NULL && count > 0);
    check_round_trip(insns, count);
    free(insns);
}

TEST(random_bytes_do_not_crash_the_assembler)
{
    char text[256];
    for (int round = 0; round < 3000; round++) {
        size_t len = below(sizeof text);
        for (size_t i = 0; i < len; i++)
            text[i] = (char)(1 + below(255));
        text[len] = '\0';
        assemble_and_check(text);
    }
}

static const char *const tokens[] = {
    "mov", "mov32", "add", "add64", "neg", "neg64", "lddw", "lddw.func", "lddw.map_value",
    "ldxb", "ldxdw", "stw", "stxh", "lock", "fetch", "add32", "cmpxchg", "xchg32", "call",
    "local", "kfunc", "callx", "ja", "ja32", "jeq", "jne32", "jsle", "exit", "be16", "swap32",
    "movsx864", "sdiv", "smod32", "ldabsw", "ldindh", "%r0", "%r1", "%r9", "%r10", "%r11",
    "%r", "%", "[%r1+8]", "[%r10-8]", "[%r2]", "[", "]", "+", "-", ",", ", ", ":", "#", " ",
    " ", " ", "\t", "L1", "L1:", "exit:", "f:", "f", "0", "1", "-1", "+1", "+3", "-2",
    "2147483647", "2147483648", "-2147483648", "0xffffffff", "0x100000000", "0x7fff", "0x8000",
    "32767", "-32768", "18446744073709551615", "0xffffffffffffffff", "99999999999999999999",
    "0x", "-0x1", "\n", "\n", "\r\n",
};

static const char *random_token(void) { return tokens[below(sizeof tokens / sizeof tokens[0])]; }

static const char *random_number(void)
{
    static const char *const numbers[] = {"0", "1", "-1", "+3", "-2", "0x10", "2147483647",
                                          "-2147483648", "0xffffffff", "0x7fff", "-32768",
                                          "0x123456789abcdef0"};
    return below(8) ? numbers[below(sizeof numbers / sizeof numbers[0])] : random_token();
}

/* Appends one line: mostly a form's mnemonic with operands of the right kinds, sometimes a
 * label, sometimes a token replaced by a random one. */
static size_t append_line(char *text, size_t len, size_t size)
{
    char line[256], reg[2][8], mem[32];
    const struct isa_form *form = &isa_forms[1 + below(ISA_FORM_COUNT - 1)];
    for (int i = 0; i < 2; i++)
        snprintf(reg[i], sizeof reg[i], "%%r%u", below(12));
    snprintf(mem, sizeof mem, "[%s%s%s]", reg[1], below(2) ? "-" : "+", random_number());
    static const char *const targets[] = {"L1", "f", "exit", "+1", "-1", "0", "+0"};
    const char *target = below(8) ? targets[below(7)] : random_token();
    const char *ops[3] = {"", "", ""};
    switch ((enum isa_operands)form->operands) {
    case ISA_OPS_NONE: break;
    case ISA_OPS_DST:
    case ISA_OPS_CALLX: ops[0] = reg[0]; break;
    case ISA_OPS_DST_IMM:
    case ISA_OPS_LD_IND:
    case ISA_OPS_LDDW: ops[0] = reg[0], ops[1] = random_number(); break;
    case ISA_OPS_DST_SRC: ops[0] = reg[0], ops[1] = reg[1]; break;
    case ISA_OPS_LOAD: ops[0] = reg[0], ops[1] = mem; break;
    case ISA_OPS_STORE_IMM: ops[0] = mem, ops[1] = random_number(); break;
    case ISA_OPS_STORE_REG: ops[0] = mem, ops[1] = reg[0]; break;
    case ISA_OPS_JUMP:
    case ISA_OPS_JUMP32:
    case ISA_OPS_CALL_LOCAL: ops[0] = target; break;
    case ISA_OPS_COND_IMM: ops[0] = reg[0], ops[1] = random_number(), ops[2] = target; break;
    case ISA_OPS_COND_REG: ops[0] = reg[0], ops[1] = reg[1], ops[2] = target; break;
    case ISA_OPS_CALL_HELPER:
    case ISA_OPS_CALL_KFUNC:
    case ISA_OPS_LD_ABS: ops[0] = random_number(); break;
    }
    if (!below(5))
        ops[below(3)] = random_token();
    static const char *const labels[] = {"", "", "", "", "L1: ", "f:\n", "exit: ", "L1:\n"};
    snprintf(line, sizeof line, "%s%s %s%s%s%s%s\n", labels[below(8)],
             below(10) ? form->name : random_token(), ops[0], *ops[1] ? ", " : "", ops[1],
             *ops[2] ? ", " : "", ops[2]);
    size_t n = strlen(line);
    if (len + n < size) {
        memcpy(text + len, line, n + 1);
        len += n;
    }
    return len;
}

TEST(random_programs_do_not_crash_the_assembler)
{
    char text[2048];
    int assembled = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        text[0] = '\0';
        for (unsigned lines = 1 + below(6); lines; lines--) {
            if (below(4)) {
                len = append_line(text, len, sizeof text);
                continue;
            }
            for (unsigned words = below(6); words && len + 32 < sizeof text; words--) {
                len += (size_t)sprintf(text + len, "%s", random_token());
                if (below(2))
                    text[len++] = ' ';
            }
            text[len++] = '\n';
            text[len] = '\0';
        }
        struct ebpf_insn *insns;
        size_t count;
        if (!asm_assemble(text, &insns, &count, NULL, 0)) {
            assembled++;
            free(insns);
        }
        assemble_and_check(text);
    }
    /* Not everything is refused: accepted programs were round-tripped as well. */
    CHECK(assembled > 1000);
}

static const uint8_t table_codes[] = {0x07, 0x0f, 0x04, 0x0c, 0x37, 0x3f, 0x87, 0xb7, 0xbf, 0xbc,
                                      0xd4, 0xdc, 0xd7, 0x05, 0x06, 0x15, 0x1d, 0x5e, 0x85, 0x8d,
                                      0x95, 0x18, 0x20, 0x40, 0x61, 0x79, 0x91, 0x62, 0x7a, 0x63,
                                      0x7b, 0xc3, 0xdb, 0x00};

static int32_t random_field(void)
{
    static const int32_t special[] = {0, 1, -1, 8, 16, 32, 64, 0x01, 0x40, 0x50, 0xa0, 0xe1, 0xf1,
                                      0xa1, INT32_MIN, INT32_MAX};
    return below(2) ? special[below(sizeof special / sizeof special[0])] : (int32_t)next_random();
}

TEST(random_instructions_do_not_crash_the_disassembler)
{
    int printed = 0;
    for (int round = 0; round < 50000; round++) {
        struct ebpf_insn insns[4];
        size_t count = 1 + below(4);
        for (size_t i = 0; i < count; i++) {
            insns[i].code = below(2) ? table_codes[below(sizeof table_codes)] : (uint8_t)below(256);
            insns[i].dst = below(3) ? below(11) & 0xf : below(16) & 0xf;
            insns[i].src = below(3) ? below(7) & 0xf : below(16) & 0xf;
            insns[i].off = below(2) ? 0 : (int16_t)random_field();
            insns[i].imm = below(4) ? random_field() : 0;
        }
        size_t pc = below((unsigned)count + 1);
        size_t size = below(3) ? 160 : below(40);
        char *buf = size ? malloc(size) : NULL;
        int slots = below(2) ? disasm_insn(insns, count, pc, buf, size)
                             : disasm_insn_asm(insns, count, pc, buf, size);
        CHECK(slots == -EINVAL || slots == 1 || slots == 2);
        if (buf)
            CHECK(strlen(buf) < size);
        if (slots > 0 && size == 160) {
            /* What prints in asm syntax assembles back to the same words. */
            int asm_slots = disasm_insn_asm(insns, count, pc, buf, size);
            bool kfunc_with_offset = insns[pc].code == 0x85 && insns[pc].src == EBPF_CALL_KFUNC &&
                                     insns[pc].off;
            CHECK(asm_slots == slots || (asm_slots == -EINVAL && kfunc_with_offset));
            struct ebpf_insn *again;
            size_t again_count;
            char msg[256];
            int err = asm_assemble(buf, &again, &again_count, msg, sizeof msg);
            if (err && asm_slots > 0)
                fprintf(stderr, "  '%s': %s\n", buf, msg);
            if (asm_slots > 0) {
                CHECK_EQ(err, 0);
                CHECK(!err && again_count == (size_t)slots &&
                      !memcmp(again, &insns[pc], again_count * sizeof *again));
                printed++;
            }
            if (!err)
                free(again);
        }
        free(buf);
    }
    CHECK(printed > 1000);
}

TEST(huge_inputs_are_refused_or_handled)
{
    /* A million-and-one instructions is over the limit. */
    size_t lines = EBPF_MAX_INSNS + 1;
    char *text = malloc(lines * 5 + 1);
    for (size_t i = 0; i < lines; i++)
        memcpy(text + i * 5, "exit\n", 5);
    text[lines * 5] = '\0';
    struct ebpf_insn *insns;
    size_t count;
    char msg[128];
    CHECK_EQ(asm_assemble(text, &insns, &count, msg, sizeof msg), -E2BIG);
    CHECK_CONTAINS(msg, "more than 1000000 instructions");
    free(text);

    /* One very long line with a long operand. */
    size_t len = 1 << 20;
    text = malloc(len + 16);
    memcpy(text, "mov %r0, ", 9);
    memset(text + 9, '7', len);
    text[len + 9] = '\0';
    CHECK_EQ(asm_assemble(text, &insns, &count, msg, sizeof msg), -EINVAL);
    CHECK_CONTAINS(msg, "7777... out of 32-bit range"); /* quoted, but cut short */
    free(text);

    /* Many labels and references stay fast. */
    lines = 200000;
    text = malloc(lines * 24 + 1);
    size_t at = 0;
    for (size_t i = 0; i < lines; i++)
        at += (size_t)sprintf(text + at, "l%zu: ja l%zu\n", i, (i * 7919) % lines);
    CHECK_EQ(asm_assemble(text, &insns, &count, msg, sizeof msg), -EINVAL); /* some are too far */
    CHECK_CONTAINS(msg, "is too far");
    at = 0;
    for (size_t i = 0; i < lines; i++)
        at += (size_t)sprintf(text + at, "l%zu: ja32 l%zu\n", i, (i * 7919) % lines);
    CHECK_EQ(asm_assemble(text, &insns, &count, msg, sizeof msg), 0);
    CHECK_EQ(count, lines);
    if (count == lines)
        CHECK_EQ(insns[1].imm, 7919 - 1 - 1);
    free(insns);
    free(text);
}

TEST_MAIN
