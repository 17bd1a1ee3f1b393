/* Executable memory for generated code, under W^X: pages are writable while the code is
 * copied in, then read+execute, and never both at once. */
#ifndef BPFHOST_EXEC_MEMORY_H
#define BPFHOST_EXEC_MEMORY_H

#include <stddef.h>

struct exec_memory {
    void *base;
    size_t size; /* mapped size, a whole number of pages */
};

/* Maps fresh pages, copies code (size bytes) into them and makes them read+execute.
 * Returns 0, or a negative errno with a message. */
int exec_memory_create(const void *code, size_t size, struct exec_memory *out, char *msg,
                       size_t msg_size);

/* Unmaps the pages; a zeroed exec_memory is accepted and ignored. */
void exec_memory_release(struct exec_memory *mem);

#endif
