/* Instruction semantics on abstract states, with the checks each instruction needs. */
#include "verifier/analysis.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "verifier/helper_protos.h"

/* Linux's BPF_MAX_VAR_OFF: larger pointer offsets are certainly out of every object. */
#define MAX_POINTER_OFFSET (1ll << 29)

int analysis_read_reg(struct analysis *a, struct state *s, size_t pc, int reg, struct value *out)
{
    const struct value *v = &state_frame(s)->regs[reg];
    if (v->type == VALUE_UNINIT)
        return analysis_fail(a, pc, -EACCES, "r%d is read before it is written", reg);
    if (v->type == VALUE_MIXED)
        return analysis_fail(a, pc, -EACCES,
                             "r%d holds different types on paths merged before this instruction "
                             "(more than %u kinds of states reached one point)",
                             reg, a->opts->max_states_per_point);
    *out = *v;
    return 0;
}

static void write_reg(struct state *s, int reg, struct value v)
{
    struct frame *f = state_frame(s);
    f->regs[reg] = v;
    loop_marks_clobber(f, reg);
}

static unsigned access_size(uint8_t code)
{
    switch (code & 0x18) {
    case EBPF_SIZE_B: return 1;
    case EBPF_SIZE_H: return 2;
    case EBPF_SIZE_W: return 4;
    default: return 8;
    }
}

/* --- ALU ----------------------------------------------------------------------------------------- */

static enum scalar_op scalar_op_of(const struct ebpf_insn *insn)
{
    unsigned op = insn->code >> 4;
    if (op == 0x3 && insn->off == 1)
        return SCALAR_SDIV;
    if (op == 0x9 && insn->off == 1)
        return SCALAR_SMOD;
    return (enum scalar_op)op;
}

static const char *op_symbol(enum scalar_op op)
{
    static const char *const symbols[] = {
        [SCALAR_ADD] = "+=", [SCALAR_SUB] = "-=", [SCALAR_MUL] = "*=", [SCALAR_DIV] = "/=",
        [SCALAR_OR] = "|=", [SCALAR_AND] = "&=", [SCALAR_LSH] = "<<=", [SCALAR_RSH] = ">>=",
        [SCALAR_NEG] = "neg", [SCALAR_MOD] = "%=", [SCALAR_XOR] = "^=", [SCALAR_MOV] = "=",
        [SCALAR_ARSH] = "s>>=", [SCALAR_SDIV] = "s/=", [SCALAR_SMOD] = "s%=",
    };
    return symbols[op];
}

static bool arithmetic_allowed(enum value_type type)
{
    switch (type) {
    case VALUE_CTX: case VALUE_STACK: case VALUE_PACKET: case VALUE_PACKET_META:
    case VALUE_MAP_VALUE: case VALUE_RINGBUF_MEM: case VALUE_MAP_KEY:
        return true;
    default:
        return false;
    }
}

static int pointer_plus_scalar(struct analysis *a, struct state *s, size_t pc, int reg,
                               struct value ptr, const struct scalar *n, bool subtract,
                               struct value *out)
{
    char buf[200];
    if (!arithmetic_allowed((enum value_type)ptr.type))
        return analysis_fail(a, pc, -EACCES, "pointer arithmetic on %s is not allowed%s",
                             analysis_reg_text(&ptr, reg, buf, sizeof buf),
                             value_is_nullable(&ptr) ? ": compare it with 0 first" : "");
    if (scalar_is_const(n)) {
        int64_t c = (int64_t)n->bits.value, off;
        if (subtract ? __builtin_sub_overflow(ptr.off, c, &off) : __builtin_add_overflow(ptr.off, c, &off))
            off = INT64_MAX;
        if (off > MAX_POINTER_OFFSET || off < -MAX_POINTER_OFFSET)
            return analysis_fail(a, pc, -EACCES, "%s %s %" PRId64 " leaves every object (offset beyond 2^29)",
                                 analysis_reg_text(&ptr, reg, buf, sizeof buf), subtract ? "-" : "+", c);
        ptr.off = off;
    } else {
        ptr.var = scalar_alu(subtract ? SCALAR_SUB : SCALAR_ADD, 64, &ptr.var, n);
        if (ptr.type == VALUE_PACKET || ptr.type == VALUE_PACKET_META) {
            /* A new variable part, so a new id, but what was proven carries over, less what
             * n may add: var + range <= end becomes (var + n) + (range - n.max) <= end. That
             * keeps "data + 1500 <= data_end; for (i...) data[i]" provable (PREVAIL does it
             * with its zone domain; Linux insists on a check per access). */
            int64_t most = subtract ? -n->smin : n->smax;
            bool small = n->smin >= -MAX_POINTER_OFFSET && n->smax <= MAX_POINTER_OFFSET;
            ptr.id = s->next_id++;
            ptr.range = small && ptr.range - most > VALUE_RANGE_NONE ? ptr.range - most : VALUE_RANGE_NONE;
        }
    }
    *out = ptr;
    return 0;
}

static int pointer_difference(struct analysis *a, size_t pc, int dst, const struct value *x,
                              int src, const struct value *y, struct value *out)
{
    char bx[200], by[200];
    bool packet_x = x->type == VALUE_PACKET || x->type == VALUE_PACKET_END || x->type == VALUE_PACKET_META;
    bool packet_y = y->type == VALUE_PACKET || y->type == VALUE_PACKET_END || y->type == VALUE_PACKET_META;
    if (packet_x && packet_y && !value_same_kind(x, y)) {
        /* distances between packet bounds (length, headroom) are numbers */
        *out = value_unknown_scalar();
        return 0;
    }
    if (!value_same_kind(x, y) || !arithmetic_allowed((enum value_type)x->type))
        return analysis_fail(a, pc, -EACCES, "subtraction of pointers into different objects: %s - %s",
                             analysis_reg_text(x, dst, bx, sizeof bx),
                             analysis_reg_text(y, src, by, sizeof by));
    struct scalar ox = scalar_const((uint64_t)x->off), oy = scalar_const((uint64_t)y->off);
    struct scalar diff = scalar_alu(SCALAR_SUB, 64, &ox, &oy);
    bool shared_var = (x->type == VALUE_PACKET || x->type == VALUE_PACKET_META) && x->id == y->id;
    if (!shared_var) {
        struct scalar dv = scalar_alu(SCALAR_SUB, 64, &x->var, &y->var);
        diff = scalar_alu(SCALAR_ADD, 64, &diff, &dv);
    }
    *out = value_scalar(diff);
    return 0;
}

static int transfer_byte_order(struct analysis *a, struct state *s, size_t pc,
                               const struct ebpf_insn *insn, enum isa_form_id form)
{
    struct value v;
    int err = analysis_read_reg(a, s, pc, insn->dst, &v);
    if (err)
        return err;
    char buf[200];
    if (v.type != VALUE_SCALAR)
        return analysis_fail(a, pc, -EACCES, "byte swap of a pointer: %s",
                             analysis_reg_text(&v, insn->dst, buf, sizeof buf));
    unsigned size = (unsigned)insn->imm / 8;
    bool little_endian_host = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    bool swaps = form == ISA_BSWAP16 || form == ISA_BSWAP32 || form == ISA_BSWAP64 ||
                 ((form == ISA_BE16 || form == ISA_BE32 || form == ISA_BE64) == little_endian_host);
    write_reg(s, insn->dst, value_scalar(swaps ? scalar_bswap(&v.var, size) : scalar_truncate(&v.var, size)));
    return 0;
}

static int transfer_mov(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn,
                        unsigned bits, const struct value *src)
{
    char buf[200];
    if (insn->off) { /* movsx */
        if (src->type != VALUE_SCALAR)
            return analysis_fail(a, pc, -EACCES, "sign extension of part of a pointer: %s",
                                 analysis_reg_text(src, insn->src, buf, sizeof buf));
        struct scalar r = scalar_sign_extend(&src->var, (unsigned)insn->off / 8);
        if (bits == 32)
            r = scalar_truncate(&r, 4);
        write_reg(s, insn->dst, value_scalar(r));
        return 0;
    }
    if (bits == 64) {
        struct frame *f = state_frame(s);
        if (src->type == VALUE_SCALAR && (insn->code & EBPF_SRC_X) && insn->src != insn->dst) {
            /* copies of a number share an id, so that a bound proven on one holds for all */
            if (!f->regs[insn->src].id)
                f->regs[insn->src].id = s->next_id++;
            f->regs[insn->dst] = f->regs[insn->src];
            loop_marks_copy(f, insn->dst, insn->src);
            return 0;
        }
        f->regs[insn->dst] = *src;
        if (insn->code & EBPF_SRC_X)
            loop_marks_copy(f, insn->dst, insn->src);
        else
            loop_marks_clobber(f, insn->dst);
        return 0;
    }
    if (src->type == VALUE_SCALAR && (insn->code & EBPF_SRC_X) && src->var.umax <= UINT32_MAX) {
        /* a number that fits in 32 bits: w2 = w1 is a copy like r2 = r1 */
        struct frame *f = state_frame(s);
        if (insn->src == insn->dst)
            return 0;
        if (!f->regs[insn->src].id)
            f->regs[insn->src].id = s->next_id++;
        f->regs[insn->dst] = f->regs[insn->src];
        loop_marks_copy(f, insn->dst, insn->src);
        return 0;
    }
    /* mov32 of a pointer keeps its low half: a number of which we know nothing */
    struct scalar r = src->type == VALUE_SCALAR ? scalar_truncate(&src->var, 4) : scalar_urange(0, UINT32_MAX);
    write_reg(s, insn->dst, value_scalar(r));
    return 0;
}

/* Whether "dst OP= src" leaves every member of dst as it is. The register then keeps its id
 * (its copies keep sharing bounds) and its loop progress. */
static bool alu_is_identity(enum scalar_op op, unsigned bits, const struct scalar *dst,
                            const struct scalar *src)
{
    if (!scalar_is_const(src) || (bits == 32 && dst->umax > UINT32_MAX))
        return false;
    uint64_t k = bits == 32 ? (uint32_t)src->bits.value : src->bits.value;
    switch (op) {
    case SCALAR_ADD:
    case SCALAR_SUB:
    case SCALAR_OR:
    case SCALAR_XOR:
    case SCALAR_LSH:
    case SCALAR_RSH:
    case SCALAR_ARSH: return k == 0;
    case SCALAR_MUL:
    case SCALAR_DIV: return k == 1;
    case SCALAR_AND: return (tnum_umax(dst->bits) & ~k) == 0;
    default: return false;
    }
}

/* At "r <<= k": whether the next instruction is "r >>= k" (or s>>=) in the same block and r
 * fits, so that the pair leaves r unchanged. */
static bool starts_extension_pair(const struct analysis *a, size_t pc, const struct ebpf_insn *insn,
                                  const struct value *dst)
{
    if (insn->code != (EBPF_CLASS_ALU64 | 0x60) || insn->imm <= 0 || insn->imm >= 64 ||
        pc + 1 >= a->count || a->cfg.block_at[pc + 1] != CFG_NONE)
        return false;
    const struct ebpf_insn *next = &a->insns[pc + 1];
    unsigned k = (unsigned)insn->imm;
    if (next->dst != insn->dst || next->imm != insn->imm)
        return false;
    if (next->code == (EBPF_CLASS_ALU64 | 0x70)) /* rsh */
        return dst->var.umax <= UINT64_MAX >> k;
    if (next->code == (EBPF_CLASS_ALU64 | 0xc0)) /* arsh */
        return dst->var.umax <= (uint64_t)INT64_MAX >> k;
    return false;
}

static int transfer_alu(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn,
                        enum isa_form_id form)
{
    if (insn->code == 0xd4 || insn->code == 0xdc || insn->code == 0xd7)
        return transfer_byte_order(a, s, pc, insn, form);
    unsigned bits = EBPF_CLASS(insn->code) == EBPF_CLASS_ALU64 ? 64 : 32;
    enum scalar_op op = scalar_op_of(insn);
    struct value src, dst;
    int err;
    if (op != SCALAR_NEG) {
        if (insn->code & EBPF_SRC_X) {
            if ((err = analysis_read_reg(a, s, pc, insn->src, &src)))
                return err;
        } else {
            src = value_const((uint64_t)(int64_t)insn->imm);
        }
    }
    if (op == SCALAR_MOV)
        return transfer_mov(a, s, pc, insn, bits, &src);
    if ((err = analysis_read_reg(a, s, pc, insn->dst, &dst)))
        return err;
    if (op == SCALAR_NEG)
        src = dst;
    char bd[200], bs[200];
    if (dst.type == VALUE_SCALAR && src.type == VALUE_SCALAR) {
        struct frame *f = state_frame(s);
        if (alu_is_identity(op, bits, &dst.var, &src.var))
            return 0;
        if (a->extension.step + 1 == a->result->stats.steps && a->extension.pc == pc) {
            f->regs[insn->dst] = a->extension.before; /* the pair's second half */
            return 0;
        }
        bool pair = starts_extension_pair(a, pc, insn, &dst);
        if (pair) /* loop marks are left as they are: the pair ends where it began */
            a->extension.step = a->result->stats.steps, a->extension.pc = pc + 1, a->extension.before = dst;
        struct scalar before = dst.var;
        struct scalar r = scalar_alu(op, bits, &dst.var, &src.var);
        f->regs[insn->dst] = value_scalar(r);
        if (pair)
            return 0;
        if (op == SCALAR_ADD || op == SCALAR_SUB)
            loop_marks_add(f, insn->dst, &before, &src.var, bits, op == SCALAR_SUB);
        else
            loop_marks_clobber(f, insn->dst);
        return 0;
    }
    const struct value *ptr = dst.type == VALUE_SCALAR ? &src : &dst;
    int ptr_reg = dst.type == VALUE_SCALAR ? insn->src : insn->dst;
    if (bits == 32)
        return analysis_fail(a, pc, -EACCES, "32-bit arithmetic on a pointer: %s",
                             analysis_reg_text(ptr, ptr_reg, bd, sizeof bd));
    struct value result;
    if (op == SCALAR_ADD && dst.type == VALUE_SCALAR)
        err = pointer_plus_scalar(a, s, pc, insn->src, src, &dst.var, false, &result);
    else if ((op == SCALAR_ADD || op == SCALAR_SUB) && src.type == VALUE_SCALAR)
        err = pointer_plus_scalar(a, s, pc, insn->dst, dst, &src.var, op == SCALAR_SUB, &result);
    else if (op == SCALAR_SUB && dst.type != VALUE_SCALAR)
        err = pointer_difference(a, pc, insn->dst, &dst, insn->src, &src, &result);
    else if (op == SCALAR_SUB)
        return analysis_fail(a, pc, -EACCES, "subtracting a pointer from a number: %s",
                             analysis_reg_text(&src, insn->src, bs, sizeof bs));
    else
        return analysis_fail(a, pc, -EACCES, "operation %s on a pointer is not allowed: %s",
                             op_symbol(op), analysis_reg_text(ptr, ptr_reg, bd, sizeof bd));
    if (err)
        return err;
    write_reg(s, insn->dst, result);
    return 0;
}

/* --- loads and stores ---------------------------------------------------------------------------- */

static int transfer_load(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn)
{
    struct value loaded;
    bool sign_extend = (insn->code & 0xe0) == EBPF_MODE_MEMSX;
    int err = memory_access(a, s, pc, insn->src, insn->off, access_size(insn->code), false,
                            sign_extend, NULL, &loaded);
    if (err)
        return err;
    write_reg(s, insn->dst, loaded);
    return 0;
}

static int transfer_store(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn)
{
    struct value stored;
    if (EBPF_CLASS(insn->code) == EBPF_CLASS_ST) {
        stored = value_const((uint64_t)(int64_t)insn->imm);
    } else {
        int err = analysis_read_reg(a, s, pc, insn->src, &stored);
        if (err)
            return err;
    }
    return memory_access(a, s, pc, insn->dst, insn->off, access_size(insn->code), true, false,
                         &stored, NULL);
}

static int transfer_atomic(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn,
                           enum isa_form_id form)
{
    unsigned size = access_size(insn->code);
    struct value src, ptr, old;
    int err = analysis_read_reg(a, s, pc, insn->src, &src);
    if (!err)
        err = analysis_read_reg(a, s, pc, insn->dst, &ptr);
    if (err)
        return err;
    char buf[200];
    if (src.type != VALUE_SCALAR)
        return analysis_fail(a, pc, -EACCES, "atomic operation with a pointer operand: %s",
                             analysis_reg_text(&src, insn->src, buf, sizeof buf));
    if (ptr.type != VALUE_STACK && ptr.type != VALUE_MAP_VALUE && ptr.type != VALUE_RINGBUF_MEM &&
        value_is_pointer(&ptr))
        return analysis_fail(a, pc, -EACCES, "atomic operations are only allowed on stack and map values, not on %s",
                             analysis_reg_text(&ptr, insn->dst, buf, sizeof buf));
    bool cmpxchg = form == ISA_ATOMIC_CMPXCHG64 || form == ISA_ATOMIC_CMPXCHG32;
    if (cmpxchg) {
        struct value r0;
        if ((err = analysis_read_reg(a, s, pc, 0, &r0)))
            return err;
        if (r0.type != VALUE_SCALAR)
            return analysis_fail(a, pc, -EACCES, "cmpxchg compares with a pointer: %s",
                                 analysis_reg_text(&r0, 0, buf, sizeof buf));
    }
    if ((err = memory_access(a, s, pc, insn->dst, insn->off, size, false, false, NULL, &old)))
        return err;
    if (old.type != VALUE_SCALAR)
        return analysis_fail(a, pc, -EACCES, "atomic operation on a spilled pointer at r%d%+d", insn->dst, insn->off);
    struct value unknown = value_scalar(size == 8 ? scalar_unknown() : scalar_urange(0, UINT32_MAX));
    if ((err = memory_access(a, s, pc, insn->dst, insn->off, size, true, false, &unknown, NULL)))
        return err;
    if (cmpxchg)
        write_reg(s, 0, unknown);
    else if (insn->imm & EBPF_ATOMIC_FETCH)
        write_reg(s, insn->src, unknown);
    return 0;
}

/* Legacy packet loads read the skb that r6 points to; like calls, they clobber r1-r5. */
static int transfer_ld_packet(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn)
{
    char buf[200];
    struct value r6, index; /* static_checks: the program type allows them */
    int err = spin_lock_check_free(a, s, pc, "ld_abs/ld_ind, which end the program when out of bounds");
    if (!err)
        err = analysis_read_reg(a, s, pc, 6, &r6);
    if (err)
        return err;
    if (r6.type != VALUE_CTX)
        return analysis_fail(a, pc, -EACCES, "ld_abs/ld_ind need the context in r6, which holds %s",
                             analysis_reg_text(&r6, 6, buf, sizeof buf));
    if ((insn->code & 0xe0) == EBPF_MODE_IND) {
        if ((err = analysis_read_reg(a, s, pc, insn->src, &index)))
            return err;
        if (index.type != VALUE_SCALAR)
            return analysis_fail(a, pc, -EACCES, "ld_ind index is a pointer: %s",
                                 analysis_reg_text(&index, insn->src, buf, sizeof buf));
    }
    unsigned size = access_size(insn->code);
    for (int r = 1; r <= 5; r++)
        write_reg(s, r, value_uninit());
    write_reg(s, 0, value_scalar(scalar_urange(0, size == 4 ? UINT32_MAX : (1ull << (size * 8)) - 1)));
    return 0;
}

int transfer_resolve_map(struct analysis *a, size_t pc, int32_t imm, bool by_fd, int32_t *index)
{
    int idx = by_fd && a->opts->map_fd_to_index ? a->opts->map_fd_to_index(a->opts->user, imm) : imm;
    if (idx < 0 || (size_t)idx >= a->opts->map_count)
        return analysis_fail(a, pc, -EINVAL, "lddw refers to map %s %d, which the loader did not provide",
                             by_fd ? "fd" : "index", imm);
    *index = idx;
    return 0;
}

static int transfer_lddw(struct analysis *a, struct state *s, size_t pc, const struct ebpf_insn *insn,
                         enum isa_form_id form)
{
    const struct ebpf_insn *next = insn + 1;
    struct value v;
    int32_t map;
    int err;
    switch (form) {
    case ISA_LDDW:
        v = value_const((uint64_t)(uint32_t)insn->imm | ((uint64_t)(uint32_t)next->imm << 32));
        break;
    case ISA_LDDW_MAP_FD:
    case ISA_LDDW_MAP_IDX:
        if ((err = transfer_resolve_map(a, pc, insn->imm, form == ISA_LDDW_MAP_FD, &map)))
            return err;
        v = value_pointer(VALUE_MAP_PTR);
        v.map = map;
        break;
    case ISA_LDDW_MAP_VALUE:
    case ISA_LDDW_MAP_IDX_VALUE: /* static_checks: the offset is inside the value */
        if ((err = transfer_resolve_map(a, pc, insn->imm, form == ISA_LDDW_MAP_VALUE, &map)))
            return err;
        v = value_pointer(VALUE_MAP_VALUE);
        v.map = map;
        v.off = (uint32_t)next->imm;
        break;
    case ISA_LDDW_FUNC:
        v = value_pointer(VALUE_FUNC);
        v.off = (int64_t)pc + 1 + insn->imm;
        break;
    default: /* static_checks refused kernel BTF objects */
        return analysis_fail(a, pc, -EINVAL, "lddw form %d has no transfer", (int)form);
    }
    write_reg(s, insn->dst, v);
    return 0;
}

int transfer_insn(struct analysis *a, struct state *s, size_t pc)
{
    const struct ebpf_insn *insn = &a->insns[pc];
    enum isa_form_id form = isa_decode(insn);
    switch (isa_forms[form].operands) {
    case ISA_OPS_DST:
    case ISA_OPS_DST_IMM:
    case ISA_OPS_DST_SRC:
        return transfer_alu(a, s, pc, insn, form);
    case ISA_OPS_LOAD:
        return transfer_load(a, s, pc, insn);
    case ISA_OPS_STORE_IMM:
        return transfer_store(a, s, pc, insn);
    case ISA_OPS_STORE_REG:
        if ((insn->code & 0xe0) == EBPF_MODE_ATOMIC)
            return transfer_atomic(a, s, pc, insn, form);
        return transfer_store(a, s, pc, insn);
    case ISA_OPS_LDDW:
        return transfer_lddw(a, s, pc, insn, form);
    case ISA_OPS_LD_ABS:
    case ISA_OPS_LD_IND:
        return transfer_ld_packet(a, s, pc, insn);
    case ISA_OPS_CALL_HELPER:
        return helper_call(a, s, pc);
    default: /* kfuncs and callx: static_checks refused them */
        return analysis_fail(a, pc, -EINVAL, "instruction is not a straight-line instruction");
    }
}

/* --- branches ------------------------------------------------------------------------------------ */

static enum scalar_cond cond_of(uint8_t code)
{
    switch (code & 0xf0) {
    case 0x10: return SCALAR_EQ;
    case 0x20: return SCALAR_GT;
    case 0x30: return SCALAR_GE;
    case 0x40: return SCALAR_SET;
    case 0x50: return SCALAR_NE;
    case 0x60: return SCALAR_SGT;
    case 0x70: return SCALAR_SGE;
    case 0xa0: return SCALAR_LT;
    case 0xb0: return SCALAR_LE;
    case 0xc0: return SCALAR_SLT;
    default: return SCALAR_SLE;
    }
}

struct scalar_copy {
    uint32_t id;
    struct scalar value;
};

static void apply_scalar_copy(struct value *v, void *arg)
{
    const struct scalar_copy *c = arg;
    if (v->type == VALUE_SCALAR && v->id == c->id)
        v->var = c->value;
}

/* After a comparison narrowed register reg: every copy of it is narrowed too. */
static void refine_copies(struct state *s, int reg)
{
    const struct value *v = &state_frame(s)->regs[reg];
    if (v->type != VALUE_SCALAR || !v->id)
        return;
    struct scalar_copy c = {v->id, v->var};
    state_for_each_value(s, apply_scalar_copy, &c);
}

struct null_check {
    uint32_t id;
    uint8_t type;
    bool is_null;
    /* A map value keeps its id once checked only if it holds a bpf_spin_lock: the id then
     * tells which value bpf_spin_unlock releases. Other ids would only keep states apart. */
    bool keep_id;
};

static void apply_null_check(struct value *v, void *arg)
{
    const struct null_check *c = arg;
    if (!value_is_nullable(v) || v->id != c->id || v->type != c->type)
        return;
    if (c->is_null) {
        *v = value_const(0);
    } else {
        v->type = (uint8_t)value_type_not_null((enum value_type)v->type);
        if (v->type == VALUE_MAP_VALUE && !c->keep_id)
            v->id = 0;
    }
}

struct packet_bound {
    uint32_t id;
    uint8_t type;
    int64_t range;
};

static void apply_packet_bound(struct value *v, void *arg)
{
    const struct packet_bound *b = arg;
    if (v->type == b->type && v->id == b->id && v->range < b->range)
        v->range = b->range;
}

/* In a state where "pkt COND end" holds: the bytes proven to be in the packet. */
static void refine_packet(struct state *s, const struct value *pkt, enum scalar_cond cond)
{
    int64_t proven;
    switch (cond) {
    case SCALAR_LT: proven = pkt->off + 1; break;
    case SCALAR_LE:
    case SCALAR_EQ: proven = pkt->off; break;
    default: return;
    }
    struct packet_bound b = {pkt->id, pkt->type, proven};
    state_for_each_value(s, apply_packet_bound, &b);
}

static bool is_packet_end_for(const struct value *pkt, const struct value *other)
{
    if (pkt->type == VALUE_PACKET)
        return other->type == VALUE_PACKET_END;
    /* metadata ends where data starts */
    return pkt->type == VALUE_PACKET_META && other->type == VALUE_PACKET && other->id == 0 &&
           other->off == 0;
}

static bool is_zero(const struct value *v)
{
    return v->type == VALUE_SCALAR && scalar_is_const(&v->var) && v->var.bits.value == 0;
}

int transfer_branch(struct analysis *a, struct state *s, struct state *jump, size_t pc,
                    struct branch_out *out)
{
    const struct ebpf_insn *insn = &a->insns[pc];
    unsigned bits = EBPF_CLASS(insn->code) == EBPF_CLASS_JMP32 ? 32 : 64;
    enum scalar_cond cond = cond_of(insn->code);
    bool reg_form = insn->code & EBPF_SRC_X;
    struct value dst, src;
    int err = analysis_read_reg(a, s, pc, insn->dst, &dst);
    if (err)
        return err;
    if (reg_form) {
        if ((err = analysis_read_reg(a, s, pc, insn->src, &src)))
            return err;
    } else {
        src = value_const((uint64_t)(int64_t)insn->imm);
    }
    memcpy(jump, s, state_size(s->depth));
    out->fall_feasible = out->jump_feasible = true;

    if (dst.type == VALUE_SCALAR && src.type == VALUE_SCALAR) {
        struct scalar jd = dst.var, js = src.var, fd = dst.var, fs = src.var;
        out->jump_feasible = scalar_refine(cond, bits, &jd, &js);
        out->fall_feasible = scalar_refine(scalar_cond_negate(cond), bits, &fd, &fs);
        if (out->jump_feasible) {
            state_frame(jump)->regs[insn->dst].var = jd;
            if (reg_form)
                state_frame(jump)->regs[insn->src].var = js;
            refine_copies(jump, insn->dst);
            if (reg_form)
                refine_copies(jump, insn->src);
        }
        if (out->fall_feasible) {
            state_frame(s)->regs[insn->dst].var = fd;
            if (reg_form)
                state_frame(s)->regs[insn->src].var = fs;
            refine_copies(s, insn->dst);
            if (reg_form)
                refine_copies(s, insn->src);
        }
        return 0;
    }
    /* Only 64-bit comparisons say anything about a pointer being null: a valid pointer may
     * have a zero low half. */
    if ((cond == SCALAR_EQ || cond == SCALAR_NE) && bits == 64) {
        const struct value *ptr = is_zero(&src) ? &dst : is_zero(&dst) ? &src : NULL;
        if (ptr && value_is_nullable(ptr)) {
            bool keep_id = ptr->type == VALUE_MAP_VALUE_OR_NULL && a->opts->maps[ptr->map].has_spin_lock;
            struct null_check null = {ptr->id, ptr->type, true, keep_id};
            struct null_check not_null = {ptr->id, ptr->type, false, keep_id};
            state_for_each_value(jump, apply_null_check, cond == SCALAR_EQ ? &null : &not_null);
            state_for_each_value(s, apply_null_check, cond == SCALAR_EQ ? &not_null : &null);
            state_release(cond == SCALAR_EQ ? jump : s, null.id); /* nothing to give back */
            return 0;
        }
        if (ptr && value_is_pointer(ptr) && ptr->type != VALUE_FUNC) {
            /* pointers that are not nullable are never 0 */
            if (cond == SCALAR_EQ)
                out->jump_feasible = false;
            else
                out->fall_feasible = false;
            return 0;
        }
    }
    if (bits == 64) {
        const struct value *pkt = NULL;
        enum scalar_cond c = cond;
        if (is_packet_end_for(&dst, &src)) {
            pkt = &dst;
        } else if (is_packet_end_for(&src, &dst)) {
            pkt = &src;
            c = scalar_cond_swap(cond);
        }
        if (pkt) {
            struct value p = *pkt;
            refine_packet(jump, &p, c);
            refine_packet(s, &p, scalar_cond_negate(c));
        }
    }
    return 0;
}

int transfer_check_exit(struct analysis *a, const struct state *s, size_t pc)
{
    int err = spin_lock_check_free(a, s, pc, "exit");
    if (err)
        return err;
    if (s->reference_count) {
        uint32_t at = s->references[0].pc;
        const char *name = isa_helper_name(a->insns[at].imm);
        return analysis_fail(a, pc, -EACCES, "the %s result of insn %u is not released on this path "
                             "(submit, discard or release it before exit)", name ? name : "helper", at);
    }
    const struct value *r0 = &s->frames[s->depth - 1].regs[0];
    char buf[200];
    if (r0->type == VALUE_UNINIT)
        return analysis_fail(a, pc, -EACCES, "r0 is not set at exit: the program must return a value");
    if (r0->type != VALUE_SCALAR)
        return analysis_fail(a, pc, -EACCES, "the return value leaks a pointer: %s",
                             analysis_reg_text(r0, 0, buf, sizeof buf));
    const struct prog_type_desc *t = a->opts->prog_type;
    if (t->checks_return && (r0->var.smin < t->return_min || r0->var.smax > t->return_max))
        return analysis_fail(a, pc, -EACCES, "%s programs must return a value in [%" PRId64 ", %" PRId64 "], r0 is %s",
                             t->name, t->return_min, t->return_max,
                             scalar_format(&r0->var, buf, sizeof buf));
    return 0;
}
