/* The JIT against the interpreter on random valid programs: straight-line ALU over every
 * form, forward jumps, loads and stores to the stack and a memory block, atomics, helper calls
 * (direct and callx), bpf-to-bpf calls, packet loads, bpf_loop with a callback function, the
 * idioms the JIT translates together (address arithmetic into loads and stores, shift pairs,
 * split u64 loads, a conditional jump over a jump) or could (over a move), and leaf programs (no calls or packet loads, which the JIT
 * runs without a context). Both engines run the same program on the same memory block and
 * must agree on r0, the error and every byte of the block.
 *
 * Generated programs never let the frame pointer's value reach a result (the two engines'
 * stacks differ) and re-initialise r1-r5 after helper calls, which clobber them.
 *
 * `make test` runs it for a moment; `make fuzz` for FUZZ_SECONDS. Environment:
 * JIT_DIFF_SEED (first seed), JIT_DIFF_SECONDS (how long), JIT_DIFF_COUNT (how many programs;
 * 1 with the seed of a failure reproduces it). */
#include "helpers/helpers.h"
#include "jit/jit.h"
#include "test.h"
#include "test_jit_insns.h"

#include <errno.h>
#include <time.h>

/* The memory block: random accesses go to its first MEM_SIZE bytes; after them every
 * function dumps its registers and an "ended" marker before it exits (DUMP_SIZE each). The
 * last function is only ever called back by bpf_loop, with the block as its context. */
enum { MEM_SIZE = 256, MAX_INSNS = 4096, FUNCTIONS = 4, MEM_REG = 9, DUMP_SIZE = 80 };
enum { CALLBACK = FUNCTIONS - 1, BLOCK_SIZE = MEM_SIZE + FUNCTIONS * DUMP_SIZE };

struct rng {
    uint64_t state;
};

static uint64_t next(struct rng *r)
{
    r->state ^= r->state << 13;
    r->state ^= r->state >> 7;
    r->state ^= r->state << 17;
    return r->state;
}

static uint32_t below(struct rng *r, uint32_t n) { return (uint32_t)(next(r) % n); }

/* Immediates: mostly interesting edges, sometimes anything. */
static int32_t random_imm(struct rng *r)
{
    static const int32_t edges[] = {0, 1, -1, 2, 7, 31, 32, 63, 64, 255, 0x7fffffff, INT32_MIN,
                                    0xffff, -2, 16, 8};
    return below(r, 3) ? edges[below(r, sizeof(edges) / sizeof(edges[0]))] : (int32_t)next(r);
}

/* Registers holding data (never r9, the memory block, or r10). */
static uint8_t data_reg(struct rng *r) { return (uint8_t)below(r, 9); }

struct program {
    struct ebpf_insn insns[MAX_INSNS];
    size_t count;
    /* Positions where a jump may land: starts of generated sequences. */
    bool boundary[MAX_INSNS];
    bool leaf; /* no helper, local call, callback or packet load */
};

static void emit(struct program *p, struct ebpf_insn insn)
{
    if (p->count < MAX_INSNS)
        p->insns[p->count++] = insn;
}

static void emit_sequence_start(struct program *p)
{
    if (p->count < MAX_INSNS)
        p->boundary[p->count] = true;
}

/* Forms the generator draws ALU, memory and jump instructions from. */
static enum isa_form_id forms[ISA_FORM_COUNT];
static size_t form_count;

static void collect_forms(void)
{
    if (form_count)
        return;
    for (int id = 1; id < ISA_FORM_COUNT; id++) {
        switch (isa_forms[id].operands) {
        case ISA_OPS_DST:
        case ISA_OPS_DST_IMM:
        case ISA_OPS_DST_SRC:
        case ISA_OPS_LOAD:
        case ISA_OPS_STORE_IMM:
        case ISA_OPS_STORE_REG:
        case ISA_OPS_JUMP:
        case ISA_OPS_JUMP32:
        case ISA_OPS_COND_IMM:
        case ISA_OPS_COND_REG:
        case ISA_OPS_CALL_HELPER:
        case ISA_OPS_CALLX:
        case ISA_OPS_LD_ABS:
        case ISA_OPS_LD_IND:
            forms[form_count++] = (enum isa_form_id)id;
            break;
        case ISA_OPS_LDDW:
            if (id == ISA_LDDW)
                forms[form_count++] = (enum isa_form_id)id;
            break;
        default:
            break;
        }
    }
}

static unsigned access_size(const struct ebpf_insn *insn)
{
    static const unsigned sizes[] = {4, 2, 1, 8};
    return sizes[(insn->code >> 3) & 3];
}

/* A memory operand: the block (r9) or the stack (r10), offset in bounds and, for atomics,
 * aligned. */
static void random_address(struct rng *r, struct ebpf_insn *insn, unsigned size, bool aligned)
{
    bool stack = below(r, 2);
    unsigned span = stack ? EBPF_STACK_SIZE : MEM_SIZE;
    unsigned off = below(r, span - size + 1);
    if (aligned)
        off -= off % size;
    if (stack) {
        insn->dst = EBPF_REG_FP;
        insn->off = (int16_t)((int)off - EBPF_STACK_SIZE);
    } else {
        insn->dst = MEM_REG;
        insn->off = (int16_t)off;
    }
}

static void reinit_args(struct rng *r, struct program *p)
{
    for (uint8_t reg = 1; reg <= 5; reg++)
        emit(p, (struct ebpf_insn)MOV64(reg, 0));
    p->insns[p->count - 1 - below(r, 5)].imm = random_imm(r);
}

static bool calls_or_reads_packet(enum isa_form_id id)
{
    enum isa_operands ops = isa_forms[id].operands;
    return ops == ISA_OPS_CALL_HELPER || ops == ISA_OPS_CALLX || ops == ISA_OPS_LD_ABS ||
           ops == ISA_OPS_LD_IND;
}

static struct ebpf_insn form_insn(enum isa_form_id id)
{
    const struct isa_form *f = &isa_forms[id];
    struct ebpf_insn insn = {.code = f->code};
    if (f->match == ISA_MATCH_OFF)
        insn.off = (int16_t)f->match_value;
    else if (f->match == ISA_MATCH_IMM)
        insn.imm = f->match_value;
    else if (f->match == ISA_MATCH_SRC)
        insn.src = (uint8_t)f->match_value;
    return insn;
}

/* The idioms the JIT fuses: what clang emits for array indexing, 32-bit extension and
 * inverted loop conditions. */
static void random_idiom(struct rng *r, struct program *p, size_t *pending_jumps,
                         size_t *pending_count)
{
    uint8_t d = data_reg(r), b = data_reg(r);
    switch (below(r, 4)) {
    case 0: { /* d = base; d += k; d += b; load into d, store through d, or just the address */
        static const enum isa_form_id loads[] = {ISA_LDXB, ISA_LDXH, ISA_LDXW, ISA_LDXDW,
                                                 ISA_LDXSB, ISA_LDXSH, ISA_LDXSW};
        static const enum isa_form_id stores[] = {ISA_STXB, ISA_STXH, ISA_STXW, ISA_STXDW};
        bool stack = below(r, 2), load = stack || below(r, 2), with_k = below(r, 4), with_b = below(r, 4);
        struct ebpf_insn access = form_insn(load ? loads[below(r, 7)] : stores[below(r, 4)]);
        unsigned size = access_size(&access), span = stack ? EBPF_STACK_SIZE : MEM_SIZE;
        int32_t at = (int32_t)below(r, span - size + 1) - (stack ? EBPF_STACK_SIZE : 0);
        int32_t index = with_b && b != d ? (int32_t)below(r, 64) : 0;
        int32_t k = with_k ? (int32_t)below(r, 128) - 64 : 0;
        if (index)
            emit(p, (struct ebpf_insn)MOV64(b, index));
        emit(p, (struct ebpf_insn)MOV64_R(d, stack ? EBPF_REG_FP : MEM_REG));
        if (with_k)
            emit(p, (struct ebpf_insn)ALU64_IMM(OP_ADD, d, k));
        if (index)
            emit(p, (struct ebpf_insn)ALU64_REG(OP_ADD, d, b));
        access.off = (int16_t)(at - k - index);
        if (load) {
            access.dst = d;
            access.src = d;
        } else {
            access.dst = d;
            access.src = data_reg(r);
        }
        if (stack || below(r, 4))
            emit(p, access);
        return;
    }
    case 1: /* [d = b;] d <<= 32; d >>= 32 (or s>>= 32); or an unaligned u64 load in halves */
        if (b != d && below(r, 3) == 0) {
            bool stack = below(r, 2);
            int32_t at = (int32_t)below(r, (stack ? EBPF_STACK_SIZE : MEM_SIZE) - 8 + 1) -
                         (stack ? EBPF_STACK_SIZE : 0);
            uint8_t base = stack ? EBPF_REG_FP : MEM_REG;
            emit(p, (struct ebpf_insn)LDX(EBPF_SIZE_W, b, base, (int16_t)at));
            emit(p, (struct ebpf_insn)LDX(EBPF_SIZE_W, d, base, (int16_t)(at + 4)));
            emit(p, (struct ebpf_insn)ALU64_IMM(OP_LSH, d, 32));
            emit(p, (struct ebpf_insn)ALU64_REG(OP_OR, d, b));
            return;
        }
        if (below(r, 2))
            emit(p, (struct ebpf_insn)MOV64_R(d, b));
        emit(p, (struct ebpf_insn)ALU64_IMM(OP_LSH, d, 32));
        if (below(r, 2))
            emit(p, (struct ebpf_insn)ALU64_IMM(OP_RSH, d, 32));
        else
            emit(p, (struct ebpf_insn)ALU64_IMM(OP_ARSH, d, 32));
        return;
    case 2: { /* if cond goto L; d = x; [goto L;] L: */
        static const uint8_t ops[] = {OP_JEQ, OP_JGT, OP_JSET, OP_JNE, OP_JSGE, OP_JLT, OP_JSLE};
        bool imm = below(r, 2), with_goto = below(r, 2);
        uint8_t class = below(r, 2) ? EBPF_CLASS_JMP : EBPF_CLASS_JMP32;
        uint8_t op = ops[below(r, sizeof(ops))];
        emit(p, (struct ebpf_insn)INSN((uint8_t)(class | op | (imm ? 0 : EBPF_SRC_X)), d,
                                       imm ? 0 : b, with_goto ? 2 : 1, imm ? random_imm(r) : 0));
        uint8_t mov_class = below(r, 2) ? EBPF_CLASS_ALU64 : EBPF_CLASS_ALU;
        if (below(r, 2))
            emit(p, (struct ebpf_insn)INSN((uint8_t)(mov_class | OP_MOV), data_reg(r), 0, 0, random_imm(r)));
        else
            emit(p, (struct ebpf_insn)INSN((uint8_t)(mov_class | OP_MOV | EBPF_SRC_X), data_reg(r),
                                           data_reg(r), 0, 0));
        if (with_goto)
            emit(p, (struct ebpf_insn)JA(0));
        return;
    }
    default: { /* if cond goto +1; goto forward */
        static const uint8_t ops[] = {OP_JEQ, OP_JGT, OP_JGE, OP_JSET, OP_JNE, OP_JSGT, OP_JSGE,
                                      OP_JLT, OP_JLE, OP_JSLT, OP_JSLE};
        uint8_t op = ops[below(r, sizeof(ops))];
        bool imm = below(r, 2);
        uint8_t class = below(r, 2) ? EBPF_CLASS_JMP : EBPF_CLASS_JMP32;
        struct ebpf_insn cond = INSN((uint8_t)(class | op | (imm ? 0 : EBPF_SRC_X)), d,
                                     imm ? 0 : b, 1, imm ? random_imm(r) : 0);
        emit(p, cond);
        pending_jumps[(*pending_count)++] = p->count;
        emit(p, (struct ebpf_insn)JA(0));
        return;
    }
    }
}

/* bpf_loop(0-3 times, the callback, ctx = the block, 0); the callback's address is patched
 * once every function's start is known. */
static void loop_with_callback(struct rng *r, struct program *p, size_t *call_sites,
                               int *call_targets, size_t *call_count)
{
    emit(p, (struct ebpf_insn)MOV64(1, (int32_t)below(r, 4)));
    call_sites[*call_count] = p->count;
    call_targets[(*call_count)++] = CALLBACK;
    struct ebpf_insn lddw[2] = {LDDW_SRC(2, EBPF_LDDW_FUNC, 0)};
    emit(p, lddw[0]);
    emit(p, lddw[1]);
    emit(p, (struct ebpf_insn)MOV64_R(3, MEM_REG));
    emit(p, (struct ebpf_insn)MOV64(4, 0));
    emit(p, (struct ebpf_insn)CALL(HELPER_LOOP));
    reinit_args(r, p);
}

/* One random instruction sequence at the end of p; jumps go forward up to limit (exclusive),
 * which is resolved later from the boundary list. */
static void random_sequence(struct rng *r, struct program *p, size_t *pending_jumps,
                            size_t *pending_count)
{
    emit_sequence_start(p);
    if (below(r, 8) == 0) {
        random_idiom(r, p, pending_jumps, pending_count);
        return;
    }
    enum isa_form_id id;
    do
        id = forms[below(r, (uint32_t)form_count)];
    while (p->leaf && calls_or_reads_packet(id));
    const struct isa_form *f = &isa_forms[id];
    struct ebpf_insn insn = {.code = f->code};
    if (f->match == ISA_MATCH_OFF)
        insn.off = (int16_t)f->match_value;
    else if (f->match == ISA_MATCH_IMM)
        insn.imm = f->match_value;
    else if (f->match == ISA_MATCH_SRC)
        insn.src = (uint8_t)f->match_value;
    switch (f->operands) {
    case ISA_OPS_DST:
        insn.dst = data_reg(r);
        break;
    case ISA_OPS_DST_IMM:
        insn.dst = data_reg(r);
        insn.imm = random_imm(r);
        break;
    case ISA_OPS_DST_SRC:
        insn.dst = data_reg(r);
        insn.src = data_reg(r);
        break;
    case ISA_OPS_LOAD: {
        insn.src = 0;
        struct ebpf_insn addr = {.code = f->code};
        random_address(r, &addr, access_size(&insn), false);
        insn.src = addr.dst;
        insn.off = addr.off;
        insn.dst = data_reg(r);
        break;
    }
    case ISA_OPS_STORE_IMM:
        random_address(r, &insn, access_size(&insn), false);
        insn.imm = random_imm(r);
        break;
    case ISA_OPS_STORE_REG: {
        bool atomic = (insn.code & 0xe0) == EBPF_MODE_ATOMIC;
        random_address(r, &insn, access_size(&insn), atomic);
        insn.src = data_reg(r);
        break;
    }
    case ISA_OPS_JUMP:
    case ISA_OPS_JUMP32:
    case ISA_OPS_COND_IMM:
    case ISA_OPS_COND_REG:
        if (f->operands == ISA_OPS_COND_IMM || f->operands == ISA_OPS_COND_REG)
            insn.dst = data_reg(r);
        if (f->operands == ISA_OPS_COND_IMM)
            insn.imm = random_imm(r);
        if (f->operands == ISA_OPS_COND_REG)
            insn.src = data_reg(r);
        /* the target is chosen when the function is complete */
        pending_jumps[(*pending_count)++] = p->count;
        break;
    case ISA_OPS_CALL_HELPER:
        insn.imm = 1;
        emit(p, insn);
        reinit_args(r, p);
        return;
    case ISA_OPS_CALLX: {
        uint8_t reg = (uint8_t)(6 + below(r, 3));
        emit(p, (struct ebpf_insn)MOV64(reg, 1));
        insn.dst = reg;
        emit(p, insn);
        reinit_args(r, p);
        return;
    }
    /* Packet offsets: rarely out of bounds, which ends the program. */
    case ISA_OPS_LD_ABS:
        insn.imm = (int32_t)below(r, below(r, 32) ? 60 : 100);
        break;
    case ISA_OPS_LD_IND: {
        uint8_t reg = data_reg(r);
        emit(p, (struct ebpf_insn)MOV64(reg, (int32_t)below(r, below(r, 32) ? 56 : 100)));
        insn.src = reg;
        insn.imm = (int32_t)below(r, 4);
        break;
    }
    case ISA_OPS_LDDW: {
        uint64_t v = next(r);
        struct ebpf_insn pair[2] = {LDDW(data_reg(r), v)};
        emit(p, pair[0]);
        emit(p, pair[1]);
        return;
    }
    default:
        break;
    }
    emit(p, insn);
}

/* Function f (0 = main) of the program: zeroes its stack, sets its registers, runs random
 * sequences and calls of later functions, and returns r0. Local call targets are patched once
 * every function's start is known. */
static void random_function(struct rng *r, struct program *p, int f, size_t *call_sites,
                            int *call_targets, size_t *call_count)
{
    for (int off = 8; off <= EBPF_STACK_SIZE; off += 8)
        emit(p, (struct ebpf_insn)ST(EBPF_SIZE_DW, EBPF_REG_FP, (int16_t)-off, 0));
    if (f == 0)
        emit(p, (struct ebpf_insn)MOV64_R(MEM_REG, 1));
    if (f == CALLBACK) /* called back as callback(index, ctx = the block) */
        emit(p, (struct ebpf_insn)MOV64_R(MEM_REG, 2));
    for (uint8_t reg = 0; reg < MEM_REG; reg++)
        if (f == 0 || reg == 0 || below(r, 3) == 0)
            emit(p, (struct ebpf_insn)MOV64(reg, random_imm(r)));
    size_t pending[MAX_INSNS], pending_count = 0;
    size_t length = 10 + below(r, 80);
    for (size_t i = 0; i < length && p->count + 40 < MAX_INSNS; i++) {
        if (f < CALLBACK && !p->leaf && below(r, 40) == 0) {
            emit_sequence_start(p);
            loop_with_callback(r, p, call_sites, call_targets, call_count);
            continue;
        }
        if (f + 1 < CALLBACK && !p->leaf && below(r, 25) == 0) {
            emit_sequence_start(p);
            call_sites[*call_count] = p->count;
            call_targets[(*call_count)++] = f + 1 + (int)below(r, (uint32_t)(CALLBACK - f - 1));
            emit(p, (struct ebpf_insn)CALL_LOCAL(0));
            continue;
        }
        random_sequence(r, p, pending, &pending_count);
    }
    emit_sequence_start(p);
    int16_t dump = (int16_t)(MEM_SIZE + f * DUMP_SIZE);
    for (uint8_t reg = 0; reg < MEM_REG; reg++)
        emit(p, (struct ebpf_insn)STX(EBPF_SIZE_DW, MEM_REG, reg, (int16_t)(dump + 8 * reg)));
    emit(p, (struct ebpf_insn)ST(EBPF_SIZE_DW, MEM_REG, (int16_t)(dump + 8 * MEM_REG), 1));
    emit(p, (struct ebpf_insn)EXIT);
    /* Forward jumps to a sequence start after them, within this function. */
    for (size_t i = 0; i < pending_count; i++) {
        size_t at = pending[i];
        size_t candidates[MAX_INSNS], n = 0;
        for (size_t t = at + 1; t < p->count; t++)
            if (p->boundary[t])
                candidates[n++] = t;
        size_t target = candidates[below(r, (uint32_t)n)];
        int32_t rel = (int32_t)(target - at - 1);
        if (p->insns[at].code == (EBPF_CLASS_JMP32 | OP_JA))
            p->insns[at].imm = rel;
        else
            p->insns[at].off = (int16_t)rel;
    }
}

static void random_program(struct rng *r, struct program *p)
{
    memset(p, 0, sizeof(*p));
    p->leaf = below(r, 4) == 0;
    size_t starts[FUNCTIONS], call_sites[MAX_INSNS];
    int call_targets[MAX_INSNS];
    size_t call_count = 0;
    for (int f = 0; f < FUNCTIONS; f++) {
        starts[f] = p->count;
        random_function(r, p, f, call_sites, call_targets, &call_count);
    }
    for (size_t i = 0; i < call_count; i++)
        p->insns[call_sites[i]].imm = (int32_t)(starts[call_targets[i]] - call_sites[i] - 1);
}

static uint64_t mix_args(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
                         struct vm_run *run)
{
    return (r1 ^ (r2 << 1)) + r3 * 3 - r4 + (r5 >> 2);
}

static struct vm_helpers helpers = {.fn = {[1] = mix_args}};
static const uint8_t packet[64] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 1, 2, 3, 4, 5};

struct result {
    int error;
    uint64_t r0;
    uint8_t mem[BLOCK_SIZE];
};

static void initial_memory(uint8_t *mem, uint64_t seed)
{
    struct rng r = {seed | 1};
    for (size_t i = 0; i < MEM_SIZE; i++)
        mem[i] = (uint8_t)next(&r);
    memset(mem + MEM_SIZE, 0, BLOCK_SIZE - MEM_SIZE);
}

static int programs_ending_early; /* main's marker not written: a packet load out of bounds */

static bool same_on_both_engines(const struct program *p, uint64_t seed, bool blinding)
{
    static uint8_t mem[BLOCK_SIZE];
    struct result interp = {0}, jit = {0};
    char msg[256];
    struct vm_program *vp;
    if (vm_load(p->insns, p->count, &helpers, &vp, msg, sizeof(msg))) {
        fprintf(stderr, "  seed %" PRIu64 ": interpreter refuses the program: %s\n", seed, msg);
        return false;
    }
    struct jit_options opts = {.allow_unverified = true, .constant_blinding = blinding};
    struct jit_program *jp;
    if (jit_compile(p->insns, p->count, &helpers, &opts, &jp, msg, sizeof(msg))) {
        fprintf(stderr, "  seed %" PRIu64 ": JIT refuses the program: %s\n", seed, msg);
        vm_unload(vp);
        return false;
    }
    struct vm_run run;
    initial_memory(mem, seed);
    vm_run_init(&run);
    run.packet = packet;
    run.packet_len = sizeof(packet);
    interp.error = vm_exec(vp, VM_MODE_FAST, &run, (uintptr_t)mem, BLOCK_SIZE, &interp.r0);
    memcpy(interp.mem, mem, BLOCK_SIZE);
    vm_run_release(&run);
    initial_memory(mem, seed);
    vm_run_init(&run);
    run.packet = packet;
    run.packet_len = sizeof(packet);
    jit.error = jit_exec(jp, &run, (uintptr_t)mem, BLOCK_SIZE, &jit.r0);
    memcpy(jit.mem, mem, BLOCK_SIZE);
    vm_run_release(&run);
    vm_unload(vp);
    jit_free(jp);
    if (!jit.mem[MEM_SIZE + 8 * MEM_REG])
        programs_ending_early++;
    bool same = interp.error == jit.error && interp.r0 == jit.r0 && !memcmp(interp.mem, jit.mem, BLOCK_SIZE);
    if (!same) {
        fprintf(stderr,
                "  seed %" PRIu64 "%s (%zu insns): interpreter error %d r0 0x%" PRIx64
                ", JIT error %d r0 0x%" PRIx64 ", memory %s\n",
                seed, blinding ? " blinded" : "", p->count, interp.error, interp.r0, jit.error,
                jit.r0, memcmp(interp.mem, jit.mem, BLOCK_SIZE) ? "differs" : "same");
    }
    return same;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static uint64_t env_number(const char *name, uint64_t otherwise)
{
    const char *text = getenv(name);
    return text && *text ? strtoull(text, NULL, 0) : otherwise;
}

TEST(random_programs_agree_with_the_interpreter)
{
    collect_forms();
    helpers_register_callbacks(&helpers);
    static struct program p;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int programs = 0, failures = 0;
    uint64_t first = env_number("JIT_DIFF_SEED", 1);
    uint64_t count = env_number("JIT_DIFF_COUNT", getenv("JIT_DIFF_SECONDS") ? UINT64_MAX : 3000);
    double seconds = (double)env_number("JIT_DIFF_SECONDS", 0);
    if (seconds <= 0)
        seconds = 1.5;
    printf("seeds from %" PRIu64 " for %.1f s\n", first, seconds);
    for (uint64_t seed = first; (uint64_t)programs < count && seconds_since(&start) < seconds; seed++) {
        struct rng r = {seed * 0x9e3779b97f4a7c15ull | 1};
        random_program(&r, &p);
        if (!same_on_both_engines(&p, seed, seed % 4 == 0))
            if (++failures >= 5)
                break;
        programs++;
    }
    CHECK(programs >= (count < 100 ? (int)count : 100));
    CHECK_EQ(failures, 0);
    /* Most programs run to their end (else the comparison would see little). */
    CHECK(programs_ending_early < programs / 4);
    printf("%d programs, %d ended early by a packet load out of bounds\n", programs,
           programs_ending_early);
}

/* The generator covers every form it is meant to (so the comparison means something). */
TEST(generated_programs_use_every_executable_form)
{
    collect_forms();
    static struct program p;
    bool seen[ISA_FORM_COUNT] = {false};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct rng r = {seed * 0x9e3779b97f4a7c15ull | 1};
        random_program(&r, &p);
        for (size_t pc = 0; pc < p.count; pc++) {
            seen[isa_decode(&p.insns[pc])] = true;
            if (isa_is_lddw(&p.insns[pc]))
                pc++;
        }
    }
    for (int id = 1; id < ISA_FORM_COUNT; id++) {
        bool wanted = id != ISA_CALL_KFUNC &&
                      (isa_forms[id].operands != ISA_OPS_LDDW || id == ISA_LDDW ||
                       id == ISA_LDDW_FUNC);
        if (wanted && !seen[id])
            fprintf(stderr, "  form %s never generated\n", isa_forms[id].name);
        CHECK(!wanted || seen[id]);
    }
}

TEST_MAIN
