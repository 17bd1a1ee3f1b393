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

uint64_t vm_stack_first_unwritten(const uint8_t *written, uint64_t offset, uint64_t size)
{
    uint64_t n = offset, end = offset + size;
    while (n < end && (n & 7) && (written[n >> 3] >> (n & 7) & 1))
        n++;
    while (n + 8 <= end && written[n >> 3] == 0xff)
        n += 8;
    while (n < end && (written[n >> 3] >> (n & 7) & 1))
        n++;
    return n;
}

void vm_stack_position(uint64_t offset, unsigned *frame, long long *from_fp)
{
    /* Frame 0 is the entry's, at the top of the stack. */
    *frame = (unsigned)((VM_STACK_BYTES - 1 - offset) / EBPF_STACK_SIZE);
    *from_fp = (long long)offset - (VM_STACK_BYTES - (long long)*frame * EBPF_STACK_SIZE);
}

void vm_stack_unwritten_fault(struct vm_run *run, const struct vm_program *prog, size_t pc,
                              const uint8_t *written, uint64_t offset, uint64_t size)
{
    uint64_t first = vm_stack_first_unwritten(written, offset, size);
    unsigned frame;
    long long from_fp;
    vm_stack_position(first, &frame, &from_fp);
    vm_fault(run, prog, pc, -EACCES,
             "stack byte at offset %lld of frame %u is read before it is written (read of %d "
             "bytes at offset %lld)", from_fp, frame, (int)size, from_fp - (long long)(first - offset));
}
