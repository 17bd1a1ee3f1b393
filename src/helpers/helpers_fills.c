/* What helpers write through their arguments, for the checked interpreter's record of written
 * stack bytes: taken from the verifier's prototypes, so that both count the same bytes as
 * written after a call. */
#include "helpers/helpers.h"
#include "verifier/helper_protos.h"

void helpers_describe_fills(struct vm_helpers *table)
{
    for (size_t i = 0; i < helper_proto_count(); i++) {
        const struct helper_proto *proto = helper_proto_at(i);
        if (proto->id < 0 || proto->id >= VM_HELPER_MAX)
            continue;
        for (uint8_t arg = 0; arg < 5; arg++) {
            if (proto->args[arg] == ARG_MEM_UNINIT)
                table->fills[proto->id] = (struct vm_helper_fill){VM_FILL_SIZED, (uint8_t)(arg + 1)};
            else if (proto->args[arg] == ARG_MAP_VALUE_UNINIT)
                table->fills[proto->id] = (struct vm_helper_fill){VM_FILL_MAP_VALUE, (uint8_t)(arg + 1)};
        }
    }
}
