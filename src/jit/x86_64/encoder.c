/* x86-64 encoding: prefixes, REX, ModRM/SIB and displacement rules. */
#include "jit/x86_64/encoder.h"

#include <stdlib.h>
#include <string.h>

void x86_buf_free(struct x86_buf *b)
{
    free(b->data);
    *b = (struct x86_buf){0};
}

static bool reserve(struct x86_buf *b, size_t more)
{
    if (b->out_of_memory)
        return false;
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *data = realloc(b->data, cap);
    if (!data) {
        b->out_of_memory = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

void x86_u8(struct x86_buf *b, uint8_t v)
{
    if (reserve(b, 1))
        b->data[b->len++] = v;
}

void x86_u32(struct x86_buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x86_u8(b, (uint8_t)(v >> (8 * i)));
}

void x86_u64(struct x86_buf *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        x86_u8(b, (uint8_t)(v >> (8 * i)));
}

void x86_patch_u32(struct x86_buf *b, size_t at, uint32_t v)
{
    if (b->out_of_memory || at + 4 > b->len)
        return;
    for (int i = 0; i < 4; i++)
        b->data[at + i] = (uint8_t)(v >> (8 * i));
}

/* Prefixes, REX and opcode. rm_is_reg tells whether rm names a register whose byte form may
 * need a REX prefix; index is a SIB index register, or -1. */
static void prefix_and_opcode(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen,
                              int reg, int rm, bool rm_is_reg, int index)
{
    if (flags & X86_LOCK)
        x86_u8(b, 0xf0);
    if (flags & X86_OP16)
        x86_u8(b, 0x66);
    uint8_t rex = 0x40;
    if (flags & X86_W)
        rex |= 8;
    if (reg & 8)
        rex |= 4;
    if (rm & 8)
        rex |= 1;
    if (index >= 0 && (index & 8))
        rex |= 2;
    bool byte_needs_rex = (flags & X86_BYTE) &&
                          ((reg >= 4 && reg <= 7) || (rm_is_reg && rm >= 4 && rm <= 7));
    if (rex != 0x40 || byte_needs_rex)
        x86_u8(b, rex);
    for (int i = 0; i < oplen; i++)
        x86_u8(b, (uint8_t)(opcode >> (8 * i)));
}

void x86_op_rr(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int rm)
{
    prefix_and_opcode(b, flags, opcode, oplen, reg, rm, true, -1);
    x86_u8(b, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

void x86_op_rm(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int base,
               int32_t disp)
{
    prefix_and_opcode(b, flags, opcode, oplen, reg, base, false, -1);
    /* rbp/r13 as base have no disp-less form; rsp/r12 as base need a SIB byte. */
    uint8_t mod;
    if (disp == 0 && (base & 7) != X86_RBP)
        mod = 0x00;
    else if (disp >= -128 && disp <= 127)
        mod = 0x40;
    else
        mod = 0x80;
    x86_u8(b, (uint8_t)(mod | ((reg & 7) << 3) | (base & 7)));
    if ((base & 7) == X86_RSP)
        x86_u8(b, 0x24);
    if (mod == 0x40)
        x86_u8(b, (uint8_t)(int8_t)disp);
    else if (mod == 0x80)
        x86_u32(b, (uint32_t)disp);
}

void x86_op_rmi(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int base,
                int index, unsigned scale_log2, int32_t disp)
{
    prefix_and_opcode(b, flags, opcode, oplen, reg, base, false, index);
    uint8_t mod;
    if (disp == 0 && (base & 7) != X86_RBP)
        mod = 0x00;
    else if (disp >= -128 && disp <= 127)
        mod = 0x40;
    else
        mod = 0x80;
    x86_u8(b, (uint8_t)(mod | ((reg & 7) << 3) | X86_RSP)); /* rm = 100: a SIB byte follows */
    x86_u8(b, (uint8_t)((scale_log2 << 6) | ((index & 7) << 3) | (base & 7)));
    if (mod == 0x40)
        x86_u8(b, (uint8_t)(int8_t)disp);
    else if (mod == 0x80)
        x86_u32(b, (uint32_t)disp);
}

void x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src)
{
    x86_op_rr(b, w ? X86_W : 0, (uint32_t)op * 8 + 1, 1, src, dst);
}

void x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm)
{
    if (imm >= -128 && imm <= 127) {
        x86_op_rr(b, w ? X86_W : 0, 0x83, 1, op, dst);
        x86_u8(b, (uint8_t)(int8_t)imm);
    } else {
        x86_op_rr(b, w ? X86_W : 0, 0x81, 1, op, dst);
        x86_u32(b, (uint32_t)imm);
    }
}

void x86_test_rr(struct x86_buf *b, bool w, int dst, int src)
{
    x86_op_rr(b, w ? X86_W : 0, 0x85, 1, src, dst);
}

void x86_test_ri(struct x86_buf *b, bool w, int dst, int32_t imm)
{
    x86_op_rr(b, w ? X86_W : 0, 0xf7, 1, 0, dst);
    x86_u32(b, (uint32_t)imm);
}

void x86_mov_rr(struct x86_buf *b, bool w, int dst, int src)
{
    x86_op_rr(b, w ? X86_W : 0, 0x89, 1, src, dst);
}

void x86_mov_ri(struct x86_buf *b, bool w, int dst, int32_t imm)
{
    if (imm == 0) {
        x86_alu_rr(b, false, X86_XOR, dst, dst);
    } else if (!w || imm > 0) {
        /* mov r32, imm32 zero-extends, which equals sign extension for positive values. */
        if (dst & 8)
            x86_u8(b, 0x41);
        x86_u8(b, (uint8_t)(0xb8 + (dst & 7)));
        x86_u32(b, (uint32_t)imm);
    } else {
        x86_op_rr(b, X86_W, 0xc7, 1, 0, dst);
        x86_u32(b, (uint32_t)imm);
    }
}

void x86_mov_ri64(struct x86_buf *b, int dst, uint64_t imm)
{
    if (imm <= UINT32_MAX || (int64_t)imm == (int32_t)(uint32_t)imm) {
        x86_mov_ri(b, imm > UINT32_MAX, dst, (int32_t)(uint32_t)imm);
        return;
    }
    x86_u8(b, (uint8_t)(0x48 | ((dst & 8) ? 1 : 0)));
    x86_u8(b, (uint8_t)(0xb8 + (dst & 7)));
    x86_u64(b, imm);
}

void x86_shift_ri(struct x86_buf *b, bool w, enum x86_shift op, int dst, uint8_t count)
{
    x86_op_rr(b, w ? X86_W : 0, 0xc1, 1, op, dst);
    x86_u8(b, count);
}

void x86_shift_rcl(struct x86_buf *b, bool w, enum x86_shift op, int dst)
{
    x86_op_rr(b, w ? X86_W : 0, 0xd3, 1, op, dst);
}

void x86_push(struct x86_buf *b, int reg)
{
    if (reg & 8)
        x86_u8(b, 0x41);
    x86_u8(b, (uint8_t)(0x50 + (reg & 7)));
}

void x86_pop(struct x86_buf *b, int reg)
{
    if (reg & 8)
        x86_u8(b, 0x41);
    x86_u8(b, (uint8_t)(0x58 + (reg & 7)));
}

void x86_ret(struct x86_buf *b)
{
    x86_u8(b, 0xc3);
}

void x86_call_reg(struct x86_buf *b, int reg)
{
    x86_op_rr(b, 0, 0xff, 1, 2, reg);
}

size_t x86_jmp32(struct x86_buf *b)
{
    x86_u8(b, 0xe9);
    size_t at = b->len;
    x86_u32(b, 0);
    return at;
}

size_t x86_jcc32(struct x86_buf *b, enum x86_cond cc)
{
    x86_u8(b, 0x0f);
    x86_u8(b, (uint8_t)(0x80 | cc));
    size_t at = b->len;
    x86_u32(b, 0);
    return at;
}

size_t x86_call32(struct x86_buf *b)
{
    x86_u8(b, 0xe8);
    size_t at = b->len;
    x86_u32(b, 0);
    return at;
}

size_t x86_jcc8(struct x86_buf *b, enum x86_cond cc)
{
    x86_u8(b, (uint8_t)(0x70 | cc));
    x86_u8(b, 0);
    return b->len - 1;
}

size_t x86_jmp8(struct x86_buf *b)
{
    x86_u8(b, 0xeb);
    x86_u8(b, 0);
    return b->len - 1;
}

void x86_patch_rel8_here(struct x86_buf *b, size_t at)
{
    if (!b->out_of_memory && at < b->len)
        b->data[at] = (uint8_t)(int8_t)(b->len - (at + 1));
}

void x86_jcc8_back(struct x86_buf *b, enum x86_cond cc, size_t target)
{
    x86_u8(b, (uint8_t)(0x70 | cc));
    x86_u8(b, (uint8_t)(int8_t)((long)target - (long)(b->len + 1)));
}
