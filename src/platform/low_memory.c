/* Linux implementation of platform/low_memory.h: MAP_32BIT where the kernel has it (x86-64),
 * otherwise address hints in the low 4 GiB. */
#include "platform/low_memory.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

static int fits_low(const void *p, size_t size)
{
    return (uintptr_t)p + size <= (uintptr_t)1 << 32;
}

void *platform_low_alloc(size_t size)
{
    if (!size || size > (size_t)1 << 30) {
        errno = EINVAL;
        return NULL;
    }
#ifdef MAP_32BIT
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (p != MAP_FAILED && fits_low(p, size))
        return p;
    if (p != MAP_FAILED)
        munmap(p, size);
#endif
    for (uintptr_t hint = (uintptr_t)1 << 28; hint < ((uintptr_t)1 << 32) - size; hint += (uintptr_t)1 << 28) {
        void *q = mmap((void *)hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED)
            continue;
        if (fits_low(q, size))
            return q;
        munmap(q, size);
    }
    errno = ENOMEM;
    return NULL;
}

void platform_low_free(void *ptr, size_t size)
{
    if (ptr)
        munmap(ptr, size);
}
