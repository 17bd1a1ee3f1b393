/* Random bytes from the kernel's getrandom(2). */
#include "platform/random.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>

int platform_random_bytes(void *buf, size_t size)
{
    uint8_t *p = buf;
    while (size > 0) {
        ssize_t got = getrandom(p, size, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += got;
        size -= (size_t)got;
    }
    return 0;
}
