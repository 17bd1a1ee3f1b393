/* Handle descriptors are memfds: each has its own inode (eventfds share one anonymous
 * inode), costs no disk and shows its label in /proc/self/fd. */
#include "platform/handle_fd.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int platform_handle_fd_open(const char *label, struct platform_fd_identity *identity)
{
    int fd = memfd_create(label, MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    identity->device = (uint64_t)st.st_dev;
    identity->inode = (uint64_t)st.st_ino;
    return fd;
}

void platform_handle_fd_close(int fd) { close(fd); }

bool platform_handle_fd_is(int fd, const struct platform_fd_identity *identity)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return false;
    return (uint64_t)st.st_dev == identity->device && (uint64_t)st.st_ino == identity->inode;
}
