/* Context access rewriting (runtime layer), Linux's convert_ctx_accesses for bpfhost's
 * contexts. Linux's xdp_md and __sk_buff keep packet pointers in 32-bit fields, which hold
 * real addresses only when packets live below 4 GiB. The runtime's contexts keep Linux's
 * layout and add the pointers at full width after it; once the verifier has proven which
 * field each instruction reads (verifier_options.ctx_accesses), each 32-bit load of a
 * pointer field becomes one 64-bit load of its full-width copy. One instruction stays one
 * instruction, so no jump, call, lddw or line record moves. Scalar fields stay where Linux
 * has them. */
#ifndef BPFHOST_RUNTIME_CTX_REWRITE_H
#define BPFHOST_RUNTIME_CTX_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "isa/isa.h"
#include "verifier/prog_types.h"
#include "verifier/verifier.h"

/* Offset of the full-width copy, in the runtime's context of a program of type, of the
 * pointer field at offset in Linux's layout; -1 when the runtime keeps none. */
int runtime_ctx_pointer_copy(const struct prog_type_desc *type, uint16_t offset);

/* Whether a field is a pointer narrower than a host pointer, which must be rewritten. */
static inline int runtime_ctx_field_is_narrow_pointer(const struct ctx_field *field)
{
    return field->kind != CTX_SCALAR && field->size < 8;
}

/* Rewrites insns (count of them, verified against type with accesses filled in) in place.
 * Returns 0; -EOPNOTSUPP naming the instruction when a narrow pointer field has no copy in
 * the runtime's context; -EINVAL when a recorded access is not a whole-field load the
 * verifier could have accepted. */
int runtime_ctx_rewrite(struct ebpf_insn *insns, size_t count, const struct prog_type_desc *type,
                        const struct verifier_ctx_access *accesses, char *msg, size_t msg_size);

#endif
