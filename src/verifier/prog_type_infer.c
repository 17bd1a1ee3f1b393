/* Choosing between the two packet program types for code whose section name says no type
 * (old objects put tc, lwt and XDP programs in sections named after the function). struct
 * xdp_md and struct __sk_buff overlap at offsets 0-23, so the choice rests on evidence
 * the code leaves: a context field that struct xdp_md lacks, a store into the context
 * (xdp_md is read-only), or a value loaded from the first 12 bytes (xdp_md's packet
 * pointers) used the way no pointer can be (shifted, multiplied, compared with a number).
 *
 * One pass in program order, registers tagged as "the context" or "loaded from the
 * context" and the tags forgotten when written otherwise. It ignores control flow, which
 * is fine for a choice that decides nothing about safety: the verifier then checks the
 * program against the type chosen, and the loader must load it as that type. */
#include <stdio.h>
#include <string.h>

#include "isa/isa.h"
#include "verifier/prog_types.h"

enum reg_tag { TAG_NONE, TAG_CTX, TAG_CTX_VALUE };

struct inference {
    uint8_t tag[EBPF_REG_COUNT];
    int32_t loaded_from[EBPF_REG_COUNT]; /* ctx offset a TAG_CTX_VALUE came from */
    bool ctx_slot[64];                                   /* 8-byte stack slots holding the ctx */
};

static bool is_xdp_pointer_field(int32_t offset) { return offset >= 0 && offset < 12; }

static void explain(char *why, size_t size, const char *fmt, size_t pc, int32_t offset)
{
    if (why && size)
        snprintf(why, size, fmt, pc, offset);
}

static int stack_slot(int16_t off)
{
    return off < 0 && off >= -512 && off % 8 == 0 ? (-off / 8) - 1 : -1;
}

const struct prog_type_desc *prog_type_infer_packet_type(const struct ebpf_insn *insns, size_t count,
                                                         char *why, size_t why_size)
{
    const struct prog_type_desc *xdp = prog_type_by_name("xdp"), *tc = prog_type_by_name("tc");
    struct inference st;
    memset(&st, 0, sizeof st);
    st.tag[1] = TAG_CTX;
    for (size_t pc = 0; pc < count; pc++) {
        const struct ebpf_insn *in = &insns[pc];
        uint8_t cls = EBPF_CLASS(in->code), mode = in->code & 0xe0, op = in->code & 0xf0;
        unsigned size = (unsigned[]){4, 2, 1, 8}[(in->code >> 3) & 3];
        if (in->dst >= EBPF_REG_COUNT || in->src >= EBPF_REG_COUNT)
            continue; /* malformed: the verifier says so */
        int dst = in->dst, src = in->src;
        if (cls == EBPF_CLASS_LDX && (mode == EBPF_MODE_MEM || mode == EBPF_MODE_MEMSX)) {
            if (st.tag[src] == TAG_CTX) {
                if (!prog_type_find_field(xdp, in->off, size)) {
                    explain(why, why_size, "insn %zu reads context offset %d, beyond struct xdp_md", pc, in->off);
                    return tc;
                }
                st.tag[dst] = TAG_CTX_VALUE;
                st.loaded_from[dst] = in->off;
                continue;
            }
            int slot = src == EBPF_REG_FP && size == 8 ? stack_slot(in->off) : -1;
            st.tag[dst] = slot >= 0 && st.ctx_slot[slot] ? TAG_CTX : TAG_NONE;
            continue;
        }
        if (cls == EBPF_CLASS_ST || cls == EBPF_CLASS_STX) {
            if (st.tag[dst] == TAG_CTX) {
                explain(why, why_size, "insn %zu stores into the context at offset %d (struct xdp_md is read-only)",
                        pc, in->off);
                return tc;
            }
            int slot = dst == EBPF_REG_FP ? stack_slot(in->off) : -1;
            if (slot >= 0)
                st.ctx_slot[slot] = cls == EBPF_CLASS_STX && mode == EBPF_MODE_MEM && size == 8 &&
                                    st.tag[src] == TAG_CTX;
            continue;
        }
        bool alu = cls == EBPF_CLASS_ALU || cls == EBPF_CLASS_ALU64;
        bool pointer_step = cls == EBPF_CLASS_ALU64 && (op == 0x00 || op == 0x10); /* add, sub */
        if (alu && op == 0xb0 /* mov */ && (in->code & EBPF_SRC_X) && cls == EBPF_CLASS_ALU64 && in->off == 0) {
            st.tag[dst] = st.tag[src];
            st.loaded_from[dst] = st.loaded_from[src];
            continue;
        }
        if (alu && st.tag[dst] == TAG_CTX_VALUE && is_xdp_pointer_field(st.loaded_from[dst]) &&
            op != 0xb0 && !pointer_step) {
            explain(why, why_size, "insn %zu computes with the value of context offset %d as a number, "
                    "which struct xdp_md's packet pointers cannot be", pc, st.loaded_from[dst]);
            return tc;
        }
        if ((cls == EBPF_CLASS_JMP || cls == EBPF_CLASS_JMP32) && op != 0x00 && op != 0x80 && op != 0x90 &&
            !(in->code & EBPF_SRC_X) && in->imm != 0 && st.tag[dst] == TAG_CTX_VALUE &&
            is_xdp_pointer_field(st.loaded_from[dst])) {
            explain(why, why_size, "insn %zu compares the value of context offset %d with a number, "
                    "which struct xdp_md's packet pointers cannot be", pc, st.loaded_from[dst]);
            return tc;
        }
        if (cls == EBPF_CLASS_JMP && op == 0x80) { /* calls clobber r0-r5 */
            for (int r = 0; r <= 5; r++)
                st.tag[r] = TAG_NONE;
            continue;
        }
        uint16_t reads, writes;
        isa_insn_regs(in, &reads, &writes);
        for (int r = 0; r < EBPF_REG_COUNT; r++)
            if (writes & (1u << r))
                st.tag[r] = pointer_step && r == dst && st.tag[r] == TAG_CTX_VALUE ? TAG_CTX_VALUE : TAG_NONE;
        if (isa_is_lddw(in))
            pc++;
    }
    if (why && why_size)
        snprintf(why, why_size, "nothing in the code needs struct __sk_buff");
    return xdp;
}
