/* Instruction builders for hand-written test programs (the names follow Linux's
 * BPF_* macros). */
#ifndef BPFHOST_TEST_VERIFIER_ASM_H
#define BPFHOST_TEST_VERIFIER_ASM_H

#include "isa/isa.h"

#define INSN(c, d, s, o, i) ((struct ebpf_insn){.code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i)})

enum { ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
       NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0 };
enum { JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70,
       JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0 };
enum { W = 0x00, H = 0x08, B = 0x10, DW = 0x18 };

#define ALU64_IMM(op, d, i) INSN(0x07 | (op), d, 0, 0, i)
#define ALU64_REG(op, d, s) INSN(0x0f | (op), d, s, 0, 0)
#define ALU32_IMM(op, d, i) INSN(0x04 | (op), d, 0, 0, i)
#define ALU32_REG(op, d, s) INSN(0x0c | (op), d, s, 0, 0)
#define MOV64_IMM(d, i) ALU64_IMM(MOV, d, i)
#define MOV64_REG(d, s) ALU64_REG(MOV, d, s)
#define MOV32_REG(d, s) ALU32_REG(MOV, d, s)
#define LDX(size, d, s, o) INSN(0x61 | (size), d, s, o, 0)
#define STX(size, d, s, o) INSN(0x63 | (size), d, s, o, 0)
#define ST(size, d, o, i) INSN(0x62 | (size), d, 0, o, i)
#define JMP_IMM(op, d, i, o) INSN(0x05 | (op), d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(0x0d | (op), d, s, o, 0)
#define JMP32_IMM(op, d, i, o) INSN(0x06 | (op), d, 0, o, i)
#define JA(o) INSN(0x05, 0, 0, o, 0)
#define CALL(id) INSN(0x85, 0, 0, 0, id)
#define CALL_LOCAL(rel) INSN(0x85, 0, 1, 0, rel)
#define EXIT() INSN(0x95, 0, 0, 0, 0)
/* Two slots each. */
#define LD_MAP(d, index) INSN(0x18, d, 5, 0, index), INSN(0, 0, 0, 0, 0)
#define LD_MAP_VALUE(d, index, off) INSN(0x18, d, 6, 0, index), INSN(0, 0, 0, 0, off)
#define LDDW(d, v) INSN(0x18, d, 0, 0, (int32_t)(uint32_t)(v)), INSN(0, 0, 0, 0, (int32_t)((uint64_t)(v) >> 32))

#endif
