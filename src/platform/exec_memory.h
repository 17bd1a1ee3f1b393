/* Executable memory for generated code, under W^X: pages are writable while code is written
 * into them, then read+execute, and never both at once. */
#ifndef BPFHOST_EXEC_MEMORY_H
#define BPFHOST_EXEC_MEMORY_H

#include <stddef.h>

struct exec_memory {
    void *base;
    size_t size; /* mapped size, a whole number of pages */
};

/* Maps at least size bytes of read+write pages. When near is not NULL, tries to place them
 * within 1 GiB of near (so that code there can reach near with 32-bit displacements); this is
 * a preference, not a promise. Returns 0, or a negative errno with a message. */
int exec_memory_reserve(size_t size, const void *near, struct exec_memory *out, char *msg,
                        size_t msg_size);

/* Makes the pages read+execute; they can no longer be written. */
int exec_memory_seal(struct exec_memory *mem, char *msg, size_t msg_size);

/* Unmaps the pages; a zeroed exec_memory is accepted and ignored. */
void exec_memory_release(struct exec_memory *mem);

#endif
