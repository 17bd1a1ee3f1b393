/* Disassembly: the form table decides what an instruction is, its linux_fmt or its operand
 * kind how it is written. */
#include "isa/disasm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* Appends to a caller's buffer, truncating but always terminating. */
struct text {
    char *buf;
    size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *out, const char *fmt, ...)
{
    if (!out->buf || out->len + 1 >= out->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out->buf + out->len, out->size - out->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        out->len += (size_t)n < out->size - out->len ? (size_t)n : out->size - out->len - 1;
}

static struct text text_in(char *buf, size_t size)
{
    if (buf && size)
        buf[0] = '\0';
    return (struct text){buf, size, 0};
}

static int invalid(struct text *out, const char *reason)
{
    out->len = 0;
    put(out, "invalid: %s", reason);
    return -EINVAL;
}

/* The form of insns[pc] when the form's syntax shows every bit of it, else
 * ISA_FORM_INVALID with the reason in why. */
static enum isa_form_id printable_form(const struct ebpf_insn *insns, size_t count, size_t pc,
                                       char *why, size_t why_size)
{
    if (pc >= count) {
        snprintf(why, why_size, "pc %zu is outside the program (%zu instructions)", pc, count);
        return ISA_FORM_INVALID;
    }
    const struct ebpf_insn *insn = &insns[pc];
    enum isa_form_id id = isa_check_insn(insn, why, why_size);
    enum isa_form_id decoded = isa_decode(insn);
    if (id == ISA_FORM_INVALID && decoded != ISA_FORM_INVALID && insn->dst == EBPF_REG_FP &&
        !(isa_forms[decoded].must_be_zero & ISA_Z_DST)) {
        /* isa_check_insn also refuses writes to r10, which print fine: check the rest. */
        struct ebpf_insn other_dst = *insn;
        other_dst.dst = 0;
        id = isa_check_insn(&other_dst, why, why_size);
    }
    if (id == ISA_FORM_INVALID || isa_forms[id].operands != ISA_OPS_LDDW)
        return id;
    if (pc + 1 >= count) {
        snprintf(why, why_size, "lddw is truncated: its second half is missing");
        return ISA_FORM_INVALID;
    }
    const struct ebpf_insn *tail = &insns[pc + 1];
    if (tail->code || tail->dst || tail->src || tail->off) {
        snprintf(why, why_size, "second half of lddw must have opcode, registers and offset 0");
        return ISA_FORM_INVALID;
    }
    return id;
}

static uint64_t lddw_value(const struct ebpf_insn *insn)
{
    return (uint64_t)(uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32;
}

static void put_linux(struct text *out, const struct ebpf_insn *insn, const char *fmt)
{
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            put(out, "%c", *p);
            continue;
        }
        switch (*++p) {
        case 'd': put(out, "r%u", insn->dst); break;
        case 'w': put(out, "w%u", insn->dst); break;
        case 's': put(out, "r%u", insn->src); break;
        case 'v': put(out, "w%u", insn->src); break;
        case 'i': put(out, "%d", insn->imm); break;
        case 'o': put(out, "%c %d", insn->off < 0 ? '-' : '+', insn->off < 0 ? -insn->off : insn->off); break;
        case 'j': put(out, "%+d", insn->off); break;
        case 'J': put(out, "%+d", insn->imm); break;
        case 'c': put(out, "pc%+d", insn->imm); break;
        case 'L': put(out, "0x%llx", (unsigned long long)lddw_value(insn)); break;
        case 'K': put(out, "%d", insn[1].imm); break;
        case 'h': {
            const char *name = isa_helper_name(insn->imm);
            if (name)
                put(out, "bpf_%s#%d", name, insn->imm);
            else
                put(out, "#%d", insn->imm);
            break;
        }
        default: put(out, "%c", *p); break; /* "%%" */
        }
    }
}

static void put_asm(struct text *out, const struct ebpf_insn *insn, const struct isa_form *form)
{
    const char *name = form->name;
    unsigned dst = insn->dst, src = insn->src;
    int off = insn->off, imm = insn->imm;
    switch ((enum isa_operands)form->operands) {
    case ISA_OPS_NONE: put(out, "%s", name); break;
    case ISA_OPS_DST:
    case ISA_OPS_CALLX: put(out, "%s %%r%u", name, dst); break;
    case ISA_OPS_DST_IMM: put(out, "%s %%r%u, %d", name, dst, imm); break;
    case ISA_OPS_DST_SRC: put(out, "%s %%r%u, %%r%u", name, dst, src); break;
    case ISA_OPS_LOAD: put(out, "%s %%r%u, [%%r%u%+d]", name, dst, src, off); break;
    case ISA_OPS_STORE_IMM: put(out, "%s [%%r%u%+d], %d", name, dst, off, imm); break;
    case ISA_OPS_STORE_REG: put(out, "%s [%%r%u%+d], %%r%u", name, dst, off, src); break;
    case ISA_OPS_JUMP: put(out, "%s %+d", name, off); break;
    case ISA_OPS_JUMP32:
    case ISA_OPS_CALL_LOCAL: put(out, "%s %+d", name, imm); break;
    case ISA_OPS_COND_IMM: put(out, "%s %%r%u, %d, %+d", name, dst, imm, off); break;
    case ISA_OPS_COND_REG: put(out, "%s %%r%u, %%r%u, %+d", name, dst, src, off); break;
    case ISA_OPS_CALL_HELPER:
    case ISA_OPS_CALL_KFUNC:
    case ISA_OPS_LD_ABS: put(out, "%s %d", name, imm); break;
    case ISA_OPS_LD_IND: put(out, "%s %%r%u, %d", name, src, imm); break;
    case ISA_OPS_LDDW:
        put(out, "%s %%r%u, 0x%llx", name, dst, (unsigned long long)lddw_value(insn));
        break;
    }
}

int disasm_insn(const struct ebpf_insn *insns, size_t count, size_t pc, char *buf, size_t size)
{
    struct text out = text_in(buf, size);
    char why[160];
    enum isa_form_id id = printable_form(insns, count, pc, why, sizeof why);
    if (id == ISA_FORM_INVALID)
        return invalid(&out, why);
    put_linux(&out, &insns[pc], isa_forms[id].linux_fmt);
    return isa_forms[id].operands == ISA_OPS_LDDW ? 2 : 1;
}

int disasm_insn_asm(const struct ebpf_insn *insns, size_t count, size_t pc, char *buf,
                    size_t size)
{
    struct text out = text_in(buf, size);
    char why[160];
    enum isa_form_id id = printable_form(insns, count, pc, why, sizeof why);
    if (id == ISA_FORM_INVALID)
        return invalid(&out, why);
    if (id == ISA_CALL_KFUNC && insns[pc].off) {
        snprintf(why, sizeof why, "call kfunc with offset %d has no assembler syntax",
                 insns[pc].off);
        return invalid(&out, why);
    }
    put_asm(&out, &insns[pc], &isa_forms[id]);
    return isa_forms[id].operands == ISA_OPS_LDDW ? 2 : 1;
}
