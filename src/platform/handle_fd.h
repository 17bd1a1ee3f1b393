/* Descriptors that stand for runtime objects. libbpf users treat map, program and link fds
 * as real descriptors (they close() them, poll them, pass them around), so each object
 * handle owns a real, otherwise unused descriptor of the host: its number cannot collide
 * with a file the application opens, and its identity tells whether the application closed
 * it (and the number was reused) since the runtime handed it out. */
#ifndef BPFHOST_PLATFORM_HANDLE_FD_H
#define BPFHOST_PLATFORM_HANDLE_FD_H

#include <stdbool.h>
#include <stdint.h>

/* What a descriptor is, independent of its number. */
struct platform_fd_identity {
    uint64_t device;
    uint64_t inode;
};

/* Opens a new descriptor (close-on-exec) whose identity no other open descriptor has;
 * label shows in /proc/self/fd ("bpf-map:NAME"). Returns the fd or -errno. */
int platform_handle_fd_open(const char *label, struct platform_fd_identity *identity);

/* Closes a descriptor platform_handle_fd_open made. */
void platform_handle_fd_close(int fd);

/* Whether fd is open and still the descriptor that had this identity. */
bool platform_handle_fd_is(int fd, const struct platform_fd_identity *identity);

#endif
