/* Linux implementation of platform/host.h. */
#include "platform/host.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t platform_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t platform_boot_ns(void) { return clock_ns(CLOCK_BOOTTIME); }
uint64_t platform_coarse_ns(void) { return clock_ns(CLOCK_MONOTONIC_COARSE); }
uint64_t platform_jiffies(void) { return clock_ns(CLOCK_MONOTONIC_COARSE) / (1000000000ull / PLATFORM_HZ); }

/* xorshift128+ per thread: bpf_get_prandom_u32 is not cryptographic on Linux either. */
static _Thread_local uint64_t random_state[2];

uint32_t platform_random_u32(void)
{
    uint64_t *s = random_state;
    if (!s[0] && !s[1]) {
        if (getrandom(s, sizeof random_state, 0) != (ssize_t)sizeof random_state || (!s[0] && !s[1])) {
            s[0] = clock_ns(CLOCK_MONOTONIC) | 1;
            s[1] = (uint64_t)(uintptr_t)&s ^ 0x9e3779b97f4a7c15ull;
        }
    }
    uint64_t x = s[0], y = s[1];
    s[0] = y;
    x ^= x << 23;
    s[1] = x ^ y ^ (x >> 17) ^ (y >> 26);
    return (uint32_t)((s[1] + y) >> 32);
}

uint64_t platform_current_pid_tgid(void)
{
    return (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
}

uint64_t platform_current_uid_gid(void) { return (uint64_t)getgid() << 32 | (uint32_t)getuid(); }

int platform_current_comm(char *buf, size_t size)
{
    char name[17] = {0};
    if (!size)
        return -EINVAL;
    if (prctl(PR_GET_NAME, name) != 0)
        return -errno;
    size_t n = strnlen(name, sizeof name - 1);
    if (n >= size)
        n = size - 1;
    memcpy(buf, name, n);
    memset(buf + n, 0, size - n);
    return 0;
}

int platform_copy_nofault(void *dst, const void *src, size_t len)
{
    if (!len)
        return 0;
    struct iovec local = {dst, len}, remote = {(void *)(uintptr_t)src, len};
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    return n == (ssize_t)len ? 0 : -EFAULT;
}
