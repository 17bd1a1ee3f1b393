/* The one table of eBPF instruction forms (RFC 9669 v1-v4 plus callx and the libbpf lddw
 * pseudo forms). Included by isa.h only.
 *
 * X(id, name, opcode, match, match_value, operands, must_be_zero, version, linux_fmt)
 *   name       mnemonic of the conformance-suite assembler ("add32", "lock fetch add")
 *   match      further field that selects the form among those sharing the opcode byte
 *   linux_fmt  disassembly in the Linux/llvm syntax; placeholders:
 *              %d dst as rN   %w dst as wN   %s src as rN   %v src as wN
 *              %i imm (decimal)   %o "+ off" or "- off"   %j "+off" (jump)   %J "+imm"
 *              %h helper "name#id"   %c local call "pc+imm"   %L 64-bit lddw value
 *              %K imm of the second lddw slot
 */
#ifndef BPFHOST_ISA_FORMS_H
#define BPFHOST_ISA_FORMS_H

#define ISA_ALU_BINARY(X, ID, name, op, sym, version)                                              \
    X(ID##64_IMM, name, 0x07 | (op), ISA_MATCH_NONE, 0, ISA_OPS_DST_IMM, ISA_Z_SRC | ISA_Z_OFF,      \
      version, "%d " sym " %i")                                                                     \
    X(ID##64_REG, name, 0x0f | (op), ISA_MATCH_NONE, 0, ISA_OPS_DST_SRC, ISA_Z_IMM | ISA_Z_OFF,      \
      version, "%d " sym " %s")                                                                     \
    X(ID##32_IMM, name "32", 0x04 | (op), ISA_MATCH_NONE, 0, ISA_OPS_DST_IMM,                       \
      ISA_Z_SRC | ISA_Z_OFF, version, "%w " sym " %i")                                              \
    X(ID##32_REG, name "32", 0x0c | (op), ISA_MATCH_NONE, 0, ISA_OPS_DST_SRC,                       \
      ISA_Z_IMM | ISA_Z_OFF, version, "%w " sym " %v")

/* div and mod: off 0 is unsigned, off 1 signed (v4). */
#define ISA_ALU_DIVISION(X, ID, SID, name, sname, op, sym)                                         \
    X(ID##64_IMM, name, 0x07 | (op), ISA_MATCH_OFF, 0, ISA_OPS_DST_IMM, ISA_Z_SRC, 1, "%d " sym "= %i") \
    X(ID##64_REG, name, 0x0f | (op), ISA_MATCH_OFF, 0, ISA_OPS_DST_SRC, ISA_Z_IMM, 1, "%d " sym "= %s") \
    X(ID##32_IMM, name "32", 0x04 | (op), ISA_MATCH_OFF, 0, ISA_OPS_DST_IMM, ISA_Z_SRC, 1,           \
      "%w " sym "= %i")                                                                             \
    X(ID##32_REG, name "32", 0x0c | (op), ISA_MATCH_OFF, 0, ISA_OPS_DST_SRC, ISA_Z_IMM, 1,           \
      "%w " sym "= %v")                                                                             \
    X(SID##64_IMM, sname, 0x07 | (op), ISA_MATCH_OFF, 1, ISA_OPS_DST_IMM, ISA_Z_SRC, 4,              \
      "%d s" sym "= %i")                                                                            \
    X(SID##64_REG, sname, 0x0f | (op), ISA_MATCH_OFF, 1, ISA_OPS_DST_SRC, ISA_Z_IMM, 4,              \
      "%d s" sym "= %s")                                                                            \
    X(SID##32_IMM, sname "32", 0x04 | (op), ISA_MATCH_OFF, 1, ISA_OPS_DST_IMM, ISA_Z_SRC, 4,         \
      "%w s" sym "= %i")                                                                            \
    X(SID##32_REG, sname "32", 0x0c | (op), ISA_MATCH_OFF, 1, ISA_OPS_DST_SRC, ISA_Z_IMM, 4,         \
      "%w s" sym "= %v")

#define ISA_JUMP_COND(X, ID, name, op, sym, version)                                               \
    X(ID##_IMM, name, 0x05 | (op), ISA_MATCH_NONE, 0, ISA_OPS_COND_IMM, ISA_Z_SRC, version,          \
      "if %d " sym " %i goto %j")                                                                   \
    X(ID##_REG, name, 0x0d | (op), ISA_MATCH_NONE, 0, ISA_OPS_COND_REG, ISA_Z_IMM, version,          \
      "if %d " sym " %s goto %j")                                                                   \
    X(ID##32_IMM, name "32", 0x06 | (op), ISA_MATCH_NONE, 0, ISA_OPS_COND_IMM, ISA_Z_SRC, 3,         \
      "if %w " sym " %i goto %j")                                                                   \
    X(ID##32_REG, name "32", 0x0e | (op), ISA_MATCH_NONE, 0, ISA_OPS_COND_REG, ISA_Z_IMM, 3,         \
      "if %w " sym " %v goto %j")

#define ISA_ATOMIC(X, ID, name, imm, fmt64, fmt32, version)                                        \
    X(ID##64, "lock " name, 0xdb, ISA_MATCH_IMM, imm, ISA_OPS_STORE_REG, 0, version, fmt64)          \
    X(ID##32, "lock " name "32", 0xc3, ISA_MATCH_IMM, imm, ISA_OPS_STORE_REG, 0, version, fmt32)

#define ISA_FORMS(X)                                                                               \
    ISA_ALU_BINARY(X, ADD, "add", 0x00, "+=", 1)                                                   \
    ISA_ALU_BINARY(X, SUB, "sub", 0x10, "-=", 1)                                                   \
    ISA_ALU_BINARY(X, MUL, "mul", 0x20, "*=", 1)                                                   \
    ISA_ALU_DIVISION(X, DIV, SDIV, "div", "sdiv", 0x30, "/")                                       \
    ISA_ALU_BINARY(X, OR, "or", 0x40, "|=", 1)                                                     \
    ISA_ALU_BINARY(X, AND, "and", 0x50, "&=", 1)                                                   \
    ISA_ALU_BINARY(X, LSH, "lsh", 0x60, "<<=", 1)                                                  \
    ISA_ALU_BINARY(X, RSH, "rsh", 0x70, ">>=", 1)                                                  \
    ISA_ALU_DIVISION(X, MOD, SMOD, "mod", "smod", 0x90, "%%")                                      \
    ISA_ALU_BINARY(X, XOR, "xor", 0xa0, "^=", 1)                                                   \
    ISA_ALU_BINARY(X, ARSH, "arsh", 0xc0, "s>>=", 1)                                               \
    X(NEG64, "neg", 0x87, ISA_MATCH_NONE, 0, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF | ISA_Z_IMM, 1,      \
      "%d = -%d")                                                                                   \
    X(NEG32, "neg32", 0x84, ISA_MATCH_NONE, 0, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF | ISA_Z_IMM, 1,    \
      "%w = -%w")                                                                                   \
    X(MOV64_IMM, "mov", 0xb7, ISA_MATCH_OFF, 0, ISA_OPS_DST_IMM, ISA_Z_SRC, 1, "%d = %i")           \
    X(MOV64_REG, "mov", 0xbf, ISA_MATCH_OFF, 0, ISA_OPS_DST_SRC, ISA_Z_IMM, 1, "%d = %s")           \
    X(MOV32_IMM, "mov32", 0xb4, ISA_MATCH_OFF, 0, ISA_OPS_DST_IMM, ISA_Z_SRC, 1, "%w = %i")         \
    X(MOV32_REG, "mov32", 0xbc, ISA_MATCH_OFF, 0, ISA_OPS_DST_SRC, ISA_Z_IMM, 1, "%w = %v")         \
    X(MOVSX8_64, "movsx864", 0xbf, ISA_MATCH_OFF, 8, ISA_OPS_DST_SRC, ISA_Z_IMM, 4, "%d = (s8)%s")  \
    X(MOVSX16_64, "movsx1664", 0xbf, ISA_MATCH_OFF, 16, ISA_OPS_DST_SRC, ISA_Z_IMM, 4,              \
      "%d = (s16)%s")                                                                               \
    X(MOVSX32_64, "movsx3264", 0xbf, ISA_MATCH_OFF, 32, ISA_OPS_DST_SRC, ISA_Z_IMM, 4,              \
      "%d = (s32)%s")                                                                               \
    X(MOVSX8_32, "movsx832", 0xbc, ISA_MATCH_OFF, 8, ISA_OPS_DST_SRC, ISA_Z_IMM, 4, "%w = (s8)%v")  \
    X(MOVSX16_32, "movsx1632", 0xbc, ISA_MATCH_OFF, 16, ISA_OPS_DST_SRC, ISA_Z_IMM, 4,              \
      "%w = (s16)%v")                                                                               \
    X(LE16, "le16", 0xd4, ISA_MATCH_IMM, 16, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 1, "%d = le16 %d")  \
    X(LE32, "le32", 0xd4, ISA_MATCH_IMM, 32, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 1, "%d = le32 %d")  \
    X(LE64, "le64", 0xd4, ISA_MATCH_IMM, 64, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 1, "%d = le64 %d")  \
    X(BE16, "be16", 0xdc, ISA_MATCH_IMM, 16, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 1, "%d = be16 %d")  \
    X(BE32, "be32", 0xdc, ISA_MATCH_IMM, 32, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 1, "%d = be32 %d")  \
    X(BE64, "be64", 0xdc, ISA_MATCH_IMM, 64, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 1, "%d = be64 %d")  \
    X(BSWAP16, "bswap16", 0xd7, ISA_MATCH_IMM, 16, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 4,             \
      "%d = bswap16 %d")                                                                            \
    X(BSWAP32, "bswap32", 0xd7, ISA_MATCH_IMM, 32, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 4,             \
      "%d = bswap32 %d")                                                                            \
    X(BSWAP64, "bswap64", 0xd7, ISA_MATCH_IMM, 64, ISA_OPS_DST, ISA_Z_SRC | ISA_Z_OFF, 4,             \
      "%d = bswap64 %d")                                                                            \
    X(JA, "ja", 0x05, ISA_MATCH_NONE, 0, ISA_OPS_JUMP, ISA_Z_DST | ISA_Z_SRC | ISA_Z_IMM, 1,          \
      "goto %j")                                                                                    \
    X(JA32, "ja32", 0x06, ISA_MATCH_NONE, 0, ISA_OPS_JUMP32, ISA_Z_DST | ISA_Z_SRC | ISA_Z_OFF, 4,    \
      "gotol %J")                                                                                   \
    ISA_JUMP_COND(X, JEQ, "jeq", 0x10, "==", 1)                                                    \
    ISA_JUMP_COND(X, JGT, "jgt", 0x20, ">", 1)                                                     \
    ISA_JUMP_COND(X, JGE, "jge", 0x30, ">=", 1)                                                    \
    ISA_JUMP_COND(X, JSET, "jset", 0x40, "&", 1)                                                   \
    ISA_JUMP_COND(X, JNE, "jne", 0x50, "!=", 1)                                                    \
    ISA_JUMP_COND(X, JSGT, "jsgt", 0x60, "s>", 1)                                                  \
    ISA_JUMP_COND(X, JSGE, "jsge", 0x70, "s>=", 1)                                                 \
    ISA_JUMP_COND(X, JLT, "jlt", 0xa0, "<", 2)                                                     \
    ISA_JUMP_COND(X, JLE, "jle", 0xb0, "<=", 2)                                                    \
    ISA_JUMP_COND(X, JSLT, "jslt", 0xc0, "s<", 2)                                                  \
    ISA_JUMP_COND(X, JSLE, "jsle", 0xd0, "s<=", 2)                                                 \
    X(CALL_HELPER, "call", 0x85, ISA_MATCH_SRC, EBPF_CALL_HELPER, ISA_OPS_CALL_HELPER,              \
      ISA_Z_DST | ISA_Z_OFF, 1, "call %h")                                                          \
    X(CALL_LOCAL, "call local", 0x85, ISA_MATCH_SRC, EBPF_CALL_LOCAL, ISA_OPS_CALL_LOCAL,           \
      ISA_Z_DST | ISA_Z_OFF, 3, "call %c")                                                          \
    X(CALL_KFUNC, "call kfunc", 0x85, ISA_MATCH_SRC, EBPF_CALL_KFUNC, ISA_OPS_CALL_KFUNC,           \
      ISA_Z_DST, 3, "call kfunc#%i")                                                                \
    X(CALLX, "callx", 0x8d, ISA_MATCH_NONE, 0, ISA_OPS_CALLX, ISA_Z_SRC | ISA_Z_OFF | ISA_Z_IMM, 3,  \
      "callx %d")                                                                                   \
    X(EXIT, "exit", 0x95, ISA_MATCH_NONE, 0, ISA_OPS_NONE,                                          \
      ISA_Z_DST | ISA_Z_SRC | ISA_Z_OFF | ISA_Z_IMM, 1, "exit")                                     \
    X(LDDW, "lddw", 0x18, ISA_MATCH_SRC, EBPF_LDDW_IMM64, ISA_OPS_LDDW, ISA_Z_OFF, 1, "%d = %L ll") \
    X(LDDW_MAP_FD, "lddw.map_fd", 0x18, ISA_MATCH_SRC, EBPF_LDDW_MAP_FD, ISA_OPS_LDDW, ISA_Z_OFF, 1, \
      "%d = map[fd:%i]")                                                                            \
    X(LDDW_MAP_VALUE, "lddw.map_value", 0x18, ISA_MATCH_SRC, EBPF_LDDW_MAP_VALUE, ISA_OPS_LDDW,     \
      ISA_Z_OFF, 1, "%d = map[fd:%i][0]+%K")                                                        \
    X(LDDW_BTF_ID, "lddw.btf_id", 0x18, ISA_MATCH_SRC, EBPF_LDDW_BTF_ID, ISA_OPS_LDDW, ISA_Z_OFF, 1, \
      "%d = btf_var[%i]")                                                                           \
    X(LDDW_FUNC, "lddw.func", 0x18, ISA_MATCH_SRC, EBPF_LDDW_FUNC, ISA_OPS_LDDW, ISA_Z_OFF, 1,      \
      "%d = func[pc%J]")                                                                            \
    X(LDDW_MAP_IDX, "lddw.map_idx", 0x18, ISA_MATCH_SRC, EBPF_LDDW_MAP_IDX, ISA_OPS_LDDW,           \
      ISA_Z_OFF, 1, "%d = map[idx:%i]")                                                             \
    X(LDDW_MAP_IDX_VALUE, "lddw.map_idx_value", 0x18, ISA_MATCH_SRC, EBPF_LDDW_MAP_IDX_VALUE,       \
      ISA_OPS_LDDW, ISA_Z_OFF, 1, "%d = map[idx:%i][0]+%K")                                         \
    X(LDABSW, "ldabsw", 0x20, ISA_MATCH_NONE, 0, ISA_OPS_LD_ABS, ISA_Z_DST | ISA_Z_SRC | ISA_Z_OFF, \
      1, "r0 = *(u32 *)skb[%i]")                                                                    \
    X(LDABSH, "ldabsh", 0x28, ISA_MATCH_NONE, 0, ISA_OPS_LD_ABS, ISA_Z_DST | ISA_Z_SRC | ISA_Z_OFF, \
      1, "r0 = *(u16 *)skb[%i]")                                                                    \
    X(LDABSB, "ldabsb", 0x30, ISA_MATCH_NONE, 0, ISA_OPS_LD_ABS, ISA_Z_DST | ISA_Z_SRC | ISA_Z_OFF, \
      1, "r0 = *(u8 *)skb[%i]")                                                                     \
    X(LDINDW, "ldindw", 0x40, ISA_MATCH_NONE, 0, ISA_OPS_LD_IND, ISA_Z_DST | ISA_Z_OFF, 1,           \
      "r0 = *(u32 *)skb[%s + %i]")                                                                  \
    X(LDINDH, "ldindh", 0x48, ISA_MATCH_NONE, 0, ISA_OPS_LD_IND, ISA_Z_DST | ISA_Z_OFF, 1,           \
      "r0 = *(u16 *)skb[%s + %i]")                                                                  \
    X(LDINDB, "ldindb", 0x50, ISA_MATCH_NONE, 0, ISA_OPS_LD_IND, ISA_Z_DST | ISA_Z_OFF, 1,           \
      "r0 = *(u8 *)skb[%s + %i]")                                                                   \
    X(LDXW, "ldxw", 0x61, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 1, "%d = *(u32 *)(%s %o)")    \
    X(LDXH, "ldxh", 0x69, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 1, "%d = *(u16 *)(%s %o)")    \
    X(LDXB, "ldxb", 0x71, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 1, "%d = *(u8 *)(%s %o)")     \
    X(LDXDW, "ldxdw", 0x79, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 1, "%d = *(u64 *)(%s %o)")  \
    X(LDXSW, "ldxsw", 0x81, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 4, "%d = *(s32 *)(%s %o)")  \
    X(LDXSH, "ldxsh", 0x89, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 4, "%d = *(s16 *)(%s %o)")  \
    X(LDXSB, "ldxsb", 0x91, ISA_MATCH_NONE, 0, ISA_OPS_LOAD, ISA_Z_IMM, 4, "%d = *(s8 *)(%s %o)")   \
    X(STW, "stw", 0x62, ISA_MATCH_NONE, 0, ISA_OPS_STORE_IMM, ISA_Z_SRC, 1, "*(u32 *)(%d %o) = %i") \
    X(STH, "sth", 0x6a, ISA_MATCH_NONE, 0, ISA_OPS_STORE_IMM, ISA_Z_SRC, 1, "*(u16 *)(%d %o) = %i") \
    X(STB, "stb", 0x72, ISA_MATCH_NONE, 0, ISA_OPS_STORE_IMM, ISA_Z_SRC, 1, "*(u8 *)(%d %o) = %i")  \
    X(STDW, "stdw", 0x7a, ISA_MATCH_NONE, 0, ISA_OPS_STORE_IMM, ISA_Z_SRC, 1,                       \
      "*(u64 *)(%d %o) = %i")                                                                       \
    X(STXW, "stxw", 0x63, ISA_MATCH_NONE, 0, ISA_OPS_STORE_REG, ISA_Z_IMM, 1,                       \
      "*(u32 *)(%d %o) = %v")                                                                       \
    X(STXH, "stxh", 0x6b, ISA_MATCH_NONE, 0, ISA_OPS_STORE_REG, ISA_Z_IMM, 1,                       \
      "*(u16 *)(%d %o) = %v")                                                                       \
    X(STXB, "stxb", 0x73, ISA_MATCH_NONE, 0, ISA_OPS_STORE_REG, ISA_Z_IMM, 1,                       \
      "*(u8 *)(%d %o) = %v")                                                                        \
    X(STXDW, "stxdw", 0x7b, ISA_MATCH_NONE, 0, ISA_OPS_STORE_REG, ISA_Z_IMM, 1,                     \
      "*(u64 *)(%d %o) = %s")                                                                       \
    ISA_ATOMIC(X, ATOMIC_ADD, "add", EBPF_ATOMIC_ADD, "lock *(u64 *)(%d %o) += %s",                 \
               "lock *(u32 *)(%d %o) += %v", 1)                                                     \
    ISA_ATOMIC(X, ATOMIC_OR, "or", EBPF_ATOMIC_OR, "lock *(u64 *)(%d %o) |= %s",                    \
               "lock *(u32 *)(%d %o) |= %v", 3)                                                     \
    ISA_ATOMIC(X, ATOMIC_AND, "and", EBPF_ATOMIC_AND, "lock *(u64 *)(%d %o) &= %s",                 \
               "lock *(u32 *)(%d %o) &= %v", 3)                                                     \
    ISA_ATOMIC(X, ATOMIC_XOR, "xor", EBPF_ATOMIC_XOR, "lock *(u64 *)(%d %o) ^= %s",                 \
               "lock *(u32 *)(%d %o) ^= %v", 3)                                                     \
    ISA_ATOMIC(X, ATOMIC_FETCH_ADD, "fetch add", EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH,               \
               "%s = atomic_fetch_add((u64 *)(%d %o), %s)",                                         \
               "%v = atomic_fetch_add((u32 *)(%d %o), %v)", 3)                                      \
    ISA_ATOMIC(X, ATOMIC_FETCH_OR, "fetch or", EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH,                  \
               "%s = atomic_fetch_or((u64 *)(%d %o), %s)",                                          \
               "%v = atomic_fetch_or((u32 *)(%d %o), %v)", 3)                                       \
    ISA_ATOMIC(X, ATOMIC_FETCH_AND, "fetch and", EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH,               \
               "%s = atomic_fetch_and((u64 *)(%d %o), %s)",                                         \
               "%v = atomic_fetch_and((u32 *)(%d %o), %v)", 3)                                      \
    ISA_ATOMIC(X, ATOMIC_FETCH_XOR, "fetch xor", EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH,               \
               "%s = atomic_fetch_xor((u64 *)(%d %o), %s)",                                         \
               "%v = atomic_fetch_xor((u32 *)(%d %o), %v)", 3)                                      \
    ISA_ATOMIC(X, ATOMIC_XCHG, "xchg", EBPF_ATOMIC_XCHG, "%s = xchg_64(%d %o, %s)",                 \
               "%v = xchg32_32(%d %o, %v)", 3)                                                      \
    ISA_ATOMIC(X, ATOMIC_CMPXCHG, "cmpxchg", EBPF_ATOMIC_CMPXCHG,                                   \
               "r0 = cmpxchg_64(%d %o, r0, %s)", "w0 = cmpxchg32_32(%d %o, w0, %v)", 3)

#endif
