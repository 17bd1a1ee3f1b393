/* W^X executable pages on POSIX hosts: mmap read+write, then mprotect read+execute. */
#include "platform/exec_memory.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const uintptr_t GIB = (uintptr_t)1 << 30;

static bool within_gib(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return (x > y ? x - y : y - x) < GIB;
}

/* Maps with a placement hint and keeps the mapping only if it landed near; NULL otherwise. */
static void *map_near(size_t size, const void *near)
{
    /* Below the program's text is usually free, and far from the heap's growth. */
    static const uintptr_t distances[] = {(uintptr_t)1 << 28, (uintptr_t)1 << 29,
                                          (uintptr_t)3 << 28};
    for (size_t i = 0; i < sizeof(distances) / sizeof(distances[0]); i++) {
        uintptr_t at = (uintptr_t)near;
        if (at < distances[i])
            break;
        void *hint = (void *)((at - distances[i]) & ~(uintptr_t)0xffff);
        void *p = mmap(hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            continue;
        if (within_gib(p, near))
            return p;
        munmap(p, size);
    }
    return NULL;
}

int exec_memory_reserve(size_t size, const void *near, struct exec_memory *out, char *msg,
                        size_t msg_size)
{
    *out = (struct exec_memory){0};
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    if (size == 0 || size > SIZE_MAX - (size_t)page) {
        snprintf(msg, msg_size, "cannot map %zu bytes of code", size);
        return -EINVAL;
    }
    size_t mapped = (size + (size_t)page - 1) / (size_t)page * (size_t)page;
    void *base = near ? map_near(mapped, near) : NULL;
    if (!base)
        base = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        int err = errno;
        snprintf(msg, msg_size, "mapping %zu bytes for code: %s", mapped, strerror(err));
        return -err;
    }
    out->base = base;
    out->size = mapped;
    return 0;
}

int exec_memory_seal(struct exec_memory *mem, char *msg, size_t msg_size)
{
    if (mprotect(mem->base, mem->size, PROT_READ | PROT_EXEC) != 0) {
        int err = errno;
        snprintf(msg, msg_size, "making %zu bytes of code executable: %s", mem->size,
                 strerror(err));
        return -err;
    }
    return 0;
}

void exec_memory_release(struct exec_memory *mem)
{
    if (mem->base)
        munmap(mem->base, mem->size);
    *mem = (struct exec_memory){0};
}
