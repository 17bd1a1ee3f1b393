/* eBPF -> x86-64 translation.
 *
 * Register map (Linux's): r0=rax r1=rdi r2=rsi r3=rdx r4=rcx r5=r8 r6=rbx r7=r13 r8=r14
 * r9=r15 r10=rbp. r1-r5 are the first five C arguments, so a helper call needs no moves; r9
 * carries the sixth (the vm_run). r12 holds the jit_context of the run; r9, r10 and r11 are
 * scratch.
 *
 * Code layout: the C entry (saves host registers, builds the jit_context on the host stack,
 * calls the main function, and holds the shared exit path), then every function of the
 * program, then out-of-line slow paths. Every function, the main one included, has the same
 * frame: return address, rbp rbx r13 r14 r15, then 512 bytes of eBPF stack below rbp = r10.
 * Identical frames make exit the same everywhere, let stop and faults unwind every frame at
 * once by resetting rsp to the jit_context, and let a tail call replace any one frame. */
#if defined(__x86_64__)

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit/jit_backend.h"
#include "jit/x86_64/encoder.h"

enum { CONTEXT_REG = X86_R12 };
enum { HELPER_ID_MAP_LOOKUP_ELEM = 1 }; /* Linux's BPF_FUNC_map_lookup_elem */

/* Host stack taken by the jit_context: after six pushes rsp is 8 mod 16, so an odd number of
 * 8-byte slots re-aligns it for the call into the main function. */
#define CONTEXT_FRAME ((int32_t)((sizeof(struct jit_context) + 15) / 16 * 16 + 8))
_Static_assert(sizeof(bool) == 1, "run->stop is compared as a byte");
_Static_assert(offsetof(struct jit_context, tail_calls) == offsetof(struct jit_context, depth) + 4 &&
                   offsetof(struct jit_context, in_callback) < offsetof(struct jit_context, depth) + 8,
               "the entry clears depth, tail_calls and in_callback with one 8-byte store");

static const uint8_t host_reg[EBPF_REG_COUNT] = {
    X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8,
    X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};

/* How each form is translated. */
enum plan_kind {
    K_NONE, K_ALU, K_MUL, K_DIV, K_SHIFT, K_NEG, K_MOV, K_MOVSX, K_LE, K_BE, K_BSWAP,
    K_JA, K_JCC, K_JSET, K_CALL_HELPER, K_CALL_LOCAL, K_CALLX, K_EXIT, K_LDDW, K_LDDW_FUNC,
    K_LD_PACKET, K_LDX, K_ST, K_STX, K_ATOMIC,
};

enum division { DIV_U, MOD_U, DIV_S, MOD_S };
enum atomic_op {
    A_ADD, A_OR, A_AND, A_XOR, A_FETCH_ADD, A_FETCH_OR, A_FETCH_AND, A_FETCH_XOR, A_XCHG,
    A_CMPXCHG,
};

struct plan {
    uint8_t kind;
    uint8_t op;     /* x86_alu, x86_shift, division, x86_cond, atomic_op, bits of movsx */
    bool w;         /* 64-bit operation */
    bool imm;       /* operand is the immediate (else the src register) */
    uint8_t size;   /* memory access bytes */
    bool sign;      /* sign-extending load */
    bool indirect;  /* LD_IND */
};

#define P4(ID, kind_, op_)                                                                         \
    [ISA_##ID##64_IMM] = {kind_, op_, true, true, 0, false, false},                                \
    [ISA_##ID##64_REG] = {kind_, op_, true, false, 0, false, false},                               \
    [ISA_##ID##32_IMM] = {kind_, op_, false, true, 0, false, false},                               \
    [ISA_##ID##32_REG] = {kind_, op_, false, false, 0, false, false},
#define J4(ID, kind_, cc)                                                                          \
    [ISA_##ID##_IMM] = {kind_, cc, true, true, 0, false, false},                                   \
    [ISA_##ID##_REG] = {kind_, cc, true, false, 0, false, false},                                  \
    [ISA_##ID##32_IMM] = {kind_, cc, false, true, 0, false, false},                                \
    [ISA_##ID##32_REG] = {kind_, cc, false, false, 0, false, false},
#define A2(ID, op_)                                                                                \
    [ISA_##ID##64] = {K_ATOMIC, op_, true, false, 8, false, false},                                \
    [ISA_##ID##32] = {K_ATOMIC, op_, false, false, 4, false, false},

static const struct plan plans[ISA_FORM_COUNT] = {
    P4(ADD, K_ALU, X86_ADD) P4(SUB, K_ALU, X86_SUB) P4(OR, K_ALU, X86_OR)
    P4(AND, K_ALU, X86_AND) P4(XOR, K_ALU, X86_XOR) P4(MUL, K_MUL, 0)
    P4(DIV, K_DIV, DIV_U) P4(MOD, K_DIV, MOD_U) P4(SDIV, K_DIV, DIV_S) P4(SMOD, K_DIV, MOD_S)
    P4(LSH, K_SHIFT, X86_SHL) P4(RSH, K_SHIFT, X86_SHR) P4(ARSH, K_SHIFT, X86_SAR)
    [ISA_NEG64] = {K_NEG, 0, true, false, 0, false, false},
    [ISA_NEG32] = {K_NEG, 0, false, false, 0, false, false},
    [ISA_MOV64_IMM] = {K_MOV, 0, true, true, 0, false, false},
    [ISA_MOV64_REG] = {K_MOV, 0, true, false, 0, false, false},
    [ISA_MOV32_IMM] = {K_MOV, 0, false, true, 0, false, false},
    [ISA_MOV32_REG] = {K_MOV, 0, false, false, 0, false, false},
    [ISA_MOVSX8_64] = {K_MOVSX, 8, true, false, 0, false, false},
    [ISA_MOVSX16_64] = {K_MOVSX, 16, true, false, 0, false, false},
    [ISA_MOVSX32_64] = {K_MOVSX, 32, true, false, 0, false, false},
    [ISA_MOVSX8_32] = {K_MOVSX, 8, false, false, 0, false, false},
    [ISA_MOVSX16_32] = {K_MOVSX, 16, false, false, 0, false, false},
    [ISA_LE16] = {K_LE, 16, 0, 0, 0, 0, 0}, [ISA_LE32] = {K_LE, 32, 0, 0, 0, 0, 0},
    [ISA_LE64] = {K_LE, 64, 0, 0, 0, 0, 0}, [ISA_BE16] = {K_BE, 16, 0, 0, 0, 0, 0},
    [ISA_BE32] = {K_BE, 32, 0, 0, 0, 0, 0}, [ISA_BE64] = {K_BE, 64, 0, 0, 0, 0, 0},
    [ISA_BSWAP16] = {K_BSWAP, 16, 0, 0, 0, 0, 0}, [ISA_BSWAP32] = {K_BSWAP, 32, 0, 0, 0, 0, 0},
    [ISA_BSWAP64] = {K_BSWAP, 64, 0, 0, 0, 0, 0},
    [ISA_JA] = {K_JA, 0, 0, 0, 0, 0, 0}, [ISA_JA32] = {K_JA, 0, 0, 0, 0, 0, 0},
    J4(JEQ, K_JCC, X86_CC_E) J4(JGT, K_JCC, X86_CC_A) J4(JGE, K_JCC, X86_CC_AE)
    J4(JSET, K_JSET, X86_CC_NE) J4(JNE, K_JCC, X86_CC_NE) J4(JSGT, K_JCC, X86_CC_G)
    J4(JSGE, K_JCC, X86_CC_GE) J4(JLT, K_JCC, X86_CC_B) J4(JLE, K_JCC, X86_CC_BE)
    J4(JSLT, K_JCC, X86_CC_L) J4(JSLE, K_JCC, X86_CC_LE)
    [ISA_CALL_HELPER] = {K_CALL_HELPER, 0, 0, 0, 0, 0, 0},
    [ISA_CALL_LOCAL] = {K_CALL_LOCAL, 0, 0, 0, 0, 0, 0},
    [ISA_CALLX] = {K_CALLX, 0, 0, 0, 0, 0, 0},
    [ISA_EXIT] = {K_EXIT, 0, 0, 0, 0, 0, 0},
    [ISA_LDDW] = {K_LDDW, 0, 0, 0, 0, 0, 0},
    [ISA_LDDW_FUNC] = {K_LDDW_FUNC, 0, 0, 0, 0, 0, 0},
    [ISA_LDABSW] = {K_LD_PACKET, 0, 0, 0, 4, false, false},
    [ISA_LDABSH] = {K_LD_PACKET, 0, 0, 0, 2, false, false},
    [ISA_LDABSB] = {K_LD_PACKET, 0, 0, 0, 1, false, false},
    [ISA_LDINDW] = {K_LD_PACKET, 0, 0, 0, 4, false, true},
    [ISA_LDINDH] = {K_LD_PACKET, 0, 0, 0, 2, false, true},
    [ISA_LDINDB] = {K_LD_PACKET, 0, 0, 0, 1, false, true},
    [ISA_LDXW] = {K_LDX, 0, 0, 0, 4, false, false}, [ISA_LDXH] = {K_LDX, 0, 0, 0, 2, false, false},
    [ISA_LDXB] = {K_LDX, 0, 0, 0, 1, false, false}, [ISA_LDXDW] = {K_LDX, 0, 0, 0, 8, false, false},
    [ISA_LDXSW] = {K_LDX, 0, 0, 0, 4, true, false}, [ISA_LDXSH] = {K_LDX, 0, 0, 0, 2, true, false},
    [ISA_LDXSB] = {K_LDX, 0, 0, 0, 1, true, false},
    [ISA_STW] = {K_ST, 0, 0, 1, 4, 0, 0}, [ISA_STH] = {K_ST, 0, 0, 1, 2, 0, 0},
    [ISA_STB] = {K_ST, 0, 0, 1, 1, 0, 0}, [ISA_STDW] = {K_ST, 0, 0, 1, 8, 0, 0},
    [ISA_STXW] = {K_STX, 0, 0, 0, 4, 0, 0}, [ISA_STXH] = {K_STX, 0, 0, 0, 2, 0, 0},
    [ISA_STXB] = {K_STX, 0, 0, 0, 1, 0, 0}, [ISA_STXDW] = {K_STX, 0, 0, 0, 8, 0, 0},
    A2(ATOMIC_ADD, A_ADD) A2(ATOMIC_OR, A_OR) A2(ATOMIC_AND, A_AND) A2(ATOMIC_XOR, A_XOR)
    A2(ATOMIC_FETCH_ADD, A_FETCH_ADD) A2(ATOMIC_FETCH_OR, A_FETCH_OR)
    A2(ATOMIC_FETCH_AND, A_FETCH_AND) A2(ATOMIC_FETCH_XOR, A_FETCH_XOR)
    A2(ATOMIC_XCHG, A_XCHG) A2(ATOMIC_CMPXCHG, A_CMPXCHG)
};

/* Labels: one per instruction (after any function prologue), one per function entry, the
 * shared slow paths, and one per fault site's stub (at most two per instruction). */
enum special_label {
    L_EXIT, L_STOP, L_TAIL_CALL, L_RETURN_ZERO, L_FAULT, L_CALLBACK_ENTRY, L_SPECIAL_COUNT
};

enum { UNBOUND = SIZE_MAX };

struct fixup {
    size_t at;     /* displacement field */
    size_t label;
    bool short_form; /* rel8, else rel32 */
};

struct fault_site {
    uint32_t pc;
    uint8_t fault;
};

/* Translation runs in passes. The first uses long forms everywhere and gives an upper bound
 * of the code size, for which executable pages are reserved. Later passes know where the code
 * will live (so helpers in reach get direct rel32 calls) and where every label was in the
 * previous pass (so jumps in reach get rel8 forms). A jump once short stays short and nothing
 * grows, so every pass's distances are at most the previous pass's and its choices stay
 * valid; passes stop when the size no longer changes. */
struct compiler {
    struct x86_buf b;
    const struct ebpf_insn *insns;
    size_t count;
    const struct jit_program *prog;
    size_t *label_pos;
    size_t *prev_label_pos;  /* NULL in the first pass */
    size_t label_count;
    struct fixup *fixups;
    size_t fixup_count, fixup_cap;
    struct fault_site *faults;
    size_t fault_count, fault_cap;
    bool *short_jump, *prev_short_jump; /* per jump site, in emission order */
    size_t jump_count, jump_cap, prev_jump_count, prev_jump_cap;
    uintptr_t base;          /* final address of the code; 0 in the first pass */
    size_t size_bound;       /* size of the first pass */
    bool blinding;
    bool count_steps;
    bool has_callbacks;      /* the program takes function addresses (lddw src 4) */
    uint8_t *is_target;      /* per instruction: a jump or call may land there */
    uint8_t *is_function;    /* per instruction: a function starts there */
    /* per instruction: the array map a map_lookup_elem call there looks up, inlined */
    const struct jit_array_map **inline_lookup;
    /* A leaf program calls nothing, loads no packet and counts no steps, so it can neither
     * fault nor stop: it needs no jit_context, and its entry is its only function, saving
     * only the host registers it uses. */
    bool leaf;
    uint16_t regs_used;      /* bit n: the program names rN */
    uint16_t regs_unset;     /* bit n: some path may read rN before writing it (leaves) */
    uint64_t blinding_seed;
    uint64_t key_state;
    bool out_of_memory;
};

static size_t pc_label(size_t pc) { return pc; }
static size_t function_label(const struct compiler *c, size_t pc) { return c->count + pc; }
static size_t special_label(const struct compiler *c, enum special_label l)
{
    return 2 * c->count + l;
}
static size_t fault_label(const struct compiler *c, size_t site)
{
    return 2 * c->count + L_SPECIAL_COUNT + site;
}

static void bind_label(struct compiler *c, size_t label) { c->label_pos[label] = c->b.len; }

static bool grow(struct compiler *c, void **array, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return true;
    size_t new_cap = *cap ? *cap * 2 : 256;
    void *grown = realloc(*array, new_cap * elem);
    if (!grown) {
        c->out_of_memory = true;
        return false;
    }
    *array = grown;
    *cap = new_cap;
    return true;
}

static void add_fixup(struct compiler *c, size_t at, size_t label, bool short_form)
{
    if (grow(c, (void **)&c->fixups, &c->fixup_cap, c->fixup_count, sizeof(*c->fixups)))
        c->fixups[c->fixup_count++] = (struct fixup){at, label, short_form};
}

/* Whether a 2-byte branch emitted here reaches label: exactly for labels already bound in this
 * pass, by an upper bound (the label's previous position) for labels ahead. */
static bool short_reach(const struct compiler *c, size_t label)
{
    long end = (long)c->b.len + 2;
    if (c->label_pos[label] != UNBOUND)
        return (long)c->label_pos[label] - end >= -128;
    if (!c->prev_label_pos)
        return false;
    return (long)c->prev_label_pos[label] - end <= 127;
}

/* cc < 0: unconditional jump. */
static void branch(struct compiler *c, int cc, size_t label)
{
    size_t site = c->jump_count;
    bool short_form = (site < c->prev_jump_count && c->prev_short_jump[site]) ||
                      short_reach(c, label);
    if (!grow(c, (void **)&c->short_jump, &c->jump_cap, site, sizeof(bool)))
        return;
    c->short_jump[c->jump_count++] = short_form;
    size_t at;
    if (short_form)
        at = cc < 0 ? x86_jmp8(&c->b) : x86_jcc8(&c->b, (enum x86_cond)cc);
    else
        at = cc < 0 ? x86_jmp32(&c->b) : x86_jcc32(&c->b, (enum x86_cond)cc);
    add_fixup(c, at, label, short_form);
}

static void jump_to(struct compiler *c, size_t label) { branch(c, -1, label); }
static void branch_to(struct compiler *c, enum x86_cond cc, size_t label) { branch(c, cc, label); }

static void call_label(struct compiler *c, size_t label)
{
    add_fixup(c, x86_call32(&c->b), label, false);
}

/* A call to C code at a fixed address: rel32 when the code will be in reach, else through
 * r11. */
static void call_address(struct compiler *c, uintptr_t t)
{
    uintptr_t lo = c->base, hi = c->base + c->size_bound;
    const uintptr_t reach = (uintptr_t)INT32_MAX - 16;
    bool near = c->base && (t > lo ? t - lo : lo - t) < reach && (t > hi ? t - hi : hi - t) < reach;
    if (!near) {
        x86_mov_ri64(&c->b, X86_R11, (uint64_t)t);
        x86_call_reg(&c->b, X86_R11);
        return;
    }
    size_t at = x86_call32(&c->b);
    x86_patch_u32(&c->b, at, (uint32_t)(int32_t)((int64_t)t - (int64_t)(c->base + at + 4)));
}

static void branch_to_fault(struct compiler *c, enum x86_cond cc, size_t pc, enum jit_fault fault)
{
    size_t site = c->fault_count;
    if (!grow(c, (void **)&c->faults, &c->fault_cap, site, sizeof(*c->faults)))
        return;
    c->faults[c->fault_count++] = (struct fault_site){(uint32_t)pc, (uint8_t)fault};
    branch(c, cc, fault_label(c, site));
}

/* xorshift64: cheap per-instruction keys from a random seed. */
static uint32_t next_key(struct compiler *c)
{
    uint64_t x = c->key_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->key_state = x;
    return (uint32_t)(x >> 16);
}

/* reg = imm (sign-extended to 64 bits), without imm appearing in the code when blinding. */
static void load_imm(struct compiler *c, int reg, int32_t imm)
{
    if (!c->blinding) {
        x86_mov_ri(&c->b, true, reg, imm);
        return;
    }
    int32_t key = (int32_t)next_key(c);
    x86_mov_ri(&c->b, true, reg, imm ^ key);
    x86_alu_ri(&c->b, true, X86_XOR, reg, key);
}

static void load_imm64(struct compiler *c, int reg, uint64_t imm)
{
    if (!c->blinding) {
        x86_mov_ri64(&c->b, reg, imm);
        return;
    }
    uint64_t key = ((uint64_t)next_key(c) << 32) | next_key(c) | 1;
    x86_mov_ri64(&c->b, reg, imm ^ key);
    x86_mov_ri64(&c->b, X86_R11, key);
    x86_alu_rr(&c->b, true, X86_XOR, reg, X86_R11);
}

/* Zero-extends the low 32 bits of reg in place. */
static void zero_extend32(struct compiler *c, int reg) { x86_mov_rr(&c->b, false, reg, reg); }

/* Drops the current function's frame, leaving its return address on top of the stack. */
static void emit_frame_pop(struct compiler *c)
{
    x86_mov_rr(&c->b, true, X86_RSP, X86_RBP);
    x86_pop(&c->b, X86_R15);
    x86_pop(&c->b, X86_R14);
    x86_pop(&c->b, X86_R13);
    x86_pop(&c->b, X86_RBX);
    x86_pop(&c->b, X86_RBP);
}

/* eBPF registers whose host registers the C calling convention makes a callee save. */
static const uint8_t leaf_saved[] = {6, 7, 8, 9};

static void emit_leaf_prologue(struct compiler *c)
{
    for (size_t i = 0; i < sizeof(leaf_saved); i++)
        if (c->regs_used & (1u << leaf_saved[i]))
            x86_push(&c->b, host_reg[leaf_saved[i]]);
    if (c->regs_used & (1u << EBPF_REG_FP)) {
        x86_push(&c->b, X86_RBP);
        x86_mov_rr(&c->b, true, X86_RBP, X86_RSP);
        x86_alu_ri(&c->b, true, X86_SUB, X86_RSP, EBPF_STACK_SIZE);
    }
    /* Registers read before being written read as zero, as in the interpreter; r3 holds the
     * entry's third C argument. */
    for (int reg = 0; reg < EBPF_REG_FP; reg++)
        if (reg != 1 && reg != 2 && (c->regs_unset & (1u << reg)))
            x86_alu_rr(&c->b, false, X86_XOR, host_reg[reg], host_reg[reg]);
}

static void emit_leaf_exit(struct compiler *c)
{
    if (c->regs_used & (1u << EBPF_REG_FP)) {
        x86_mov_rr(&c->b, true, X86_RSP, X86_RBP);
        x86_pop(&c->b, X86_RBP);
    }
    for (size_t i = sizeof(leaf_saved); i-- > 0;)
        if (c->regs_used & (1u << leaf_saved[i]))
            x86_pop(&c->b, host_reg[leaf_saved[i]]);
    x86_ret(&c->b);
}

static void emit_function_exit(struct compiler *c)
{
    if (c->leaf) {
        emit_leaf_exit(c);
        return;
    }
    emit_frame_pop(c);
    x86_ret(&c->b);
}

static void emit_function_prologue(struct compiler *c)
{
    x86_push(&c->b, X86_RBP);
    x86_push(&c->b, X86_RBX);
    x86_push(&c->b, X86_R13);
    x86_push(&c->b, X86_R14);
    x86_push(&c->b, X86_R15);
    x86_mov_rr(&c->b, true, X86_RBP, X86_RSP);
    x86_alu_ri(&c->b, true, X86_SUB, X86_RSP, EBPF_STACK_SIZE);
}

/* The C entry: uint64_t entry(uint64_t r1, uint64_t r2, struct vm_run *run). */
static void emit_entry(struct compiler *c)
{
    static const uint8_t saved[] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};
    for (size_t i = 0; i < sizeof(saved); i++)
        x86_push(&c->b, saved[i]);
    x86_alu_ri(&c->b, true, X86_SUB, X86_RSP, CONTEXT_FRAME);
    x86_mov_rr(&c->b, true, CONTEXT_REG, X86_RSP);
    x86_op_rm(&c->b, X86_W, 0x89, 1, X86_RDX, CONTEXT_REG, offsetof(struct jit_context, run));
    x86_op_rm(&c->b, X86_W, 0x89, 1, X86_RDI, CONTEXT_REG, offsetof(struct jit_context, r1));
    x86_op_rm(&c->b, X86_W, 0x89, 1, X86_RSI, CONTEXT_REG, offsetof(struct jit_context, r2));
    /* depth, tail_calls, in_callback */
    x86_op_rm(&c->b, X86_W, 0xc7, 1, 0, CONTEXT_REG, offsetof(struct jit_context, depth));
    x86_u32(&c->b, 0);
    if (c->has_callbacks) {
        x86_op_rm(&c->b, X86_W, 0x89, 1, CONTEXT_REG, CONTEXT_REG,
                  offsetof(struct jit_context, exit_rsp));
        x86_mov_ri64(&c->b, X86_R11, (uint64_t)(uintptr_t)c->prog);
        x86_op_rm(&c->b, X86_W, 0x89, 1, X86_R11, CONTEXT_REG, offsetof(struct jit_context, prog));
        x86_op_rm(&c->b, X86_W, 0x89, 1, CONTEXT_REG, X86_RDX, offsetof(struct vm_run, engine_frame));
        x86_mov_ri64(&c->b, X86_R11, (uint64_t)(uintptr_t)&jit_support_call_function);
        x86_op_rm(&c->b, X86_W, 0x89, 1, X86_R11, X86_RDX, offsetof(struct vm_run, call_function));
    }
    if (c->count_steps) {
        x86_op_rm(&c->b, X86_W, 0x8b, 1, X86_RAX, X86_RDX, offsetof(struct vm_run, max_steps));
        x86_alu_ri(&c->b, true, X86_SUB, X86_RAX, 1);
        x86_op_rm(&c->b, X86_W, 0x89, 1, X86_RAX, CONTEXT_REG,
                  offsetof(struct jit_context, steps_left));
    }
    /* Registers the program has not set read as zero, as in the interpreter. */
    static const uint8_t cleared[] = {X86_RAX, X86_RDX, X86_RCX, X86_R8,
                                      X86_RBX, X86_R13, X86_R14, X86_R15};
    for (size_t i = 0; i < sizeof(cleared); i++)
        x86_alu_rr(&c->b, false, X86_XOR, cleared[i], cleared[i]);
    call_label(c, function_label(c, 0));
    bind_label(c, special_label(c, L_EXIT));
    x86_alu_ri(&c->b, true, X86_ADD, X86_RSP, CONTEXT_FRAME);
    for (size_t i = sizeof(saved); i-- > 0;)
        x86_pop(&c->b, saved[i]);
    x86_ret(&c->b);
    if (!c->has_callbacks)
        return;
    /* The callback entry (jit_callback_entry_fn): the same frame as the entry's, so that it
     * shares the exit, but its context is the caller's (r9), already filled. */
    bind_label(c, special_label(c, L_CALLBACK_ENTRY));
    for (size_t i = 0; i < sizeof(saved); i++)
        x86_push(&c->b, saved[i]);
    x86_alu_ri(&c->b, true, X86_SUB, X86_RSP, CONTEXT_FRAME);
    x86_mov_rr(&c->b, true, CONTEXT_REG, X86_R9);
    x86_op_rm(&c->b, X86_W, 0x89, 1, X86_RSP, CONTEXT_REG, offsetof(struct jit_context, exit_rsp));
    static const uint8_t callee_cleared[] = {X86_RAX, X86_RBX, X86_R13, X86_R14, X86_R15};
    for (size_t i = 0; i < sizeof(callee_cleared); i++)
        x86_alu_rr(&c->b, false, X86_XOR, callee_cleared[i], callee_cleared[i]);
    x86_op_rm(&c->b, 0, 0xff, 1, 2, CONTEXT_REG, offsetof(struct jit_context, callback_fn));
    jump_to(c, special_label(c, L_EXIT));
}

/* Drops every frame of the activation: rsp back to where its entry called the program. */
static void emit_unwind(struct compiler *c)
{
    if (c->has_callbacks)
        x86_op_rm(&c->b, X86_W, 0x8b, 1, X86_RSP, CONTEXT_REG, offsetof(struct jit_context, exit_rsp));
    else
        x86_mov_rr(&c->b, true, X86_RSP, CONTEXT_REG);
}

/* Slow paths shared by the whole program. Each is entered from function code, where rsp is
 * 16-byte aligned as C calls require. */
static void emit_slow_paths(struct compiler *c)
{
    struct x86_buf *b = &c->b;
    /* A helper asked to stop: unwind every frame, r0 = run->stop_value. */
    bind_label(c, special_label(c, L_STOP));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_R11, CONTEXT_REG, offsetof(struct jit_context, run));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_RAX, X86_R11, offsetof(struct vm_run, stop_value));
    emit_unwind(c);
    jump_to(c, special_label(c, L_EXIT));

    /* A helper asked for a tail call: the target replaces the current function, as on Linux:
     * its frame is popped and the target entered with the r1 and r2 of the helper call, so
     * that the target's exit returns to the current function's caller. */
    bind_label(c, special_label(c, L_TAIL_CALL));
    x86_mov_rr(b, true, X86_RDI, CONTEXT_REG);
    x86_mov_ri64(b, X86_RSI, (uint64_t)(uintptr_t)c->prog);
    call_address(c, (uintptr_t)&jit_support_tail_call);
    x86_test_rr(b, true, X86_RAX, X86_RAX);
    branch_to(c, X86_CC_E, special_label(c, L_RETURN_ZERO));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_RDI, CONTEXT_REG, offsetof(struct jit_context, r1));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_RSI, CONTEXT_REG, offsetof(struct jit_context, r2));
    emit_frame_pop(c);
    x86_op_rr(b, 0, 0xff, 1, 4, X86_RAX); /* jmp rax */

    /* A fault: esi = kind, edx = pc, r10 = detail (set by the site's stub). */
    bind_label(c, special_label(c, L_FAULT));
    x86_mov_rr(b, true, X86_RDI, CONTEXT_REG);
    x86_mov_rr(b, true, X86_RCX, X86_R10);
    call_address(c, (uintptr_t)&jit_support_fault);
    /* End the program with r0 = 0: faults, and packet loads out of bounds. */
    bind_label(c, special_label(c, L_RETURN_ZERO));
    emit_unwind(c);
    x86_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX);
    jump_to(c, special_label(c, L_EXIT));

    for (size_t i = 0; i < c->fault_count; i++) {
        bind_label(c, fault_label(c, i));
        x86_mov_ri(b, false, X86_RSI, c->faults[i].fault);
        x86_mov_ri(b, false, X86_RDX, (int32_t)c->faults[i].pc);
        jump_to(c, special_label(c, L_FAULT));
    }
}

/* Calls helper fn (0: the address is in r11), then acts on the helper's stop or tail-call
 * request. */
static void emit_helper_call(struct compiler *c, uintptr_t fn)
{
    struct x86_buf *b = &c->b;
    /* r1 and r2 are what a tail-called program receives, should the helper request one. */
    x86_op_rm(b, X86_W, 0x89, 1, X86_RDI, CONTEXT_REG, offsetof(struct jit_context, r1));
    x86_op_rm(b, X86_W, 0x89, 1, X86_RSI, CONTEXT_REG, offsetof(struct jit_context, r2));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_R9, CONTEXT_REG, offsetof(struct jit_context, run));
    if (fn)
        call_address(c, fn);
    else
        x86_call_reg(b, X86_R11);
    x86_op_rm(b, X86_W, 0x8b, 1, X86_R11, CONTEXT_REG, offsetof(struct jit_context, run));
    x86_op_rm(b, 0, 0x80, 1, X86_CMP, X86_R11, offsetof(struct vm_run, stop));
    x86_u8(b, 0);
    branch_to(c, X86_CC_NE, special_label(c, L_STOP));
    x86_op_rm(b, X86_W, 0x83, 1, X86_CMP, X86_R11, offsetof(struct vm_run, tail_call_target));
    x86_u8(b, 0);
    branch_to(c, X86_CC_NE, special_label(c, L_TAIL_CALL));
}

/* map_lookup_elem on an array map known at load time: r0 = key < max_entries ?
 * values + key * stride : NULL, with key = *(u32 *)r2, as the map's own lookup does;
 * branchless, so that not even a mispredicted path forms an address past the map. */
static void emit_array_lookup(struct compiler *c, const struct jit_array_map *map)
{
    struct x86_buf *b = &c->b;
    uint32_t stride = map->value_stride;
    x86_op_rm(b, 0, 0x8b, 1, X86_RAX, host_reg[2], 0); /* eax = key */
    x86_mov_ri64(b, X86_R11, (uint64_t)(uintptr_t)map->values);
    if (stride == 1 || stride == 2 || stride == 4 || stride == 8) {
        x86_op_rmi(b, X86_W, 0x8d, 1, X86_R11, X86_R11, X86_RAX, (unsigned)__builtin_ctz(stride), 0);
    } else {
        x86_op_rr(b, X86_W, 0x69, 1, X86_R10, X86_RAX); /* r10 = key * stride */
        x86_u32(b, stride);
        x86_alu_rr(b, true, X86_ADD, X86_R11, X86_R10);
    }
    x86_alu_rr(b, false, X86_XOR, X86_R10, X86_R10);
    x86_alu_ri(b, false, X86_CMP, X86_RAX, (int32_t)map->max_entries);
    x86_op_rr(b, X86_W, 0x420f, 2, X86_R10, X86_R11); /* cmovb r10, r11 */
    x86_mov_rr(b, true, X86_RAX, X86_R10);
}

static void emit_division(struct compiler *c, const struct plan *p, const struct ebpf_insn *insn)
{
    struct x86_buf *b = &c->b;
    bool w = p->w, is_mod = p->op == MOD_U || p->op == MOD_S, sign = p->op >= DIV_S;
    int dst = host_reg[insn->dst];
    size_t to_zero = SIZE_MAX, to_minus_one = SIZE_MAX, done[2], done_count = 0;
    if (p->imm) {
        bool zero = w ? insn->imm == 0 : (uint32_t)insn->imm == 0;
        if (zero || (sign && insn->imm == -1)) {
            /* Statically known special divisor: only its case is emitted below. */
            to_zero = zero ? 0 : SIZE_MAX;
            to_minus_one = zero ? SIZE_MAX : 0;
            goto special_cases;
        }
        load_imm(c, X86_R11, insn->imm);
    } else {
        x86_mov_rr(b, w, X86_R11, host_reg[insn->src]);
        x86_test_rr(b, w, X86_R11, X86_R11);
        to_zero = x86_jcc8(b, X86_CC_E);
        if (sign) {
            x86_alu_ri(b, w, X86_CMP, X86_R11, -1);
            to_minus_one = x86_jcc8(b, X86_CC_E);
        }
    }
    /* div/idiv use rdx:rax: keep eBPF's r0 and r3 in r9 and r10 meanwhile. */
    x86_mov_rr(b, true, X86_R9, X86_RAX);
    x86_mov_rr(b, true, X86_R10, X86_RDX);
    if (dst != X86_RAX)
        x86_mov_rr(b, w, X86_RAX, dst);
    if (sign) {
        if (w)
            x86_u8(b, 0x48);
        x86_u8(b, 0x99); /* cqo / cdq */
    } else {
        x86_alu_rr(b, false, X86_XOR, X86_RDX, X86_RDX);
    }
    x86_op_rr(b, w ? X86_W : 0, 0xf7, 1, sign ? 7 : 6, X86_R11);
    x86_mov_rr(b, w, X86_R11, is_mod ? X86_RDX : X86_RAX);
    x86_mov_rr(b, true, X86_RAX, X86_R9);
    x86_mov_rr(b, true, X86_RDX, X86_R10);
    x86_mov_rr(b, true, dst, X86_R11);
    if (p->imm)
        return;
special_cases:
    if (to_zero != SIZE_MAX) {
        if (!p->imm) {
            done[done_count++] = x86_jmp8(b);
            x86_patch_rel8_here(b, to_zero);
        }
        /* Division by zero gives 0; modulo by zero leaves dst (zero-extended when 32-bit). */
        if (!is_mod)
            x86_alu_rr(b, false, X86_XOR, dst, dst);
        else if (!w)
            zero_extend32(c, dst);
    }
    if (to_minus_one != SIZE_MAX) {
        if (!p->imm) {
            done[done_count++] = x86_jmp8(b);
            x86_patch_rel8_here(b, to_minus_one);
        }
        /* x / -1 = -x (INT_MIN stays INT_MIN) and x % -1 = 0, without idiv's overflow trap. */
        if (!is_mod)
            x86_op_rr(b, w ? X86_W : 0, 0xf7, 1, 3, dst);
        else
            x86_alu_rr(b, false, X86_XOR, dst, dst);
    }
    if (!p->imm)
        for (size_t i = 0; i < done_count; i++)
            x86_patch_rel8_here(b, done[i]);
}

static void emit_shift(struct compiler *c, const struct plan *p, const struct ebpf_insn *insn)
{
    struct x86_buf *b = &c->b;
    int dst = host_reg[insn->dst];
    if (p->imm) {
        /* eBPF masks shift counts like x86 does: to 6 bits (64-bit) or 5 bits (32-bit). */
        uint8_t count = (uint8_t)(insn->imm & (p->w ? 63 : 31));
        if (count)
            x86_shift_ri(b, p->w, p->op, dst, count);
        else if (!p->w)
            zero_extend32(c, dst);
        return;
    }
    int src = host_reg[insn->src];
    if (src == X86_RCX) {
        x86_shift_rcl(b, p->w, p->op, dst);
        return;
    }
    /* The count must be in cl, which holds eBPF's r4. */
    x86_mov_rr(b, true, X86_R11, X86_RCX);
    x86_mov_rr(b, true, X86_RCX, src);
    if (dst == X86_RCX) {
        x86_shift_rcl(b, p->w, p->op, X86_R11);
        x86_mov_rr(b, true, X86_RCX, X86_R11);
    } else {
        x86_shift_rcl(b, p->w, p->op, dst);
        x86_mov_rr(b, true, X86_RCX, X86_R11);
    }
}

static void emit_byte_swap(struct compiler *c, const struct plan *p, int dst)
{
    struct x86_buf *b = &c->b;
    bool swap = p->kind != K_LE; /* the host is little-endian */
    if (p->op == 16) {
        if (swap) {
            x86_op_rr(b, X86_OP16, 0xc1, 1, X86_ROR, dst);
            x86_u8(b, 8);
        }
        x86_op_rr(b, 0, 0xb70f, 2, dst, dst); /* movzx r32, r16 */
    } else if (p->op == 32) {
        if (swap) {
            if (dst & 8)
                x86_u8(b, 0x41);
            x86_u8(b, 0x0f);
            x86_u8(b, (uint8_t)(0xc8 + (dst & 7)));
        } else {
            zero_extend32(c, dst);
        }
    } else if (swap) {
        x86_u8(b, (uint8_t)(0x48 | ((dst & 8) ? 1 : 0)));
        x86_u8(b, 0x0f);
        x86_u8(b, (uint8_t)(0xc8 + (dst & 7)));
    }
}

/* A memory operand [base + index + off]; index -1 for none. */
static void op_mem(struct x86_buf *b, unsigned flags, uint32_t opcode, int oplen, int reg, int base,
                   int index, int32_t off)
{
    if (index < 0)
        x86_op_rm(b, flags, opcode, oplen, reg, base, off);
    else
        x86_op_rmi(b, flags, opcode, oplen, reg, base, index, 0, off);
}

static void emit_load(struct compiler *c, const struct plan *p, int dst, int base, int index,
                      int32_t off)
{
    struct x86_buf *b = &c->b;
    switch (p->size) {
    case 1: op_mem(b, p->sign ? X86_W : 0, p->sign ? 0xbe0f : 0xb60f, 2, dst, base, index, off); break;
    case 2: op_mem(b, p->sign ? X86_W : 0, p->sign ? 0xbf0f : 0xb70f, 2, dst, base, index, off); break;
    case 4:
        if (p->sign)
            op_mem(b, X86_W, 0x63, 1, dst, base, index, off);
        else
            op_mem(b, 0, 0x8b, 1, dst, base, index, off);
        break;
    default: op_mem(b, X86_W, 0x8b, 1, dst, base, index, off); break;
    }
}

static void emit_store_reg(struct compiler *c, unsigned size, int base, int32_t off, int src)
{
    struct x86_buf *b = &c->b;
    switch (size) {
    case 1: x86_op_rm(b, X86_BYTE, 0x88, 1, src, base, off); break;
    case 2: x86_op_rm(b, X86_OP16, 0x89, 1, src, base, off); break;
    case 4: x86_op_rm(b, 0, 0x89, 1, src, base, off); break;
    default: x86_op_rm(b, X86_W, 0x89, 1, src, base, off); break;
    }
}

static void emit_store_imm(struct compiler *c, unsigned size, int base, int32_t off, int32_t imm)
{
    struct x86_buf *b = &c->b;
    if (c->blinding) {
        load_imm(c, X86_R11, imm);
        emit_store_reg(c, size, base, off, X86_R11);
        return;
    }
    switch (size) {
    case 1:
        x86_op_rm(b, 0, 0xc6, 1, 0, base, off);
        x86_u8(b, (uint8_t)imm);
        break;
    case 2:
        x86_op_rm(b, X86_OP16, 0xc7, 1, 0, base, off);
        x86_u8(b, (uint8_t)imm);
        x86_u8(b, (uint8_t)(imm >> 8));
        break;
    default:
        x86_op_rm(b, size == 8 ? X86_W : 0, 0xc7, 1, 0, base, off);
        x86_u32(b, (uint32_t)imm);
        break;
    }
}

static void emit_atomic(struct compiler *c, const struct plan *p, const struct ebpf_insn *insn)
{
    struct x86_buf *b = &c->b;
    unsigned w = p->w ? X86_W : 0;
    int base = host_reg[insn->dst], src = host_reg[insn->src];
    int32_t off = insn->off;
    static const uint8_t alu_op[] = {[A_ADD] = X86_ADD, [A_OR] = X86_OR, [A_AND] = X86_AND,
                                     [A_XOR] = X86_XOR, [A_FETCH_OR] = X86_OR,
                                     [A_FETCH_AND] = X86_AND, [A_FETCH_XOR] = X86_XOR};
    switch (p->op) {
    case A_ADD:
    case A_OR:
    case A_AND:
    case A_XOR:
        x86_op_rm(b, X86_LOCK | w, alu_op[p->op] * 8u + 1, 1, src, base, off);
        return;
    case A_FETCH_ADD:
        x86_op_rm(b, X86_LOCK | w, 0xc10f, 2, src, base, off); /* xadd */
        return;
    case A_XCHG:
        x86_op_rm(b, w, 0x87, 1, src, base, off); /* xchg with memory is always locked */
        return;
    case A_CMPXCHG:
        x86_op_rm(b, X86_LOCK | w, 0xb10f, 2, src, base, off);
        if (!p->w)
            zero_extend32(c, X86_RAX); /* a successful cmpxchg32 leaves rax's top untouched */
        return;
    default:
        break;
    }
    /* fetch-or/and/xor: a cmpxchg loop, which needs rax (eBPF's r0): keep r0 in r10 and use
     * r10 wherever the program named r0. */
    x86_mov_rr(b, true, X86_R10, X86_RAX);
    int addr = base == X86_RAX ? X86_R10 : base;
    int operand = src == X86_RAX ? X86_R10 : src;
    x86_op_rm(b, w, 0x8b, 1, X86_RAX, addr, off);
    size_t loop = b->len;
    x86_mov_rr(b, p->w, X86_R11, X86_RAX);
    x86_alu_rr(b, p->w, alu_op[p->op], X86_R11, operand);
    x86_op_rm(b, X86_LOCK | w, 0xb10f, 2, X86_R11, addr, off);
    x86_jcc8_back(b, X86_CC_NE, loop);
    if (src == X86_RAX) {
        if (!p->w)
            zero_extend32(c, X86_RAX);
    } else {
        x86_mov_rr(b, p->w, src, X86_RAX);
        x86_mov_rr(b, true, X86_RAX, X86_R10);
    }
}

/* LD_ABS / LD_IND: r0 = big-endian value at packet offset (imm, or src + imm); out of
 * bounds (or no packet) ends the program with r0 = 0. r1-r5 are kept. */
static void emit_packet_load(struct compiler *c, const struct plan *p,
                             const struct ebpf_insn *insn)
{
    struct x86_buf *b = &c->b;
    /* The offset is 32-bit unsigned arithmetic: (u32)imm or (u32)(src + imm). */
    load_imm(c, X86_R10, insn->imm);
    if (p->indirect)
        x86_alu_rr(b, false, X86_ADD, X86_R10, host_reg[insn->src]);
    else
        zero_extend32(c, X86_R10);
    x86_op_rm(b, X86_W, 0x8b, 1, X86_R11, CONTEXT_REG, offsetof(struct jit_context, run));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_R9, X86_R11, offsetof(struct vm_run, packet_len));
    x86_alu_ri(b, true, X86_SUB, X86_R9, p->size);
    branch_to(c, X86_CC_B, special_label(c, L_RETURN_ZERO));
    x86_alu_rr(b, true, X86_CMP, X86_R10, X86_R9);
    branch_to(c, X86_CC_A, special_label(c, L_RETURN_ZERO));
    x86_op_rm(b, X86_W, 0x8b, 1, X86_R11, X86_R11, offsetof(struct vm_run, packet));
    x86_test_rr(b, true, X86_R11, X86_R11);
    branch_to(c, X86_CC_E, special_label(c, L_RETURN_ZERO));
    x86_alu_rr(b, true, X86_ADD, X86_R10, X86_R11);
    switch (p->size) {
    case 1: x86_op_rm(b, 0, 0xb60f, 2, X86_RAX, X86_R10, 0); break;
    case 2:
        x86_op_rm(b, 0, 0xb70f, 2, X86_RAX, X86_R10, 0);
        x86_op_rr(b, X86_OP16, 0xc1, 1, X86_ROL, X86_RAX);
        x86_u8(b, 8);
        break;
    default:
        x86_op_rm(b, 0, 0x8b, 1, X86_RAX, X86_R10, 0);
        x86_u8(b, 0x0f);
        x86_u8(b, 0xc8); /* bswap eax */
        break;
    }
}

static void emit_callx(struct compiler *c, const struct ebpf_insn *insn, size_t pc)
{
    static const struct vm_helpers no_helpers;
    struct x86_buf *b = &c->b;
    const struct vm_helpers *table = c->prog->helpers ? c->prog->helpers : &no_helpers;
    x86_mov_rr(b, true, X86_R10, host_reg[insn->dst]);
    x86_alu_ri(b, true, X86_CMP, X86_R10, VM_HELPER_MAX);
    branch_to_fault(c, X86_CC_AE, pc, JIT_FAULT_UNKNOWN_HELPER);
    x86_mov_ri64(b, X86_R11, (uint64_t)(uintptr_t)table->fn);
    static const uint8_t load_entry[] = {0x4f, 0x8b, 0x1c, 0xd3}; /* mov r11, [r11 + r10*8] */
    for (size_t i = 0; i < sizeof(load_entry); i++)
        x86_u8(b, load_entry[i]);
    x86_test_rr(b, true, X86_R11, X86_R11);
    branch_to_fault(c, X86_CC_E, pc, JIT_FAULT_UNKNOWN_HELPER);
    emit_helper_call(c, 0);
}

/* Sets the flags a conditional jump tests (plan p, condition p->op). */
static void emit_compare(struct compiler *c, const struct plan *p, const struct ebpf_insn *insn)
{
    struct x86_buf *b = &c->b;
    int dst = host_reg[insn->dst], src = host_reg[insn->src];
    bool test = p->kind == K_JSET;
    if (!p->imm) {
        if (test)
            x86_test_rr(b, p->w, dst, src);
        else
            x86_alu_rr(b, p->w, X86_CMP, dst, src);
    } else if (!test && insn->imm == 0) {
        x86_test_rr(b, p->w, dst, dst); /* the same flags as cmp dst, 0 */
    } else if (c->blinding) {
        load_imm(c, X86_R11, insn->imm);
        if (test)
            x86_test_rr(b, p->w, dst, X86_R11);
        else
            x86_alu_rr(b, p->w, X86_CMP, dst, X86_R11);
    } else if (test) {
        x86_test_ri(b, p->w, dst, insn->imm);
    } else {
        x86_alu_ri(b, p->w, X86_CMP, dst, insn->imm);
    }
}

/* Idioms clang emits that one x86 instruction does, translated together. Only sequences
 * that no jump enters after their first instruction; nothing with a program-chosen immediate
 * under constant blinding, and no jumps when counting steps. Returns how many instructions
 * were translated, 0 for none. */
static size_t emit_fused(struct compiler *c, size_t pc)
{
    struct x86_buf *b = &c->b;
    const struct ebpf_insn *in = &c->insns[pc];
    size_t avail = c->count - pc;
    enum isa_form_id first = isa_decode(&in[0]);
#define NEXT_IS(i, form) ((i) < avail && !c->is_target[pc + (i)] && isa_decode(&in[i]) == (form))
    if (first == ISA_MOV64_REG) {
        /* dst = a; [dst <<= 32; dst >>= 32 (s>>= 32)]: a 32-bit move (sign extension). */
        int dst = host_reg[in[0].dst], a = host_reg[in[0].src];
        if (NEXT_IS(1, ISA_LSH64_IMM) && in[1].dst == in[0].dst && in[1].imm == 32 &&
            (NEXT_IS(2, ISA_RSH64_IMM) || NEXT_IS(2, ISA_ARSH64_IMM)) && in[2].dst == in[0].dst &&
            in[2].imm == 32) {
            if (isa_decode(&in[2]) == ISA_RSH64_IMM)
                x86_mov_rr(b, false, dst, a);
            else
                x86_op_rr(b, X86_W, 0x63, 1, dst, a);
            return 3;
        }
        /* dst = a; [dst += k]; [dst += index]; [dst = *(dst + off)]: an address, one lea or
         * one load. */
        size_t n = 1;
        int64_t disp = 0;
        int index = -1;
        if (!c->blinding && NEXT_IS(n, ISA_ADD64_IMM) && in[n].dst == in[0].dst)
            disp = in[n++].imm;
        if (NEXT_IS(n, ISA_ADD64_REG) && in[n].dst == in[0].dst && in[n].src != in[0].dst)
            index = host_reg[in[n++].src];
        if (n == 1)
            return 0;
        if (n < avail && !c->is_target[pc + n] && plans[isa_decode(&in[n])].kind == K_LDX &&
            in[n].src == in[0].dst && in[n].dst == in[0].dst &&
            disp + in[n].off == (int32_t)(disp + in[n].off)) {
            emit_load(c, &plans[isa_decode(&in[n])], dst, a, index, (int32_t)(disp + in[n].off));
            return n + 1;
        }
        /* A lea for a plain dst = a + k (or a + b) measured slower than mov and add on the
         * parse bench (AMD Zen), so only three instructions become one. */
        if (n < 3)
            return 0;
        op_mem(b, X86_W, 0x8d, 1, dst, a, index, (int32_t)disp); /* lea */
        return n;
    }
    /* lo = *(u32 *)(b + k); hi = *(u32 *)(b + k + 4); hi <<= 32; hi |= lo: what clang makes of
     * an unaligned u64 load; one 8-byte load (the host allows unaligned ones) and lo's. */
    if (first == ISA_LDXW && NEXT_IS(1, ISA_LDXW) && NEXT_IS(2, ISA_LSH64_IMM) &&
        NEXT_IS(3, ISA_OR64_REG) && in[1].src == in[0].src && in[1].off == in[0].off + 4 &&
        in[0].dst != in[0].src && in[1].dst != in[0].dst && in[2].dst == in[1].dst &&
        in[2].imm == 32 && in[3].dst == in[1].dst && in[3].src == in[0].dst) {
        int base = host_reg[in[0].src];
        x86_op_rm(b, 0, 0x8b, 1, host_reg[in[0].dst], base, in[0].off);
        x86_op_rm(b, X86_W, 0x8b, 1, host_reg[in[1].dst], base, in[0].off);
        return 4;
    }
    if (first == ISA_LSH64_IMM && in[0].imm == 32 &&
        (NEXT_IS(1, ISA_RSH64_IMM) || NEXT_IS(1, ISA_ARSH64_IMM)) && in[1].dst == in[0].dst &&
        in[1].imm == 32) {
        int dst = host_reg[in[0].dst];
        if (isa_decode(&in[1]) == ISA_RSH64_IMM)
            zero_extend32(c, dst);
        else
            x86_op_rr(b, X86_W, 0x63, 1, dst, dst);
        return 2;
    }
    const struct plan *p = &plans[first];
    /* if cond goto +1; goto L: if !cond goto L (x86 negates a condition by its low bit). */
    if ((p->kind == K_JCC || p->kind == K_JSET) && !c->count_steps && in[0].off == 1 &&
        (NEXT_IS(1, ISA_JA) || NEXT_IS(1, ISA_JA32))) {
        emit_compare(c, p, &in[0]);
        branch_to(c, (enum x86_cond)(p->op ^ 1), pc_label((size_t)isa_jump_target(&in[1], pc + 1)));
        return 2;
    }
#undef NEXT_IS
    return 0;
}

/* With count_steps, a backward jump charges the length of the loop it closes (taken or not:
 * an over-estimate keeps the check to one decrement). */
static void charge_loop(struct compiler *c, const struct ebpf_insn *insn, size_t pc)
{
    int64_t target = isa_jump_target(insn, pc);
    if (!c->count_steps || target > (int64_t)pc)
        return;
    int32_t length = (int32_t)((int64_t)pc - target + 1);
    x86_op_rm(&c->b, X86_W, 0x81, 1, X86_SUB, CONTEXT_REG, offsetof(struct jit_context, steps_left));
    x86_u32(&c->b, (uint32_t)length);
    branch_to_fault(c, X86_CC_B, pc, JIT_FAULT_STEP_BUDGET);
}

static void emit_insn(struct compiler *c, size_t pc)
{
    struct x86_buf *b = &c->b;
    const struct ebpf_insn *insn = &c->insns[pc];
    const struct plan *p = &plans[isa_decode(insn)];
    int dst = host_reg[insn->dst];
    int src = host_reg[insn->src];
    switch (p->kind) {
    case K_ALU:
        if (!p->imm) {
            x86_alu_rr(b, p->w, p->op, dst, src);
        } else if (c->blinding) {
            load_imm(c, X86_R11, insn->imm);
            x86_alu_rr(b, p->w, p->op, dst, X86_R11);
        } else {
            x86_alu_ri(b, p->w, p->op, dst, insn->imm);
        }
        break;
    case K_MUL:
        if (!p->imm) {
            x86_op_rr(b, p->w ? X86_W : 0, 0xaf0f, 2, dst, src);
        } else if (c->blinding) {
            load_imm(c, X86_R11, insn->imm);
            x86_op_rr(b, p->w ? X86_W : 0, 0xaf0f, 2, dst, X86_R11);
        } else {
            x86_op_rr(b, p->w ? X86_W : 0, 0x69, 1, dst, dst);
            x86_u32(b, (uint32_t)insn->imm);
        }
        break;
    case K_DIV: emit_division(c, p, insn); break;
    case K_SHIFT: emit_shift(c, p, insn); break;
    case K_NEG: x86_op_rr(b, p->w ? X86_W : 0, 0xf7, 1, 3, dst); break;
    case K_MOV:
        if (!p->imm) {
            x86_mov_rr(b, p->w, dst, src);
        } else if (c->blinding) {
            int32_t key = (int32_t)next_key(c);
            x86_mov_ri(b, p->w, dst, insn->imm ^ key);
            x86_alu_ri(b, p->w, X86_XOR, dst, key);
        } else {
            x86_mov_ri(b, p->w, dst, insn->imm);
        }
        break;
    case K_MOVSX:
        if (p->op == 8)
            x86_op_rr(b, (p->w ? X86_W : 0) | X86_BYTE, 0xbe0f, 2, dst, src);
        else if (p->op == 16)
            x86_op_rr(b, p->w ? X86_W : 0, 0xbf0f, 2, dst, src);
        else
            x86_op_rr(b, X86_W, 0x63, 1, dst, src);
        break;
    case K_LE:
    case K_BE:
    case K_BSWAP: emit_byte_swap(c, p, dst); break;
    case K_JA:
        charge_loop(c, insn, pc);
        jump_to(c, pc_label((size_t)isa_jump_target(insn, pc)));
        break;
    case K_JCC:
    case K_JSET:
        charge_loop(c, insn, pc);
        emit_compare(c, p, insn);
        branch_to(c, p->op, pc_label((size_t)isa_jump_target(insn, pc)));
        break;
    case K_CALL_HELPER:
        if (c->inline_lookup[pc])
            emit_array_lookup(c, c->inline_lookup[pc]);
        else
            emit_helper_call(c, (uintptr_t)c->prog->helpers->fn[insn->imm]);
        break;
    case K_CALL_LOCAL: {
        size_t target = pc + 1 + (size_t)(int64_t)insn->imm;
        int32_t depth = offsetof(struct jit_context, depth);
        x86_op_rm(b, 0, 0x83, 1, X86_CMP, CONTEXT_REG, depth);
        x86_u8(b, EBPF_MAX_CALL_DEPTH - 1);
        branch_to_fault(c, X86_CC_AE, pc, JIT_FAULT_CALL_DEPTH);
        x86_op_rm(b, 0, 0x83, 1, X86_ADD, CONTEXT_REG, depth);
        x86_u8(b, 1);
        call_label(c, function_label(c, target));
        x86_op_rm(b, 0, 0x83, 1, X86_SUB, CONTEXT_REG, depth);
        x86_u8(b, 1);
        break;
    }
    case K_CALLX: emit_callx(c, insn, pc); break;
    case K_EXIT: emit_function_exit(c); break;
    case K_LDDW:
        load_imm64(c, dst, (uint32_t)insn->imm | ((uint64_t)(uint32_t)insn[1].imm << 32));
        break;
    case K_LDDW_FUNC: /* lea dst, [rip + function]: the function's entry, its prologue */
        x86_u8(b, (uint8_t)(0x48 | ((dst & 8) ? 4 : 0)));
        x86_u8(b, 0x8d);
        x86_u8(b, (uint8_t)(((dst & 7) << 3) | 5));
        add_fixup(c, b->len, function_label(c, pc + 1 + (size_t)(int64_t)insn->imm), false);
        x86_u32(b, 0);
        break;
    case K_LD_PACKET: emit_packet_load(c, p, insn); break;
    case K_LDX: emit_load(c, p, dst, src, -1, insn->off); break;
    case K_ST: emit_store_imm(c, p->size, dst, insn->off, insn->imm); break;
    case K_STX: emit_store_reg(c, p->size, dst, insn->off, src); break;
    case K_ATOMIC: emit_atomic(c, p, insn); break;
    default: break; /* kfunc calls and unresolved lddw forms are refused before translation */
    }
}

/* One pass over the program. */
static int translate(struct compiler *c)
{
    c->b.len = 0;
    c->fixup_count = c->fault_count = c->jump_count = 0;
    c->key_state = c->blinding_seed | 1; /* the same keys, hence the same sizes, every pass */
    for (size_t i = 0; i < c->label_count; i++)
        c->label_pos[i] = UNBOUND;
    if (!c->leaf)
        emit_entry(c);
    for (size_t pc = 0; pc < c->count; pc++) {
        if (c->is_function[pc]) {
            /* Falling into a function from the code before it continues in the same frame,
             * as a jump to its first instruction does. */
            if (pc > 0)
                jump_to(c, pc_label(pc));
            bind_label(c, function_label(c, pc));
            if (c->leaf)
                emit_leaf_prologue(c);
            else
                emit_function_prologue(c);
        }
        bind_label(c, pc_label(pc));
        size_t fused = emit_fused(c, pc);
        if (fused) {
            while (--fused)
                bind_label(c, pc_label(++pc)); /* not jump targets: for completeness */
            continue;
        }
        emit_insn(c, pc);
        if (isa_is_lddw(&c->insns[pc]))
            bind_label(c, pc_label(++pc));
    }
    if (!c->leaf)
        emit_slow_paths(c);
    if (c->b.out_of_memory || c->out_of_memory)
        return -ENOMEM;
    for (size_t i = 0; i < c->fixup_count; i++) {
        const struct fixup *f = &c->fixups[i];
        int64_t rel = (int64_t)c->label_pos[f->label] - (int64_t)(f->at + (f->short_form ? 1 : 4));
        if (f->short_form) {
            if (rel < -128 || rel > 127)
                return -ERANGE; /* cannot happen: see struct compiler */
            c->b.data[f->at] = (uint8_t)(int8_t)rel;
        } else {
            x86_patch_u32(&c->b, f->at, (uint32_t)(int32_t)rel);
        }
    }
    return 0;
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

/* Where helpers may call the program back: the functions lddw src 4 names. */
static int record_callbacks(struct compiler *c, struct jit_program *prog)
{
    size_t n = 0;
    for (size_t pc = 0; pc < c->count; pc++)
        if (isa_decode(&c->insns[pc]) == ISA_LDDW_FUNC)
            n++;
    prog->callbacks = malloc(n * sizeof(*prog->callbacks));
    if (!prog->callbacks)
        return -ENOMEM;
    for (size_t pc = 0; pc < c->count; pc++) {
        if (isa_decode(&c->insns[pc]) != ISA_LDDW_FUNC)
            continue;
        size_t target = pc + 1 + (size_t)(int64_t)c->insns[pc].imm;
        prog->callbacks[prog->callback_count++] = c->base + c->label_pos[function_label(c, target)];
    }
    qsort(prog->callbacks, n, sizeof(*prog->callbacks), compare_addresses);
    prog->callback_entry =
        (jit_callback_entry_fn)(void *)(c->base + c->label_pos[special_label(c, L_CALLBACK_ENTRY)]);
    prog->has_callbacks = true;
    return 0;
}

static int compile_passes(struct compiler *c, struct jit_program *prog, char *msg, size_t msg_size)
{
    c->label_pos = calloc(c->label_count, sizeof(*c->label_pos));
    c->prev_label_pos = NULL;
    size_t *prev_pos = calloc(c->label_count, sizeof(*prev_pos));
    int err = -ENOMEM;
    if (!c->label_pos || !prev_pos)
        goto out;
    err = translate(c);
    if (err)
        goto out;
    c->size_bound = c->b.len;
    const void *near = (const void *)(uintptr_t)&jit_support_fault;
    err = exec_memory_reserve(c->size_bound, near, &prog->code, msg, msg_size);
    if (err)
        goto out;
    c->base = (uintptr_t)prog->code.base;
    enum { MAX_PASSES = 10 };
    for (int pass = 1; pass < MAX_PASSES; pass++) {
        size_t previous_len = c->b.len;
        memcpy(prev_pos, c->label_pos, c->label_count * sizeof(*prev_pos));
        c->prev_label_pos = prev_pos;
        bool *swap = c->prev_short_jump;
        c->prev_short_jump = c->short_jump;
        c->short_jump = swap;
        size_t cap = c->jump_cap;
        c->jump_cap = c->prev_jump_cap;
        c->prev_jump_cap = cap;
        c->prev_jump_count = c->jump_count;
        err = translate(c);
        if (err || c->b.len == previous_len)
            break;
    }
    if (err)
        goto out;
    memcpy(prog->code.base, c->b.data, c->b.len);
    err = exec_memory_seal(&prog->code, msg, msg_size);
    if (err)
        goto out;
    prog->code_size = c->b.len;
    prog->entry = (jit_entry_fn)(void *)prog->code.base;
    prog->body = (uint8_t *)prog->code.base + c->label_pos[function_label(c, 0)];
    if (c->has_callbacks)
        err = record_callbacks(c, prog);
out:
    if (err == -ENOMEM)
        snprintf(msg, msg_size, "out of memory translating %zu instructions", c->count);
    else if (err == -ERANGE)
        snprintf(msg, msg_size, "internal error: a short branch went out of reach");
    if (err)
        exec_memory_release(&prog->code);
    free(prev_pos);
    return err;
}

static const struct jit_array_map *array_map_of(const struct jit_options *opts, uint64_t handle)
{
    for (size_t i = 0; i < opts->array_map_count; i++)
        if (opts->array_maps[i].handle == handle)
            return &opts->array_maps[i];
    return NULL;
}

/* The registers some path through a leaf program reads before writing them (which its entry
 * must zero, as the interpreter's are): a forward "surely written" analysis, intersecting at
 * joins, iterated to a fixed point. Leaves have no calls: the successors of an instruction
 * are the next one and its jump target. */
static int find_unset_registers(struct compiler *c)
{
    uint16_t *written = malloc(c->count * sizeof(*written));
    if (!written)
        return -ENOMEM;
    const uint16_t at_entry = (1u << 1) | (1u << 2) | (1u << EBPF_REG_FP);
    for (size_t pc = 0; pc < c->count; pc++)
        written[pc] = UINT16_MAX; /* not reached (yet) */
    written[0] = at_entry;
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t pc = 0; pc < c->count; pc++) {
            const struct ebpf_insn *insn = &c->insns[pc];
            enum plan_kind kind = plans[isa_decode(insn)].kind;
            uint16_t reads, writes;
            isa_insn_regs(insn, &reads, &writes);
            uint16_t out = written[pc] | writes;
            size_t next = pc + (isa_is_lddw(insn) ? 2 : 1);
            size_t succ[2], n = 0;
            if (kind != K_JA && kind != K_EXIT && next < c->count)
                succ[n++] = next;
            if (kind == K_JA || kind == K_JCC || kind == K_JSET)
                succ[n++] = (size_t)isa_jump_target(insn, pc);
            for (size_t i = 0; i < n; i++) {
                if ((written[succ[i]] & out) != written[succ[i]]) {
                    written[succ[i]] &= out;
                    changed = true;
                }
            }
            pc = next - 1;
        }
    }
    for (size_t pc = 0; pc < c->count; pc++) {
        uint16_t reads, writes;
        isa_insn_regs(&c->insns[pc], &reads, &writes);
        c->regs_unset |= reads & ~written[pc];
        if (isa_is_lddw(&c->insns[pc]))
            pc++;
    }
    free(written);
    return 0;
}

/* What translation needs to know of the whole program: functions, jump targets, the lookups
 * it can inline, whether it is a leaf, the registers it uses. */
static int analyze(struct compiler *c, const struct jit_options *opts)
{
    c->is_function = calloc(c->count, 1);
    c->is_target = calloc(c->count, 1);
    c->inline_lookup = calloc(c->count, sizeof(*c->inline_lookup));
    if (!c->is_function || !c->is_target || !c->inline_lookup)
        return -ENOMEM;
    c->is_function[0] = 1;
    for (size_t pc = 0; pc < c->count; pc++) {
        enum isa_form_id id = isa_decode(&c->insns[pc]);
        if (id == ISA_CALL_LOCAL || id == ISA_LDDW_FUNC) {
            c->is_function[pc + 1 + (size_t)(int64_t)c->insns[pc].imm] = 1;
            c->is_target[pc + 1 + (size_t)(int64_t)c->insns[pc].imm] = 1;
        }
        enum plan_kind kind = plans[id].kind;
        if (kind == K_JA || kind == K_JCC || kind == K_JSET)
            c->is_target[isa_jump_target(&c->insns[pc], pc)] = 1; /* in range: validated */
        if (isa_is_lddw(&c->insns[pc]))
            pc++;
    }
    /* r1 at a map_lookup_elem call is known when an lddw set it in the same straight-line
     * stretch of code (no jump lands in between, nothing else writes r1). */
    const struct jit_array_map *r1_map = NULL;
    c->leaf = !c->count_steps;
    for (size_t pc = 0; pc < c->count; pc++) {
        const struct ebpf_insn *insn = &c->insns[pc];
        enum isa_form_id id = isa_decode(insn);
        const struct plan *p = &plans[id];
        if (c->is_target[pc])
            r1_map = NULL;
        if (id == ISA_CALL_HELPER && insn->imm == HELPER_ID_MAP_LOOKUP_ELEM && r1_map)
            c->inline_lookup[pc] = r1_map;
        if (p->kind == K_LDDW_FUNC)
            c->has_callbacks = true;
        if ((p->kind == K_CALL_HELPER && !c->inline_lookup[pc]) || p->kind == K_CALL_LOCAL ||
            p->kind == K_CALLX || p->kind == K_LD_PACKET || p->kind == K_LDDW_FUNC)
            c->leaf = false;
        uint16_t reads, writes;
        isa_insn_regs(insn, &reads, &writes);
        c->regs_used |= reads | writes;
        if (p->kind == K_CALL_HELPER || p->kind == K_CALL_LOCAL || p->kind == K_CALLX ||
            (writes & (1u << 1)))
            r1_map = NULL;
        if (id == ISA_LDDW && insn->dst == 1)
            r1_map = array_map_of(opts, (uint32_t)insn->imm | (uint64_t)(uint32_t)insn[1].imm << 32);
        if (isa_is_lddw(insn))
            pc++;
    }
    return c->leaf ? find_unset_registers(c) : 0;
}

int jit_backend_compile(struct jit_program *prog, const struct ebpf_insn *insns, size_t count,
                        const struct jit_options *opts, uint64_t blinding_seed, char *msg,
                        size_t msg_size)
{
    struct compiler c = {
        .insns = insns,
        .count = count,
        .prog = prog,
        .label_count = 4 * count + L_SPECIAL_COUNT,
        .blinding = opts->constant_blinding,
        .count_steps = opts->count_steps,
        .blinding_seed = blinding_seed,
    };
    int err = analyze(&c, opts);
    if (!err)
        err = compile_passes(&c, prog, msg, msg_size);
    else
        snprintf(msg, msg_size, "out of memory translating %zu instructions", count);
    free(c.is_target);
    free(c.is_function);
    free(c.inline_lookup);
    free(c.label_pos);
    free(c.fixups);
    free(c.faults);
    free(c.short_jump);
    free(c.prev_short_jump);
    x86_buf_free(&c.b);
    return err;
}

bool jit_backend_available(void) { return true; }

#endif
