/* The checked mode's record of which stack bytes were written, so that a read of a byte no
 * store, atomic or helper wrote in the life of its frame faults as it would fail to verify. */
#include <errno.h>
#include <string.h>

#include "vm/vm_internal.h"

void vm_stack_mark(uint8_t *written, uint64_t offset, uint64_t size)
{
    for (uint64_t n = offset; n < offset + size; n++)
        written[n >> 3] |= (uint8_t)(1u << (n & 7));
}

void vm_stack_forget_frame(uint8_t *written, uint64_t frame_offset)
{
    memset(written + frame_offset / 8, 0, EBPF_STACK_SIZE / 8);
}

void vm_stack_mark_helper_fill(uint8_t *written, const uint8_t *stack, const struct vm_helpers *helpers,
                               uint64_t id, const uint64_t args[5])
{
    const struct vm_helper_fill *fill = &helpers->fills[id];
    if (fill->arg < 1 || fill->arg > 5)
        return;
    uint64_t size = 0;
    if (fill->kind == VM_FILL_SIZED && fill->arg < 5)
        size = args[fill->arg];
    else if (fill->kind == VM_FILL_MAP_VALUE && helpers->map_value_size)
        size = helpers->map_value_size(args[0]);
    uint64_t offset = args[fill->arg - 1] - (uint64_t)(uintptr_t)stack;
    if (offset >= VM_STACK_BYTES)
        return; /* not the stack's, or not within it from its start: nothing of it counts */
    vm_stack_mark(written, offset, size < VM_STACK_BYTES - offset ? size : VM_STACK_BYTES - offset);
}

void vm_stack_unwritten_fault(struct vm_run *run, const struct vm_program *prog, size_t pc,
                              const uint8_t *written, uint64_t offset, uint64_t size)
{
    uint64_t first = offset;
    while (first < offset + size && (written[first >> 3] >> (first & 7) & 1))
        first++;
    /* Frame 0 is the entry's, at the top of the stack; offsets are from the frame's r10. */
    unsigned frame = (unsigned)((VM_STACK_BYTES - 1 - first) / EBPF_STACK_SIZE);
    int64_t top = VM_STACK_BYTES - (int64_t)frame * EBPF_STACK_SIZE;
    vm_fault(run, prog, pc, -EACCES,
             "stack byte at offset %lld of frame %u is read before it is written (read of %d "
             "bytes at offset %lld)", (long long)((int64_t)first - top), frame, (int)size,
             (long long)((int64_t)offset - top));
}
