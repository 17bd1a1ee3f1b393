/* Rewriting of verified programs' loads of 32-bit context pointer fields. */
#include "runtime/ctx_rewrite.h"

#include <errno.h>

#include "base/message.h"
#include "runtime/ctx_skb.h"
#include "runtime/xdp_context.h"

static const struct pointer_copy {
    uint32_t linux_type;
    uint16_t linux_offset, copy_offset;
} pointer_copies[] = {
    {PROG_TYPE_XDP, offsetof(struct xdp_md_abi, data), offsetof(struct runtime_xdp_md, data)},
    {PROG_TYPE_XDP, offsetof(struct xdp_md_abi, data_end), offsetof(struct runtime_xdp_md, data_end)},
    {PROG_TYPE_XDP, offsetof(struct xdp_md_abi, data_meta), offsetof(struct runtime_xdp_md, data_meta)},
    {PROG_TYPE_SCHED_CLS, offsetof(struct sk_buff_abi, data), RUNTIME_SKB_COPY_OFFSET(data)},
    {PROG_TYPE_SCHED_CLS, offsetof(struct sk_buff_abi, data_end), RUNTIME_SKB_COPY_OFFSET(data_end)},
    {PROG_TYPE_SCHED_CLS, offsetof(struct sk_buff_abi, data_meta), RUNTIME_SKB_COPY_OFFSET(data_meta)},
};

int runtime_ctx_pointer_copy(const struct prog_type_desc *type, uint16_t offset)
{
    for (size_t i = 0; i < sizeof pointer_copies / sizeof pointer_copies[0]; i++)
        if (pointer_copies[i].linux_type == type->linux_type && pointer_copies[i].linux_offset == offset)
            return pointer_copies[i].copy_offset;
    return -1;
}

int runtime_ctx_rewrite(struct ebpf_insn *insns, size_t count, const struct prog_type_desc *type,
                        const struct verifier_ctx_access *accesses, char *msg, size_t msg_size)
{
    for (size_t pc = 0; pc < count; pc++) {
        const struct verifier_ctx_access *access = &accesses[pc];
        if (!access->size || access->kind == CTX_SCALAR)
            continue;
        const struct ctx_field *field = prog_type_find_field(type, access->offset, access->size);
        if (!field || !runtime_ctx_field_is_narrow_pointer(field))
            continue;
        struct ebpf_insn *insn = &insns[pc];
        if (insn->code != (EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_W) || access->offset != field->offset ||
            access->size != field->size)
            return msg_error(-EINVAL, msg, msg_size, "insn %zu: %s field %s is accessed other than by a "
                             "whole 32-bit load (code 0x%02x, offset %u, %u bytes)", pc, type->ctx_name,
                             field->name, insn->code, access->offset, access->size);
        int copy = runtime_ctx_pointer_copy(type, field->offset);
        if (copy < 0)
            return msg_error(-EOPNOTSUPP, msg, msg_size, "insn %zu: the runtime keeps no full-width copy "
                             "of %s field %s", pc, type->ctx_name, field->name);
        /* The register may point past the context's start; keep that part of the offset. */
        int32_t off = copy - ((int32_t)access->offset - insn->off);
        if (off < INT16_MIN || off > INT16_MAX)
            return msg_error(-EINVAL, msg, msg_size, "insn %zu: offset %d of the rewritten load of %s "
                             "does not fit an instruction", pc, off, field->name);
        insn->code = EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW;
        insn->off = (int16_t)off;
    }
    return 0;
}
