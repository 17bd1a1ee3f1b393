/* Memory for ring buffers laid out as Linux maps a BPF ring buffer to user space: a
 * consumer-position page, a producer-position page, then the data area mapped twice in a
 * row so that a record that wraps around the end is still contiguous for its reader.
 * A private page in front holds the owner's bookkeeping, out of the shareable part. The
 * shareable part (consumer page, producer page, data) lives in a memfd. */
#ifndef BPFHOST_PLATFORM_RING_MEMORY_H
#define BPFHOST_PLATFORM_RING_MEMORY_H

#include <stddef.h>

struct platform_ring_memory {
    void *private_page;  /* page_size bytes, not shared */
    void *consumer_page; /* page_size bytes */
    void *producer_page; /* page_size bytes */
    void *data;          /* data_size bytes, then the same bytes again */
    size_t page_size;
    size_t data_size;
    int memfd;           /* consumer page at offset 0, producer page, data */
    int notify_fd;       /* an eventfd, readable after platform_ring_memory_notify */
};

size_t platform_page_size(void);

/* data_size must be a power of two and a multiple of the page size. Returns 0 or a negative
 * errno with msg naming what failed. */
int platform_ring_memory_create(size_t data_size, struct platform_ring_memory *out, char *msg,
                                size_t msg_size);
void platform_ring_memory_destroy(struct platform_ring_memory *ring);

/* Wakes whoever waits on notify_fd. */
void platform_ring_memory_notify(struct platform_ring_memory *ring);

#endif
