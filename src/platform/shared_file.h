/* A fixed-size file mapped shared by every process that opens it: memory that unrelated
 * processes of one machine use together (the system trace buffer).
 *
 * Who initializes the contents is decided under an exclusive file lock (flock), taken only
 * while opening: the kernel drops it when its holder dies, however it dies, so an opener
 * killed in the middle never blocks the next one, which finds the contents unprepared and
 * prepares them again. After opening, users of the memory synchronize with atomics in it,
 * never with the lock. */
#ifndef BPFHOST_PLATFORM_SHARED_FILE_H
#define BPFHOST_PLATFORM_SHARED_FILE_H

#include <stddef.h>

struct platform_shared_file {
    void *memory;
    size_t size;
};

/* Checks, under the lock, the contents of a file of the right size, and prepares them when
 * they are new (all zero) or were left half-prepared by an opener that died. Returns 0 when the memory is usable, -ESTALE when it
 * holds another layout (the file is then replaced by a new one, and prepare runs again on
 * that), or another negative errno to give up. */
typedef int (*platform_shared_file_prepare)(void *memory, size_t size, void *arg);

/* Opens path (created with mode 0644 if missing; a symbolic link is refused), sizes a new
 * file to size bytes, maps it shared for reading and writing and runs prepare. A file of
 * another size is replaced: processes that still map the old one keep it, unlinked. Returns
 * 0 and *out, or a negative errno with msg naming the path and what failed. */
int platform_shared_file_open(const char *path, size_t size, platform_shared_file_prepare prepare,
                              void *arg, struct platform_shared_file *out, char *msg, size_t msg_size);

/* Unmaps the memory. */
void platform_shared_file_close(struct platform_shared_file *file);

#endif
