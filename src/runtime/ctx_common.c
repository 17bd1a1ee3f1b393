/* Caller-supplied contexts and their checked-mode regions. */
#include "runtime/ctx_common.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/message.h"
#include "platform/low_memory.h"

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

enum { BUFFER_ALIGN = 4096 }; /* a page, as Linux's frames: headers never straddle a page */

int runtime_ctx_buffer_alloc(struct runtime_ctx_buffer *buffer, size_t size)
{
    size_t rounded = (size + BUFFER_ALIGN - 1) / BUFFER_ALIGN * BUFFER_ALIGN;
    *buffer = (struct runtime_ctx_buffer){.bytes = aligned_alloc(BUFFER_ALIGN, rounded), .size = size};
    if (!buffer->bytes)
        return -ENOMEM;
    memset(buffer->bytes, 0, size);
    return 0;
}

void runtime_ctx_buffer_free(struct runtime_ctx_buffer *buffer)
{
    if (buffer->low)
        platform_low_free(buffer->bytes, buffer->size);
    else
        free(buffer->bytes);
    buffer->bytes = NULL;
}

bool runtime_ctx_buffer_is_low(const struct runtime_ctx_buffer *buffer)
{
    return (uintptr_t)buffer->bytes + buffer->size <= (uintptr_t)1 << 32;
}

int runtime_ctx_buffer_lower(struct runtime_ctx_buffer *buffer, ptrdiff_t *moved)
{
    *moved = 0;
    if (runtime_ctx_buffer_is_low(buffer))
        return 0;
    uint8_t *low = platform_low_alloc(buffer->size);
    if (!low)
        return -ENOMEM;
    memcpy(low, buffer->bytes, buffer->size);
    *moved = (ptrdiff_t)((uintptr_t)low - (uintptr_t)buffer->bytes);
    runtime_ctx_buffer_free(buffer);
    buffer->bytes = low;
    buffer->low = true;
    return 0;
}
