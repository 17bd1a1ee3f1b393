/* What helpers do with the memory their arguments point to, for the checked interpreter: taken
 * from the verifier's prototypes, so that both check the same bytes and count the same bytes
 * as written after a call. */
#include "helpers/helpers.h"
#include "verifier/helper_protos.h"

static uint8_t arg_memory(uint8_t proto_arg)
{
    switch (proto_arg) {
    case ARG_MEM:
    case ARG_MEM_OR_NULL: /* null only with size 0: nothing is touched */
        return VM_ARG_READ;
    case ARG_MEM_RW: return VM_ARG_READ_WRITE;
    case ARG_MEM_UNINIT: return VM_ARG_FILL;
    case ARG_MAP_KEY: return VM_ARG_READ_KEY;
    case ARG_MAP_VALUE: return VM_ARG_READ_VALUE;
    case ARG_MAP_VALUE_UNINIT: return VM_ARG_FILL_VALUE;
    case ARG_SPIN_LOCK: return VM_ARG_LOCK;
    default: return VM_ARG_NONE;
    }
}

void helpers_describe_arg_memory(struct vm_helpers *table)
{
    for (size_t i = 0; i < helper_proto_count(); i++) {
        const struct helper_proto *proto = helper_proto_at(i);
        if (proto->id < 0 || proto->id >= VM_HELPER_MAX)
            continue;
        for (unsigned n = 0; n < 5; n++)
            table->args[proto->id][n] = arg_memory(proto->args[n]);
    }
}
