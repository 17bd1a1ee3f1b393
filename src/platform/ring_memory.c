#include "platform/ring_memory.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

size_t platform_page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    return n > 0 ? (size_t)n : 4096;
}

static int fail(int err, const char *what, char *msg, size_t msg_size)
{
    snprintf(msg, msg_size, "ring buffer memory: %s: %s", what, strerror(-err));
    return err;
}

int platform_ring_memory_create(size_t data_size, struct platform_ring_memory *out, char *msg,
                                size_t msg_size)
{
    size_t page = platform_page_size();
    memset(out, 0, sizeof *out);
    out->memfd = out->notify_fd = -1;
    if (data_size == 0 || (data_size & (data_size - 1)) || data_size % page)
        return fail(-EINVAL, "size is not a power of two multiple of the page size", msg,
                    msg_size);
    if (data_size > (SIZE_MAX - 3 * page) / 2)
        return fail(-E2BIG, "size too large", msg, msg_size);
    size_t shared_size = 2 * page + data_size;
    size_t total = page + shared_size + data_size;

    int memfd = memfd_create("bpfhost-ringbuf", MFD_CLOEXEC);
    if (memfd < 0)
        return fail(-errno, "memfd_create", msg, msg_size);
    if (ftruncate(memfd, (off_t)shared_size) < 0) {
        int err = -errno;
        close(memfd);
        return fail(err, "ftruncate", msg, msg_size);
    }
    /* Reserve the whole range first so the two data views land next to each other. */
    char *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        int err = -errno;
        close(memfd);
        return fail(err, "mmap", msg, msg_size);
    }
    void *shared = mmap(base + page, shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                        memfd, 0);
    void *again = shared == MAP_FAILED
                      ? MAP_FAILED
                      : mmap(base + page + shared_size, data_size, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_FIXED, memfd, (off_t)(2 * page));
    int notify_fd = again == MAP_FAILED ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (notify_fd < 0) {
        int err = -errno;
        munmap(base, total);
        close(memfd);
        return fail(err, again == MAP_FAILED ? "mmap of the data area" : "eventfd", msg, msg_size);
    }
    out->private_page = base;
    out->consumer_page = base + page;
    out->producer_page = base + 2 * page;
    out->data = base + 3 * page;
    out->page_size = page;
    out->data_size = data_size;
    out->memfd = memfd;
    out->notify_fd = notify_fd;
    return 0;
}

void platform_ring_memory_destroy(struct platform_ring_memory *ring)
{
    if (!ring->private_page)
        return;
    munmap(ring->private_page, 3 * ring->page_size + 2 * ring->data_size);
    close(ring->memfd);
    close(ring->notify_fd);
    ring->private_page = NULL;
}

void platform_ring_memory_notify(struct platform_ring_memory *ring)
{
    uint64_t one = 1;
    /* EAGAIN means the counter is saturated: the reader is awake already. */
    ssize_t n = write(ring->notify_fd, &one, sizeof one);
    (void)n;
}
