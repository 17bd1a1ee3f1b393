/* Checks that need no state, on every instruction before the analysis. The analysis only
 * visits what some path reaches, but an instruction no path reaches is still loaded: the
 * engines validate every instruction, and Linux rejects unreachable code outright. A
 * program holding an instruction that no state could make valid is refused whole. */
#include "verifier/analysis.h"

#include <errno.h>

static int check_lddw(struct analysis *a, size_t pc, enum isa_form_id form)
{
    const struct ebpf_insn *insn = &a->insns[pc];
    int32_t map;
    int err;
    switch (form) {
    case ISA_LDDW_MAP_FD:
    case ISA_LDDW_MAP_IDX:
        return transfer_resolve_map(a, pc, insn->imm, form == ISA_LDDW_MAP_FD, &map);
    case ISA_LDDW_MAP_VALUE:
    case ISA_LDDW_MAP_IDX_VALUE:
        if ((err = transfer_resolve_map(a, pc, insn->imm, form == ISA_LDDW_MAP_VALUE, &map)))
            return err;
        if ((uint32_t)insn[1].imm >= a->opts->maps[map].value_size)
            return analysis_fail(a, pc, -EACCES, "offset %u is outside map %d's %u-byte value",
                                 (uint32_t)insn[1].imm, map, a->opts->maps[map].value_size);
        return 0;
    case ISA_LDDW:
    case ISA_LDDW_FUNC:
        return 0;
    default:
        return analysis_fail(a, pc, -EACCES, "lddw of a kernel BTF object is not supported");
    }
}

int static_checks(struct analysis *a)
{
    for (size_t pc = 0; pc < a->count; pc++) {
        enum isa_form_id form = isa_decode(&a->insns[pc]);
        int err = 0;
        switch (isa_forms[form].operands) {
        case ISA_OPS_CALL_HELPER:
            err = helper_check_available(a, pc);
            break;
        case ISA_OPS_CALL_KFUNC:
            err = analysis_fail(a, pc, -EACCES, "kfunc calls are not supported");
            break;
        case ISA_OPS_CALLX:
            err = analysis_fail(a, pc, -EACCES, "indirect calls (callx) are not supported");
            break;
        case ISA_OPS_LD_ABS:
        case ISA_OPS_LD_IND:
            if (!a->opts->prog_type->allows_ld_abs)
                err = analysis_fail(a, pc, -EACCES, "legacy packet loads (ld_abs/ld_ind) are not allowed in %s "
                                    "programs", a->opts->prog_type->name);
            break;
        case ISA_OPS_LDDW:
            err = check_lddw(a, pc, form);
            pc++; /* the second slot */
            break;
        default:
            break;
        }
        if (err)
            return err;
    }
    return 0;
}
