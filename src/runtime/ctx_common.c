/* Caller-supplied contexts and their checked-mode regions. */
#include "runtime/ctx_common.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "base/message.h"

uint64_t runtime_ctx_new_cookie(void)
{
    static _Atomic uint64_t next_cookie = 1;
    return atomic_fetch_add(&next_cookie, 1);
}

int runtime_ctx_copy_in(void *ctx, size_t size, const void *in, size_t in_size,
                        const struct prog_type_desc *desc, char *msg, size_t msg_size)
{
    memset(ctx, 0, size);
    if (!in)
        return 0;
    const uint8_t *bytes = in;
    for (size_t i = size; i < in_size; i++)
        if (bytes[i])
            return msg_error(-E2BIG, msg, msg_size, "ctx_in has %zu bytes, more than the %zu of %s, "
                             "and byte %zu beyond it is not zero", in_size, size, desc->ctx_name, i);
    memcpy(ctx, in, in_size < size ? in_size : size);
    return 0;
}

static const char *field_name(const struct prog_type_desc *desc, size_t offset)
{
    const struct ctx_field *f = prog_type_find_field(desc, (int64_t)offset, 1);
    return f ? f->name : "padding";
}

int runtime_ctx_check_zero_except(const void *ctx, size_t size, const struct ctx_range *allowed,
                                  size_t allowed_count, const struct prog_type_desc *desc,
                                  char *msg, size_t msg_size)
{
    const uint8_t *bytes = ctx;
    for (size_t i = 0; i < size; i++) {
        if (!bytes[i])
            continue;
        bool ok = false;
        for (size_t r = 0; r < allowed_count && !ok; r++)
            ok = i >= allowed[r].offset && i < (size_t)allowed[r].offset + allowed[r].size;
        if (!ok)
            return msg_error(-EINVAL, msg, msg_size, "ctx_in: %s field %s (byte %zu) cannot be set "
                             "by the caller and must be zero", desc->ctx_name, field_name(desc, i), i);
    }
    return 0;
}

int runtime_ctx_add_regions(struct vm_run *run, const void *ctx, size_t size,
                            const struct ctx_range *writable, size_t writable_count)
{
    const uint8_t *base = ctx;
    for (size_t i = 0; i < writable_count; i++) {
        int err = vm_run_add_region(run, base + writable[i].offset, writable[i].size, true);
        if (err)
            return err;
    }
    return vm_run_add_region(run, ctx, size, false);
}
