/* Unpredictable bytes from the host (for constant blinding, hash seeds). */
#ifndef BPFHOST_RANDOM_H
#define BPFHOST_RANDOM_H

#include <stddef.h>

/* Fills buf with size random bytes. Returns 0 or a negative errno. */
int platform_random_bytes(void *buf, size_t size);

#endif
