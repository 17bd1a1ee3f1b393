/* W^X executable pages on POSIX hosts: mmap read+write, copy, mprotect read+execute. */
#include "platform/exec_memory.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int exec_memory_create(const void *code, size_t size, struct exec_memory *out, char *msg,
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
    void *base = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        int err = errno;
        snprintf(msg, msg_size, "mapping %zu bytes for code: %s", mapped, strerror(err));
        return -err;
    }
    memcpy(base, code, size);
    if (mprotect(base, mapped, PROT_READ | PROT_EXEC) != 0) {
        int err = errno;
        munmap(base, mapped);
        snprintf(msg, msg_size, "making %zu bytes of code executable: %s", mapped, strerror(err));
        return -err;
    }
    out->base = base;
    out->size = mapped;
    return 0;
}

void exec_memory_release(struct exec_memory *mem)
{
    if (mem->base)
        munmap(mem->base, mem->size);
    *mem = (struct exec_memory){0};
}
