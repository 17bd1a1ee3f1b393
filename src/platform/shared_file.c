/* Shared file mappings, prepared under a file lock that dies with its holder. */
#include "platform/shared_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/message.h"

enum { REPLACE_ATTEMPTS = 4 };

static int lock_exclusive(int fd)
{
    while (flock(fd, LOCK_EX))
        if (errno != EINTR)
            return -errno;
    return 0;
}

/* Whether fd is still the file at path: another opener may have replaced it while we
 * waited for the lock. */
static int is_current(int fd, const char *path)
{
    struct stat by_fd, by_path;
    return !fstat(fd, &by_fd) && !stat(path, &by_path) && by_fd.st_ino == by_path.st_ino &&
           by_fd.st_dev == by_path.st_dev;
}

int platform_shared_file_open(const char *path, size_t size, platform_shared_file_prepare prepare,
                              void *arg, struct platform_shared_file *out, char *msg, size_t msg_size)
{
    out->memory = NULL;
    out->size = 0;
    if (!size)
        return msg_error(-EINVAL, msg, msg_size, "shared file %s: size 0", path);
    for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
            return msg_error(-errno, msg, msg_size, "cannot open %s: %s", path, strerror(errno));
        int err = lock_exclusive(fd);
        if (err) {
            close(fd);
            return msg_error(err, msg, msg_size, "cannot lock %s: %s", path, strerror(-err));
        }
        if (!is_current(fd, path)) {
            close(fd);
            continue;
        }
        struct stat st;
        if (fstat(fd, &st)) {
            err = -errno;
            close(fd);
            return msg_error(err, msg, msg_size, "cannot stat %s: %s", path, strerror(-err));
        }
        if (!S_ISREG(st.st_mode)) {
            close(fd);
            return msg_error(-EINVAL, msg, msg_size, "%s is not a regular file", path);
        }
        if (st.st_size == 0 && ftruncate(fd, (off_t)size)) {
            err = -errno;
            close(fd);
            return msg_error(err, msg, msg_size, "cannot size %s to %zu bytes: %s", path, size, strerror(-err));
        }
        if (st.st_size != 0 && (size_t)st.st_size != size) {
            unlink(path); /* another layout: start a new file */
            close(fd);
            continue;
        }
        void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (memory == MAP_FAILED) {
            err = -errno;
            close(fd);
            return msg_error(err, msg, msg_size, "cannot map %s: %s", path, strerror(-err));
        }
        err = prepare(memory, size, arg);
        if (err == -ESTALE) {
            munmap(memory, size);
            unlink(path);
            close(fd);
            continue;
        }
        /* Unlock before closing: the mapping holds the open file, and with it the lock. */
        flock(fd, LOCK_UN);
        close(fd);
        if (err) {
            munmap(memory, size);
            return msg_error(err, msg, msg_size, "%s holds no usable contents: %s", path, strerror(-err));
        }
        out->memory = memory;
        out->size = size;
        return 0;
    }
    return msg_error(-EAGAIN, msg, msg_size, "%s kept being replaced while opening it", path);
}

void platform_shared_file_close(struct platform_shared_file *file)
{
    if (file->memory)
        munmap(file->memory, file->size);
    file->memory = NULL;
    file->size = 0;
}
