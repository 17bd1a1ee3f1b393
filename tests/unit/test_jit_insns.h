/* Instruction builders for the JIT's unit tests, spelled in the opcode fields of RFC 9669 so
 * that the tests do not depend on the assembler. */
#ifndef BPFHOST_TEST_JIT_INSNS_H
#define BPFHOST_TEST_JIT_INSNS_H

#include "isa/isa.h"

#define INSN(code, dst, src, off, imm) {(code), (dst), (src), (off), (imm)}

/* ALU operation codes (high nibble of the opcode). */
enum {
    OP_ADD = 0x00, OP_SUB = 0x10, OP_MUL = 0x20, OP_DIV = 0x30, OP_OR = 0x40, OP_AND = 0x50,
    OP_LSH = 0x60, OP_RSH = 0x70, OP_NEG = 0x80, OP_MOD = 0x90, OP_XOR = 0xa0, OP_MOV = 0xb0,
    OP_ARSH = 0xc0, OP_END = 0xd0,
};
/* Jump operation codes. */
enum {
    OP_JA = 0x00, OP_JEQ = 0x10, OP_JGT = 0x20, OP_JGE = 0x30, OP_JSET = 0x40, OP_JNE = 0x50,
    OP_JSGT = 0x60, OP_JSGE = 0x70, OP_CALL = 0x80, OP_EXIT = 0x90, OP_JLT = 0xa0,
    OP_JLE = 0xb0, OP_JSLT = 0xc0, OP_JSLE = 0xd0,
};

#define ALU64_IMM(op, d, imm) INSN(EBPF_CLASS_ALU64 | (op), d, 0, 0, imm)
#define ALU64_REG(op, d, s) INSN(EBPF_CLASS_ALU64 | EBPF_SRC_X | (op), d, s, 0, 0)
#define ALU32_IMM(op, d, imm) INSN(EBPF_CLASS_ALU | (op), d, 0, 0, imm)
#define ALU32_REG(op, d, s) INSN(EBPF_CLASS_ALU | EBPF_SRC_X | (op), d, s, 0, 0)
/* Signed division and modulo: off 1. */
#define SALU64_IMM(op, d, imm) INSN(EBPF_CLASS_ALU64 | (op), d, 0, 1, imm)
#define SALU64_REG(op, d, s) INSN(EBPF_CLASS_ALU64 | EBPF_SRC_X | (op), d, s, 1, 0)
#define SALU32_IMM(op, d, imm) INSN(EBPF_CLASS_ALU | (op), d, 0, 1, imm)
#define SALU32_REG(op, d, s) INSN(EBPF_CLASS_ALU | EBPF_SRC_X | (op), d, s, 1, 0)
#define MOV64(d, imm) ALU64_IMM(OP_MOV, d, imm)
#define MOV64_R(d, s) ALU64_REG(OP_MOV, d, s)
#define MOVSX64(d, s, bits) INSN(EBPF_CLASS_ALU64 | EBPF_SRC_X | OP_MOV, d, s, bits, 0)
#define MOVSX32(d, s, bits) INSN(EBPF_CLASS_ALU | EBPF_SRC_X | OP_MOV, d, s, bits, 0)
#define LE(d, bits) INSN(EBPF_CLASS_ALU | OP_END, d, 0, 0, bits)
#define BE(d, bits) INSN(EBPF_CLASS_ALU | EBPF_SRC_X | OP_END, d, 0, 0, bits)
#define BSWAP(d, bits) INSN(EBPF_CLASS_ALU64 | OP_END, d, 0, 0, bits)
#define LDDW_SRC(d, src, v)                                                                        \
    INSN(0x18, d, src, 0, (int32_t)(uint32_t)(uint64_t)(v)),                                       \
        INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define LDDW(d, v) LDDW_SRC(d, 0, v)
#define JMP_IMM(op, d, imm, off) INSN(EBPF_CLASS_JMP | (op), d, 0, off, imm)
#define JMP_REG(op, d, s, off) INSN(EBPF_CLASS_JMP | EBPF_SRC_X | (op), d, s, off, 0)
#define JMP32_IMM(op, d, imm, off) INSN(EBPF_CLASS_JMP32 | (op), d, 0, off, imm)
#define JMP32_REG(op, d, s, off) INSN(EBPF_CLASS_JMP32 | EBPF_SRC_X | (op), d, s, off, 0)
#define JA(off) INSN(EBPF_CLASS_JMP, 0, 0, off, 0)
#define GOTOL(imm) INSN(EBPF_CLASS_JMP32, 0, 0, 0, imm)
#define CALL(helper) INSN(EBPF_CLASS_JMP | OP_CALL, 0, EBPF_CALL_HELPER, 0, helper)
#define CALL_LOCAL(rel) INSN(EBPF_CLASS_JMP | OP_CALL, 0, EBPF_CALL_LOCAL, 0, rel)
#define CALLX(d) INSN(EBPF_CLASS_JMP | EBPF_SRC_X | OP_CALL, d, 0, 0, 0)
#define EXIT INSN(EBPF_CLASS_JMP | OP_EXIT, 0, 0, 0, 0)
#define LDX(size, d, s, off) INSN(EBPF_CLASS_LDX | EBPF_MODE_MEM | (size), d, s, off, 0)
#define LDXS(size, d, s, off) INSN(EBPF_CLASS_LDX | EBPF_MODE_MEMSX | (size), d, s, off, 0)
#define ST(size, d, off, imm) INSN(EBPF_CLASS_ST | EBPF_MODE_MEM | (size), d, 0, off, imm)
#define STX(size, d, s, off) INSN(EBPF_CLASS_STX | EBPF_MODE_MEM | (size), d, s, off, 0)
#define ATOMIC(size, d, s, off, op) INSN(EBPF_CLASS_STX | EBPF_MODE_ATOMIC | (size), d, s, off, op)
#define LD_ABS(size, imm) INSN(EBPF_CLASS_LD | EBPF_MODE_ABS | (size), 0, 0, 0, imm)
#define LD_IND(size, s, imm) INSN(EBPF_CLASS_LD | EBPF_MODE_IND | (size), 0, s, 0, imm)

#endif
