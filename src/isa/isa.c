/* The form table, decoding, and structural validation of programs. */
#include "base/message.h"
#include "isa/isa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

const struct isa_form isa_forms[ISA_FORM_COUNT] = {
    [ISA_FORM_INVALID] = {"(invalid)", 0, ISA_MATCH_NONE, 0, ISA_OPS_NONE, 0, 0, "invalid"},
#define ISA_FORM_ENTRY(id, name, code, match, value, operands, zero, version, linux_fmt)             \
    [ISA_##id] = {name, code, match, value, operands, zero, version, linux_fmt},
    ISA_FORMS(ISA_FORM_ENTRY)
#undef ISA_FORM_ENTRY
};

/* Forms sharing an opcode byte form a chain: first_form[code], then next_form[form]. */
static uint8_t first_form[256];
static uint8_t next_form[ISA_FORM_COUNT];
static once_flag index_once = ONCE_FLAG_INIT;
_Static_assert(ISA_FORM_COUNT < 256, "form ids fit in a byte");

static void build_index(void)
{
    for (int id = ISA_FORM_COUNT - 1; id > ISA_FORM_INVALID; id--) {
        uint8_t code = isa_forms[id].code;
        next_form[id] = first_form[code];
        first_form[code] = (uint8_t)id;
    }
}

static int32_t field_value(const struct ebpf_insn *insn, enum isa_match match)
{
    switch (match) {
    case ISA_MATCH_OFF: return insn->off;
    case ISA_MATCH_IMM: return insn->imm;
    case ISA_MATCH_SRC: return insn->src;
    default: return 0;
    }
}

enum isa_form_id isa_decode(const struct ebpf_insn *insn)
{
    call_once(&index_once, build_index);
    for (uint8_t id = first_form[insn->code]; id != ISA_FORM_INVALID; id = next_form[id]) {
        const struct isa_form *form = &isa_forms[id];
        if (form->match == ISA_MATCH_NONE || field_value(insn, form->match) == form->match_value)
            return (enum isa_form_id)id;
    }
    return ISA_FORM_INVALID;
}

/* Forms whose dst register is written (so it may not be the read-only r10). */
static bool form_writes_dst(const struct isa_form *form)
{
    switch (form->operands) {
    case ISA_OPS_DST:
    case ISA_OPS_DST_IMM:
    case ISA_OPS_DST_SRC:
    case ISA_OPS_LOAD:
    case ISA_OPS_LDDW:
        return true;
    default:
        return false;
    }
}

enum isa_form_id isa_check_insn(const struct ebpf_insn *insn, char *msg, size_t msg_size)
{
    enum isa_form_id id = isa_decode(insn);
    if (id == ISA_FORM_INVALID) {
        bool opcode_known = (call_once(&index_once, build_index), first_form[insn->code] != 0);
        if (opcode_known)
            msg_set(msg, msg_size, "opcode 0x%02x with %s %d is not a valid instruction",
                       insn->code,
                       isa_forms[first_form[insn->code]].match == ISA_MATCH_OFF   ? "offset"
                       : isa_forms[first_form[insn->code]].match == ISA_MATCH_SRC ? "src register"
                                                                                   : "immediate",
                       field_value(insn, isa_forms[first_form[insn->code]].match));
        else
            msg_set(msg, msg_size, "unknown opcode 0x%02x", insn->code);
        return ISA_FORM_INVALID;
    }
    const struct isa_form *form = &isa_forms[id];
    uint8_t zero = form->must_be_zero;
    if ((zero & ISA_Z_DST) && insn->dst) {
        msg_set(msg, msg_size, "%s: unused dst register field is %d, must be 0", form->name, insn->dst);
        return ISA_FORM_INVALID;
    }
    if ((zero & ISA_Z_SRC) && insn->src) {
        msg_set(msg, msg_size, "%s: unused src register field is %d, must be 0", form->name, insn->src);
        return ISA_FORM_INVALID;
    }
    if ((zero & ISA_Z_OFF) && insn->off) {
        msg_set(msg, msg_size, "%s: unused offset field is %d, must be 0", form->name, insn->off);
        return ISA_FORM_INVALID;
    }
    if ((zero & ISA_Z_IMM) && insn->imm) {
        msg_set(msg, msg_size, "%s: unused immediate field is %d, must be 0", form->name, insn->imm);
        return ISA_FORM_INVALID;
    }
    if (!(zero & ISA_Z_DST) && insn->dst >= EBPF_REG_COUNT) {
        msg_set(msg, msg_size, "%s: invalid dst register r%d", form->name, insn->dst);
        return ISA_FORM_INVALID;
    }
    if (!(zero & ISA_Z_SRC) && form->match != ISA_MATCH_SRC && insn->src >= EBPF_REG_COUNT) {
        msg_set(msg, msg_size, "%s: invalid src register r%d", form->name, insn->src);
        return ISA_FORM_INVALID;
    }
    if (form_writes_dst(form) && insn->dst == EBPF_REG_FP) {
        msg_set(msg, msg_size, "%s: r10 is the read-only frame pointer", form->name);
        return ISA_FORM_INVALID;
    }
    return id;
}

static int check_control_flow(const struct ebpf_insn *insns, size_t count, const uint8_t *is_tail,
                              size_t *bad_pc, char *msg, size_t msg_size)
{
    for (size_t pc = 0; pc < count; pc++) {
        if (is_tail[pc])
            continue;
        *bad_pc = pc;
        enum isa_form_id id = isa_decode(&insns[pc]);
        enum isa_operands ops = isa_forms[id].operands;
        int64_t target;
        const char *what;
        if (ops == ISA_OPS_JUMP || ops == ISA_OPS_JUMP32 || ops == ISA_OPS_COND_IMM ||
            ops == ISA_OPS_COND_REG) {
            target = isa_jump_target(&insns[pc], pc);
            what = "jump";
        } else if (ops == ISA_OPS_CALL_LOCAL || id == ISA_LDDW_FUNC) {
            target = (int64_t)pc + 1 + insns[pc].imm;
            what = ops == ISA_OPS_CALL_LOCAL ? "call" : "function reference";
        } else {
            continue;
        }
        if (target < 0 || target >= (int64_t)count) {
            msg_set(msg, msg_size, "%s target %lld is outside the program (0..%zu)", what,
                       (long long)target, count - 1);
            return -EINVAL;
        }
        if (is_tail[target]) {
            msg_set(msg, msg_size, "%s target %lld is the second half of an lddw", what,
                       (long long)target);
            return -EINVAL;
        }
    }
    return 0;
}

int isa_validate_program(const struct ebpf_insn *insns, size_t count, size_t *bad_pc, char *msg,
                         size_t msg_size)
{
    size_t pc_unused;
    if (!bad_pc)
        bad_pc = &pc_unused;
    *bad_pc = 0;
    if (count == 0) {
        msg_set(msg, msg_size, "program is empty");
        return -EINVAL;
    }
    if (count > EBPF_MAX_INSNS) {
        msg_set(msg, msg_size, "program has %zu instructions, more than the limit of %d", count,
                   EBPF_MAX_INSNS);
        return -E2BIG;
    }
    uint8_t *is_tail = calloc(count, 1);
    if (!is_tail) {
        msg_set(msg, msg_size, "out of memory validating %zu instructions", count);
        return -ENOMEM;
    }
    int err = -EINVAL;
    bool last_is_terminal = false;
    for (size_t pc = 0; pc < count; pc++) {
        *bad_pc = pc;
        enum isa_form_id id = isa_check_insn(&insns[pc], msg, msg_size);
        if (id == ISA_FORM_INVALID)
            goto out;
        last_is_terminal = id == ISA_EXIT || id == ISA_JA || id == ISA_JA32;
        if (isa_forms[id].operands != ISA_OPS_LDDW)
            continue;
        if (pc + 1 >= count) {
            msg_set(msg, msg_size, "lddw is truncated: its second half is missing");
            goto out;
        }
        const struct ebpf_insn *tail = &insns[pc + 1];
        if (tail->code || tail->dst || tail->src || tail->off) {
            *bad_pc = pc + 1;
            msg_set(msg, msg_size, "second half of lddw must have opcode, registers and offset 0");
            goto out;
        }
        is_tail[++pc] = 1;
        last_is_terminal = false;
    }
    err = check_control_flow(insns, count, is_tail, bad_pc, msg, msg_size);
    if (err)
        goto out;
    if (!last_is_terminal) {
        *bad_pc = count - 1;
        msg_set(msg, msg_size, "last instruction is not exit or goto: execution can fall off the end");
        err = -EINVAL;
    }
out:
    free(is_tail);
    return err;
}

void isa_insn_regs(const struct ebpf_insn *insn, uint16_t *reads, uint16_t *writes)
{
    enum isa_form_id id = isa_decode(insn);
    uint16_t dst = (uint16_t)(1u << insn->dst), src = (uint16_t)(1u << insn->src);
    uint16_t r = 0, w = 0;
    bool is_mov = id == ISA_MOV64_IMM || id == ISA_MOV64_REG || id == ISA_MOV32_IMM ||
                  id == ISA_MOV32_REG || (id >= ISA_MOVSX8_64 && id <= ISA_MOVSX16_32);
    switch (isa_forms[id].operands) {
    case ISA_OPS_DST:
        r = w = dst;
        break;
    case ISA_OPS_DST_IMM:
        r = is_mov ? 0 : dst;
        w = dst;
        break;
    case ISA_OPS_DST_SRC:
        r = (uint16_t)(is_mov ? src : (dst | src));
        w = dst;
        break;
    case ISA_OPS_LOAD:
        r = src;
        w = dst;
        break;
    case ISA_OPS_STORE_IMM:
        r = dst;
        break;
    case ISA_OPS_STORE_REG:
        r = (uint16_t)(dst | src);
        if (id == ISA_ATOMIC_CMPXCHG64 || id == ISA_ATOMIC_CMPXCHG32) {
            r |= 1;
            w = 1;
        } else if (isa_forms[id].code == 0xdb || isa_forms[id].code == 0xc3) {
            if (insn->imm & EBPF_ATOMIC_FETCH)
                w = src;
        }
        break;
    case ISA_OPS_COND_IMM:
        r = dst;
        break;
    case ISA_OPS_COND_REG:
        r = (uint16_t)(dst | src);
        break;
    case ISA_OPS_CALLX:
        r = dst;
        w = 1;
        break;
    case ISA_OPS_CALL_HELPER:
    case ISA_OPS_CALL_LOCAL:
    case ISA_OPS_CALL_KFUNC:
        w = 1;
        break;
    case ISA_OPS_NONE: /* exit */
        r = 1;
        break;
    case ISA_OPS_LDDW:
        w = dst;
        break;
    case ISA_OPS_LD_ABS:
        r = 1u << 6;
        w = 1;
        break;
    case ISA_OPS_LD_IND:
        r = (uint16_t)((1u << 6) | src);
        w = 1;
        break;
    default:
        break;
    }
    *reads = r;
    *writes = w;
}
