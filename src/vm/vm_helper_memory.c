/* The checked mode's view of the memory helpers touch through their arguments: checked before
 * the call like the program's own accesses, and the stack bytes filled counted as written after
 * it (vm_helpers.args, from the helpers' prototypes). */
#include <errno.h>

#include "vm/vm_internal.h"

static bool arg_reads(uint8_t kind)
{
    return kind == VM_ARG_READ || kind == VM_ARG_READ_WRITE || kind == VM_ARG_READ_KEY ||
           kind == VM_ARG_READ_VALUE || kind == VM_ARG_LOCK;
}

static bool arg_writes(uint8_t kind)
{
    return kind == VM_ARG_READ_WRITE || kind == VM_ARG_FILL || kind == VM_ARG_FILL_VALUE ||
           kind == VM_ARG_LOCK;
}

/* Bytes the helper touches through argument n (0-based); 0 when it touches none. */
static inline uint64_t arg_size(const struct vm_helpers *helpers, uint8_t kind, unsigned n, const uint64_t args[5])
{
    switch (kind) {
    case VM_ARG_READ:
    case VM_ARG_READ_WRITE:
    case VM_ARG_FILL:
        return n < 4 ? args[n + 1] : 0;
    case VM_ARG_READ_KEY:
        return helpers->map_key_size ? helpers->map_key_size(args[0]) : 0;
    case VM_ARG_READ_VALUE:
    case VM_ARG_FILL_VALUE:
        return helpers->map_value_size ? helpers->map_value_size(args[0]) : 0;
    case VM_ARG_LOCK:
        return 4;
    default:
        return 0;
    }
}

int vm_helper_memory_check(struct vm_run *run, const struct vm_program *prog, size_t pc,
                           const uint8_t *stack, const uint8_t *written, uint64_t id,
                           const uint64_t args[5])
{
    const uint8_t *kinds = prog->helpers->args[id];
    int fills = 0;
    for (unsigned n = 0; n < 5; n++) {
        if (kinds[n] == VM_ARG_NONE)
            continue;
        fills |= kinds[n] == VM_ARG_FILL || kinds[n] == VM_ARG_FILL_VALUE;
        uint64_t size = arg_size(prog->helpers, kinds[n], n, args);
        if (!size)
            continue;
        uint64_t at = args[n] - (uint64_t)(uintptr_t)stack;
        if (at < VM_STACK_BYTES && size <= VM_STACK_BYTES - at) {
            if (!arg_reads(kinds[n]) || (size <= 8 && vm_stack_is_written(written, at, size)))
                continue;
            uint64_t first = vm_stack_first_unwritten(written, at, size);
            if (first == at + size)
                continue;
            const char *name = isa_helper_name((int32_t)id);
            unsigned frame;
            long long from_fp;
            vm_stack_position(first, &frame, &from_fp);
            vm_fault(run, prog, pc, -EACCES, "argument %u of %s%s: stack byte at offset %lld of frame "
                     "%u is read before it is written (%llu bytes from offset %lld)", n + 1,
                     name ? "bpf_" : "helper ", name ? name : "", from_fp, frame,
                     (unsigned long long)size, from_fp - (long long)(first - at));
            return -1;
        }
        if (!vm_run_region_allows(run, args[n], size, arg_writes(kinds[n]))) {
            const char *name = isa_helper_name((int32_t)id);
            vm_fault(run, prog, pc, -EFAULT, "argument %u of %s%s: %llu bytes at 0x%llx are outside "
                     "the memory this program may %s", n + 1, name ? "bpf_" : "helper ",
                     name ? name : "", (unsigned long long)size, (unsigned long long)args[n],
                     arg_writes(kinds[n]) ? "write" : "read");
            return -1;
        }
    }
    return fills;
}

void vm_helper_mark_fills(uint8_t *written, const uint8_t *stack, const struct vm_helpers *helpers,
                          uint64_t id, const uint64_t args[5])
{
    for (unsigned n = 0; n < 5; n++) {
        uint8_t kind = helpers->args[id][n];
        if (kind != VM_ARG_FILL && kind != VM_ARG_FILL_VALUE)
            continue;
        uint64_t size = arg_size(helpers, kind, n, args);
        uint64_t at = args[n] - (uint64_t)(uintptr_t)stack;
        /* Checked before the call: within the stack or not in it at all. */
        if (at < VM_STACK_BYTES && size <= VM_STACK_BYTES - at)
            vm_stack_mark(written, at, size);
    }
}
