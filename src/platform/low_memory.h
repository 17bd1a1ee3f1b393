/* Memory below 4 GiB. Linux's struct xdp_md and struct __sk_buff carry packet pointers in
 * 32-bit fields. Verified programs' loads of them are rewritten to full-width copies
 * (runtime/ctx_rewrite.h), but unverified programs read the 32-bit fields on the checked
 * interpreter, so the packets they see live where a 32-bit value can address them. */
#ifndef BPFHOST_PLATFORM_LOW_MEMORY_H
#define BPFHOST_PLATFORM_LOW_MEMORY_H

#include <stddef.h>

/* Zeroed, page-aligned, readable and writable memory whose every address fits in 32 bits,
 * or NULL (errno set) when the host cannot provide it. */
void *platform_low_alloc(size_t size);
void platform_low_free(void *ptr, size_t size);

#endif
