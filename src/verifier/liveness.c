/* Backward register liveness over the control-flow graph. */
#include "verifier/liveness.h"

#include "verifier/helper_protos.h"

#define R(n) ((uint16_t)(1u << (n)))
#define ARGS ((uint16_t)(R(1) | R(2) | R(3) | R(4) | R(5)))
#define CALLER_SAVED ((uint16_t)(R(0) | ARGS))

static uint16_t helper_args(int32_t id)
{
    const struct helper_proto *proto = helper_proto(id);
    if (!proto)
        return ARGS;
    uint16_t use = 0;
    for (int i = 0; i < 5; i++)
        if (proto->args[i] != ARG_NONE)
            use |= R(i + 1);
    return use;
}

void liveness_insn(const struct ebpf_insn *insn, uint16_t *use, uint16_t *def)
{
    enum isa_form_id form = isa_decode(insn);
    bool mov = (insn->code & 0xf0) == 0xb0 &&
               (EBPF_CLASS(insn->code) == EBPF_CLASS_ALU || EBPF_CLASS(insn->code) == EBPF_CLASS_ALU64);
    uint16_t dst = R(insn->dst & 0xf), src = R(insn->src & 0xf);
    *use = *def = 0;
    switch (isa_forms[form].operands) {
    case ISA_OPS_DST: *use = dst; *def = dst; break;
    case ISA_OPS_DST_IMM: *use = mov ? 0 : dst; *def = dst; break;
    case ISA_OPS_DST_SRC: *use = mov ? src : (uint16_t)(dst | src); *def = dst; break;
    case ISA_OPS_LOAD: *use = src; *def = dst; break;
    case ISA_OPS_STORE_IMM: *use = dst; break;
    case ISA_OPS_STORE_REG:
        *use = dst | src;
        if ((insn->code & 0xe0) == EBPF_MODE_ATOMIC) {
            if (form == ISA_ATOMIC_CMPXCHG64 || form == ISA_ATOMIC_CMPXCHG32) {
                *use |= R(0);
                *def = R(0);
            } else if (insn->imm & EBPF_ATOMIC_FETCH) {
                *def = src;
            }
        }
        break;
    case ISA_OPS_COND_IMM: *use = dst; break;
    case ISA_OPS_COND_REG: *use = dst | src; break;
    case ISA_OPS_CALL_HELPER: *use = helper_args(insn->imm); *def = CALLER_SAVED; break;
    case ISA_OPS_CALL_LOCAL:
    case ISA_OPS_CALL_KFUNC: *use = ARGS; *def = CALLER_SAVED; break;
    case ISA_OPS_CALLX: *use = dst | ARGS; *def = CALLER_SAVED; break;
    case ISA_OPS_NONE: *use = R(0); break; /* exit */
    case ISA_OPS_LDDW: *def = dst; break;
    case ISA_OPS_LD_ABS: *use = R(6); *def = CALLER_SAVED; break;
    case ISA_OPS_LD_IND: *use = R(6) | src; *def = CALLER_SAVED; break;
    default: break;
    }
}

static uint16_t block_live_in(const struct ebpf_insn *insns, const struct cfg_block *b, uint16_t live)
{
    /* walk backwards; the second slot of an lddw is not an instruction */
    size_t last = b->end;
    while (last > b->start) {
        size_t pc = last - 1;
        if (pc > b->start && isa_is_lddw(&insns[pc - 1]))
            pc--;
        uint16_t use, def;
        liveness_insn(&insns[pc], &use, &def);
        live = (uint16_t)((live & ~def) | use);
        last = pc;
    }
    return live;
}

void liveness_compute(const struct ebpf_insn *insns, const struct cfg *cfg, uint16_t *live_in)
{
    for (uint32_t b = 0; b < cfg->block_count; b++)
        live_in[b] = 0;
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t i = cfg->block_count; i-- > 0;) {
            const struct cfg_block *b = &cfg->blocks[i];
            uint16_t out = 0;
            for (int s = 0; s < b->succ_count; s++)
                out |= live_in[b->succ[s]];
            uint16_t in = block_live_in(insns, b, out);
            if (in != live_in[i]) {
                live_in[i] = in;
                changed = true;
            }
        }
    }
}
