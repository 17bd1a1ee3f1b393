/* Soundness of the verifier, tested against the checked interpreter: structured XDP programs
 * (packet bounds checks, stack, map values, helper calls, loops, branches) are generated and
 * mutated, and every one the verifier accepts runs on several random inputs with the memory it
 * may touch given as exact regions (the context, the packet [data, data_end), map values, the
 * stack). Any fault of an accepted program (out of bounds access, read of an unwritten
 * register, step budget) is a soundness bug: the test fails and prints the program.
 *
 * `make test` runs a bounded amount (fixed seed); BPFHOST_SOUNDNESS_SECONDS=N runs for about
 * N seconds with a seed from BPFHOST_SOUNDNESS_SEED or the clock (`make fuzz` does 60 s). */
#include <errno.h>
#include <time.h>

#include "isa/disasm.h"
#include "platform/epoch.h"
#include "runtime/prog.h"
#include "runtime/xdp_context.h"
#include "test.h"
#include "verifier/verifier.h"
#include "verifier_asm.h"

enum { MAX_INSNS = 512, INPUTS_PER_PROGRAM = 4, MAX_PACKET = 96 };

/* r6 loop counter, r7 data, r8 data_end, r9 accumulator; r0-r5 scratch (helpers clobber them). */
enum { R_COUNTER = 6, R_DATA = 7, R_END = 8, R_ACC = 9 };

/* The maps programs use, by index. */
enum { MAP_ARRAY, MAP_HASH, MAP_GLOBAL, MAP_COUNT };
static const struct verifier_map verifier_maps[MAP_COUNT] = {
    [MAP_ARRAY] = {.type = MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 4},
    [MAP_HASH] = {.type = MAP_TYPE_HASH, .key_size = 4, .value_size = 24, .max_entries = 8},
    [MAP_GLOBAL] = {.type = MAP_TYPE_ARRAY, .key_size = 4, .value_size = 32, .max_entries = 1},
};

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}
static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

/* --- generation ----------------------------------------------------------------------------- */

struct gen {
    struct ebpf_insn insns[MAX_INSNS];
    size_t count;
    int loop_depth;      /* inside a loop body: no nested loops (one counter register) */
};

static bool room(const struct gen *g, size_t n) { return g->count + n + 8 < MAX_INSNS; }
static void emit(struct gen *g, struct ebpf_insn insn) { g->insns[g->count++] = insn; }
static void emit_lddw(struct gen *g, const struct ebpf_insn pair[2])
{
    emit(g, pair[0]);
    emit(g, pair[1]);
}
static size_t emit_jump(struct gen *g, struct ebpf_insn insn)
{
    emit(g, insn);
    return g->count - 1;
}
/* Points the jump at pc to the next instruction to be emitted. */
static void land(struct gen *g, size_t pc) { g->insns[pc].off = (int16_t)(g->count - pc - 1); }

static const uint8_t sizes[] = {B, H, W, DW};
static unsigned size_bytes(uint8_t size) { return size == B ? 1 : size == H ? 2 : size == W ? 4 : 8; }

/* A read into r3 or a write of r9 / an immediate at [base + off], then r9 mixes in what was read. */
static void access(struct gen *g, uint8_t base, int16_t off, uint8_t size, bool may_write)
{
    switch (may_write ? below(3) : 0) {
    case 0:
        emit(g, LDX(size, 3, base, off));
        emit(g, ALU64_REG(XOR, R_ACC, 3));
        break;
    case 1:
        emit(g, STX(size, base, R_ACC, off));
        break;
    default:
        emit(g, ST(size, base, off, (int32_t)rnd()));
        break;
    }
}

static void packet_constant(struct gen *g)
{
    uint8_t size = sizes[below(4)];
    int32_t off = (int32_t)below(40);
    emit(g, MOV64_REG(2, R_DATA));
    emit(g, ALU64_IMM(ADD, 2, off + (int32_t)size_bytes(size)));
    size_t skip = emit_jump(g, JMP_REG(below(2) ? JGT : JGE, 2, R_END, 0));
    if ((g->insns[skip].code & 0xf0) == JGE) {
        /* data + n >= end proves only n - 1 bytes: ask for one more. */
        g->insns[skip - 1].imm++;
    }
    if (below(2)) {
        access(g, R_DATA, (int16_t)off, size, true);
    } else {
        emit(g, MOV64_REG(3, R_DATA));
        emit(g, ALU64_IMM(ADD, 3, off));
        access(g, 3, 0, size, true);
    }
    land(g, skip);
}

static void packet_variable(struct gen *g)
{
    static const int32_t masks[] = {1, 3, 7, 15, 31, 63};
    uint8_t size = sizes[below(4)];
    emit(g, MOV64_REG(2, R_DATA));
    emit(g, ALU64_IMM(ADD, 2, 1));
    size_t skip1 = emit_jump(g, JMP_REG(JGT, 2, R_END, 0));
    emit(g, LDX(B, 4, R_DATA, 0));
    emit(g, ALU64_IMM(AND, 4, masks[below(6)]));
    emit(g, MOV64_REG(5, R_DATA));
    emit(g, ALU64_REG(ADD, 5, 4));
    emit(g, MOV64_REG(2, 5));
    emit(g, ALU64_IMM(ADD, 2, (int32_t)size_bytes(size)));
    size_t skip2 = emit_jump(g, JMP_REG(JGT, 2, R_END, 0));
    access(g, 5, 0, size, true);
    land(g, skip1);
    land(g, skip2);
}

static void helper_scalar(struct gen *g);

/* An offset bounded by comparisons (signed or unsigned, 64 or 32 bits) and reshaped by
 * arithmetic before it indexes the packet or a map value. */
static void compared_offset(struct gen *g)
{
    static const uint8_t upper[] = {JGT, JGE, JSGT, JSGE};
    uint8_t size = sizes[below(4)];
    unsigned n = size_bytes(size);
    bool in_map = below(2) && !g->loop_depth;
    int32_t limit = (int32_t)below(in_map ? 24 - n : 40); /* the hash map's values have 24 bytes */
    emit(g, MOV64_REG(4, R_ACC));
    switch (below(4)) {
    case 0: emit(g, ALU32_REG(MOV, 4, 4)); break;            /* zero-extend */
    case 1: emit(g, ALU64_IMM(LSH, 4, 32)); emit(g, ALU64_IMM(RSH, 4, 32)); break;
    case 2: emit(g, ALU64_IMM(RSH, 4, (int32_t)below(8))); break;
    default: break;
    }
    uint8_t op = upper[below(4)];
    bool wide = below(3) != 0;
    size_t skip_high = emit_jump(g, wide ? JMP_IMM(op, 4, limit, 0) : JMP32_IMM(op, 4, limit, 0));
    size_t skip_low = SIZE_MAX;
    if (op == JSGT || op == JSGE || !wide)
        skip_low = emit_jump(g, wide ? JMP_IMM(JSLT, 4, 0, 0) : JMP32_IMM(JSLT, 4, 0, 0));
    if (!wide)
        emit(g, ALU32_REG(MOV, 4, 4));
    if (below(3) == 0) {
        emit(g, ALU64_IMM(MUL, 4, 2));
        emit(g, ALU64_IMM(RSH, 4, 1));
    }
    size_t skip_null = SIZE_MAX, skip_end = SIZE_MAX;
    uint8_t base = 5;
    if (in_map) {
        emit(g, ST(W, 10, -4, (int32_t)below(4)));
        emit_lddw(g, (struct ebpf_insn[]){LD_MAP(1, MAP_HASH)});
        emit(g, MOV64_REG(2, 10));
        emit(g, ALU64_IMM(ADD, 2, -4));
        emit(g, MOV64_REG(5, 4)); /* r4 is clobbered by the call: keep the offset in a spill */
        emit(g, STX(DW, 10, 5, -16));
        emit(g, CALL(1));
        skip_null = emit_jump(g, JMP_IMM(JEQ, 0, 0, 0));
        emit(g, LDX(DW, 4, 10, -16));
        emit(g, MOV64_REG(5, 0));
        emit(g, ALU64_REG(ADD, 5, 4));
    } else {
        emit(g, MOV64_REG(5, R_DATA));
        emit(g, ALU64_REG(ADD, 5, 4));
        emit(g, MOV64_REG(2, 5));
        emit(g, ALU64_IMM(ADD, 2, (int32_t)n));
        skip_end = emit_jump(g, JMP_REG(JGT, 2, R_END, 0));
    }
    access(g, base, 0, size, true);
    land(g, skip_high);
    if (skip_low != SIZE_MAX)
        land(g, skip_low);
    if (skip_null != SIZE_MAX)
        land(g, skip_null);
    if (skip_end != SIZE_MAX)
        land(g, skip_end);
}

/* Packet pointers spilled to the stack and filled back before use. */
static void spilled_pointer(struct gen *g)
{
    int16_t off = (int16_t)(-8 * (1 + (int)below(4)));
    emit(g, MOV64_REG(2, R_DATA));
    emit(g, ALU64_IMM(ADD, 2, 8));
    size_t skip = emit_jump(g, JMP_REG(JGT, 2, R_END, 0));
    emit(g, STX(DW, 10, R_DATA, off));
    if (below(2))
        helper_scalar(g);
    emit(g, LDX(DW, 5, 10, off));
    access(g, 5, (int16_t)below(8), B, true);
    land(g, skip);
}

static void stack_round_trip(struct gen *g)
{
    int16_t off = (int16_t)(-8 * (1 + (int)below(16)));
    if (below(2))
        emit(g, STX(DW, 10, R_ACC, off));
    else
        emit(g, ST(DW, 10, off, (int32_t)rnd()));
    uint8_t size = sizes[below(4)];
    int16_t inner = (int16_t)(below(8 / size_bytes(size)) * size_bytes(size));
    emit(g, LDX(size, 3, 10, (int16_t)(off + inner)));
    emit(g, ALU64_REG(ADD, R_ACC, 3));
}

/* Slots below the loop's area (-264 and down) that no other snippet touches: written on both
 * paths of a branch, or on one path and read only there, then read. Mutants that delete or
 * move one of the stores read bytes written on some paths only, or never. */
static void stack_on_paths(struct gen *g)
{
    int16_t off = (int16_t)(-264 - 8 * (int)below(30));
    uint8_t size = sizes[below(4)];
    int16_t inner = (int16_t)(below(8 / size_bytes(size)) * size_bytes(size));
    bool both = below(3) != 0;
    size_t other = emit_jump(g, JMP_IMM(below(2) ? JGT : JSET, R_ACC, (int32_t)below(256), 0));
    if (below(2))
        emit(g, STX(DW, 10, R_ACC, off));
    else
        emit(g, ST(DW, 10, off, (int32_t)rnd()));
    if (!both) {
        emit(g, LDX(size, 3, 10, (int16_t)(off + inner)));
        emit(g, ALU64_REG(ADD, R_ACC, 3));
    }
    size_t over = emit_jump(g, JA(0));
    land(g, other);
    if (both) {
        /* the other path writes the slot in two halves, or whole */
        if (below(2)) {
            emit(g, ST(W, 10, off, (int32_t)rnd()));
            emit(g, ST(W, 10, (int16_t)(off + 4), (int32_t)rnd()));
        } else {
            emit(g, STX(DW, 10, R_ACC, off));
        }
    }
    land(g, over);
    if (both) {
        emit(g, LDX(size, 3, 10, (int16_t)(off + inner)));
        emit(g, ALU64_REG(XOR, R_ACC, 3));
    }
}

static void map_value(struct gen *g)
{
    int map = below(2) ? MAP_ARRAY : MAP_HASH;
    uint32_t value_size = verifier_maps[map].value_size;
    emit(g, ST(W, 10, -4, (int32_t)below(6)));
    emit_lddw(g, (struct ebpf_insn[]){LD_MAP(1, map)});
    emit(g, MOV64_REG(2, 10));
    emit(g, ALU64_IMM(ADD, 2, -4));
    emit(g, CALL(1));
    size_t skip = emit_jump(g, JMP_IMM(JEQ, 0, 0, 0));
    uint8_t size = sizes[below(4)];
    unsigned n = size_bytes(size);
    if (below(3) == 0) {
        /* variable offset: r0 += r9 & 7, then an access that fits after the largest step */
        emit(g, MOV64_REG(3, R_ACC));
        emit(g, ALU64_IMM(AND, 3, 7));
        emit(g, ALU64_REG(ADD, 0, 3));
        access(g, 0, (int16_t)below(value_size - n - 7 + 1), size, true);
    } else {
        access(g, 0, (int16_t)(below((value_size - n) / n + 1) * n), size, true);
    }
    land(g, skip);
}

static void map_update(struct gen *g)
{
    int map = below(2) ? MAP_ARRAY : MAP_HASH;
    emit(g, ST(W, 10, -4, (int32_t)below(6)));
    for (int off = -40; off < -8; off += 8)
        emit(g, STX(DW, 10, R_ACC, (int16_t)off));
    emit_lddw(g, (struct ebpf_insn[]){LD_MAP(1, map)});
    emit(g, MOV64_REG(2, 10));
    emit(g, ALU64_IMM(ADD, 2, -4));
    emit(g, MOV64_REG(3, 10));
    emit(g, ALU64_IMM(ADD, 3, -40));
    emit(g, MOV64_IMM(4, 0));
    emit(g, CALL(2));
    emit(g, ALU64_REG(ADD, R_ACC, 0));
}

static void global_data(struct gen *g)
{
    uint8_t size = sizes[below(4)];
    unsigned n = size_bytes(size);
    int32_t off = (int32_t)(below(32 / n) * n);
    emit_lddw(g, (struct ebpf_insn[]){LD_MAP_VALUE(3, MAP_GLOBAL, off)});
    access(g, 3, 0, size, true);
}

static void helper_scalar(struct gen *g)
{
    emit(g, CALL(below(2) ? 5 : 7));
    emit(g, ALU64_IMM(AND, 0, 0xff));
    emit(g, ALU64_REG(ADD, R_ACC, 0));
}

static void alu(struct gen *g)
{
    static const uint8_t ops[] = {ADD, SUB, MUL, OR, AND, XOR, LSH, RSH, ARSH, DIV, MOD, NEG};
    uint8_t op = ops[below(sizeof ops)];
    int32_t imm = (int32_t)rnd();
    if (op == LSH || op == RSH || op == ARSH)
        imm &= 31;
    if ((op == DIV || op == MOD) && !imm)
        imm = 3;
    if (op == NEG)
        imm = 0;
    if (below(4) == 0) {
        emit(g, MOV64_REG(3, R_ACC));
        emit(g, ALU64_IMM(ADD, 3, imm));
        emit(g, below(2) ? ALU64_REG(op == NEG ? ADD : op, R_ACC, 3) : ALU32_REG(op == NEG ? ADD : op, R_ACC, 3));
    } else {
        emit(g, below(2) ? ALU64_IMM(op, R_ACC, imm) : ALU32_IMM(op, R_ACC, imm));
    }
}

static void snippet(struct gen *g, int depth);

static void branch(struct gen *g, int depth)
{
    static const uint8_t conds[] = {JEQ, JNE, JGT, JGE, JLT, JLE, JSGT, JSGE, JSLT, JSLE, JSET};
    size_t skip = emit_jump(g, below(2) ? JMP_IMM(conds[below(sizeof conds)], R_ACC, (int32_t)below(256), 0)
                                        : JMP32_IMM(conds[below(sizeof conds)], R_ACC, (int32_t)below(256), 0));
    snippet(g, depth + 1);
    if (below(2)) {
        size_t over = emit_jump(g, JA(0));
        land(g, skip);
        snippet(g, depth + 1);
        land(g, over);
    } else {
        land(g, skip);
    }
}

/* A counted loop (r6 from 0 to n by a step of 1, 2, 3 or 7, 64- or 32-bit, ended by "<" or
 * "!=") whose body may index the stack or the packet by r6. */
static void loop(struct gen *g, int depth)
{
    static const int32_t steps[] = {1, 1, 2, 3, 7};
    int32_t step = steps[below(5)];
    int32_t n = step * (1 + (int32_t)below(16));
    bool narrow = below(4) == 0;
    unsigned body = below(4);
    size_t guard = SIZE_MAX;
    if (body == 3) { /* the packet bound checked once, before the loop: data + n <= data_end */
        emit(g, MOV64_REG(2, R_DATA));
        emit(g, ALU64_IMM(ADD, 2, n));
        guard = emit_jump(g, JMP_REG(JGT, 2, R_END, 0));
    }
    emit(g, MOV64_IMM(R_COUNTER, 0));
    size_t head = g->count;
    g->loop_depth++;
    switch (body) {
    case 0: /* stack[-8 * 17 - r6 ... ]: counter-indexed byte in a zeroed area */
        emit(g, MOV64_REG(3, 10));
        emit(g, ALU64_IMM(ADD, 3, -256));
        emit(g, ALU64_REG(ADD, 3, R_COUNTER));
        emit(g, STX(B, 3, R_ACC, 0));
        break;
    case 1: { /* packet byte r6, bounds-checked each time */
        emit(g, MOV64_REG(5, R_DATA));
        emit(g, ALU64_REG(ADD, 5, R_COUNTER));
        emit(g, MOV64_REG(2, 5));
        emit(g, ALU64_IMM(ADD, 2, 1));
        size_t skip = emit_jump(g, JMP_REG(JGT, 2, R_END, 0));
        emit(g, LDX(B, 3, 5, 0));
        emit(g, ALU64_REG(ADD, R_ACC, 3));
        land(g, skip);
        break;
    }
    case 3: /* packet byte r6, covered by the check before the loop */
        emit(g, MOV64_REG(5, R_DATA));
        emit(g, ALU64_REG(ADD, 5, R_COUNTER));
        emit(g, LDX(B, 3, 5, 0));
        emit(g, ALU64_REG(ADD, R_ACC, 3));
        break;
    default:
        snippet(g, depth + 1);
        break;
    }
    g->loop_depth--;
    emit(g, narrow ? ALU32_IMM(ADD, R_COUNTER, step) : ALU64_IMM(ADD, R_COUNTER, step));
    uint8_t cond = below(2) ? JLT : JNE;
    int compared = R_COUNTER;
    if (below(3) == 0) { /* through a copy: w2 = w6, or clang's r2 = r6; r2 <<= 32; r2 >>= 32 */
        compared = 2;
        if (below(2)) {
            emit(g, MOV32_REG(2, R_COUNTER));
        } else {
            emit(g, MOV64_REG(2, R_COUNTER));
            emit(g, ALU64_IMM(LSH, 2, 32));
            emit(g, ALU64_IMM(below(4) ? RSH : ARSH, 2, 32));
        }
    }
    int16_t back = (int16_t)(head - g->count - 1);
    emit(g, narrow ? JMP32_IMM(cond, compared, n, back) : JMP_IMM(cond, compared, n, back));
    if (guard != SIZE_MAX)
        land(g, guard);
}

static void snippet(struct gen *g, int depth)
{
    if (!room(g, 48))
        return;
    switch (below(depth < 3 ? 14 : 11)) {
    case 0: packet_constant(g); break;
    case 1: packet_variable(g); break;
    case 2: stack_round_trip(g); break;
    case 3: map_value(g); break;
    case 4: map_update(g); break;
    case 5: global_data(g); break;
    case 6: helper_scalar(g); break;
    case 7: compared_offset(g); break;
    case 8: spilled_pointer(g); break;
    case 9: alu(g); break;
    case 10: stack_on_paths(g); break;
    case 11: case 12: branch(g, depth); break;
    default: g->loop_depth ? branch(g, depth) : loop(g, depth); break;
    }
}

static void generate(struct gen *g)
{
    g->count = 0;
    g->loop_depth = 0;
    emit(g, LDX(W, R_DATA, 1, 0));
    emit(g, LDX(W, R_END, 1, 4));
    emit(g, MOV64_IMM(R_ACC, (int32_t)below(256)));
    /* the loop's stack area starts zeroed, so indexed reads there are initialised */
    for (int off = -256; off < -128; off += 8)
        emit(g, ST(DW, 10, (int16_t)off, 0));
    unsigned n = 2 + below(10);
    for (unsigned i = 0; i < n; i++)
        snippet(g, 0);
    emit(g, MOV64_REG(0, R_ACC));
    emit(g, ALU64_IMM(AND, 0, 3));
    emit(g, EXIT());
}

/* Small changes that often break safety: the verifier has to notice. */
static void mutate(struct gen *g)
{
    for (int tries = 0; tries < 10; tries++) {
        size_t pc = below((uint32_t)g->count);
        struct ebpf_insn *insn = &g->insns[pc];
        uint8_t cls = insn->code & 7;
        if (isa_is_lddw(insn) || (pc > 0 && isa_is_lddw(&g->insns[pc - 1])) || insn->code == 0x95)
            continue;
        bool mem = cls == 1 || cls == 2 || cls == 3;
        bool jmp = cls == 5 || cls == 6;
        bool stack_store = (cls == 2 || cls == 3) && insn->dst == 10;
        switch (below(7)) {
        case 0:
            if (!mem)
                continue;
            insn->off = (int16_t)(insn->off + (below(2) ? 1 : -1) * (int)(1 + below(8)));
            return;
        case 1:
            if (!mem)
                continue;
            insn->code = (uint8_t)((insn->code & ~0x18) | sizes[below(4)]);
            return;
        case 2:
            if (insn->code == 0x85 || (insn->code & 0x08)) /* calls and register operands */
                continue;
            insn->imm += (below(2) ? 1 : -1) * (int32_t)(1 + below(8));
            return;
        case 3:
            if (!jmp || insn->code == 0x85 || (insn->code & 0xf0) == 0)
                continue;
            insn->code = (uint8_t)((insn->code & 0x0f) | (below(2) ? JGE : below(2) ? JGT : below(2) ? JLE : JSGT));
            return;
        case 4:
            *insn = JA(0); /* a deleted instruction: a bounds check, a null check, a store */
            return;
        case 5:
            if (below(2))
                insn->src = (uint8_t)below(10);
            else
                insn->dst = (uint8_t)below(10);
            return;
        default:
            /* a store to the stack deleted or moved: reads of the slot may find it unwritten
             * on some path */
            if (!stack_store)
                continue;
            if (below(2))
                *insn = JA(0);
            else
                insn->off = (int16_t)(insn->off + (below(2) ? 8 : -8));
            return;
        }
    }
}

/* --- running --------------------------------------------------------------------------------- */

struct world {
    struct bpfhost_map *maps[MAP_COUNT];
    struct runtime_xdp_frame frame;
};

static int world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    for (int i = 0; i < MAP_COUNT; i++) {
        struct map_create_attr attr = {
            .map_type = verifier_maps[i].type, .key_size = verifier_maps[i].key_size,
            .value_size = verifier_maps[i].value_size, .max_entries = verifier_maps[i].max_entries,
        };
        snprintf(attr.name, sizeof attr.name, "map%d", i);
        char msg[256];
        if (map_create(&attr, &w->maps[i], msg, sizeof msg)) {
            fprintf(stderr, "  map_create: %s\n", msg);
            return -1;
        }
    }
    /* The programs run as verified, before the runtime rewrites their context loads: they
     * read xdp_md's 32-bit pointers, real addresses only below 4 GiB. */
    ptrdiff_t moved;
    int err = runtime_xdp_frame_init(&w->frame);
    return err ? err : runtime_ctx_buffer_lower(&w->frame.buffer, &moved);
}

static void world_free(struct world *w)
{
    for (int i = 0; i < MAP_COUNT; i++)
        map_put(w->maps[i]);
    runtime_xdp_frame_release(&w->frame);
    platform_epoch_barrier();
}

/* Random packet and map contents from seed. */
static void world_randomise(struct world *w, uint64_t seed)
{
    uint64_t saved = rng;
    rng = seed | 1;
    uint8_t packet[MAX_PACKET], value[64];
    static const size_t lengths[] = {0, 1, 7, 13, 14, 20, 33, 64};
    size_t len = below(3) ? lengths[below(8)] : below(MAX_PACKET + 1);
    for (size_t i = 0; i < len; i++)
        packet[i] = (uint8_t)rnd();
    runtime_xdp_frame_load(&w->frame, packet, len, 1, 0);
    for (uint32_t key = 0; key < 6; key++) {
        for (size_t i = 0; i < sizeof value; i++)
            value[i] = (uint8_t)rnd();
        for (int m = 0; m < MAP_GLOBAL; m++) {
            if (below(3) == 0)
                map_sys_delete_elem(w->maps[m], &key);
            else
                map_sys_update_elem(w->maps[m], &key, value, MAP_ANY);
        }
    }
    uint32_t zero = 0;
    map_sys_update_elem(w->maps[MAP_GLOBAL], &zero, value, MAP_ANY);
    rng = saved;
}

/* Map references become the maps' addresses, as the runtime's loader does. */
static void relocate(struct ebpf_insn *insns, size_t count, struct world *w)
{
    for (size_t pc = 0; pc + 1 < count; pc++) {
        if (!isa_is_lddw(&insns[pc]))
            continue;
        struct ebpf_insn *insn = &insns[pc], *tail = &insns[pc + 1];
        pc++;
        if (insn->src != EBPF_LDDW_MAP_IDX && insn->src != EBPF_LDDW_MAP_IDX_VALUE)
            continue;
        struct bpfhost_map *map = w->maps[insn->imm];
        uintptr_t address = (uintptr_t)map;
        if (insn->src == EBPF_LDDW_MAP_IDX_VALUE) {
            size_t size;
            address = (uintptr_t)map_array_memory(map, &size) + (uint32_t)tail->imm;
        }
        insn->src = EBPF_LDDW_IMM64;
        insn->imm = (int32_t)(uint32_t)address;
        tail->imm = (int32_t)(uint32_t)((uint64_t)address >> 32);
    }
}

/* Runs the program on the checked interpreter; returns 0, or the fault with its message. */
static int run_checked(const struct vm_program *vm, struct world *w, uint64_t seed, char *msg, size_t msg_size)
{
    world_randomise(w, seed);
    struct vm_run run;
    vm_run_init(&run);
    run.max_steps = 1000000;
    struct runtime_xdp_frame *f = &w->frame;
    vm_run_add_region(&run, &f->md, sizeof f->md, false);
    vm_run_add_region(&run, (void *)(uintptr_t)f->md.data, f->md.data_end - f->md.data, true);
    size_t size;
    vm_run_add_region(&run, map_array_memory(w->maps[MAP_GLOBAL], &size), verifier_maps[MAP_GLOBAL].value_size, true);
    run.host = f;
    uint64_t r0;
    platform_epoch_enter();
    int err = vm_exec(vm, VM_MODE_CHECKED, &run, (uintptr_t)&f->md, 0, &r0);
    platform_epoch_exit();
    if (err)
        snprintf(msg, msg_size, "%s (insn %zu)", run.msg, run.error_pc);
    vm_run_release(&run);
    return err;
}

struct verdict {
    bool accepted;
    int fault;          /* of the first input that faulted, or 0 */
    uint64_t fault_seed;
    char msg[VM_MSG_SIZE + 64];
};

/* Verifies the program and, when accepted, runs it on the inputs of seeds. */
static struct verdict check_program(const struct ebpf_insn *insns, size_t count, struct world *w,
                                    const uint64_t *seeds, size_t seed_count)
{
    struct verdict v = {0};
    static struct verifier_result result;
    struct verifier_options opts = {
        .prog_type = prog_type_by_name("xdp"), .maps = verifier_maps, .map_count = MAP_COUNT,
        .max_steps = 200000,
    };
    if (verifier_verify(insns, count, &opts, &result))
        return v;
    v.accepted = true;
    struct ebpf_insn relocated[MAX_INSNS];
    memcpy(relocated, insns, count * sizeof *insns);
    relocate(relocated, count, w);
    struct vm_program *vm;
    char msg[200];
    if (vm_load(relocated, count, runtime_helpers(), &vm, msg, sizeof msg)) {
        /* The interpreter validates every instruction, reachable or not, and so does the
         * verifier (static_checks.c): an accepted program the engines refuse is a bug. */
        v.fault = 1;
        snprintf(v.msg, sizeof v.msg, "the interpreter refuses to load it: %s", msg);
        return v;
    }
    for (size_t i = 0; i < seed_count && !v.fault; i++) {
        v.fault = run_checked(vm, w, seeds[i], v.msg, sizeof v.msg);
        v.fault_seed = seeds[i];
    }
    vm_unload(vm);
    return v;
}

static void print_program(const struct ebpf_insn *insns, size_t count)
{
    for (size_t pc = 0; pc < count;) {
        char text[128];
        int n = disasm_insn(insns, count, pc, text, sizeof text);
        fprintf(stderr, "    %3zu: %s\n", pc, text);
        pc += n > 0 ? (size_t)n : 1;
    }
}

/* Replaces instructions by no-ops (ja +0) while the program stays accepted and still faults on
 * the same input: what is left is the heart of the bug. */
static size_t minimise(struct ebpf_insn *insns, size_t count, struct world *w, uint64_t seed)
{
    const struct ebpf_insn nop = JA(0);
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t pc = 0; pc + 1 < count; pc++) {
            if (isa_is_lddw(&insns[pc]) || (pc && isa_is_lddw(&insns[pc - 1])) ||
                !memcmp(&insns[pc], &nop, sizeof nop))
                continue;
            struct ebpf_insn saved = insns[pc];
            insns[pc] = nop;
            struct verdict v = check_program(insns, count, w, &seed, 1);
            if (v.accepted && v.fault)
                progress = true;
            else
                insns[pc] = saved;
        }
    }
    return count;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(accepted_programs_never_fault_on_the_checked_interpreter)
{
    const char *env_seconds = getenv("BPFHOST_SOUNDNESS_SECONDS");
    const char *env_seed = getenv("BPFHOST_SOUNDNESS_SEED");
    double seconds = env_seconds ? atof(env_seconds) : 0;
    uint64_t seed = env_seed ? strtoull(env_seed, NULL, 0) : seconds > 0 ? (uint64_t)time(NULL) : 0x5eed;
    size_t max_programs = seconds > 0 ? SIZE_MAX : 20000;
    double budget = seconds > 0 ? seconds : 3.0; /* bounded for make test, also under ASan */
    rng = seed * 0x9e3779b97f4a7c15ull | 1;

    struct world w;
    if (world_init(&w)) {
        CHECK(0);
        return;
    }
    static struct gen g;
    size_t generated = 0, accepted = 0, executed = 0, mutated = 0, mutated_accepted = 0, bugs = 0;
    double start = now();
    while (generated < max_programs && now() - start < budget && bugs < 5) {
        generate(&g);
        bool is_mutant = below(3) != 0;
        if (is_mutant) {
            unsigned n = 1 + below(3);
            for (unsigned i = 0; i < n; i++)
                mutate(&g);
            mutated++;
        }
        generated++;
        uint64_t seeds[INPUTS_PER_PROGRAM];
        for (size_t i = 0; i < INPUTS_PER_PROGRAM; i++)
            seeds[i] = ((uint64_t)rnd() << 32) | rnd();
        struct verdict v = check_program(g.insns, g.count, &w, seeds, INPUTS_PER_PROGRAM);
        if (!v.accepted)
            continue;
        accepted++;
        mutated_accepted += is_mutant;
        executed += INPUTS_PER_PROGRAM;
        if (!v.fault)
            continue;
        bugs++;
        fprintf(stderr, "  SOUNDNESS BUG (seed 0x%llx, program %zu, input 0x%llx): accepted, but %s\n",
                (unsigned long long)seed, generated, (unsigned long long)v.fault_seed, v.msg);
        print_program(g.insns, g.count);
        size_t count = minimise(g.insns, g.count, &w, v.fault_seed);
        struct verdict again = check_program(g.insns, count, &w, &v.fault_seed, 1);
        fprintf(stderr, "  minimised (ja +0 are deleted instructions): %s\n", again.msg);
        print_program(g.insns, count);
    }
    printf("  soundness: seed 0x%llx, %zu programs generated (%zu mutated), %zu accepted (%zu mutated), "
           "%zu runs on the checked interpreter, %zu faults, %.1f s\n",
           (unsigned long long)seed, generated, mutated, accepted, mutated_accepted, executed,
           bugs, now() - start);
    CHECK_EQ(bugs, 0);
    /* The generator must keep exercising the verifier: most unmutated programs pass. */
    CHECK(accepted * 2 > generated - mutated);
    world_free(&w);
}

/* The oracle itself: what the verifier must keep from running does fault here, so a silent
 * run above means something. */
TEST(the_checked_interpreter_catches_what_the_verifier_must_prevent)
{
    struct world w;
    if (world_init(&w)) {
        CHECK(0);
        return;
    }
    const struct ebpf_insn past_the_packet[] = {LDX(W, 2, 1, 0), LDX(B, 0, 2, 0), ALU64_IMM(AND, 0, 3), EXIT()};
    const struct ebpf_insn unwritten_register[] = {ALU64_REG(ADD, 0, 3), EXIT()};
    const struct ebpf_insn past_a_map_value[] = {
        ST(W, 10, -4, 0), LD_MAP(1, MAP_ARRAY), MOV64_REG(2, 10), ALU64_IMM(ADD, 2, -4), CALL(1),
        JMP_IMM(JEQ, 0, 0, 1), LDX(B, 0, 0, 16), MOV64_IMM(0, 0), EXIT()};
    const struct ebpf_insn past_global_data[] = {LD_MAP_VALUE(1, MAP_GLOBAL, 0), LDX(B, 0, 1, 32), EXIT()};
    const struct ebpf_insn unwritten_stack[] = {ST(W, 10, -8, 0), LDX(DW, 0, 10, -8), EXIT()};
    const struct ebpf_insn stack_on_one_path[] = {
        LDX(W, 2, 1, 0), LDX(W, 3, 1, 4), JMP_REG(JEQ, 2, 3, 1), /* an empty packet skips the store */
        ST(DW, 10, -16, 0), LDX(DW, 0, 10, -16), EXIT()};
    struct {
        const struct ebpf_insn *insns;
        size_t count;
        const char *fault;
    } cases[] = {
#define CASE(insns, fault) {insns, sizeof insns / sizeof insns[0], fault}
        CASE(past_the_packet, "read of 1 bytes"),
        CASE(unwritten_register, "read before it is written"),
        CASE(past_a_map_value, "read of 1 bytes"),
        CASE(past_global_data, "read of 1 bytes"),
        CASE(unwritten_stack, "stack byte at offset -4 of frame 0 is read before it is written"),
        CASE(stack_on_one_path, "stack byte at offset -16 of frame 0 is read before it is written"),
#undef CASE
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ebpf_insn relocated[16];
        memcpy(relocated, cases[i].insns, cases[i].count * sizeof *relocated);
        relocate(relocated, cases[i].count, &w);
        struct vm_program *vm = NULL;
        char msg[VM_MSG_SIZE + 64] = "";
        CHECK_EQ(vm_load(relocated, cases[i].count, runtime_helpers(), &vm, msg, sizeof msg), 0);
        if (!vm)
            fprintf(stderr, "  case %zu: %s\n", i, msg);
        if (!vm)
            continue;
        /* Some inputs hide a fault (a long enough packet, a key absent from the map): any of
         * a few dozen random inputs must show it. */
        int err = 0;
        for (uint64_t seed = 1; seed < 64 && !err; seed++)
            err = run_checked(vm, &w, seed, msg, sizeof msg);
        CHECK(err != 0);
        CHECK_CONTAINS(msg, cases[i].fault);
        vm_unload(vm);
    }
    world_free(&w);
}

/* Found by the generator: mutants that turned a helper call into a kfunc call behind a
 * branch on a known value. No path reaches the kfunc call, but the engines validate every
 * instruction and refuse the program at load, so the verifier must refuse it too, as Linux
 * does (static_checks.c). */
TEST(unreachable_invalid_instructions_are_rejected)
{
    const struct ebpf_insn unreachable_kfunc[] = {
        MOV64_IMM(0, 0), JMP_IMM(JEQ, 0, 0, 1), INSN(0x85, 0, 2, 0, 1), EXIT(),
    };
    static struct verifier_result result;
    struct verifier_options opts = {.prog_type = prog_type_by_name("xdp")};
    CHECK_EQ(verifier_verify(unreachable_kfunc, 4, &opts, &result), -EACCES);
    CHECK_CONTAINS(result.message, "insn 2");
    CHECK_CONTAINS(result.message, "kfunc calls are not supported");
}

TEST_MAIN
