/* Which context field each load and store reaches, for the runtime's rewriting of context
 * accesses (Linux's convert_ctx_accesses). A rewritten instruction reads the runtime's
 * layout of the context, so it must reach that field and nothing else on every path. */
#include "verifier/analysis.h"

#include <errno.h>

enum { SEEN_CTX = 1, SEEN_OTHER = 2 };

int ctx_access_record(struct analysis *a, size_t pc, int reg, const struct value *p, int64_t off,
                      unsigned size)
{
    uint8_t *seen = &a->ctx_access_seen[pc];
    struct verifier_ctx_access *rec = &a->ctx_accesses[pc];
    char bp[200];
    if (p->type != VALUE_CTX) {
        if (*seen & SEEN_CTX)
            return analysis_fail(a, pc, -EACCES, "the same instruction reaches the context on one path "
                                 "and %s on another (r%d is %s): context accesses are rewritten per "
                                 "instruction, so use separate loads", value_type_name((enum value_type)p->type),
                                 reg, value_format(p, bp, sizeof bp));
        *seen |= SEEN_OTHER;
        return 0;
    }
    /* memory.c accepted the access: the offset is a constant inside the context. */
    int64_t offset = value_min_offset(p) + off;
    const struct ctx_field *field = prog_type_find_field(a->opts->prog_type, offset, size);
    if (*seen & SEEN_OTHER)
        return analysis_fail(a, pc, -EACCES, "the same instruction reaches other memory on one path and "
                             "the context (%s) on another (r%d is %s): context accesses are rewritten per "
                             "instruction, so use separate loads", field ? field->name : "?", reg,
                             value_format(p, bp, sizeof bp));
    if ((*seen & SEEN_CTX) && (rec->offset != offset || rec->size != size))
        return analysis_fail(a, pc, -EACCES, "the same instruction reaches the context at offset %u size %u "
                             "on one path and at offset %lld size %u on another (r%d is %s)", rec->offset,
                             rec->size, (long long)offset, size, reg, value_format(p, bp, sizeof bp));
    *seen |= SEEN_CTX;
    *rec = (struct verifier_ctx_access){
        .offset = (uint16_t)offset,
        .size = (uint8_t)size,
        .kind = field ? field->kind : CTX_SCALAR,
    };
    return 0;
}
