/* x86-64 instruction encoding for the JIT: a growable code buffer and the handful of
 * instruction shapes the translator needs. Internal to src/jit/x86_64. */
#ifndef BPFHOST_JIT_X86_64_ENCODER_H
#define BPFHOST_JIT_X86_64_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Condition codes (low nibble of jcc / setcc). */
enum x86_cond {
    X86_CC_B = 0x2, X86_CC_AE = 0x3, X86_CC_E = 0x4, X86_CC_NE = 0x5, X86_CC_BE = 0x6,
    X86_CC_A = 0x7, X86_CC_L = 0xc, X86_CC_GE = 0xd, X86_CC_LE = 0xe, X86_CC_G = 0xf,
};

/* Group-1 arithmetic: the /digit of 0x81/0x83 and, times 8 plus 1, the r/m,reg opcode. */
enum x86_alu { X86_ADD = 0, X86_OR = 1, X86_AND = 4, X86_SUB = 5, X86_XOR = 6, X86_CMP = 7 };

/* Group-2 shifts: the /digit of 0xc1/0xd3. */
enum x86_shift { X86_ROL = 0, X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/* Instruction flags. */
enum {
    X86_W = 1,      /* REX.W: 64-bit operand */
    X86_OP16 = 2,   /* 0x66: 16-bit operand */
    X86_BYTE = 4,   /* byte registers: spl/bpl/sil/dil need a REX prefix */
    X86_LOCK = 8,   /* 0xf0 */
};

struct x86_buf {
    uint8_t *data;
    size_t len, cap;
    bool out_of_memory;
};

void x86_buf_free(struct x86_buf *b);
void x86_u8(struct x86_buf *b, uint8_t v);
void x86_u32(struct x86_buf *b, uint32_t v);
void x86_u64(struct x86_buf *b, uint64_t v);
void x86_patch_u32(struct x86_buf *b, size_t at, uint32_t v);

/* opcode (1-3 bytes, first byte in the low byte, length oplen) with a ModRM byte whose reg
 * field is reg and whose r/m is register rm. */
void x86_op_rr(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int rm);
/* Same with r/m = memory [base + disp]. */
void x86_op_rm(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int base,
               int32_t disp);

/* Same with r/m = memory [base + (index << scale_log2) + disp]; index must not be rsp. */
void x86_op_rmi(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int base,
                int index, unsigned scale_log2, int32_t disp);

void x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src);
void x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm);
void x86_test_rr(struct x86_buf *b, bool w, int dst, int src);
void x86_test_ri(struct x86_buf *b, bool w, int dst, int32_t imm);
void x86_mov_rr(struct x86_buf *b, bool w, int dst, int src);
/* w: dst = sign-extended imm; !w: dst = zero-extended imm. */
void x86_mov_ri(struct x86_buf *b, bool w, int dst, int32_t imm);
void x86_mov_ri64(struct x86_buf *b, int dst, uint64_t imm);
void x86_shift_ri(struct x86_buf *b, bool w, enum x86_shift op, int dst, uint8_t count);
void x86_shift_rcl(struct x86_buf *b, bool w, enum x86_shift op, int dst);
void x86_push(struct x86_buf *b, int reg);
void x86_pop(struct x86_buf *b, int reg);
void x86_ret(struct x86_buf *b);
void x86_call_reg(struct x86_buf *b, int reg);
/* rel32 branches: return the position of the rel32 field for later patching. */
size_t x86_jmp32(struct x86_buf *b);
size_t x86_jcc32(struct x86_buf *b, enum x86_cond cc);
size_t x86_call32(struct x86_buf *b);
/* rel8 branches: return the position of the rel8 field; x86_patch_rel8_here makes it point
 * at the current end of the code. */
size_t x86_jcc8(struct x86_buf *b, enum x86_cond cc);
size_t x86_jmp8(struct x86_buf *b);
void x86_patch_rel8_here(struct x86_buf *b, size_t at);
/* A short conditional branch back to position target (the sequence must be short). */
void x86_jcc8_back(struct x86_buf *b, enum x86_cond cc, size_t target);

#endif
