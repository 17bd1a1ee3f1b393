/* The eBPF instruction set (RFC 9669, versions 1-4): encoding, the table of instruction
 * forms, and program validation. Every other layer (assembler, disassembler, interpreter,
 * JIT, verifier) identifies an instruction by its form id from this table, so an opcode's
 * meaning is written down exactly once: in isa_forms.h. */
#ifndef BPFHOST_ISA_H
#define BPFHOST_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Same layout as Linux's struct bpf_insn (dst in the low nibble on little-endian hosts). */
struct ebpf_insn {
    uint8_t code;
    uint8_t dst : 4;
    uint8_t src : 4;
    int16_t off;
    int32_t imm;
};
_Static_assert(sizeof(struct ebpf_insn) == 8, "eBPF instructions are 8 bytes");

/* Instruction classes (low three bits of the opcode). */
enum {
    EBPF_CLASS_LD = 0x00, EBPF_CLASS_LDX = 0x01, EBPF_CLASS_ST = 0x02, EBPF_CLASS_STX = 0x03,
    EBPF_CLASS_ALU = 0x04, EBPF_CLASS_JMP = 0x05, EBPF_CLASS_JMP32 = 0x06, EBPF_CLASS_ALU64 = 0x07,
};
#define EBPF_CLASS(code) ((code) & 0x07)

/* Fields of the opcode byte. */
enum {
    EBPF_SRC_K = 0x00, EBPF_SRC_X = 0x08,
    EBPF_SIZE_W = 0x00, EBPF_SIZE_H = 0x08, EBPF_SIZE_B = 0x10, EBPF_SIZE_DW = 0x18,
    EBPF_MODE_IMM = 0x00, EBPF_MODE_ABS = 0x20, EBPF_MODE_IND = 0x40, EBPF_MODE_MEM = 0x60,
    EBPF_MODE_MEMSX = 0x80, EBPF_MODE_ATOMIC = 0xc0,
};

/* Atomic operations (imm of an atomic store). */
enum {
    EBPF_ATOMIC_ADD = 0x00, EBPF_ATOMIC_OR = 0x40, EBPF_ATOMIC_AND = 0x50, EBPF_ATOMIC_XOR = 0xa0,
    EBPF_ATOMIC_FETCH = 0x01, EBPF_ATOMIC_XCHG = 0xe0 | EBPF_ATOMIC_FETCH,
    EBPF_ATOMIC_CMPXCHG = 0xf0 | EBPF_ATOMIC_FETCH,
};

/* src of an lddw: what its 64-bit immediate means (libbpf's BPF_PSEUDO_* values). */
enum {
    EBPF_LDDW_IMM64 = 0, EBPF_LDDW_MAP_FD = 1, EBPF_LDDW_MAP_VALUE = 2, EBPF_LDDW_BTF_ID = 3,
    EBPF_LDDW_FUNC = 4, EBPF_LDDW_MAP_IDX = 5, EBPF_LDDW_MAP_IDX_VALUE = 6,
};

/* src of a call: helper by id, bpf-to-bpf call (imm = pc offset), kfunc by BTF id. */
enum { EBPF_CALL_HELPER = 0, EBPF_CALL_LOCAL = 1, EBPF_CALL_KFUNC = 2 };

enum {
    EBPF_REG_COUNT = 11,          /* r0-r10 */
    EBPF_REG_FP = 10,             /* read-only frame pointer */
    EBPF_STACK_SIZE = 512,        /* bytes per frame */
    EBPF_MAX_CALL_DEPTH = 8,      /* frames, the entry frame included */
    EBPF_MAX_INSNS = 1000000,     /* Linux's BPF_COMPLEXITY_LIMIT_INSNS */
    EBPF_MAX_TAIL_CALLS = 33,
};

/* What an instruction's operands are, for the assembler and disassembler. */
enum isa_operands {
    ISA_OPS_NONE,          /* exit */
    ISA_OPS_DST,           /* neg r0, be16 r0 */
    ISA_OPS_DST_IMM,       /* add r0, 5 */
    ISA_OPS_DST_SRC,       /* add r0, r1 */
    ISA_OPS_LOAD,          /* ldxw r0, [r1+off] */
    ISA_OPS_STORE_IMM,     /* stw [r1+off], imm */
    ISA_OPS_STORE_REG,     /* stxw [r1+off], r2 ; lock add [r1+off], r2 */
    ISA_OPS_JUMP,          /* ja +off */
    ISA_OPS_JUMP32,        /* gotol +imm */
    ISA_OPS_COND_IMM,      /* jeq r0, imm, +off */
    ISA_OPS_COND_REG,      /* jeq r0, r1, +off */
    ISA_OPS_CALL_HELPER,   /* call imm */
    ISA_OPS_CALL_LOCAL,    /* call local +imm */
    ISA_OPS_CALL_KFUNC,    /* call kfunc imm */
    ISA_OPS_CALLX,         /* callx r2 (register in dst) */
    ISA_OPS_LDDW,          /* lddw r0, imm64 (two slots) */
    ISA_OPS_LD_ABS,        /* ldabsw imm */
    ISA_OPS_LD_IND,        /* ldindw r1, imm */
};

/* Which further field, beside the opcode byte, tells forms with the same opcode apart. */
enum isa_match { ISA_MATCH_NONE, ISA_MATCH_OFF, ISA_MATCH_IMM, ISA_MATCH_SRC };

/* Fields that a form does not use and that must therefore be zero. */
enum { ISA_Z_DST = 1, ISA_Z_SRC = 2, ISA_Z_OFF = 4, ISA_Z_IMM = 8 };

#include "isa/isa_forms.h"

enum isa_form_id {
    ISA_FORM_INVALID = 0,
#define ISA_FORM_ENUM(id, name, code, match, value, operands, zero, version, linux_fmt) ISA_##id,
    ISA_FORMS(ISA_FORM_ENUM)
#undef ISA_FORM_ENUM
    ISA_FORM_COUNT
};

struct isa_form {
    const char *name;           /* mnemonic of the conformance-suite assembler */
    uint8_t code;               /* opcode byte */
    uint8_t match;              /* enum isa_match */
    int32_t match_value;
    uint8_t operands;           /* enum isa_operands */
    uint8_t must_be_zero;       /* ISA_Z_* */
    uint8_t version;            /* ISA version that introduced the form (1-4) */
    const char *linux_fmt;      /* disassembly template in the Linux/llvm syntax */
};

extern const struct isa_form isa_forms[ISA_FORM_COUNT];

/* The form of one instruction, or ISA_FORM_INVALID when no form has its opcode and
 * distinguishing field. Does not check the must-be-zero fields: see isa_check_insn. */
enum isa_form_id isa_decode(const struct ebpf_insn *insn);

/* Checks one instruction on its own: known form, registers in range, unused fields zero,
 * r10 not written. Writes a message naming the problem into msg and returns its form, or
 * returns ISA_FORM_INVALID. */
enum isa_form_id isa_check_insn(const struct ebpf_insn *insn, char *msg, size_t msg_size);

/* Checks a whole program: every instruction, lddw pairs, jump and call targets inside the
 * program and not into the second half of an lddw, length limit, no fall-through off the
 * end. On failure returns -EINVAL, the failing instruction in *bad_pc, and a message. */
int isa_validate_program(const struct ebpf_insn *insns, size_t count, size_t *bad_pc,
                         char *msg, size_t msg_size);

static inline bool isa_is_lddw(const struct ebpf_insn *insn) { return insn->code == 0x18; }

/* Jump target of a branch at pc (ja, gotol, conditional). */
static inline int64_t isa_jump_target(const struct ebpf_insn *insn, size_t pc)
{
    if (insn->code == (EBPF_CLASS_JMP32 | 0x00))
        return (int64_t)pc + 1 + insn->imm;
    return (int64_t)pc + 1 + insn->off;
}

/* Registers an instruction reads and writes, as bit masks (bit n = rN). Calls report their
 * argument registers r1-r5 as neither read nor written here: which of them a helper reads
 * depends on its prototype; callers clobber r1-r5 themselves. */
void isa_insn_regs(const struct ebpf_insn *insn, uint16_t *reads, uint16_t *writes);

/* Name of a Linux helper by id ("map_lookup_elem"), or NULL when the id is unknown. */
const char *isa_helper_name(int32_t id);

#endif
